// DbView: a command's view of one database of a Keyspace.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/entry.h"
#include "engine/keyspace.h"
#include "engine/redo.h"

namespace strata::engine {

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
  // Deletes key; returns whether it existed (live). `lazy`: as Shard::EraseAt.
  bool Delete(std::string_view key, uint32_t lazy = 0);
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
  // Writes bytes at offset of the string at key (created if absent, zero-padded up to offset),
  // keeping its TTL, and logs only those bytes. Returns the new length. REQUIRES: key absent or
  // holding a string; offset + bytes.size() within what the caller allows (proto-max-bulk-len).
  size_t SetRange(std::string_view key, uint64_t offset, std::string_view bytes);

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
