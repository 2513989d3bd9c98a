#include "base/log_histogram.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

namespace strata {
namespace {

TEST(LogHistogram, BucketsTileTheRangeWithinOnePercent) {
  for (size_t i = 0; i < LogHistogram::kBuckets; ++i) {
    const uint64_t low = LogHistogram::BucketLow(i), high = LogHistogram::BucketHigh(i);
    ASSERT_LE(low, high) << i;
    EXPECT_EQ(LogHistogram::BucketOf(low), i);
    EXPECT_EQ(LogHistogram::BucketOf(high), i);
    if (i + 1 < LogHistogram::kBuckets) {
      EXPECT_EQ(LogHistogram::BucketLow(i + 1), high + 1);
    }
    EXPECT_LE(static_cast<double>(high - low), static_cast<double>(low) / 100) << i;
  }
  EXPECT_EQ(LogHistogram::BucketOf(uint64_t{1} << 40), LogHistogram::kBuckets - 1);
}

// Buckets as Redis 7.0's HDR histograms (1 ns to 1 s, two significant figures) have them: the
// values redis-server printed in INFO latencystats for latencies of about 1 us and 203 us.
TEST(LogHistogram, BucketsAreRedisHdrBuckets) {
  EXPECT_EQ(LogHistogram::BucketHigh(LogHistogram::BucketOf(1000)), 1003u);
  EXPECT_EQ(LogHistogram::BucketLow(LogHistogram::BucketOf(203000)), 202752u);
  EXPECT_EQ(LogHistogram::BucketHigh(LogHistogram::BucketOf(203000)), 203775u);
  EXPECT_EQ(LogHistogram::BucketHigh(LogHistogram::BucketOf(30000)), 30079u);
}

TEST(LogHistogram, PercentilesAreTheBucketsHighestValue) {
  auto h = std::make_unique<LogHistogram>();
  for (uint64_t v = 1; v <= 1000; ++v) h->Add(v * 1000);  // 1,000 .. 1,000,000
  std::vector<uint64_t> counts;
  h->Read(&counts);
  HistogramCounts c(std::move(counts));
  EXPECT_EQ(c.total(), 1000u);
  for (double p : {1.0, 50.0, 99.0, 99.9, 100.0}) {
    const double want = p * 10 * 1000;
    const double got = static_cast<double>(c.ValueAt(p));
    EXPECT_GE(got, want) << p;
    EXPECT_LE(got, want * 1.01) << p;
  }
  EXPECT_EQ(c.ValueAt(0), 1000u);  // the lowest value of the first bucket
  EXPECT_EQ(c.CountUpTo(999), 0u);
  EXPECT_NEAR(static_cast<double>(c.CountUpTo(500'000)), 500, 3);  // whole buckets
  EXPECT_EQ(c.CountUpTo(1'000'000), 1000u);
  h->Reset();
  counts.clear();
  h->Read(&counts);
  EXPECT_EQ(HistogramCounts(counts).total(), 0u);
  EXPECT_EQ(HistogramCounts(counts).ValueAt(50), 0u);
}

// Threads adding at once, each making blocks the others may make too, lose no count.
TEST(LogHistogram, ConcurrentAddsAreAllCounted) {
  auto h = std::make_unique<LogHistogram>();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (uint64_t v = 0; v < 20000; ++v) h->Add((v * 7919 + static_cast<uint64_t>(t)) << (v % 24));
    });
  }
  for (auto& t : threads) t.join();
  std::vector<uint64_t> counts;
  h->Read(&counts);
  EXPECT_EQ(HistogramCounts(std::move(counts)).total(), 80000u);
}

}  // namespace
}  // namespace strata
