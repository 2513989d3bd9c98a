#include "engine/tiering.h"

#include <algorithm>
#include <utility>

#include "base/clock.h"
#include "base/hash.h"
#include "base/logging.h"
#include "engine/entry.h"
#include "engine/shard_locks.h"
#include "engine/value.h"

namespace strata::engine {
namespace {

// Values smaller than this stay in RAM: their stub would save too little.
constexpr size_t kMinDemoteBytes = 128;

}  // namespace

// ---- Budget ----

void Tiering::SetBudget(int64_t maxmemory, uint64_t tier_max_bytes, size_t allocated_bytes) {
  const int shards = ks_.num_shards();
  tier_shard_budget_.store(tier_max_bytes / shards, std::memory_order_relaxed);
  if (maxmemory <= 0) {
    shard_budget_.store(0, std::memory_order_relaxed);
    return;
  }
  const int64_t others = static_cast<int64_t>(allocated_bytes) -
                         static_cast<int64_t>(ks_.UsedBytesHint()) -
                         static_cast<int64_t>(tier_.BlockCacheUsage());
  const int64_t dataset = maxmemory - std::clamp<int64_t>(others, 0, maxmemory / 2);
  shard_budget_.store(static_cast<size_t>(dataset) / shards, std::memory_order_relaxed);
}

void Tiering::DemoteShard(uint32_t i, RedoRecord* redo) {
  const size_t share = shard_budget();
  if (share == 0) return;
  ShardLocks l(&ks_, i, redo);
  Shard& s = ks_.shard(i);
  if (s.used_bytes() <= share) return;
  Demote(s, share - share / 20, tier_shard_budget(), ks_.eviction(), /*evict=*/true, 1000, redo);
}

void Tiering::DemoteOverBudget(RedoRecord* redo) {
  const size_t share = shard_budget();
  if (share == 0) return;
  for (int i = 0; i < ks_.num_shards(); ++i) {
    if (ks_.shard(i).used_bytes_hint() > share) DemoteShard(static_cast<uint32_t>(i), redo);
  }
}

// ---- Demotion ----

size_t Tiering::Demote(Shard& s, size_t target_bytes, uint64_t tier_share_bytes,
                       const EvictionConfig& cfg, bool evict, int64_t budget_us, RedoRecord* redo) {
  const int64_t deadline = MonotonicUs() + budget_us;
  const int64_t now_ms = NowMs();
  const size_t before = s.used_bytes();
  EvictionConfig coldness = cfg;
  if (!IsLfu(cfg.policy)) coldness.policy = EvictionPolicy::kAllkeysLru;
  if (cfg.policy == EvictionPolicy::kNoEviction) evict = false;
  struct Candidate {
    int db;
    Entry* e;
    uint64_t score;  // how good a candidate: higher goes first
  };
  // Best first, each entry once.
  auto best_first = [](std::vector<Candidate>* v) {
    std::sort(v->begin(), v->end(), [](const Candidate& a, const Candidate& b) {
      return a.score != b.score ? a.score > b.score : a.e < b.e;
    });
    v->erase(std::unique(v->begin(), v->end(),
                         [](const Candidate& a, const Candidate& b) { return a.e == b.e; }),
             v->end());
  };
  std::vector<Candidate> hot, cold;
  std::vector<std::pair<uint64_t, std::string>> puts;
  int fruitless = 0;
  while (s.used_bytes() > target_bytes && fruitless < 8 && MonotonicUs() < deadline) {
    hot.clear();
    cold.clear();
    // Candidates from a walk of the tables that resumes where the last one stopped (as a clock
    // hand: sequential in memory, and every entry gets its turn): up to 32 values, of which the
    // coldest quarter go, and the stubs met on the way (for a full tier).
    for (size_t buckets = 0; hot.size() < 32 && buckets < 4096;) {
      const Table& t = s.table(static_cast<int>(s.walk_db_));
      if (s.walk_pos_ >= t.walk_end()) {
        s.walk_db_ = (s.walk_db_ + 1) % static_cast<size_t>(s.num_dbs());
        s.walk_pos_ = 0;
        ++buckets;  // bounds the loop over empty databases too
        continue;
      }
      const int db = static_cast<int>(s.walk_db_);
      const size_t next = t.Walk(s.walk_pos_, 16, [&](Entry* e) {
        if (e->cold()) {
          if (cold.size() < 64)
            cold.push_back({db, e, VictimScore(*e, cfg, now_ms, s.NextRandom())});
        } else if (e->MemoryBytes() >= kMinDemoteBytes) {
          // Values on probation (read once since promoted) go first.
          hot.push_back(
              {db, e, e->on_probation() ? UINT64_MAX : VictimScore(*e, coldness, now_ms, 0)});
        }
      });
      buckets += next - s.walk_pos_;
      s.walk_pos_ = next;
    }
    best_first(&hot);
    hot.resize(std::max<size_t>(std::min<size_t>(hot.size(), 1), hot.size() / 4));
    if (hot.empty()) {
      ++fruitless;
      continue;
    }
    // A value the tier still holds (promoted, unchanged since) is not written again.
    puts.clear();
    std::vector<std::pair<uint64_t, uint64_t>> ids(hot.size());  // id, stored bytes
    uint64_t adding = 0;
    for (size_t i = 0; i < hot.size(); ++i) {
      const Entry* e = hot[i].e;
      if (e->has_tier_copy()) {
        ids[i] = {e->tier_copy(),
                  e->type() == ValueType::kString ? 1 + e->str().size() : e->value()->bytes()};
        continue;
      }
      puts.emplace_back(tier_.NewId(), EncodeTierValue(*e));
      ids[i] = {puts.back().first, puts.back().second.size()};
      adding += puts.back().second.size();
    }
    // A full tier makes room by dropping its coldest keys, if the policy lets it.
    if (tier_share_bytes != 0 &&
        s.stats().tier_bytes.load(std::memory_order_relaxed) + adding > tier_share_bytes) {
      if (!evict) break;
      best_first(&cold);
      uint64_t freed = 0;
      for (const Candidate& c : cold) {
        if (freed >= adding) break;
        if (IsVolatile(cfg.policy) && c.e->expire_ms() == 0) continue;
        std::string key(c.e->key());
        Table::Slot slot = s.table(c.db).FindSlot(key, HashKey(key));
        if (slot != nullptr) freed += EvictStub(s, c.db, slot, redo);
      }
      if (freed < adding) {
        ++fruitless;
        continue;
      }
    }
    Status st = puts.empty() ? Status::Ok() : tier_.Put(puts);
    if (!st.ok()) {
      LOG_WARN("tier: demoting %zu values failed: %s", puts.size(), st.message().c_str());
      break;
    }
    for (size_t i = 0; i < hot.size(); ++i) {
      Entry* e = hot[i].e;
      const int db = hot[i].db;
      Table::Slot slot = s.table(db).FindSlot(e->key(), HashKey(e->key()));
      Entry* stub = Entry::NewStub(e->key(), e->type(), e->raw(), e->expire_ms(), ids[i].first,
                                   ids[i].second, e->access_clock());
      s.SwapForm(db, slot, stub);
    }
    tier_.stats().demotions.fetch_add(hot.size(), std::memory_order_relaxed);
    fruitless = 0;
  }
  const size_t after = s.used_bytes();
  return before > after ? before - after : 0;
}

uint64_t Tiering::EvictStub(Shard& s, int db, Table::Slot slot, RedoRecord* redo) {
  const uint64_t bytes = (*slot)->tier_bytes();
  const std::string key((*slot)->key());
  if (redo != nullptr) redo->Del(db, key);
  s.EraseAt(db, slot);
  s.stats().evicted_keys.fetch_add(1, std::memory_order_relaxed);
  s.NoteKeyEvent(KeyEvent::kEvicted, db, key);
  tier_.stats().evictions.fetch_add(1, std::memory_order_relaxed);
  return bytes;
}

// ---- Loading off the event loop ----

void Tiering::ColdKeys(int db, std::span<const std::string_view> keys, int64_t now_ms,
                       std::vector<ColdRef>* out) {
  for (std::string_view k : keys) {
    const uint64_t h = HashKey(k);
    ShardLocks l(&ks_, ks_.ShardOf(h));
    const Entry* e = ks_.shard(ks_.ShardOf(h)).table(db).Find(k, h);
    if (e == nullptr || !e->cold()) continue;
    if (e->expire_ms() != 0 && e->expire_ms() <= now_ms) continue;
    out->push_back(ColdRef{db, std::string(k), e->tier_id()});
  }
}

void Tiering::Promote(Shard& s, int db, std::string_view key, uint64_t hash, uint64_t id,
                      std::string_view blob) {
  Table::Slot slot = s.table(db).FindSlot(key, hash);
  if (slot == nullptr || !(*slot)->cold() || (*slot)->tier_id() != id) return;
  Entry* e = DecodeTierValue(**slot, blob, ks_.encoding_limits());
  if (e == nullptr) return;  // Load, on the command's own path, reports it
  s.PutBack(db, slot, e);
}

void Tiering::PromoteRef(const ColdRef& r, std::string_view blob) {
  const uint64_t h = HashKey(r.key);
  ShardLocks l(&ks_, ks_.ShardOf(h));
  Shard& s = ks_.shard(ks_.ShardOf(h));
  Promote(s, r.db, r.key, h, r.tier_id, blob);
  // Promotions make room as writes do; a read never evicts (that is logged, by writes).
  const size_t budget = shard_budget();
  if (budget != 0 && s.used_bytes() > budget) {
    Demote(s, budget - budget / 20, tier_shard_budget(), ks_.eviction(), /*evict=*/false, 1000,
           nullptr);
  }
}

void Tiering::LoadCached(std::vector<ColdRef>* refs) {
  std::string blob;
  size_t kept = 0;
  for (ColdRef& r : *refs) {
    const int64_t start_us = MonotonicUs();
    if (!tier_.GetCached(r.tier_id, &blob)) {
      if (&(*refs)[kept] != &r) (*refs)[kept] = std::move(r);  // never a self-move
      ++kept;
      continue;
    }
    tier_.stats().NoteColdRead(start_us);
    tier_.stats().cold_reads_in_memory.fetch_add(1, std::memory_order_relaxed);
    PromoteRef(r, blob);
  }
  refs->resize(kept);
}

void Tiering::LoadAsync(std::vector<ColdRef> refs, std::function<void()> done) {
  // A value some job reads already is not read twice; only a job someone waits for (done)
  // reads it anyway, since the other may finish after it.
  std::vector<bool> marked(refs.size());
  size_t kept = 0;
  for (size_t i = 0; i < refs.size(); ++i) {
    const bool mine = tier_.MarkReading(refs[i].tier_id);
    if (!mine && !done) continue;
    marked[kept] = mine;
    if (kept != i) refs[kept] = std::move(refs[i]);  // never a self-move
    ++kept;
  }
  refs.resize(kept);
  marked.resize(kept);
  if (refs.empty() && !done) return;
  tier_.Submit([this, refs = std::move(refs), marked = std::move(marked), done = std::move(done)] {
    std::string blob;
    for (size_t i = 0; i < refs.size(); ++i) {
      const ColdRef& r = refs[i];
      const int64_t start_us = MonotonicUs();
      // A failed read leaves the stub: the command's own lookup (Shard::Load) reports it.
      if (tier_.Get(r.tier_id, &blob).ok()) {
        tier_.stats().NoteColdRead(start_us);
        PromoteRef(r, blob);
      }
      if (marked[i]) tier_.DoneReading(r.tier_id);
    }
    if (done) done();
  });
}

}  // namespace strata::engine
