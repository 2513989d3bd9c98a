// Persistence: the write-ahead log behind the keyspace.
//
// At start, Recover() replays the log into the keyspace, then opens the WAL writer at the log's
// end and becomes the keyspace's RedoSink, so every later command's effects are logged (see
// engine/redo.h). The workers hold each connection's replies until released_lsn() reaches what
// they depend on: under `appendfsync always` until it is durable, else until it is written to
// the operating system, which the workers themselves do before they send (WriteAppended), so a
// process crash loses nothing acknowledged. The writer reports each advance through the
// callback given to Recover(), which wakes workers waiting for it.
//
// Thread safety: Recover() and Close() run on the main thread before the workers start and after
// they stop; Commit(), the LSN getters, Info() and set_sync() are safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/keyspace.h"
#include "engine/redo.h"
#include "wal/reader.h"
#include "wal/writer.h"

namespace strata::server {

struct PersistenceOptions {
  bool enabled = true;                                // appendonly
  std::string dir = "appendonlydir";                  // appenddirname, relative to `dir`
  wal::SyncPolicy sync = wal::SyncPolicy::kEverySec;  // appendfsync
  wal::IoMode io = wal::IoMode::kAuto;                // wal-io-backend
  uint64_t segment_bytes = 64ull << 20;               // wal-segment-size
  // Start even if the log does not reach back to the snapshot loaded (snapshot-ignore-unreadable).
  bool allow_log_gap = false;
  // aof-load-truncated: a torn tail is cut and start-up goes on (yes), or start-up stops with
  // the log untouched (no).
  bool load_truncated = true;
};

// What the last recovery found, for INFO.
struct RecoveryStats {
  uint64_t records = 0;
  uint64_t dropped_bytes = 0;
  int64_t duration_us = 0;
};

class Persistence final : public engine::RedoSink {
 public:
  explicit Persistence(PersistenceOptions options);
  ~Persistence() override;

  // Replays the log into ks past what a loaded snapshot holds (`shard_lsns`: the LSN each
  // shard's state includes, empty when no snapshot was loaded; min_lsn: their minimum), opens
  // the writer and installs this object as ks's redo sink. on_progress is called with each new
  // written or durable LSN (released_lsn() may have moved). With appendonly no, a log left by an earlier run is still
  // replayed (acknowledged writes are never dropped) but nothing is written; the sink then only
  // counts changes. An error means the server must not start; its message says what is wrong
  // and what to run.
  Status Recover(engine::Keyspace& ks, const std::vector<uint64_t>& shard_lsns, uint64_t min_lsn,
                 std::function<void(uint64_t)> on_progress);
  // Writes and syncs everything logged so far (clean shutdown), then stops the writer.
  Status Close();

  bool enabled() const { return writer_ != nullptr; }
  // Whether replies wait for the log (while it is on, under every policy).
  bool hold_replies() const { return enabled(); }
  // appendfsync always.
  bool always() const { return enabled() && writer_->sync() == wal::SyncPolicy::kAlways; }
  uint64_t durable_lsn() const { return writer_ ? writer_->durable_lsn() : 0; }
  // How far held replies may go: the durable LSN under always, the written one otherwise. After
  // a write error under everysec or no, everything: as Redis, the replies go and writes are
  // refused (MISCONF) until the log works again.
  uint64_t released_lsn() const;
  // Under everysec and no: has every record through lsn written to the log's file, by this
  // thread if no other did (wal::Writer::WriteAppended). Nothing under always or with the log off.
  void WriteAppended(uint64_t lsn) {
    if (writer_ != nullptr) writer_->WriteAppended(lsn);
  }
  // CONFIG SET appendfsync.
  void set_sync(wal::SyncPolicy policy);
  // A write error the log met, or OK: writes are refused while it persists (-MISCONF).
  Status error() const { return writer_ ? writer_->error() : Status::Ok(); }

  // engine::RedoSink: appends the record to the log. Called with shard locks held.
  uint64_t Commit(std::string_view record) override;
  uint64_t LastLsn() const override;
  // Write commands committed since start, and the bytes of their records (snapshot triggers).
  uint64_t commits() const { return commits_.load(std::memory_order_relaxed); }
  uint64_t logged_bytes() const { return logged_bytes_.load(std::memory_order_relaxed); }
  // Makes every record committed so far durable (a snapshot's LSN must be in the log before
  // the snapshot counts). OK when the log is off.
  Status Flush();
  // Deletes log segments holding only records at or below lsn. OK when the log is off.
  Status TrimThrough(uint64_t lsn);

  // "name:value" lines for INFO persistence.
  std::string Info() const;
  // The WAL writer, for its statistics (/metrics); null while the log is off.
  const wal::Writer* writer() const { return writer_.get(); }

 private:
  PersistenceOptions options_;
  std::unique_ptr<wal::Writer> writer_;
  RecoveryStats recovery_;
  uint64_t base_lsn_ = 0;  // with the log off: the LSN the state is at (the old log's end)
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> logged_bytes_{0};
};

// Parses appendfsync's and wal-io-backend's values.
wal::SyncPolicy ParseSyncPolicy(std::string_view name);
wal::IoMode ParseWalIo(std::string_view name);

}  // namespace strata::server
