// Config: every server setting, by Redis's name, from the config file, the command line and
// CONFIG SET.
//
// redis-server's conventions: an optional config file as the first argument ("port 6379" per
// line, '#' comments, quoted values), then "--name value" pairs that override it. Settings are
// read through typed getters. Numbers live in atomics and strings behind a mutex, so workers may
// read any setting while CONFIG SET changes a mutable one. Thread safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "server/net/limits.h"

namespace strata::server {

enum class Param : int {
  kBind,
  kPort,
  kDir,
  kThreads,
  kShards,
  kDatabases,
  kRequirepass,
  kProtectedMode,
  kMaxclients,
  kTimeout,
  kProtoMaxBulkLen,
  kClientQueryBufferLimit,
  kClientOutputBufferLimit,
  kClientOutputBackpressure,
  kLoglevel,
  kLogfile,
  kHz,
  kIoBackend,
  kAppendonly,
  kAppendfsync,
  kAppenddirname,
  kWalSegmentSize,
  kWalIoBackend,
  kSave,
  kSnapshotDirname,
  kSnapshotWalBytes,
  kSnapshotKeep,
  kSnapshotIgnoreUnreadable,
  kMaxmemory,
  kMaxmemoryPolicy,
  kMaxmemorySamples,
  kLfuLogFactor,
  kLfuDecayTime,
  kTierDir,
  kTierMaxBytes,
  kTierBlockCache,
  kMetricsPort,
  kMetricsBind,
  kListMaxListpackSize,
  kHashMaxListpackEntries,
  kHashMaxListpackValue,
  kSetMaxIntsetEntries,
  kSetMaxListpackEntries,
  kSetMaxListpackValue,
  kZSetMaxListpackEntries,
  kZSetMaxListpackValue,
  kStreamNodeMaxBytes,
  kStreamNodeMaxEntries,
  kHllSparseMaxBytes,
  // Process and listener settings of a daemon deployment.
  kDaemonize,
  kPidfile,
  kSupervised,
  kUnixsocket,
  kUnixsocketperm,
  kTcpBacklog,
  kTcpKeepalive,
  kSetProcTitle,
  kProcTitleTemplate,
  kOomScoreAdj,
  kOomScoreAdjValues,
  // Security, persistence policies and memory.
  kAclfile,
  kAcllogMaxLen,
  kAclPubsubDefault,
  kStopWritesOnBgsaveError,
  kAofLoadTruncated,
  kLazyfreeLazyEviction,
  kLazyfreeLazyExpire,
  kLazyfreeLazyServerDel,
  kLazyfreeLazyUserDel,
  kLazyfreeLazyUserFlush,
  kListCompressDepth,
  kEnableDebugCommand,
  kMinReplicasToWrite,
  kMinReplicasMaxLag,
  // Stored for the features that will use them.
  kDbfilename,
  kNotifyKeyspaceEvents,
  kSlowlogLogSlowerThan,
  kSlowlogMaxLen,
  kLatencyMonitorThreshold,
  kLatencyTracking,
  kLatencyTrackingInfoPercentiles,
  kBusyReplyThreshold,
  kTrackingTableMaxKeys,
  // Refused unless at their defaults (not supported yet).
  kReplicaof,
  kClusterEnabled,
  kTlsPort,
  kTlsReplication,
  kTlsCluster,
  kCount,
  // A directive the code does not read by name (stored for CONFIG GET and REWRITE only).
  kNone = kCount,
};

// The client classes of client-output-buffer-limit, in Redis's order.
enum class ClientClass : int { kNormal, kReplica, kPubSub, kCount };

class Config {
 public:
  Config();

  // Loads "[config-file] [--name value ...]" as redis-server takes them. On error the Status
  // message is what to print before exiting.
  Status LoadArgs(int argc, const char* const* argv);
  // Loads the text of a config file (for LoadArgs and tests). `origin` names it in errors;
  // `include` lines are read relative to the working directory, as Redis reads them.
  Status LoadText(std::string_view text, std::string_view origin);

  // CONFIG REWRITE: rewrites the config file given at start-up so that it holds the current
  // settings, as Redis's does. Lines of known settings (and of their old names) get the
  // current value, later duplicates are dropped; comments, blank lines, `include` and
  // `rename-command` lines stay where they are; `user` lines are replaced by `users` (ACL
  // LIST's lines, unless an aclfile holds the users); settings that differ from their default
  // and had no line are appended. Written to a temporary file, fsynced and renamed.
  Status Rewrite(const std::vector<std::string>& users = {});
  // The absolute path of the config file given at start-up, or "".
  std::string file() const;

  // Sets one setting by name (or an old name Redis still accepts). At run time
  // (startup=false) immutable settings are refused. The error text is Redis's CONFIG SET
  // wording.
  Status Set(std::string_view name, std::string_view value, bool startup);
  // Every (name, value) whose name (old names included, as Redis 7.0 lists them) matches the
  // glob pattern, in table order.
  std::vector<std::pair<std::string, std::string>> Get(std::string_view pattern) const;

  int64_t Int(Param p) const {
    return ints_[index_[static_cast<int>(p)]].load(std::memory_order_relaxed);
  }
  bool Bool(Param p) const { return Int(p) != 0; }
  std::string String(Param p) const;
  OutputBufferLimit OutputLimit(ClientClass c) const {
    const auto& v = obuf_limits_[static_cast<int>(c)];
    return {v[0].load(std::memory_order_relaxed), v[1].load(std::memory_order_relaxed),
            v[2].load(std::memory_order_relaxed)};
  }

  // What loading found that the server applies itself, in file order.
  // `rename-command OLD NEW` (NEW empty: the command is removed).
  const std::vector<std::pair<std::string, std::string>>& renamed_commands() const {
    return renames_;
  }
  // `user NAME RULE...` lines, each as its words.
  const std::vector<std::vector<std::string>>& user_lines() const { return users_; }
  // One line per directive that was set to something other than its default and has no
  // effect in Strata (or not yet), saying why; logged at start-up.
  const std::vector<std::string>& notices() const { return notices_; }

 private:
  Status SetLocked(int index, std::string_view value);
  Status LoadTextAt(std::string_view text, std::string_view origin, int depth);
  // One config-file line split into words; handles the directives that are not settings.
  Status LoadDirective(std::vector<std::string>& words, int depth);
  // client-output-buffer-limit, merged class by class as CONFIG SET gives them.
  Status SetOutputLimits(std::string_view value, std::string* canonical);
  void NoteIfNoEffect(int index);

  std::unique_ptr<std::atomic<int64_t>[]> ints_;  // by table index
  std::array<int, static_cast<int>(Param::kCount)> index_{};  // Param -> table index
  std::array<std::array<std::atomic<int64_t>, 3>, static_cast<int>(ClientClass::kCount)>
      obuf_limits_{};
  mutable std::mutex mu_;
  std::vector<std::string> strings_;  // GUARDED_BY(mu_), by table index
  std::string file_;                  // GUARDED_BY(mu_)
  // Start-up only (single-threaded).
  std::vector<std::pair<std::string, std::string>> renames_;
  std::vector<std::vector<std::string>> users_;
  std::vector<std::string> notices_;
  bool save_loaded_ = false;  // the first `save` line of a load replaces the default points
};

// Parses Redis memory units: "100", "1k" (1000), "1kb" (1024), "5mb", "2gb"; case-insensitive;
// digits first (no sign), at most 2^63-1.
bool ParseMemory(std::string_view s, int64_t* out);

}  // namespace strata::server
