// Random sampling is uniform, as Redis's own tests check it: HRANDFIELD, SRANDMEMBER,
// ZRANDMEMBER and SPOP, without a count, with a positive count (distinct members; a small one
// and one close to the size, which Redis draws by different methods) and with a negative count
// (repeats), in every encoding of each type; and RANDOMKEY across the shards.
//
// Each case counts how often every member is drawn and computes the chi-square statistic
// against the uniform distribution. With df = members - 1 degrees of freedom it has mean df and
// standard deviation sqrt(2 df); the bound is df + 7 standard deviations, which a uniform draw
// exceeds about once in 10^10 runs, while the biased draws these tests were written against
// (a table's entry alone in its bucket as likely as a whole chain of three: chi-square 15 times
// df; a member of a three-member set never drawn) exceed it every time.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/util/command_harness.h"
#include "tests/util/reply.h"

namespace strata::server {
namespace {

using strata::testing::CommandHarness;
using strata::testing::Reply;

// Small limits, so that the full encodings take few members.
CommandHarness Harness() {
  return CommandHarness({{"hash-max-listpack-entries", "32"},
                         {"set-max-intset-entries", "32"},
                         {"set-max-listpack-entries", "32"},
                         {"zset-max-listpack-entries", "32"}});
}

// The members of a reply: a bulk, or an array of bulks (every other one with WITHSCORES).
std::vector<std::string> Members(CommandHarness& h, const std::vector<std::string>& line,
                                 int step = 1) {
  std::optional<std::vector<Reply>> replies = strata::testing::ParseReplies(h.RunRaw(line));
  EXPECT_TRUE(replies && replies->size() == 1) << strata::testing::RenderCommand(line);
  if (!replies || replies->empty()) return {};
  const Reply& r = replies->front();
  if (r.kind == Reply::Kind::kString) return {r.text};
  std::vector<std::string> out;
  for (size_t i = 0; i < r.elements.size(); i += step) out.push_back(r.elements[i].text);
  return out;
}

// Chi-square of `counts` against `expected` draws of each of `names`; fails the test past the
// bound (and when a draw names something else).
void ExpectUniform(const std::map<std::string, int>& counts, const std::vector<std::string>& names,
                   double expected, const std::string& what) {
  double chi2 = 0;
  size_t seen = 0;
  for (const std::string& n : names) {
    auto it = counts.find(n);
    const double got = it == counts.end() ? 0 : it->second;
    seen += it == counts.end() ? 0 : 1;
    chi2 += (got - expected) * (got - expected) / expected;
  }
  size_t total_names = 0;
  for (const auto& [name, n] : counts) total_names += n > 0 ? 1 : 0;
  EXPECT_EQ(total_names, seen) << what << ": drew something that is not a member";
  const double df = static_cast<double>(names.size() - 1);
  EXPECT_LT(chi2, df + 7 * std::sqrt(2 * df)) << what << ": chi-square " << chi2 << ", df " << df;
}

struct Shape {
  const char* type;      // "hash", "set", "zset"
  const char* encoding;  // OBJECT ENCODING's answer
  int members;
  bool integers = false;  // set members that are integers (intset)
};

// The key `k` of the shape's type and encoding, and its member names.
std::vector<std::string> Build(CommandHarness& h, const Shape& s) {
  h.Run({"DEL", "k"});
  std::vector<std::string> names;
  std::vector<std::string> line = {std::string(s.type) == "hash"  ? "HSET"
                                   : std::string(s.type) == "set" ? "SADD"
                                                                  : "ZADD",
                                   "k"};
  for (int i = 0; i < s.members; ++i) {
    names.push_back(s.integers ? std::to_string(i * 7) : "m" + std::to_string(i));
    if (std::string(s.type) == "zset") line.push_back(std::to_string(i));
    line.push_back(names.back());
    if (std::string(s.type) == "hash") line.push_back("v");
  }
  h.Run(line);
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "k"}), std::string("\"") + s.encoding + "\"");
  return names;
}

const Shape kShapes[] = {
    {"hash", "listpack", 3},  {"hash", "listpack", 20},    {"hash", "hashtable", 100},
    {"set", "intset", 3, true}, {"set", "intset", 20, true}, {"set", "listpack", 20},
    {"set", "hashtable", 100}, {"zset", "listpack", 3},      {"zset", "listpack", 20},
    {"zset", "skiplist", 100},
};

const char* RandCommand(const Shape& s) {
  const std::string type = s.type;
  return type == "hash" ? "HRANDFIELD" : type == "set" ? "SRANDMEMBER" : "ZRANDMEMBER";
}

TEST(RandomSampling, OneMemberAtATimeIsUniformInEveryEncoding) {
  CommandHarness h = Harness();
  for (const Shape& s : kShapes) {
    const std::vector<std::string> names = Build(h, s);
    const int draws = 60 * s.members;
    std::map<std::string, int> counts;
    for (int i = 0; i < draws; ++i) {
      for (std::string& m : Members(h, {RandCommand(s), "k"})) ++counts[m];
    }
    ExpectUniform(counts, names, 60, std::string(RandCommand(s)) + " on a " + s.encoding + " of " +
                                         std::to_string(s.members));
  }
}

TEST(RandomSampling, CountsDrawDistinctOrRepeatedMembersUniformly) {
  CommandHarness h = Harness();
  for (const Shape& s : kShapes) {
    const std::vector<std::string> names = Build(h, s);
    const int n = s.members;
    // A count below a third of the size, one above it (Redis copies and removes there), and a
    // negative one (repeats).
    for (int count : {std::max(1, n / 10), std::max(1, n * 4 / 5), -std::max(2, n / 4)}) {
      const int per_call = std::abs(count);
      const int calls = 60 * n / per_call + 1;
      std::map<std::string, int> counts;
      for (int i = 0; i < calls; ++i) {
        const std::vector<std::string> got =
            Members(h, {RandCommand(s), "k", std::to_string(count)});
        ASSERT_EQ(got.size(), static_cast<size_t>(per_call));
        if (count > 0) {
          ASSERT_EQ(std::set<std::string>(got.begin(), got.end()).size(), got.size())
              << RandCommand(s) << " " << count << " repeated a member";
        }
        for (const std::string& m : got) ++counts[m];
      }
      ExpectUniform(counts, names, static_cast<double>(calls) * per_call / n,
                    std::string(RandCommand(s)) + " k " + std::to_string(count) + " on a " +
                        s.encoding + " of " + std::to_string(n));
    }
  }
  // WITHVALUES / WITHSCORES draw the same way; the values come with their own fields.
  const std::vector<std::string> names = Build(h, {"zset", "skiplist", 100});
  std::map<std::string, int> counts;
  for (int i = 0; i < 600; ++i) {
    for (std::string& m : Members(h, {"ZRANDMEMBER", "k", "-10", "WITHSCORES"}, 2)) ++counts[m];
  }
  ExpectUniform(counts, names, 60, "ZRANDMEMBER k -10 WITHSCORES");
}

TEST(RandomSampling, SpopTakesEveryMemberAlikeInEveryEncoding) {
  CommandHarness h = Harness();
  for (const Shape& s : kShapes) {
    if (std::string(s.type) != "set") continue;
    const std::vector<std::string> names = Build(h, s);
    for (int count : {0, 1, std::max(2, s.members / 3)}) {
      const int per_call = std::max(count, 1);
      const int calls = 60 * s.members / per_call + 1;
      std::map<std::string, int> counts;
      for (int i = 0; i < calls; ++i) {
        std::vector<std::string> line = {"SPOP", "k"};
        if (count > 0) line.push_back(std::to_string(count));
        std::vector<std::string> got = Members(h, line);
        ASSERT_EQ(got.size(), static_cast<size_t>(per_call));
        std::vector<std::string> back = {"SADD", "k"};
        for (std::string& m : got) {
          ++counts[m];
          back.push_back(m);
        }
        h.Run(back);  // the set is whole again, in the same encoding
      }
      EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "k"}), std::string("\"") + s.encoding + "\"");
      ExpectUniform(counts, names, static_cast<double>(calls) * per_call / s.members,
                    "SPOP k " + std::to_string(count) + " on a " + s.encoding);
    }
  }
}

TEST(RandomSampling, RandomkeyIsUniformAcrossShards) {
  CommandHarness h;  // 4 shards: keys fall unevenly into them
  std::vector<std::string> names;
  for (int i = 0; i < 50; ++i) {
    names.push_back("key:" + std::to_string(i));
    h.Run({"SET", names.back(), "v"});
  }
  std::map<std::string, int> counts;
  for (int i = 0; i < 50 * 60; ++i) {
    for (std::string& m : Members(h, {"RANDOMKEY"})) ++counts[m];
  }
  ExpectUniform(counts, names, 60, "RANDOMKEY");
}

}  // namespace
}  // namespace strata::server
