// SORT, SORT_RO and LCS side by side with redis-server 7.0:
// - a corpus of edge cases and errors (data/sort_lcs_corpus.txt) gives the same replies;
// - random SORTs of lists, sets and sorted sets (numbers and words, BY weights and hash fields,
//   GET, LIMIT, ASC/DESC, ALPHA, STORE) give the same replies and stored lists;
// - random LCS of strings over small alphabets give the same string, length and match ranges.
// Only orders Redis defines are compared: a set sorted BY a constant is not (Redis returns it
// in its hash table's order), nor ALPHA BY ties (Redis leaves them in its internal order).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

std::vector<Argv> RandomSorts(uint32_t seed, int ops) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  std::vector<Argv> out = {{"FLUSHALL"}};
  // Elements 0..39 as numbers or words; weights w_<e> distinct, hash fields h_<e> f distinct.
  auto element = [&](bool words) { return words ? "e" + std::to_string(pick(40)) : std::to_string(pick(40) - 10); };
  std::vector<int> order(60);
  for (int i = 0; i < 60; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (int i = 0; i < 40; ++i) {
    for (const std::string& e : {std::to_string(i - 10), "e" + std::to_string(i)}) {
      out.push_back({"SET", "w_" + e, std::to_string(order[i]) + (pick(2) ? ".5" : "")});
      out.push_back({"HSET", "h_" + e, "f", "v" + std::to_string(order[i] + 100)});
    }
  }
  for (int i = 0; i < ops; ++i) {
    const bool words = pick(2) == 0;
    const int type = pick(3);
    const std::string key = "src";
    out.push_back({"DEL", key});
    Argv fill = {type == 0 ? "RPUSH" : type == 1 ? "SADD" : "ZADD", key};
    for (int n = 1 + pick(25); n > 0; --n) {
      if (type == 2) fill.push_back(std::to_string(pick(100)));
      fill.push_back(element(words));
    }
    out.push_back(fill);
    Argv s = {pick(4) == 0 ? "SORT_RO" : "SORT", key};
    const int by = pick(4);
    if (by == 1) s.insert(s.end(), {"BY", "w_*"});
    if (by == 2) s.insert(s.end(), {"BY", "h_*->f"});
    if (by == 3 && type != 1) s.insert(s.end(), {"BY", "nosort"});
    if (pick(3) == 0) s.insert(s.end(), {"LIMIT", std::to_string(pick(30) - 3), std::to_string(pick(12) - 2)});
    if (pick(2) == 0) s.push_back(pick(2) ? "DESC" : "ASC");
    // Numbers sort numerically or by their text; words only by their text (or by weights).
    if (words && by != 1) s.push_back("ALPHA");
    if (!words && pick(3) == 0) s.push_back("ALPHA");
    if (by == 2 && !(words && by != 1)) s.push_back("ALPHA");
    for (int g = pick(3); g > 0; --g) {
      static const char* kGets[] = {"#", "w_*", "h_*->f", "none_*", "h_*->g"};
      s.insert(s.end(), {"GET", kGets[pick(5)]});
    }
    const bool store = s[0] == "SORT" && pick(3) == 0;
    if (store) s.insert(s.end(), {"STORE", "dst"});
    out.push_back(s);
    if (store) out.push_back({"LRANGE", "dst", "0", "-1"});
  }
  return out;
}

std::vector<Argv> RandomLcs(uint32_t seed, int ops) {
  std::mt19937 rng(seed);
  auto word = [&](int alphabet) {
    std::string w(rng() % 40, 'a');
    for (char& c : w) c = static_cast<char>('a' + rng() % static_cast<uint32_t>(alphabet));
    return w;
  };
  std::vector<Argv> out = {{"FLUSHALL"}};
  for (int i = 0; i < ops; ++i) {
    const int alphabet = 2 + static_cast<int>(rng() % 5);
    out.push_back({"MSET", "x", word(alphabet), "y", word(alphabet)});
    out.push_back({"LCS", "x", "y"});
    out.push_back({"LCS", "x", "y", "IDX", "WITHMATCHLEN"});
    out.push_back({"LCS", "y", "x", "IDX", "MINMATCHLEN", std::to_string(rng() % 4)});
    out.push_back({"LCS", "x", "y", "LEN"});
  }
  return out;
}

class SortLcsCompatTest : public SideBySideTest {};

TEST_F(SortLcsCompatTest, CorpusRepliesAsRedis) {
  const std::vector<Argv> corpus = LoadCorpusFile(STRATA_SORT_LCS_CORPUS);
  ASSERT_GT(corpus.size(), 100u);
  const std::string want = CorpusTranscript(redis_->port(), corpus);
  ASSERT_NE(want.find("> LCS a b\n  \"mytext\""), std::string::npos) << want;
  EXPECT_EQ(FirstDifference(want, CorpusTranscript(strata_->port(), corpus)), "");
}

TEST_F(SortLcsCompatTest, RandomSortsAsRedis) {
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    const std::vector<Argv> corpus = RandomSorts(seed, 400);
    const std::string want = CorpusTranscript(redis_->port(), corpus);
    EXPECT_EQ(FirstDifference(want, CorpusTranscript(strata_->port(), corpus)), "")
        << "seed " << seed;
  }
}

TEST_F(SortLcsCompatTest, RandomLcsAsRedis) {
  const std::vector<Argv> corpus = RandomLcs(7, 300);
  const std::string want = CorpusTranscript(redis_->port(), corpus);
  EXPECT_EQ(FirstDifference(want, CorpusTranscript(strata_->port(), corpus)), "");
}

}  // namespace
}  // namespace strata::integration
