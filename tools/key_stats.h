// KeyStats: counts and histograms over the keys of a snapshot, for `info` (counts by type and
// database, expiring keys) and `stats` (sizes, TTLs, the largest keys). Memory is fixed: the
// histograms have a bucket per power of two, and the largest keys are a heap of at most `top`.
// Not thread safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <queue>
#include <string>
#include <vector>

#include "tools/inspect.h"

namespace strata::tools {

class KeyStats {
 public:
  // top: how many of the largest keys to keep (0 = none).
  explicit KeyStats(size_t top = 0) : top_(top) {}

  // Counts one key; `now_ms` decides whether it has expired and the TTL it has left.
  void Add(const KeyRecord& k, int64_t now_ms);

  uint64_t keys() const { return keys_; }
  // Forgets every key counted (the `top` setting stays).
  void Reset() { *this = KeyStats(top_); }

  // {"total", "by_type": {"string": n, ...}, "by_db": {"0": n, ...}, "expiring", "expired"}.
  Json Summary() const;
  // Summary, plus "key_bytes", "value_bytes", "databases": [{"db", "keys", "expiring",
  // "expired", "key_bytes", "value_bytes"}], "key_sizes" and "value_sizes" (power-of-two
  // buckets [{"min", "max", "count"}]), "ttls" ([{"bucket", "count"}]: none, expired, then by
  // time left), "largest" ([{"db", "key", "type", "bytes", "value_bytes"}], biggest first;
  // bytes = key + value).
  Json Full() const;

 private:
  struct Db {
    uint64_t keys = 0, expiring = 0, expired = 0, key_bytes = 0, value_bytes = 0;
  };
  // One of the largest keys. Ordered so that a "better" one is larger, then earlier by db and
  // key (ties resolved the same way every run).
  struct Large {
    uint64_t bytes;
    int db;
    std::string key;
    uint8_t type;
    uint64_t value_bytes;
  };
  struct WorseFirst {  // priority_queue comparator: the worst kept key on top
    bool operator()(const Large& a, const Large& b) const;
  };
  static constexpr size_t kSizeBuckets = 65;  // 0, then [2^(i-1), 2^i) for i = 1..64
  static constexpr size_t kTtlBuckets = 8;

  static size_t SizeBucket(uint64_t n);
  static Json SizeHistogram(const std::array<uint64_t, kSizeBuckets>& h);

  uint64_t keys_ = 0, expiring_ = 0, expired_ = 0, key_bytes_ = 0, value_bytes_ = 0;
  std::map<std::string, uint64_t> by_type_;
  std::map<int, Db> by_db_;
  std::array<uint64_t, kSizeBuckets> key_sizes_{};
  std::array<uint64_t, kSizeBuckets> value_sizes_{};
  std::array<uint64_t, kTtlBuckets> ttls_{};
  size_t top_;
  std::priority_queue<Large, std::vector<Large>, WorseFirst> largest_;
};

}  // namespace strata::tools
