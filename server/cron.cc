// Server::CronLoop: the housekeeping thread (server.h).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>

#include "base/clock.h"
#include "base/logging.h"
#include "engine/evict.h"
#include "server/server.h"

namespace strata::server {

void Server::CronLoop() {
  // Housekeeping, hz times a second: active expiry and incremental rehashing, a shard at a time
  // under its lock, with a time budget per shard so no shard stalls for long.
  constexpr int kSamples = 16;
  int64_t sample_ops[kSamples] = {0}, sample_us[kSamples] = {0};
  int sample = 0;
  int64_t last_sample_us = MonotonicUs();
  uint64_t last_ops = stats_.commands();
  engine::RedoRecord cron_redo;
  while (!shutting_down()) {
    if (persistence_->always()) {
      // As Redis: under appendfsync always a write the log cannot take cannot be acknowledged,
      // and the replies waiting for it never can; stop rather than hang those clients.
      Status st = persistence_->error();
      if (!st.ok()) {
        LOG_WARN(
            "Can't recover from write-ahead log write error when appendfsync is 'always' "
            "(%s). Exiting...",
            st.message().c_str());
        std::_Exit(1);
      }
    }
    int64_t now_us = MonotonicUs();
    if (now_us - last_sample_us >= 100000) {  // instantaneous_ops_per_sec, as Redis samples it
      NoteMemoryPeak(AllocatedBytes());
      uint64_t ops = stats_.commands();
      sample_ops[sample % kSamples] = static_cast<int64_t>(ops - last_ops);
      sample_us[sample % kSamples] = now_us - last_sample_us;
      ++sample;
      int64_t total_ops = 0, total_us = 0;
      for (int i = 0; i < kSamples; ++i) {
        total_ops += sample_ops[i];
        total_us += sample_us[i];
      }
      ops_per_sec_ = total_us ? total_ops * 1000000 / total_us : 0;
      last_ops = ops;
      last_sample_us = now_us;
    }
    int64_t hz = std::clamp<int64_t>(config_->Int(Param::kHz), 1, 500);
    int64_t period_us = 1000000 / hz;
    int64_t start = MonotonicUs();
    int64_t now_ms = NowMs();
    // Redis spends up to 25% of a cron period on expiry; split it across shards.
    int64_t budget = std::max<int64_t>(50, period_us / 4 / keyspace_->num_shards());
    const int64_t expire_started_us = MonotonicUs();
    for (int i = 0; i < keyspace_->num_shards(); ++i) {
      engine::Shard& s = keyspace_->shard(i);
      // Expired keys are logged as deletes, committed before the shard's lock is released.
      engine::RedoRecord* redo = &cron_redo;
      engine::ShardLocks l(keyspace_.get(), static_cast<uint32_t>(i), redo);
      s.ActiveExpire(now_ms, budget, redo);
      s.Migrate(std::min<int64_t>(budget, 1000));
    }
    latency_.AddIfNeeded("expire-cycle", (MonotonicUs() - expire_started_us) / 1000, now_ms / 1000);
    if (tier_ != nullptr) {
      UpdateTierBudget();
      DemoteOverBudget(&cron_redo);
    }
    // Eviction between commands too, so that a lowered maxmemory takes effect without traffic.
    const int64_t maxmemory = config_->Int(Param::kMaxmemory);
    if (maxmemory > 0) {
      const int64_t evict_started_us = MonotonicUs();
      (void)engine::EvictToLimit(*keyspace_, static_cast<size_t>(maxmemory), now_ms, period_us / 4,
                                 &cron_redo);
      latency_.AddIfNeeded("eviction-cycle", (MonotonicUs() - evict_started_us) / 1000,
                           now_ms / 1000);
    }
    // tracking-table-max-keys lowered: keys past it are dropped (with their invalidations).
    tracking_.Limit(config_->Int(Param::kTrackingTableMaxKeys));
    int64_t left = period_us - (MonotonicUs() - start);
    // CLIENT PAUSE ends on time, not on the next tick.
    if (const int64_t pause_end = client_pause_.Tick(NowMs()); pause_end > 0) {
      left = std::min(left, (pause_end - NowMs()) * 1000 + 1000);
    }
    std::unique_lock<std::mutex> l(wait_mu_);
    if (left > 0 && !shutdown_) wait_cv_.wait_for(l, std::chrono::microseconds(left));
  }
}

}  // namespace strata::server
