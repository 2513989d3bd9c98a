#include "engine/intset.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace strata::engine {

IntSet::~IntSet() { std::free(buf_); }

IntSet::IntSet(const IntSet& other) : count_(other.count_), width_(other.width_) {
  Reserve(static_cast<size_t>(count_) * width_);
  if (count_ != 0) std::memcpy(buf_, other.buf_, static_cast<size_t>(count_) * width_);
}

IntSet& IntSet::operator=(const IntSet& other) {
  if (this != &other) *this = IntSet(other);
  return *this;
}

IntSet::IntSet(IntSet&& other) noexcept
    : buf_(std::exchange(other.buf_, nullptr)),
      cap_(std::exchange(other.cap_, 0)),
      count_(std::exchange(other.count_, 0)),
      width_(std::exchange(other.width_, 2)) {}

IntSet& IntSet::operator=(IntSet&& other) noexcept {
  if (this != &other) {
    std::free(buf_);
    buf_ = std::exchange(other.buf_, nullptr);
    cap_ = std::exchange(other.cap_, 0);
    count_ = std::exchange(other.count_, 0);
    width_ = std::exchange(other.width_, 2);
  }
  return *this;
}

int IntSet::WidthFor(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

int64_t IntSet::At(size_t i) const {
  const char* p = buf_ + i * width_;
  switch (width_) {
    case 2: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

void IntSet::Put(size_t i, int64_t v) {
  char* p = buf_ + i * width_;
  if (width_ == 2) {
    const auto x = static_cast<int16_t>(v);
    std::memcpy(p, &x, 2);
  } else if (width_ == 4) {
    const auto x = static_cast<int32_t>(v);
    std::memcpy(p, &x, 4);
  } else {
    std::memcpy(p, &v, 8);
  }
}

void IntSet::Reserve(size_t bytes) {
  if (bytes <= cap_) return;
  void* p = std::realloc(buf_, bytes);
  if (p == nullptr) throw std::bad_alloc();
  buf_ = static_cast<char*>(p);
  cap_ = malloc_usable_size(p);
}

size_t IntSet::Search(int64_t v, bool* found) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (At(mid) < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *found = lo < count_ && At(lo) == v;
  return lo;
}

bool IntSet::Contains(int64_t v) const {
  if (WidthFor(v) > width_) return false;
  bool found;
  Search(v, &found);
  return found;
}

bool IntSet::Insert(int64_t v) {
  const int need = WidthFor(v);
  if (need > width_) {
    // Widen every value, from the last (the buffer only grows, so copy back to front). The new
    // value is beyond every other: the smallest or the largest.
    Reserve(static_cast<size_t>(count_ + 1) * need);
    const int old = width_;
    for (size_t i = count_; i-- > 0;) {
      width_ = static_cast<uint8_t>(old);
      const int64_t x = At(i);
      width_ = static_cast<uint8_t>(need);
      Put(i + (v < 0 ? 1 : 0), x);
    }
    width_ = static_cast<uint8_t>(need);
    Put(v < 0 ? 0 : count_, v);
    ++count_;
    return true;
  }
  bool found;
  const size_t at = Search(v, &found);
  if (found) return false;
  Reserve(static_cast<size_t>(count_ + 1) * width_);
  std::memmove(buf_ + (at + 1) * width_, buf_ + at * width_, (count_ - at) * width_);
  Put(at, v);
  ++count_;
  return true;
}

bool IntSet::Erase(int64_t v) {
  if (WidthFor(v) > width_) return false;
  bool found;
  const size_t at = Search(v, &found);
  if (!found) return false;
  std::memmove(buf_ + at * width_, buf_ + (at + 1) * width_, (count_ - at - 1) * width_);
  --count_;
  if (count_ == 0) Clear();
  return true;
}

void IntSet::Clear() {
  std::free(buf_);
  buf_ = nullptr;
  cap_ = 0;
  count_ = 0;
  width_ = 2;
}

}  // namespace strata::engine
