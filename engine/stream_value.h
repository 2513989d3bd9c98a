// StreamValue: the value of a stream key (XADD, XREADGROUP, ...), with its consumer groups.
//
// Entries live in nodes of up to stream-node-max-entries entries and stream-node-max-bytes
// bytes, kept in an ordered map by the ID of each node's first entry (its master ID), as Redis
// keeps listpacks in a radix tree. A node is one buffer of entries back to back, each
//
//   (ms - master.ms) << 1 | same:varint (2^62 << 1 | same, then the delta, for larger deltas),
//   seq:varint, then
//   same = 1: the values only (varint length, bytes), the field names being the node's master
//             fields (the fields of its first entry, kept once at the start of the buffer);
//   same = 0: the field count (varint), then fields and values (varint length, bytes)
//
// so a small entry whose fields repeat its node's first entry costs its ID delta and its values,
// about 8 bytes for two short values, and no field names; entries are read front to back (a
// reverse walk notes a node's entry offsets first). Deleting an entry (XDEL, trimming) removes
// its bytes; a node left empty is dropped. As in Redis, whether a new entry starts a node counts
// every entry and byte ever appended to the last node, deleted ones too (bytes in this
// encoding, so a node holds somewhat more large entries than Redis's 4 KB listpack).
//
// Consumer groups hold their last delivered ID, their read counter (entries-read) and a pending
// entries list (PEL): ID -> owner, delivery time, delivery count; each consumer knows its own
// pending IDs and when it was last seen.
//
// The only mutator is Apply() (the stream_* bodies of engine/FORMAT.md), run by commands through
// DbView::Apply and by replay; every time a body carries was read by the command that built it,
// so replay needs no clock. Unlike other collections, an empty stream stays (KeepWhenEmpty).
// Not thread safe: the owning shard's lock guards a value like its entry.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/value.h"

namespace strata::engine {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  friend auto operator<=>(const StreamId&, const StreamId&) = default;
  static constexpr StreamId Min() { return {0, 0}; }
  static constexpr StreamId Max() { return {UINT64_MAX, UINT64_MAX}; }
  bool zero() const { return ms == 0 && seq == 0; }
  // The next / previous ID (false past the ends).
  bool Incr();
  bool Decr();
  std::string ToString() const;
};

// Parses "ms-seq" or "ms" (seq = missing_seq) as Redis's streamParseID does (no sign, no spaces,
// each part a 64-bit unsigned decimal). False if malformed.
bool ParseStreamId(std::string_view s, uint64_t missing_seq, StreamId* id);

// entries-read of a group whose counter is unknown (Redis's SCG_INVALID_ENTRIES_READ).
inline constexpr int64_t kInvalidEntriesRead = -1;

class StreamValue : public Value {
 public:
  static constexpr ValueType kType = ValueType::kStream;

  struct Consumer {
    std::string name;
    int64_t seen_ms = 0;        // last time it read or claimed (XINFO CONSUMERS idle)
    std::set<StreamId> pending;  // its IDs in the group's PEL
  };
  struct Nack {
    Consumer* owner = nullptr;
    int64_t delivery_ms = 0;
    uint64_t delivery_count = 0;
  };
  struct Group {
    StreamId last_id;
    int64_t entries_read = kInvalidEntriesRead;
    std::map<StreamId, Nack> pel;
    std::map<std::string, std::unique_ptr<Consumer>, std::less<>> consumers;  // by name
  };

  StreamValue() = default;
  ~StreamValue() override;
  StreamValue(const StreamValue&) = delete;
  StreamValue& operator=(const StreamValue&) = delete;

  ValueType type() const override { return ValueType::kStream; }
  size_t size() const override { return length_; }
  bool KeepWhenEmpty() const override { return true; }
  size_t bytes() const override;
  const char* encoding() const override { return "stream"; }
  void Serialize(std::string* out) const override;
  Status Apply(RedoOp op, std::string_view body, const EncodingLimits& limits) override;

  StreamId last_id() const { return last_id_; }
  // The first entry's ID, 0-0 when empty (XINFO's recorded-first-entry-id).
  StreamId first_id() const;
  // The last entry's ID, 0-0 when empty (last_id() may be past it: deletes, XSETID).
  StreamId top_id() const;
  StreamId max_deleted_id() const { return max_deleted_id_; }
  uint64_t entries_added() const { return entries_added_; }
  size_t num_nodes() const { return nodes_.size(); }

  // Calls fn(StreamId id, std::span<const std::string_view> fields_and_values) for each entry
  // with start <= id <= end, ascending (descending with `reverse`), until fn returns false.
  // Views are valid during the call only; fn must not change the value.
  template <typename Fn>
  void Range(StreamId start, StreamId end, bool reverse, Fn&& fn) const {
    if (start > end || length_ == 0) return;
    std::vector<std::string_view>& fv = Scratch();
    if (!reverse) {
      auto it = nodes_.upper_bound(start);
      if (it != nodes_.begin()) --it;
      for (; it != nodes_.end() && it->first <= end; ++it) {
        for (size_t p = it->second.begin; p < it->second.data.size();) {
          StreamId id;
          p = Decode(it->second, p, &id, &fv);
          if (id < start) continue;
          if (id > end || !fn(id, std::span<const std::string_view>(fv))) return;
        }
      }
      return;
    }
    auto it = nodes_.upper_bound(end);
    std::vector<size_t> starts;
    while (it != nodes_.begin()) {
      --it;
      const Node& n = it->second;
      starts.clear();
      for (size_t p = n.begin; p < n.data.size(); p = Skip(n, p)) starts.push_back(p);
      for (size_t i = starts.size(); i-- > 0;) {
        StreamId id;
        Decode(n, starts[i], &id, &fv);
        if (id > end) continue;
        if (id < start || !fn(id, std::span<const std::string_view>(fv))) return;
      }
    }
  }
  // Whether an entry with this ID exists.
  bool Contains(StreamId id) const;
  // Redis's trimming walk (streamTrim): how many entries from the head MAXLEN `maxlen` (or,
  // with `by_id`, MINID `minid`) removes. Whole nodes go first; with `approx` only whole nodes,
  // and no more than `limit` entries (0: no limit); else the entries of the first node kept
  // that are still too many.
  size_t TrimCount(bool by_id, uint64_t maxlen, StreamId minid, bool approx,
                   uint64_t limit) const;

  const std::map<std::string, std::unique_ptr<Group>, std::less<>>& groups() const {
    return groups_;
  }
  const Group* FindGroup(std::string_view name) const;

  // Redis's streamEstimateDistanceFromFirstEverEntry: the read counter of `id` when it can be
  // known without counting, else kInvalidEntriesRead.
  int64_t EstimateEntriesRead(StreamId id) const;
  // Whether a deleted entry may lie in [start, end] (streamRangeHasTombstones).
  bool RangeHasTombstones(StreamId start, StreamId end) const;
  // A group's lag (XINFO GROUPS), or nullopt when it cannot be known.
  std::optional<int64_t> Lag(const Group& g) const;
  // The entries-read of a group whose counter was `entries_read` once it is delivered `id`
  // (XREADGROUP's update).
  int64_t EntriesReadAfter(int64_t entries_read, StreamId id) const;

 private:
  // A node's entries, back to back (see the top of this file), in a buffer grown with realloc
  // to the size needed, as Listpack's.
  class Bytes {
   public:
    Bytes() = default;
    ~Bytes() { std::free(buf_); }
    Bytes(const Bytes&) = delete;
    Bytes& operator=(const Bytes&) = delete;
    size_t size() const { return used_; }
    size_t bytes() const { return cap_; }  // what the allocator holds
    const char* data() const { return buf_; }
    void Append(std::string_view s);
    // Removes [from, to); gives spare capacity back.
    void Erase(size_t from, size_t to);

   private:
    char* buf_ = nullptr;
    uint32_t used_ = 0;
    uint32_t cap_ = 0;
  };
  struct Node {
    uint64_t master_ms = 0;  // entry IDs' ms are stored as deltas from it
    Bytes data;              // the master fields, then the entries
    uint32_t begin = 0;      // the offset of the first entry
    uint32_t nfields = 0;    // how many master fields
    uint32_t live = 0;
    uint32_t appended = 0;        // entries ever appended (deleted ones count, as in Redis)
    uint32_t appended_bytes = 0;  // and their bytes
  };

  // Decodes the entry at p of node n: its ID and fields/values into *fv. Returns the next
  // entry's offset.
  size_t Decode(const Node& n, size_t p, StreamId* id, std::vector<std::string_view>* fv) const;
  // The offset after the entry at p.
  size_t Skip(const Node& n, size_t p) const;
  static std::vector<std::string_view>& Scratch();
  static std::string& EntryScratch();
  static std::string& FieldsScratch();
  void DropNode(std::map<StreamId, Node>::iterator it);

  Status Add(StreamId id, std::span<const std::string_view> fv, const EncodingLimits& limits);
  // Removes the entry with this ID; false if absent.
  bool Remove(StreamId id);
  // Removes the first n entries.
  void TrimFront(size_t n);
  Status ApplyGroup(std::string_view body);
  Status ApplyDeliver(std::string_view body);
  Status ApplyAck(std::string_view body);
  Status ApplyClaim(std::string_view body);
  Group* MutableGroup(std::string_view name);
  static Consumer* GetOrCreateConsumer(Group* g, std::string_view name, int64_t now_ms);
  static void DropPending(Group* g, StreamId id);
  static void SetPending(Group* g, StreamId id, Consumer* owner, int64_t ms, uint64_t count);

  std::map<StreamId, Node> nodes_;  // by master ID
  size_t length_ = 0;
  size_t node_bytes_ = 0;  // sum of the nodes' listpack bytes
  StreamId last_id_;
  StreamId max_deleted_id_;
  uint64_t entries_added_ = 0;
  std::map<std::string, std::unique_ptr<Group>, std::less<>> groups_;  // by name
};

// Bodies of the stream effects (engine/FORMAT.md). Each overwrites *out.
void StreamAddBody(std::string* out, StreamId id, std::span<const std::string_view> fv);
void StreamDelBody(std::string* out, std::span<const StreamId> ids);
void StreamTrimBody(std::string* out, uint64_t count);
void StreamSetIdBody(std::string* out, StreamId last_id, uint64_t entries_added,
                     StreamId max_deleted_id);
enum class StreamGroupOp : uint8_t {
  kCreate = 0,          // group, last_id, entries_read
  kDestroy = 1,         // group
  kSetId = 2,           // group, last_id, entries_read
  kCreateConsumer = 3,  // group, consumer, seen_ms
  kDelConsumer = 4,     // group, consumer
};
void StreamGroupBody(std::string* out, StreamGroupOp op, std::string_view group,
                     std::string_view consumer, StreamId id, int64_t entries_read,
                     int64_t seen_ms);
// XREADGROUP: the consumer (created if absent) is seen at now_ms; with `advance` the group's
// last ID and read counter become last_id / entries_read; each ID is then pending for the
// consumer: `history` ones get delivered again (time now, count + 1), the others are new
// deliveries (time now, count 1, taken from any previous owner). noack deliveries log no IDs.
void StreamDeliverBody(std::string* out, std::string_view group, std::string_view consumer,
                       int64_t now_ms, bool advance, StreamId last_id, int64_t entries_read,
                       bool history, std::span<const StreamId> ids);
// XACK (and the IDs XCLAIM/XAUTOCLAIM find deleted): each ID leaves the group's PEL.
void StreamAckBody(std::string* out, std::string_view group, std::span<const StreamId> ids);
// XCLAIM / XAUTOCLAIM: the consumer (created if absent when `create`) is seen at now_ms; the
// group's last ID becomes last_id if that is greater; each (id, delivery_ms, count) is pending
// for the consumer with exactly that time and count (created if absent).
struct StreamClaim {
  StreamId id;
  int64_t delivery_ms;
  uint64_t delivery_count;
};
void StreamClaimBody(std::string* out, std::string_view group, std::string_view consumer,
                     int64_t now_ms, bool create, StreamId last_id,
                     std::span<const StreamClaim> claims);

}  // namespace strata::engine
