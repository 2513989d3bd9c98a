#include "engine/keyspace.h"

#include <algorithm>

#include "base/clock.h"
#include "base/hash.h"
#include "engine/tier.h"

namespace strata::engine {

Keyspace::Keyspace(const KeyspaceOptions& options)
    : limits_(options.encoding), databases_(options.databases) {
  int n = 1, bits = 0;
  int want = std::clamp(options.shards, 1, 1024);
  while (n < want) {
    n <<= 1;
    ++bits;
  }
  shift_ = 64 - bits;
  shards_.reserve(n);
  for (int i = 0; i < n; ++i) {
    shards_.push_back(std::make_unique<Shard>(databases_, limits_));
    shards_.back()->set_lazy_free(lazy_free_.get());
  }
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
