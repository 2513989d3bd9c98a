// INFO commandstats and errorstats side by side with redis-server 7.0: after CONFIG RESETSTAT,
// the same commands (run, refused before running, failing, blocked then timed out or served,
// inside MULTI) must give the same per-command calls, rejected_calls and failed_calls, the
// same error counts by code and the same total_error_replies. Microseconds differ by nature
// and are left out; Redis lists commands in hash order, so lines are compared sorted.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

std::string Call(RawConnection& c, const Argv& argv) {
  c.Send(Encode(argv));
  std::optional<RespValue> v = c.ReadValue();
  return v ? RenderLine(*v) : "(no reply)";
}

// The lines of INFO `section` that start with `prefix`, sorted, microseconds removed.
std::string InfoLines(RawConnection& c, const std::string& section, const std::string& prefix) {
  c.Send(Encode({"INFO", section}));
  std::optional<RespValue> v = c.ReadValue();
  std::vector<std::string> lines;
  std::istringstream in(v ? v->str : "");
  static const std::regex usec("usec=[0-9]+,usec_per_call=[0-9.]+,");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind(prefix, 0) == 0) lines.push_back(std::regex_replace(line, usec, ""));
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::string Transcript(int port, const std::vector<Argv>& commands) {
  RawConnection admin(port), app(port), other(port);
  std::string out;
  Call(admin, {"FLUSHALL"});
  Call(admin, {"CONFIG", "RESETSTAT"});
  for (const Argv& argv : commands) {
    if (argv[0] == "OTHER") {  // on a second connection, reply not awaited (it blocks)
      other.Send(Encode(Argv(argv.begin() + 1, argv.end())));
      continue;
    }
    if (argv[0] == "OTHER-REPLY") {
      std::optional<RespValue> v = other.ReadValue();
      out += "other< " + (v ? RenderLine(*v) : "(no reply)") + "\n";
      continue;
    }
    if (argv[0] == "AWAIT-BLOCKED") {  // bounded wait until the other connection blocks
      for (int i = 0; i < 400; ++i) {
        if (Call(admin, {"INFO", "clients"}).find("blocked_clients:1") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      continue;
    }
    out += "> " + Call(app, argv) + "\n";
  }
  out += InfoLines(admin, "commandstats", "cmdstat_");
  out += InfoLines(admin, "errorstats", "errorstat_");
  out += InfoLines(admin, "stats", "total_error_replies");
  return out;
}

class InfoStatsCompatTest : public SideBySideTest {
 protected:
  void Expect(const std::vector<Argv>& commands, const std::string& fragment) {
    const std::string want = Transcript(redis_->port(), commands);
    EXPECT_NE(want.find(fragment), std::string::npos) << "redis-server's transcript:\n" << want;
    EXPECT_EQ(Transcript(strata_->port(), commands), want);
  }
};

TEST_F(InfoStatsCompatTest, CallsRejectionsFailuresAndErrorCodes) {
  Expect({{"SET", "a", "b"},
          {"GET", "a"},
          {"LPUSH", "a", "x"},
          {"GET"},
          {"CONFIG", "GET"},
          {"CONFIG", "NOPE"},
          {"NOSUCH", "x"},
          {"OBJECT", "foo"},
          {"INCR", "a"},
          {"HSET", "h", "f"},
          {"EXPIRE", "a", "x"},
          {"ZADD", "z", "NX", "XX", "1", "m"},
          {"SELECT", "99"},
          {"OTHER", "BLPOP", "nokey", "0.01"},
          {"OTHER-REPLY"},
          {"OTHER", "BLPOP", "q", "0"},
          {"AWAIT-BLOCKED"},
          {"RPUSH", "q", "job"},
          {"OTHER-REPLY"}},
         "cmdstat_lpush:calls=1,rejected_calls=0,failed_calls=1");
}

TEST_F(InfoStatsCompatTest, Transactions) {
  Expect({{"EXEC"},
          {"DISCARD"},
          {"MULTI"},
          {"SET", "a", "1"},
          {"INCR", "a"},
          {"EXEC"},
          {"MULTI"},
          {"GET"},
          {"EXEC"},
          {"MULTI"},
          {"MULTI"},
          {"DISCARD"}},
         "errorstat_EXECABORT:count=1");
}

// Scripts: what a script calls counts as itself (refusals in its rejected_calls, errors once);
// EVAL fails when its reply holds an error anywhere, and an error a command replied is not
// counted again when the script passes it on.
TEST_F(InfoStatsCompatTest, Scripts) {
  auto eval = [](std::string script) { return Argv{"EVAL", std::move(script), "0"}; };
  Expect({{"SET", "str", "x"},
          eval("redis.call('set', 'a', '1') redis.call('set', 'b', '2') return 1"),
          eval("redis.pcall('get') return 1"),
          eval("redis.pcall('lpush', 'str', 'x') return 1"),
          eval("return redis.pcall('lpush', 'str', 'x')"),
          eval("return redis.call('lpush', 'str', 'x')"),
          eval("return redis.pcall('nosuch')"),
          eval("redis.pcall('nosuch') return 1"),
          eval("return redis.error_reply('MY err')"),
          eval("error('x')"),
          eval("return {1, {err='NESTED x'}}"),
          eval("return {1, redis.pcall('incr', 'str')}"),
          eval("redis.pcall('config', 'get', 'x') return 1"),
          eval("redis.pcall('config', 'nosub') return 1"),
          eval("redis.pcall('object', 'encoding') return 1"),
          {"EVAL_RO", "redis.pcall('set', 'x', 'y') return 1", "0"},
          {"EVALSHA", "0000000000000000000000000000000000000000", "0"},
          {"ACL", "SETUSER", "scripter", "on", "nopass", "~allowed*", "+@all", "-get"},
          {"AUTH", "scripter", "any"},
          eval("return redis.pcall('get', 'allowed')"),
          eval("return redis.pcall('set', 'denied', 'x')"),
          {"AUTH", "default", "any"},
          {"ACL", "DELUSER", "scripter"}},
         "cmdstat_get:calls=0,rejected_calls=2,failed_calls=0");
}

}  // namespace
}  // namespace strata::integration
