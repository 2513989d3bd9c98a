// INFO commandstats and errorstats: per command (and subcommand) calls, microseconds, calls
// refused before they ran and calls that replied an error; per error code (the reply's first
// word: ERR, WRONGTYPE, ...) how many such replies were sent, at most 128 codes as Redis. The
// per-command counters are one array per worker, bumped by that worker (a blocked client served
// on another worker's thread adds to its own worker's: the adds are atomic) and summed when
// INFO reads them. With latency-tracking on, each command's latencies also go to a LogHistogram
// per worker beside those counters, merged when INFO latencystats, LATENCY HISTOGRAM or
// /metrics read them.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/log_histogram.h"

namespace strata::server {

class CommandStats {
 public:
  static constexpr size_t kMaxErrorCodes = 128;

  struct Totals {
    uint64_t calls = 0, usec = 0, rejected = 0, failed = 0;
  };

  // Before the workers start: `workers` arrays of `ids` counters (CommandTable::num_ids()).
  void Init(int workers, size_t ids);
  // A command ran for `ns` nanoseconds.
  void Call(int worker, uint32_t id, int64_t ns, bool failed) {
    Counters& c = At(worker, id);
    c.calls.fetch_add(1, std::memory_order_relaxed);
    c.ns.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
    if (failed) c.failed.fetch_add(1, std::memory_order_relaxed);
    if (tracking_.load(std::memory_order_relaxed)) c.latencies.Add(static_cast<uint64_t>(ns));
  }
  void Rejected(int worker, uint32_t id) {
    At(worker, id).rejected.fetch_add(1, std::memory_order_relaxed);
  }
  // An error reply was sent: counts it under its code (the message's first word; a leading
  // '-' is skipped) and in total_error_replies.
  void Error(std::string_view message);

  Totals Sum(uint32_t id) const;
  // The latencies (ns) of command `id` recorded since the last RESETSTAT, all workers merged.
  HistogramCounts Latencies(uint32_t id) const;
  // latency-tracking: whether Call records latencies (what was recorded stays readable).
  void set_tracking(bool on) { tracking_.store(on, std::memory_order_relaxed); }
  uint64_t total_error_replies() const {
    return total_errors_.load(std::memory_order_relaxed);
  }
  // (code, count), by code.
  std::vector<std::pair<std::string, uint64_t>> Errors() const;
  // CONFIG RESETSTAT.
  void Reset();

 private:
  struct Counters {
    std::atomic<uint64_t> calls{0}, ns{0}, rejected{0}, failed{0};
    LogHistogram latencies;  // ns
  };
  Counters& At(int worker, uint32_t id) {
    return per_worker_[static_cast<size_t>(worker) < workers_ ? worker : 0][id];
  }

  size_t workers_ = 0, ids_ = 0;
  std::vector<std::unique_ptr<Counters[]>> per_worker_;
  std::atomic<uint64_t> total_errors_{0};
  std::atomic<bool> tracking_{true};
  mutable std::mutex mu_;
  std::map<std::string, uint64_t, std::less<>> errors_;  // GUARDED_BY(mu_)
};

}  // namespace strata::server
