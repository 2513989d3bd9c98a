// The list family in-process, with the blocking pops' wake-ups and time-outs.
#include <gtest/gtest.h>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

TEST(ListFamily, PushPopRangeAndIndex) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"RPUSH", "l", "a", "b", "c"}), "(integer) 3");
  EXPECT_EQ(h.Run({"LPUSH", "l", "z"}), "(integer) 4");
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "[\"z\", \"a\", \"b\", \"c\"]");
  EXPECT_EQ(h.Run({"LRANGE", "l", "-100", "100"}), "[\"z\", \"a\", \"b\", \"c\"]");
  EXPECT_EQ(h.Run({"LINDEX", "l", "-1"}), "\"c\"");
  EXPECT_EQ(h.Run({"LSET", "l", "10", "x"}), "(error) ERR index out of range");
  EXPECT_EQ(h.Run({"LPOP", "l", "2"}), "[\"z\", \"a\"]");
  EXPECT_EQ(h.Run({"LPOP", "l", "-1"}), "(error) ERR value is out of range, must be positive");
  EXPECT_EQ(h.Run({"RPOP", "l", "0"}), "[]");
  EXPECT_EQ(h.Run({"LLEN", "l"}), "(integer) 2");
  EXPECT_EQ(h.Run({"RPOP", "l", "5"}), "[\"c\", \"b\"]");
  EXPECT_EQ(h.Run({"EXISTS", "l"}), "(integer) 0");  // an emptied list is deleted
}

TEST(ListFamily, LposArguments) {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a", "b", "a", "a"});
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "RANK", "-1"}), "(integer) 3");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "COUNT", "0"}), "[(integer) 0, (integer) 2, (integer) 3]");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "RANK", "0"}),
            "(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
            "second ... or use negative to start from the end of the list");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "COUNT", "-1"}), "(error) ERR COUNT can't be negative");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "MAXLEN", "-1"}), "(error) ERR MAXLEN can't be negative");
}

TEST(ListFamily, BlockingPopWakesOnPushAndTimesOut) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"BLPOP", "q", "0"}, 0), "(blocked)");
  EXPECT_EQ(h.Run({"RPUSH", "q", "job"}, 1), "(integer) 1");
  EXPECT_EQ(h.Wake(0), "[\"q\", \"job\"]");
  EXPECT_EQ(h.Run({"BLPOP", "q", "1"}, 0), "(blocked)");
  EXPECT_EQ(h.TimeOut(0), "(nil)");
  EXPECT_EQ(h.Run({"BLPOP", "q", "-1"}, 0), "(error) ERR timeout is negative");
  EXPECT_EQ(h.Run({"BLPOP", "q", "x"}, 0),
            "(error) ERR timeout is not a float or out of range");
}

TEST(ListFamily, LmpopCountsItsKeys) {
  CommandHarness h;
  h.Run({"RPUSH", "b", "1", "2", "3"});
  EXPECT_EQ(h.Run({"LMPOP", "2", "a", "b", "LEFT", "COUNT", "2"}), "[\"b\", [\"1\", \"2\"]]");
  EXPECT_EQ(h.Run({"LMPOP", "0", "a", "LEFT"}),
            "(error) ERR numkeys should be greater than 0");
  EXPECT_EQ(h.Run({"LMPOP", "1", "b", "LEFT", "COUNT", "0"}),
            "(error) ERR count should be greater than 0");
}

TEST(ListFamily, BlockingTimeoutsConvertAsRedis70Does) {
  CommandHarness h;
  // Seconds times 1000 as a long long: infinities and anything past 2^63 ms come out negative.
  for (const char* t : {"inf", "+inf", "-inf", "1e300", "9223372036854776", "-1.5"}) {
    EXPECT_EQ(h.Run({"BLPOP", "q", t}, 0), "(error) ERR timeout is negative") << t;
  }
  for (const char* t : {"nan", " 1", "1 ", "", "abc"}) {
    EXPECT_EQ(h.Run({"BLPOP", "q", t}, 0), "(error) ERR timeout is not a float or out of range")
        << t;
  }
  // Less than a millisecond truncates to 0 (wait forever), as does a deadline past the clock.
  for (const char* t : {"-0.0001", "0.0001", "9223372036854775"}) {
    EXPECT_EQ(h.Run({"BLPOP", "q", t}, 0), "(blocked)") << t;
    EXPECT_TRUE(h.client(0).block_forever) << t;
    EXPECT_EQ(h.Run({"RPUSH", "q", "x"}, 1), "(integer) 1");
    EXPECT_EQ(h.Wake(0), "[\"q\", \"x\"]");
  }
  EXPECT_EQ(h.Run({"BLPOP", "q", "1e15"}, 0), "(blocked)");  // 31 million years
  EXPECT_FALSE(h.client(0).block_forever);
  EXPECT_GT(h.client(0).block_deadline_ms, int64_t{1'000'000'000'000'000'000});
  EXPECT_EQ(h.Run({"RPUSH", "q", "x"}, 1), "(integer) 1");
  EXPECT_EQ(h.Wake(0), "[\"q\", \"x\"]");
  EXPECT_EQ(h.Run({"BLPOP", "q", "1.5"}, 0), "(blocked)");
  EXPECT_FALSE(h.client(0).block_forever);
  EXPECT_EQ(h.TimeOut(0), "(nil)");
  h.Run({"RPUSH", "q", "y"});
  EXPECT_EQ(h.Run({"BLPOP", "q", "0x10"}, 0), "[\"q\", \"y\"]");
}

}  // namespace
}  // namespace strata::server
