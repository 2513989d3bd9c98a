// LogHistogram: counts of non-negative values in log-linear buckets, precise to two significant
// figures (the precision Redis's latency tracking asks of its HDR histograms): values below 256
// have a bucket each; above, every power of two [2^e, 2^(e+1)) is cut into 128 buckets of equal
// width, so a bucket's width is at most 1/128 (0.8%) of its values. Values past kMaxValue count
// as kMaxValue. The counters come in blocks of 128, each allocated when a value first falls in
// it: a histogram takes 192 bytes, plus 1 KB for each block in use (a command's latencies
// typically use a few powers of two; all 24 blocks are 24 KB).
//
// Thread safety: Add(), Read() and Reset() may run at the same time from any threads (relaxed
// atomics: a reader sees each count, not a snapshot of all of them at one instant). Meant to be
// written by one thread at a time (per worker), so that the counters' cache lines are not
// contended.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata {

class LogHistogram {
 public:
  static constexpr int kSubBits = 7;                           // 128 buckets per power of two
  static constexpr uint64_t kLinear = uint64_t{2} << kSubBits;  // 256 values with a bucket each
  static constexpr int kMaxExponent = 29;                      // kMaxValue < 2^30
  static constexpr uint64_t kMaxValue = (uint64_t{1} << (kMaxExponent + 1)) - 1;
  static constexpr size_t kBuckets =
      kLinear + (kMaxExponent - kSubBits) * (size_t{1} << kSubBits);

  static size_t BucketOf(uint64_t v) {
    if (v > kMaxValue) v = kMaxValue;
    if (v < kLinear) return static_cast<size_t>(v);
    const int e = std::bit_width(v) - 1;  // >= kSubBits + 1
    const int shift = e - kSubBits;
    return kLinear + static_cast<size_t>(e - kSubBits - 1) * (size_t{1} << kSubBits) +
           static_cast<size_t>((v >> shift) - (uint64_t{1} << kSubBits));
  }
  // The smallest and the largest value counted in bucket i.
  static uint64_t BucketLow(size_t i) {
    if (i < kLinear) return i;
    const size_t j = i - kLinear;
    const int shift = static_cast<int>(j >> kSubBits) + 1;
    return ((uint64_t{1} << kSubBits) + (j & ((size_t{1} << kSubBits) - 1))) << shift;
  }
  static uint64_t BucketHigh(size_t i) {
    return i + 1 < kBuckets ? BucketLow(i + 1) - 1 : kMaxValue;
  }

  LogHistogram() = default;
  ~LogHistogram();
  LogHistogram(const LogHistogram&) = delete;
  LogHistogram& operator=(const LogHistogram&) = delete;

  void Add(uint64_t v) {
    const size_t i = BucketOf(v);
    Block* b = blocks_[i / kBlockSize].load(std::memory_order_acquire);
    if (b == nullptr) b = MakeBlock(i / kBlockSize);
    (*b)[i % kBlockSize].fetch_add(1, std::memory_order_relaxed);
  }
  // Adds every bucket's count to (*sum)[bucket]; sizes *sum to kBuckets if it is smaller.
  void Read(std::vector<uint64_t>* sum) const;
  // Zeroes the counts (the blocks stay).
  void Reset();

 private:
  static constexpr size_t kBlockSize = size_t{1} << kSubBits;
  using Block = std::array<std::atomic<uint64_t>, kBlockSize>;
  static_assert(kBuckets % kBlockSize == 0);

  // Block b, allocated now unless another thread did first.
  Block* MakeBlock(size_t b);

  std::array<std::atomic<Block*>, kBuckets / kBlockSize> blocks_{};  // owned; null until used
};

// Counts read out of one or more LogHistograms (LogHistogram::Read), and what they tell.
class HistogramCounts {
 public:
  HistogramCounts() = default;
  explicit HistogramCounts(std::vector<uint64_t> counts);

  uint64_t total() const { return total_; }
  const std::vector<uint64_t>& counts() const { return counts_; }
  // The value below which `percentile` (0-100) percent of the values fall, as HDR histograms
  // report it: the largest value of the bucket holding the ceil-rounded rank (the smallest value
  // of the first non-empty bucket for percentile 0). 0 when empty.
  uint64_t ValueAt(double percentile) const;
  // How many values are at most `bound` (counting whole buckets: a bucket counts if its
  // smallest value is at most `bound`).
  uint64_t CountUpTo(uint64_t bound) const;

 private:
  std::vector<uint64_t> counts_;  // kBuckets counts, or empty
  uint64_t total_ = 0;
};

}  // namespace strata
