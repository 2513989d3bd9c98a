// The WAL writer: many threads Append records; one writer thread frames them into preallocated
// segment files (io_uring or pwrite) and syncs them by policy, with group commit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "base/file_layer.h"
#include "base/status.h"
#include "base/uring.h"
#include "wal/log_format.h"

namespace strata::wal {

enum class SyncPolicy { kAlways, kEverySec, kNo };  // Redis's appendfsync always|everysec|no
// kAuto: io_uring if it can be set up, else pwrite (said once, LOG_WARN).
enum class IoMode { kAuto, kUring, kPwrite };

struct WriterOptions {
  std::string dir;                       // segments live here; created if missing
  uint64_t segment_bytes = 64ull << 20;  // size of each preallocated segment file
  SyncPolicy sync = SyncPolicy::kEverySec;
  IoMode io = IoMode::kAuto;
  // Called on the writer thread every time durable_lsn() advances, with the new value. Must not
  // block.
  std::function<void(uint64_t durable_lsn)> on_durable;
  // The file layer; null = FileLayer::Default(). Borrowed: must outlive the writer.
  FileLayer* files = nullptr;
  // Monotonic microseconds, for the everysec policy; null = MonotonicUs.
  std::function<int64_t()> now_us;
};

struct WriterStats {
  uint64_t appended_lsn = 0;  // last LSN handed out by Append
  uint64_t written_lsn = 0;   // last LSN written to the file (page cache)
  uint64_t durable_lsn = 0;   // last LSN the policy considers durable (synced; under kNo: written)
  uint64_t log_bytes = 0;     // bytes of records in the log (all segments), headers included
  uint64_t segments = 0;      // segment files
  uint64_t fsyncs = 0;        // fdatasyncs done
  int64_t last_fsync_us = 0;  // latency of the last fdatasync (with io_uring: write + linked sync)
  bool uring = false;         // io_uring in use
};

class Writer {
 public:
  // Continues the log at `end` (as returned by Replay; a default LogEnd = empty log, first LSN
  // 1, and then the directory must hold no segment). Starts the writer thread.
  static Result<std::unique_ptr<Writer>> Open(WriterOptions options, const LogEnd& end);
  // Writes and syncs everything appended, then stops the thread.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Thread-safe; may be called while the caller holds its own locks: frames payload into the
  // in-memory buffer and returns its LSN. Takes only a short mutex; never waits for the disk.
  // REQUIRES: payload.size() <= kMaxPayload.
  uint64_t Append(std::string_view payload);
  uint64_t durable_lsn() const { return durable_lsn_.load(std::memory_order_acquire); }
  // Blocks until every record appended before the call is written and synced. Returns error().
  Status Flush();
  WriterStats stats() const;
  bool using_uring() const { return ring_ != nullptr; }
  // Changes the sync policy from the next batch on (CONFIG SET appendfsync). Thread-safe.
  // durable_lsn() never goes back: leaving kNo, records already reported durable stay so.
  void set_sync(SyncPolicy policy);
  SyncPolicy sync() const { return sync_.load(std::memory_order_relaxed); }
  // Deletes the segments that hold only records at or below `lsn` (everything they hold is in a
  // durable snapshot), oldest first; never the segment being written. Thread-safe; the writer
  // thread keeps appending meanwhile. Returns how many segments it deleted.
  Result<uint64_t> TrimThrough(uint64_t lsn);
  // First I/O error the writer met (sticky), or OK. After an error the writer stops advancing
  // durable_lsn and discards what is appended.
  Status error() const;

 private:
  explicit Writer(WriterOptions options);

  void Run();
  // Writer thread only: writes one batch of framed records, rolling segments as needed, and
  // syncs when `sync`.
  Status WriteBatch(std::string_view batch, bool sync);
  Status SyncCurrent();
  // Bookkeeping after an fdatasync that started at started_us covered everything written.
  void NoteSynced(int64_t started_us);
  // Syncs the current segment and starts a new one able to hold a frame of frame_bytes.
  Status Roll(uint64_t first_lsn, uint64_t frame_bytes);
  Status CreateSegment(uint64_t first_lsn, uint64_t size);
  // The spare-segment thread: keeps one zero-filled, synced file of segment_bytes ready.
  void PrepareLoop();
  Result<std::unique_ptr<WritableFile>> MakeSpare();
  void RequestSpare();
  void Publish();
  // Writer thread: `bytes` of records went into the current segment.
  void AddLogBytes(uint64_t bytes);
  void SetError(const Status& st);

  const WriterOptions options_;
  FileLayer* const files_;
  std::unique_ptr<Ring> ring_;  // used only by the writer thread (and Open before it starts)

  // Writer thread state (and Open's, before the thread starts).
  std::unique_ptr<WritableFile> file_;
  uint64_t file_offset_ = 0;    // where the next record goes in file_
  uint64_t file_capacity_ = 0;  // size of file_
  bool file_dirty_ = false;     // file_ holds writes not yet synced
  uint64_t local_written_ = 0, local_synced_ = 0;
  int64_t last_sync_us_ = 0;
  uint64_t published_durable_ = 0;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // wakes the writer thread
  std::condition_variable done_cv_;  // wakes Flush waiters
  std::string pending_;              // GUARDED_BY(mu_): framed records not yet taken
  int64_t pending_since_us_ = 0;     // GUARDED_BY(mu_): when pending_ last became non-empty
  uint64_t next_lsn_ = 1;            // GUARDED_BY(mu_)
  uint64_t flush_target_ = 0;        // GUARDED_BY(mu_): Flush wants this LSN synced
  uint64_t synced_lsn_ = 0;          // GUARDED_BY(mu_): last LSN synced
  bool stop_ = false;                // GUARDED_BY(mu_)
  Status error_;                     // GUARDED_BY(mu_)

  std::atomic<SyncPolicy> sync_;  // options_.sync until set_sync
  std::atomic<uint64_t> appended_lsn_{0};
  std::atomic<uint64_t> written_lsn_{0};
  std::atomic<uint64_t> durable_lsn_{0};
  std::atomic<uint64_t> log_bytes_{0};
  std::atomic<uint64_t> segments_{0};
  std::atomic<uint64_t> fsyncs_{0};
  std::atomic<int64_t> last_fsync_us_{0};

  std::thread thread_;

  std::mutex segs_mu_;
  std::deque<SegmentUse> segs_;  // GUARDED_BY(segs_mu_): every segment, oldest first

  const std::string spare_path_;
  std::mutex prep_mu_;
  std::condition_variable prep_cv_;
  bool prep_wanted_ = false;        // GUARDED_BY(prep_mu_)
  bool prep_stop_ = false;          // GUARDED_BY(prep_mu_)
  std::unique_ptr<WritableFile> spare_;  // GUARDED_BY(prep_mu_): ready, opened without the ring
  std::thread prep_thread_;
};

}  // namespace strata::wal
