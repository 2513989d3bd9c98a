#include "server/latency.h"

#include <algorithm>

#include "base/clock.h"

namespace strata::server {

void LatencyMonitor::Add(std::string_view event, int64_t ms, int64_t now_s) {
  const uint32_t v = static_cast<uint32_t>(std::min<int64_t>(ms, UINT32_MAX));
  std::lock_guard<std::mutex> l(mu_);
  auto it = series_.find(event);
  if (it == series_.end()) it = series_.emplace(std::string(event), Series{}).first;
  Series& s = it->second;
  s.max_ms = std::max(s.max_ms, v);
  // One sample per second: a second's later events only raise its value.
  Sample& prev = s.samples[(s.next + kSamples - 1) % kSamples];
  if (prev.time_s == now_s) {
    prev.ms = std::max(prev.ms, v);
    return;
  }
  s.samples[s.next] = Sample{now_s, v};
  s.next = (s.next + 1) % kSamples;
}

void LatencyMonitor::OnLatency(std::string_view event, int64_t us) {
  AddIfNeeded(event, us / 1000, NowMs() / 1000);
}

std::vector<LatencyMonitor::Latest> LatencyMonitor::LatestAll() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<Latest> out;
  for (const auto& [event, s] : series_) {
    const Sample& last = s.samples[(s.next + kSamples - 1) % kSamples];
    out.push_back(Latest{event, last.time_s, last.ms, s.max_ms});
  }
  return out;
}

std::vector<LatencyMonitor::Sample> LatencyMonitor::History(std::string_view event) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<Sample> out;
  auto it = series_.find(event);
  if (it == series_.end()) return out;
  for (size_t i = 0; i < kSamples; ++i) {
    const Sample& s = it->second.samples[(it->second.next + i) % kSamples];
    if (s.time_s != 0) out.push_back(s);
  }
  return out;
}

std::vector<LatencyMonitor::EventSeries> LatencyMonitor::All() const {
  std::vector<EventSeries> out;
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [event, series] : series_) {
    EventSeries e{event, {}, series.max_ms};
    for (size_t i = 0; i < kSamples; ++i) {
      const Sample& s = series.samples[(series.next + i) % kSamples];
      if (s.time_s != 0) e.samples.push_back(s);
    }
    out.push_back(std::move(e));
  }
  return out;
}

size_t LatencyMonitor::Reset(const std::vector<std::string>& events) {
  std::lock_guard<std::mutex> l(mu_);
  if (events.empty()) {
    const size_t n = series_.size();
    series_.clear();
    return n;
  }
  size_t n = 0;
  for (const std::string& e : events) n += series_.erase(e);
  return n;
}

}  // namespace strata::server
