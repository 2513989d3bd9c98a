// CLIENT REPLY and CLIENT NO-EVICT side by side with redis-server 7.0: the same pipeline of
// commands must produce the same bytes (replies dropped under OFF and SKIP, +OK for ON, errors
// for a bad argument) and the same CLIENT LIST flags.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

// Sends `pipeline` and returns the bytes of the replies up to and including the reply to the
// final ECHO end.
std::string Replies(int port, const std::string& pipeline) {
  RawConnection c(port);
  c.Send(pipeline + "ECHO end\r\n");
  std::string out;
  for (;;) {
    std::optional<RespValue> v = c.ReadValue();
    if (!v) return out + "(no more replies)";
    out += RenderLine(*v) + "\n";
    if (v->type == '$' && v->str == "end") return out;
  }
}

class ClientReplyCompatTest : public SideBySideTest {};

TEST_F(ClientReplyCompatTest, OffSkipAndOnAsRedis) {
  const std::string pipeline =
      "CLIENT REPLY SKIP\r\nECHO a\r\nECHO b\r\nCLIENT REPLY OFF\r\nECHO c\r\n"
      "CLIENT REPLY SKIP\r\nECHO d\r\nCLIENT REPLY ON\r\nECHO e\r\nCLIENT REPLY bad\r\n"
      "CLIENT REPLY SKIP\r\nGET\r\nECHO f\r\nCLIENT REPLY\r\nCLIENT NO-EVICT maybe\r\n"
      "CLIENT NO-EVICT on\r\nCLIENT INFO\r\nCLIENT NO-EVICT off\r\nCLIENT INFO\r\n";
  const std::string want = Replies(redis_->port(), pipeline);
  ASSERT_NE(want.find("\"b\"\nOK\n\"e\"\n(error) ERR syntax error\n\"f\""), std::string::npos)
      << want;
  // CLIENT INFO's lines differ in their ids, addresses and sizes: compare their flags only.
  auto flags_only = [](std::string s) {
    for (size_t at = 0; (at = s.find("\"id=", at)) != std::string::npos;) {
      const size_t f = s.find(" flags=", at), end = s.find(' ', f + 7);
      const size_t close = s.find('"', end);
      s.replace(at, close + 1 - at, "flags=" + s.substr(f + 7, end - f - 7));
      ++at;
    }
    return s;
  };
  const std::string got = flags_only(Replies(strata_->port(), pipeline));
  EXPECT_EQ(got, flags_only(want));
  EXPECT_NE(got.find("flags=e\n"), std::string::npos) << got;
}

// CLIENT LIST's multi= field: -1 outside MULTI, then the number of commands queued.
std::string MultiField(int port) {
  RawConnection a(port), b(port);
  a.Send("CLIENT ID\r\n");
  const std::string id = std::to_string(a.ReadValue()->integer);
  std::string out;
  auto field = [&] {
    b.Send("CLIENT LIST ID " + id + "\r\n");
    std::optional<RespValue> v = b.ReadValue();
    const size_t at = v ? v->str.find(" multi=") : std::string::npos;
    out += at == std::string::npos ? "?" : v->str.substr(at + 1, v->str.find(' ', at + 1) - at - 1);
    out += "\n";
  };
  field();
  a.Send("MULTI\r\n");
  a.ReadValue();
  field();
  a.Send("ECHO x\r\nECHO y\r\n");
  a.ReadValue();
  a.ReadValue();
  field();
  a.Send("EXEC\r\n");
  a.ReadValue();
  field();
  return out;
}

TEST_F(ClientReplyCompatTest, ClientListCountsQueuedCommandsAsRedis) {
  const std::string want = MultiField(redis_->port());
  EXPECT_EQ(want, "multi=-1\nmulti=0\nmulti=2\nmulti=-1\n");
  EXPECT_EQ(MultiField(strata_->port()), want);
}

// CLIENT LIST's memory fields of a client in MULTI with a command queued: the read buffer's
// size and free space, the queued command's memory and a total of at least those, on both
// servers (the figures themselves are each server's own).
void ExpectMemoryFieldsMakeSense(int port) {
  RawConnection a(port), b(port);
  a.Send("CLIENT ID\r\nMULTI\r\nSET some-key some-value\r\n");
  const std::string id = std::to_string(a.ReadValue()->integer);
  a.ReadValue();
  a.ReadValue();
  // The replies A has read leave its output once its worker has seen their send complete,
  // which may come just after A read them: ask until no output is left (a figure that is never
  // updated stays, and fails).
  std::optional<RespValue> v;
  for (int attempt = 0; attempt < 200; ++attempt) {
    b.Send("CLIENT LIST ID " + id + "\r\n");
    v = b.ReadValue();
    ASSERT_TRUE(v.has_value());
    if (v->str.find(" events=r ") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto field = [&](const std::string& name) -> int64_t {
    const size_t at = v->str.find(" " + name + "=");
    if (at == std::string::npos) return -1;
    return std::stoll(v->str.substr(at + name.size() + 2));
  };
  EXPECT_GT(field("rbs"), 0) << v->str;
  EXPECT_GT(field("qbuf-free"), 0) << v->str;
  EXPECT_GE(field("rbp"), 0) << v->str;
  EXPECT_GE(field("multi-mem"), 20) << v->str;  // "SET some-key some-value" at least
  EXPECT_GE(field("tot-mem"), field("rbs") + field("multi-mem")) << v->str;
  EXPECT_NE(v->str.find(" events=r "), std::string::npos) << v->str;
}

TEST_F(ClientReplyCompatTest, ClientListMemoryFieldsMakeSenseOnBoth) {
  ExpectMemoryFieldsMakeSense(redis_->port());
  ExpectMemoryFieldsMakeSense(strata_->port());
}

}  // namespace
}  // namespace strata::integration
