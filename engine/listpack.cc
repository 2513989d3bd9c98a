#include "engine/listpack.h"

#include <malloc.h>
#include <zstd.h>

#include <cassert>
#include <cstdio>
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

// zstd contexts for list nodes, one pair per thread and built on first use. A context holds
// tens to hundreds of KB of tables: too much to keep in each list, too slow to build for each
// node, and a value (guarded by its shard's lock) is changed from whichever worker runs the
// command, so there is no narrower owner. A context is used only inside one call below.
struct NodeCodec {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ~NodeCodec() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
  }
};

NodeCodec& Codec() {
  thread_local NodeCodec codec;
  if (codec.cctx == nullptr || codec.dctx == nullptr) throw std::bad_alloc();
  return codec;
}

// A frame we wrote could not be decompressed: memory is corrupt, nothing sane can follow.
[[noreturn]] void BadFrame(size_t result) {
  std::fprintf(stderr, "list node: zstd frame does not decompress (%s)\n",
               ZSTD_isError(result) ? ZSTD_getErrorName(result) : "wrong length");
  std::abort();
}

}  // namespace

Listpack::~Listpack() { std::free(buf_); }

Listpack::Listpack(const Listpack& other) : count_(other.count_) {
  const size_t n = other.compressed() ? other.frame_ : other.used_;
  Reserve(n);
  if (n != 0) std::memcpy(buf_, other.buf_, n);
  used_ = other.used_;
  frame_ = other.frame_;
}

Listpack& Listpack::operator=(const Listpack& other) {
  if (this != &other) *this = Listpack(other);
  return *this;
}

Listpack::Listpack(Listpack&& other) noexcept
    : buf_(std::exchange(other.buf_, nullptr)),
      used_(std::exchange(other.used_, 0)),
      cap_(std::exchange(other.cap_, 0)),
      count_(std::exchange(other.count_, 0)),
      frame_(std::exchange(other.frame_, kPlain)) {}

Listpack& Listpack::operator=(Listpack&& other) noexcept {
  if (this != &other) {
    std::free(buf_);
    buf_ = std::exchange(other.buf_, nullptr);
    used_ = std::exchange(other.used_, 0);
    cap_ = std::exchange(other.cap_, 0);
    count_ = std::exchange(other.count_, 0);
    frame_ = std::exchange(other.frame_, kPlain);
  }
  return *this;
}

bool Listpack::Compress() {
  if (frame_ != kPlain) return frame_ != kIncompressible;
  // The frame must save kMinCompressGain bytes, so a buffer that much smaller is enough: zstd
  // fails with dstSize_tooSmall when the frame would not fit.
  if (used_ < kMinCompressBytes || used_ >= UINT32_MAX) {
    frame_ = kIncompressible;
    return false;
  }
  const size_t room = used_ - kMinCompressGain;
  char* out = static_cast<char*>(std::malloc(room));
  if (out == nullptr) throw std::bad_alloc();
  const size_t n = ZSTD_compressCCtx(Codec().cctx, out, room, buf_, used_, 1);
  if (ZSTD_isError(n)) {
    std::free(out);
    frame_ = kIncompressible;
    return false;
  }
  if (void* fit = std::realloc(out, n)) out = static_cast<char*>(fit);
  std::free(buf_);
  buf_ = out;
  cap_ = malloc_usable_size(out);
  frame_ = static_cast<uint32_t>(n);
  return true;
}

void Listpack::Decompress() {
  if (!compressed()) return;
  Listpack plain;
  DecompressTo(&plain);
  *this = std::move(plain);
}

void Listpack::DecompressTo(Listpack* out) const {
  assert(compressed());
  out->Clear();
  out->frame_ = kPlain;
  out->Reserve(used_);
  const size_t n = ZSTD_decompressDCtx(Codec().dctx, out->buf_, used_, buf_, frame_);
  if (ZSTD_isError(n) || n != used_) BadFrame(n);
  out->used_ = used_;
  out->count_ = count_;
}

void Listpack::Reserve(size_t n) {
  if (n <= cap_) return;
  void* p = std::realloc(buf_, n);
  if (p == nullptr) throw std::bad_alloc();
  buf_ = static_cast<char*>(p);
  cap_ = malloc_usable_size(p);
}

void Listpack::Shrink() {
  if (compressed()) return;
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
  assert(!compressed());
  frame_ = kPlain;
  const size_t n = ElementSize(v.size());
  Shift(pos, pos + n);
  Encode(buf_ + pos, v);
  ++count_;
  return pos;
}

size_t Listpack::Replace(size_t pos, std::string_view v) {
  assert(!compressed());
  frame_ = kPlain;
  const size_t next = Next(pos);
  const size_t n = ElementSize(v.size());
  Shift(next, pos + n);
  Encode(buf_ + pos, v);
  return pos;
}

size_t Listpack::Erase(size_t pos, size_t n) {
  assert(!compressed());
  frame_ = kPlain;
  size_t stop = pos;
  size_t erased = 0;
  for (; erased < n && stop < end(); ++erased) stop = Next(stop);
  Shift(stop, pos);
  count_ -= static_cast<uint32_t>(erased);
  return pos;
}

}  // namespace strata::engine
