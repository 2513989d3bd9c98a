// Snapshots: when to take one, taking it, keeping the last few, and loading one at start-up.
//
// A snapshot is an engine::Capture (a point-in-time image taken while commands run, no fork)
// written through snapshot::FileWriter. Triggers: Redis's `save` points (after N seconds if at
// least M changes), snapshot-wal-bytes of log since the last one, BGSAVE, SAVE and a clean
// shutdown. Once a snapshot is durable, the WAL is trimmed through the LSN of the oldest one
// kept (snapshot-keep), so that falling back to an older snapshot still finds its log.
//
// At start-up Load() reads the newest snapshot that can be read, shards in parallel, and says
// which LSN each shard is at; Persistence::Recover then replays the log past it.
//
// Thread safety: Load() runs before the workers start. Save(), RequestBackground(), the
// getters and Info() are safe from any thread; one snapshot is taken at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/keyspace.h"
#include "server/persistence.h"

namespace strata::server {

struct SnapshotOptions {
  std::string dir = "snapshots";  // snapshot-dirname, relative to `dir`
  int keep = 2;                   // snapshot-keep
  bool ignore_unreadable = false;  // snapshot-ignore-unreadable
  int zstd_level = 1;
};

// What Load() found: the LSN each shard's state includes (empty: nothing loaded).
struct LoadedSnapshot {
  std::vector<uint64_t> shard_lsns;
  uint64_t min_lsn = 0;
  uint64_t keys = 0;
  std::string path;
};

// Parses the `save` setting: "<seconds> <changes> ..." pairs. Empty or "" = no points.
bool ParseSavePoints(std::string_view text, std::vector<std::pair<int64_t, int64_t>>* out);

class Snapshots {
 public:
  Snapshots(SnapshotOptions options, engine::Keyspace& ks, Persistence& persistence);
  ~Snapshots();

  // Loads the newest readable snapshot into the (empty) keyspace, falling back to older ones
  // and saying why. Refuses (error) when snapshots exist but none can be read, unless
  // ignore_unreadable.
  Status Load(LoadedSnapshot* loaded);

  // Starts the thread that checks the triggers (`save`, snapshot-wal-bytes; read from the
  // getters given, as CONFIG SET may change them) and serves BGSAVE.
  void StartBackground(std::function<std::string()> save_points,
                       std::function<uint64_t()> wal_bytes);
  void StopBackground();

  // Takes a snapshot now, on the calling thread. Error if one is under way or it fails.
  Status Save(const char* reason);
  // BGSAVE: false when one is under way already; with `schedule` (BGSAVE SCHEDULE) another
  // then runs after it.
  bool RequestBackground(bool schedule = false);

  // CONFIG SET snapshot-keep: applies from the next snapshot.
  void set_keep(int keep) { keep_.store(keep); }

  // A snapshot is being written, or a BGSAVE was accepted and the background thread has not
  // started it yet (as in Redis, where BGSAVE forks before it replies).
  bool in_progress() const;
  // Whether the last snapshot attempt succeeded (true before any).
  bool last_ok() const { return last_ok_.load(); }
  // Unix seconds of the last successful snapshot (or of start-up, as Redis's LASTSAVE).
  int64_t last_save_time() const { return last_save_s_.load(); }
  // Write commands since the moment of the last successful snapshot.
  uint64_t changes_since_last() const;
  // "name:value\r\n" lines for INFO persistence.
  std::string Info() const;
  // The figures of Info() that /metrics exports.
  struct Stats {
    bool in_progress = false, last_ok = true;
    int64_t last_save_s = 0, last_duration_ms = -1;
    uint64_t saves = 0, last_bytes = 0, last_keys = 0, changes_since_last = 0;
  };
  Stats stats() const;

 private:
  Status SaveLocked(const char* reason);
  Status LoadFile(const std::string& path, LoadedSnapshot* loaded);
  // Deletes snapshots past `keep` and trims the log through the oldest kept one's LSN.
  void Prune();
  void BackgroundLoop(std::function<std::string()> save_points,
                      std::function<uint64_t()> wal_bytes);

  SnapshotOptions options_;
  engine::Keyspace& ks_;
  Persistence& persistence_;

  std::atomic<int> keep_;
  std::mutex save_mu_;  // one snapshot at a time
  std::atomic<bool> in_progress_{false};
  std::atomic<uint64_t> next_id_{1};

  // Figures for INFO and the triggers.
  std::atomic<int64_t> last_save_s_{0};
  std::atomic<int64_t> last_attempt_ms_{0};   // monotonic ms of the last attempt's start
  std::atomic<int64_t> current_start_ms_{0};  // wall ms, while in progress
  std::atomic<bool> last_ok_{true};
  std::atomic<int64_t> last_duration_ms_{-1};
  std::atomic<uint64_t> last_bytes_{0}, last_keys_{0}, last_lsn_{0}, saves_{0};
  std::atomic<uint64_t> changes_at_last_{0}, log_bytes_at_last_{0};
  std::atomic<int64_t> last_load_ms_{0};
  std::atomic<uint64_t> loaded_keys_{0};

  mutable std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool bg_requested_ = false;  // GUARDED_BY(bg_mu_)
  bool bg_stop_ = false;       // GUARDED_BY(bg_mu_)
  std::thread bg_;
};

}  // namespace strata::server
