// Entry: one key and its value in a single heap block, the unit the hash table chains.
//
// Layout (little-endian, no padding), 12 header bytes then the payload:
//   Entry*   next      8   the next entry in the same hash bucket (owned by the Table)
//   uint32   meta      4   bits 0-2 type, bit 3 expire slot present, bit 4 "raw" string hint,
//                          bit 5 snapshot mark (see Shard::Preserve), bit 6 cold (a stub),
//                          bit 7 tier copy present (below); bits 6 and 7 together: a value
//                          on probation (promoted, not yet read twice, see on_probation()),
//                          bits 8-31 access clock (seconds, wraps after 194 days) for LRU
//   [int64   expire]   8   only if the expire slot is present: absolute unix ms, 0 = no TTL
//   varint   key_len, key bytes
//   string:  varint value_len, value bytes
//   others:  Value*    8   the collection object (engine/value.h), owned by the entry; these
//                          entries always have the expire slot, so EXPIRE never rebuilds them
//   [uint64  tier copy] 8  strings and collections promoted from the tier: the id under which
//                          the tier still holds this very value, so demoting it again writes
//                          nothing (dropped, and the stored value discarded, when it changes)
//   cold:    uint64 id 8   a stub whose value lives in the overflow tier (engine/tier.h) under
//            varint bytes  this id, and the size of that stored value; stubs always have the
//                          expire slot, and keep the type and raw bits of the value they stand for
//
// A 16-byte key with a 32-byte value takes 62 bytes: one 64-byte allocator bin. Entries are
// immutable in size: a change of length builds a new Entry that replaces the old one in its
// bucket (see Table::Replace). Not thread safe; the owning shard's lock guards every Entry.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

namespace strata::engine {

// The access clock: seconds since the epoch, modulo 2^24, as Redis's LRU clock.
inline uint32_t AccessClockAt(int64_t unix_ms) {
  return static_cast<uint32_t>(unix_ms / 1000) & ((1u << 24) - 1);
}
uint32_t AccessClockNow();

enum class ValueType : uint8_t {
  kString = 0,
  kList = 1,
  kHash = 2,
  kSet = 3,
  kZSet = 4,
  kStream = 5,
};

class Value;

// Redis's TYPE reply for a value type.
const char* TypeName(ValueType type);

class Entry {
 public:
  // Builds a string entry. expire_ms: absolute unix ms, 0 = none. with_expire_slot reserves the
  // 8-byte expire field even without a TTL (so a later EXPIRE needs no rebuild).
  // `clock`: the access clock to start with (AccessClockAt of the command's time).
  // `tier_copy`: see has_tier_copy() (0 = none).
  static Entry* NewString(std::string_view key, std::string_view value, int64_t expire_ms,
                          bool raw = false, uint32_t clock = AccessClockNow(),
                          uint64_t tier_copy = 0);
  // Bytes NewString asks the allocator for; never less than sizeof(Entry).
  static size_t StringSize(std::string_view key, std::string_view value, int64_t expire_ms);
  // Builds an entry holding a collection (type from value->type()); takes ownership of value.
  static Entry* NewObject(std::string_view key, Value* value, int64_t expire_ms,
                          uint32_t clock = AccessClockNow(), uint64_t tier_copy = 0);
  // Builds a stub for a value of `type` stored in the tier under `tier_id` (`tier_bytes` long).
  static Entry* NewStub(std::string_view key, ValueType type, bool raw, int64_t expire_ms,
                        uint64_t tier_id, uint64_t tier_bytes, uint32_t clock);
  // Frees an entry built by New*, and its collection if it holds one. Null is ignored.
  static void Free(Entry* e);

  Entry* next() const { return next_; }
  void set_next(Entry* n) { next_ = n; }
  Entry** next_link() { return &next_; }

  ValueType type() const { return static_cast<ValueType>(meta_ & 7u); }
  bool raw() const { return meta_ & kRawBit; }
  // A stub: the key, type and TTL are here, the value is in the tier (str() and value() must
  // not be called; Shard::Load brings the value back).
  bool cold() const { return (meta_ & (kColdBit | kCopyBit)) == kColdBit; }
  // REQUIRES: cold().
  uint64_t tier_id() const {
    uint64_t id;
    std::memcpy(&id, value_slot(), sizeof(id));
    return id;
  }
  uint64_t tier_bytes() const {
    uint64_t n;
    GetVarint(value_slot() + 8, &n);
    return n;
  }
  // A value promoted from the tier that has not changed since: the tier still holds it under
  // tier_copy(). REQUIRES (tier_copy, drop_tier_copy): !cold() and has_tier_copy().
  bool has_tier_copy() const { return meta_ & kCopyBit; }
  uint64_t tier_copy() const {
    uint64_t id;
    std::memcpy(&id, value_end(), sizeof(id));
    return id;
  }
  void drop_tier_copy() { meta_ &= ~(kCopyBit | kColdBit); }
  // A value promoted from the tier on its first read: it keeps the access clock it had as a
  // stub, and the next access admits it (a normal value) if it comes soon enough, so that keys
  // read once do not push hot ones out of RAM (Keyspace::Touch; Tiering::Demote takes values on
  // probation first). Always has_tier_copy().
  bool on_probation() const { return (meta_ & (kColdBit | kCopyBit)) == (kColdBit | kCopyBit); }
  void set_probation(bool p) { meta_ = p ? (meta_ | kColdBit) : (meta_ & ~kColdBit); }
  std::string_view key() const {
    uint64_t len;
    const char* p = GetVarint(key_start(), &len);
    return {p, len};
  }
  // REQUIRES: type() == kString.
  std::string_view str() const {
    std::string_view k = key();
    uint64_t len;
    const char* p = GetVarint(k.data() + k.size(), &len);
    return {p, len};
  }

  // The string's bytes, to change in place (its length stays), and the encoding hint that
  // goes with that (what was an integer is raw bytes now). REQUIRES: type() == kString.
  char* str_bytes() { return const_cast<char*>(str().data()); }
  void set_raw() { meta_ |= kRawBit; }

  // REQUIRES: type() != kString.
  Value* value() const {
    Value* v;
    std::memcpy(&v, value_slot(), sizeof(v));
    return v;
  }
  // Hands the collection to the caller (the entry then holds none; Free leaves it alone).
  Value* ReleaseValue() {
    Value* v = value();
    Value* none = nullptr;
    std::memcpy(value_slot(), &none, sizeof(none));
    return v;
  }

  // Absolute expiry in unix ms, 0 = no TTL.
  int64_t expire_ms() const {
    if (!(meta_ & kExpireBit)) return 0;
    int64_t v;
    std::memcpy(&v, payload(), sizeof(v));
    return v;
  }
  bool has_expire_slot() const { return meta_ & kExpireBit; }
  // REQUIRES: has_expire_slot(). 0 removes the TTL.
  void set_expire_ms(int64_t ms) { std::memcpy(payload(), &ms, sizeof(ms)); }

  // The snapshot mark: equal to the shard's snapshot parity when the entry needs no writing by
  // the capture under way (written already, or created after the capture's moment).
  bool snap_mark() const { return meta_ & kSnapBit; }
  void set_snap_mark(bool mark) { meta_ = mark ? (meta_ | kSnapBit) : (meta_ & ~kSnapBit); }

  uint32_t access_clock() const { return meta_ >> 8; }
  void set_access_clock(uint32_t clock) { meta_ = (meta_ & 0xffu) | (clock << 8); }

  // Bytes the allocator gave this entry (its usable size), for memory accounting.
  size_t AllocatedBytes() const;
  // AllocatedBytes() plus the bytes of its collection, if any.
  size_t MemoryBytes() const;

  static constexpr size_t kHeaderSize = 12;

 private:
  static constexpr uint32_t kExpireBit = 1u << 3;
  static constexpr uint32_t kRawBit = 1u << 4;
  static constexpr uint32_t kSnapBit = 1u << 5;
  static constexpr uint32_t kColdBit = 1u << 6;
  static constexpr uint32_t kCopyBit = 1u << 7;

  Entry() = default;
  // Lengths are LEB128 varints: one byte below 128. Inline: every lookup decodes a key.
  static const char* GetVarint(const char* p, uint64_t* v) {
    uint8_t byte = static_cast<uint8_t>(*p);
    if (byte < 0x80) {
      *v = byte;
      return p + 1;
    }
    uint64_t result = 0;
    for (int shift = 0;; shift += 7) {
      byte = static_cast<uint8_t>(*p++);
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
    }
    *v = result;
    return p;
  }
  char* payload() { return reinterpret_cast<char*>(this) + kHeaderSize; }
  const char* payload() const { return reinterpret_cast<const char*>(this) + kHeaderSize; }
  const char* key_start() const { return payload() + (has_expire_slot() ? 8 : 0); }
  const char* value_slot() const {
    std::string_view k = key();
    return k.data() + k.size();
  }
  char* value_slot() { return const_cast<char*>(std::as_const(*this).value_slot()); }
  // Just past the value (a string's bytes, or the Value*). REQUIRES: !cold().
  const char* value_end() const {
    if (type() != ValueType::kString) return value_slot() + sizeof(Value*);
    std::string_view v = str();
    return v.data() + v.size();
  }

  Entry* next_;
  uint32_t meta_;
};

static_assert(sizeof(Entry*) == 8, "Entry layout assumes 64-bit pointers");

// Seconds since an entry was last accessed, accounting for the clock's wrap.
uint32_t IdleSeconds(const Entry* e);

}  // namespace strata::engine
