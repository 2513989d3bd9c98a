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
// list-compress-depth (EncodingLimits::list_compress_depth, Redis's quicklist compression): with
// depth d > 0, the d nodes at each end stay plain and every node between them is stored as a
// zstd frame (Listpack::Compress) when that saves memory (Redis's rule: at least 48 bytes, at
// least 8 saved). Invariant, after every Apply and Parse with depth d: node i is compressed iff
// d > 0, d <= i < nodes() - d and it compresses well; with d = 0 no node is. A change of the
// setting applies to a list at its next change, as in Redis. Kept up lazily: pushes and pops
// re-check only the d + 1 nodes at each end (the only ones that can cross the boundary); a
// change inside the list (insert, set, rem, splits, merges) or of the depth re-checks every
// node. A mutator decompresses a node before touching it; reads decompress into a temporary
// copy, so the list itself never changes on a read. bytes() counts compressed nodes at their
// compressed size. Redo effects and the put encoding carry the plain elements: compression is
// invisible to the log, snapshots and the tier.
//
// Indexes in bodies and in the read interface are non-negative positions from the head; the
// commands normalize Redis's negative indexes first. Not thread safe (the shard lock guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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
  // The element at `index` (REQUIRES: index < size()). Valid until the next change or the next
  // At() on this thread (an element of a compressed node is read from a per-thread copy).
  std::string_view At(size_t index) const;
  // Calls fn(element) for the elements at start..stop inclusive, head to tail
  // (REQUIRES: start <= stop < size()). Each element is valid during its call only.
  template <typename Fn>
  void ForRange(size_t start, size_t stop, Fn&& fn) const;
  // Calls fn(index, element) from the head (reverse = false) or from the tail (reverse = true)
  // until fn returns false. Each element is valid during its call only.
  template <typename Fn>
  void Walk(bool reverse, Fn&& fn) const;

  // Number of nodes, of compressed ones, and node i itself (tests).
  size_t nodes() const { return nodes_.size(); }
  size_t compressed_nodes() const;
  const Listpack& node(size_t i) const { return nodes_[i]; }

 private:
  // Whether a node of `bytes` bytes (Redis's listpack size: ours plus its 7 header bytes) and
  // `count` elements is over the node limit of `fill` (list-max-listpack-size), or (half) over
  // half of it. The private mutators below take `fill` for the same purpose.
  static bool Exceeds(int64_t fill, size_t bytes, size_t count, bool half = false);
  static size_t NodeBytes(const Listpack& lp) { return lp.used() + 7; }

  // Finds the node holding element `index`: *node and the index inside it.
  void Locate(size_t index, size_t* node, size_t* offset) const;
  // Node i for reading: itself when plain, else its elements decompressed into *scratch.
  const Listpack& Readable(size_t i, Listpack* scratch) const;
  // Node i made plain for a change (its accounting kept); a node decompressed here may be in
  // the middle, so the next Settle re-checks every node.
  Listpack& Plain(size_t i);
  // Compresses node i or makes it plain, keeping the accounting.
  void Shape(size_t i, bool compress);
  // Restores the compression invariant (header comment) for `depth` after a change.
  void Settle(int64_t depth);
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

  // A number no other list, nor this one before its last change, has had: At()'s
  // decompression cache (one node per thread, list_value.cc) is keyed by it and the node, so a
  // change (Apply) or another list never reads a stale copy. The cache is per thread, not per
  // list, so its memory is one node per worker however many lists are read.
  static uint64_t NextVersion();

  std::vector<Listpack> nodes_;  // a vector, not a deque: a deque costs ~600 bytes even for one node
  size_t size_ = 0;
  size_t lp_bytes_ = 0;  // sum of nodes_[i].bytes() (compressed nodes at their frame's size)
  size_t used_ = 0;      // sum of nodes_[i].used() (uncompressed)
  uint64_t version_ = NextVersion();
  int64_t depth_ = 0;     // the compression depth the nodes were last settled for
  bool reshaped_ = false;  // a node inside the list changed since the last Settle
  bool quicklist_ = false;
};

template <typename Fn>
void ListValue::ForRange(size_t start, size_t stop, Fn&& fn) const {
  size_t node, offset;
  Locate(start, &node, &offset);
  size_t left = stop - start + 1;
  Listpack scratch;
  for (; node < nodes_.size() && left > 0; ++node, offset = 0) {
    const Listpack& lp = Readable(node, &scratch);
    size_t pos = lp.Seek(offset);
    for (size_t i = offset; i < lp.size() && left > 0; ++i, --left) {
      fn(lp.At(pos));
      pos = lp.Next(pos);
    }
  }
}

template <typename Fn>
void ListValue::Walk(bool reverse, Fn&& fn) const {
  Listpack scratch;
  if (!reverse) {
    size_t index = 0;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const Listpack& lp = Readable(i, &scratch);
      for (size_t pos = lp.begin(); pos < lp.end(); pos = lp.Next(pos)) {
        if (!fn(index++, lp.At(pos))) return;
      }
    }
    return;
  }
  size_t index = size_;
  for (size_t i = nodes_.size(); i > 0; --i) {
    const Listpack& lp = Readable(i - 1, &scratch);
    for (size_t pos = lp.end(); pos > lp.begin();) {
      pos = lp.Prev(pos);
      if (!fn(--index, lp.At(pos))) return;
    }
  }
}

}  // namespace strata::engine
