#include "base/log_histogram.h"

#include <memory>
#include <utility>

namespace strata {

LogHistogram::~LogHistogram() {
  for (auto& b : blocks_) delete b.load(std::memory_order_acquire);
}

LogHistogram::Block* LogHistogram::MakeBlock(size_t b) {
  auto fresh = std::make_unique<Block>();  // value-initialised: zero counts
  Block* expected = nullptr;
  if (blocks_[b].compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
    return fresh.release();
  }
  return expected;  // another thread's, and `fresh` goes
}

void LogHistogram::Read(std::vector<uint64_t>* sum) const {
  if (sum->size() < kBuckets) sum->resize(kBuckets, 0);
  for (size_t b = 0; b < blocks_.size(); ++b) {
    const Block* block = blocks_[b].load(std::memory_order_acquire);
    if (block == nullptr) continue;
    for (size_t j = 0; j < kBlockSize; ++j) {
      (*sum)[b * kBlockSize + j] += (*block)[j].load(std::memory_order_relaxed);
    }
  }
}

void LogHistogram::Reset() {
  for (auto& b : blocks_) {
    if (Block* block = b.load(std::memory_order_acquire)) {
      for (auto& c : *block) c.store(0, std::memory_order_relaxed);
    }
  }
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
