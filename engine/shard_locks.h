// ShardLocks: the locks of the shards a command touches, and the commit of its redo record.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/redo.h"

namespace strata::engine {

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

}  // namespace strata::engine
