// IntSet: distinct int64 values, sorted, packed at the narrowest width (2, 4 or 8 bytes) that
// holds every one of them: the compact encoding of small sets of integers (Redis's intset idea;
// our own code). One value of a small set of small numbers costs 2 bytes.
//
// Lookups are binary searches; an insert or erase moves the values after it (the set is small:
// set-max-intset-entries). The buffer grows by realloc to the size needed. Not thread safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata::engine {

class IntSet {
 public:
  IntSet() = default;
  ~IntSet();
  IntSet(const IntSet& other);
  IntSet& operator=(const IntSet& other);
  IntSet(IntSet&& other) noexcept;
  IntSet& operator=(IntSet&& other) noexcept;

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Bytes of the buffer (what the allocator holds).
  size_t bytes() const { return cap_; }
  // The i-th smallest value. REQUIRES: i < size().
  int64_t At(size_t i) const;
  bool Contains(int64_t v) const;
  // Returns whether v was added (false: already there).
  bool Insert(int64_t v);
  // Returns whether v was there.
  bool Erase(int64_t v);
  // Drops every value and the buffer.
  void Clear();

 private:
  static int WidthFor(int64_t v);
  // The position of v, or where it would go; *found says which.
  size_t Search(int64_t v, bool* found) const;
  void Put(size_t i, int64_t v);
  void Reserve(size_t bytes);

  char* buf_ = nullptr;  // malloc'd; count_ values of width_ bytes, little-endian
  size_t cap_ = 0;
  uint32_t count_ = 0;
  uint8_t width_ = 2;
};

}  // namespace strata::engine
