#include "engine/capture.h"

#include <mutex>

#include "base/clock.h"
#include "base/latency_events.h"
#include "engine/tier.h"

namespace strata::engine {

std::unique_ptr<Capture> Capture::Begin(Keyspace& ks, CaptureOptions options) {
  if (!ks.TryClaimCapture()) return nullptr;
  std::unique_ptr<Capture> c(new Capture(ks, options));
  const bool parity = ks.NextCaptureParity();
  ShardLocks all = ks.LockAll();
  c->moment_ms_ = NowMs();
  c->lsn_ = ks.redo_sink() != nullptr ? ks.redo_sink()->LastLsn() : 0;
  for (int i = 0; i < ks.num_shards(); ++i) ks.shard(i).BeginCapture(parity);
  c->functions_ = ks.functions();
  if (ks.tier() != nullptr) c->tier_generation_ = ks.tier()->Seal();
  return c;
}

Capture::~Capture() {
  if (!ran_) Run(nullptr).PermitUnchecked();
  ks_.ReleaseCapture();
}

void Capture::Emit(uint32_t shard, uint32_t entries) {
  if (entries == 0 || emit_ == nullptr || !*emit_ || !error_.ok()) return;
  error_ = (*emit_)(shard, batch_, entries);
}

void Capture::Drain(uint32_t shard, bool finish) {
  Shard& s = ks_.shard(shard);
  uint32_t entries;
  {
    std::lock_guard<std::timed_mutex> lock(s.mu());
    entries = s.TakeCaptured(&batch_);
    if (finish) s.EndCapture();
  }
  Emit(shard, entries);
}

Status Capture::Run(const CaptureEmit& emit) {
  ran_ = true;
  emit_ = &emit;
  if (!functions_.empty() && emit) {  // first, in shard 0's first block (no key in it)
    RedoRecord record;
    record.Functions(functions_);
    error_ = emit(0, record.bytes(), 0);
  }
  const uint32_t shards = static_cast<uint32_t>(ks_.num_shards());
  for (uint32_t id = 0; id < shards; ++id) {
    Shard& s = ks_.shard(id);
    for (int db = 0; db < ks_.num_dbs(); ++db) {
      size_t pos = 0;
      bool more = true;
      int steps = 0;
      while (more) {
        bool full;
        {
          std::lock_guard<std::timed_mutex> lock(s.mu());
          const int64_t locked_us = MonotonicUs();
          // The table is frozen (or unfrozen after writing out all it held): a linear walk
          // over its buckets meets every entry the capture still needs.
          Table& t = s.table(db);
          pos = t.Walk(pos, static_cast<size_t>(options_.buckets_per_lock),
                       [&](Entry* e) { s.Preserve(db, e); });
          more = pos < t.walk_end();
          full = s.captured_bytes() >= options_.batch_bytes;
          // How long commands on this shard waited for the step, at most.
          ReportLatency("snapshot-step", MonotonicUs() - locked_us);
        }
        if (full) Drain(id, false);
        // Commands write pre-images into shards the walk has not reached: hand those out too,
        // so that no buffer grows far past batch_bytes.
        if (++steps % 16 == 0) {
          for (uint32_t other = id + 1; other < shards; ++other) {
            if (ks_.shard(other).captured_bytes() >= options_.batch_bytes) Drain(other, false);
          }
        }
      }
    }
    Drain(id, true);
  }
  emit_ = nullptr;
  return error_;
}

}  // namespace strata::engine
