#include "engine/entry.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <new>

#include "base/clock.h"
#include "engine/value.h"

namespace strata::engine {
namespace {

constexpr uint32_t kClockMask = (1u << 24) - 1;

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

}  // namespace

const char* TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kHash: return "hash";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
    case ValueType::kStream: return "stream";
  }
  return "none";
}

size_t Entry::StringSize(std::string_view key, std::string_view value, int64_t expire_ms) {
  // At least sizeof(Entry): the header is 12 bytes but the struct is 16 (alignment), and an
  // Entry is constructed in the block. A 1-byte key with an empty value (a small set member in
  // a table) would otherwise get 15 bytes.
  return std::max(sizeof(Entry), kHeaderSize + (expire_ms != 0 ? 8 : 0) +
                                     VarintLength(key.size()) + key.size() +
                                     VarintLength(value.size()) + value.size());
}

Entry* Entry::NewString(std::string_view key, std::string_view value, int64_t expire_ms,
                        bool raw, uint32_t clock, uint64_t tier_copy) {
  const bool slot = expire_ms != 0;
  size_t size = StringSize(key, value, expire_ms) + (tier_copy != 0 ? 8 : 0);
  void* mem = std::malloc(size);
  if (mem == nullptr) throw std::bad_alloc();
  Entry* e = new (mem) Entry();
  e->next_ = nullptr;
  e->meta_ = static_cast<uint32_t>(ValueType::kString) | (slot ? kExpireBit : 0) |
             (raw ? kRawBit : 0) | (tier_copy != 0 ? kCopyBit : 0) | (clock << 8);
  char* p = e->payload();
  if (slot) {
    std::memcpy(p, &expire_ms, 8);
    p += 8;
  }
  p = PutVarint(p, key.size());
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  p += key.size();
  p = PutVarint(p, value.size());
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  if (tier_copy != 0) std::memcpy(p + value.size(), &tier_copy, 8);
  return e;
}

Entry* Entry::NewObject(std::string_view key, Value* value, int64_t expire_ms, uint32_t clock,
                        uint64_t tier_copy) {
  size_t size = kHeaderSize + 8 + VarintLength(key.size()) + key.size() + sizeof(Value*) +
                (tier_copy != 0 ? 8 : 0);
  void* mem = std::malloc(size);
  if (mem == nullptr) throw std::bad_alloc();
  Entry* e = new (mem) Entry();
  e->next_ = nullptr;
  e->meta_ = static_cast<uint32_t>(value->type()) | kExpireBit |
             (tier_copy != 0 ? kCopyBit : 0) | (clock << 8);
  char* p = e->payload();
  std::memcpy(p, &expire_ms, 8);
  p = PutVarint(p + 8, key.size());
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  std::memcpy(p + key.size(), &value, sizeof(value));
  if (tier_copy != 0) std::memcpy(p + key.size() + sizeof(value), &tier_copy, 8);
  return e;
}

Entry* Entry::NewStub(std::string_view key, ValueType type, bool raw, int64_t expire_ms,
                      uint64_t tier_id, uint64_t tier_bytes, uint32_t clock) {
  size_t size = std::max(sizeof(Entry), kHeaderSize + 8 + VarintLength(key.size()) + key.size() +
                                            8 + VarintLength(tier_bytes));
  void* mem = std::malloc(size);
  if (mem == nullptr) throw std::bad_alloc();
  Entry* e = new (mem) Entry();
  e->next_ = nullptr;
  e->meta_ = static_cast<uint32_t>(type) | kExpireBit | kColdBit | (raw ? kRawBit : 0) |
             (clock << 8);
  char* p = e->payload();
  std::memcpy(p, &expire_ms, 8);
  p = PutVarint(p + 8, key.size());
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  p += key.size();
  std::memcpy(p, &tier_id, 8);
  PutVarint(p + 8, tier_bytes);
  return e;
}

void Entry::Free(Entry* e) {
  if (e == nullptr) return;
  if (e->type() != ValueType::kString && !e->cold()) delete e->value();
  e->~Entry();
  std::free(e);
}

size_t Entry::AllocatedBytes() const { return malloc_usable_size(const_cast<Entry*>(this)); }

size_t Entry::MemoryBytes() const {
  size_t n = AllocatedBytes();
  if (type() != ValueType::kString && !cold() && value() != nullptr) n += value()->bytes();
  return n;
}

uint32_t AccessClockNow() { return AccessClockAt(NowMs()); }

uint32_t IdleSeconds(const Entry* e) {
  uint32_t now = AccessClockNow(), then = e->access_clock();
  return now >= then ? now - then : (kClockMask - then) + now + 1;
}

}  // namespace strata::engine
