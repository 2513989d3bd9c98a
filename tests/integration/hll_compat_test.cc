// HyperLogLog side by side with redis-server 7.0:
// - a corpus of edge cases and errors (data/hll_corpus.txt: arity, types, hand-made and corrupt
//   HLLs, PFDEBUG, hll-sparse-max-bytes) gives the same replies, and the same bytes on GET;
// - random workloads (several keys, PFADD batches crossing sparse -> dense, PFMERGE, PFCOUNT of
//   1 to 3 keys, with several hll-sparse-max-bytes) give the same replies and, after every
//   step, the same bytes in every HLL;
// - an HLL built by one server, copied to the other with GET/SET, counts and merges there as
//   where it was built.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

class HllCompatTest : public SideBySideTest {
 protected:
  // The reply of each server to argv, rendered.
  static std::string Both(RawConnection& r, RawConnection& s, const Argv& argv, std::string* got) {
    r.Send(Encode(argv));
    s.Send(Encode(argv));
    std::optional<RespValue> a = r.ReadValue(), b = s.ReadValue();
    *got = b ? RenderLine(*b) : "(no reply)";
    return a ? RenderLine(*a) : "(no reply)";
  }
};

TEST_F(HllCompatTest, CorpusRepliesAsRedis) {
  const std::vector<Argv> corpus = LoadCorpusFile(STRATA_HLL_CORPUS);
  ASSERT_GT(corpus.size(), 180u);
  const std::string want = CorpusTranscript(redis_->port(), corpus);
  ASSERT_NE(want.find("> PFDEBUG DECODE h\n  \"Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\""),
            std::string::npos)
      << want;
  EXPECT_EQ(FirstDifference(want, CorpusTranscript(strata_->port(), corpus)), "");
}

// Random PFADD batches (1 to 300 elements, from a pool so that repeats happen), PFMERGE and
// PFCOUNT over four keys; after every command, GET of every key must give the same bytes.
TEST_F(HllCompatTest, RandomWorkloadsKeepTheSameBytes) {
  const std::vector<std::string> keys = {"ha", "hb", "hc", "hd"};
  const int64_t kLimits[] = {3000, 0, 200, 700, 25000};
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](uint32_t n) { return rng() % n; };
    RawConnection r(redis_->port()), s(strata_->port());
    std::string got;
    const std::string limit = std::to_string(kLimits[seed % 5]);
    for (const Argv& setup : {Argv{"FLUSHALL"}, Argv{"CONFIG", "SET", "hll-sparse-max-bytes", limit}}) {
      ASSERT_EQ(Both(r, s, setup, &got), got);
    }
    const uint32_t pool = 1000 + pick(40000);
    for (int step = 0; step < 120; ++step) {
      Argv argv;
      const uint32_t op = pick(100);
      if (op < 60) {
        argv = {"PFADD", keys[pick(4)]};
        const uint32_t n = pick(10) == 0 ? 300 : 1 + pick(40);
        for (uint32_t i = 0; i < n; ++i) argv.push_back("el:" + std::to_string(pick(pool)));
      } else if (op < 75) {
        argv = {"PFCOUNT"};
        for (uint32_t i = 0, n = 1 + pick(3); i < n; ++i) argv.push_back(keys[pick(4)]);
      } else if (op < 88) {
        argv = {"PFMERGE"};
        for (uint32_t i = 0, n = 1 + pick(3); i < n; ++i) argv.push_back(keys[pick(4)]);
      } else if (op < 94) {
        argv = {"PFDEBUG", "ENCODING", keys[pick(4)]};
      } else if (op < 97) {
        argv = {"PFDEBUG", "TODENSE", keys[pick(4)]};
      } else {
        argv = {"PFDEBUG", "DECODE", keys[pick(4)]};
      }
      const std::string want = Both(r, s, argv, &got);
      ASSERT_EQ(got, want) << "seed " << seed << " step " << step << ": " << argv[0] << " "
                           << argv[1];
      for (const std::string& key : keys) {
        const std::string a = Both(r, s, {"GET", key}, &got);
        ASSERT_EQ(Printable(got), Printable(a))
            << "seed " << seed << " step " << step << " key " << key << " after " << argv[0];
      }
    }
  }
  RawConnection r(redis_->port()), s(strata_->port());
  std::string got;
  ASSERT_EQ(Both(r, s, {"CONFIG", "SET", "hll-sparse-max-bytes", "3000"}, &got), got);
}

// An HLL built on one server is read, counted and merged by the other.
TEST_F(HllCompatTest, HllsCrossBetweenServers) {
  RawConnection r(redis_->port()), s(strata_->port());
  std::string got;
  for (RawConnection* c : {&r, &s}) {
    c->Send(Encode({"FLUSHALL"}));
    ASSERT_TRUE(c->ReadValue());
  }
  auto add = [](RawConnection& c, const std::string& key, int from, int n) {
    for (int i = from; i < from + n; i += 500) {
      Argv argv = {"PFADD", key};
      for (int j = i; j < std::min(from + n, i + 500); ++j) argv.push_back(std::to_string(j));
      c.Send(Encode(argv));
      ASSERT_TRUE(c.ReadValue());
    }
  };
  auto get = [](RawConnection& c, const std::string& key) {
    c.Send(Encode({"GET", key}));
    std::optional<RespValue> v = c.ReadValue();
    return v ? v->str : std::string();
  };
  auto run = [](RawConnection& c, const Argv& argv) {
    c.Send(Encode(argv));
    std::optional<RespValue> v = c.ReadValue();
    return v ? RenderLine(*v) : "(no reply)";
  };
  // Sparse (300) and dense (20000) from each side.
  add(r, "rs", 0, 300);
  add(r, "rd", 0, 20000);
  add(s, "ss", 10000, 300);
  add(s, "sd", 15000, 20000);
  for (const char* key : {"rs", "rd"}) {
    ASSERT_EQ(run(s, {"SET", key, get(r, key)}), "OK");
  }
  for (const char* key : {"ss", "sd"}) {
    ASSERT_EQ(run(r, {"SET", key, get(s, key)}), "OK");
  }
  for (const char* key : {"rs", "rd", "ss", "sd"}) {
    EXPECT_EQ(get(s, key), get(r, key)) << key;
    EXPECT_EQ(run(s, {"PFCOUNT", key}), run(r, {"PFCOUNT", key})) << key;
    EXPECT_EQ(get(s, key), get(r, key)) << key << " after PFCOUNT";
  }
  EXPECT_EQ(run(s, {"PFCOUNT", "rs", "rd", "ss"}), run(r, {"PFCOUNT", "rs", "rd", "ss"}));
  for (const Argv& argv : {Argv{"PFMERGE", "m1", "rs", "ss"}, Argv{"PFMERGE", "m2", "rd", "sd"},
                           Argv{"PFMERGE", "rs", "sd"}, Argv{"PFADD", "rd", "x", "y", "z"}}) {
    EXPECT_EQ(run(s, argv), run(r, argv)) << argv[1];
    EXPECT_EQ(get(s, argv[1]), get(r, argv[1])) << argv[1];
    EXPECT_EQ(run(s, {"PFCOUNT", argv[1]}), run(r, {"PFCOUNT", argv[1]})) << argv[1];
  }
}

}  // namespace
}  // namespace strata::integration
