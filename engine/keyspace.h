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
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/entry.h"
#include "engine/evict.h"
#include "engine/redo.h"
#include "engine/table.h"

namespace strata::engine {

struct KeyspaceOptions {
  // Number of shards; rounded up to a power of two, at most 1024. Default 64.
  int shards = 64;
  // Number of logical databases (Redis's `databases`). Default 16.
  int databases = 16;
};

// Counters of one shard. Guarded by the shard's mutex for writers; read racily for INFO through
// the atomics.
struct ShardStats {
  std::atomic<uint64_t> expired_keys{0};
  std::atomic<uint64_t> evicted_keys{0};
  std::atomic<uint64_t> tier_keys{0};   // stubs (values in the tier)
  std::atomic<uint64_t> tier_bytes{0};  // bytes of their stored values
  std::atomic<uint64_t> keyspace_hits{0};
  std::atomic<uint64_t> keyspace_misses{0};
};

class Tier;

class Shard {
 public:
  explicit Shard(int databases);

  std::mutex& mu() { return mu_; }

  // used_bytes() as of the last SyncUsedBytesHint(), readable without the lock (relaxed): what
  // the maxmemory check reads. ShardLocks::Release() syncs it for every shard it held.
  size_t used_bytes_hint() const { return used_hint_.load(std::memory_order_relaxed); }

  // All below REQUIRE mu() held.
  void SyncUsedBytesHint() { used_hint_.store(used_bytes(), std::memory_order_relaxed); }
  int num_dbs() const { return static_cast<int>(dbs_.size()); }
  Table& table(int db) { return dbs_[db].table; }
  size_t volatile_keys(int db) const { return dbs_[db].volatile_keys; }
  // Bytes of entries and bucket arrays owned by this shard.
  size_t used_bytes() const;

  // The live entry for key, or null. An expired entry is deleted on the way (lazy expiry), and
  // the delete recorded in `redo` unless it is null. With `load`, a stub's value is brought
  // back from the tier first (Load); else the entry may be a stub (Entry::cold): enough for
  // the key's type and TTL.
  Entry* Find(int db, std::string_view key, uint64_t hash, int64_t now_ms, RedoRecord* redo,
              bool load = false);
  Table::Slot FindSlot(int db, std::string_view key, uint64_t hash, int64_t now_ms,
                       RedoRecord* redo, bool load = false);
  // Inserts e (key absent) or replaces the existing entry for its key. Takes ownership.
  void Upsert(int db, Entry* e, uint64_t hash);
  // Replaces the entry at slot by e (same key). Takes ownership of e, frees the old entry.
  void ReplaceAt(int db, Table::Slot slot, Entry* e);
  // Removes and frees the entry at slot.
  void EraseAt(int db, Table::Slot slot);
  // Removes the entry at slot and hands it to the caller (for RENAME/MOVE).
  Entry* TakeAt(int db, Table::Slot slot);
  // Sets the TTL (0 = none) of the entry at slot, rebuilding it if it has no expire field.
  void SetExpireAt(int db, Table::Slot slot, int64_t expire_ms);
  // APPEND: with slot null, inserts key holding suffix; else replaces the string at slot by
  // itself followed by suffix, keeping its TTL (and marking it raw, as Redis's APPEND does).
  // Returns the new length. REQUIRES: slot null or holding a string. `clock`: access clock.
  size_t AppendAt(int db, Table::Slot slot, std::string_view key, uint64_t hash,
                  std::string_view suffix, uint32_t clock);
  // Applies one collection effect (IsCollectionOp(op)) to key, live or in replay: creates the
  // key holding an empty value when absent and the effect creates (EffectCreates), else does
  // nothing; deletes the key when its collection is left empty. Corruption if the key holds
  // another type or the body is malformed. *out (if given): the entry after, null if none.
  // No expiry check: a live caller has looked the key up first.
  Status ApplyEffect(int db, std::string_view key, uint64_t hash, RedoOp op,
                     std::string_view body, uint32_t clock, Entry** out = nullptr);
  // ---- The overflow tier (engine/tier.h) ----
  // If the entry at slot is a stub, reads its value from the tier and puts the whole entry in
  // its place (a synchronous read: Keyspace::LoadAsync is the way that keeps the event loop
  // free). Returns false if the value can't be read: the key is then dropped, and the error
  // logged and counted.
  bool Load(int db, Table::Slot slot);
  // Puts a value read off the event loop (LoadAsync) in place of key's stub, if key still has
  // the stub of tier id `id`.
  void Promote(int db, std::string_view key, uint64_t hash, uint64_t id, std::string_view blob);
  // Demotes the coldest values to the tier until used_bytes() <= target_bytes, nothing more can
  // be demoted, or budget_us has passed. Coldness is cfg's LFU counter under an LFU policy, else
  // the LRU clock. When the shard's stored values would pass tier_share_bytes (0 = no bound),
  // the tier is full: stubs are evicted in cfg.policy's order (noeviction: none, so demotion
  // stops; volatile-*: keys with a TTL only), each delete recorded in `redo`; with `evict`
  // false, none are. Returns the bytes freed in RAM.
  size_t Demote(size_t target_bytes, uint64_t tier_share_bytes, const EvictionConfig& cfg,
                bool evict, int64_t budget_us, RedoRecord* redo);
  // Frees every entry of db.
  void Clear(int db);
  void Swap(int db1, int db2);

  // One step of active expiry over every database: deletes expired entries it meets, walking
  // each table with a cursor, until budget_us has passed. Returns the keys it deleted. Each
  // delete is recorded in `redo` unless it is null.
  size_t ActiveExpire(int64_t now_ms, int64_t budget_us, RedoRecord* redo);
  // Moves buckets of resizes under way for at most budget_us.
  void Migrate(int64_t budget_us);

  // ---- Snapshot capture (engine/capture.h drives it) ----
  // While a capture is under way, every entry that existed at the capture's moment is written
  // exactly once into the shard's capture buffer, as it was at that moment: by the walker, or by
  // Preserve() just before a command changes or removes it (copy-on-write at entry grain). An
  // entry's snapshot mark equal to snap_parity_ means "nothing to write": written already, or
  // created after the moment. Each capture flips the parity, which makes every entry unwritten
  // at once without touching them.
  //
  // Writes e (of db) into the capture buffer if the capture still needs it. REQUIRES: mu().
  void Preserve(int db, Entry* e) {
    if (capturing_ && e->snap_mark() != snap_parity_) {
      capture_.Put(db, *e);
      ++capture_entries_;
      capture_bytes_.store(capture_.bytes().size(), std::memory_order_relaxed);
    }
    e->set_snap_mark(snap_parity_);
  }
  bool capturing() const { return capturing_; }
  // Starts capturing with the given parity and freezes the tables so that the walk sees each
  // entry once (REQUIRES: mu(), and every shard's mu() held so that the moment is one for the
  // whole keyspace).
  void BeginCapture(bool parity);
  // Ends capturing (REQUIRES: mu() and everything written).
  void EndCapture();
  // Hands the capture buffer to the caller (a redo record of Put effects; empty if nothing) and
  // the number of entries it holds. REQUIRES: mu().
  uint32_t TakeCaptured(std::string* batch);
  // Bytes waiting in the capture buffer; read without the lock (a hint for draining).
  size_t captured_bytes() const { return capture_bytes_.load(std::memory_order_relaxed); }

  ShardStats& stats() { return stats_; }
  const ShardStats& stats() const { return stats_; }
  void set_tier(Tier* tier) { tier_ = tier; }
  // Whether promoted values start on probation (Entry::on_probation): not under an LFU policy,
  // whose counter already tells a key read once from a hot one.
  void set_probation(bool on) { probation_.store(on, std::memory_order_relaxed); }
  // The shard's eviction candidates (engine/evict.h). REQUIRES: mu().
  EvictionPool& evict_pool() { return evict_pool_; }
  // A pseudo-random number (xorshift64*), for sampling and the LFU counter. REQUIRES: mu().
  uint64_t NextRandom() {
    rnd_ ^= rnd_ >> 12;
    rnd_ ^= rnd_ << 25;
    rnd_ ^= rnd_ >> 27;
    return rnd_ * 0x2545F4914F6CDD1DULL;
  }
  // LSN of the last redo record that changed this shard (0 = none since start).
  uint64_t last_lsn() const { return last_lsn_; }
  void set_last_lsn(uint64_t lsn) { last_lsn_ = lsn; }

 private:
  struct Db {
    Table table;
    size_t volatile_keys = 0;
    uint64_t expire_cursor = 0;
  };
  // Counts e in (+1) or out (-1) of the shard's bytes. Counting out a stub, or a value with a
  // tier copy, discards its stored value unless `discard` is false.
  void Account(const Entry* e, int db, int sign, bool discard = true);
  // An entry about to join the table: nothing for the capture under way to write.
  void Adopt(Entry* e) const { e->set_snap_mark(snap_parity_); }
  // Preserve() for every entry of db (before FLUSHDB or SWAPDB change it wholesale).
  void PreserveDb(int db);

  // Drops the stub at slot because the tier is full; returns its stored bytes.
  uint64_t EvictStub(int db, Table::Slot slot, RedoRecord* redo);
  // Replaces the entry at slot by e, its other form (a stub by its value or the other way),
  // which takes over the stored value: nothing is discarded.
  void SwapForm(int db, Table::Slot slot, Entry* e);

  std::mutex mu_;
  Tier* tier_ = nullptr;    // set before the shard is shared
  std::atomic<bool> probation_{true};
  size_t walk_db_ = 0;      // GUARDED_BY(mu_), where Demote's walk resumes
  size_t walk_pos_ = 0;     // GUARDED_BY(mu_)
  std::vector<Db> dbs_;     // GUARDED_BY(mu_)
  size_t entry_bytes_ = 0;  // GUARDED_BY(mu_)
  uint64_t last_lsn_ = 0;   // GUARDED_BY(mu_)
  bool snap_parity_ = false;  // GUARDED_BY(mu_)
  bool capturing_ = false;    // GUARDED_BY(mu_)
  RedoRecord capture_;        // GUARDED_BY(mu_)
  uint32_t capture_entries_ = 0;  // GUARDED_BY(mu_)
  std::atomic<size_t> capture_bytes_{0};
  std::atomic<size_t> used_hint_{0};
  EvictionPool evict_pool_;  // GUARDED_BY(mu_)
  uint64_t rnd_;             // GUARDED_BY(mu_); never 0
  ShardStats stats_;
};

class Keyspace;

// Told of every record committed through ShardLocks, while its shards are still locked (WATCH
// uses it to see which keys changed). Must be quick and must not lock shards.
class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  virtual void OnCommit(std::string_view record) = 0;
};

// Holds the locks of a set of shards, taken in ascending order; releases them on destruction.
// The common single-shard case allocates nothing. When given a RedoRecord, Release() first
// commits what was recorded to the keyspace's RedoSink (if any), still holding the locks, so the
// log's order is the order in which changes were applied, and records in `redo` the LSN the
// work done under the locks depends on (RedoRecord::dependency); `redo` must outlive the locks.
class ShardLocks {
 public:
  ShardLocks() = default;
  ShardLocks(Keyspace* ks, uint32_t shard, RedoRecord* redo = nullptr);
  // shards sorted, unique
  ShardLocks(Keyspace* ks, std::vector<uint32_t> shards, RedoRecord* redo = nullptr);
  ~ShardLocks() { Release(); }
  ShardLocks(ShardLocks&& o) noexcept
      : ks_(o.ks_), redo_(o.redo_), one_(o.one_), many_(std::move(o.many_)) {
    o.ks_ = nullptr;
  }
  ShardLocks& operator=(ShardLocks&& o) noexcept;
  ShardLocks(const ShardLocks&) = delete;
  ShardLocks& operator=(const ShardLocks&) = delete;
  void Release();

  // While a HoldAll lives on a thread, that thread holds every shard lock of ks (through a
  // LockAll it took before): ShardLocks it builds for ks lock nothing and commit nothing, so a
  // transaction's commands run under its one LockAll and their effects form one record.
  class HoldAll {
   public:
    explicit HoldAll(const Keyspace* ks);
    ~HoldAll();
    HoldAll(const HoldAll&) = delete;
    HoldAll& operator=(const HoldAll&) = delete;

   private:
    const Keyspace* prev_;
  };

 private:
  // Calls fn(shard) for every shard held.
  template <typename Fn>
  void ForEachShard(Fn fn);
  Keyspace* ks_ = nullptr;
  RedoRecord* redo_ = nullptr;
  int64_t one_ = -1;  // the only shard held, or -1 when many_ lists them
  std::vector<uint32_t> many_;
};

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

// A command's view of one database: routes each key to its shard. Every method REQUIRES the
// key's shard to be locked by the caller (a ShardLocks covering the key). `now_ms` is the
// command's time, used for every expiry decision it makes, as Redis caches the time per command.
// Every change, lazy expiry included, is recorded in `redo` unless it is null.
class DbView {
 public:
  DbView(Keyspace& ks, int db, int64_t now_ms, RedoRecord* redo = nullptr)
      : ks_(ks), db_(db), now_ms_(now_ms), redo_(redo) {}

  int db() const { return db_; }
  int64_t now_ms() const { return now_ms_; }
  Keyspace& keyspace() { return ks_; }

  // The live entry for key or null; refreshes its access clock.
  Entry* Find(std::string_view key);
  // As Find, but a value in the tier stays there: the entry may be a stub (Entry::cold), with
  // the key's type and TTL but no value (EXPIRE, PERSIST).
  Entry* FindKey(std::string_view key);
  // As Find, also counting a keyspace hit or miss (read commands).
  Entry* FindRead(std::string_view key);
  // As FindRead, but leaves the access clock alone (Redis's LOOKUP_NOTOUCH: EXISTS, TYPE, TTL and
  // OBJECT must not make a key look recently used), and leaves a value in the tier there: the
  // entry may be a stub (Entry::cold), which has the key's type and TTL but no value.
  Entry* Peek(std::string_view key);
  // As Peek, with the value (loaded from the tier if need be).
  Entry* PeekValue(std::string_view key);
  // Sets key to a string value with absolute expiry (0 = none).
  void SetString(std::string_view key, std::string_view value, int64_t expire_ms, bool raw = false);
  // Deletes key; returns whether it existed (live).
  bool Delete(std::string_view key);
  // Sets the TTL of an existing live key (0 = persist). Returns false if the key is missing.
  bool SetExpire(std::string_view key, int64_t expire_ms);
  // Removes key and returns its entry to the caller (null if missing), for RENAME/MOVE/COPY.
  Entry* Take(std::string_view key);
  // Inserts or replaces with an entry the caller built. Takes ownership.
  void Put(Entry* e);
  // Applies a collection effect to key and records it (Shard::ApplyEffect). Returns the entry
  // after, or null if the key does not exist after it (emptied, or never created). REQUIRES:
  // key absent or holding the effect's type (callers reply WRONGTYPE first) and a body built
  // by the type's encoder.
  Entry* Apply(RedoOp op, std::string_view key, std::string_view body);
  // Appends suffix to the string at key (created if absent), keeping its TTL. Returns the new
  // length. REQUIRES: key absent or holding a string.
  size_t Append(std::string_view key, std::string_view suffix);

 private:
  Shard& ShardFor(uint64_t hash) { return ks_.shard(ks_.ShardOf(hash)); }
  // Peek, PeekValue and FindRead: with touch, the access counts; with load, a stub's value is
  // brought back from the tier.
  Entry* Lookup(std::string_view key, bool touch, bool load);
  // The access field of a value written over `old` (null: a new key).
  uint32_t ClockAfterWrite(Shard& s, const Entry* old);
  Keyspace& ks_;
  int db_;
  int64_t now_ms_;
  RedoRecord* redo_;
};

}  // namespace strata::engine
