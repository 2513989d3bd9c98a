// The set family in-process: members, algebra, SRANDMEMBER/SPOP counts, SSCAN.
#include <gtest/gtest.h>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

TEST(SetFamily, MembersAndAlgebra) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SADD", "a", "1", "2", "3", "2"}), "(integer) 3");
  EXPECT_EQ(h.Run({"SADD", "b", "2", "3", "4"}), "(integer) 3");
  EXPECT_EQ(h.Run({"SISMEMBER", "a", "2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SMISMEMBER", "a", "2", "9"}), "[(integer) 1, (integer) 0]");
  EXPECT_EQ(h.Run({"SINTERCARD", "2", "a", "b"}), "(integer) 2");
  EXPECT_EQ(h.Run({"SINTERCARD", "2", "a", "b", "LIMIT", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SINTERCARD", "2", "a", "b", "LIMIT", "-1"}),
            "(error) ERR LIMIT can't be negative");
  EXPECT_EQ(h.Run({"SINTERCARD", "3", "a", "b"}),
            "(error) ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(h.Run({"SDIFFSTORE", "d", "a", "b"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SMEMBERS", "d"}), "[\"1\"]");
  EXPECT_EQ(h.Run({"SMOVE", "a", "d", "3"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SCARD", "d"}), "(integer) 2");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "\"intset\"");
}

TEST(SetFamily, RandomMemberAndPopCounts) {
  CommandHarness h;
  h.Run({"SADD", "s", "a", "b", "c"});
  EXPECT_EQ(h.Run({"SRANDMEMBER", "missing"}), "(nil)");
  EXPECT_EQ(h.Run({"SRANDMEMBER", "s", "0"}), "[]");
  EXPECT_EQ(h.Run({"SRANDMEMBER", "s", "1", "2"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SRANDMEMBER", "s", "-9223372036854775808"}),
            "(error) ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  const std::string repeated = h.Run({"SRANDMEMBER", "s", "-7"});
  EXPECT_EQ(std::count(repeated.begin(), repeated.end(), ','), 6);
  EXPECT_EQ(h.Run({"SPOP", "s", "-1"}), "(error) ERR value is out of range, must be positive");
  const std::string popped = h.Run({"SPOP", "s", "10"});
  EXPECT_EQ(std::count(popped.begin(), popped.end(), ','), 2);
  EXPECT_EQ(h.Run({"EXISTS", "s"}), "(integer) 0");
}

TEST(SetFamily, ScanPages) {
  CommandHarness h;
  h.Run({"SADD", "s", "x1", "x2", "y"});
  EXPECT_EQ(h.Run({"SSCAN", "missing", "0"}), "[\"0\", []]");
  const std::string page = h.Run({"SSCAN", "s", "0", "MATCH", "x*"});
  EXPECT_NE(page.find("\"x1\""), std::string::npos);
  EXPECT_EQ(page.find("\"y\""), std::string::npos);
  EXPECT_EQ(h.Run({"SSCAN", "s", "0", "COUNT", "-1"}), "(error) ERR syntax error");
}

TEST(SetFamily, RepeatedRandomMembersAreBoundedByProtoMaxBulkLen) {
  CommandHarness h({std::pair<std::string, std::string>("proto-max-bulk-len", "1048576")});
  h.Run({"SADD", "s", "a"});
  const std::string kTooLong =
      "(error) ERR value is out of range, the reply would be longer than proto-max-bulk-len";
  EXPECT_EQ(h.Run({"SRANDMEMBER", "s", "-2147483649"}), kTooLong);
  EXPECT_EQ(h.Run({"SRANDMEMBER", "s", "-9223372036854775807"}), kTooLong);
  h.Run({"SADD", "big", std::string(100, 'x')});
  EXPECT_EQ(h.Run({"SRANDMEMBER", "big", "-20000"}), kTooLong);
  const std::string fits = h.Run({"SRANDMEMBER", "big", "-5000"});
  EXPECT_EQ(std::count(fits.begin(), fits.end(), ','), 4999);
  EXPECT_EQ(h.Run({"SRANDMEMBER", "s", "9223372036854775807"}), "[\"a\"]");
}

}  // namespace
}  // namespace strata::server
