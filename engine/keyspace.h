// Keyspace: the sharded in-RAM primary index of all databases.
//
// The keyspace is split into S shards (a power of two). A key's shard is picked by the top bits
// of HashKey(key); the low bits pick its bucket. The database number is deliberately not part
// of the shard choice: SWAPDB then swaps per-shard tables instead of moving keys between shards.
// Each shard owns, for each of the 16 databases, a Table, plus its memory and expiry counters,
// all guarded by the shard's mutex. A command locks the shards of its keys (ascending order,
// through ShardLocks) for as long as it touches them; there is no global lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/entry.h"
#include "engine/evict.h"
#include "engine/redo.h"
#include "engine/shard.h"
#include "engine/shard_locks.h"
#include "engine/value.h"

namespace strata::engine {

struct KeyspaceOptions {
  // Number of shards; rounded up to a power of two, at most 1024. Default 64.
  int shards = 64;
  // Number of logical databases (Redis's `databases`). Default 16.
  int databases = 16;
  // Thresholds of the collections' compact encodings (engine/value.h). Default: Redis's.
  // Keyspace::set_encoding_limits changes them later.
  EncodingLimits encoding = EncodingLimits();
};

class Tier;

class Keyspace {
 public:
  explicit Keyspace(const KeyspaceOptions& options = KeyspaceOptions());

  int num_shards() const { return static_cast<int>(shards_.size()); }
  int num_dbs() const { return databases_; }
  uint32_t ShardOf(uint64_t hash) const { return shift_ == 64 ? 0 : hash >> shift_; }
  Shard& shard(uint32_t i) { return *shards_[i]; }

  // Locks the shards of the given keys (or all). See ShardLocks for `redo`.
  ShardLocks Lock(std::string_view key, RedoRecord* redo = nullptr);
  ShardLocks Lock(std::span<const std::string_view> keys, RedoRecord* redo = nullptr);
  ShardLocks LockAll(RedoRecord* redo = nullptr);

  // Where committed redo records go; null (the default) records nothing. Set before the
  // keyspace is shared between threads; the sink must outlive the keyspace's use.
  void set_redo_sink(RedoSink* sink) { redo_sink_ = sink; }
  RedoSink* redo_sink() const { return redo_sink_; }
  // Who is told of committed records (null: nobody). Same rules as set_redo_sink.
  void set_change_listener(ChangeListener* l) { change_listener_ = l; }
  ChangeListener* change_listener() const { return change_listener_; }
  // Who is told of keys created, expired and evicted (null: nobody). Same rules.
  void set_key_event_listener(KeyEventListener* l) {
    for (auto& s : shards_) s->set_key_events(l);
  }

  // The encoding limits every change to a collection is applied with (KeyspaceOptions::encoding
  // until set again), set by the server when its config changes. Thread safe.
  void set_encoding_limits(const EncodingLimits& limits) { limits_.Store(limits); }
  EncodingLimits encoding_limits() const { return limits_.Load(); }

  // The eviction settings (maxmemory-policy, maxmemory-samples, lfu-*), set by the server when
  // its config changes; read by every access. Thread safe (relaxed atomics: a reader may see a
  // mix of an old and a new setting for a moment, which only affects one access's bookkeeping).
  void set_eviction(const EvictionConfig& c);
  EvictionConfig eviction() const;
  EvictionPolicy eviction_policy() const { return policy_.load(std::memory_order_relaxed); }
  // The access field of an entry created now (engine/evict.h).
  uint32_t NewAccessClock(int64_t now_ms) const {
    return engine::NewAccessClock(eviction_policy(), now_ms);
  }
  // An access field `clock` (of an entry of shard s) after an access at now_ms. REQUIRES: s.mu().
  uint32_t AccessedClock(Shard& s, uint32_t clock, int64_t now_ms);
  // Records an access to e (of shard s) at now_ms. REQUIRES: s.mu().
  void Touch(Shard& s, Entry* e, int64_t now_ms) {
    // A value on probation is admitted by an access within kAdmitSeconds of the one before.
    if (e->on_probation() && IdleSeconds(e) <= kAdmitSeconds) e->set_probation(false);
    e->set_access_clock(AccessedClock(s, e->access_clock(), now_ms));
  }
  static constexpr uint32_t kAdmitSeconds = 2;
  // Where EvictToLimit starts its next round of shards (spreads evictions). Thread safe.
  uint32_t NextEvictStart() {
    return evict_start_.fetch_add(1, std::memory_order_relaxed) & (shards_.size() - 1);
  }

  // One snapshot capture at a time (engine/capture.h): claim before, release after.
  bool TryClaimCapture() {
    bool expected = false;
    return capture_claimed_.compare_exchange_strong(expected, true);
  }
  void ReleaseCapture() { capture_claimed_.store(false); }
  // The parity the next capture uses (flips on each call). Only the claimant calls it.
  bool NextCaptureParity() { return capture_parity_ = !capture_parity_; }

  // The overflow tier (null: none). Set before the keyspace is shared, and before loading a
  // snapshot that holds stubs. What goes there and comes back when is engine/tiering.h.
  void set_tier(Tier* tier);
  Tier* tier() const { return tier_; }
  // Frees large removed values off the calling thread (engine/lazy_free.h).
  LazyFree& lazy_free() { return *lazy_free_; }

  // The function libraries (an opaque payload: RedoOp::kFunctions), kept here so snapshots and
  // recovery carry them with the keys. Set and read with every shard locked, or during recovery.
  const std::string& functions() const { return functions_; }
  void set_functions(std::string payload) { functions_ = std::move(payload); }
  // Summed over shards: stubs, and the bytes of their stored values.
  uint64_t TierKeys();
  uint64_t TierBytes();
  // Keys in db (expired but not yet reclaimed keys included, as Redis's DBSIZE).
  size_t DbSize(int db);
  // Total bytes of entries and buckets across shards.
  size_t UsedBytes();
  // Sum of the shards' used_bytes_hint(): UsedBytes() as of the last release of each shard's
  // lock, read without locking.
  size_t UsedBytesHint() const;
  // Summed counters across shards.
  uint64_t EvictedKeys();
  uint64_t ExpiredKeys();
  uint64_t Hits();
  uint64_t Misses();
  // Zeroes every shard's counters (CONFIG RESETSTAT).
  void ResetStats();

 private:
  // One counter of ShardStats summed over the shards.
  uint64_t SumStat(std::atomic<uint64_t> ShardStats::*field) const;
  // Declared before the shards: destroyed after them, so a table a shard hands it is freed.
  std::unique_ptr<LazyFree> lazy_free_ = std::make_unique<LazyFree>();
  std::string functions_;
  std::vector<std::unique_ptr<Shard>> shards_;
  RedoSink* redo_sink_ = nullptr;
  Tier* tier_ = nullptr;
  ChangeListener* change_listener_ = nullptr;
  std::atomic<bool> capture_claimed_{false};
  bool capture_parity_ = false;  // the parity of the last capture (all shards start at false)
  std::atomic<EvictionPolicy> policy_{EvictionPolicy::kNoEviction};
  std::atomic<int> samples_{5};
  std::atomic<int> lfu_log_factor_{10};
  std::atomic<int> lfu_decay_time_{1};
  std::atomic<uint32_t> evict_start_{0};
  SharedEncodingLimits limits_;  // the shards hold a reference
  int databases_;
  int shift_;
};

}  // namespace strata::engine
