// Test helpers shared by the engine's tests: an in-memory redo sink, a dump of every key, and a
// random command generator that changes the keyspace as the command families do.
#pragma once

#include <map>
#include <mutex>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "engine/entry.h"
#include "engine/keyspace.h"
#include "engine/redo.h"

namespace strata::engine {

// A RedoSink that keeps every committed record in memory, LSNs from 1.
class VectorSink : public RedoSink {
 public:
  uint64_t Commit(std::string_view record) override {
    std::lock_guard<std::mutex> lock(mu);
    records.emplace_back(record);
    return records.size();
  }
  uint64_t LastLsn() const override {
    std::lock_guard<std::mutex> lock(mu);
    return records.size();
  }
  mutable std::mutex mu;
  std::vector<std::string> records;
};

// Every key of every db: (db, key) -> (value, expire_ms, raw).
using Dump = std::map<std::pair<int, std::string>, std::tuple<std::string, int64_t, bool>>;

inline Dump DumpAll(Keyspace& ks) {
  Dump out;
  for (int i = 0; i < ks.num_shards(); ++i) {
    ShardLocks lock(&ks, static_cast<uint32_t>(i));
    for (int db = 0; db < ks.num_dbs(); ++db) {
      uint64_t cursor = 0;
      do {
        cursor = ks.shard(i).table(db).Scan(cursor, [&](Entry* e) {
          out[{db, std::string(e->key())}] = {std::string(e->str()), e->expire_ms(), e->raw()};
        });
      } while (cursor != 0);
    }
  }
  return out;
}

// One random command over keys k0..k19 of databases 0..2 (ks needs 3 databases), as the families
// issue them: SET with or without TTL, APPEND, DEL, EXPIRE/PERSIST, RENAME, MOVE, reads (which
// may expire lazily), and rarely SWAPDB and FLUSHDB. Advances `now` by up to 50 ms.
inline void RandomCommand(Keyspace& ks, RedoRecord& redo, std::mt19937& rng, int64_t& now,
                          int step) {
  auto key = [&] { return "k" + std::to_string(rng() % 20); };
  now += rng() % 50;
  const int dbi = static_cast<int>(rng() % 3);
  const std::string k1 = key(), k2 = key();
  const std::string_view keys[] = {k1, k2};
  const int op = static_cast<int>(rng() % 100);
  if (op < 2) {
    ShardLocks all = ks.LockAll(&redo);
    for (int i = 0; i < ks.num_shards(); ++i) ks.shard(i).Swap(0, 1);
    redo.SwapDb(0, 1);
    return;
  }
  if (op < 3) {
    ShardLocks all = ks.LockAll(&redo);
    for (int i = 0; i < ks.num_shards(); ++i) ks.shard(i).Clear(dbi);
    redo.FlushDb(dbi);
    return;
  }
  ShardLocks locks = ks.Lock(keys, &redo);
  DbView db(ks, dbi, now, &redo);
  if (op < 30) {
    db.SetString(k1, std::to_string(rng()), rng() % 3 == 0 ? now + rng() % 500 : 0);
  } else if (op < 45) {
    db.Append(k1, "x" + std::to_string(step));
  } else if (op < 55) {
    db.Delete(k1);
  } else if (op < 65) {
    db.SetExpire(k1, rng() % 2 ? now + rng() % 500 : 0);
  } else if (op < 75) {  // RENAME k1 k2
    if (Entry* e = db.Find(k1); e != nullptr && k1 != k2) {
      Entry* renamed = Entry::NewString(k2, e->str(), e->expire_ms(), e->raw());
      Entry::Free(db.Take(k1));
      db.Put(renamed);
    }
  } else if (op < 85) {  // MOVE k1 to another db
    DbView to(ks, (dbi + 1) % 3, now, &redo);
    if (db.Find(k1) != nullptr && to.Find(k1) == nullptr) to.Put(db.Take(k1));
  } else {
    db.Find(k1);  // lazy expiry may delete
    db.Find(k2);
  }
}

// A keyspace (3 databases) with a recording sink, changed by RandomCommand.
struct RandomHistory {
  RandomHistory(uint32_t seed, int shards)
      : rng(seed), ks(KeyspaceOptions{.shards = shards, .databases = 3}) {
    ks.set_redo_sink(&sink);
  }
  // Runs n more random commands.
  void Run(int n) {
    for (int i = 0; i < n; ++i, ++step) RandomCommand(ks, redo, rng, now, step);
  }
  std::mt19937 rng;
  Keyspace ks;
  VectorSink sink;
  RedoRecord redo;
  int64_t now = 1'000'000;
  int step = 0;
};

}  // namespace strata::engine
