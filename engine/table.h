// Table: a chained hash table of Entry* that grows and shrinks incrementally.
//
// Like Redis's dict, a resize allocates the new bucket array and then moves a few buckets on
// every operation (and in MigrateFor() from the shard's cron), so no single call stalls for
// longer than moving kStepBuckets buckets. Lookups consult both arrays while a move is under way.
// Scan() uses a reverse-binary cursor: every entry present for the whole scan is returned at
// least once, across any number of resizes.
//
// The table owns its entries (Clear() and the destructor free them). Not thread safe: the
// owning shard's lock guards it. Entry pointers stay valid until the entry is removed or
// replaced; a Slot stays valid only until the next mutation of the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "engine/entry.h"

namespace strata::engine {

class Table {
 public:
  Table() = default;
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  Table(Table&& other) noexcept;
  Table& operator=(Table&& other) noexcept;

  size_t size() const { return size_; }
  // Bytes of the bucket arrays (entries not included).
  size_t bucket_bytes() const { return (cap_[0] + cap_[1]) * sizeof(Entry*); }
  bool rehashing() const { return cap_[1] != 0; }

  // A link that points at an entry: *slot is the entry. Valid until the next mutation.
  using Slot = Entry**;

  Entry* Find(std::string_view key, uint64_t hash);
  Slot FindSlot(std::string_view key, uint64_t hash);
  // REQUIRES: no entry with e's key. Takes ownership.
  void Insert(Entry* e, uint64_t hash);
  // Puts `e` (same key) where *slot was and returns the old entry, now owned by the caller.
  Entry* Replace(Slot slot, Entry* e);
  // Unlinks the entry at slot and returns it, now owned by the caller.
  Entry* Unlink(Slot slot);
  // Unlinks the entry with `key`, if any, and returns it (owned by the caller) or null.
  Entry* Remove(std::string_view key, uint64_t hash);

  // Calls fn(entry) for the entries of one or more buckets starting at cursor; returns the next
  // cursor, 0 when the scan is complete. fn must not mutate the table.
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const;
  // A pseudo-random entry, null if empty. `rnd` is any random 64-bit number. Cheap, and biased
  // towards entries alone in their bucket: for eviction's samples.
  Entry* RandomEntry(uint64_t rnd) const;
  // A random entry, null if empty, drawn uniformly (rejection sampling over bucket slots and
  // chain positions, table.cc). For the commands that promise a random element (HRANDFIELD,
  // SRANDMEMBER, SPOP, RANDOMKEY).
  Entry* FairRandomEntry(uint64_t rnd) const;

  // Walks the buckets linearly from position `pos` (0 = start) for at most max_buckets buckets,
  // calling fn(entry) for each entry (fn must not mutate the table), and returns the next
  // position; the walk is over when it returns a position >= walk_end(). Sequential in memory,
  // so much faster than Scan() on a large table, but it visits every entry exactly once only
  // while the table is frozen (entries never move between buckets).
  template <typename Fn>
  size_t Walk(size_t pos, size_t max_buckets, Fn&& fn) const {
    const size_t end = walk_end();
    for (size_t n = 0; n < max_buckets && pos < end; ++n, ++pos) {
      const int t = pos < cap_[0] ? 0 : 1;
      const size_t i = t == 0 ? pos : pos - cap_[0];
      if (i + 8 < cap_[t] && buckets_[t][i + 8] != nullptr) __builtin_prefetch(buckets_[t][i + 8]);
      for (Entry* e = buckets_[t][i]; e != nullptr; e = e->next()) fn(e);
    }
    return pos;
  }
  size_t walk_end() const { return cap_[0] + cap_[1]; }

  // Frozen: no bucket moves (a resize under way pauses, none starts, except the first bucket
  // array of an empty table), so Walk() sees every entry once. A snapshot capture freezes the
  // tables it walks. While frozen, lookups still consult both arrays of a paused resize.
  void set_frozen(bool frozen) { frozen_ = frozen; }
  bool frozen() const { return frozen_; }
  // Whether a frozen table is so overfull (4 entries per bucket) that it must grow anyway.
  bool overfull() const { return size_ >= 4 * (cap_[0] + cap_[1]) && cap_[0] != 0; }

  // Moves buckets of a resize under way for at most `budget_us` microseconds. Also starts a
  // shrink when the table is mostly empty. Returns true while a resize remains.
  bool MigrateFor(int64_t budget_us);

  // Frees every entry and the bucket arrays.
  void Clear();

  static constexpr size_t kStepBuckets = 4;

 private:
  void MaybeGrow();
  void StartResize(size_t new_cap);
  void Step(size_t buckets);
  void FinishIfDone();
  Entry** BucketFor(uint64_t hash);

  Entry** buckets_[2] = {nullptr, nullptr};
  size_t cap_[2] = {0, 0};  // power of two, or 0
  size_t size_ = 0;
  size_t migrate_pos_ = 0;  // next bucket of buckets_[0] to move while rehashing
  bool frozen_ = false;
};

}  // namespace strata::engine
