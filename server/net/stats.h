// Connection-level counters: what INFO stats reports of the network layer.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace strata::server {

// Counters bumped on every command or read/write: one cache line per worker, written only by
// that worker (a plain load+store, no contended read-modify-write on the hot path) and summed
// when INFO reads them.
struct alignas(64) WorkerCounters {
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> net_input_bytes{0};
  std::atomic<uint64_t> net_output_bytes{0};
  std::atomic<uint64_t> reads{0}, writes{0};  // completed socket reads and writes
  // REQUIRES: called only by the owning worker.
  static void Add(std::atomic<uint64_t>& c, uint64_t n) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

// Thread safe: any thread may read; each WorkerCounters is written by its worker only.
struct ServerStats {
  std::atomic<uint64_t> connections_received{0};
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> protocol_errors{0};
  std::atomic<uint64_t> output_limit_disconnections{0};  // client-output-buffer-limit
  std::atomic<uint64_t> query_limit_disconnections{0};   // client-query-buffer-limit
  std::atomic<uint64_t> backpressure_pauses{0};          // client-output-backpressure
  std::atomic<uint64_t> command_exceptions{0};  // commands that failed by an exception (dispatch)

  void InitWorkers(int n);  // before the workers start
  WorkerCounters& worker(int i) { return workers_[i]; }
  uint64_t commands() const { return Sum(&WorkerCounters::commands) - base_commands_; }
  uint64_t net_input_bytes() const { return Sum(&WorkerCounters::net_input_bytes) - base_in_; }
  uint64_t net_output_bytes() const { return Sum(&WorkerCounters::net_output_bytes) - base_out_; }
  // INFO's total_reads_processed and total_writes_processed.
  uint64_t reads() const { return Sum(&WorkerCounters::reads) - base_reads_; }
  uint64_t writes() const { return Sum(&WorkerCounters::writes) - base_writes_; }
  // CONFIG RESETSTAT: zeroes the global counters and rebases the per-worker sums.
  void Reset();

 private:
  uint64_t Sum(std::atomic<uint64_t> WorkerCounters::*field) const;
  std::unique_ptr<WorkerCounters[]> workers_;
  int num_workers_ = 0;
  std::atomic<uint64_t> base_commands_{0}, base_in_{0}, base_out_{0}, base_reads_{0},
      base_writes_{0};
};

}  // namespace strata::server
