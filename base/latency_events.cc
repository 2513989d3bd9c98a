#include "base/latency_events.h"

namespace strata {

void SetLatencySink(LatencySink* sink) {
  internal::latency_sink.store(sink, std::memory_order_release);
}

void ClearLatencySink(LatencySink* sink) {
  LatencySink* expected = sink;
  internal::latency_sink.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel);
}

}  // namespace strata
