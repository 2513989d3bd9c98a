#include "engine/keyspace.h"

#include <algorithm>

#include "base/clock.h"
#include "base/hash.h"
#include "engine/tier.h"

namespace strata::engine {

Keyspace::Keyspace(const KeyspaceOptions& options) : databases_(options.databases) {
  int n = 1, bits = 0;
  int want = std::clamp(options.shards, 1, 1024);
  while (n < want) {
    n <<= 1;
    ++bits;
  }
  shift_ = 64 - bits;
  shards_.reserve(n);
  for (int i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>(databases_));
}

ShardLocks Keyspace::Lock(std::string_view key, RedoRecord* redo) {
  return ShardLocks(this, ShardOf(HashKey(key)), redo);
}

ShardLocks Keyspace::Lock(std::span<const std::string_view> keys, RedoRecord* redo) {
  std::vector<uint32_t> ids;
  ids.reserve(keys.size());
  for (std::string_view k : keys) ids.push_back(ShardOf(HashKey(k)));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ShardLocks(this, std::move(ids), redo);
}

ShardLocks Keyspace::LockAll(RedoRecord* redo) {
  std::vector<uint32_t> ids(shards_.size());
  for (uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
  return ShardLocks(this, std::move(ids), redo);
}

void Keyspace::set_tier(Tier* tier) {
  tier_ = tier;
  for (auto& s : shards_) s->set_tier(tier);
}

void Keyspace::ColdKeys(int db, std::span<const std::string_view> keys, int64_t now_ms,
                        std::vector<ColdRef>* out) {
  for (std::string_view k : keys) {
    const uint64_t h = HashKey(k);
    ShardLocks l(this, ShardOf(h));
    const Entry* e = shard(ShardOf(h)).table(db).Find(k, h);
    if (e == nullptr || !e->cold()) continue;
    if (e->expire_ms() != 0 && e->expire_ms() <= now_ms) continue;
    out->push_back(ColdRef{db, std::string(k), e->tier_id()});
  }
}

void Keyspace::PromoteRef(const ColdRef& r, std::string_view blob) {
  const uint64_t h = HashKey(r.key);
  ShardLocks l(this, ShardOf(h));
  Shard& s = shard(ShardOf(h));
  s.Promote(r.db, r.key, h, r.tier_id, blob);
  // Promotions make room as writes do; a read never evicts (that is logged, by writes).
  const size_t budget = shard_budget();
  if (budget != 0 && s.used_bytes() > budget) {
    s.Demote(budget - budget / 20, tier_shard_budget(), eviction(), /*evict=*/false, 1000,
             nullptr);
  }
}

void Keyspace::LoadCached(std::vector<ColdRef>* refs) {
  std::string blob;
  size_t kept = 0;
  for (ColdRef& r : *refs) {
    const int64_t start_us = MonotonicUs();
    if (!tier_->GetCached(r.tier_id, &blob)) {
      if (&(*refs)[kept] != &r) (*refs)[kept] = std::move(r);  // never a self-move
      ++kept;
      continue;
    }
    tier_->stats().NoteColdRead(start_us);
    tier_->stats().cold_reads_in_memory.fetch_add(1, std::memory_order_relaxed);
    PromoteRef(r, blob);
  }
  refs->resize(kept);
}

void Keyspace::LoadAsync(std::vector<ColdRef> refs, std::function<void()> done) {
  // A value some job reads already is not read twice; only a job someone waits for (done)
  // reads it anyway, since the other may finish after it.
  std::vector<bool> marked(refs.size());
  size_t kept = 0;
  for (size_t i = 0; i < refs.size(); ++i) {
    const bool mine = tier_->MarkReading(refs[i].tier_id);
    if (!mine && !done) continue;
    marked[kept] = mine;
    if (kept != i) refs[kept] = std::move(refs[i]);  // never a self-move
    ++kept;
  }
  refs.resize(kept);
  marked.resize(kept);
  if (refs.empty() && !done) return;
  tier_->Submit([this, refs = std::move(refs), marked = std::move(marked),
                 done = std::move(done)] {
    std::string blob;
    for (size_t i = 0; i < refs.size(); ++i) {
      const ColdRef& r = refs[i];
      const int64_t start_us = MonotonicUs();
      // A failed read leaves the stub: the command's own lookup (Shard::Load) reports it.
      if (tier_->Get(r.tier_id, &blob).ok()) {
        tier_->stats().NoteColdRead(start_us);
        PromoteRef(r, blob);
      }
      if (marked[i]) tier_->DoneReading(r.tier_id);
    }
    if (done) done();
  });
}

uint64_t Keyspace::SumStat(std::atomic<uint64_t> ShardStats::*field) const {
  uint64_t n = 0;
  for (const auto& s : shards_) n += (s->stats().*field).load(std::memory_order_relaxed);
  return n;
}

uint64_t Keyspace::TierKeys() { return SumStat(&ShardStats::tier_keys); }

uint64_t Keyspace::TierBytes() { return SumStat(&ShardStats::tier_bytes); }

size_t Keyspace::DbSize(int db) {
  size_t n = 0;
  for (uint32_t i = 0; i < shards_.size(); ++i) {
    ShardLocks l(this, i);
    n += shards_[i]->table(db).size();
  }
  return n;
}

size_t Keyspace::UsedBytes() {
  size_t n = 0;
  for (uint32_t i = 0; i < shards_.size(); ++i) {
    ShardLocks l(this, i);
    n += shards_[i]->used_bytes();
  }
  return n;
}

size_t Keyspace::UsedBytesHint() const {
  size_t n = 0;
  for (const auto& s : shards_) n += s->used_bytes_hint();
  return n;
}

void Keyspace::set_eviction(const EvictionConfig& c) {
  samples_.store(c.samples, std::memory_order_relaxed);
  lfu_log_factor_.store(c.lfu_log_factor, std::memory_order_relaxed);
  lfu_decay_time_.store(c.lfu_decay_time, std::memory_order_relaxed);
  policy_.store(c.policy, std::memory_order_relaxed);
  for (auto& s : shards_) s->set_probation(!IsLfu(c.policy));
}

EvictionConfig Keyspace::eviction() const {
  EvictionConfig c;
  c.policy = policy_.load(std::memory_order_relaxed);
  c.samples = samples_.load(std::memory_order_relaxed);
  c.lfu_log_factor = lfu_log_factor_.load(std::memory_order_relaxed);
  c.lfu_decay_time = lfu_decay_time_.load(std::memory_order_relaxed);
  return c;
}

uint32_t Keyspace::AccessedClock(Shard& s, uint32_t clock, int64_t now_ms) {
  const EvictionPolicy policy = eviction_policy();
  if (!IsLfu(policy)) return AccessClockAt(now_ms);
  EvictionConfig c;
  c.policy = policy;
  c.lfu_log_factor = lfu_log_factor_.load(std::memory_order_relaxed);
  c.lfu_decay_time = lfu_decay_time_.load(std::memory_order_relaxed);
  return TouchedAccessClock(clock, c, now_ms, s.NextRandom());
}

void Keyspace::ResetStats() {
  for (auto& s : shards_) {
    ShardStats& st = s->stats();
    st.expired_keys.store(0, std::memory_order_relaxed);
    st.keyspace_hits.store(0, std::memory_order_relaxed);
    st.keyspace_misses.store(0, std::memory_order_relaxed);
    st.evicted_keys.store(0, std::memory_order_relaxed);
  }
}

uint64_t Keyspace::EvictedKeys() { return SumStat(&ShardStats::evicted_keys); }

uint64_t Keyspace::ExpiredKeys() { return SumStat(&ShardStats::expired_keys); }
uint64_t Keyspace::Hits() { return SumStat(&ShardStats::keyspace_hits); }
uint64_t Keyspace::Misses() { return SumStat(&ShardStats::keyspace_misses); }

}  // namespace strata::engine
