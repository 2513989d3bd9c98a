#include "server/persistence.h"

#include <filesystem>

#include "base/clock.h"
#include "base/logging.h"
#include "engine/replay.h"
#include "server/info_lines.h"
#include "base/string_util.h"

namespace strata::server {

namespace {

constexpr int64_t kProgressEveryUs = 2'000'000;

const char* PolicyName(wal::SyncPolicy p) {
  switch (p) {
    case wal::SyncPolicy::kAlways:
      return "always";
    case wal::SyncPolicy::kEverySec:
      return "everysec";
    case wal::SyncPolicy::kNo:
      return "no";
  }
  return "?";
}

double MbPerSec(uint64_t bytes, int64_t us) {
  return us > 0 ? static_cast<double>(bytes) / static_cast<double>(us) : 0.0;  // B/us == MB/s
}

}  // namespace

wal::SyncPolicy ParseSyncPolicy(std::string_view name) {
  if (EqualsIgnoreCase(name, "always")) return wal::SyncPolicy::kAlways;
  if (EqualsIgnoreCase(name, "no")) return wal::SyncPolicy::kNo;
  return wal::SyncPolicy::kEverySec;
}

wal::IoMode ParseWalIo(std::string_view name) {
  if (EqualsIgnoreCase(name, "uring")) return wal::IoMode::kUring;
  if (EqualsIgnoreCase(name, "pwrite")) return wal::IoMode::kPwrite;
  return wal::IoMode::kAuto;
}

Persistence::Persistence(PersistenceOptions options)
    : options_(std::move(options)) {
  // Absolute, so that messages name a path the operator can use from anywhere.
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(options_.dir, ec);
  if (!ec) options_.dir = abs.lexically_normal().string();
}

Persistence::~Persistence() { Close().PermitUnchecked(); }

Status Persistence::Recover(engine::Keyspace& ks, const std::vector<uint64_t>& shard_lsns,
                            uint64_t min_lsn, std::function<void(uint64_t)> on_progress) {
  ks.set_redo_sink(this);
  base_lsn_ = min_lsn;
  std::error_code ec;
  if (!options_.enabled && !std::filesystem::exists(options_.dir, ec)) return Status::Ok();
  const int64_t start = MonotonicUs();
  int64_t last_report = start;
  uint64_t records = 0, bytes = 0;
  // Per-shard filtering needs the snapshot's shards to be ks's; otherwise its LSNs are all one
  // (as Strata writes them) and replaying from min_lsn + 1 is the same.
  std::span<const uint64_t> through;
  if (shard_lsns.size() == static_cast<size_t>(ks.num_shards())) through = shard_lsns;
  wal::ReplayOptions ro;
  ro.dir = options_.dir;
  ro.from_lsn = min_lsn + 1;
  ro.truncate_torn_tail = options_.load_truncated;
  Result<wal::ReplayResult> replay =
      wal::Replay(ro, [&](uint64_t lsn, std::string_view payload) -> Status {
        Status st = engine::ApplyRedo(ks, payload, lsn, through);
        if (!st.ok()) {
          return Status::Corruption("WAL record " + std::to_string(lsn) + " in " + options_.dir +
                                    " cannot be applied: " + st.message());
        }
        ++records;
        bytes += payload.size();
        if ((records & 0xfff) == 0) {
          int64_t now = MonotonicUs();
          if (now - last_report >= kProgressEveryUs) {
            last_report = now;
            LOG_INFO("Loading the write-ahead log: %llu records, %.1f MB/s",
                     static_cast<unsigned long long>(records), MbPerSec(bytes, now - start));
          }
        }
        return Status::Ok();
      });
  if (!replay.ok()) return replay.status();
  const wal::ReplayResult& r = *replay;
  recovery_.dropped_bytes = r.dropped_bytes;
  recovery_.duration_us = MonotonicUs() - start;
  if (r.dropped_bytes > 0 && !options_.load_truncated) {
    return Status::Corruption(
        "Unexpected end of file reading the write-ahead log: a torn write of " +
        std::to_string(r.dropped_bytes) + " bytes at offset " + std::to_string(r.dropped_offset) +
        " of " + r.dropped_file +
        ". You can: 1) Make a backup of the log directory, then run strata-inspect repair on "
        "it. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes "
        "and restart the server.");
  }
  if (r.dropped_bytes > 0) {
    LOG_WARN(
        "The write-ahead log ended in a torn write (a crash or power loss while writing): "
        "dropped %llu record(s), %llu bytes at offset %llu of %s",
        static_cast<unsigned long long>(r.dropped_records),
        static_cast<unsigned long long>(r.dropped_bytes),
        static_cast<unsigned long long>(r.dropped_offset), r.dropped_file.c_str());
  }
  if (records > 0) {
    LOG_INFO(
        "DB loaded from the write-ahead log: %llu records past LSN %llu in %llu segment(s), "
        "%.3f seconds (%.1f MB/s)",
        static_cast<unsigned long long>(records), static_cast<unsigned long long>(min_lsn),
        static_cast<unsigned long long>(r.segments), recovery_.duration_us / 1e6,
        MbPerSec(bytes, recovery_.duration_us));
  }
  recovery_.records = records;
  wal::LogEnd end = r.end;
  if (end.segment_path.empty()) {
    // No log (or none left): it starts past the snapshot, so that its records count as newer.
    end.next_lsn = end.segment_first_lsn = min_lsn + 1;
  } else if (end.next_lsn <= min_lsn) {
    return Status::Corruption(
        "The write-ahead log in " + options_.dir + " ends at LSN " +
        std::to_string(end.next_lsn - 1) + ", before the snapshot loaded (LSN " +
        std::to_string(min_lsn) +
        "): it is older than the snapshot. Move the log directory aside to start from the "
        "snapshot alone.");
  } else if (r.segments > 0 && r.end.segment_use.front().first_lsn > min_lsn + 1 &&
             !options_.allow_log_gap) {
    return Status::Corruption(
        "The write-ahead log in " + options_.dir + " starts at LSN " +
        std::to_string(r.end.segment_use.front().first_lsn) + " but the snapshot loaded ends at " +
        std::to_string(min_lsn) +
        ": records in between are missing (a segment was deleted). Restore the missing "
        "segments, or start with snapshot-ignore-unreadable after moving the log aside.");
  }
  base_lsn_ = end.next_lsn - 1;
  if (!options_.enabled) {
    if (records > 0) {
      LOG_WARN("appendonly is no: the write-ahead log left in %s was replayed, and is not written",
               options_.dir.c_str());
    }
    return Status::Ok();
  }

  wal::WriterOptions wo;
  wo.dir = options_.dir;
  wo.segment_bytes = options_.segment_bytes;
  wo.sync = options_.sync;
  wo.io = options_.io;
  wo.on_durable = on_progress;
  wo.on_written = std::move(on_progress);
  Result<std::unique_ptr<wal::Writer>> writer = wal::Writer::Open(std::move(wo), end);
  if (!writer.ok()) return writer.status();
  writer_ = std::move(writer).value();
  LOG_INFO("Write-ahead log open: %s, appendfsync %s, %s, next LSN %llu", options_.dir.c_str(),
           PolicyName(options_.sync), writer_->using_uring() ? "io_uring" : "pwrite",
           static_cast<unsigned long long>(end.next_lsn));
  return Status::Ok();
}

Status Persistence::Close() {
  if (writer_ == nullptr) return Status::Ok();
  Status st = writer_->Flush();
  writer_.reset();
  return st;
}

void Persistence::set_sync(wal::SyncPolicy policy) {
  if (writer_) writer_->set_sync(policy);
}

uint64_t Persistence::Commit(std::string_view record) {
  commits_.fetch_add(1, std::memory_order_relaxed);
  logged_bytes_.fetch_add(record.size(), std::memory_order_relaxed);
  return writer_ ? writer_->Append(record) : base_lsn_;
}

uint64_t Persistence::LastLsn() const {
  return writer_ ? writer_->stats().appended_lsn : base_lsn_;
}

uint64_t Persistence::released_lsn() const {
  if (writer_ == nullptr) return 0;
  if (writer_->sync() == wal::SyncPolicy::kAlways) return writer_->durable_lsn();
  return writer_->failed() ? UINT64_MAX : writer_->written_lsn();
}

Status Persistence::Flush() { return writer_ ? writer_->Flush() : Status::Ok(); }

Status Persistence::TrimThrough(uint64_t lsn) {
  if (!writer_) return Status::Ok();
  Result<uint64_t> n = writer_->TrimThrough(lsn);
  if (!n.ok()) return n.status();
  if (*n > 0) {
    LOG_INFO("Write-ahead log trimmed through LSN %llu: %llu segment(s) deleted",
             static_cast<unsigned long long>(lsn), static_cast<unsigned long long>(*n));
  }
  return Status::Ok();
}

std::string Persistence::Info() const {
  InfoLines out;
  out.Field("aof_enabled", enabled() ? "1" : "0");
  Status err = error();
  out.Field("aof_last_write_status", err.ok() ? "ok" : "err");
  if (!enabled()) return out.Take();
  wal::WriterStats s = writer_->stats();
  out.Field("aof_current_size", s.log_bytes);
  out.Field("wal_appendfsync", PolicyName(writer_->sync()));
  out.Field("wal_io", s.uring ? "io_uring" : "pwrite");
  out.Field("wal_current_lsn", s.appended_lsn);
  out.Field("wal_written_lsn", s.written_lsn);
  out.Field("wal_durable_lsn", s.durable_lsn);
  out.Field("wal_bytes", s.log_bytes);
  out.Field("wal_segments", s.segments);
  out.Field("wal_fsyncs", s.fsyncs);
  out.Field("wal_last_fsync_us", static_cast<uint64_t>(s.last_fsync_us));
  out.Field("wal_recovered_records", recovery_.records);
  out.Field("wal_recovered_dropped_bytes", recovery_.dropped_bytes);
  out.Field("wal_recovery_time_ms", static_cast<uint64_t>(recovery_.duration_us / 1000));
  return out.Take();
}

}  // namespace strata::server
