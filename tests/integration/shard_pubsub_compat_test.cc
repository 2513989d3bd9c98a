// Sharded pub/sub side by side with redis-server 7.0: SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH and
// PUBSUB SHARDCHANNELS / SHARDNUMSUB give the same replies and messages (RESP2 and RESP3), shard
// channels are a namespace apart from SUBSCRIBE's and patterns', a RESP2 subscriber is held to
// the subscribed context by them, CLIENT LIST counts them (ssub=), COMMAND treats their names
// as not keys, and ACL checks them as channels, never as keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

// Sends argv on connection `conn` (if any), then reads `reads` values from connection `from`.
struct Step {
  int conn;
  Argv argv;
  int from;
  int reads;
};

// The field `name=` of a CLIENT LIST / CLIENT INFO line, else the line.
std::string Field(const std::string& line, const std::string& name) {
  size_t at = line.find(" " + name + "=");
  if (at == std::string::npos) return line;
  size_t end = line.find(' ', at + 1);
  return line.substr(at + 1, end - at - 1);
}

std::string Session(int port, const std::vector<Step>& steps) {
  std::vector<std::unique_ptr<RawConnection>> conns;
  for (int i = 0; i < 3; ++i) conns.push_back(std::make_unique<RawConnection>(port));
  std::string out;
  for (const Step& s : steps) {
    std::string line;
    if (!s.argv.empty()) {
      conns[static_cast<size_t>(s.conn)]->Send(Encode(s.argv));
      for (const std::string& a : s.argv) line += (line.empty() ? "" : " ") + a;
    }
    out += std::to_string(s.conn) + "> " + line + "\n";
    for (int i = 0; i < s.reads; ++i) {
      std::optional<RespValue> v = conns[static_cast<size_t>(s.from)]->ReadValue();
      if (v && !s.argv.empty() && s.argv[0] == "PUBSUB" && s.argv[1].find("CHANNELS") != std::string::npos) {
        std::sort(v->elements.begin(), v->elements.end(),  // no defined order in Redis
                  [](const RespValue& a, const RespValue& b) { return a.str < b.str; });
      }
      std::string r = v ? RenderLine(*v) : "(no reply)";
      if (!s.argv.empty() && s.argv[0] == "CLIENT") r = Field(r, "ssub") + " " + Field(r, "sub");
      if (!s.argv.empty() && s.argv[0] == "HELLO") r = r.substr(0, 2);  // it names the client id
      out += "  " + std::to_string(s.from) + ": " + r + "\n";
    }
  }
  return out;
}

class ShardPubSubCompatTest : public SideBySideTest {};

TEST_F(ShardPubSubCompatTest, SessionsAnswerAsRedis) {
  const std::vector<Step> steps = {
      {2, {"FLUSHALL"}, 2, 1},
      {0, {"SSUBSCRIBE", "a", "b", "a"}, 0, 3},
      {0, {"GET", "k"}, 0, 1},                   // RESP2: only the subscribed context
      {0, {"SUBSCRIBE", "a"}, 0, 1},             // counts channels and patterns only
      {0, {"PSUBSCRIBE", "*"}, 0, 1},
      {1, {"SPUBLISH", "a", "one"}, 1, 1},       // to the shard subscriber only
      {1, {}, 0, 1},
      {1, {"PUBLISH", "a", "two"}, 1, 1},        // to the channel and the pattern, not the shard
      {1, {}, 0, 2},
      {1, {"SPUBLISH", "nobody", "x"}, 1, 1},
      {1, {"PUBSUB", "SHARDCHANNELS"}, 1, 1},
      {1, {"PUBSUB", "SHARDCHANNELS", "b*"}, 1, 1},
      {1, {"PUBSUB", "SHARDCHANNELS", "b*", "x"}, 1, 1},
      {1, {"PUBSUB", "SHARDNUMSUB", "a", "b", "c"}, 1, 1},
      {1, {"PUBSUB", "SHARDNUMSUB"}, 1, 1},
      {1, {"PUBSUB", "CHANNELS"}, 1, 1},
      {1, {"PUBSUB", "NUMSUB", "a"}, 1, 1},
      {0, {"SUNSUBSCRIBE", "a", "zz"}, 0, 2},
      {1, {"PUBSUB", "SHARDNUMSUB", "a", "b"}, 1, 1},
      {0, {"UNSUBSCRIBE"}, 0, 1},
      {0, {"PUNSUBSCRIBE"}, 0, 1},
      {0, {"PING"}, 0, 1},                       // still subscribed: b
      {0, {"SUNSUBSCRIBE"}, 0, 1},
      {0, {"SUNSUBSCRIBE"}, 0, 1},               // none left: a null name
      {0, {"GET", "k"}, 0, 1},                   // out of the subscribed context
      {1, {"SPUBLISH", "b", "three"}, 1, 1},
      {2, {"HELLO", "3"}, 2, 1},
      {2, {"SSUBSCRIBE", "r3", "r4"}, 2, 2},
      {2, {"CLIENT", "INFO"}, 2, 1},
      {2, {"GET", "k"}, 2, 1},                   // RESP3: anything goes
      {1, {"SPUBLISH", "r3", "pushed"}, 1, 1},
      {1, {}, 2, 1},
      {2, {"SUNSUBSCRIBE", "r4", "r3"}, 2, 2},
      {1, {"SSUBSCRIBE"}, 1, 1},
      {1, {"SPUBLISH", "a"}, 1, 1},
      {1, {"COMMAND", "GETKEYS", "SSUBSCRIBE", "a", "b"}, 1, 1},
      {1, {"COMMAND", "GETKEYS", "SPUBLISH", "a", "b"}, 1, 1},
      {1, {"COMMAND", "INFO", "SSUBSCRIBE", "SUNSUBSCRIBE", "SPUBLISH"}, 1, 1},
      {1, {"PUBSUB", "HELP"}, 1, 1},
      // ACL: key patterns do not apply to shard channels; channel patterns do.
      {1, {"ACL", "SETUSER", "keysonly", "on", "nopass", "+@all", "~foo*", "&*"}, 1, 1},
      {1, {"ACL", "SETUSER", "somechannels", "on", "nopass", "+@all", "~*", "resetchannels", "&foo*"}, 1, 1},
      {1, {"AUTH", "keysonly", "x"}, 1, 1},
      {1, {"SPUBLISH", "bar", "hi"}, 1, 1},
      {1, {"AUTH", "somechannels", "x"}, 1, 1},
      {1, {"SPUBLISH", "bar", "hi"}, 1, 1},
      {1, {"SPUBLISH", "foo1", "hi"}, 1, 1},
      {1, {"SSUBSCRIBE", "foo2", "bar"}, 1, 1},
      {1, {"SSUBSCRIBE", "foo2"}, 1, 1},
      {1, {"AUTH", "default", "x"}, 1, 1},
  };
  const std::string want = Session(redis_->port(), steps);
  ASSERT_NE(want.find("[\"smessage\", \"a\", \"one\"]"), std::string::npos) << want;
  ASSERT_NE(want.find("ssub=2 sub=0"), std::string::npos) << want;
  EXPECT_EQ(FirstDifference(want, Session(strata_->port(), steps)), "");
}

}  // namespace
}  // namespace strata::integration
