#include "server/snapshots.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "base/clock.h"
#include "base/logging.h"
#include "server/info_lines.h"
#include "engine/capture.h"
#include "engine/tier.h"
#include "engine/redo.h"
#include "engine/replay.h"
#include "snapshot/file.h"
#include "snapshot/retention.h"

namespace strata::server {

namespace {

constexpr int64_t kProgressEveryMs = 2000;
constexpr int64_t kRetryAfterFailureMs = 5000;  // Redis's CONFIG_BGSAVE_RETRY_DELAY
constexpr int kBackgroundNice = 5;

void ClearKeyspace(engine::Keyspace& ks) {
  engine::ShardLocks all = ks.LockAll();
  for (int i = 0; i < ks.num_shards(); ++i) {
    for (int db = 0; db < ks.num_dbs(); ++db) ks.shard(i).Clear(db);
  }
}

int64_t MonotonicMs() { return MonotonicUs() / 1000; }

}  // namespace

bool ParseSavePoints(std::string_view text, std::vector<std::pair<int64_t, int64_t>>* out) {
  out->clear();
  std::istringstream in{std::string(text)};
  std::string a, b;
  while (in >> a) {
    if (a == "\"\"") continue;
    if (!(in >> b)) return false;
    char* end = nullptr;
    const long long secs = std::strtoll(a.c_str(), &end, 10);
    if (*end != '\0' || secs < 0) return false;
    const long long changes = std::strtoll(b.c_str(), &end, 10);
    if (*end != '\0' || changes < 0) return false;
    out->emplace_back(secs, changes);
  }
  return true;
}

Snapshots::Snapshots(SnapshotOptions options, engine::Keyspace& ks, Persistence& persistence)
    : options_(std::move(options)), ks_(ks), persistence_(persistence), keep_(options_.keep) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(options_.dir, ec);
  if (!ec) options_.dir = abs.lexically_normal().string();
  last_save_s_ = NowMs() / 1000;
  last_attempt_ms_ = MonotonicMs();
}

Snapshots::~Snapshots() { StopBackground(); }

Status Snapshots::Load(LoadedSnapshot* loaded) {
  *loaded = LoadedSnapshot();
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) {
    return Status::IOError("Can't create the snapshot directory " + options_.dir + ": " +
                           ec.message());
  }
  snapshot::RemoveTemporaries(options_.dir);
  const std::vector<snapshot::SnapshotFile> files = snapshot::ListSnapshots(options_.dir);
  if (files.empty()) return Status::Ok();
  next_id_ = files.front().id + 1;
  const snapshot::Choice choice =
      snapshot::ChooseNewestReadable(files, [&](const snapshot::SnapshotFile& f) {
        Status st = LoadFile(f.path, loaded);
        if (!st.ok()) {
          LOG_WARN("Snapshot %s cannot be used: %s", f.path.c_str(), st.message().c_str());
          *loaded = LoadedSnapshot();
          ClearKeyspace(ks_);
        }
        return st;
      });
  if (choice.chosen.has_value()) {
    if (*choice.chosen != 0) {
      LOG_WARN("Recovered from the older snapshot %s; the write-ahead log replays from LSN %llu",
               files[*choice.chosen].path.c_str(),
               static_cast<unsigned long long>(loaded->min_lsn + 1));
    }
    return Status::Ok();
  }
  const std::string newest_error = choice.passed_over.front().second.message();
  if (options_.ignore_unreadable) {
    LOG_WARN("No snapshot in %s can be read; starting from the write-ahead log alone "
             "(snapshot-ignore-unreadable yes)", options_.dir.c_str());
    return Status::Ok();
  }
  return Status::Corruption(
      "None of the " + std::to_string(files.size()) + " snapshot(s) in " + options_.dir +
      " can be read (newest: " + newest_error +
      "). Refusing to start with a data set that may be incomplete: restore a good snapshot, "
      "or start with `--snapshot-ignore-unreadable yes` to recover from the write-ahead log "
      "alone (complete only if the log was never trimmed).");
}

Status Snapshots::LoadFile(const std::string& path, LoadedSnapshot* loaded) {
  const int64_t start_us = MonotonicUs();
  ASSIGN_OR_RETURN(std::unique_ptr<snapshot::FileReader> reader, snapshot::FileReader::Open(path));
  const snapshot::FileMeta& meta = reader->meta();
  const uint64_t total = meta.entries();
  LOG_INFO("Loading snapshot %s: %llu keys, %u shard(s)", path.c_str(),
           static_cast<unsigned long long>(total), meta.shards);

  // Shards in parallel: each thread takes the next shard not yet loaded. With the same shard
  // count as the file, each thread's keys fall in one shard of ours, so the threads do not
  // contend.
  std::atomic<uint32_t> next_shard{0};
  std::atomic<uint64_t> keys{0};
  std::atomic<int> running{0};
  std::mutex err_mu;
  Status error;
  auto work = [&] {
    for (uint32_t s; (s = next_shard.fetch_add(1)) < meta.shards;) {
      Status st = reader->ReadShard(s, [&](std::string_view raw, uint32_t entries) -> Status {
        Status applied = engine::ApplyRedo(ks_, raw);
        if (!applied.ok()) {
          return Status::Corruption("a block of shard " + std::to_string(s) +
                                    " cannot be loaded: " + applied.message());
        }
        keys.fetch_add(entries, std::memory_order_relaxed);
        return Status::Ok();
      });
      if (!st.ok()) {
        std::lock_guard<std::mutex> l(err_mu);
        if (error.ok()) error = st;
        next_shard.store(meta.shards);  // the others stop after their shard
      }
    }
    running.fetch_sub(1);
  };
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const int n = static_cast<int>(std::clamp<unsigned>(hw, 1, std::min<uint32_t>(meta.shards, 8)));
  running = n;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(work);
  int64_t last_report = MonotonicMs();
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const int64_t now = MonotonicMs();
    if (now - last_report >= kProgressEveryMs && total > 0) {
      last_report = now;
      const uint64_t k = keys.load();
      const double secs = (MonotonicUs() - start_us) / 1e6;
      LOG_INFO("Loading snapshot: %llu keys (%.1f%%), %.0f keys/s",
               static_cast<unsigned long long>(k), 100.0 * k / total, secs > 0 ? k / secs : 0.0);
    }
  }
  for (std::thread& t : threads) t.join();
  if (!error.ok()) return error;

  loaded->path = path;
  loaded->keys = keys.load();
  loaded->shard_lsns.clear();
  loaded->min_lsn = UINT64_MAX;
  for (const snapshot::ShardInfo& si : meta.shard_info) {
    loaded->shard_lsns.push_back(si.lsn);
    loaded->min_lsn = std::min(loaded->min_lsn, si.lsn);
  }
  if (loaded->shard_lsns.empty()) loaded->min_lsn = 0;
  const int64_t us = MonotonicUs() - start_us;
  last_load_ms_ = us / 1000;
  loaded_keys_ = loaded->keys;
  last_lsn_ = loaded->min_lsn;
  last_save_s_ = static_cast<int64_t>(meta.created_ms / 1000);
  LOG_INFO("DB loaded from snapshot %s: %llu keys in %.3f seconds (%.0f keys/s), LSN %llu",
           path.c_str(), static_cast<unsigned long long>(loaded->keys), us / 1e6,
           us > 0 ? loaded->keys * 1e6 / us : 0.0,
           static_cast<unsigned long long>(loaded->min_lsn));
  return Status::Ok();
}

Status Snapshots::Save(const char* reason) {
  std::unique_lock<std::mutex> lock(save_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::InvalidArgument("Background save already in progress");
  return SaveLocked(reason);
}

Status Snapshots::SaveLocked(const char* reason) {
  in_progress_ = true;
  current_start_ms_ = NowMs();
  last_attempt_ms_ = MonotonicMs();
  const int64_t start_us = MonotonicUs();
  const uint64_t id = next_id_.fetch_add(1);
  const std::string path = options_.dir + "/" + snapshot::SnapshotFileName(id);
  uint64_t lsn = 0, keys = 0, bytes = 0, changes_at = 0, log_bytes_at = 0, tier_generation = 0;
  Status st = [&]() -> Status {
    std::error_code ec;
    std::filesystem::create_directories(options_.dir, ec);
    ASSIGN_OR_RETURN(std::unique_ptr<snapshot::FileWriter> writer,
                     snapshot::FileWriter::Create(
                         path, static_cast<uint32_t>(ks_.num_shards()),
                         static_cast<uint32_t>(ks_.num_dbs()), id, NowMs(), options_.zstd_level));
    std::unique_ptr<engine::Capture> capture = engine::Capture::Begin(ks_);
    if (capture == nullptr) return Status::InvalidArgument("Background save already in progress");
    changes_at = persistence_.commits();
    log_bytes_at = persistence_.logged_bytes();
    lsn = capture->lsn();
    RETURN_IF_ERROR(
        capture->Run([&](uint32_t shard, std::string_view batch, uint32_t entries) -> Status {
          return writer->AddBlock(shard, batch, entries);
        }));
    // The log must hold every record up to the snapshot's LSN before the snapshot counts: a
    // restart then continues the log past it.
    RETURN_IF_ERROR(persistence_.Flush());
    // Likewise the tier must hold every value the snapshot's stubs name.
    if (ks_.tier() != nullptr) RETURN_IF_ERROR(ks_.tier()->Sync());
    tier_generation = capture->tier_generation();
    RETURN_IF_ERROR(writer->Finish(std::vector<uint64_t>(ks_.num_shards(), lsn)));
    keys = writer->meta().entries();
    bytes = writer->bytes_written();
    return Status::Ok();
  }();
  const int64_t us = MonotonicUs() - start_us;
  last_duration_ms_ = us / 1000;
  last_ok_ = st.ok();
  if (st.ok()) {
    last_save_s_ = current_start_ms_.load() / 1000;
    last_keys_ = keys;
    last_bytes_ = bytes;
    last_lsn_ = lsn;
    changes_at_last_ = changes_at;
    log_bytes_at_last_ = log_bytes_at;
    saves_.fetch_add(1);
    if (ks_.tier() != nullptr) ks_.tier()->Released(tier_generation);
    LOG_INFO("Snapshot %s written (%s): %llu keys, %llu bytes, %.3f seconds, LSN %llu",
             path.c_str(), reason, static_cast<unsigned long long>(keys),
             static_cast<unsigned long long>(bytes), us / 1e6,
             static_cast<unsigned long long>(lsn));
    Prune();
  } else {
    LOG_WARN("Snapshot %s (%s) failed: %s", path.c_str(), reason, st.message().c_str());
  }
  in_progress_ = false;
  return st;
}

void Snapshots::Prune() {
  const std::vector<snapshot::SnapshotFile> kept = snapshot::Prune(options_.dir, keep_.load());
  // The log must reach back to the oldest snapshot kept, in case the newer ones turn out bad.
  const uint64_t through = snapshot::OldestLsnKept(kept);
  if (through == UINT64_MAX || through == 0) return;
  Status st = persistence_.TrimThrough(through);
  if (!st.ok()) LOG_WARN("Trimming the write-ahead log: %s", st.message().c_str());
}

bool Snapshots::RequestBackground(bool schedule) {
  {
    std::lock_guard<std::mutex> l(bg_mu_);
    if (in_progress_.load() || bg_requested_) {
      if (schedule) bg_requested_ = true;
      return false;
    }
    bg_requested_ = true;
  }
  bg_cv_.notify_all();
  return true;
}

uint64_t Snapshots::changes_since_last() const {
  return persistence_.commits() - changes_at_last_.load();
}

void Snapshots::StartBackground(std::function<std::string()> save_points,
                                std::function<uint64_t()> wal_bytes) {
  bg_ = std::thread([this, save_points = std::move(save_points),
                     wal_bytes = std::move(wal_bytes)] { BackgroundLoop(save_points, wal_bytes); });
}

void Snapshots::StopBackground() {
  {
    std::lock_guard<std::mutex> l(bg_mu_);
    bg_stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_.joinable()) bg_.join();
}

void Snapshots::BackgroundLoop(std::function<std::string()> save_points,
                               std::function<uint64_t()> wal_bytes) {
  // Background snapshots yield the CPU to the workers: with few cores, a snapshot thread at the
  // workers' priority (walking and compressing flat out) is what would raise their latency.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kBackgroundNice);
  std::vector<std::pair<int64_t, int64_t>> points;
  for (;;) {
    const char* reason = nullptr;
    {
      std::unique_lock<std::mutex> l(bg_mu_);
      bg_cv_.wait_for(l, std::chrono::milliseconds(100),
                      [this] { return bg_stop_ || bg_requested_; });
      if (bg_stop_) return;
      if (bg_requested_) {
        // In progress from here on (in_progress() never reads false in between).
        in_progress_ = true;
        bg_requested_ = false;
        reason = "BGSAVE";
      }
    }
    if (reason == nullptr) {
      const int64_t now_ms = MonotonicMs();
      const bool may_retry = last_ok_ || now_ms - last_attempt_ms_ >= kRetryAfterFailureMs;
      const uint64_t changes = changes_since_last();
      const uint64_t log_limit = wal_bytes();
      if (may_retry && log_limit > 0 &&
          persistence_.logged_bytes() - log_bytes_at_last_.load() >= log_limit) {
        reason = "snapshot-wal-bytes";
      } else if (may_retry && changes > 0 && ParseSavePoints(save_points(), &points)) {
        const int64_t since_s = NowMs() / 1000 - last_save_s_.load();
        for (const auto& [secs, min_changes] : points) {
          if (since_s >= secs && changes >= static_cast<uint64_t>(min_changes)) {
            reason = "save point";
            break;
          }
        }
      }
    }
    if (reason != nullptr) {
      // A SAVE under way holds save_mu_: wait for it, then take this one (BGSAVE SCHEDULE).
      std::lock_guard<std::mutex> lock(save_mu_);
      SaveLocked(reason).PermitUnchecked();
    }
  }
}

bool Snapshots::in_progress() const {
  if (in_progress_.load()) return true;
  std::lock_guard<std::mutex> l(bg_mu_);
  return bg_requested_;
}

Snapshots::Stats Snapshots::stats() const {
  Stats s;
  s.in_progress = in_progress();
  s.last_ok = last_ok_.load();
  s.last_save_s = last_save_s_.load();
  s.last_duration_ms = last_duration_ms_.load();
  s.saves = saves_.load();
  s.last_bytes = last_bytes_.load();
  s.last_keys = last_keys_.load();
  s.changes_since_last = changes_since_last();
  return s;
}

std::string Snapshots::Info() const {
  InfoLines out;
  const bool running = in_progress();
  out.Field("rdb_changes_since_last_save", static_cast<int64_t>(changes_since_last()));
  out.Field("rdb_bgsave_in_progress", running ? 1 : 0);
  out.Field("rdb_last_save_time", last_save_s_.load());
  out.Field("rdb_last_bgsave_status", last_ok_.load() ? "ok" : "err");
  const int64_t last_ms = last_duration_ms_.load();
  out.Field("rdb_last_bgsave_time_sec", last_ms < 0 ? -1 : last_ms / 1000);
  out.Field("rdb_current_bgsave_time_sec", running ? (NowMs() - current_start_ms_.load()) / 1000 : -1);
  out.Field("rdb_saves", static_cast<int64_t>(saves_.load()));
  out.Field("rdb_last_cow_size", 0);  // no fork, no copy-on-write
  out.Field("rdb_last_load_keys_expired", 0);
  out.Field("rdb_last_load_keys_loaded", static_cast<int64_t>(loaded_keys_.load()));
  out.Field("snapshot_dir", options_.dir);
  out.Field("snapshot_last_time_ms", last_ms);
  out.Field("snapshot_last_keys", static_cast<int64_t>(last_keys_.load()));
  out.Field("snapshot_last_bytes", static_cast<int64_t>(last_bytes_.load()));
  out.Field("snapshot_last_lsn", static_cast<int64_t>(last_lsn_.load()));
  out.Field("snapshot_wal_bytes_since_last",
      static_cast<int64_t>(persistence_.logged_bytes() - log_bytes_at_last_.load()));
  out.Field("snapshot_last_load_time_ms", last_load_ms_.load());
  return out.Take();
}

}  // namespace strata::server
