// MONITOR side by side with redis-server 7.0: a monitoring connection, then commands on
// another (on the other worker, in Strata), and the monitor's lines must be the same: which
// commands appear (not admin ones, not refused ones; a transaction's commands then EXEC; a
// blocking command once), the database after each, the arguments quoted and escaped, secrets
// redacted. The time stamp and the address are checked (within a minute of now; the
// commanding connection's address) and then left out of the comparison.
#include <gtest/gtest.h>

#include <ctime>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

std::string Transcript(int port, const std::vector<Argv>& commands) {
  RawConnection monitor(port), cmd(port), admin(port);
  auto call = [](RawConnection& c, const Argv& argv) {
    c.Send(Encode(argv));
    std::optional<RespValue> v = c.ReadValue();
    return v ? RenderLine(*v) : "(no reply)";
  };
  call(admin, {"FLUSHALL"});
  const std::string info = call(cmd, {"CLIENT", "INFO"});
  const size_t at = info.find("addr=") + 5;
  const std::string addr = info.substr(at, info.find(' ', at) - at);
  std::string out = "monitor> " + call(monitor, {"MONITOR"}) + "\n";
  for (const Argv& argv : commands) out += "> " + call(cmd, argv) + "\n";
  // The end marker: its line comes after every line above.
  call(cmd, {"ECHO", "end-of-scenario"});
  static const std::regex line_re(R"(^(\d+)\.(\d{6}) \[(\d+) ([^\]]*)\] (.*)$)");
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (;;) {
    std::optional<RespValue> v = monitor.ReadValue();
    if (!v || v->type != '+') {
      out += "(monitor stream ended early)\n";
      break;
    }
    std::smatch m;
    if (!std::regex_match(v->str, m, line_re)) {
      out += "malformed: " + v->str + "\n";
      continue;
    }
    const int64_t t = std::stoll(m[1].str());
    std::string line = "[" + m[3].str();
    line += (t > now - 60 && t <= now + 1) ? " time-ok" : " time=" + m[1].str();
    line += m[4].str() == addr    ? " cmd-client] "
            : m[4].str() == "lua" ? " lua] "
                                  : " other-client] ";
    line += m[5].str();
    out += line + "\n";
    if (m[5].str() == "\"ECHO\" \"end-of-scenario\"") break;
  }
  return out;
}

class MonitorCompatTest : public SideBySideTest {
 protected:
  void Expect(const std::vector<Argv>& commands, const std::string& fragment) {
    const std::string want = Transcript(redis_->port(), commands);
    EXPECT_NE(want.find(fragment), std::string::npos) << "redis-server's transcript:\n" << want;
    EXPECT_EQ(Transcript(strata_->port(), commands), want);
  }
};

TEST_F(MonitorCompatTest, LinesAsRedisWritesThem) {
  Expect({{"SET", "a", "x y"},
          {"AUTH", "pw"},
          {"SELECT", "1"},
          {"MULTI"},
          {"SET", "b", "1"},
          {"EXEC"},
          {"CONFIG", "GET", "maxmemory"},
          {"GET", "nosuch"},
          {"ECHO", std::string("a\n\"\\\x01\xff\t", 7)},
          {"GET"},
          {"SLOWLOG", "LEN"},
          {"CLIENT", "SETNAME", "x"},
          {"PING"},
          {"HELLO", "2", "AUTH", "a", "b"},
          {"BLPOP", "q", "0.01"},
          {"SELECT", "0"}},
         "[1 time-ok cmd-client] \"ECHO\" \"a\\n\\\"\\\\\\x01\\xff\\t\"");
}

// A script's command, then the commands it calls, from "lua"; EVALSHA of no script too.
TEST_F(MonitorCompatTest, Scripts) {
  Expect({{"EVAL", "redis.call('set', 'a', '1') return redis.call('get', 'a')", "0"},
          {"EVAL", "return redis.pcall('nosuch')", "0"},
          {"EVAL", "return 1", "x"},
          {"EVALSHA", "short", "0"},
          {"SELECT", "2"},
          {"EVAL", "return redis.call('incr', KEYS[1])", "1", "n"},
          {"MULTI"},
          {"EVAL", "return redis.call('incr', KEYS[1])", "1", "n"},
          {"EXEC"},
          {"SELECT", "0"},
          {"FUNCTION", "LOAD", "REPLACE",
           "#!lua name=monlib\nredis.register_function('monf', function(keys, args) "
           "return redis.call('get', 'a') end)"},
          {"FCALL", "monf", "0"},
          {"FCALL", "nosuch", "0"},
          {"FUNCTION", "DELETE", "monlib"}},
         "[0 time-ok lua] \"set\" \"a\" \"1\"");
}

}  // namespace
}  // namespace strata::integration
