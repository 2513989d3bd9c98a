// SLOWLOG side by side with redis-server 7.0: the same commands, logged with
// slowlog-log-slower-than 0, must give the same entries (arguments as sent, truncated and
// redacted as Redis does, the client's name), in the same order, with the same replies to
// SLOWLOG's own subcommands and errors. What differs by nature is normalized: ids are
// compared relative to the first, timestamps must be within a minute of now, durations
// non-negative, and the address must be the client's own (CLIENT INFO's addr).
#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

class Client {
 public:
  explicit Client(int port) : conn_(port) {}
  RespValue Call(const Argv& argv) {
    conn_.Send(Encode(argv));
    std::optional<RespValue> v = conn_.ReadValue();
    return v ? *v : RespValue{};
  }
  std::string Line(const Argv& argv) { return RenderLine(Call(argv)); }

 private:
  RawConnection conn_;
};

// SLOWLOG GET -1 after `commands` (sent by a client named "app"), normalized; plus the replies
// to SLOWLOG's subcommands and errors.
std::string Transcript(int port, const std::vector<Argv>& commands) {
  Client admin(port), app(port);
  std::string out;
  admin.Call({"CONFIG", "SET", "slowlog-log-slower-than", "-1"});
  admin.Call({"CONFIG", "SET", "slowlog-max-len", "128"});
  admin.Call({"SLOWLOG", "RESET"});
  app.Call({"CLIENT", "SETNAME", "app"});
  const RespValue info = app.Call({"CLIENT", "INFO"});
  const std::string addr = info.str.substr(info.str.find("addr=") + 5,
                                           info.str.find(' ', info.str.find("addr=")) -
                                               info.str.find("addr=") - 5);
  admin.Call({"CONFIG", "SET", "slowlog-log-slower-than", "0"});
  for (const Argv& argv : commands) out += "> " + app.Line(argv) + "\n";
  admin.Call({"CONFIG", "SET", "slowlog-log-slower-than", "-1"});
  const RespValue got = admin.Call({"SLOWLOG", "GET", "-1"});
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  int64_t first_id = -1;
  for (auto it = got.elements.rbegin(); it != got.elements.rend(); ++it) {
    const RespValue& e = *it;
    if (e.elements.size() != 6) {
      out += "malformed entry " + RenderLine(e) + "\n";
      continue;
    }
    if (first_id < 0) first_id = e.elements[0].integer;
    std::string line = "#" + std::to_string(e.elements[0].integer - first_id);
    const int64_t t = e.elements[1].integer;
    line += (t > now - 60 && t <= now + 1) ? " time-ok" : " time=" + std::to_string(t);
    line += e.elements[2].integer >= 0 ? " duration-ok " : " duration<0 ";
    line += RenderLine(e.elements[3]);
    // The admin connection's own commands name no client; the app's must be its address.
    const std::string& who = e.elements[4].str;
    line += who == addr ? " app-addr" : who == "?:0" ? " ?:0" : " other-addr";
    line += " " + RenderLine(e.elements[5]) + "\n";
    out += line;
  }
  out += "len " + admin.Line({"SLOWLOG", "LEN"}) + "\n";
  for (const Argv& argv : std::vector<Argv>{{"SLOWLOG", "GET", "-2"},
                                            {"SLOWLOG", "GET", "abc"},
                                            {"SLOWLOG", "GET", "1", "2"},
                                            {"SLOWLOG", "LEN", "1"},
                                            {"SLOWLOG", "RESET", "1"},
                                            {"SLOWLOG", "nope"},
                                            {"SLOWLOG"},
                                            {"SLOWLOG", "HELP"},
                                            {"SLOWLOG", "GET", "0"},
                                            {"SLOWLOG", "RESET"},
                                            {"SLOWLOG", "LEN"},
                                            {"CONFIG", "SET", "slowlog-log-slower-than", "-2"},
                                            {"CONFIG", "SET", "slowlog-max-len", "-1"},
                                            {"CONFIG", "GET", "slowlog-log-slower-than"},
                                            {"CONFIG", "GET", "slowlog-max-len"}}) {
    out += "admin> " + admin.Line(argv) + "\n";
  }
  return out;
}

class SlowlogCompatTest : public SideBySideTest {
 protected:
  void Expect(const std::vector<Argv>& commands, const std::string& fragment) {
    const std::string want = Transcript(redis_->port(), commands);
    EXPECT_NE(want.find(fragment), std::string::npos) << "redis-server's transcript:\n" << want;
    EXPECT_EQ(Transcript(strata_->port(), commands), want);
  }
};

TEST_F(SlowlogCompatTest, EntriesAsRedisRecordsThem) {
  Argv many = {"RPUSH", "list"};
  for (int i = 0; i < 40; ++i) many.push_back("e" + std::to_string(i));
  Expect({{"SET", "k", std::string(200, 'v')},
          {"GET", "k"},
          many,
          {"MULTI"},
          {"INCR", "n"},
          {"EXEC"},
          {"AUTH", "secret"},
          {"AUTH", "user", "secret"},
          {"HELLO", "2", "AUTH", "user", "secret"},
          {"CONFIG", "SET", "requirepass", ""},
          {"ECHO", "last"}},
         "[\"RPUSH\", \"list\", \"e0\"");
}

// A script's commands are logged as Redis logs its script client's (no address, no name),
// before the script's own entry.
TEST_F(SlowlogCompatTest, ScriptsAndTheCommandsTheyCall) {
  Expect({{"EVAL", "redis.call('set', 'k', 'v') return redis.call('get', 'k')", "0"},
          {"SCRIPT", "LOAD", "return redis.pcall('incr', KEYS[1])"},
          {"EVALSHA", "a1af9350bf447ef6853cda67ddf7eaca382904bc", "1", "k"},
          {"EVAL", "return redis.pcall('nosuch')", "0"},
          {"EVAL", "error('x')", "0"}},
         "[\"set\", \"k\", \"v\"] ?:0 \"\"");
}

// slowlog-max-len keeps the newest; a negative threshold logs nothing.
TEST_F(SlowlogCompatTest, MaxLenAndThreshold) {
  Expect({{"CONFIG", "SET", "slowlog-max-len", "3"},
          {"SET", "a", "1"},
          {"SET", "b", "2"},
          {"SET", "c", "3"},
          {"SET", "d", "4"},
          {"CONFIG", "SET", "slowlog-log-slower-than", "-1"},
          {"SET", "e", "5"},
          {"CONFIG", "SET", "slowlog-max-len", "128"}},
         "len 3");
}

}  // namespace
}  // namespace strata::integration
