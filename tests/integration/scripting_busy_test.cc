// Long scripts, side by side with redis-server 7.0: past busy-reply-threshold every other client
// gets -BUSY (here from both of Strata's workers: the script's own answers between Lua
// instructions, the other gives up waiting for the shard locks the script holds), SCRIPT KILL
// stops a script that has not written, one that has is UNKILLABLE, SHUTDOWN without NOSAVE is
// refused; the same replies from both servers. Then Strata alone: SHUTDOWN NOSAVE ends a
// script that wrote, and a restart has none of its effects.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using namespace std::chrono_literals;

constexpr char kLoop[] = "local i = 0 while true do i = i + 1 end";
constexpr char kWriteThenLoop[] = "redis.call('set', 'written', '1') while true do end";

std::string Reply(RawConnection& c) {
  std::optional<RespValue> v = c.ReadValueWithin(10s);
  return v ? RenderLine(*v) : "(no reply)";
}

std::string Ask(RawConnection& c, const std::vector<std::string>& argv) {
  c.Send(Encode(argv));
  return Reply(c);
}

// What the clients of a server see around two long scripts.
std::string Transcript(int port) {
  std::string out;
  RawConnection admin(port);
  out += Ask(admin, {"CONFIG", "SET", "busy-reply-threshold", "200"}) + "\n";
  out += Ask(admin, {"DEL", "written"}) + "\n";
  RawConnection runner(port);
  runner.Send(Encode({"EVAL", kLoop, "0"}));
  // Sent before the threshold: it waits, then gets -BUSY like the rest.
  RawConnection early(port);
  std::this_thread::sleep_for(50ms);
  early.Send(Encode({"GET", "k"}));
  std::this_thread::sleep_for(400ms);
  std::vector<std::unique_ptr<RawConnection>> others;  // spread over every worker
  for (int i = 0; i < 4; ++i) others.push_back(std::make_unique<RawConnection>(port));
  out += "early GET: " + Reply(early) + "\n";
  for (auto& c : others) out += "PING: " + Ask(*c, {"PING"}) + "\n";
  out += "FUNCTION KILL: " + Ask(*others[0], {"FUNCTION", "KILL"}) + "\n";
  out += "SHUTDOWN: " + Ask(*others[1], {"SHUTDOWN"}) + "\n";
  out += "SCRIPT KILL: " + Ask(*others[2], {"SCRIPT", "KILL"}) + "\n";
  out += "killed EVAL: " + Reply(runner) + "\n";
  out += "PING after: " + Ask(*others[3], {"PING"}) + "\n";
  out += "SCRIPT KILL idle: " + Ask(*others[3], {"SCRIPT", "KILL"}) + "\n";
  return out;
}

class ScriptingBusyTest : public SideBySideTest {};

TEST_F(ScriptingBusyTest, BusyRepliesAndScriptKillAsRedis) {
  const std::string want = Transcript(redis_->port());
  ASSERT_NE(want.find("killed EVAL: (error) ERR Script killed by user with SCRIPT KILL"),
            std::string::npos)
      << want;
  EXPECT_EQ(Transcript(strata_->port()), want);
}

// A script that wrote: SCRIPT KILL refuses, only SHUTDOWN NOSAVE ends it.
std::string WroteTranscript(int port) {
  std::string out;
  RawConnection admin(port);
  out += Ask(admin, {"CONFIG", "SET", "busy-reply-threshold", "200"}) + "\n";
  RawConnection runner(port);
  runner.Send(Encode({"EVAL", kWriteThenLoop, "0"}));
  std::this_thread::sleep_for(500ms);
  RawConnection other(port);
  out += "SCRIPT KILL: " + Ask(other, {"SCRIPT", "KILL"}) + "\n";
  out += "SHUTDOWN: " + Ask(other, {"SHUTDOWN"}) + "\n";
  out += "SHUTDOWN SAVE: " + Ask(other, {"SHUTDOWN", "SAVE"}) + "\n";
  other.Send(Encode({"SHUTDOWN", "NOSAVE"}));
  out += "closed: " + std::string(other.WaitForClose() ? "yes" : "no") + "\n";
  return out;
}

TEST(ScriptingBusyAloneTest, ShutdownNosaveEndsAWritingScriptAndKeepsNoneOfIt) {
  std::string error;
  auto redis = ServerProcess::StartRedis({}, &error);
  if (redis == nullptr) GTEST_SKIP() << "redis-server is not available";
  const std::string want = WroteTranscript(redis->port());
  ASSERT_NE(want.find("SCRIPT KILL: (error) UNKILLABLE"), std::string::npos) << want;
  EXPECT_TRUE(redis->WaitForExit(10s).has_value());

  auto strata = ServerProcess::StartStrata({"--appendfsync", "always", "--save", ""}, &error);
  ASSERT_NE(strata, nullptr) << error;
  {
    RawConnection c(strata->port());
    ASSERT_EQ(Ask(c, {"SET", "before", "1"}), "OK");
  }
  EXPECT_EQ(WroteTranscript(strata->port()), want);
  EXPECT_TRUE(strata->WaitForExit(10s).has_value()) << strata->Log();
  ASSERT_TRUE(strata->Restart(&error)) << error;
  RawConnection c(strata->port());
  EXPECT_EQ(Ask(c, {"GET", "before"}), "\"1\"");
  EXPECT_EQ(Ask(c, {"EXISTS", "written"}), "0");
}

}  // namespace
}  // namespace strata::integration
