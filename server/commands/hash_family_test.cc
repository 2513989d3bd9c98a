// The hash family in-process: fields, counters, HRANDFIELD's counts and HSCAN's pages.
#include <gtest/gtest.h>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

TEST(HashFamily, FieldsAndCounters) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"HSET", "h", "a", "1", "b", "2"}), "(integer) 2");
  EXPECT_EQ(h.Run({"HSET", "h", "a", "3"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HGET", "h", "a"}), "\"3\"");
  EXPECT_EQ(h.Run({"HMGET", "h", "a", "zz"}), "[\"3\", (nil)]");
  EXPECT_EQ(h.Run({"HSETNX", "h", "a", "9"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HINCRBY", "h", "a", "-4"}), "(integer) -1");
  EXPECT_EQ(h.Run({"HSET", "h", "s", "x"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HINCRBY", "h", "s", "1"}), "(error) ERR hash value is not an integer");
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "s", "1"}), "(error) ERR hash value is not a float");
  EXPECT_EQ(h.Run({"HDEL", "h", "a", "b", "zz"}), "(integer) 2");
  EXPECT_EQ(h.Run({"HLEN", "h"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HSET", "h", "odd"}),
            "(error) ERR wrong number of arguments for 'hset' command");
}

TEST(HashFamily, RandomFieldCounts) {
  CommandHarness h;
  h.Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(h.Run({"HRANDFIELD", "missing"}), "(nil)");
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "0"}), "[]");
  // Distinct fields, at most the hash's size; repeats for a negative count.
  const std::string distinct = h.Run({"HRANDFIELD", "h", "10"});
  EXPECT_EQ(std::count(distinct.begin(), distinct.end(), ','), 2);
  const std::string repeated = h.Run({"HRANDFIELD", "h", "-10", "WITHVALUES"});
  EXPECT_EQ(std::count(repeated.begin(), repeated.end(), ','), 19);
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "-9223372036854775808"}),
            "(error) ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "1", "WITHSCORES"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"}),
            "(error) ERR value is out of range");
}

TEST(HashFamily, ScanPages) {
  CommandHarness h;
  h.Run({"HSET", "h", "a", "1", "b", "2", "ab", "3"});
  EXPECT_EQ(h.Run({"HSCAN", "h", "0", "MATCH", "a*"}),
            "[\"0\", [\"a\", \"1\", \"ab\", \"3\"]]");
  EXPECT_EQ(h.Run({"HSCAN", "missing", "0"}), "[\"0\", []]");
  EXPECT_EQ(h.Run({"HSCAN", "h", "0", "COUNT", "0"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"HSCAN", "h", "zz"}), "(error) ERR invalid cursor");
  h.Run({"SET", "s", "v"});
  EXPECT_EQ(h.Run({"HSCAN", "s", "0"}),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST(HashFamily, RepeatedRandomFieldsAreBoundedByProtoMaxBulkLen) {
  CommandHarness h({std::pair<std::string, std::string>("proto-max-bulk-len", "1048576")});
  h.Run({"HSET", "h", "f", "v"});
  const std::string kTooLong =
      "(error) ERR value is out of range, the reply would be longer than proto-max-bulk-len";
  // Refused before building: 2^31 picks cannot fit in 1 MB at any element size.
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "-2147483649"}), kTooLong);
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "-9223372036854775807"}), kTooLong);
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "-100000", "WITHVALUES"}), kTooLong);
  // Refused while building, once the reply passes the limit: 20000 fields of 100 bytes.
  h.Run({"HSET", "big", std::string(100, 'x'), "1"});
  EXPECT_EQ(h.Run({"HRANDFIELD", "big", "-20000"}), kTooLong);
  const std::string fits = h.Run({"HRANDFIELD", "big", "-5000"});
  EXPECT_EQ(std::count(fits.begin(), fits.end(), ','), 4999);
  // Distinct fields are bounded by the hash itself.
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "9223372036854775807"}), "[\"f\"]");
}

}  // namespace
}  // namespace strata::server
