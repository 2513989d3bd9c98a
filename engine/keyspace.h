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
#include <functional>
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

namespace strata::engine {

struct KeyspaceOptions {
  // Number of shards; rounded up to a power of two, at most 1024. Default 64.
  int shards = 64;
  // Number of logical databases (Redis's `databases`). Default 16.
  int databases = 16;
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
  // snapshot that holds stubs.
  void set_tier(Tier* tier);
  Tier* tier() const { return tier_; }
  // A stub found by ColdKeys, to load with LoadAsync.
  struct ColdRef {
    int db;
    std::string key;
    uint64_t tier_id;
  };
  // Appends to *out the keys of db among `keys` that are stubs now (live, not expired).
  void ColdKeys(int db, std::span<const std::string_view> keys, int64_t now_ms,
                std::vector<ColdRef>* out);
  // Promotes at once the values of `refs` that the tier has in memory (Tier::GetCached: no
  // disk read), and removes them from refs.
  void LoadCached(std::vector<ColdRef>* refs);
  // Reads the values of `refs` on a tier thread, promotes them (Shard::Promote), then calls
  // done() (if any) on that thread. REQUIRES: tier() set.
  void LoadAsync(std::vector<ColdRef> refs, std::function<void()> done);
  // What each shard may hold before it demotes (0 = no limit), and what its stored values may
  // reach before the tier is full (0 = no bound). Set by the server from maxmemory and
  // tier-max-bytes.
  void set_tier_budget(size_t shard_bytes, uint64_t tier_shard_bytes) {
    budget_shard_bytes_.store(shard_bytes, std::memory_order_relaxed);
    budget_tier_bytes_.store(tier_shard_bytes, std::memory_order_relaxed);
  }
  size_t shard_budget() const { return budget_shard_bytes_.load(std::memory_order_relaxed); }
  uint64_t tier_shard_budget() const { return budget_tier_bytes_.load(std::memory_order_relaxed); }
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
  std::vector<std::unique_ptr<Shard>> shards_;
  RedoSink* redo_sink_ = nullptr;
  Tier* tier_ = nullptr;
  std::atomic<size_t> budget_shard_bytes_{0};
  std::atomic<uint64_t> budget_tier_bytes_{0};
  // Promotes blob as key's value (Shard::Promote), then demotes if the shard is over budget.
  void PromoteRef(const ColdRef& r, std::string_view blob);
  ChangeListener* change_listener_ = nullptr;
  std::atomic<bool> capture_claimed_{false};
  bool capture_parity_ = false;  // the parity of the last capture (all shards start at false)
  std::atomic<EvictionPolicy> policy_{EvictionPolicy::kNoEviction};
  std::atomic<int> samples_{5};
  std::atomic<int> lfu_log_factor_{10};
  std::atomic<int> lfu_decay_time_{1};
  std::atomic<uint32_t> evict_start_{0};
  int databases_;
  int shift_;
};

}  // namespace strata::engine
