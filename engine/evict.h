// Eviction: Redis's maxmemory policies over the sharded keyspace, and the LFU access counter.
//
// Each entry's 24-bit access field (Entry::access_clock) holds, as in Redis:
//   - under an LFU policy: bits 8-23 the minutes clock of the last decrement (unix minutes mod
//     2^16), bits 0-7 a logarithmic access counter (new keys start at kLfuInitVal; an access
//     increments it with probability 1 / ((counter - kLfuInitVal) * lfu_log_factor + 1); it
//     decays by one every lfu_decay_time minutes without access);
//   - under every other policy: the seconds clock of the last access (AccessClockAt).
// A policy change does not rewrite existing fields: they read as the other kind until touched,
// as in Redis ("LRU and LFU data will take some time to adjust").
//
// Victims are chosen per shard, by sampling (SampleVictims) and through a small per-shard pool
// of the best candidates seen (EvictionPool, as Redis's eviction pool), and evicted as deletes
// recorded in the command's RedoRecord, so the WAL replays them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace strata::engine {

class Entry;
class Keyspace;
class RedoRecord;
class Shard;

// Redis's maxmemory-policy values, in Redis's order (the config enum index).
enum class EvictionPolicy : uint8_t {
  kVolatileLru,
  kAllkeysLru,
  kVolatileLfu,
  kAllkeysLfu,
  kVolatileRandom,
  kAllkeysRandom,
  kVolatileTtl,
  kNoEviction,
};

inline bool IsLfu(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLfu || p == EvictionPolicy::kAllkeysLfu;
}
inline bool IsRandom(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kAllkeysRandom;
}
// volatile-*: only keys with a TTL may be evicted.
inline bool IsVolatile(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

struct EvictionConfig {
  // Which keys may go and in which order. Default: noeviction (Redis's default).
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  // maxmemory-samples: entries sampled per database of a shard for each choice. Default 5.
  int samples = 5;
  // lfu-log-factor: how slowly the LFU counter grows (0 = every access counts). Default 10.
  int lfu_log_factor = 10;
  // lfu-decay-time: minutes per unit of LFU counter decay (0 = no decay). Default 1.
  int lfu_decay_time = 1;
};

// ---- LFU counter ----

inline constexpr uint8_t kLfuInitVal = 5;
// Unix minutes mod 2^16 (Redis's LFUGetTimeInMinutes).
inline uint32_t LfuMinutes(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 60000) & 0xffffu;
}
// The access field of a new entry under an LFU policy.
inline uint32_t LfuNewClock(int64_t now_ms) { return (LfuMinutes(now_ms) << 8) | kLfuInitVal; }
// The counter of an LFU access field after decay to now (Redis's LFUDecrAndReturn); the field
// itself is left alone.
uint8_t LfuDecayed(uint32_t clock, int decay_time, int64_t now_ms);
// Redis's LFULogIncr with `rnd` as its random draw (any 64-bit random number).
uint8_t LfuLogIncr(uint8_t counter, int log_factor, uint64_t rnd);

// The access field of a new entry under cfg's policy.
uint32_t NewAccessClock(EvictionPolicy policy, int64_t now_ms);
// The access field after an access at now_ms: LFU decays then maybe increments the counter and
// stamps the minutes; other policies store the seconds clock.
uint32_t TouchedAccessClock(uint32_t clock, const EvictionConfig& cfg, int64_t now_ms,
                            uint64_t rnd);

// ---- Victim choice ----

// How good a victim an entry is under cfg's policy; higher goes first. LRU: seconds idle; LFU:
// 255 minus the decayed counter; volatile-ttl: sooner expiry is higher (no TTL is lowest);
// random policies: `rnd`; noeviction: as LRU (for callers that only rank, such as a tier
// choosing values to demote).
uint64_t VictimScore(const Entry& e, const EvictionConfig& cfg, int64_t now_ms, uint64_t rnd);

struct Victim {
  uint64_t score = 0;
  int db = 0;
  // Borrowed: valid while the caller holds the shard's lock and until its tables change.
  Entry* entry = nullptr;
};

// Which entries may be chosen: (database, entry) -> whether it qualifies. An empty function
// lets every entry qualify.
using VictimFilter = std::function<bool(int db, const Entry& e)>;

// Samples up to cfg.samples qualifying entries from each database of shard s (random draws,
// then, when the draws found nothing, a bounded walk of the tables so that sparse qualifying
// entries are still found), scores them with VictimScore, and stores them in *out best first
// (no entry twice). *out is empty when nothing qualifying was met. REQUIRES: s.mu() held.
void SampleVictims(Shard& s, const EvictionConfig& cfg, const VictimFilter& filter, int64_t now_ms,
                   std::vector<Victim>* out);

// The best candidates seen by one shard's recent samplings, by key (the entries may since have
// changed or gone: each is looked up again before use). One per shard, guarded by its lock.
class EvictionPool {
 public:
  static constexpr size_t kSize = 16;
  // Forgets every candidate when the policy differs from the one the pool was filled under.
  void Reset(EvictionPolicy policy);
  // Adds the candidates (any order) that beat the pool's worst, keeping the kSize best.
  void Merge(const std::vector<Victim>& candidates);
  // The best candidate's score; false when empty.
  bool Best(uint64_t* score) const;
  // Removes and returns the best candidate; false when empty.
  bool PopBest(int* db, std::string* key);
  size_t size() const { return items_.size(); }

 private:
  struct Item {
    uint64_t score;
    int db;
    std::string key;
  };
  std::vector<Item> items_;  // ascending by score: the best is last
  EvictionPolicy policy_ = EvictionPolicy::kNoEviction;
};

// Deletes victims chosen by cfg.policy from shard s until s.used_bytes() <= target_bytes,
// nothing qualifies any more, or MonotonicUs() reaches deadline_us (0 = no deadline). Each
// delete is recorded in `redo` (unless null) and counted in evicted_keys. noeviction deletes
// nothing. Returns the number of keys evicted. REQUIRES: s.mu() held.
size_t EvictFromShard(Shard& s, const EvictionConfig& cfg, size_t target_bytes, int64_t now_ms,
                      int64_t deadline_us, RedoRecord* redo);

enum class EvictResult {
  kOk,       // at or under the limit
  kRunning,  // still over, but the time budget ran out while keys could still go
  kFail,     // still over and nothing more may be evicted (noeviction, no qualifying key)
};

// Redis's performEvictions over the keyspace: while the used-bytes mirror
// (Keyspace::UsedBytesHint) is over `limit`, evicts with ks's current EvictionConfig. Each round
// samples a few shards (two of them over their share limit/num_shards when there are such) into
// their pools and evicts from the one with the best candidate, so victims are close to the best
// of the whole keyspace; a round frees up to 1/256 of the limit more than needed. Locks one
// shard at a time; the deletes are committed through `redo` (see ShardLocks) as the shard is
// released. Spends about budget_us at most. REQUIRES: the caller holds no shard lock.
EvictResult EvictToLimit(Keyspace& ks, size_t limit, int64_t now_ms, int64_t budget_us,
                         RedoRecord* redo);

}  // namespace strata::engine
