// The string family in-process (tests/util/command_harness.h): replies and error texts as
// Redis 7.0 gives them. What only a socket shows is in tests/integration/.
#include <gtest/gtest.h>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

TEST(StringFamily, SetGetAndTheirOptions) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "\"v\"");
  EXPECT_EQ(h.Run({"SET", "k", "w", "NX"}), "(nil)");
  EXPECT_EQ(h.Run({"SET", "k", "w", "XX", "GET"}), "\"v\"");
  EXPECT_EQ(h.Run({"SET", "k", "x", "NX", "XX"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SET", "k", "x", "EX", "0"}),
            "(error) ERR invalid expire time in 'set' command");
  EXPECT_EQ(h.Run({"SET", "k", "x", "PX", "9223372036854775807"}),
            "(error) ERR invalid expire time in 'set' command");
  EXPECT_EQ(h.Run({"GET", "missing"}), "(nil)");
  EXPECT_EQ(h.Run({"GET"}), "(error) ERR wrong number of arguments for 'get' command");
}

TEST(StringFamily, CountersAtTheirLimits) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"INCR", "n"}), "(integer) 1");
  EXPECT_EQ(h.Run({"INCRBY", "n", "-2"}), "(integer) -1");
  EXPECT_EQ(h.Run({"SET", "max", "9223372036854775807"}), "+OK");
  EXPECT_EQ(h.Run({"INCR", "max"}), "(error) ERR increment or decrement would overflow");
  EXPECT_EQ(h.Run({"DECRBY", "n", "-9223372036854775808"}),
            "(error) ERR decrement would overflow");
  EXPECT_EQ(h.Run({"INCRBY", "n", "9223372036854775808"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"SET", "s", "abc"}), "+OK");
  EXPECT_EQ(h.Run({"INCR", "s"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "1.5"}), "\"1.5\"");
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "inf"}),
            "(error) ERR increment would produce NaN or Infinity");
}

TEST(StringFamily, RangesAndLengths) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"APPEND", "k", "hello"}), "(integer) 5");
  EXPECT_EQ(h.Run({"SETRANGE", "k", "6", "world"}), "(integer) 11");
  EXPECT_EQ(h.Run({"GET", "k"}), "\"hello\\x00world\"");
  EXPECT_EQ(h.Run({"GETRANGE", "k", "-5", "-1"}), "\"world\"");
  EXPECT_EQ(h.Run({"SETRANGE", "k", "-1", "x"}), "(error) ERR offset is out of range");
  EXPECT_EQ(h.Run({"STRLEN", "k"}), "(integer) 11");
  EXPECT_EQ(h.Run({"MSET", "a", "1", "b", "2"}), "+OK");
  EXPECT_EQ(h.Run({"MGET", "a", "missing", "b"}), "[\"1\", (nil), \"2\"]");
  EXPECT_EQ(h.Run({"RPUSH", "l", "x"}), "(integer) 1");
  EXPECT_EQ(h.Run({"GET", "l"}),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST(StringFamily, OffsetsAndRangesAtTheInt64Limits) {
  CommandHarness h;
  const std::string too_large =
      "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)";
  EXPECT_EQ(h.Run({"SETRANGE", "k", "9223372036854775807", "A"}), too_large);
  EXPECT_EQ(h.Run({"SETRANGE", "k", "9223372036854775807", ""}), "(integer) 0");
  EXPECT_EQ(h.Run({"SET", "s", "abc"}), "+OK");
  EXPECT_EQ(h.Run({"SETRANGE", "s", "9223372036854775807", "A"}), too_large);
  EXPECT_EQ(h.Run({"SETRANGE", "s", "536870912", "A"}), too_large);
  EXPECT_EQ(h.Run({"SETRANGE", "s", "9223372036854775808", "A"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"GETRANGE", "s", "0", "9223372036854775807"}), "\"abc\"");
  EXPECT_EQ(h.Run({"GETRANGE", "s", "-9223372036854775808", "9223372036854775807"}),
            "\"abc\"");
  EXPECT_EQ(h.Run({"GETRANGE", "s", "9223372036854775807", "-9223372036854775808"}), "\"\"");
  EXPECT_EQ(h.Run({"INCRBY", "s2", "-9223372036854775808"}),
            "(integer) -9223372036854775808");
  EXPECT_EQ(h.Run({"DECR", "s2"}), "(error) ERR increment or decrement would overflow");
  EXPECT_EQ(h.Run({"GET", "s"}), "\"abc\"");
}

TEST(StringFamily, GetexChecksItsTimeOnlyForAStringKey) {
  CommandHarness h;
  // Redis looks the key up first: a missing key is nil, another type WRONGTYPE, whatever the time.
  EXPECT_EQ(h.Run({"GETEX", "missing", "EX", "0"}), "(nil)");
  EXPECT_EQ(h.Run({"GETEX", "missing", "PX", "abc"}), "(nil)");
  h.Run({"RPUSH", "l", "a"});
  EXPECT_EQ(h.Run({"GETEX", "l", "EX", "-1"}),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  h.Run({"SET", "s", "v"});
  EXPECT_EQ(h.Run({"GETEX", "s", "EX", "0"}),
            "(error) ERR invalid expire time in 'getex' command");
  EXPECT_EQ(h.Run({"GETEX", "s", "EX", "9223372036854776"}),
            "(error) ERR invalid expire time in 'getex' command");
  EXPECT_EQ(h.Run({"GETEX", "s", "EX", "1e3"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"GETEX", "s", "EX", "1", "PX", "1"}), "(error) ERR syntax error");
}

TEST(StringFamily, IncrbyfloatChecksTheKeyBeforeTheIncrement) {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a"});
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "l", "nan"}),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  h.Run({"SET", "s", "abc"});
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "s", "1"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "missing", " 1"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "missing", "inf"}),
            "(error) ERR increment would produce NaN or Infinity");
}

}  // namespace
}  // namespace strata::server
