// LATENCY's event monitor (latency-monitor-threshold), as Redis 7.0 keeps it: for each event
// class ("command", "fast-command", ...) a series of up to 160 samples, one per second (a
// second's worst), and the worst ever, fed when an event took at least the threshold in
// milliseconds (0: off). Thread safe: one mutex, taken only for a sample worth keeping.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/latency_events.h"

namespace strata::server {

class LatencyMonitor final : public LatencySink {
 public:
  static constexpr size_t kSamples = 160;

  struct Sample {
    int64_t time_s = 0;
    uint32_t ms = 0;
  };
  struct Latest {
    std::string event;
    int64_t time_s;
    uint32_t latest_ms, max_ms;
  };

  void set_threshold_ms(int64_t ms) { threshold_ms_.store(ms, std::memory_order_relaxed); }
  // Records `ms` for `event` if the monitor is on and ms reaches the threshold.
  void AddIfNeeded(std::string_view event, int64_t ms, int64_t now_s) {
    const int64_t t = threshold_ms_.load(std::memory_order_relaxed);
    if (t > 0 && ms >= t) Add(event, ms, now_s);
  }
  void Add(std::string_view event, int64_t ms, int64_t now_s);
  // LatencySink: what the layers below report (base/latency_events.h), stamped now.
  void OnLatency(std::string_view event, int64_t us) override;

  // LATENCY LATEST: every event's newest sample and its worst, by event name.
  std::vector<Latest> LatestAll() const;
  // LATENCY HISTORY: the event's samples, oldest first (none for an unknown event).
  std::vector<Sample> History(std::string_view event) const;
  // LATENCY RESET: every event (empty list) or those named; returns how many were reset.
  size_t Reset(const std::vector<std::string>& events);

  struct EventSeries {
    std::string event;
    std::vector<Sample> samples;  // oldest first
    uint32_t max_ms = 0;
  };
  // Every event's samples, by event name.
  std::vector<EventSeries> All() const;
  int64_t threshold_ms() const { return threshold_ms_.load(std::memory_order_relaxed); }

 private:
  struct Series {
    Sample samples[kSamples];
    size_t next = 0;  // where the next sample goes (a ring)
    uint32_t max_ms = 0;
  };
  std::atomic<int64_t> threshold_ms_{0};
  mutable std::mutex mu_;
  std::map<std::string, Series, std::less<>> series_;  // GUARDED_BY(mu_)
};

// LATENCY GRAPH: Redis's ASCII graph of an event's samples (a title line, a rule, four rows of
// sparkline, then each sample's age as a vertical label), seen at `now_s`.
std::string LatencyGraph(const LatencyMonitor::EventSeries& series, int64_t now_s);

// What LATENCY DOCTOR's advice depends on.
struct DoctorSettings {
  int64_t slowlog_log_slower_than_us = 0;
  int64_t slowlog_max_len = 0;
  int64_t hz = 10;
  bool appendfsync_always = false;
};
// LATENCY DOCTOR: Redis's report (each event's spikes, average, mean deviation and period, then
// the advice its events call for), for Redis's events and Strata's own (wal-write, wal-fsync,
// snapshot-step, tier-read).
std::string LatencyDoctor(const LatencyMonitor& monitor, const DoctorSettings& settings,
                          int64_t now_s);

}  // namespace strata::server
