// Latency events: a layer below the server reports how long a step that may stall took (a WAL
// write or fsync, a snapshot step under a shard's lock, a read from the overflow tier), and the
// server's latency monitor (LATENCY, latency-monitor-threshold) keeps those past its threshold.
// With no sink set a report costs one atomic load.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace strata {

class LatencySink {
 public:
  virtual ~LatencySink() = default;
  // `event` took `us` microseconds. Called from any thread.
  virtual void OnLatency(std::string_view event, int64_t us) = 0;
};

// Where reports go (nullptr: nowhere). The sink must outlive its setting.
void SetLatencySink(LatencySink* sink);
// Unsets `sink` if it is the one set (a server going away).
void ClearLatencySink(LatencySink* sink);

namespace internal {
inline std::atomic<LatencySink*> latency_sink{nullptr};
}  // namespace internal

inline void ReportLatency(std::string_view event, int64_t us) {
  LatencySink* sink = internal::latency_sink.load(std::memory_order_acquire);
  if (sink != nullptr) sink->OnLatency(event, us);
}

}  // namespace strata
