// The WAL writer: many threads Append records, which go into preallocated segment files and are
// synced by policy, with group commit.
//
// Under `always` one writer thread writes them (O_DIRECT, io_uring or pwrite) and syncs each
// batch. Under `everysec` and `no` the segment is written through a shared memory map of it
// (FileLayer::OpenMapped: a copy into the page cache), by whichever thread calls WriteAppended
// (the workers, before they send replies, as Redis writes its AOF buffer before replying): one
// write covers every record appended so far, so a process crash loses nothing a reply
// reported. The writer thread then writes only what no one else did within 10 ms, and syncs
// once a second under `everysec`.
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

#include "base/adaptive_mutex.h"
#include "base/file_layer.h"
#include "base/log_histogram.h"
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
  // Called every time durable_lsn() advances, with the new value, and every time
  // written_lsn() does (on the writer thread, or on the thread of WriteAppended). Must not block.
  std::function<void(uint64_t durable_lsn)> on_durable;
  std::function<void(uint64_t written_lsn)> on_written;
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
  // The latency (us) of every fdatasync since the writer opened (as last_fsync_us), and how many
  // records each made durable (under appendfsync always: one group commit). Read from any thread.
  const LogHistogram& fsync_latency_us() const { return fsync_us_; }
  const LogHistogram& group_commit_records() const { return group_records_; }
  uint64_t durable_lsn() const { return durable_lsn_.load(std::memory_order_acquire); }
  // The last LSN handed to the operating system (written to the segment file).
  uint64_t written_lsn() const { return written_lsn_.load(std::memory_order_acquire); }
  // Under everysec and no: sees that every record through `lsn` gets written to the segment
  // file. Unless another thread's write already covered it, it writes everything appended so
  // far on the calling thread, or, if another thread is writing at that moment, leaves it to
  // that thread and returns at once (group commit): on_written tells when it is done. Under
  // always it writes nothing: the writer thread writes and syncs, and durable_lsn() tells
  // when. Thread-safe; must not be called with locks that Append's callers hold. Returns
  // written_lsn().
  uint64_t WriteAppended(uint64_t lsn);
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
  // Whether error() is not OK (without its mutex).
  bool failed() const { return failed_.load(std::memory_order_acquire); }

 private:
  explicit Writer(WriterOptions options);

  void Run();
  // Writes what is pending, and syncs it when `sync` (under everysec without holding io_mu_
  // during the sync). Then Publish()es or records the error.
  void WriteOut(bool sync);
  // Writes what is pending (buffered segments only) unless another thread holds io_mu_, in
  // which case that thread writes it (write_wanted_). Then Publish()es.
  void WritePending();
  // REQUIRES io_mu_: takes what is pending and writes it (synced when `sync`).
  Status WritePendingLocked(bool sync);
  // REQUIRES io_mu_: reopens the current segment buffered or direct, as `policy` wants.
  Status SwitchModeLocked(SyncPolicy policy);
  // REQUIRES io_mu_: writes one batch of framed records, rolling segments as needed, and
  // syncs when `sync`.
  Status WriteBatch(std::string_view batch, bool sync);
  // REQUIRES io_mu_: opens the segment at path for appending at offset, buffered or direct.
  Result<std::unique_ptr<WritableFile>> OpenSegment(const std::string& path, uint64_t offset);
  Status SyncCurrent();
  // Bookkeeping after an fdatasync that started at started_us covered everything written.
  void NoteSynced(int64_t started_us);
  // Counts one fdatasync that took took_us and made `records` records durable.
  void NoteSyncStats(int64_t took_us, uint64_t records);
  // Syncs the current segment and starts a new one able to hold a frame of frame_bytes.
  Status Roll(uint64_t first_lsn, uint64_t frame_bytes);
  Status CreateSegment(uint64_t first_lsn, uint64_t size);
  // The spare-segment thread: keeps one zero-filled, synced file of segment_bytes ready.
  void PrepareLoop();
  Result<std::unique_ptr<WritableFile>> MakeSpare();
  void RequestSpare();
  // REQUIRES io_mu_.
  void Publish();
  // `bytes` of records went into the current segment.
  void AddLogBytes(uint64_t bytes);
  void SetError(const Status& st);

  const WriterOptions options_;
  FileLayer* const files_;
  std::unique_ptr<Ring> ring_;  // used only by the writer thread (and Open before it starts)

  // The current segment and what has gone into it. Lock order: io_mu_, then mu_.
  std::mutex io_mu_;
  std::shared_ptr<WritableFile> file_;  // GUARDED_BY(io_mu_)
  std::string file_path_;               // GUARDED_BY(io_mu_)
  bool buffered_ = false;       // GUARDED_BY(io_mu_): file_ writes through the page cache
  uint64_t file_offset_ = 0;    // GUARDED_BY(io_mu_): where the next record goes in file_
  uint64_t file_capacity_ = 0;  // GUARDED_BY(io_mu_): size of file_
  uint64_t local_written_ = 0, local_synced_ = 0;  // GUARDED_BY(io_mu_)
  uint64_t published_durable_ = 0;                 // GUARDED_BY(io_mu_)
  // GUARDED_BY(io_mu_): WriteOut is syncing file_ without io_mu_ (what it covers is not synced
  // yet, though file_dirty_ was cleared for it).
  bool sync_in_flight_ = false;
  std::atomic<bool> file_dirty_{false};  // file_ holds writes not yet synced
  std::atomic<int64_t> last_sync_us_{0};
  std::atomic<bool> buffered_hint_{false};  // buffered_, read without io_mu_
  // A thread found io_mu_ taken and left its records to the holder (WritePending).
  std::atomic<bool> write_wanted_{false};
  std::string batch_;  // GUARDED_BY(io_mu_): what WritePendingLocked took from pending_

  mutable AdaptiveMutex mu_;  // taken by every Append, under the shard locks
  std::condition_variable_any work_cv_;  // wakes the writer thread
  std::condition_variable_any done_cv_;  // wakes Flush waiters
  std::string pending_;              // GUARDED_BY(mu_): framed records not yet taken
  int64_t pending_since_us_ = 0;     // GUARDED_BY(mu_): when pending_ last became non-empty
  // GUARDED_BY(mu_): the writer thread waits with nothing pending. Under everysec and no an
  // Append wakes it only then: the workers write what they append (WriteAppended), and a
  // writer already gathering looks at pending_ when its gathering time is up anyway.
  bool writer_idle_ = false;
  uint64_t next_lsn_ = 1;            // GUARDED_BY(mu_)
  uint64_t flush_target_ = 0;        // GUARDED_BY(mu_): Flush wants this LSN synced
  uint64_t synced_lsn_ = 0;          // GUARDED_BY(mu_): last LSN synced
  bool stop_ = false;                // GUARDED_BY(mu_)
  Status error_;                     // GUARDED_BY(mu_)

  std::atomic<SyncPolicy> sync_;  // options_.sync until set_sync
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> appended_lsn_{0};
  std::atomic<uint64_t> written_lsn_{0};
  std::atomic<uint64_t> durable_lsn_{0};
  std::atomic<uint64_t> log_bytes_{0};
  std::atomic<uint64_t> segments_{0};
  std::atomic<uint64_t> fsyncs_{0};
  std::atomic<int64_t> last_fsync_us_{0};
  LogHistogram fsync_us_;       // every fdatasync's latency, us
  LogHistogram group_records_;  // records each fdatasync made durable

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
