// DUMP and RESTORE in-process (tests/util/command_harness.h): round trips of every type, the
// options, and the stream refusal. Side by side with redis-server: tests/integration/
// dump_compat_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using strata::testing::CommandHarness;

// DUMP's payload (the bulk string's bytes), or "" for a null or error reply.
std::string DumpOf(CommandHarness& h, const std::string& key) {
  const std::string raw = h.RunRaw({"DUMP", key});
  if (raw.empty() || raw[0] != '$' || raw.starts_with("$-1")) return "";
  const size_t header = raw.find("\r\n") + 2;
  return raw.substr(header, std::stoul(raw.substr(1)));
}

TEST(DumpRestoreTest, EveryTypeRoundTripsThroughDumpAndRestore) {
  CommandHarness h;
  h.Run({"SET", "s", std::string(100, 'x')});
  h.Run({"RPUSH", "l", "a", "1", "b"});
  h.Run({"HSET", "h", "f", "v", "g", "7"});
  h.Run({"SADD", "i", "3", "1", "2"});
  h.Run({"SADD", "t", "x", "y"});
  h.Run({"ZADD", "z", "1.5", "a", "-2", "b"});
  const std::vector<std::vector<std::string>> reads = {
      {"GET", "s"},       {"LRANGE", "l", "0", "-1"}, {"HGETALL", "h"},
      {"SMEMBERS", "i"},  {"SMEMBERS", "t"},          {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
      {"OBJECT", "ENCODING", "i"}};
  std::vector<std::string> before;
  for (const auto& r : reads) before.push_back(h.Run(r));
  for (const std::string key : {"s", "l", "h", "i", "t", "z"}) {
    const std::string payload = DumpOf(h, key);
    ASSERT_FALSE(payload.empty()) << key;
    EXPECT_EQ(h.Run({"RESTORE", key, "0", payload}),
              "(error) BUSYKEY Target key name already exists.");
    EXPECT_EQ(h.Run({"RESTORE", key, "0", payload, "REPLACE"}), "+OK");
  }
  for (size_t i = 0; i < reads.size(); ++i) EXPECT_EQ(h.Run(reads[i]), before[i]);
  EXPECT_EQ(h.Run({"DUMP", "missing"}), "(nil)");
}

TEST(DumpRestoreTest, TtlAndIdleTimeApply) {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  const std::string payload = DumpOf(h, "k");
  EXPECT_EQ(h.Run({"RESTORE", "a", "100000", payload}), "+OK");
  EXPECT_EQ(h.Run({"TTL", "a"}), "(integer) 100");
  EXPECT_EQ(h.Run({"RESTORE", "b", "0", payload, "IDLETIME", "500"}), "+OK");
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "b"}), "(integer) 500");
  // An expired TTL with REPLACE removes the old key and creates nothing.
  EXPECT_EQ(h.Run({"RESTORE", "k", "1", payload, "REPLACE", "ABSTTL"}), "+OK");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 0");
  EXPECT_EQ(h.Run({"RESTORE", "c", "0", payload + "x"}),
            "(error) ERR DUMP payload version or checksum are wrong");
}

TEST(DumpRestoreTest, StreamsAreRefusedWithAClearError) {
  CommandHarness h;
  h.Run({"XADD", "st", "1-1", "f", "v"});
  EXPECT_EQ(h.Run({"DUMP", "st"}),
            "(error) ERR DUMP and RESTORE of stream values are not supported by this server yet");
}

}  // namespace
}  // namespace strata::server
