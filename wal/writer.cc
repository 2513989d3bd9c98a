#include "wal/writer.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <utility>

#include "base/clock.h"
#include "base/latency_events.h"
#include "base/coding.h"
#include "base/logging.h"

namespace strata::wal {
namespace {

constexpr int64_t kEverySecUs = 1'000'000;
// Under everysec and no, the workers write what their replies need (WriteAppended); the writer
// thread lets what is left (appends of other threads: expiry, eviction) gather for up to this
// long (or this many bytes) before writing it. No reply waits on it, so the only cost of a
// longer gather is memory; a shorter one woke the writer (and took mu_ from the workers) about
// twice per millisecond under load (perf stat: 0.3 futex calls per unpipelined SET).
constexpr int64_t kGatherUs = 10'000;
constexpr size_t kGatherBytes = 256 * 1024;

}  // namespace

Writer::Writer(WriterOptions options)
    : options_(std::move(options)),
      files_(options_.files != nullptr ? options_.files : FileLayer::Default()),
      sync_(options_.sync),
      spare_path_(options_.dir + "/" + std::string(kSpareFileName)) {}

Result<std::unique_ptr<Writer>> Writer::Open(WriterOptions options, const LogEnd& end) {
  if (options.dir.empty()) return Status::InvalidArgument("WAL directory not set");
  options.segment_bytes = std::max(options.segment_bytes, kMinSegmentBytes);
  if (!options.now_us) options.now_us = MonotonicUs;
  std::unique_ptr<Writer> w(new Writer(std::move(options)));
  const WriterOptions& opts = w->options_;
  RETURN_IF_ERROR(w->files_->CreateDir(opts.dir));

  if (opts.io != IoMode::kPwrite) {
    auto ring = Ring::Create();
    if (ring.ok()) {
      w->ring_ = std::move(ring).value();
    } else if (opts.io == IoMode::kUring) {
      return ring.status();
    } else {
      LOG_WARN("io_uring unavailable (%s); the WAL writes with pwrite/fdatasync",
               ring.status().message().c_str());
    }
  }

  const uint64_t last = end.next_lsn - 1;
  std::lock_guard<std::mutex> io(w->io_mu_);  // no other thread yet; for the annotations' sake
  w->buffered_ = opts.sync != SyncPolicy::kAlways;
  w->buffered_hint_.store(w->buffered_);
  if (end.segment_path.empty()) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, w->files_->ListDir(opts.dir));
    for (const std::string& name : names) {
      uint64_t lsn;
      if (ParseSegmentFileName(name, &lsn)) {
        return Status::InvalidArgument("WAL directory " + opts.dir + " already holds " + name +
                                       ": replay it and open the writer at its end");
      }
    }
    RETURN_IF_ERROR(w->CreateSegment(end.next_lsn, opts.segment_bytes));
  } else {
    ASSIGN_OR_RETURN(w->file_, w->OpenSegment(end.segment_path, end.offset));
    w->file_path_ = end.segment_path;
    ASSIGN_OR_RETURN(uint64_t size, w->file_->Size());
    w->file_offset_ = std::max<uint64_t>(end.offset, kSegmentHeaderSize);
    // A segment cut short by hand is not extended: the next record rolls to a new segment.
    w->file_capacity_ = std::max(size, w->file_offset_);
    w->segments_.store(std::max<uint64_t>(end.segments, 1));
    w->log_bytes_.store(end.log_bytes);
    w->segs_.assign(end.segment_use.begin(), end.segment_use.end());
    if (w->segs_.empty()) w->segs_.push_back({end.segment_first_lsn, 0});
  }
  w->next_lsn_ = end.next_lsn;
  w->synced_lsn_ = last;
  w->local_written_ = w->local_synced_ = w->published_durable_ = last;
  w->appended_lsn_.store(last);
  w->written_lsn_.store(last);
  w->durable_lsn_.store(last);
  w->last_sync_us_ = opts.now_us();
  w->thread_ = std::thread([p = w.get()] { p->Run(); });
  w->prep_thread_ = std::thread([p = w.get()] { p->PrepareLoop(); });
  w->RequestSpare();
  return w;
}

Writer::~Writer() {
  {
    std::lock_guard<AdaptiveMutex> l(mu_);
    stop_ = true;
  }
  work_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> l(prep_mu_);
    prep_stop_ = true;
  }
  prep_cv_.notify_one();
  if (prep_thread_.joinable()) prep_thread_.join();
  if (spare_ != nullptr) {
    spare_.reset();
    files_->Remove(spare_path_).PermitUnchecked();  // replay removes it anyway
  }
}

uint64_t Writer::Append(std::string_view payload) {
  assert(payload.size() <= kMaxPayload);  // the reader would take a longer record for damage
  std::lock_guard<AdaptiveMutex> l(mu_);
  uint64_t lsn = next_lsn_++;
  bool was_empty = pending_.empty();
  if (was_empty) pending_since_us_ = MonotonicUs();
  AppendRecord(&pending_, lsn, payload);
  appended_lsn_.store(lsn, std::memory_order_relaxed);
  if (was_empty && (writer_idle_ || sync_.load(std::memory_order_relaxed) == SyncPolicy::kAlways)) {
    work_cv_.notify_one();
  }
  return lsn;
}

Status Writer::Flush() {
  std::unique_lock<AdaptiveMutex> l(mu_);
  const uint64_t target = next_lsn_ - 1;
  if (!error_.ok() || synced_lsn_ >= target) return error_;
  flush_target_ = std::max(flush_target_, target);
  work_cv_.notify_one();
  done_cv_.wait(l, [&] { return synced_lsn_ >= target || !error_.ok(); });
  return error_;
}

WriterStats Writer::stats() const {
  WriterStats s;
  s.appended_lsn = appended_lsn_.load();
  s.written_lsn = written_lsn_.load();
  s.durable_lsn = durable_lsn_.load();
  s.log_bytes = log_bytes_.load();
  s.segments = segments_.load();
  s.fsyncs = fsyncs_.load();
  s.last_fsync_us = last_fsync_us_.load();
  s.uring = using_uring();
  return s;
}

void Writer::set_sync(SyncPolicy policy) {
  {
    std::lock_guard<AdaptiveMutex> l(mu_);
    sync_.store(policy, std::memory_order_relaxed);
  }
  work_cv_.notify_one();  // an idle writer re-evaluates how long to sleep
}

Status Writer::error() const {
  if (!failed()) return Status::Ok();  // every write command asks: no lock while healthy
  std::lock_guard<AdaptiveMutex> l(mu_);
  return error_;
}

void Writer::Run() {
  for (;;) {
    bool stop, sync, everysec;
    {
      std::unique_lock<AdaptiveMutex> l(mu_);
      for (;;) {
        const SyncPolicy policy = sync_.load(std::memory_order_relaxed);
        everysec = policy == SyncPolicy::kEverySec;
        if (stop_) break;
        if (!pending_.empty()) {
          const bool gather = policy != SyncPolicy::kAlways && flush_target_ <= synced_lsn_ &&
                              pending_.size() < kGatherBytes;
          const int64_t age = MonotonicUs() - pending_since_us_;
          if (!gather || age >= kGatherUs) break;
          work_cv_.wait_for(l, std::chrono::microseconds(kGatherUs - age));
          continue;
        }
        if (error_.ok() && flush_target_ > synced_lsn_) break;
        // CONFIG SET appendfsync between always and the others reopens the segment.
        if (error_.ok() && (policy == SyncPolicy::kAlways) == buffered_hint_.load()) break;
        int64_t since = options_.now_us() - last_sync_us_.load();
        if (everysec && error_.ok() && file_dirty_.load() && since >= kEverySecUs) break;
        writer_idle_ = true;
        if (everysec) {
          int64_t wait_us = file_dirty_.load()
                                ? std::clamp<int64_t>(kEverySecUs - since, 1000, kEverySecUs)
                                : kEverySecUs;
          work_cv_.wait_for(l, std::chrono::microseconds(wait_us));
        } else {
          work_cv_.wait(l);
        }
        writer_idle_ = false;
      }
      stop = stop_;
      everysec = sync_.load(std::memory_order_relaxed) == SyncPolicy::kEverySec;
      sync = stop || flush_target_ > synced_lsn_ ||
             sync_.load(std::memory_order_relaxed) == SyncPolicy::kAlways;
      if (!error_.ok()) {
        pending_.clear();
        if (stop) return;
        continue;
      }
    }
    if (everysec && options_.now_us() - last_sync_us_.load() >= kEverySecUs) sync = true;
    WriteOut(sync);
    // A worker that found io_mu_ taken meanwhile left its records to this thread.
    if (write_wanted_.load(std::memory_order_seq_cst)) WritePending();
    if (stop) return;
  }
}

void Writer::WriteOut(bool sync) {
  std::shared_ptr<WritableFile> file;
  uint64_t through = 0;
  int64_t started = 0;  // the clock when the sync starts: it covers what was written by then
  {
    std::lock_guard<std::mutex> io(io_mu_);
    Status st = SwitchModeLocked(sync_.load(std::memory_order_relaxed));
    // A buffered segment is synced below without io_mu_: the workers' writes go on meanwhile.
    if (st.ok()) st = WritePendingLocked(sync && !buffered_);
    if (!st.ok()) return SetError(st);
    if (sync && buffered_) {
      if (file_dirty_.exchange(false)) {
        file = file_;
        through = local_written_;
        started = options_.now_us();
        sync_in_flight_ = true;
      } else {
        local_synced_ = local_written_;
      }
    }
    Publish();
    if (file == nullptr) return;
  }
  if (write_wanted_.load(std::memory_order_seq_cst)) WritePending();  // not after the sync
  const int64_t t0 = MonotonicUs();
  Status st = file->Sync();
  std::lock_guard<std::mutex> io(io_mu_);
  sync_in_flight_ = false;
  if (!st.ok()) {
    file_dirty_.store(true);
    return SetError(st);
  }
  NoteSyncStats(MonotonicUs() - t0, through - std::min(through, local_synced_));
  last_sync_us_.store(started);
  // A roll meanwhile synced the old segment whole and moved local_synced_ past `through`.
  local_synced_ = std::max(local_synced_, through);
  Publish();
}

uint64_t Writer::WriteAppended(uint64_t lsn) {
  if (written_lsn() < lsn && buffered_hint_.load(std::memory_order_relaxed)) WritePending();
  return written_lsn();
}

void Writer::WritePending() {
  for (;;) {
    std::unique_lock<std::mutex> io(io_mu_, std::try_to_lock);
    if (!io.owns_lock()) {
      // Another thread is writing. It writes these records too before it is done (it looks
      // at write_wanted_ after it lets go of io_mu_), and its Publish wakes whoever waits on
      // them: the caller goes on serving other connections rather than queue behind it.
      write_wanted_.store(true, std::memory_order_seq_cst);
      if (!io.try_lock()) return;
    }
    write_wanted_.store(false, std::memory_order_relaxed);
    if (buffered_ && written_lsn() < appended_lsn_.load(std::memory_order_acquire)) {
      Status st = WritePendingLocked(false);
      if (st.ok()) {
        Publish();
      } else {
        SetError(st);
      }
    }
    io.unlock();
    if (!write_wanted_.load(std::memory_order_seq_cst)) return;
  }
}

Status Writer::WritePendingLocked(bool sync) {
  {
    std::lock_guard<AdaptiveMutex> l(mu_);
    batch_.swap(pending_);
    if (!error_.ok()) batch_.clear();  // after an error nothing more is written
  }
  Status st = WriteBatch(batch_, sync);
  batch_.clear();
  return st;
}

Status Writer::SwitchModeLocked(SyncPolicy policy) {
  const bool want_buffered = policy != SyncPolicy::kAlways;
  if (want_buffered == buffered_) return Status::Ok();
  // Everything so far written and synced through the current file, then the same segment
  // reopened the other way at the same offset.
  RETURN_IF_ERROR(WritePendingLocked(true));
  RETURN_IF_ERROR(SyncCurrent());
  RETURN_IF_ERROR(file_->Close());
  buffered_ = want_buffered;
  buffered_hint_.store(want_buffered);
  ASSIGN_OR_RETURN(file_, OpenSegment(file_path_, file_offset_));
  return Status::Ok();
}

Result<std::unique_ptr<WritableFile>> Writer::OpenSegment(const std::string& path,
                                                          uint64_t offset) {
  if (buffered_) return files_->OpenMapped(path);
  return files_->OpenAppend(path, offset, ring_.get());
}

Status Writer::WriteBatch(std::string_view batch, bool sync) {
  size_t start = 0, pos = 0;
  uint64_t prev_lsn = local_written_;
  while (pos < batch.size()) {
    const char* rec = batch.data() + pos;
    uint64_t frame = kRecordHeaderSize + DecodeFixed32(rec + 4);
    uint64_t lsn = DecodeFixed64(rec + 8);
    if (file_offset_ + (pos - start) + frame > file_capacity_) {
      if (pos > start) {
        RETURN_IF_ERROR(file_->Write(file_offset_, batch.substr(start, pos - start), false));
        file_offset_ += pos - start;
        AddLogBytes(pos - start);
        file_dirty_ = true;
        local_written_ = prev_lsn;
      }
      RETURN_IF_ERROR(Roll(lsn, frame));
      start = pos;
    }
    prev_lsn = lsn;
    pos += frame;
  }
  if (pos > start) {
    int64_t t0 = MonotonicUs();
    RETURN_IF_ERROR(file_->Write(file_offset_, batch.substr(start, pos - start), sync));
    if (!sync) ReportLatency("wal-write", MonotonicUs() - t0);  // with sync: wal-fsync
    file_offset_ += pos - start;
    AddLogBytes(pos - start);
    local_written_ = prev_lsn;
    file_dirty_ = true;
    if (sync) NoteSynced(t0);
    return Status::Ok();
  }
  return sync ? SyncCurrent() : Status::Ok();
}

Status Writer::SyncCurrent() {
  if (!file_dirty_.load() && !sync_in_flight_) {
    local_synced_ = local_written_;
    return Status::Ok();
  }
  int64_t t0 = MonotonicUs();
  RETURN_IF_ERROR(file_->Sync());
  NoteSynced(t0);
  return Status::Ok();
}

void Writer::NoteSyncStats(int64_t took_us, uint64_t records) {
  last_fsync_us_.store(took_us);
  ReportLatency("wal-fsync", took_us);
  fsyncs_.fetch_add(1);
  fsync_us_.Add(static_cast<uint64_t>(took_us));
  group_records_.Add(records);
}

void Writer::NoteSynced(int64_t started_us) {
  NoteSyncStats(MonotonicUs() - started_us,
                local_written_ - std::min(local_written_, local_synced_));
  file_dirty_.store(false);
  local_synced_ = local_written_;
  last_sync_us_.store(options_.now_us());
}

Status Writer::Roll(uint64_t first_lsn, uint64_t frame_bytes) {
  // Only the newest segment may ever hold a torn tail: the old one is synced in full first.
  RETURN_IF_ERROR(SyncCurrent());
  return CreateSegment(first_lsn,
                       std::max(options_.segment_bytes, kSegmentHeaderSize + frame_bytes));
}

void Writer::RequestSpare() {
  {
    std::lock_guard<std::mutex> l(prep_mu_);
    prep_wanted_ = true;
  }
  prep_cv_.notify_one();
}

void Writer::PrepareLoop() {
  std::unique_lock<std::mutex> l(prep_mu_);
  for (;;) {
    prep_cv_.wait(l, [&] { return prep_stop_ || (prep_wanted_ && spare_ == nullptr); });
    if (prep_stop_) return;
    prep_wanted_ = false;
    l.unlock();
    auto spare = MakeSpare();
    l.lock();
    if (spare.ok()) {
      spare_ = std::move(spare).value();
    } else {
      // Not fatal: the roll creates its segment itself and reports an error that persists.
      LOG_WARN("WAL: preparing the next segment failed: %s", spare.status().ToString().c_str());
    }
  }
}

Result<std::unique_ptr<WritableFile>> Writer::MakeSpare() {
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                   files_->OpenWritable(spare_path_, true, nullptr));
  RETURN_IF_ERROR(file->ZeroFill(0, options_.segment_bytes));
  RETURN_IF_ERROR(file->Sync());
  return file;
}

// Segment creation, made durable before any record goes in: the header and zeros behind it
// are synced under a temporary name, which is then renamed, and the directory synced. The zeros
// normally come from the spare file the preparer thread filled ahead of time, so a roll costs
// one small write, two syncs and a rename instead of writing a whole segment: zero-filling
// 64 MiB and syncing measured 165-195 ms here (fallocate: about 1 ms).
//
// Zero-fill instead of fallocate: on this machine's ext4 (virtio disk), 300 rounds of a 4 KiB
// pwrite + fdatasync each into a fresh block measured p50 215-239 us into fallocated (unwritten)
// extents and 148-152 us into zero-filled ones: the unwritten-extent conversion costs about 50%
// on every sync that touches a new block. With 200-byte writes the difference vanished.
Status Writer::CreateSegment(uint64_t first_lsn, uint64_t size) {
  const std::string final_path = options_.dir + "/" + SegmentFileName(first_lsn);
  SegmentHeader header;
  header.first_lsn = first_lsn;
  header.segment_bytes = size;
  const std::string header_bytes = EncodeSegmentHeader(header);
  std::unique_ptr<WritableFile> spare;
  if (size == options_.segment_bytes) {
    std::lock_guard<std::mutex> l(prep_mu_);
    spare = std::move(spare_);
    // No new spare (which would truncate spare_path_) until this one is renamed away.
    if (spare != nullptr) prep_wanted_ = false;
  }
  std::unique_ptr<WritableFile> file;
  if (spare != nullptr) {
    RETURN_IF_ERROR(spare->Write(0, header_bytes, true));
    RETURN_IF_ERROR(files_->Rename(spare_path_, final_path));
    spare.reset();
    RETURN_IF_ERROR(files_->SyncDir(options_.dir));
    // Reopened for appends: through the ring (always), or the page cache.
    ASSIGN_OR_RETURN(file, OpenSegment(final_path, kSegmentHeaderSize));
    RequestSpare();
  } else {
    const std::string tmp_path = final_path + std::string(kTempSuffix);
    ASSIGN_OR_RETURN(file, files_->OpenWritable(tmp_path, true, buffered_ ? nullptr : ring_.get()));
    RETURN_IF_ERROR(file->Write(0, header_bytes, false));
    RETURN_IF_ERROR(file->ZeroFill(kSegmentHeaderSize, size - kSegmentHeaderSize));
    RETURN_IF_ERROR(file->Sync());
    RETURN_IF_ERROR(files_->Rename(tmp_path, final_path));
    RETURN_IF_ERROR(files_->SyncDir(options_.dir));
    ASSIGN_OR_RETURN(file, OpenSegment(final_path, kSegmentHeaderSize));
    if (size == options_.segment_bytes) RequestSpare();  // in case an earlier attempt failed
  }
  file_ = std::move(file);
  file_path_ = final_path;
  file_offset_ = kSegmentHeaderSize;
  file_capacity_ = size;
  file_dirty_.store(false);
  segments_.fetch_add(1);
  {
    std::lock_guard<std::mutex> l(segs_mu_);
    segs_.push_back({first_lsn, 0});
  }
  return Status::Ok();
}

void Writer::AddLogBytes(uint64_t bytes) {
  log_bytes_.fetch_add(bytes);
  std::lock_guard<std::mutex> l(segs_mu_);
  segs_.back().bytes += bytes;
}

Result<uint64_t> Writer::TrimThrough(uint64_t lsn) {
  std::vector<SegmentUse> victims;
  {
    std::lock_guard<std::mutex> l(segs_mu_);
    while (segs_.size() >= 2 && segs_[1].first_lsn <= lsn + 1) {
      victims.push_back(segs_.front());
      segs_.pop_front();
    }
  }
  for (const SegmentUse& v : victims) {
    RETURN_IF_ERROR(files_->Remove(options_.dir + "/" + SegmentFileName(v.first_lsn)));
    log_bytes_.fetch_sub(v.bytes);
    segments_.fetch_sub(1);
  }
  if (!victims.empty()) RETURN_IF_ERROR(files_->SyncDir(options_.dir));
  return static_cast<uint64_t>(victims.size());
}

void Writer::Publish() {
  // The atomics and the callbacks come before synced_lsn_: when Flush returns, all have
  // advanced.
  if (local_written_ > written_lsn_.load(std::memory_order_relaxed)) {
    written_lsn_.store(local_written_, std::memory_order_release);
    if (options_.on_written) options_.on_written(local_written_);
  }
  const bool no_sync = sync_.load(std::memory_order_relaxed) == SyncPolicy::kNo;
  const uint64_t durable = no_sync ? local_written_ : local_synced_;
  if (durable > published_durable_) {
    published_durable_ = durable;
    durable_lsn_.store(durable, std::memory_order_release);
    if (options_.on_durable) options_.on_durable(durable);
  }
  {
    std::lock_guard<AdaptiveMutex> l(mu_);
    synced_lsn_ = local_synced_;
  }
  done_cv_.notify_all();
}

void Writer::SetError(const Status& st) {
  {
    std::lock_guard<AdaptiveMutex> l(mu_);
    if (!error_.ok()) return;
    error_ = st;
    failed_.store(true, std::memory_order_release);
  }
  LOG_WARN("WAL writer stopped after an I/O error: %s", st.ToString().c_str());
  done_cv_.notify_all();
}

}  // namespace strata::wal
