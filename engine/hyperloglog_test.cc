#include "engine/hyperloglog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace strata::engine::hll {
namespace {

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// e0 .. e<n-1> added one at a time, as PFADD adds them.
std::string Build(int n, int64_t sparse_max = 3000) {
  std::string s = NewSparse();
  for (int i = 0; i < n; ++i) {
    const Pattern p = PatternOf("e" + std::to_string(i));
    EXPECT_NE(Set(&s, p.index, p.count, sparse_max), SetResult::kCorrupt);
  }
  return s;
}

uint64_t Count(std::string_view s) {
  Histogram h;
  EXPECT_TRUE(HistogramOf(s, &h));
  return Estimate(h);
}

// As PFCOUNT leaves it: the cache written.
std::string WithCache(std::string s) {
  const auto card = EncodeCard(Count(s));
  std::memcpy(s.data() + kCardOffset, card.data(), 8);
  return s;
}

std::string Header(uint8_t encoding) {
  std::string s = NewSparse().substr(0, kHeaderSize);
  s[4] = static_cast<char>(encoding);
  return s;
}

TEST(HyperLogLog, BytesAndCountsAreRedisOnes) {
  // Taken from redis-server 7.0 (PFADD of e0..e<n-1>, PFCOUNT, GET): the length, an FNV-1a of
  // the bytes, and the count.
  struct Golden {
    int n;
    size_t len;
    uint64_t fnv;
    uint64_t count;
  };
  const Golden kGolden[] = {
      {1, 21, 0x546d16fdfd2c805aULL, 1},
      {10, 48, 0xd06c25fbeaa23420ULL, 10},
      {100, 285, 0x40dec5e3b1513cfaULL, 100},
      {1000, 1906, 0x4ded8ea0046b668dULL, 1008},
      {10000, 12304, 0x91141a0852dc0034ULL, 9973},
      {100000, 12304, 0xfd1fc23694773e63ULL, 100853},
  };
  for (const Golden& g : kGolden) {
    const std::string s = WithCache(Build(g.n));
    EXPECT_EQ(s.size(), g.len) << g.n;
    EXPECT_EQ(Fnv1a(s), g.fnv) << g.n;
    EXPECT_EQ(CachedCard(s), g.count) << g.n;
  }
}

TEST(HyperLogLog, SparseOpcodesAsRedisWritesThem) {
  std::string s = NewSparse();
  EXPECT_EQ(DecodeSparse(s), "Z:16384");
  for (const char* e : {"a", "b", "c"}) {
    const Pattern p = PatternOf(e);
    ASSERT_EQ(Set(&s, p.index, p.count, 3000), SetResult::kUpdated);
  }
  // redis-server: PFADD abc a b c; PFDEBUG DECODE abc.
  EXPECT_EQ(DecodeSparse(s), "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
  EXPECT_FALSE(CacheValid(s));
  // Neighbouring equal VALs merge into one of up to 4 registers.
  std::string r = NewSparse();
  for (uint32_t i = 10; i < 15; ++i) ASSERT_EQ(Set(&r, i, 3, 3000), SetResult::kUpdated);
  EXPECT_EQ(DecodeSparse(r), "z:10 v:3,4 v:3,1 Z:16369");
  EXPECT_EQ(Set(&r, 12, 2, 3000), SetResult::kUnchanged);
  ASSERT_EQ(Set(&r, 12, 5, 3000), SetResult::kUpdated);
  EXPECT_EQ(DecodeSparse(r), "z:10 v:3,2 v:5,1 v:3,2 Z:16369");
}

TEST(HyperLogLog, PromotesToDenseAsRedis) {
  // A value above 32 cannot be sparse.
  std::string s = NewSparse();
  ASSERT_EQ(Set(&s, 7, 33, 3000), SetResult::kUpdated);
  ASSERT_EQ(s.size(), kDenseSize);
  EXPECT_EQ(EncodingOf(s), kDense);
  EXPECT_EQ(DenseGet(reinterpret_cast<const uint8_t*>(s.data()) + kHeaderSize, 7), 33);
  // Growing past hll-sparse-max-bytes promotes; 0 promotes at the first growth.
  std::string t = NewSparse();
  ASSERT_EQ(Set(&t, 100, 1, 0), SetResult::kUpdated);
  EXPECT_EQ(EncodingOf(t), kDense);
  // The limit counts the whole string: 18 bytes + 3 (XZERO -> XZERO VAL XZERO) = 21.
  std::string u = NewSparse();
  std::string v = u;
  ASSERT_EQ(Set(&v, 100, 1, 20), SetResult::kUpdated);
  EXPECT_EQ(EncodingOf(v), kDense);
  ASSERT_EQ(Set(&u, 100, 1, 21), SetResult::kUpdated);
  EXPECT_EQ(EncodingOf(u), kSparse);
  v = u;
  ASSERT_EQ(Set(&v, 1000, 1, 24), SetResult::kUpdated);
  EXPECT_EQ(EncodingOf(v), kSparse);
  ASSERT_EQ(Set(&u, 1000, 1, 23), SetResult::kUpdated);
  EXPECT_EQ(EncodingOf(u), kDense);
  EXPECT_EQ(Count(u), 2u);
}

TEST(HyperLogLog, DenseRegistersKeepTheirNeighbours) {
  std::string s = Header(kDense) + std::string(kDenseSize - kHeaderSize, '\0');
  auto* regs = reinterpret_cast<uint8_t*>(s.data()) + kHeaderSize;
  for (uint32_t i = 0; i < kRegisters; ++i) DenseSet(regs, i, static_cast<uint8_t>(i % 64));
  for (uint32_t i = 0; i < kRegisters; ++i) ASSERT_EQ(DenseGet(regs, i), i % 64) << i;
  // The patch PFADD logs is what DenseSet writes, and only the register's bytes.
  for (uint32_t i : {0u, 1u, 2u, 3u, 5000u, kRegisters - 1}) {
    std::string copy = s;
    DenseSet(reinterpret_cast<uint8_t*>(copy.data()) + kHeaderSize, i, 0);
    DensePatch patch;
    ASSERT_TRUE(DenseRaise(copy, {i, 63}, &patch)) << i;
    EXPECT_EQ(patch.len, (i * 6) % 8 > 2 ? 2u : 1u);
    copy.replace(patch.offset, patch.len, patch.bytes.data(), patch.len);
    std::string want = s;
    DenseSet(reinterpret_cast<uint8_t*>(want.data()) + kHeaderSize, i, 63);
    EXPECT_EQ(copy, want) << i;
    EXPECT_FALSE(DenseRaise(want, {i, 63}, &patch));
  }
}

TEST(HyperLogLog, ValidatesTheHeader) {
  EXPECT_TRUE(IsHll(NewSparse()));
  EXPECT_TRUE(IsHll(Header(kSparse)));  // an empty body passes here, fails where it is read
  EXPECT_FALSE(IsHll("HYLL"));
  EXPECT_FALSE(IsHll(Header(2)));
  EXPECT_FALSE(IsHll(Header(kDense)));  // dense must be 12304 bytes
  std::string bad = NewSparse();
  bad[0] = 'h';
  EXPECT_FALSE(IsHll(bad));
  EXPECT_TRUE(IsHll(Build(20000)));
}

TEST(HyperLogLog, CorruptSparseIsReportedNotRead) {
  Histogram h;
  Registers max{};
  // No opcodes, too few registers, too many, a VAL past the end, a cut XZERO.
  const std::string bodies[] = {"", std::string("\x7f\xfe", 2), std::string("\x7f\xff\x00", 3),
                                std::string("\x7f\xfd\x8f", 3), std::string("\x7f", 1)};
  for (const std::string& body : bodies) {
    std::string s = Header(kSparse) + body;
    EXPECT_FALSE(HistogramOf(s, &h)) << DecodeSparse(s);
    EXPECT_FALSE(MergeInto(s, &max)) << DecodeSparse(s);
    std::string copy = s;
    EXPECT_FALSE(ToDense(&copy));
    EXPECT_EQ(copy, s);
  }
  // Registers past the opcodes: PFADD cannot place them.
  std::string short_body = Header(kSparse) + std::string("\x40\x09", 2);  // Z:10
  EXPECT_EQ(Set(&short_body, 100, 1, 3000), SetResult::kCorrupt);
  EXPECT_EQ(Set(&short_body, 5, 1, 3000), SetResult::kUpdated);  // Redis updates what it finds
  EXPECT_EQ(DecodeSparse(short_body), "z:5 v:1,1 z:4");
  // A value needing promotion of a corrupt HLL fails.
  std::string s = Header(kSparse) + std::string("\x40\x09", 2);
  EXPECT_EQ(Set(&s, 5, 40, 3000), SetResult::kCorrupt);
}

TEST(HyperLogLog, EstimatorEdges) {
  Histogram h{};
  h[0] = kRegisters;
  EXPECT_EQ(Estimate(h), 0u);
  Registers regs{};
  EXPECT_EQ(CountRegisters(regs), 0u);
  regs.fill(kQ + 1);  // every register at its maximum
  EXPECT_GT(CountRegisters(regs), uint64_t{1} << 60);
  // Merging sparse and dense copies counts as the union.
  Registers max{};
  ASSERT_TRUE(MergeInto(Build(1000), &max));
  ASSERT_TRUE(MergeInto(Build(20000), &max));
  EXPECT_EQ(CountRegisters(max), Count(Build(20000)));
}

TEST(HyperLogLog, PatternsOfRedis) {
  // The registers Redis set for "a", "b" and "c" (the decode above): "a" is the 2 at 12711,
  // "b" and "c" the 1s at 8436 and 15780.
  const Pattern a = PatternOf("a");
  EXPECT_EQ(a.index, 12711u);
  EXPECT_EQ(a.count, 2);
  const Pattern b = PatternOf("b"), c = PatternOf("c");
  EXPECT_EQ(std::min(b.index, c.index), 8436u);
  EXPECT_EQ(std::max(b.index, c.index), 15780u);
  EXPECT_EQ(b.count + c.count, 2);
  EXPECT_EQ(MurmurHash64A("", 0), 0u);
  // Every tail length past the 8-byte blocks: the golden bytes above cover "e0".."e99999"
  // (2 to 6 bytes); longer ones here must at least differ from their prefixes.
  std::string s;
  uint64_t last = 0;
  for (int i = 0; i < 20; ++i) {
    s.push_back(static_cast<char>('a' + i));
    const uint64_t h = MurmurHash64A(s, kHashSeed);
    EXPECT_NE(h, last);
    last = h;
  }
}

TEST(HyperLogLog, SelfTestPasses) { EXPECT_EQ(SelfTest(3000, 42), ""); }

}  // namespace
}  // namespace strata::engine::hll
