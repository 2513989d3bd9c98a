// Tiering: the engine's side of the overflow tier (engine/tier.h is the store). It decides which
// values go to the tier and when: each shard's budget, derived from maxmemory, and Demote, which
// turns a shard's coldest values into stubs (and, when the tier is full, evicts stubs as the
// policy allows). It also brings values back off the event loop: ColdKeys finds the stubs a
// command will read, LoadCached promotes those the tier holds in memory, LoadAsync reads the
// others on the tier's threads and promotes them. A lookup that meets a stub on the command's
// own path reads it synchronously (Shard::Load), so a command never sees a stub it needs whole.
//
// Thread safety: every method may be called from any thread. Demote REQUIRES the shard's lock;
// the others take the shard locks they need.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/evict.h"
#include "engine/keyspace.h"
#include "engine/redo.h"
#include "engine/shard.h"
#include "engine/tier.h"

namespace strata::engine {

class Tiering {
 public:
  // ks and tier are borrowed and must outlive the Tiering; ks.tier() must be &tier (set by the
  // owner, before the keyspace is shared). The tier's readers must be stopped
  // (Tier::StopReaders) before the Tiering goes: LoadAsync's jobs use it.
  Tiering(Keyspace& ks, Tier& tier) : ks_(ks), tier_(tier) {}
  Tiering(const Tiering&) = delete;
  Tiering& operator=(const Tiering&) = delete;

  Keyspace& keyspace() { return ks_; }
  Tier& tier() { return tier_; }

  // ---- Budget ----
  // Sets what each shard may hold before it demotes, and what its stored values may reach before
  // the tier is full, from maxmemory (<= 0: no limit, nothing is demoted), tier-max-bytes (0: no
  // bound) and the bytes the process has allocated. maxmemory bounds what the process
  // allocates, as in Redis, except the tier's block cache (its own setting): the dataset gets
  // maxmemory less everything else allocated (connection buffers, RocksDB's memtables, ...),
  // but never less than half of it.
  void SetBudget(int64_t maxmemory, uint64_t tier_max_bytes, size_t allocated_bytes);
  // What each shard may hold before it demotes (0 = no limit), and what its stored values may
  // reach before the tier is full (0 = no bound).
  size_t shard_budget() const { return shard_budget_.load(std::memory_order_relaxed); }
  uint64_t tier_shard_budget() const { return tier_shard_budget_.load(std::memory_order_relaxed); }

  // ---- Demotion ----
  // Demotes s's coldest values to the tier until s.used_bytes() <= target_bytes, nothing more
  // can be demoted, or budget_us has passed. Coldness is cfg's LFU counter under an LFU policy,
  // else the LRU clock. When the shard's stored values would pass tier_share_bytes (0 = no
  // bound), the tier is full: stubs are evicted in cfg.policy's order (noeviction: none, so
  // demotion stops; volatile-*: keys with a TTL only), each delete recorded in `redo`; with
  // `evict` false, none are. Returns the bytes freed in RAM. REQUIRES: s.mu(), s of ks.
  size_t Demote(Shard& s, size_t target_bytes, uint64_t tier_share_bytes, const EvictionConfig& cfg,
                bool evict, int64_t budget_us, RedoRecord* redo);
  // If shard i is over its budget (and there is one), demotes down to 95% of it, so that the
  // next few writes need no demotion, evicting from a full tier as the policy allows; the
  // evictions are recorded in `redo` and committed when the shard's lock is released.
  void DemoteShard(uint32_t i, RedoRecord* redo);
  // DemoteShard for every shard whose published size (Shard::used_bytes_hint) is over budget.
  void DemoteOverBudget(RedoRecord* redo);

  // ---- Loading off the event loop ----
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
  // Reads the values of `refs` on a tier thread, promotes them (Promote), then calls done() (if
  // any) on that thread.
  void LoadAsync(std::vector<ColdRef> refs, std::function<void()> done);

 private:
  // Puts a value read off the event loop in place of key's stub, if key still has the stub of
  // tier id `id`. REQUIRES: s.mu().
  void Promote(Shard& s, int db, std::string_view key, uint64_t hash, uint64_t id,
               std::string_view blob);
  // Promotes blob as r's value, then demotes if the shard is over budget (without evicting:
  // a read never evicts, since that is logged, by writes). Takes the shard's lock.
  void PromoteRef(const ColdRef& r, std::string_view blob);
  // Drops the stub at slot because the tier is full; returns its stored bytes. REQUIRES: s.mu().
  uint64_t EvictStub(Shard& s, int db, Table::Slot slot, RedoRecord* redo);

  Keyspace& ks_;
  Tier& tier_;
  std::atomic<size_t> shard_budget_{0};
  std::atomic<uint64_t> tier_shard_budget_{0};
};

}  // namespace strata::engine
