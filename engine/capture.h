// Capture: a point-in-time image of the whole keyspace, taken while commands keep running.
//
// Begin() is the moment: holding every shard lock for an instant, it notes the log's last LSN
// and starts capturing on every shard (Shard::BeginCapture). Run() then walks each shard's tables
// a few hundred entries per lock hold, writing every entry not yet written into the shard's
// capture buffer; a command that changes or removes an entry first writes it there
// (Shard::Preserve). Each entry that existed at the moment is written exactly once, as it was
// then; entries created later are not written. Nothing is copied up front and no shard is
// stopped for longer than one step of the walk, so memory grows by the buffers only, and
// latency stays close to normal.
//
// The buffers are handed to `emit` as batches: redo records of Put effects (engine/redo.h), so
// loading a batch is ApplyRedo. Each batch holds entries of one shard only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/keyspace.h"

namespace strata::engine {

struct CaptureOptions {
  size_t batch_bytes = 256 << 10;  // a shard's buffer is handed out once it holds this much
  int buckets_per_lock = 256;      // buckets the walker visits per hold of a shard lock
};

// Called with each batch, from Run()'s thread, with no lock held.
using CaptureEmit =
    std::function<Status(uint32_t shard, std::string_view batch, uint32_t entries)>;

class Capture {
 public:
  // Takes the moment. Null when another capture is under way.
  static std::unique_ptr<Capture> Begin(Keyspace& ks, CaptureOptions options = CaptureOptions());
  // Finishes the walk if Run() did not (marks must end consistent), then lets the next begin.
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  // The LSN of the last record logged before the moment (0 without a log): the image is the
  // state after exactly the records up to it.
  uint64_t lsn() const { return lsn_; }
  int64_t moment_ms() const { return moment_ms_; }
  // The tier's garbage generation sealed at the moment (Tier::Seal; 0 without a tier): once
  // the snapshot is durable, pass it to Tier::Released.
  uint64_t tier_generation() const { return tier_generation_; }

  // Walks every shard to the end, calling emit for each batch. After emit fails, the walk still
  // finishes (without emitting) and the first error is returned. Call once.
  Status Run(const CaptureEmit& emit);

 private:
  Capture(Keyspace& ks, CaptureOptions options) : ks_(ks), options_(options) {}
  // Hands shard s's buffer to emit (or drops it after an error). REQUIRES: no lock held.
  void Drain(uint32_t shard, bool finish);
  void Emit(uint32_t shard, uint32_t entries);

  Keyspace& ks_;
  const CaptureOptions options_;
  uint64_t lsn_ = 0;
  std::string functions_;  // the keyspace's function libraries at the moment
  int64_t moment_ms_ = 0;
  uint64_t tier_generation_ = 0;
  bool ran_ = false;
  const CaptureEmit* emit_ = nullptr;
  Status error_;
  std::string batch_;
};

}  // namespace strata::engine
