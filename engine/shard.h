// Shard: one slice of the keyspace. It owns, for each database, a Table, plus its memory and
// expiry counters, its eviction candidates and the state of a snapshot capture under way, all
// guarded by its mutex (a command takes it through ShardLocks). Every change to its entries goes
// through it, so that memory accounting, copy-on-write for captures and the tier's stored values
// stay consistent.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/entry.h"
#include "engine/evict.h"
#include "engine/redo.h"
#include "engine/lazy_free.h"
#include "engine/table.h"
#include "engine/value.h"

namespace strata::engine {

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

// What happens to keys outside any command's own doing, for keyspace notifications: a key
// created (by a command, a load, a move), one deleted because it expired (lazily or by the
// active cycle) or evicted, and a read lookup that found no key (counted in keyspace_misses).
// Told under the shard's lock, in the order of the changes.
enum class KeyEvent : uint8_t { kNew, kExpired, kEvicted, kMiss };
class KeyEventListener {
 public:
  virtual ~KeyEventListener() = default;
  virtual void OnKeyEvent(KeyEvent event, int db, std::string_view key) = 0;
};

class Shard {
 public:
  // `limits`: the encoding limits of the keyspace the shard belongs to, which outlive it; every
  // value the shard builds or changes is given them.
  Shard(int databases, const SharedEncodingLimits& limits);

  std::timed_mutex& mu() { return mu_; }

  // used_bytes() as of the last SyncUsedBytesHint(), readable without the lock (relaxed): what
  // the maxmemory check reads. ShardLocks::Release() syncs it for every shard it held.
  size_t used_bytes_hint() const { return used_hint_.load(std::memory_order_relaxed); }

  // All below REQUIRE mu() held.
  // Cheap when nothing changed since the last sync (a LockAll releases every shard: a script
  // or transaction would otherwise walk 64 shards' tables of 16 databases each).
  void SyncUsedBytesHint() {
    if (entry_bytes_ == synced_entry_bytes_ && tables_version_ == synced_tables_version_) return;
    synced_entry_bytes_ = entry_bytes_;
    synced_tables_version_ = tables_version_;
    used_hint_.store(used_bytes(), std::memory_order_relaxed);
  }
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
  // Removes and frees the entry at slot: on the lazy-free thread when `lazy` (LazyFreeCause
  // bits, or kLazyAlways) names a cause the keyspace frees lazily and the value is large.
  void EraseAt(int db, Table::Slot slot, uint32_t lazy = 0);
  // Removes the entry at slot and hands it to the caller (for RENAME/MOVE).
  Entry* TakeAt(int db, Table::Slot slot);
  // Sets the TTL (0 = none) of the entry at slot, rebuilding it if it has no expire field.
  void SetExpireAt(int db, Table::Slot slot, int64_t expire_ms);
  // APPEND: with slot null, inserts key holding suffix; else replaces the string at slot by
  // itself followed by suffix, keeping its TTL (and marking it raw, as Redis's APPEND does).
  // Returns the new length. REQUIRES: slot null or holding a string. `clock`: access clock.
  size_t AppendAt(int db, Table::Slot slot, std::string_view key, uint64_t hash,
                  std::string_view suffix, uint32_t clock);
  // SETRANGE: writes bytes at offset of the string at slot (with slot null, a new string),
  // zero-padding it up to offset, keeping its TTL and marking it raw. In place when the string
  // is long enough already. Returns the new length. REQUIRES: slot null or holding a string.
  size_t PatchAt(int db, Table::Slot slot, std::string_view key, uint64_t hash, uint64_t offset,
                 std::string_view bytes, uint32_t clock);
  // Applies one collection effect (IsCollectionOp(op)) to key, live or in replay: creates the
  // key holding an empty value when absent and the effect creates (EffectCreates), else does
  // nothing; deletes the key when its collection is left empty. Corruption if the key holds
  // another type or the body is malformed. *out (if given): the entry after, null if none.
  // No expiry check: a live caller has looked the key up first.
  Status ApplyEffect(int db, std::string_view key, uint64_t hash, RedoOp op,
                     std::string_view body, uint32_t clock, Entry** out = nullptr);
  // ---- The overflow tier (engine/tier.h) ----
  // If the entry at slot is a stub, reads its value from the tier and puts the whole entry in
  // its place (a synchronous read: Tiering::LoadAsync is the way that keeps the event loop
  // free). Returns false if the value can't be read: the key is then dropped, and the error
  // logged and counted.
  bool Load(int db, Table::Slot slot);
  // Frees every entry of db (on the lazy-free thread with `lazy`).
  void Clear(int db, bool lazy = false);
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
  void set_key_events(KeyEventListener* l) { key_events_.store(l, std::memory_order_release); }
  // Tells the listener (if any). REQUIRES: mu().
  void NoteKeyEvent(KeyEvent event, int db, std::string_view key) {
    KeyEventListener* l = key_events_.load(std::memory_order_acquire);
    if (l != nullptr) l->OnKeyEvent(event, db, key);
  }
  void set_lazy_free(LazyFree* lazy_free) { lazy_free_ = lazy_free; }
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
  // Demotion and promotion (engine/tiering.h) walk the tables and change an entry's form.
  friend class Tiering;

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

  // Replaces the stub at slot by e, its whole entry decoded from the tier (a promotion).
  void PutBack(int db, Table::Slot slot, Entry* e);
  // Replaces the entry at slot by e, its other form (a stub by its value or the other way),
  // which takes over the stored value: nothing is discarded.
  void SwapForm(int db, Table::Slot slot, Entry* e);

  std::timed_mutex mu_;  // timed: a long command's waiters give up (base/busy.h)
  const SharedEncodingLimits& limits_;
  Tier* tier_ = nullptr;    // set before the shard is shared
  // Set once loading is done, while tier threads may already run: atomic.
  std::atomic<KeyEventListener*> key_events_{nullptr};
  LazyFree* lazy_free_ = nullptr;  // set before the shard is shared
  // Frees e (out of its table) as EraseAt's `lazy` says.
  void Dispose(Entry* e, uint32_t lazy);
  std::atomic<bool> probation_{true};
  size_t walk_db_ = 0;      // GUARDED_BY(mu_), where Tiering::Demote's walk resumes
  size_t walk_pos_ = 0;     // GUARDED_BY(mu_)
  std::vector<Db> dbs_;     // GUARDED_BY(mu_)
  size_t entry_bytes_ = 0;  // GUARDED_BY(mu_)
  // Bumped where bucket arrays change without entry_bytes_ changing (rehash steps, flushes).
  uint64_t tables_version_ = 0;         // GUARDED_BY(mu_)
  size_t synced_entry_bytes_ = SIZE_MAX;  // GUARDED_BY(mu_): as of the last SyncUsedBytesHint
  uint64_t synced_tables_version_ = 0;  // GUARDED_BY(mu_)
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

}  // namespace strata::engine
