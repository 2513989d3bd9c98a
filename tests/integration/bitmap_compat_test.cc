// Bitmaps side by side with redis-server 7.0:
// - a corpus of edge cases and errors (data/bitmap_corpus.txt) gives the same replies;
// - random sequences of SETBIT, BITFIELD (every width, signed and unsigned, all three overflow
//   modes), BITOP, SETRANGE and APPEND on a few keys, each write followed by a GET of the key,
//   interleaved with BITCOUNT, BITPOS and GETBIT over random ranges, give the same transcript:
//   every reply and every byte of every bitmap after every write.
// Their keyspace events: NotifyCompatTest.BitmapAndHllCommands (notify_compat_test.cc).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

std::vector<Argv> RandomWorkload(uint32_t seed, int ops) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  auto num = [&](int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
    return std::to_string(static_cast<int64_t>(static_cast<uint64_t>(lo) + rng() % span));
  };
  const std::vector<std::string> keys = {"ba", "bb", "bc"};
  const std::vector<std::string> overflow = {"WRAP", "SAT", "FAIL"};
  std::vector<Argv> out = {{"FLUSHALL"}};
  for (int i = 0; i < ops; ++i) {
    const std::string& key = keys[static_cast<size_t>(pick(3))];
    const int op = pick(100);
    bool wrote = true;
    if (op < 25) {
      out.push_back({"SETBIT", key, num(0, 300), num(0, 1)});
    } else if (op < 50) {
      Argv a = {"BITFIELD", key};
      for (int n = 1 + pick(4); n > 0; --n) {
        const bool is_signed = pick(2) == 0;
        const int bits = 1 + pick(is_signed ? 64 : 63);
        const std::string type = (is_signed ? "i" : "u") + std::to_string(bits);
        const std::string offset = pick(4) == 0 ? "#" + num(0, 8) : num(0, 200);
        if (pick(3) == 0) a.insert(a.end(), {"OVERFLOW", overflow[static_cast<size_t>(pick(3))]});
        const int kind = pick(3);
        if (kind == 0) a.insert(a.end(), {"GET", type, offset});
        // Values near the type's limits and beyond, and anything in int64.
        const int64_t lim = bits >= 63 ? INT64_MAX : (int64_t{1} << bits);
        const std::string value = pick(3) == 0 ? std::to_string(static_cast<int64_t>(rng() << 32 | rng()))
                                               : num(-lim / 2 - 3, lim / 2 + 3);
        if (kind == 1) a.insert(a.end(), {"SET", type, offset, value});
        if (kind == 2) a.insert(a.end(), {"INCRBY", type, offset, value});
      }
      out.push_back(a);
    } else if (op < 58) {
      static const char* kOps[] = {"AND", "OR", "XOR", "NOT"};
      const int o = pick(4);
      Argv a = {"BITOP", kOps[o], key, keys[static_cast<size_t>(pick(3))]};
      if (o != 3) {
        for (int n = pick(3); n > 0; --n) a.push_back(keys[static_cast<size_t>(pick(3))]);
        if (pick(4) == 0) a.push_back("nokey");
      }
      out.push_back(a);
    } else if (op < 63) {
      out.push_back({"SETRANGE", key, num(0, 40), std::string(static_cast<size_t>(pick(6)), 'a' + pick(26))});
    } else if (op < 65) {
      out.push_back({"APPEND", key, std::string(1, static_cast<char>(pick(256)))});
    } else if (op < 67) {
      out.push_back({"DEL", key});
    } else {
      wrote = false;
      const std::string unit = pick(2) ? "BIT" : "BYTE";
      const std::string a = num(-50, 300), b = num(-50, 300);
      switch (pick(6)) {
        case 0: out.push_back({"BITCOUNT", key}); break;
        case 1: out.push_back({"BITCOUNT", key, a, b, unit}); break;
        case 2: out.push_back({"BITPOS", key, num(0, 1)}); break;
        case 3: out.push_back({"BITPOS", key, num(0, 1), a}); break;
        case 4: out.push_back({"BITPOS", key, num(0, 1), a, b, unit}); break;
        default: out.push_back({"GETBIT", key, num(0, 400)}); break;
      }
    }
    if (wrote) out.push_back({"GET", key});
  }
  return out;
}

class BitmapCompatTest : public SideBySideTest {};

TEST_F(BitmapCompatTest, CorpusRepliesAsRedis) {
  const std::vector<Argv> corpus = LoadCorpusFile(STRATA_BITMAP_CORPUS);
  ASSERT_GT(corpus.size(), 200u);
  const std::string want = CorpusTranscript(redis_->port(), corpus);
  ASSERT_NE(want.find("> BITPOS zz 1\n  143"), std::string::npos) << want;
  EXPECT_EQ(FirstDifference(want, CorpusTranscript(strata_->port(), corpus)), "");
}

TEST_F(BitmapCompatTest, RandomWorkloadsEndAsOnRedis) {
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    const std::vector<Argv> corpus = RandomWorkload(seed, 1500);
    const std::string want = CorpusTranscript(redis_->port(), corpus);
    EXPECT_EQ(FirstDifference(want, CorpusTranscript(strata_->port(), corpus)), "")
        << "seed " << seed;
  }
}

}  // namespace
}  // namespace strata::integration
