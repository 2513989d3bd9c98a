#include "server/command_stats.h"

namespace strata::server {

void CommandStats::Init(int workers, size_t ids) {
  workers_ = static_cast<size_t>(workers < 1 ? 1 : workers);
  ids_ = ids;
  per_worker_.clear();
  for (size_t i = 0; i < workers_; ++i) per_worker_.push_back(std::make_unique<Counters[]>(ids));
}

void CommandStats::Error(std::string_view message) {
  total_errors_.fetch_add(1, std::memory_order_relaxed);
  if (message.starts_with('-')) message.remove_prefix(1);
  const std::string_view code = message.substr(0, message.find_first_of(" \r\n"));
  std::lock_guard<std::mutex> l(mu_);
  auto it = errors_.find(code);
  if (it != errors_.end()) {
    ++it->second;
  } else if (errors_.size() < kMaxErrorCodes) {
    errors_.emplace(std::string(code), 1);
  }
}

CommandStats::Totals CommandStats::Sum(uint32_t id) const {
  Totals t;
  if (id >= ids_) return t;
  for (const auto& w : per_worker_) {
    t.calls += w[id].calls.load(std::memory_order_relaxed);
    t.usec += w[id].ns.load(std::memory_order_relaxed);
    t.rejected += w[id].rejected.load(std::memory_order_relaxed);
    t.failed += w[id].failed.load(std::memory_order_relaxed);
  }
  t.usec /= 1000;
  return t;
}

HistogramCounts CommandStats::Latencies(uint32_t id) const {
  std::vector<uint64_t> sum;
  if (id >= ids_) return {};
  for (const auto& w : per_worker_) w[id].latencies.Read(&sum);
  return HistogramCounts(std::move(sum));
}

std::vector<std::pair<std::string, uint64_t>> CommandStats::Errors() const {
  std::lock_guard<std::mutex> l(mu_);
  return {errors_.begin(), errors_.end()};
}

void CommandStats::Reset() {
  for (const auto& w : per_worker_) {
    for (size_t i = 0; i < ids_; ++i) {
      w[i].calls = 0;
      w[i].ns = 0;
      w[i].latencies.Reset();
      w[i].rejected = 0;
      w[i].failed = 0;
    }
  }
  total_errors_ = 0;
  std::lock_guard<std::mutex> l(mu_);
  errors_.clear();
}

}  // namespace strata::server
