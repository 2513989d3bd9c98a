// CLIENT PAUSE and UNPAUSE side by side with redis-server 7.0: the same session must give the
// same transcript. Under WRITE, reads answer while writes, PUBLISH and a write queued in MULTI
// are held (no reply yet, the clients counted in blocked_clients and flagged b) until UNPAUSE;
// under ALL everything is held until the pause's time is up; the errors are Redis's.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using namespace std::chrono_literals;

// Sends argv lines on `c` and records the replies that come within `wait` (each), up to `n`.
void Exchange(RawConnection& c, const std::string& name, const std::vector<std::vector<std::string>>& cmds,
              size_t n, std::chrono::milliseconds wait, std::string* log) {
  std::string out;
  for (const auto& argv : cmds) out += Encode(argv);
  if (!out.empty()) {
    ASSERT_TRUE(c.Send(out));
  }
  for (size_t i = 0; i < n; ++i) {
    std::optional<RespValue> v = c.ReadValueWithin(wait);
    if (!v) {
      *log += name + ": (nothing yet)\n";
      return;
    }
    *log += name + ": " + RenderLine(*v) + "\n";
  }
}

std::string Field(const std::string& info, const std::string& name) {
  const size_t at = info.find(name + ":");
  return at == std::string::npos ? name + " missing" : info.substr(at, info.find('\r', at) - at);
}

std::string Session(int port) {
  std::string log;
  RawConnection a(port), b(port), c(port), d(port), admin(port);
  a.Send(Encode({"CLIENT", "UNPAUSE"}) + Encode({"DEL", "k", "q"}));
  a.ReadValue();
  a.ReadValue();
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"CLIENT", "PAUSE", "x"}, {"CLIENT", "PAUSE", "-1"}, {"CLIENT", "PAUSE", "100", "foo"},
           {"CLIENT", "PAUSE", "100", "write", "x"}, {"CLIENT", "UNPAUSE", "x"},
           {"CLIENT", "PAUSE"}, {"CLIENT", "PAUSE", "9223372036854775808"},
           {"CLIENT", "PAUSE", "0", "ALL"}}) {
    Exchange(a, "A", {argv}, 1, 5000ms, &log);
  }
  // WRITE: a read answers, the write behind it waits; so do PUBLISH and a queued write.
  Exchange(a, "A", {{"CLIENT", "PAUSE", "100000", "WRITE"}}, 1, 5000ms, &log);
  Exchange(b, "B", {{"GET", "k"}, {"SET", "k", "1"}, {"PING"}}, 3, 300ms, &log);
  Exchange(c, "C", {{"PUBLISH", "ch", "m"}}, 1, 100ms, &log);
  Exchange(d, "D", {{"MULTI"}, {"SET", "q", "1"}, {"EXEC"}}, 3, 100ms, &log);
  admin.Send(Encode({"INFO", "clients"}));
  std::optional<RespValue> info = admin.ReadValue();
  log += Field(info ? info->str : "", "blocked_clients") + "\n";
  admin.Send(Encode({"CLIENT", "LIST"}));
  std::optional<RespValue> list = admin.ReadValue();
  size_t held = 0;
  for (size_t at = 0; list && (at = list->str.find(" flags=b ", at)) != std::string::npos; ++at) ++held;
  log += "flagged b: " + std::to_string(held) + "\n";
  // UNPAUSE: every held command runs, in order.
  Exchange(admin, "X", {{"CLIENT", "UNPAUSE"}}, 1, 5000ms, &log);
  Exchange(b, "B", {}, 2, 5000ms, &log);
  Exchange(c, "C", {}, 1, 5000ms, &log);
  Exchange(d, "D", {}, 2, 5000ms, &log);
  // ALL for a short time: a read waits too, and runs when the time is up.
  Exchange(a, "A", {{"CLIENT", "PAUSE", "200", "ALL"}}, 1, 5000ms, &log);
  Exchange(b, "B", {{"GET", "k"}}, 1, 50ms, &log);
  Exchange(b, "B", {}, 1, 5000ms, &log);
  Exchange(a, "A", {{"GET", "q"}}, 1, 5000ms, &log);
  return log;
}

class ClientPauseCompatTest : public SideBySideTest {};

TEST_F(ClientPauseCompatTest, WriteAndAllPausesHoldCommandsAsRedis) {
  const std::string want = Session(redis_->port());
  ASSERT_NE(want.find("B: (nil)\nB: (nothing yet)"), std::string::npos) << want;
  EXPECT_EQ(Session(strata_->port()), want) << "redis-server:\n" << want;
}

}  // namespace
}  // namespace strata::integration
