// ListValue: a Redis list (engine/value.h), and the encoders of its redo effects' bodies.
//
// The list is a chain of Listpack nodes (engine/listpack.h), like Redis's quicklist: pushes and
// pops at either end touch one node, so they are O(1) amortized, and an element costs two bytes
// of overhead plus its data. OBJECT ENCODING says "listpack" while the list is a single node
// that fits list-max-listpack-size (Redis 7.2's rules: a push or LSET that would overflow it
// converts the list to "quicklist"; a shrink that leaves a single node at or below half the
// limit converts it back). Node limits are those of list-max-listpack-size: a negative value
// -1..-5 caps each node at 4/8/16/32/64 KB, a positive one caps its element count (and 8 KB).
//
// Indexes in bodies and in the read interface are non-negative positions from the head; the
// commands normalize Redis's negative indexes first. Not thread safe (the shard lock guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>
#include <span>
#include <string>
#include <string_view>

#include "engine/listpack.h"
#include "engine/value.h"

namespace strata::engine {

enum class ListEnd : uint8_t { kHead = 0, kTail = 1 };

// Effect body encoders (engine/FORMAT.md, "Collection effects"). Each clears *out first, so a
// caller can reuse one buffer for every command.
void ListPushBody(std::string* out, ListEnd where, std::span<const std::string_view> elements);
void ListPopBody(std::string* out, ListEnd where, uint64_t count);
void ListSetBody(std::string* out, uint64_t index, std::string_view element);
void ListInsertBody(std::string* out, uint64_t index, std::string_view element);
// count 0 removes every occurrence; `where` says from which end the count is taken.
void ListRemBody(std::string* out, ListEnd where, uint64_t count, std::string_view element);
// REQUIRES (for Apply to accept it): start <= stop < length.
void ListTrimBody(std::string* out, uint64_t start, uint64_t stop);

class ListValue final : public Value {
 public:
  static constexpr ValueType kType = ValueType::kList;
  ListValue() = default;

  ValueType type() const override { return ValueType::kList; }
  size_t size() const override { return size_; }
  size_t bytes() const override;
  const char* encoding() const override { return quicklist_ ? "quicklist" : "listpack"; }
  void Serialize(std::string* out) const override;
  Status Apply(RedoOp op, std::string_view body, const EncodingLimits& limits) override;

  // Parses a put encoding (n, n x element) into *out. Corruption if malformed or empty.
  static Status Parse(std::string_view bytes, const EncodingLimits& limits,
                      std::unique_ptr<Value>* out);

  // ---- Reads ----
  // The element at `index` (REQUIRES: index < size()). Valid until the next change.
  std::string_view At(size_t index) const;
  // Calls fn(element) for the elements at start..stop inclusive, head to tail
  // (REQUIRES: start <= stop < size()).
  template <typename Fn>
  void ForRange(size_t start, size_t stop, Fn&& fn) const;
  // Calls fn(index, element) from the head (reverse = false) or from the tail (reverse = true)
  // until fn returns false.
  template <typename Fn>
  void Walk(bool reverse, Fn&& fn) const;

  // Number of nodes (tests).
  size_t nodes() const { return nodes_.size(); }

 private:
  // Whether a node of `bytes` bytes (Redis's listpack size: ours plus its 7 header bytes) and
  // `count` elements is over the node limit of `fill` (list-max-listpack-size), or (half) over
  // half of it. The private mutators below take `fill` for the same purpose.
  static bool Exceeds(int64_t fill, size_t bytes, size_t count, bool half = false);
  static size_t NodeBytes(const Listpack& lp) { return lp.used() + 7; }

  // Finds the node holding element `index`: *node and the index inside it.
  void Locate(size_t index, size_t* node, size_t* offset) const;
  void Push(ListEnd where, std::string_view v, int64_t fill);
  void PopN(ListEnd where, uint64_t count);
  void Insert(size_t index, std::string_view v, int64_t fill);
  void Set(size_t index, std::string_view v, int64_t fill);
  uint64_t Rem(ListEnd where, uint64_t count, std::string_view v);
  void Trim(size_t start, size_t stop);
  // Splits node i while it is over the limit (quicklist only), or converts a listpack that
  // outgrew its node to a quicklist.
  void FixGrown(size_t i, int64_t fill);
  // Drops node i if empty.
  void DropIfEmpty(size_t i);
  // Converts back to listpack when the list fits half a node (Redis 7.2's shrink rule; Redis
  // needs a single node already, we also merge small ones).
  void MaybeShrink(int64_t fill);
  // Byte accounting around a change of one node.
  void Account(const Listpack& lp, int sign) {
    if (sign > 0) {
      lp_bytes_ += lp.bytes();
      used_ += lp.used();
    } else {
      lp_bytes_ -= lp.bytes();
      used_ -= lp.used();
    }
  }

  std::vector<Listpack> nodes_;  // a vector, not a deque: a deque costs ~600 bytes even for one node
  size_t size_ = 0;
  size_t lp_bytes_ = 0;  // sum of nodes_[i].bytes()
  size_t used_ = 0;      // sum of nodes_[i].used()
  bool quicklist_ = false;
};

template <typename Fn>
void ListValue::ForRange(size_t start, size_t stop, Fn&& fn) const {
  size_t node, offset;
  Locate(start, &node, &offset);
  size_t left = stop - start + 1;
  for (; node < nodes_.size() && left > 0; ++node, offset = 0) {
    const Listpack& lp = nodes_[node];
    size_t pos = lp.Seek(offset);
    for (size_t i = offset; i < lp.size() && left > 0; ++i, --left) {
      fn(lp.At(pos));
      pos = lp.Next(pos);
    }
  }
}

template <typename Fn>
void ListValue::Walk(bool reverse, Fn&& fn) const {
  if (!reverse) {
    size_t index = 0;
    for (const Listpack& lp : nodes_) {
      for (size_t pos = lp.begin(); pos < lp.end(); pos = lp.Next(pos)) {
        if (!fn(index++, lp.At(pos))) return;
      }
    }
    return;
  }
  size_t index = size_;
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    const Listpack& lp = *it;
    for (size_t pos = lp.end(); pos > lp.begin();) {
      pos = lp.Prev(pos);
      if (!fn(--index, lp.At(pos))) return;
    }
  }
}

}  // namespace strata::engine
