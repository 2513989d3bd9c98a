// Server: owns the keyspace, the configuration, the command table, the client registry, the
// worker threads and the housekeeping (cron) thread, and runs a command for a client: it is the
// Service the network layer's workers hand parsed commands to (server/net/service.h).
//
// Its members are spread by subject: server.cc (lifetime, start-up, configuration), dispatch.cc
// (Execute and the checks before a handler, the Service interface), cron.cc (housekeeping),
// tiering.cc (the thin layer over engine::Tiering).
//
// Lifetime: main() builds one Server, calls Start(), then Wait() until a shutdown is requested
// (SIGTERM, SIGINT, SHUTDOWN). Every accessor is safe from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/status.h"
#include "engine/keyspace.h"
#include "engine/tier.h"
#include "engine/tiering.h"
#include "server/acl.h"
#include "server/blocking.h"
#include "server/client_pause.h"
#include "server/net/client.h"
#include "server/commands/command.h"
#include "server/config.h"
#include "server/daemon.h"
#include "server/net/service.h"
#include "server/net/stats.h"
#include "server/persistence.h"
#include "server/notify.h"
#include "server/pubsub.h"
#include "server/command_stats.h"
#include "server/latency.h"
#include "server/memory_stats.h"
#include "server/metrics_http.h"
#include "server/monitor.h"
#include "server/slowlog.h"
#include "server/scripting.h"
#include "server/snapshots.h"
#include "server/supervision.h"
#include "server/tracking.h"
#include "server/net/reply_builder.h"
#include "server/watches.h"

namespace strata::server {

class Worker;

class Server final : public Service {
 public:
  explicit Server(std::unique_ptr<Config> config);
  ~Server() override;

  // How to report start-up and shutdown to a service manager (main() resolves `supervised`).
  // Before Start().
  void set_supervision(Supervision supervision) { supervision_ = supervision; }
  // The process title to keep as proc-title-template says (set-proc-title yes). Before Start().
  void set_proc_title(std::unique_ptr<ProcTitle> title) { proc_title_ = std::move(title); }

  // Binds the listening sockets (TCP, and the unix socket when set), recovers the data and
  // starts the workers and the cron thread; the listeners accept once it returns.
  Status Start();
  // Blocks until a shutdown is requested, then stops the workers and returns.
  void Wait();
  // How a shutdown treats snapshots: as configured (when snapshots are on, one is taken so that
  // a restart replays nothing), SHUTDOWN SAVE, SHUTDOWN NOSAVE.
  enum class ShutdownSave { kDefault, kSave, kNoSave };
  // Asks the server to stop, from any thread.
  void RequestShutdown(ShutdownSave save = ShutdownSave::kDefault);
  // Async-signal-safe variant: only sets the flag, which Wait() polls.
  void RequestShutdownFromSignal() { shutdown_.store(true); }
  bool shutting_down() const override { return shutdown_.load(std::memory_order_relaxed); }

  // Runs one command line for a client, replying through `reply`. `redo`: the calling worker's
  // record for the command's effects (see engine/redo.h), used when the WAL is on.
  void Execute(ClientState& client, std::span<const std::string_view> args, ReplyBuilder& reply,
               engine::RedoRecord* redo);
  // A command waiting in a client's input behind one that waits for the tier: starts reading
  // the values it will need from the tier now (they are promoted; nothing waits for them).
  void Prefetch(ClientState& client, std::span<const std::string_view> args) override;
  // Applies settings CONFIG SET may have changed that live outside Config (appendfsync,
  // requirepass on the default user, oom-score-adj, the process title).
  void ApplyConfig();
  // rename-command, the config file's `user` lines and the aclfile, once at start-up.
  Status ApplyStartupDirectives();
  // AUTH and HELLO AUTH: makes `client` run as `user` if `password` opens it (and the user is
  // on); else records the failure in the ACL log and returns false.
  bool Authenticate(ClientState& client, std::string_view user, std::string_view password);
  // The ACL check of a command line a script runs (redis.call) for `client`: Redis's text for
  // a denial inside a script, or "" when its user may run it. A denial goes to the ACL log with
  // context "lua".
  std::string_view ScriptAclDenial(ClientState& client, const CommandSpec& named,
                                   std::span<const std::string_view> args);
  // Protected mode: whether a connection from the peer of `fd` must be refused (protected-mode
  // on, the default user nopass, the peer neither 127.0.0.1 nor ::1 nor a unix socket).
  bool RefusedByProtectedMode(int fd) const;
  // The error a connection refused by protected mode receives before it is closed (Redis
  // 7.0's text, CRLF included).
  static std::string_view ProtectedModeMessage();

  // Service (server/net/service.h), in dispatch.cc.
  std::unique_ptr<WorkerContext> NewWorkerContext() override;
  ConnectionLimits limits() const override;
  OutputBufferLimit OutputLimit(bool pubsub) const override;
  std::string_view Refusal(int fd) override;
  void OnConnect(ClientState& client) override;
  void OnDisconnect(ClientState& client) override;
  void BeginInput(WorkerContext& ctx) override;
  void EndInput(WorkerContext& ctx) override;
  void Execute(WorkerContext& ctx, ClientState& client, std::span<const std::string_view> args,
               ReplyBuilder& reply) override;
  bool TimeOut(ClientState& client, ReplyBuilder& reply) override;
  uint64_t ReplyHold(WorkerContext& ctx) override;
  uint64_t released_lsn() const override;
  void WriteLog(uint64_t lsn) override;

  Config& config() { return *config_; }
  engine::Keyspace& keyspace() { return *keyspace_; }
  const CommandTable& commands() const { return commands_; }
  Acl& acl() { return acl_; }
  ClientRegistry& clients() override { return clients_; }
  PubSub& pubsub() { return pubsub_; }
  Notifier& notifier() { return notifier_; }
  SlowLog& slowlog() { return slowlog_; }
  Monitors& monitors() { return monitors_; }
  LatencyMonitor& latency() { return latency_; }
  CommandStats& command_stats() { return command_stats_; }
  Blocking& blocking() { return blocking_; }
  Watches& watches() { return watches_; }
  Tracking& tracking() { return tracking_; }
  ClientPause& client_pause() { return client_pause_; }
  Scripting& scripting() { return scripting_; }
  // From inside a long command (a busy script) on a worker's thread: one turn of that worker's
  // loop, so its other clients are answered meanwhile (server/net/worker.h).
  void ServeWhileBusy();
  // After a change of the function libraries, with every shard locked: records the whole set
  // in `redo` (the log) and in the keyspace (the snapshots).
  void LogFunctions(engine::RedoRecord& redo);
  Persistence& persistence() { return *persistence_; }
  Snapshots& snapshots() { return *snapshots_; }
  // The overflow tier, or null when tier-dir is not set.
  engine::Tier* tier() { return tier_.get(); }
  ServerStats& stats() override { return stats_; }
  int64_t start_time_ms() const { return start_time_ms_; }
  int num_workers() const { return static_cast<int>(workers_.size()); }
  // The TCP port listened on (0: none, only the unix socket).
  int port() const { return port_; }
  // "io_uring" or "epoll": what the workers' loops run on.
  const char* io_backend_name() const { return io_backend_name_; }
  const std::string& run_id() const { return run_id_str_; }
  // Commands per second over the last ~1.6 s, sampled by the cron thread.
  int64_t ops_per_sec() const { return ops_per_sec_.load(std::memory_order_relaxed); }
  // used_memory_peak: the largest used memory (AllocatedBytes()) seen by the cron, ten times a
  // a second, or given here; returns it once `used` is counted.
  uint64_t NoteMemoryPeak(uint64_t used);
  // used_memory_startup: used memory once start-up had loaded nothing yet.
  uint64_t startup_memory() const { return startup_memory_; }

 private:
  // Runs spec's handler; an exception it throws becomes an error reply (dispatch.cc).
  void RunHandler(const CommandSpec& spec, const CommandSpec& named, CommandContext& ctx);
  // Records the command that just ran for `took_us` in the SLOWLOG.
  void LogSlow(const CommandSpec& named, CommandContext& ctx, int64_t took_us);
  // Serves the clients blocked on keys this thread's commands made ready (server/blocking.cc).
  void ServeBlocked(engine::RedoRecord* redo);

  void CronLoop();
  // ---- The overflow tier (server/tiering.cc, over engine::Tiering) ----
  // Opens the overflow tier when tier-dir is set (before recovery, which may read it).
  Status OpenTier();
  // If the command (EXEC: its queued commands) needs values of its keys that are in the tier,
  // reads them off the event loop: the client waits as a blocked client does, and the worker
  // runs the command again once they are back in RAM. Returns whether the client now waits.
  bool AwaitColdValues(ClientState& client, const CommandSpec& spec,
                       std::span<const std::string_view> args, int64_t now_ms);
  // Appends the stubs among the keys the command (EXEC: its queued commands) needs values of.
  void CollectColdKeys(ClientState& client, const CommandSpec& spec,
                       std::span<const std::string_view> args, int64_t now_ms,
                       std::vector<engine::Tiering::ColdRef>* refs);
  // With a tier and maxmemory: demotes shard i's coldest values while it is over its share of
  // maxmemory (and, when the tier is full, evicts as the policy allows, logging in `redo`).
  void DemoteShard(uint32_t i, engine::RedoRecord* redo);
  // Sets the shards' budget for the dataset (engine::Tiering::SetBudget) from maxmemory, what
  // else is allocated, and tier-max-bytes; the cron calls it each tick.
  void UpdateTierBudget();
  // DemoteShard for every shard whose published size is over its share.
  void DemoteOverBudget(engine::RedoRecord* redo);
  // Opens the TCP listeners of bind/port and the unix socket of unixsocket (server.cc).
  Status OpenAllListeners(std::vector<int>* fds);
  // Removes the unix socket's file, once nothing listens on it.
  void RemoveUnixSocket();
  // Sets the process title from proc-title-template, when set-proc-title is on.
  // REQUIRES: process_settings_mu_ held.
  void UpdateProcTitle();
  // Whether snapshots are configured (`save` points or snapshot-wal-bytes).
  bool SnapshotsOn() const;
  // The WAL writer's report that the written or durable LSN advanced: wakes workers waiting
  // with held replies.
  void OnLogProgress();
  // Replies `error` for a command refused before it ran, as Redis's rejectCommand: inside MULTI
  // the transaction is flagged; a refused EXEC discards it and answers EXECABORT.
  // Why a command may not run now: the log cannot be written, min-replicas-to-write, or
  // stop-writes-on-bgsave-error after a failed snapshot (Redis's error text); "" if it may.
  std::string WriteRefusal(const CommandSpec& spec) const;
  // Replies `error` to a command refused before it ran, counting it in spec's rejected_calls
  // (unless !count_rejected) and in errorstats; for EXEC, EXECABORT and the end of MULTI.
  void Reject(ClientState& client, const CommandSpec& spec, ReplyBuilder& reply,
              std::string_view error, bool count_rejected = true);
  // Redis's maxmemory step of processCommand: with maxmemory set and the dataset over it, evicts
  // by the policy (engine::EvictToLimit); if still over, refuses with Redis's OOM error a
  // denyoom command, an EXEC whose transaction holds one, and any command queued in MULTI.
  // Returns false when it replied the refusal. `redo` commits the evictions.
  bool EvictOrRefuse(ClientState& client, const CommandSpec& spec, ReplyBuilder& reply,
                     engine::RedoRecord* redo);
  // Reads client's user again after an ACL change. A deleted user is replaced by one allowed
  // nothing, and the connection closes after the reply (Redis closes it at the deletion).
  void RefreshUser(ClientState& client);
  // Records a denial in the ACL log; `context` is toplevel, multi or lua.
  void LogAclDenial(ClientState& client, AclDenial denial, std::string_view object,
                    std::string_view context);
  // The ACL check of Execute, for a client whose user is not allowed everything. Replies and
  // returns false on a denial.
  bool CheckAcl(ClientState& client, const CommandSpec& spec, const CommandSpec& named,
                std::span<const std::string_view> args, ReplyBuilder& reply);

  std::unique_ptr<Config> config_;
  std::unique_ptr<engine::Keyspace> keyspace_;
  std::unique_ptr<engine::Tier> tier_;
  std::unique_ptr<engine::Tiering> tiering_;  // over tier_; null without it
  std::unique_ptr<Persistence> persistence_;
  std::unique_ptr<Snapshots> snapshots_;
  std::atomic<ShutdownSave> shutdown_save_{ShutdownSave::kDefault};
  CommandTable commands_;
  Acl acl_{commands_};  // after commands_, which it numbers commands by
  ClientRegistry clients_;
  PubSub pubsub_;
  Notifier notifier_{&pubsub_};  // keyspace notifications, published through pubsub_
  SlowLog slowlog_;
  Monitors monitors_;
  LatencyMonitor latency_;
  CommandStats command_stats_;
  Blocking blocking_;
  Watches watches_;
  Tracking tracking_{&clients_};  // client-side caching
  ClientPause client_pause_;
  Scripting scripting_;  // EVAL's Lua interpreter and script cache
  // Every committed record goes to WATCH's bookkeeping, the blocked clients' and client-side
  // caching's.
  struct CommitListeners final : engine::ChangeListener {
    CommitListeners(Watches* w, Blocking* b, Tracking* t) : watches(w), blocking(b), tracking(t) {}
    void OnCommit(std::string_view record) override {
      watches->OnCommit(record);
      blocking->OnCommit(record);
      tracking->OnCommit(record);
    }
    Watches* watches;
    Blocking* blocking;
    Tracking* tracking;
  } commit_listeners_{&watches_, &blocking_, &tracking_};
  ServerStats stats_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::thread cron_;
  std::atomic<bool> shutdown_{false};
  std::atomic<int64_t> ops_per_sec_{0};
  std::atomic<uint64_t> memory_peak_{0};
  uint64_t startup_memory_ = 0;
  std::mutex wait_mu_;
  std::condition_variable wait_cv_;
  int64_t start_time_ms_ = 0;
  int port_ = 0;
  const char* io_backend_name_ = "none";
  std::string unix_socket_;  // the unix socket's path while it is open
  Supervision supervision_;
  std::mutex process_settings_mu_;  // held while ApplyConfig changes the two below
  std::unique_ptr<ProcTitle> proc_title_;  // null: the title is never changed
  OomScoreAdj oom_score_adj_;
  std::string run_id_str_;
  // GET /metrics on metrics-port (null when 0). Last member: destroyed first, as it reads the
  // others.
  std::unique_ptr<MetricsHttpServer> metrics_http_;
};

}  // namespace strata::server
