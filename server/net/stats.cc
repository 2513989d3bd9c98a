#include "server/net/stats.h"

namespace strata::server {

void ServerStats::InitWorkers(int n) {
  workers_ = std::make_unique<WorkerCounters[]>(n);
  num_workers_ = n;
}

uint64_t ServerStats::Sum(std::atomic<uint64_t> WorkerCounters::*field) const {
  uint64_t n = 0;
  for (int i = 0; i < num_workers_; ++i) n += (workers_[i].*field).load(std::memory_order_relaxed);
  return n;
}

void ServerStats::Reset() {
  connections_received = 0;
  rejected_connections = 0;
  protocol_errors = 0;
  output_limit_disconnections = 0;
  query_limit_disconnections = 0;
  backpressure_pauses = 0;
  command_exceptions = 0;
  base_commands_ = Sum(&WorkerCounters::commands);
  base_in_ = Sum(&WorkerCounters::net_input_bytes);
  base_out_ = Sum(&WorkerCounters::net_output_bytes);
  base_reads_ = Sum(&WorkerCounters::reads);
  base_writes_ = Sum(&WorkerCounters::writes);
}

}  // namespace strata::server
