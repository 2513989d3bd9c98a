// The sorted-set families (zset_family.cc and zset_setop_family.cc) in-process.
#include <gtest/gtest.h>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

TEST(ZSetFamily, AddOptionsAndScores) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"ZADD", "z", "1", "a", "2", "b"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZADD", "z", "XX", "NX", "1", "a"}),
            "(error) ERR XX and NX options at the same time are not compatible");
  EXPECT_EQ(h.Run({"ZADD", "z", "GT", "LT", "1", "a"}),
            "(error) ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(h.Run({"ZADD", "z", "INCR", "1", "a", "2", "b"}),
            "(error) ERR INCR option supports a single increment-element pair");
  EXPECT_EQ(h.Run({"ZADD", "z", "nan", "a"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(h.Run({"ZADD", "z", "CH", "GT", "5", "a", "0", "b"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZSCORE", "z", "a"}), "\"5\"");
  EXPECT_EQ(h.Run({"ZINCRBY", "z", "inf", "a"}), "\"inf\"");
  EXPECT_EQ(h.Run({"ZINCRBY", "z", "-inf", "a"}),
            "(error) ERR resulting score is not a number (NaN)");
  EXPECT_EQ(h.Run({"ZRANK", "z", "b"}), "(integer) 0");
}

TEST(ZSetFamily, RangesByScoreAndLex) {
  CommandHarness h;
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(h.Run({"ZRANGE", "z", "(1", "+inf", "BYSCORE", "WITHSCORES"}),
            "[\"b\", \"2\", \"c\", \"3\"]");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"}),
            "(error) ERR syntax error, LIMIT is only supported in combination with either "
            "BYSCORE or BYLEX");
  EXPECT_EQ(h.Run({"ZRANGEBYSCORE", "z", "x", "1"}), "(error) ERR min or max is not a float");
  EXPECT_EQ(h.Run({"ZRANGEBYLEX", "z", "a", "c"}),
            "(error) ERR min or max not valid string range item");
  EXPECT_EQ(h.Run({"ZRANGEBYLEX", "z", "[b", "+"}), "[\"b\", \"c\"]");
  EXPECT_EQ(h.Run({"ZREMRANGEBYRANK", "z", "0", "0"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZCARD", "z"}), "(integer) 2");
}

TEST(ZSetFamily, SetOperationsRandomMembersAndScan) {
  CommandHarness h;
  h.Run({"ZADD", "a", "1", "x", "2", "y"});
  h.Run({"SADD", "s", "y"});
  EXPECT_EQ(h.Run({"ZINTER", "2", "a", "s", "WITHSCORES"}), "[\"y\", \"3\"]");
  EXPECT_EQ(h.Run({"ZUNIONSTORE", "u", "0", "a"}),
            "(error) ERR at least 1 input key is needed for 'zunionstore' command");
  EXPECT_EQ(h.Run({"ZUNION", "1", "a", "WEIGHTS", "x"}),
            "(error) ERR weight value is not a float");
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "missing"}), "(nil)");
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "a", "5", "WITHSCORES"}), "[\"x\", \"1\", \"y\", \"2\"]");
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "a", "-9223372036854775808"}),
            "(error) ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  EXPECT_EQ(h.Run({"ZSCAN", "a", "0"}), "[\"0\", [\"x\", \"1\", \"y\", \"2\"]]");
  EXPECT_EQ(h.Run({"ZSCAN", "missing", "0"}), "[\"0\", []]");
}

TEST(ZSetFamily, PopRepliesInResp3NestOnlyWithACount) {
  CommandHarness h;
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  h.RunRaw({"HELLO", "3"});
  EXPECT_EQ(h.RunRaw({"ZPOPMIN", "z", "2"}),
            "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  EXPECT_EQ(h.RunRaw({"ZPOPMAX", "z"}), "*2\r\n$1\r\nc\r\n,3\r\n");
  h.Run({"ZADD", "z", "4", "d"}, 1);
  EXPECT_EQ(h.Run({"ZPOPMIN", "z", "1"}, 1), "[\"d\", \"4\"]");  // RESP2: flat
}

TEST(ZSetFamily, RepeatedRandomMembersAreBoundedByProtoMaxBulkLen) {
  CommandHarness h({std::pair<std::string, std::string>("proto-max-bulk-len", "1048576")});
  h.Run({"ZADD", "z", "1", "a"});
  const std::string kTooLong =
      "(error) ERR value is out of range, the reply would be longer than proto-max-bulk-len";
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "-2147483649"}), kTooLong);
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "-100000", "WITHSCORES"}), kTooLong);
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "-4611686018427387903", "WITHSCORES"}), kTooLong);
  h.Run({"ZADD", "big", "1", std::string(100, 'x')});
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "big", "-20000"}), kTooLong);
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "-3", "WITHSCORES"}),
            "[\"a\", \"1\", \"a\", \"1\", \"a\", \"1\"]");
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "9223372036854775807"}), "[\"a\"]");
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.RunRaw({"ZRANDMEMBER", "z", "-2", "WITHSCORES"}),
            "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\na\r\n,1\r\n");
}

}  // namespace
}  // namespace strata::server
