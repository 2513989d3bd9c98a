#include "engine/listpack.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace strata::engine {
namespace {

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Reads the forward varint at p.
const char* ReadVarint(const char* p, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0;; shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(*p++);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) break;
  }
  *v = result;
  return p;
}

}  // namespace

Listpack::~Listpack() { std::free(buf_); }

Listpack::Listpack(const Listpack& other) : count_(other.count_) {
  Reserve(other.used_);
  if (other.used_ != 0) std::memcpy(buf_, other.buf_, other.used_);
  used_ = other.used_;
}

Listpack& Listpack::operator=(const Listpack& other) {
  if (this != &other) *this = Listpack(other);
  return *this;
}

Listpack::Listpack(Listpack&& other) noexcept
    : buf_(std::exchange(other.buf_, nullptr)),
      used_(std::exchange(other.used_, 0)),
      cap_(std::exchange(other.cap_, 0)),
      count_(std::exchange(other.count_, 0)) {}

Listpack& Listpack::operator=(Listpack&& other) noexcept {
  if (this != &other) {
    std::free(buf_);
    buf_ = std::exchange(other.buf_, nullptr);
    used_ = std::exchange(other.used_, 0);
    cap_ = std::exchange(other.cap_, 0);
    count_ = std::exchange(other.count_, 0);
  }
  return *this;
}

void Listpack::Reserve(size_t n) {
  if (n <= cap_) return;
  void* p = std::realloc(buf_, n);
  if (p == nullptr) throw std::bad_alloc();
  buf_ = static_cast<char*>(p);
  cap_ = malloc_usable_size(p);
}

void Listpack::Shrink() {
  if (used_ == 0) {
    std::free(buf_);
    buf_ = nullptr;
    cap_ = 0;
    return;
  }
  if (cap_ - used_ < 64 && cap_ < 2 * used_) return;
  void* p = std::realloc(buf_, used_);
  if (p == nullptr) return;  // keeping the larger buffer is fine
  buf_ = static_cast<char*>(p);
  cap_ = malloc_usable_size(p);
}

void Listpack::Shift(size_t from, size_t to) {
  if (to > from) Reserve(used_ + (to - from));
  if (from != used_) std::memmove(buf_ + to, buf_ + from, used_ - from);
  used_ = used_ + to - from;
}

size_t Listpack::ElementSize(size_t len) {
  const size_t head = VarintSize(len) + len;
  return head + VarintSize(head);
}

void Listpack::Encode(char* p, std::string_view v) {
  uint64_t n = v.size();
  while (n >= 0x80) {
    *p++ = static_cast<char>(n | 0x80);
    n >>= 7;
  }
  *p++ = static_cast<char>(n);
  if (!v.empty()) std::memcpy(p, v.data(), v.size());
  p += v.size();
  // The back length: its lowest 7 bits in the last byte, a set high bit meaning "more before".
  uint64_t head = VarintSize(v.size()) + v.size();
  const size_t k = VarintSize(head);
  for (size_t i = 0; i < k; ++i, head >>= 7) {
    p[k - 1 - i] = static_cast<char>((head & 0x7f) | (i + 1 < k ? 0x80 : 0));
  }
}

std::string_view Listpack::At(size_t pos) const {
  uint64_t len;
  const char* p = ReadVarint(buf_ + pos, &len);
  return {p, len};
}

size_t Listpack::Next(size_t pos) const {
  uint64_t len;
  const char* p = ReadVarint(buf_ + pos, &len);
  const size_t head = static_cast<size_t>(p - (buf_ + pos)) + len;
  return pos + head + VarintSize(head);
}

size_t Listpack::Prev(size_t pos) const {
  const char* p = buf_ + pos - 1;
  uint64_t head = 0;
  size_t k = 0;
  for (int shift = 0;; shift += 7, --p) {
    const uint8_t byte = static_cast<uint8_t>(*p);
    head |= static_cast<uint64_t>(byte & 0x7f) << shift;
    ++k;
    if (!(byte & 0x80)) break;
  }
  return pos - k - head;
}

size_t Listpack::Seek(size_t index) const {
  if (index <= count_ / 2) {
    size_t pos = begin();
    for (size_t i = 0; i < index; ++i) pos = Next(pos);
    return pos;
  }
  size_t pos = end();
  for (size_t i = count_; i > index; --i) pos = Prev(pos);
  return pos;
}

size_t Listpack::Find(std::string_view v, size_t from, size_t step) const {
  for (size_t pos = from; pos < end();) {
    if (At(pos) == v) return pos;
    for (size_t i = 0; i < step && pos < end(); ++i) pos = Next(pos);
  }
  return end();
}

size_t Listpack::Insert(size_t pos, std::string_view v) {
  const size_t n = ElementSize(v.size());
  Shift(pos, pos + n);
  Encode(buf_ + pos, v);
  ++count_;
  return pos;
}

size_t Listpack::Replace(size_t pos, std::string_view v) {
  const size_t next = Next(pos);
  const size_t n = ElementSize(v.size());
  Shift(next, pos + n);
  Encode(buf_ + pos, v);
  return pos;
}

size_t Listpack::Erase(size_t pos, size_t n) {
  size_t stop = pos;
  size_t erased = 0;
  for (; erased < n && stop < end(); ++erased) stop = Next(stop);
  Shift(stop, pos);
  count_ -= static_cast<uint32_t>(erased);
  return pos;
}

}  // namespace strata::engine
