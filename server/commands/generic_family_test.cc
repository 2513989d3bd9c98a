// The keyspace (generic) family in-process: existence, expiry, renames, SCAN, OBJECT.
#include <gtest/gtest.h>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

TEST(GenericFamily, ExistsDelTypeAndRename) {
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  h.Run({"RPUSH", "l", "x"});
  EXPECT_EQ(h.Run({"EXISTS", "a", "a", "missing"}), "(integer) 2");
  EXPECT_EQ(h.Run({"TYPE", "l"}), "+list");
  EXPECT_EQ(h.Run({"TYPE", "missing"}), "+none");
  EXPECT_EQ(h.Run({"RENAME", "missing", "b"}), "(error) ERR no such key");
  EXPECT_EQ(h.Run({"RENAME", "a", "b"}), "+OK");
  EXPECT_EQ(h.Run({"RENAMENX", "b", "l"}), "(integer) 0");
  EXPECT_EQ(h.Run({"DEL", "b", "l", "missing"}), "(integer) 2");
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 0");
}

TEST(GenericFamily, ExpiryArgumentsAtTheirLimits) {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) -1");
  EXPECT_EQ(h.Run({"TTL", "missing"}), "(integer) -2");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "100"}), "(integer) 1");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 100");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "50", "GT"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "50", "GT", "LT"}),
            "(error) ERR GT and LT options at the same time are not compatible");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "9223372036854775807"}),
            "(error) ERR invalid expire time in 'expire' command");
  EXPECT_EQ(h.Run({"PERSIST", "k"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PEXPIRE", "k", "-1"}), "(integer) 1");  // in the past: deleted
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 0");
}

TEST(GenericFamily, SelectMoveAndCopyAcrossDatabases) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SELECT", "16"}), "(error) ERR DB index is out of range");
  EXPECT_EQ(h.Run({"SELECT", "-1"}), "(error) ERR DB index is out of range");
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"MOVE", "k", "0"}),
            "(error) ERR source and destination objects are the same");
  EXPECT_EQ(h.Run({"MOVE", "k", "3"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SELECT", "3"}), "+OK");
  EXPECT_EQ(h.Run({"COPY", "k", "k2", "DB", "0"}), "(integer) 1");
  EXPECT_EQ(h.Run({"GET", "k"}), "\"v\"");
  EXPECT_EQ(h.Run({"GET", "k"}, 1), "(nil)");  // the other client is still in database 0
  EXPECT_EQ(h.Run({"GET", "k2"}, 1), "\"v\"");
}

TEST(GenericFamily, ScanVisitsEveryKeyOnce) {
  CommandHarness h;
  for (int i = 0; i < 50; ++i) h.Run({"SET", "key" + std::to_string(i), "v"});
  h.Run({"RPUSH", "list", "x"});
  std::string cursor = "0";
  int seen = 0;
  do {
    std::string raw = h.RunRaw({"SCAN", cursor, "MATCH", "key*", "COUNT", "7"});
    // *2\r\n$<n>\r\n<cursor>\r\n*<m>\r\n...: the next cursor, then the keys.
    size_t p = raw.find("\r\n", raw.find('$')) + 2;
    cursor = raw.substr(p, raw.find("\r\n", p) - p);
    size_t array = raw.find('*', p);
    seen += std::stoi(raw.substr(array + 1));
  } while (cursor != "0");
  EXPECT_EQ(seen, 50);
  EXPECT_EQ(h.Run({"SCAN", "0", "COUNT", "1000", "TYPE", "list"}), "[\"0\", [\"list\"]]");
  EXPECT_EQ(h.Run({"SCAN", "x"}), "(error) ERR invalid cursor");
}

TEST(GenericFamily, ObjectEncodingAndFreqNeedTheirPolicy) {
  CommandHarness h;
  h.Run({"SET", "n", "12"});
  h.Run({"SET", "s", "hello"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "n"}), "\"int\"");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "s"}), "\"embstr\"");
  EXPECT_EQ(h.Run({"OBJECT", "FREQ", "n"}),
            "(error) ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
            "Please note that when switching between policies at runtime LRU and LFU data will "
            "take some time to adjust.");
  EXPECT_EQ(h.Run({"OBJECT", "NOPE", "n"}),
            "(error) ERR unknown subcommand 'NOPE'. Try OBJECT HELP.");
}

}  // namespace
}  // namespace strata::server
