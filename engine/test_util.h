// Test helpers shared by the engine's tests: an in-memory redo sink, a dump of every key, and a
// random command generator that changes the keyspace as the command families do.
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <span>
#include <mutex>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "base/coding.h"
#include "engine/db_view.h"
#include "engine/entry.h"
#include "engine/hash_value.h"
#include "engine/list_value.h"
#include "engine/redo.h"
#include "engine/set_value.h"
#include "engine/value.h"
#include "engine/zset_value.h"

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

// Every key of every db: (db, key) -> (value, expire_ms, raw). A collection's value is its
// type number and put encoding, with the elements of hashes and sets sorted so that equal
// contents compare equal whatever their order in memory.
using Dump = std::map<std::pair<int, std::string>, std::tuple<std::string, int64_t, bool>>;

// LREM's effect on a model list: removes `count` occurrences of e (0 = all) counted from `where`.
inline void ModelListRem(std::deque<std::string>* model, ListEnd where, uint64_t count,
                         std::string_view e) {
  uint64_t removed = 0;
  if (where == ListEnd::kHead) {
    for (auto it = model->begin(); it != model->end() && (count == 0 || removed < count);) {
      if (*it == e) {
        it = model->erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  } else {
    for (size_t i = model->size(); i > 0 && (count == 0 || removed < count); --i) {
      if ((*model)[i - 1] == e) {
        model->erase(model->begin() + static_cast<ptrdiff_t>(i - 1));
        ++removed;
      }
    }
  }
}

inline std::string CanonicalValue(const Entry& e) {
  if (e.type() == ValueType::kString) return std::string(e.str());
  std::string bytes;
  e.value()->Serialize(&bytes);
  std::string out = std::to_string(static_cast<int>(e.type())) + ":";
  if (e.type() != ValueType::kHash && e.type() != ValueType::kSet) return out + bytes;
  std::string_view in = bytes;
  uint64_t n = 0;
  GetVarint64(&in, &n);
  std::vector<std::string> items;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view a, b;
    GetLengthPrefixed(&in, &a);
    std::string item(a);
    if (e.type() == ValueType::kHash) {
      GetLengthPrefixed(&in, &b);
      item += "=" + std::string(b);
    }
    items.push_back(std::move(item));
  }
  std::sort(items.begin(), items.end());
  for (const std::string& item : items) out += item + "\n";
  return out;
}

// Calls fn(db, e) for every entry of ks, stubs included, each shard under its lock. fn must not
// change the keyspace.
template <typename Fn>
void ForEachEntry(Keyspace& ks, Fn&& fn) {
  for (int i = 0; i < ks.num_shards(); ++i) {
    ShardLocks lock(&ks, static_cast<uint32_t>(i));
    for (int db = 0; db < ks.num_dbs(); ++db) {
      uint64_t cursor = 0;
      do {
        cursor = ks.shard(i).table(db).Scan(cursor, [&](Entry* e) { fn(db, e); });
      } while (cursor != 0);
    }
  }
}

inline Dump DumpAll(Keyspace& ks) {
  Dump out;
  ForEachEntry(ks, [&](int db, Entry* e) {
    out[{db, std::string(e->key())}] = {CanonicalValue(*e), e->expire_ms(), e->raw()};
  });
  return out;
}

// One random collection effect on key k (absent or of the effect's type; k's type is fixed by
// its name: c<n> holds type n % 4 + 1), through DbView::Apply as the families issue them.
inline void RandomCollectionEffect(DbView& db, const std::string& k, std::mt19937& rng, int step) {
  const auto type = static_cast<ValueType>(std::stoi(k.substr(1)) % 4 + 1);
  const std::string a = "e" + std::to_string(rng() % 40), b = "e" + std::to_string(step);
  const std::string_view two[] = {a, b};
  const bool add = rng() % 3 != 0;
  std::string body;
  Entry* e = db.Find(k);
  const size_t size = e == nullptr ? 0 : e->value()->size();
  switch (type) {
    case ValueType::kList:
      if (add || size == 0) {
        ListPushBody(&body, rng() % 2 ? ListEnd::kHead : ListEnd::kTail, two);
        db.Apply(RedoOp::kListPush, k, body);
      } else if (rng() % 2) {
        ListPopBody(&body, rng() % 2 ? ListEnd::kHead : ListEnd::kTail, 1 + rng() % 3);
        db.Apply(RedoOp::kListPop, k, body);
      } else {
        ListSetBody(&body, rng() % size, b);
        db.Apply(RedoOp::kListSet, k, body);
      }
      break;
    case ValueType::kHash: {
      const std::string_view pair[] = {a, b};
      if (add) {
        HashSetBody(&body, pair);
        db.Apply(RedoOp::kHashSet, k, body);
      } else {
        HashDelBody(&body, std::span(two, 1));
        db.Apply(RedoOp::kHashDel, k, body);
      }
      break;
    }
    case ValueType::kSet: {
      // Integers too, so that sets start as intsets and convert.
      const std::string n = std::to_string(rng() % 40);
      const std::string_view members[] = {rng() % 2 ? std::string_view(n) : a, n};
      db.Apply(add ? RedoOp::kSetAdd : RedoOp::kSetRem, k, SetMembersBody(members));
      break;
    }
    default: {
      if (add) {
        const std::pair<std::string_view, double> items[] = {{a, double(rng() % 10) / 2}};
        db.Apply(RedoOp::kZSetAdd, k, ZAddBody(items));
      } else {
        db.Apply(RedoOp::kZSetRem, k, ZRemBody(std::span(two, 1)));
      }
      break;
    }
  }
}

// One random command over keys k0..k19 (strings) and c0..c19 (collections) of databases 0..2
// (ks needs 3 databases), as the families issue them: SET with or without TTL, APPEND, DEL,
// EXPIRE/PERSIST, RENAME, MOVE, collection effects, reads (which may expire lazily), and rarely
// SWAPDB and FLUSHDB. Advances `now` by up to 50 ms.
inline void RandomCommand(Keyspace& ks, RedoRecord& redo, std::mt19937& rng, int64_t& now,
                          int step) {
  const bool collection = rng() % 3 == 0;
  auto key = [&] { return (collection ? "c" : "k") + std::to_string(rng() % 20); };
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
  if (collection && op < 65 && op >= 10) {
    RandomCollectionEffect(db, k1, rng, step);
  } else if (collection && op < 10) {
    db.SetExpire(k1, rng() % 2 ? now + rng() % 500 : 0);
  } else if (collection && op < 75) {
    db.Delete(k1);
  } else if (op < 30) {
    db.SetString(k1, std::to_string(rng()), rng() % 3 == 0 ? now + rng() % 500 : 0);
  } else if (op < 40) {
    db.Append(k1, "x" + std::to_string(step));
  } else if (op < 45) {  // SETRANGE: in place when it fits, else grown and zero-padded
    db.SetRange(k1, rng() % 24, std::to_string(step));
  } else if (op < 55) {
    db.Delete(k1);
  } else if (op < 65) {
    db.SetExpire(k1, rng() % 2 ? now + rng() % 500 : 0);
  } else if (op < 75) {  // RENAME k1 k2
    // c<n> keys keep their type: rename only between names of the same type.
    if (Entry* e = db.Find(k1); e != nullptr && k1 != k2 &&
                                (!collection || std::stoi(k1.substr(1)) % 4 ==
                                                    std::stoi(k2.substr(1)) % 4)) {
      Entry* old = db.Take(k1);
      Entry* renamed =
          old->type() == ValueType::kString
              ? Entry::NewString(k2, old->str(), old->expire_ms(), old->raw())
              : Entry::NewObject(k2, old->ReleaseValue(), old->expire_ms());
      Entry::Free(old);
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
