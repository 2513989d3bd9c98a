#include "engine/intset.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>

namespace strata::engine {
namespace {

void ExpectSame(const IntSet& s, const std::set<int64_t>& model) {
  ASSERT_EQ(s.size(), model.size());
  size_t i = 0;
  for (int64_t v : model) EXPECT_EQ(s.At(i++), v);
}

TEST(IntSet, RandomInsertsAndErasesMatchASetAcrossWidths) {
  std::mt19937_64 rng(3);
  IntSet s;
  std::set<int64_t> model;
  const int64_t ranges[] = {100, 40000, 3000000000LL, INT64_MAX};
  for (int step = 0; step < 20000; ++step) {
    const int64_t range = ranges[(step / 5000) % 4];
    int64_t v = static_cast<int64_t>(rng() % static_cast<uint64_t>(range));
    if (rng() % 2) v = -v - (range == INT64_MAX ? 1 : 0);  // INT64_MIN included
    if (rng() % 3 != 0) {
      EXPECT_EQ(s.Insert(v), model.insert(v).second);
    } else {
      EXPECT_EQ(s.Erase(v), model.erase(v) == 1);
    }
    EXPECT_EQ(s.Contains(v), model.count(v) == 1);
    if (step % 997 == 0) ExpectSame(s, model);
  }
  ExpectSame(s, model);
  IntSet copy = s;
  ExpectSame(copy, model);
}

TEST(IntSet, SmallNumbersTakeTwoBytesAndAWideOneWidensAll) {
  IntSet s;
  for (int i = 0; i < 100; ++i) s.Insert(i * 7);
  EXPECT_LT(s.bytes(), 100u * 2 + 64);  // 2 bytes each, plus the allocator's rounding
  EXPECT_TRUE(s.Insert(INT64_MIN));      // widens to 8 bytes, lands first
  EXPECT_TRUE(s.Insert(int64_t{1} << 40));  // lands last
  EXPECT_EQ(s.At(0), INT64_MIN);
  EXPECT_EQ(s.At(1), 0);
  EXPECT_EQ(s.At(100), 99 * 7);
  EXPECT_EQ(s.At(101), int64_t{1} << 40);
  EXPECT_FALSE(s.Contains(70000));
  EXPECT_TRUE(s.Erase(INT64_MIN));
  EXPECT_FALSE(s.Erase(INT64_MIN));
}

}  // namespace
}  // namespace strata::engine
