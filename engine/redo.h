// Redo records: what the WAL carries for the engine (byte layout in engine/FORMAT.md).
//
// One command is one record: the effects it had on the keyspace, in apply order, each naming
// its database and key so that replay can route it to the key's shard. Effects are
// deterministic: absolute expiry times, whole values where a command's result depends on
// anything but the previous value, and every expiry (lazy or active) as the delete it was.
// Replay therefore needs neither a clock nor randomness, and applies effects without expiry
// checks of its own.
//
// How a record is built and committed: a command's DbView appends effects to the RedoRecord it
// was given while the command holds its shards' locks; ShardLocks, when it releases them, hands
// the record to the Keyspace's RedoSink (the WAL), so log order equals apply order for every
// key. With no sink (appendonly no, or during recovery) nothing is recorded. Applying a record
// to a keyspace (recovery, snapshot loading) is engine/replay.h: this codec knows no keyspace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace strata::engine {

class Entry;

// Effect codes; values are part of the on-disk format.
enum class RedoOp : uint8_t {
  kPut = 1,       // the whole entry: key, type, flags, expiry, value
  kDel = 2,       // key removed (DEL, expiry, the source of RENAME/MOVE, ...)
  kExpire = 3,    // key's absolute expiry set (0 = persist)
  kAppend = 4,    // bytes appended to a string (created if absent); TTL kept
  kFlushDb = 5,   // every key of one database removed
  kFlushAll = 6,  // every key of every database removed
  kSwapDb = 7,    // two databases swapped
  // Collection effects: db, key, then a type-specific body (engine/FORMAT.md), applied by the
  // value's Apply (engine/value.h).
  kListPush = 8,    // elements pushed at the head or the tail (list created if absent)
  kListPop = 9,     // count elements popped from the head or the tail
  kListSet = 10,    // the element at an index replaced
  kListInsert = 11, // an element inserted at an index
  kListRem = 12,    // LREM: occurrences of an element removed
  kListTrim = 13,   // elements outside [start, stop] removed
  kHashSet = 14,    // fields set (hash created if absent)
  kHashDel = 15,    // fields removed
  kSetAdd = 16,     // members added (set created if absent)
  kSetRem = 17,     // members removed
  kZSetAdd = 18,    // members set to scores (sorted set created if absent)
  kZSetRem = 19,    // members removed
  // Snapshots only, never the WAL: a key whose value is in the overflow tier (engine/tier.h):
  // key, type, flags, expiry, the tier id and the stored value's size.
  kStub = 20,
  // Not about keys: the whole set of function libraries (FUNCTION LOAD, DELETE, FLUSH,
  // RESTORE), as one opaque payload (FUNCTION DUMP's). In the WAL, and in a snapshot's first
  // block of shard 0; the newest one wins, ordered as shard 0's effects are.
  kFunctions = 21,
  // Stream effects (collection effects: db, key, body; engine/stream_value.h has the encoders).
  kStreamAdd = 22,      // an entry appended with the ID the command chose (created if absent)
  kStreamDel = 23,      // entries removed by ID (XDEL)
  kStreamTrim = 24,     // the first n entries removed (XTRIM, XADD's trimming)
  kStreamSetId = 25,    // last ID, entries added and max deleted ID set (XSETID)
  kStreamGroup = 26,    // a group created, destroyed or moved; a consumer created or deleted
  kStreamDeliver = 27,  // entries delivered to a consumer (XREADGROUP)
  kStreamAck = 28,      // entries leave a group's pending list (XACK, claims of deleted ones)
  kStreamClaim = 29,    // entries pending for a consumer with a given time and count (XCLAIM)
  // Bytes written at an offset of a string (created if absent, zero-padded up to the offset);
  // TTL kept: SETRANGE, SETBIT, BITFIELD, PFADD log what changed, not the whole string.
  kSetRange = 30,
};
inline constexpr RedoOp kFirstCollectionOp = RedoOp::kListPush;
inline constexpr RedoOp kLastCollectionOp = RedoOp::kZSetRem;
// The effect's name in engine/FORMAT.md ("put", "list_push", ...), "?" if unknown.
const char* RedoOpName(RedoOp op);
inline constexpr RedoOp kFirstStreamOp = RedoOp::kStreamAdd;
inline constexpr RedoOp kLastStreamOp = RedoOp::kStreamClaim;
inline bool IsCollectionOp(RedoOp op) {
  return (op >= kFirstCollectionOp && op <= kLastCollectionOp) ||
         (op >= kFirstStreamOp && op <= kLastStreamOp);
}

inline constexpr uint8_t kRedoVersion = 1;

// The effects of one command being built. Not thread safe: one per worker, reused.
class RedoRecord {
 public:
  // The whole entry; a stub (Entry::cold) is written as kStub (snapshots only).
  void Put(int db, const Entry& e);
  void Del(int db, std::string_view key);
  void Expire(int db, std::string_view key, int64_t expire_ms);
  void Append(int db, std::string_view key, std::string_view suffix);
  void SetRange(int db, std::string_view key, uint64_t offset, std::string_view bytes);
  void FlushDb(int db);
  void FlushAll();
  void SwapDb(int db1, int db2);
  void Functions(std::string_view payload);
  // A collection effect (IsCollectionOp(op)) with its encoded body.
  void Effect(RedoOp op, int db, std::string_view key, std::string_view body);

  bool empty() const { return buf_.size() <= 1; }
  // The encoded record (version byte then the effects).
  std::string_view bytes() const { return buf_; }
  void Clear() { buf_.resize(1); }
  // Moves the encoded record into *out and starts an empty one in out's old buffer (whose
  // capacity is reused: no allocation when buffers go back and forth).
  void MoveTo(std::string* out) {
    out->swap(buf_);
    buf_.assign(1, static_cast<char>(kRedoVersion));
  }
  // Frees the buffer's memory.
  void Release() { std::string(1, static_cast<char>(kRedoVersion)).swap(buf_); }

  // The highest LSN what was done under this record's locks depends on, since the last
  // ResetDependency(): the LSN of each record committed from here, and for shards locked
  // without changes, the LSN of the last record that changed them (what a read may have seen).
  // A reply must not leave before the log is durable up to it (appendfsync always).
  uint64_t dependency() const { return dependency_; }
  void Depend(uint64_t lsn) { dependency_ = lsn > dependency_ ? lsn : dependency_; }
  void ResetDependency() { dependency_ = 0; }

 private:
  void Op(RedoOp op, int db, std::string_view key);
  std::string buf_ = std::string(1, static_cast<char>(kRedoVersion));
  uint64_t dependency_ = 0;
};

// Where committed records go. Commit is called with shard locks held: it must be quick and
// must not wait for the disk. Returns the record's LSN.
class RedoSink {
 public:
  virtual ~RedoSink() = default;
  virtual uint64_t Commit(std::string_view record) = 0;
  // The LSN of the last record committed (0 = none). Called with every shard lock held, to tag
  // a snapshot's moment.
  virtual uint64_t LastLsn() const = 0;
};

// One decoded effect. Views point into the record.
struct RedoEffect {
  RedoOp op;
  int db = 0;
  int db2 = 0;  // kSwapDb's second database
  std::string_view key;
  uint8_t type = 0;        // kPut: engine::ValueType
  bool raw = false;        // kPut: the string's "raw" encoding hint
  int64_t expire_ms = 0;   // kPut, kExpire
  std::string_view value;  // kPut: the value's bytes; kAppend: the suffix; kSetRange: the
                           // bytes written; collection: body
  uint64_t offset = 0;     // kSetRange
  uint64_t tier_id = 0;    // kStub
  uint64_t tier_bytes = 0; // kStub
};

// Walks the effects of one record. Usage: while (r.Next(&e)) {...}; then check r.status().
class RedoReader {
 public:
  explicit RedoReader(std::string_view record);
  bool Next(RedoEffect* e);
  // OK at a clean end; Corruption naming the byte offset of the first malformed effect.
  const Status& status() const { return status_; }

 private:
  bool Fail(std::string_view what);
  std::string_view rest_;
  size_t size_;
  Status status_;
};

}  // namespace strata::engine
