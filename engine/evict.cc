#include "engine/evict.h"

#include <algorithm>
#include <limits>

#include "base/clock.h"
#include "base/hash.h"
#include "engine/entry.h"
#include "engine/keyspace.h"

namespace strata::engine {

// ---- LFU counter ----

uint8_t LfuDecayed(uint32_t clock, int decay_time, int64_t now_ms) {
  const uint32_t then = clock >> 8;
  uint32_t counter = clock & 0xffu;
  const uint32_t now = LfuMinutes(now_ms);
  // Redis's LFUTimeElapsed, wrap included (its 65535 rather than 65536, kept for parity).
  const uint32_t elapsed = now >= then ? now - then : 65535 - then + now;
  const uint32_t periods = decay_time > 0 ? elapsed / static_cast<uint32_t>(decay_time) : 0;
  if (periods != 0) counter = periods > counter ? 0 : counter - periods;
  return static_cast<uint8_t>(counter);
}

uint8_t LfuLogIncr(uint8_t counter, int log_factor, uint64_t rnd) {
  if (counter == 255) return 255;
  const double r = static_cast<double>(rnd >> 11) * 0x1.0p-53;  // uniform in [0, 1)
  const double base = counter > kLfuInitVal ? counter - kLfuInitVal : 0;
  const double p = 1.0 / (base * log_factor + 1);
  return r < p ? counter + 1 : counter;
}

uint32_t NewAccessClock(EvictionPolicy policy, int64_t now_ms) {
  return IsLfu(policy) ? LfuNewClock(now_ms) : AccessClockAt(now_ms);
}

uint32_t TouchedAccessClock(uint32_t clock, const EvictionConfig& cfg, int64_t now_ms,
                            uint64_t rnd) {
  if (!IsLfu(cfg.policy)) return AccessClockAt(now_ms);
  uint8_t counter = LfuDecayed(clock, cfg.lfu_decay_time, now_ms);
  counter = LfuLogIncr(counter, cfg.lfu_log_factor, rnd);
  return (LfuMinutes(now_ms) << 8) | counter;
}

// ---- Victim choice ----

uint64_t VictimScore(const Entry& e, const EvictionConfig& cfg, int64_t now_ms, uint64_t rnd) {
  switch (cfg.policy) {
    case EvictionPolicy::kVolatileLfu:
    case EvictionPolicy::kAllkeysLfu:
      return 255 - LfuDecayed(e.access_clock(), cfg.lfu_decay_time, now_ms);
    case EvictionPolicy::kVolatileRandom:
    case EvictionPolicy::kAllkeysRandom:
      return rnd;
    case EvictionPolicy::kVolatileTtl: {
      const int64_t exp = e.expire_ms();
      return exp == 0 ? 0 : std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(exp);
    }
    default:  // LRU, and noeviction ranks as LRU
      return (AccessClockAt(now_ms) - e.access_clock()) & ((1u << 24) - 1);
  }
}

void SampleVictims(Shard& s, const EvictionConfig& cfg, const VictimFilter& filter,
                   int64_t now_ms, std::vector<Victim>* out) {
  out->clear();
  const size_t want = static_cast<size_t>(std::max(1, cfg.samples));
  auto consider = [&](int db, Entry* e) {
    if (filter && !filter(db, *e)) return false;
    out->push_back({VictimScore(*e, cfg, now_ms, s.NextRandom()), db, e});
    return true;
  };
  for (int db = 0; db < s.num_dbs(); ++db) {
    const Table& t = s.table(db);
    if (t.size() == 0) continue;
    // Draws that miss the filter are retried a little, so that qualifying entries a few times
    // rarer than the rest are still found by sampling alone.
    size_t found = 0;
    for (size_t draw = 0; draw < 3 * want && found < want; ++draw) {
      if (consider(db, t.RandomEntry(s.NextRandom()))) ++found;
    }
  }
  if (out->empty()) {
    // Qualifying entries are rare (or absent): walk the buckets of each table from a random
    // position, wrapping once, up to kWalkBuckets per table (all of a small table).
    constexpr size_t kWalkBuckets = 8192;
    for (int db = 0; db < s.num_dbs() && out->size() < want; ++db) {
      const Table& t = s.table(db);
      const size_t end = t.walk_end();
      if (t.size() == 0 || end == 0) continue;
      size_t budget = std::min(end, kWalkBuckets);
      size_t pos = s.NextRandom() % end;
      while (budget > 0 && out->size() < want) {
        const size_t step = std::min(budget, end - pos);
        pos = t.Walk(pos, step, [&](Entry* e) {
          if (out->size() < want) consider(db, e);
        });
        budget -= step;
        if (pos >= end) pos = 0;
      }
    }
  }
  std::sort(out->begin(), out->end(),
            [](const Victim& a, const Victim& b) { return a.entry < b.entry; });
  out->erase(std::unique(out->begin(), out->end(),
                         [](const Victim& a, const Victim& b) { return a.entry == b.entry; }),
             out->end());
  std::sort(out->begin(), out->end(),
            [](const Victim& a, const Victim& b) { return a.score > b.score; });
}

void EvictionPool::Reset(EvictionPolicy policy) {
  if (policy == policy_) return;
  items_.clear();
  policy_ = policy;
}

void EvictionPool::Merge(const std::vector<Victim>& candidates) {
  for (const Victim& v : candidates) {
    if (items_.size() == kSize && v.score <= items_.front().score) continue;
    const std::string_view key = v.entry->key();
    bool present = false;
    for (const Item& it : items_) {
      if (it.db == v.db && it.key == key) {
        present = true;
        break;
      }
    }
    if (present) continue;
    auto pos = std::upper_bound(items_.begin(), items_.end(), v.score,
                                [](uint64_t score, const Item& it) { return score < it.score; });
    items_.insert(pos, Item{v.score, v.db, std::string(key)});
    if (items_.size() > kSize) items_.erase(items_.begin());
  }
}

bool EvictionPool::PopBest(int* db, std::string* key) {
  if (items_.empty()) return false;
  *db = items_.back().db;
  *key = std::move(items_.back().key);
  items_.pop_back();
  return true;
}

namespace {

// Whether any key of s may be evicted under a volatile policy.
bool HasVolatileKeys(Shard& s) {
  for (int db = 0; db < s.num_dbs(); ++db) {
    if (s.volatile_keys(db) != 0) return true;
  }
  return false;
}

}  // namespace

size_t EvictFromShard(Shard& s, const EvictionConfig& cfg, size_t target_bytes, int64_t now_ms,
                      int64_t deadline_us, RedoRecord* redo) {
  if (cfg.policy == EvictionPolicy::kNoEviction) return 0;
  const bool only_volatile = IsVolatile(cfg.policy);
  VictimFilter filter;
  if (only_volatile) filter = [](int, const Entry& e) { return e.expire_ms() != 0; };
  EvictionPool& pool = s.evict_pool();
  pool.Reset(cfg.policy);
  std::vector<Victim> sampled;
  std::string key;
  size_t evicted = 0;
  while (s.used_bytes() > target_bytes) {
    if (deadline_us != 0 && MonotonicUs() >= deadline_us) break;
    if (only_volatile && !HasVolatileKeys(s)) break;
    SampleVictims(s, cfg, filter, now_ms, &sampled);
    int db = -1;
    Table::Slot slot = nullptr;
    if (IsRandom(cfg.policy)) {
      if (sampled.empty()) break;
      db = sampled.front().db;
      key = sampled.front().entry->key();
      slot = s.table(db).FindSlot(key, HashKey(key));
    } else {
      pool.Merge(sampled);
      // The pool's keys may have gone or changed since they were sampled: look each up again.
      while (slot == nullptr && pool.PopBest(&db, &key)) {
        slot = s.table(db).FindSlot(key, HashKey(key));
        if (slot != nullptr && filter && !filter(db, **slot)) slot = nullptr;
      }
      if (slot == nullptr) break;
    }
    if (redo != nullptr) redo->Del(db, key);
    s.EraseAt(db, slot);
    ++evicted;
  }
  s.stats().evicted_keys.fetch_add(evicted, std::memory_order_relaxed);
  return evicted;
}

EvictResult EvictToLimit(Keyspace& ks, size_t limit, int64_t now_ms, int64_t budget_us,
                         RedoRecord* redo) {
  size_t total = ks.UsedBytesHint();
  if (total <= limit) return EvictResult::kOk;
  const EvictionConfig cfg = ks.eviction();
  if (cfg.policy == EvictionPolicy::kNoEviction) return EvictResult::kFail;
  const uint32_t n = static_cast<uint32_t>(ks.num_shards());
  const size_t share = limit / n;
  const uint32_t start = ks.NextEvictStart();
  const int64_t deadline = MonotonicUs() + budget_us;
  // Pass 0 brings the shards over their share down to it (as far as needed); pass 1 takes
  // from any shard, for when the shards over their share have nothing left to give.
  for (int pass = 0; pass < 2; ++pass) {
    for (uint32_t k = 0; k < n; ++k) {
      const uint32_t i = (start + k) & (n - 1);
      Shard& s = ks.shard(i);
      const size_t before = s.used_bytes_hint();
      if (pass == 0 && before <= share) continue;
      const size_t need = total - limit;
      size_t target = before > need ? before - need : 0;
      if (pass == 0) target = std::max(target, share);
      if (target >= before) continue;
      {
        ShardLocks lock(&ks, i, redo);  // commits the deletes and syncs the hint on release
        EvictFromShard(s, cfg, target, now_ms, deadline, redo);
      }
      total = ks.UsedBytesHint();
      if (total <= limit) return EvictResult::kOk;
      if (MonotonicUs() >= deadline) return EvictResult::kRunning;
    }
  }
  return EvictResult::kFail;
}

}  // namespace strata::engine
