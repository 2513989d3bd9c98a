// The list family in-process, with the blocking pops' wake-ups and time-outs.
#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <string>
#include <vector>

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
  EXPECT_EQ(h.Woken(0), "[\"q\", \"job\"]");
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
    EXPECT_EQ(h.Woken(0), "[\"q\", \"x\"]");
  }
  EXPECT_EQ(h.Run({"BLPOP", "q", "1e15"}, 0), "(blocked)");  // 31 million years
  EXPECT_FALSE(h.client(0).block_forever);
  EXPECT_GT(h.client(0).block_deadline_ms, int64_t{1'000'000'000'000'000'000});
  EXPECT_EQ(h.Run({"RPUSH", "q", "x"}, 1), "(integer) 1");
  EXPECT_EQ(h.Woken(0), "[\"q\", \"x\"]");
  EXPECT_EQ(h.Run({"BLPOP", "q", "1.5"}, 0), "(blocked)");
  EXPECT_FALSE(h.client(0).block_forever);
  EXPECT_EQ(h.TimeOut(0), "(nil)");
  h.Run({"RPUSH", "q", "y"});
  EXPECT_EQ(h.Run({"BLPOP", "q", "0x10"}, 0), "[\"q\", \"y\"]");
}

// MEMORY USAGE's answer as a number.
int64_t MemoryUsage(CommandHarness& h, const std::string& key) {
  const std::string reply = h.Run({"MEMORY", "USAGE", key});
  EXPECT_EQ(reply.rfind("(integer) ", 0), 0u) << reply;
  return std::stoll(reply.substr(10));
}

// list-compress-depth changes how a list is stored, never what a command answers: the same
// random commands against depth 0 and depth 1 get the same replies, and depth 1 uses less memory.
TEST(ListFamily, CompressDepthChangesNoReply) {
  CommandHarness plain({std::pair{"list-compress-depth", "0"}});
  CommandHarness packed({std::pair{"list-compress-depth", "1"}});
  std::mt19937 rng(11);
  auto element = [&] { return "e" + std::to_string(rng() % 50); };
  auto index = [&] { return std::to_string(static_cast<int64_t>(rng() % 24000) - 12000); };
  {
    std::vector<std::string> fill = {"RPUSH", "l"};
    for (int i = 0; i < 20000; ++i) fill.push_back(element());
    ASSERT_EQ(plain.Run(fill), packed.Run(fill));
  }
  for (int step = 0; step < 1500; ++step) {
    std::vector<std::string> line;
    switch (rng() % 9) {
      case 0: line = {"LINDEX", "l", index()}; break;
      case 1: line = {"LSET", "l", index(), element()}; break;
      case 2: line = {"LINSERT", "l", rng() % 2 ? "BEFORE" : "AFTER", element(), element()}; break;
      case 3: line = {"LPOS", "l", element(), "RANK", rng() % 2 ? "2" : "-3", "COUNT", "4"}; break;
      case 4: line = {"LRANGE", "l", index(), index()}; break;
      case 5: line = {rng() % 2 ? "LPUSH" : "RPUSH", "l", element(), element()}; break;
      case 6: line = {rng() % 2 ? "LPOP" : "RPOP", "l", std::to_string(1 + rng() % 3)}; break;
      case 7: line = {"LREM", "l", std::to_string(static_cast<int>(rng() % 5) - 2), element()}; break;
      default: line = {"LINDEX", "l", std::to_string(rng() % 100)}; break;
    }
    ASSERT_EQ(plain.Run(line), packed.Run(line)) << "step " << step << ": " << line[0];
  }
  ASSERT_EQ(plain.Run({"LRANGE", "l", "0", "-1"}), packed.Run({"LRANGE", "l", "0", "-1"}));
  EXPECT_EQ(plain.Run({"OBJECT", "ENCODING", "l"}), "\"quicklist\"");
  EXPECT_EQ(packed.Run({"OBJECT", "ENCODING", "l"}), "\"quicklist\"");
  EXPECT_LT(MemoryUsage(packed, "l") * 3, MemoryUsage(plain, "l"));
}

// CONFIG SET list-compress-depth applies to a list at its next change, as in Redis.
TEST(ListFamily, CompressDepthSetAtRunTimeAppliesAtTheNextChange) {
  CommandHarness h;
  std::vector<std::string> fill = {"RPUSH", "l"};
  for (int i = 0; i < 20000; ++i) fill.push_back("element:" + std::to_string(i % 100));
  h.Run(fill);
  const int64_t plain = MemoryUsage(h, "l");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "list-compress-depth", "2"}), "+OK");
  EXPECT_EQ(MemoryUsage(h, "l"), plain);  // not changed yet
  EXPECT_EQ(h.Run({"RPUSH", "l", "x"}), "(integer) 20001");
  const int64_t packed = MemoryUsage(h, "l");
  EXPECT_LT(packed * 3, plain);
  EXPECT_EQ(h.Run({"LINDEX", "l", "10000"}), "\"element:0\"");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "list-compress-depth", "0"}), "+OK");
  EXPECT_EQ(h.Run({"RPOP", "l"}), "\"x\"");
  EXPECT_GT(MemoryUsage(h, "l") * 10, plain * 9);  // every node plain again
}

}  // namespace
}  // namespace strata::server
