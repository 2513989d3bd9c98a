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

namespace {

// SampleVictims, walking at most walk_buckets buckets per table when the draws found nothing.
void Sample(Shard& s, const EvictionConfig& cfg, const VictimFilter& filter, int64_t now_ms,
            size_t walk_buckets, std::vector<Victim>* out) {
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
    // position, wrapping once, up to walk_buckets per table.
    for (int db = 0; db < s.num_dbs() && out->size() < want; ++db) {
      const Table& t = s.table(db);
      const size_t end = t.walk_end();
      if (t.size() == 0 || end == 0) continue;
      size_t budget = std::min(end, walk_buckets);
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

}  // namespace

void SampleVictims(Shard& s, const EvictionConfig& cfg, const VictimFilter& filter, int64_t now_ms,
                   std::vector<Victim>* out) {
  constexpr size_t kWalkBuckets = 8192;
  Sample(s, cfg, filter, now_ms, kWalkBuckets, out);
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

// The entries cfg's policy lets go: those with a TTL under volatile-*, else all.
VictimFilter PolicyFilter(const EvictionConfig& cfg) {
  if (!IsVolatile(cfg.policy)) return {};
  return [](int, const Entry& e) { return e.expire_ms() != 0; };
}

// Samples s into its pool. Returns whether the pool holds a candidate, and its score in *best.
// REQUIRES: s.mu() held and cfg.policy not noeviction.
bool RefreshPool(Shard& s, const EvictionConfig& cfg, const VictimFilter& filter, int64_t now_ms,
                 std::vector<Victim>* scratch, uint64_t* best) {
  EvictionPool& pool = s.evict_pool();
  pool.Reset(cfg.policy);
  if (IsVolatile(cfg.policy) && !HasVolatileKeys(s)) {
    pool.Reset(EvictionPolicy::kNoEviction);  // forget keys that lost their TTL
    return false;
  }
  SampleVictims(s, cfg, filter, now_ms, scratch);
  if (scratch->empty() && pool.size() == 0 && IsVolatile(cfg.policy)) {
    // Keys with a TTL exist but are too rare for sampling and a bounded walk: walk the tables
    // whole, rather than refuse writes while something may still go. It costs a full walk per
    // eviction only while such keys are this rare, and evicting them makes them rarer still.
    Sample(s, cfg, filter, now_ms, std::numeric_limits<size_t>::max(), scratch);
  }
  pool.Merge(*scratch);
  return pool.Best(best);
}

// Deletes the pool's best candidate that still exists and qualifies. Returns false when the
// pool had none. REQUIRES: s.mu() held.
bool EvictPoolBest(Shard& s, const VictimFilter& filter, RedoRecord* redo) {
  int db;
  std::string key;
  while (s.evict_pool().PopBest(&db, &key)) {
    // The pool's keys may have gone or changed since they were sampled: look each up again.
    Table::Slot slot = s.table(db).FindSlot(key, HashKey(key));
    if (slot == nullptr || (filter && !filter(db, **slot))) continue;
    if (redo != nullptr) redo->Del(db, key);
    s.EraseAt(db, slot, kLazyEviction);
    s.stats().evicted_keys.fetch_add(1, std::memory_order_relaxed);
    s.NoteKeyEvent(KeyEvent::kEvicted, db, key);
    return true;
  }
  return false;
}

}  // namespace

bool EvictionPool::Best(uint64_t* score) const {
  if (items_.empty()) return false;
  *score = items_.back().score;
  return true;
}

size_t EvictFromShard(Shard& s, const EvictionConfig& cfg, size_t target_bytes, int64_t now_ms,
                      int64_t deadline_us, RedoRecord* redo) {
  if (cfg.policy == EvictionPolicy::kNoEviction) return 0;
  const VictimFilter filter = PolicyFilter(cfg);
  std::vector<Victim> scratch;
  size_t evicted = 0;
  uint64_t best;
  while (s.used_bytes() > target_bytes) {
    if (deadline_us != 0 && MonotonicUs() >= deadline_us) break;
    if (!RefreshPool(s, cfg, filter, now_ms, &scratch, &best)) break;
    if (!EvictPoolBest(s, filter, redo)) break;
    ++evicted;
  }
  return evicted;
}

EvictResult EvictToLimit(Keyspace& ks, size_t limit, int64_t now_ms, int64_t budget_us,
                         RedoRecord* redo) {
  if (ks.UsedBytesHint() <= limit) return EvictResult::kOk;
  const EvictionConfig cfg = ks.eviction();
  if (cfg.policy == EvictionPolicy::kNoEviction) return EvictResult::kFail;
  const VictimFilter filter = PolicyFilter(cfg);
  const uint32_t n = static_cast<uint32_t>(ks.num_shards());
  const size_t share = limit / n;
  const int64_t deadline = MonotonicUs() + budget_us;
  std::vector<Victim> scratch;
  // Each round compares the best candidates of a few shards, two of them over their share when
  // there are such, and evicts from the shard whose candidates are best: victims close to the
  // keyspace's best, and shards over their share drained first when candidates tie.
  constexpr uint32_t kCandidates = 4, kOverShare = 2;
  constexpr int kBatch = 8;  // evictions per round while the winner stays ahead
  // A round frees a little more than needed (1/256 of the limit), so that the writes that follow
  // do not each pay for a round of their own.
  const size_t goal = limit - limit / 256;
  for (;;) {
    size_t total = ks.UsedBytesHint();
    if (total <= limit) return EvictResult::kOk;
    if (MonotonicUs() >= deadline) return EvictResult::kRunning;
    uint32_t cand[kCandidates];
    uint32_t nc = 0;
    const uint32_t start = ks.NextEvictStart();
    for (uint32_t k = 0; k < n && nc < kOverShare; ++k) {
      const uint32_t i = (start + k) & (n - 1);
      if (ks.shard(i).used_bytes_hint() > share) cand[nc++] = i;
    }
    for (uint32_t k = 0; k < n && nc < kCandidates; ++k) {
      const uint32_t i = (start + k * (n / kCandidates + 1) + 1) & (n - 1);
      if (std::find(cand, cand + nc, i) == cand + nc) cand[nc++] = i;
    }
    int64_t winner = -1;
    uint64_t win_score = 0, runner_up = 0;
    auto consider = [&](uint32_t i) {
      uint64_t best;
      bool found;
      {
        ShardLocks lock(&ks, i);
        found = RefreshPool(ks.shard(i), cfg, filter, now_ms, &scratch, &best);
      }
      if (!found) return;
      const bool ahead =
          winner < 0 || best > win_score ||
          (best == win_score && ks.shard(i).used_bytes_hint() >
                                    ks.shard(static_cast<uint32_t>(winner)).used_bytes_hint());
      if (ahead) {
        if (winner >= 0) runner_up = std::max(runner_up, win_score);
        winner = i;
        win_score = best;
      } else {
        runner_up = std::max(runner_up, best);
      }
    };
    for (uint32_t c = 0; c < nc; ++c) consider(cand[c]);
    if (winner < 0) {
      // Nothing among the candidates: look at every shard before giving up.
      for (uint32_t i = 0; i < n; ++i) consider(i);
      if (winner < 0) return EvictResult::kFail;
    }
    Shard& s = ks.shard(static_cast<uint32_t>(winner));
    ShardLocks lock(&ks, static_cast<uint32_t>(winner), redo);  // commits on release
    const size_t before = s.used_bytes();
    for (int b = 0; b < kBatch; ++b) {
      if (!EvictPoolBest(s, filter, redo)) break;
      const size_t freed = before > s.used_bytes() ? before - s.used_bytes() : 0;
      if (total <= goal + freed) break;
      uint64_t next;
      if (!s.evict_pool().Best(&next) || next < runner_up) break;
    }
  }
}

}  // namespace strata::engine
