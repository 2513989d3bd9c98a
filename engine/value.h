// Value: the object a list, hash, set, sorted-set or stream entry holds (engine/entry.h).
//
// Every change to a collection is a redo effect (engine/redo.h, engine/FORMAT.md): a command
// builds the effect's body, and Shard::ApplyEffect applies it with Value::Apply, the same code
// that replays it from the log. So what the log says a command did is, by construction, what it
// did. Reads go through each type's own interface (list_value.h, hash_value.h, set_value.h,
// zset_value.h).
//
// Small collections use a compact encoding and convert to a full structure past the limits of
// EncodingLimits (Redis's config names and defaults), which every change and every parse is
// given; OBJECT ENCODING reports which.
//
// Not thread safe: the owning shard's lock guards a value like its entry.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/entry.h"
#include "engine/redo.h"

namespace strata::engine {

struct EncodingLimits;

class Value {
 public:
  virtual ~Value() = default;
  virtual ValueType type() const = 0;
  // Number of elements (list items, hash fields, set or sorted-set members).
  virtual size_t size() const = 0;
  // Bytes of memory the value owns beyond its entry (allocator sizes or close estimates).
  virtual size_t bytes() const = 0;
  // OBJECT ENCODING's answer: "listpack", "quicklist", "hashtable", "intset", "skiplist".
  virtual const char* encoding() const = 0;
  // Appends the value's put encoding (engine/FORMAT.md) to *out.
  virtual void Serialize(std::string* out) const = 0;
  // Applies the body of one redo effect of this value's type; a value that grows past `limits`
  // converts to its full encoding. Corruption on a malformed body (the value may then be partly
  // changed; recovery stops anyway).
  virtual Status Apply(RedoOp op, std::string_view body, const EncodingLimits& limits) = 0;
  // Whether the key stays when the value has no elements left (streams do; an emptied list,
  // hash, set or sorted set disappears, as in Redis).
  virtual bool KeepWhenEmpty() const { return false; }
};

// An empty value of `type` (not kString).
std::unique_ptr<Value> NewValue(ValueType type);
// Parses a put encoding of `type`, in the encoding `limits` choose. Corruption if malformed.
Status ParseValue(ValueType type, std::string_view bytes, const EncodingLimits& limits,
                  std::unique_ptr<Value>* out);
// A deep copy (COPY), in the encoding `limits` choose.
std::unique_ptr<Value> CloneValue(const Value& v, const EncodingLimits& limits);

// The value type an effect applies to (kString for the string and keyspace effects).
ValueType EffectType(RedoOp op);
// Whether an effect creates its key when absent (pushes and adds); the others do nothing then.
bool EffectCreates(RedoOp op);

// Thresholds of the compact encodings, with Redis's config names and defaults. A keyspace holds
// them (KeyspaceOptions, Keyspace::set_encoding_limits) and gives them to every change it applies.
struct EncodingLimits {
  // A list node (the whole list while it is one listpack) holds at most this many elements when
  // >= 0 (0 counts as 1; 8 KiB at most whatever the count); when -1 .. -5, at most 4, 8, 16, 32
  // or 64 KiB (below -5 as -5). Default -2.
  int64_t list_max_listpack_size = -2;
  // list-compress-depth: 0 (the default) compresses nothing; N > 0 keeps the N nodes at each
  // end of a list plain and stores every node between them zstd-compressed when that saves
  // memory (engine/list_value.h). A change applies to each list at its next change.
  int64_t list_compress_depth = 0;
  // A hash stays a listpack while it has at most this many fields (default 512) and no field or
  // value is longer than hash_max_listpack_value bytes (default 64).
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  // A set of integers only stays an intset up to this many members. Default 512.
  int64_t set_max_intset_entries = 512;
  // A set stays a listpack up to this many members (default 128) of at most
  // set_max_listpack_value bytes (default 64).
  int64_t set_max_listpack_entries = 128;
  int64_t set_max_listpack_value = 64;
  // A sorted set stays a listpack up to this many members (default 128) of at most
  // zset_max_listpack_value bytes (default 64).
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  // A stream node holds at most this many bytes (0: no limit; default 4096) and this many
  // entries (0: no limit; default 100), counting entries deleted from it since (as Redis).
  int64_t stream_node_max_bytes = 4096;
  int64_t stream_node_max_entries = 100;
};

// EncodingLimits that one thread may change (CONFIG SET) while others read them. Relaxed
// atomics: a reader may see a mix of old and new settings for a moment, which only affects the
// encoding one change picks.
class SharedEncodingLimits {
 public:
  explicit SharedEncodingLimits(const EncodingLimits& limits) { Store(limits); }
  void Store(const EncodingLimits& limits);
  EncodingLimits Load() const;

 private:
  std::atomic<int64_t> list_max_listpack_size_;
  std::atomic<int64_t> list_compress_depth_;
  std::atomic<int64_t> hash_max_listpack_entries_;
  std::atomic<int64_t> hash_max_listpack_value_;
  std::atomic<int64_t> set_max_intset_entries_;
  std::atomic<int64_t> set_max_listpack_entries_;
  std::atomic<int64_t> set_max_listpack_value_;
  std::atomic<int64_t> zset_max_listpack_entries_;
  std::atomic<int64_t> zset_max_listpack_value_;
  std::atomic<int64_t> stream_node_max_bytes_;
  std::atomic<int64_t> stream_node_max_entries_;
};

// Per-type factories (defined beside each type).
std::unique_ptr<Value> NewList();
std::unique_ptr<Value> NewHash();
std::unique_ptr<Value> NewSet();
std::unique_ptr<Value> NewZSet();
std::unique_ptr<Value> NewStream();
Status ParseList(std::string_view bytes, const EncodingLimits& limits, std::unique_ptr<Value>* out);
Status ParseHash(std::string_view bytes, const EncodingLimits& limits, std::unique_ptr<Value>* out);
Status ParseSet(std::string_view bytes, const EncodingLimits& limits, std::unique_ptr<Value>* out);
Status ParseZSet(std::string_view bytes, const EncodingLimits& limits, std::unique_ptr<Value>* out);
Status ParseStream(std::string_view bytes, const EncodingLimits& limits,
                   std::unique_ptr<Value>* out);

}  // namespace strata::engine
