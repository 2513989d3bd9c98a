#include "base/log_histogram.h"

#include <cmath>
#include <utility>

namespace strata {

void LogHistogram::Read(std::vector<uint64_t>* sum) const {
  if (sum->size() < kBuckets) sum->resize(kBuckets, 0);
  for (size_t i = 0; i < kBuckets; ++i) (*sum)[i] += counts_[i].load(std::memory_order_relaxed);
}

void LogHistogram::Reset() {
  for (auto& c : counts_) c.store(0, std::memory_order_relaxed);
}

HistogramCounts::HistogramCounts(std::vector<uint64_t> counts) : counts_(std::move(counts)) {
  for (uint64_t c : counts_) total_ += c;
}

uint64_t HistogramCounts::ValueAt(double percentile) const {
  if (total_ == 0) return 0;
  if (percentile > 100) percentile = 100;
  uint64_t rank = static_cast<uint64_t>(percentile / 100 * static_cast<double>(total_) + 0.5);
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return percentile == 0 ? LogHistogram::BucketLow(i) : LogHistogram::BucketHigh(i);
    }
  }
  return LogHistogram::kMaxValue;
}

uint64_t HistogramCounts::CountUpTo(uint64_t bound) const {
  uint64_t n = 0;
  for (size_t i = 0; i < counts_.size() && LogHistogram::BucketLow(i) <= bound; ++i) {
    n += counts_[i];
  }
  return n;
}

}  // namespace strata
