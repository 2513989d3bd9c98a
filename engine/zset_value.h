// ZSetValue: the value of a sorted-set key (Redis 7.2's two encodings).
//
//   listpack   (member, score) pairs in one Listpack, ordered by (score, member), the score an
//              8-byte little-endian double; while size <= zset-max-listpack-entries and every
//              member <= zset-max-listpack-value bytes. As in Redis, a listpack stores -0 as 0.
//   skiplist   a member -> score dict (an engine::Table of entries: key = member, value = the
//              8 score bytes) plus an order-statistics tree of (score, member) whose member views
//              point into the dict's entries: O(log n) insert, erase, rank and select.
// Conversion only goes upward (listpack -> skiplist); a new value takes the encoding its first
// add calls for (the STORE commands build their result that way).
//
// Members order by score, then by bytes (memcmp). The only mutator is Apply() (zset_add /
// zset_rem bodies, engine/FORMAT.md), run by commands (through DbView::Apply) and WAL replay.
// Not thread safe: the owning shard's lock guards a value like its entry.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/listpack.h"
#include "engine/table.h"
#include "engine/value.h"

namespace strata::engine {

class ZSetValue : public Value {
 public:
  static constexpr ValueType kType = ValueType::kZSet;
  enum class Encoding : uint8_t { kListpack, kSkiplist };

  ZSetValue() = default;
  ~ZSetValue() override;
  ZSetValue(const ZSetValue&) = delete;
  ZSetValue& operator=(const ZSetValue&) = delete;

  ValueType type() const override { return ValueType::kZSet; }
  size_t size() const override;
  size_t bytes() const override;
  const char* encoding() const override;
  void Serialize(std::string* out) const override;
  Status Apply(RedoOp op, std::string_view body, const EncodingLimits& limits) override;

  Encoding enc() const { return enc_; }
  std::optional<double> Score(std::string_view member) const;
  // 0-based rank in ascending order, nullopt if absent.
  std::optional<size_t> Rank(std::string_view member) const;
  // Number of members whose score is < v (inclusive: <= v). With it a score range [min, max]
  // is the ranks [CountBelow(min, min_exclusive), CountBelow(max, !max_exclusive)).
  size_t CountBelow(double v, bool inclusive) const;

  // Calls fn(std::string_view member, double score) from rank `start` towards the tail (or the
  // head with `reverse`) until fn returns false or the end. Views are valid during the call
  // only; fn must not change the value. REQUIRES: start < size() (no call otherwise).
  template <typename Fn>
  void Walk(size_t start, bool reverse, Fn&& fn) const {
    if (start >= size()) return;
    if (enc_ == Encoding::kListpack) {
      size_t p = lp_.Seek(2 * start);
      for (;;) {
        const size_t s = lp_.Next(p);
        if (!fn(lp_.At(p), DecodeLpScore(lp_.At(s)))) return;
        if (reverse) {
          if (p == lp_.begin()) return;
          p = lp_.Prev(lp_.Prev(p));
        } else {
          p = lp_.Next(s);
          if (p >= lp_.end()) return;
        }
      }
    }
    auto it = skip_->tree.find_by_order(start);
    for (;;) {
      if (!fn(it->member, it->score)) return;
      if (reverse) {
        if (it == skip_->tree.begin()) return;
        --it;
      } else {
        ++it;
        if (it == skip_->tree.end()) return;
      }
    }
  }

  // The rank of the first member from the head for which pred(member) holds, size() if none.
  // The listpack checks members one by one (as Redis walks its listpack, which matters when
  // members of different scores are not in lexicographic order); the skiplist binary-searches,
  // assuming pred is monotonic (false then true).
  template <typename Pred>
  size_t FirstWhere(Pred&& pred) const {
    if (enc_ == Encoding::kListpack) {
      size_t r = 0;
      for (size_t p = lp_.begin(); p < lp_.end(); p = lp_.Next(lp_.Next(p)), ++r) {
        if (pred(lp_.At(p))) return r;
      }
      return r;
    }
    size_t lo = 0, hi = skip_->tree.size();
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (pred(skip_->tree.find_by_order(mid)->member))
        hi = mid;
      else
        lo = mid + 1;
    }
    return lo;
  }
  // The rank of the last member from the tail for which pred(member) holds, or size() if none
  // (pred monotonic true then false on the skiplist).
  template <typename Pred>
  size_t LastWhere(Pred&& pred) const {
    const size_t n = size();
    if (enc_ == Encoding::kListpack) {
      if (n == 0) return 0;
      size_t r = n - 1;
      for (size_t p = lp_.Prev(lp_.Last());; p = lp_.Prev(lp_.Prev(p)), --r) {
        if (pred(lp_.At(p))) return r;
        if (p == lp_.begin()) return n;
      }
    }
    size_t lo = 0, hi = n;  // first rank where pred is false
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (pred(skip_->tree.find_by_order(mid)->member))
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo == 0 ? n : lo - 1;
  }

  // One ZSCAN step: the listpack returns everything and cursor 0; the skiplist scans its dict,
  // visiting buckets until about `count` members were seen. Appends (member, score).
  uint64_t Scan(uint64_t cursor, size_t count,
                std::vector<std::pair<std::string, double>>* out) const;

  static double DecodeScore(std::string_view eight) {
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(eight[i])) << (8 * i);
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    return d;
  }
  static void EncodeScore(double d, char* eight) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof(d));
    for (int i = 0; i < 8; ++i) eight[i] = static_cast<char>(bits >> (8 * i));
  }
  // A score as a listpack element: an integer score of magnitude below 2^31 as a zigzag varint
  // (1 to 5 bytes: most scores are small integers), any other as its 8 raw bytes. The length
  // tells which.
  static std::string_view EncodeLpScore(double d, char* buf) {
    // The range first: converting an infinite, NaN or out-of-range double to an integer is
    // undefined behaviour.
    if (d > -2147483648.0 && d < 2147483648.0 &&
        d == static_cast<double>(static_cast<int64_t>(d)) && !(d == 0 && std::signbit(d))) {
      const auto v = static_cast<int64_t>(d);
      uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
      size_t n = 0;
      while (z >= 0x80) {
        buf[n++] = static_cast<char>(z | 0x80);
        z >>= 7;
      }
      buf[n++] = static_cast<char>(z);
      return {buf, n};
    }
    EncodeScore(d, buf);
    return {buf, 8};
  }
  static double DecodeLpScore(std::string_view e) {
    if (e.size() == 8) return DecodeScore(e);
    uint64_t z = 0;
    for (size_t i = 0; i < e.size(); ++i) {
      z |= static_cast<uint64_t>(static_cast<uint8_t>(e[i]) & 0x7f) << (7 * i);
    }
    return static_cast<double>(static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1)));
  }

 private:
  struct Key {
    double score;
    std::string_view member;
    int8_t bias;  // 0 for stored keys; -1 / +1 sort before / after every member of `score`
  };
  struct Less {
    bool operator()(const Key& a, const Key& b) const {
      if (a.score != b.score) return a.score < b.score;
      if (a.bias != 0 || b.bias != 0) return a.bias < b.bias;
      return a.member < b.member;
    }
  };
  using Tree = __gnu_pbds::tree<Key, __gnu_pbds::null_type, Less, __gnu_pbds::rb_tree_tag,
                                __gnu_pbds::tree_order_statistics_node_update>;
  // Bytes one tree node takes (key, three links, color, subtree size), rounded to a bin.
  static constexpr size_t kTreeNodeBytes = 80;

  // The listpack offset of member's element, lp_.end() if absent.
  size_t LpFind(std::string_view member) const;
  void LpInsert(std::string_view member, double score);
  // Sets member's score (adding it if new).
  void Set(std::string_view member, double score, const EncodingLimits& limits);
  void Remove(std::string_view member);
  void ToSkiplist();
  void SkipInsert(std::string_view member, double score, uint64_t hash);

  Encoding enc_ = Encoding::kListpack;
  Listpack lp_;
  // The skiplist encoding: a member -> score dict and the order by (score, member), whose keys
  // view the dict's entries (so the tree goes first). Allocated at the conversion: a listpack
  // sorted set does not pay for an empty table and tree.
  struct Skip {
    Table dict;  // lookups may move buckets of a resize
    Tree tree;
  };
  std::unique_ptr<Skip> skip_;
  size_t dict_entry_bytes_ = 0;
};

// Body of a zset_add effect (engine/FORMAT.md): n, n x (score:f64, member).
std::string ZAddBody(std::span<const std::pair<std::string_view, double>> items);
std::string ZAddBody(std::span<const std::pair<std::string, double>> items);
// Body of a zset_rem effect: n, n x member.
std::string ZRemBody(std::span<const std::string_view> members);
std::string ZRemBody(std::span<const std::string> members);

}  // namespace strata::engine
