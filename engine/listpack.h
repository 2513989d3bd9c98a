// Listpack: a sequence of byte strings packed into one buffer, the compact encoding of small
// lists, hashes, sets and sorted sets (Redis's idea; our own layout).
//
// Each element is `len:varint, bytes, back:rvarint`, where `back` is the byte length of
// `len:varint, bytes` written as a varint read backwards (its last byte first), so the list can
// be walked both ways. One element of up to 127 bytes costs 2 bytes of overhead. Positions are
// byte offsets into the buffer: begin() is the first element, end() is one past the last, and
// an offset stays valid until the next change. Not thread safe.
//
// The buffer is grown with realloc to the size needed, not doubled: the allocator's size
// classes (jemalloc's are 25% apart) keep growth amortized and waste under a quarter, where a
// doubling std::string would waste up to half of every small collection.
//
// A list node (engine/list_value.h) may be compressed: its buffer then holds a zstd frame of
// its elements, and only the size queries, Compress, Decompress, DecompressTo, copying, moving
// and destruction may be called until it is decompressed. Hashes, sets and sorted sets never
// compress theirs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata::engine {

class Listpack {
 public:
  Listpack() = default;
  ~Listpack();
  Listpack(const Listpack& other);
  Listpack& operator=(const Listpack& other);
  Listpack(Listpack&& other) noexcept;
  Listpack& operator=(Listpack&& other) noexcept;

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Bytes of the buffer (what the allocator holds; the frame's allocation when compressed).
  size_t bytes() const { return cap_; }
  // Bytes the elements take (uncompressed, also when compressed).
  size_t used() const { return used_; }

  // ---- Compression (list nodes only) ----
  // Redis's rule (quicklist.c's MIN_COMPRESS_BYTES and MIN_COMPRESS_IMPROVE): a listpack is
  // compressed only if its elements take at least kMinCompressBytes and the frame saves at
  // least kMinCompressGain bytes.
  static constexpr size_t kMinCompressBytes = 48;
  static constexpr size_t kMinCompressGain = 8;
  bool compressed() const { return frame_ != kPlain && frame_ != kIncompressible; }
  // Compresses the elements with zstd (level 1) if that is worth it by the rule above; returns
  // whether the listpack is compressed now. One found not worth it is remembered as such until
  // its next change, so asking again costs nothing.
  bool Compress();
  // Makes a compressed listpack plain again (no-op when plain).
  void Decompress();
  // A plain copy of the elements in *out, leaving this one as it is (compressed or not).
  void DecompressTo(Listpack* out) const;

  size_t begin() const { return 0; }
  size_t end() const { return used_; }
  // The element at offset `pos` (REQUIRES: begin() <= pos < end(), an element's start).
  std::string_view At(size_t pos) const;
  // The offset of the element after / before the one at pos. Prev(begin()) is undefined.
  size_t Next(size_t pos) const;
  size_t Prev(size_t pos) const;
  // The offset of the last element (REQUIRES: !empty()).
  size_t Last() const { return Prev(end()); }
  // The offset of element number `index` (0-based from the head; REQUIRES index < size()).
  // Walks from the nearer end.
  size_t Seek(size_t index) const;
  // The first element equal to v at or after `from`, looking at every `step`-th element
  // (2 for the fields of field/value pairs); end() if none.
  size_t Find(std::string_view v, size_t from = 0, size_t step = 1) const;

  // Inserts v before the element at pos (pos == end() appends). Returns v's offset.
  size_t Insert(size_t pos, std::string_view v);
  void PushBack(std::string_view v) { Insert(end(), v); }
  void PushFront(std::string_view v) { Insert(begin(), v); }
  // Replaces the element at pos with v. Returns v's offset (pos).
  size_t Replace(size_t pos, std::string_view v);
  // Erases n elements from pos on (stopping at the end). Returns the offset of the element that
  // followed them.
  size_t Erase(size_t pos, size_t n = 1);
  void Clear() {
    used_ = 0;
    count_ = 0;
    frame_ = kPlain;
  }
  // Gives back spare capacity (after large removals). No-op when compressed.
  void Shrink();

  // Bytes one element of `len` bytes takes.
  static size_t ElementSize(size_t len);

 private:
  // Writes the encoding of v at p (ElementSize(v.size()) bytes).
  static void Encode(char* p, std::string_view v);
  // Makes room for `n` bytes in all.
  void Reserve(size_t n);
  // Moves the bytes from `from` on to `to` (growing or shrinking the used part).
  void Shift(size_t from, size_t to);

  // frame_ values besides a compressed frame's length.
  static constexpr uint32_t kPlain = 0;
  static constexpr uint32_t kIncompressible = UINT32_MAX;  // plain, and not worth compressing

  char* buf_ = nullptr;  // malloc'd, cap_ usable bytes: the elements, or the zstd frame
  size_t used_ = 0;
  size_t cap_ = 0;
  uint32_t count_ = 0;
  uint32_t frame_ = kPlain;  // bytes of the zstd frame in buf_ when compressed
};
// A list node costs one of these per node; compression fits in what was padding.
static_assert(sizeof(Listpack) == 32);

}  // namespace strata::engine
