#include "tools/key_stats.h"

#include <algorithm>
#include <bit>

#include "engine/entry.h"
#include "tools/encoding.h"

namespace strata::tools {

namespace {

// TTL buckets: upper bounds (exclusive) of time left, after "none" and "expired".
constexpr int64_t kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;
constexpr int64_t kTtlBounds[] = {kMinute, kHour, kDay, 7 * kDay, 30 * kDay};
const char* const kTtlNames[] = {"none",  "expired", "<1m",    "1m-1h",
                                 "1h-1d", "1d-7d",   "7d-30d", ">=30d"};

const char* TypeNameOf(uint8_t type) {
  return engine::TypeName(static_cast<engine::ValueType>(type));
}

}  // namespace

bool KeyStats::WorseFirst::operator()(const Large& a, const Large& b) const {
  // True when a is better than b, so that the top of the heap is the worst one kept.
  if (a.bytes != b.bytes) return a.bytes > b.bytes;
  if (a.db != b.db) return a.db < b.db;
  return a.key < b.key;
}

size_t KeyStats::SizeBucket(uint64_t n) { return n == 0 ? 0 : std::bit_width(n); }

void KeyStats::Add(const KeyRecord& k, int64_t now_ms) {
  ++keys_;
  key_bytes_ += k.key.size();
  value_bytes_ += k.value.size();
  ++by_type_[TypeNameOf(k.type)];
  Db& db = by_db_[k.db];
  ++db.keys;
  db.key_bytes += k.key.size();
  db.value_bytes += k.value.size();
  ++key_sizes_[SizeBucket(k.key.size())];
  ++value_sizes_[SizeBucket(k.value.size())];

  size_t ttl_bucket;
  if (k.expire_ms == 0) {
    ttl_bucket = 0;
  } else if (k.expire_ms <= now_ms) {
    ttl_bucket = 1;
    ++expired_;
    ++db.expired;
  } else {
    ++expiring_;
    ++db.expiring;
    const int64_t left = k.expire_ms - now_ms;
    ttl_bucket = 2;
    for (int64_t bound : kTtlBounds) {
      if (left < bound) break;
      ++ttl_bucket;
    }
  }
  ++ttls_[ttl_bucket];

  if (top_ == 0) return;
  const uint64_t bytes = k.key.size() + k.value.size();
  if (largest_.size() == top_) {
    const Large& worst = largest_.top();
    // Cheap rejection first: most keys are not among the largest.
    if (bytes < worst.bytes) return;
    Large probe{bytes, k.db, std::string(k.key), k.type, k.value.size()};
    if (!WorseFirst()(probe, worst)) return;
    largest_.pop();
    largest_.push(std::move(probe));
    return;
  }
  largest_.push(Large{bytes, k.db, std::string(k.key), k.type, k.value.size()});
}

Json KeyStats::Summary() const {
  Json by_type = Json::object();
  for (const auto& [name, n] : by_type_) by_type[name] = n;
  Json by_db = Json::object();
  for (const auto& [db, d] : by_db_) by_db[std::to_string(db)] = d.keys;
  return {{"total", keys_},
          {"by_type", std::move(by_type)},
          {"by_db", std::move(by_db)},
          {"expiring", expiring_},
          {"expired", expired_}};
}

Json KeyStats::SizeHistogram(const std::array<uint64_t, kSizeBuckets>& h) {
  Json out = Json::array();
  size_t first = kSizeBuckets, last = 0;
  for (size_t i = 0; i < kSizeBuckets; ++i) {
    if (h[i] == 0) continue;
    first = std::min(first, i);
    last = i;
  }
  for (size_t i = first; i <= last && first < kSizeBuckets; ++i) {
    const uint64_t min = i == 0 ? 0 : uint64_t{1} << (i - 1);
    const uint64_t max = i == 0 ? 0 : (i == 64 ? UINT64_MAX : (uint64_t{1} << i) - 1);
    out.push_back({{"min", min}, {"max", max}, {"count", h[i]}});
  }
  return out;
}

Json KeyStats::Full() const {
  Json out = Summary();
  out["key_bytes"] = key_bytes_;
  out["value_bytes"] = value_bytes_;
  Json dbs = Json::array();
  for (const auto& [db, d] : by_db_) {
    dbs.push_back({{"db", db},
                   {"keys", d.keys},
                   {"expiring", d.expiring},
                   {"expired", d.expired},
                   {"key_bytes", d.key_bytes},
                   {"value_bytes", d.value_bytes}});
  }
  out["databases"] = std::move(dbs);
  out["key_sizes"] = SizeHistogram(key_sizes_);
  out["value_sizes"] = SizeHistogram(value_sizes_);
  Json ttls = Json::array();
  for (size_t i = 0; i < kTtlBuckets; ++i) {
    ttls.push_back({{"bucket", kTtlNames[i]}, {"count", ttls_[i]}});
  }
  out["ttls"] = std::move(ttls);
  // The heap, best first (a copy: Full() may be called more than once).
  auto heap = largest_;
  std::vector<Large> top;
  while (!heap.empty()) {
    top.push_back(heap.top());
    heap.pop();
  }
  std::reverse(top.begin(), top.end());
  Json largest = Json::array();
  for (const Large& l : top) {
    largest.push_back({{"db", l.db},
                       {"key", BytesJson(l.key)},
                       {"type", TypeNameOf(l.type)},
                       {"bytes", l.bytes},
                       {"value_bytes", l.value_bytes}});
  }
  out["largest"] = std::move(largest);
  return out;
}

}  // namespace strata::tools
