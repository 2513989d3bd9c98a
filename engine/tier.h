// Tier: the overflow tier, where cold values live in RocksDB while their keys stay in RAM.
//
// A shard over its share of maxmemory demotes its coldest values (Tiering::Demote): each value is
// written here under a fresh 64-bit id and its entry becomes a stub (engine/entry.h) holding
// the key, type, TTL and that id. Reading the value back (Shard::Load, or Tiering::LoadAsync
// off the event loop) promotes it: the stub is replaced by the whole entry again.
//
// Ids are never reused, so a stored value never changes. That is what makes the tier
// restart-safe without logging demotions: a snapshot writes a stub as the stub it is (key, TTL,
// id), after Sync() has made every stored value durable, and recovery loads the stub and, if a
// logged effect needs the value, reads it by id: exactly the value the snapshot saw. A value
// whose stub goes away (promoted, overwritten, deleted, expired, evicted) is Discard()ed, but a
// snapshot may still name it: it is deleted only once the two newest snapshots were both taken
// after it was discarded (Seal at each capture's moment, Released when the snapshot is durable),
// so that recovery can still fall back to the previous snapshot. (Without snapshots, discarded
// values wait for the next restart, which deletes every value no snapshot names.)
//
// Layout in RocksDB: key = the id, 8 bytes big-endian; value = one byte of ValueType then the
// value's bytes (a string's bytes, or Value::Serialize). Thread safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/log_histogram.h"
#include "base/status.h"

namespace rocksdb {
class DB;
}

namespace strata::engine {

class Entry;
struct EncodingLimits;

struct TierOptions {
  std::string dir;
  // RocksDB's block cache (uncompressed blocks of recently read values).
  size_t block_cache_bytes = 32 << 20;
  // Threads that serve LoadAsync's reads.
  int reader_threads = 2;
};

// Counters for INFO's tier section.
struct TierStats {
  std::atomic<uint64_t> demotions{0};
  std::atomic<uint64_t> promotions{0};
  std::atomic<uint64_t> cold_reads{0};
  std::atomic<uint64_t> cold_read_us{0};      // summed latency of cold reads
  std::atomic<uint64_t> cold_read_max_us{0};  // the slowest since start
  std::atomic<uint64_t> cold_reads_in_memory{0};  // served from memtables or the block cache
                                                  // on the worker, without a wait
  std::atomic<uint64_t> evictions{0};         // keys dropped because the tier was full
  std::atomic<uint64_t> deleted{0};           // stored values deleted (discarded, then freed)
  std::atomic<uint64_t> read_errors{0};
  LogHistogram cold_read_latency_us;  // every cold read's latency, as cold_read_us sums them

  // Counts a cold read that started at start_us (MonotonicUs) and ends now.
  void NoteColdRead(int64_t start_us);
};

class Tier {
 public:
  // Opens (creating if needed) the tier in options.dir.
  static Result<std::unique_ptr<Tier>> Open(const TierOptions& options);
  ~Tier();
  Tier(const Tier&) = delete;
  Tier& operator=(const Tier&) = delete;

  uint64_t NewId() { return next_id_.fetch_add(1, std::memory_order_relaxed); }
  // Stores values under their ids, not synced (Sync() does that).
  Status Put(const std::vector<std::pair<uint64_t, std::string>>& values);
  // The stored value of id. NotFound if there is none.
  Status Get(uint64_t id, std::string* blob);
  // As Get, from memory only (the memtables and the block cache): false when that would take
  // a read from disk, or the value is not there.
  bool GetCached(uint64_t id, std::string* blob);
  // Makes everything Put so far durable.
  Status Sync();

  // ---- Deletion, deferred past the snapshots that may name a value ----
  void Discard(uint64_t id);
  // At a snapshot capture's moment (every shard locked): closes the generation of values
  // discarded so far. Returns its number, for Released.
  uint64_t Seal();
  // The snapshot of the capture that sealed `generation` is durable: deletes the values
  // discarded before the previous durable snapshot's moment.
  void Released(uint64_t generation);

  // ---- Recovery ----
  // A loaded snapshot names id.
  void NoteReferenced(uint64_t id);
  // After recovery: deletes every stored value no loaded snapshot names (written after the
  // snapshot, or discarded before it). Returns how many it deleted.
  Result<uint64_t> DeleteUnreferenced();

  // Runs job on a reader thread.
  void Submit(std::function<void()> job);
  // Reads under way (Tiering::LoadAsync): MarkReading returns false if id is being read
  // already; DoneReading ends that.
  bool MarkReading(uint64_t id);
  void DoneReading(uint64_t id);
  // Runs the jobs submitted so far, then stops the reader threads (later Submits are dropped).
  // Called before what the jobs use goes away; the destructor calls it too.
  void StopReaders();

  TierStats& stats() { return stats_; }
  // Bytes of RocksDB's table files on disk plus its memtables (which its log holds on disk).
  uint64_t DiskBytes() const;
  // RocksDB's block cache: bytes in use, and its capacity.
  uint64_t BlockCacheUsage() const;
  uint64_t BlockCacheCapacity() const { return options_.block_cache_bytes; }

 private:
  explicit Tier(const TierOptions& options);
  void ReaderLoop();
  void DeleteNow(std::vector<uint64_t> ids);

  TierOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<void> cache_;  // rocksdb::Cache, kept opaque here
  std::atomic<uint64_t> next_id_{1};
  std::atomic<bool> compacting_{false};
  static constexpr size_t kCompactAfterDeletes = 256;
  TierStats stats_;

  std::mutex gc_mu_;
  std::vector<uint64_t> discarded_;                      // GUARDED_BY(gc_mu_)
  std::map<uint64_t, std::vector<uint64_t>> sealed_;     // GUARDED_BY(gc_mu_)
  uint64_t next_generation_ = 1;                          // GUARDED_BY(gc_mu_)
  uint64_t last_released_ = 0;                            // GUARDED_BY(gc_mu_)
  std::vector<uint64_t> referenced_;                      // GUARDED_BY(gc_mu_)

  std::mutex reading_mu_;
  std::unordered_set<uint64_t> reading_;  // GUARDED_BY(reading_mu_)

  std::mutex jobs_mu_;
  std::condition_variable jobs_cv_;
  std::deque<std::function<void()>> jobs_;  // GUARDED_BY(jobs_mu_)
  bool stopping_ = false;                   // GUARDED_BY(jobs_mu_)
  std::vector<std::thread> readers_;
};

// The tier's bytes for a hot entry's value, and the entry rebuilt from a stub and those bytes
// (null if they are malformed), in the encoding `limits` choose, which keeps the stub's id as its
// tier copy (Entry::has_tier_copy).
std::string EncodeTierValue(const Entry& e);
Entry* DecodeTierValue(const Entry& stub, std::string_view blob, const EncodingLimits& limits);

}  // namespace strata::engine
