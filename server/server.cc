#include "server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>

#include "base/clock.h"
#include "base/hash.h"
#include "base/logging.h"
#include "base/string_util.h"
#include "engine/value.h"
#include "server/metrics.h"
#include "server/net/listeners.h"
#include "server/net/worker.h"

namespace strata::server {

namespace {

// The collections' encoding limits the config sets (*-max-listpack-*, set-max-intset-entries,
// list-compress-depth).
engine::EncodingLimits EncodingLimitsOf(const Config& config) {
  engine::EncodingLimits limits;
  limits.list_max_listpack_size = config.Int(Param::kListMaxListpackSize);
  limits.list_compress_depth = config.Int(Param::kListCompressDepth);
  limits.hash_max_listpack_entries = config.Int(Param::kHashMaxListpackEntries);
  limits.hash_max_listpack_value = config.Int(Param::kHashMaxListpackValue);
  limits.set_max_intset_entries = config.Int(Param::kSetMaxIntsetEntries);
  limits.set_max_listpack_entries = config.Int(Param::kSetMaxListpackEntries);
  limits.set_max_listpack_value = config.Int(Param::kSetMaxListpackValue);
  limits.zset_max_listpack_entries = config.Int(Param::kZSetMaxListpackEntries);
  limits.stream_node_max_bytes = config.Int(Param::kStreamNodeMaxBytes);
  limits.stream_node_max_entries = config.Int(Param::kStreamNodeMaxEntries);
  limits.zset_max_listpack_value = config.Int(Param::kZSetMaxListpackValue);
  return limits;
}

}  // namespace

Server::Server(std::unique_ptr<Config> config) : config_(std::move(config)) {
  engine::KeyspaceOptions ko;
  ko.shards = static_cast<int>(config_->Int(Param::kShards));
  ko.databases = static_cast<int>(config_->Int(Param::kDatabases));
  ko.encoding = EncodingLimitsOf(*config_);
  keyspace_ = std::make_unique<engine::Keyspace>(ko);
  PersistenceOptions po;
  po.enabled = config_->Bool(Param::kAppendonly);
  po.dir = config_->String(Param::kAppenddirname);
  po.sync = ParseSyncPolicy(config_->String(Param::kAppendfsync));
  po.io = ParseWalIo(config_->String(Param::kWalIoBackend));
  po.segment_bytes = static_cast<uint64_t>(config_->Int(Param::kWalSegmentSize));
  po.allow_log_gap = config_->Bool(Param::kSnapshotIgnoreUnreadable);
  po.load_truncated = config_->Bool(Param::kAofLoadTruncated);
  persistence_ = std::make_unique<Persistence>(std::move(po));
  SnapshotOptions so;
  so.dir = config_->String(Param::kSnapshotDirname);
  so.keep = static_cast<int>(config_->Int(Param::kSnapshotKeep));
  so.ignore_unreadable = config_->Bool(Param::kSnapshotIgnoreUnreadable);
  snapshots_ = std::make_unique<Snapshots>(std::move(so), *keyspace_, *persistence_);
  keyspace_->set_change_listener(&commit_listeners_);
  SetLatencySink(&latency_);  // the WAL's, snapshots' and tier's latency events
  command_stats_.Init(1, commands_.num_ids());  // again in Start(), with every worker
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ NowUs());
  static const char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) run_id_str_.push_back(kHex[rng() & 15]);
}

Server::~Server() {
  RequestShutdown();
  for (auto& w : workers_) w->Join();
  RemoveUnixSocket();  // a start-up that failed after binding it
  if (cron_.joinable()) cron_.join();
  snapshots_.reset();
  ClearLatencySink(&latency_);  // after the last thread that may report (the WAL's: below)
  persistence_.reset();  // the writer thread may call OnLogProgress until it stops
  // The tier's readers finish their jobs (which use the keyspace and deliver to workers)
  // before the tier and the workers go.
  if (tier_ != nullptr) tier_->StopReaders();
  tiering_.reset();
  keyspace_->set_tier(nullptr);
  tier_.reset();
  workers_.clear();
}

Status Server::Start() {
  start_time_ms_ = NowMs();
  startup_memory_ = AllocatedBytes();
  ApplyConfig();  // the encoding limits before loading builds any collection
  RETURN_IF_ERROR(ApplyStartupDirectives());
  int workers = static_cast<int>(config_->Int(Param::kThreads));
  if (workers <= 0) workers = std::max(1u, std::thread::hardware_concurrency());
  std::vector<int> listen_fds;
  RETURN_IF_ERROR(OpenAllListeners(&listen_fds));

  const std::string mode = config_->String(Param::kIoBackend);
  std::vector<std::unique_ptr<IoBackend>> backends;
  for (int i = 0; i < workers; ++i) {
    std::unique_ptr<IoBackend> b;
    if (mode != "epoll") {
      std::string why;
      b = NewUringBackend(4096, &why);
      if (!b && mode == "uring") return Status::IOError("io_uring unavailable: " + why);
      if (!b && i == 0)
        LOG_WARN("io_uring cannot be set up (%s): event loops run on epoll", why.c_str());
    }
    if (!b) b = NewEpollBackend();
    backends.push_back(std::move(b));
  }
  io_backend_name_ = backends[0]->name();
  stats_.InitWorkers(workers);
  command_stats_.Init(workers, commands_.num_ids());
  for (int i = 0; i < workers; ++i) {
    workers_.push_back(std::make_unique<Worker>(this, i, std::move(backends[i]),
                                                i == 0 ? listen_fds : std::vector<int>{}));
  }
  std::vector<Worker*> peers;
  for (auto& w : workers_) peers.push_back(w.get());
  workers_[0]->set_peers(peers);
  // Load the newest snapshot and replay the log past it before any command runs; clients that
  // connect meanwhile wait in the backlog.
  LoadedSnapshot loaded;
  Status recovered = OpenTier();
  supervision_.Status("Loading the newest snapshot");
  if (recovered.ok()) recovered = snapshots_->Load(&loaded);
  if (recovered.ok()) {
    supervision_.Status("Replaying the write-ahead log");
    recovered = persistence_->Recover(*keyspace_, loaded.shard_lsns, loaded.min_lsn,
                                      [this](uint64_t) { OnLogProgress(); });
  }
  if (recovered.ok() && !keyspace_->functions().empty()) {
    // The function libraries the snapshot and the log kept, compiled again.
    std::vector<std::string> codes;
    std::string error = Scripting::ParsePayload(keyspace_->functions(), &codes);
    if (error.empty()) error = scripting_.RestoreLibraries(codes, true, false);
    if (!error.empty()) recovered = Status::Corruption("Loading the function libraries: " + error);
  }
  if (recovered.ok() && tier_ != nullptr) {
    // Stored values no loaded snapshot names are of no use to anyone now.
    Result<uint64_t> dropped = tier_->DeleteUnreferenced();
    if (!dropped.ok()) {
      recovered = dropped.status();
    } else if (*dropped > 0) {
      LOG_INFO("Tier: deleted %llu stored values no snapshot names",
               static_cast<unsigned long long>(*dropped));
    }
  }
  if (recovered.ok() && config_->Int(Param::kMetricsPort) > 0) {
    const int port = static_cast<int>(config_->Int(Param::kMetricsPort));
    const std::string bind = config_->String(Param::kMetricsBind);
    Result<std::unique_ptr<MetricsHttpServer>> http =
        MetricsHttpServer::Start(bind, port, [this] { return PrometheusText(*this); });
    if (http.ok()) {
      metrics_http_ = std::move(*http);
      LOG_INFO("Serving Prometheus metrics on http://%s:%d/metrics", bind.c_str(), port);
    } else {
      recovered = http.status();
    }
  }
  if (!recovered.ok()) {
    for (int fd : listen_fds) ::close(fd);
    return recovered;
  }
  // Keys created by loading are nobody's news: notifications start with the first command.
  keyspace_->set_key_event_listener(&notifier_);
  for (auto& w : workers_) w->Start();
  cron_ = std::thread([this] { CronLoop(); });
  snapshots_->StartBackground([this] { return config_->String(Param::kSave); },
                              [this] { return static_cast<uint64_t>(config_->Int(Param::kSnapshotWalBytes)); });
  return Status::Ok();
}

Status Server::OpenAllListeners(std::vector<int>* fds) {
  // As Redis: port 0 means no TCP listener, and the unix socket alone must then exist.
  const int port = static_cast<int>(config_->Int(Param::kPort));
  const int backlog = static_cast<int>(config_->Int(Param::kTcpBacklog));
  const std::string unix_path = config_->String(Param::kUnixsocket);
  if (port == 0 && unix_path.empty()) {
    return Status::InvalidArgument("Configured to not listen anywhere, exiting.");
  }
  if (port != 0) RETURN_IF_ERROR(OpenListeners(config_->String(Param::kBind), port, backlog, fds));
  port_ = port;
  if (!unix_path.empty()) {
    Result<int> fd = OpenUnixListener(
        unix_path, static_cast<unsigned>(config_->Int(Param::kUnixsocketperm)), backlog);
    if (!fd.ok()) {
      for (int f : *fds) ::close(f);
      fds->clear();
      return fd.status();
    }
    fds->push_back(*fd);
    unix_socket_ = unix_path;
  }
  return Status::Ok();
}

void Server::RemoveUnixSocket() {
  if (unix_socket_.empty()) return;
  ::unlink(unix_socket_.c_str());
  unix_socket_.clear();
}

bool Server::SnapshotsOn() const {
  std::vector<std::pair<int64_t, int64_t>> points;
  return (ParseSavePoints(config_->String(Param::kSave), &points) && !points.empty()) ||
         config_->Int(Param::kSnapshotWalBytes) > 0;
}

void Server::RequestShutdown(ShutdownSave save) {
  if (save != ShutdownSave::kDefault) shutdown_save_ = save;
  {
    std::lock_guard<std::mutex> l(wait_mu_);
    shutdown_ = true;
  }
  wait_cv_.notify_all();
  for (auto& w : workers_) w->Wake();
}

void Server::Wait() {
  {
    std::unique_lock<std::mutex> l(wait_mu_);
    // Also poll: a signal handler may set the flag without notifying.
    while (!shutdown_) wait_cv_.wait_for(l, std::chrono::milliseconds(100));
  }
  supervision_.Stopping();
  metrics_http_.reset();
  for (auto& w : workers_) w->Wake();
  for (auto& w : workers_) w->Join();
  RemoveUnixSocket();  // as Redis, at a clean shutdown
  if (cron_.joinable()) cron_.join();
  snapshots_->StopBackground();
  const ShutdownSave save = shutdown_save_.load();
  if (save == ShutdownSave::kSave || (save == ShutdownSave::kDefault && SnapshotsOn())) {
    // No command runs any more: the snapshot holds everything, and a restart replays nothing.
    LOG_INFO("Saving the final snapshot before exiting.");
    supervision_.Status("Saving the final snapshot");
    Status saved = snapshots_->Save("shutdown");
    if (!saved.ok()) LOG_WARN("The write-ahead log still holds every write; it will be replayed.");
  }
  Status st = persistence_->Close();
  if (!st.ok()) LOG_WARN("Writing the write-ahead log at shutdown: %s", st.message().c_str());
}

void Server::LogFunctions(engine::RedoRecord& redo) {
  std::string payload = Scripting::DumpPayload(scripting_.LibraryCodes());
  redo.Functions(payload);
  keyspace_->set_functions(std::move(payload));
}

void Server::ServeWhileBusy() {
  Tracking::PushThreadState();  // the script's client's, until the turn is over
  Worker::ServeNestedOnThisThread();
  Tracking::PopThreadState();
}

void Server::OnLogProgress() {
  for (auto& w : workers_) w->NotifyLog();
}

Status Server::ApplyStartupDirectives() {
  for (const auto& [from, to] : config_->renamed_commands()) {
    Status st = commands_.Rename(from, to);
    if (!st.ok()) return Status::InvalidArgument("rename-command " + from + ": " + st.message());
  }
  const std::string aclfile = config_->String(Param::kAclfile);
  if (!aclfile.empty() && !config_->user_lines().empty()) {
    return Status::InvalidArgument(
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file "
        "path is invalid. This setup is very likely to lead to configuration errors and security "
        "holes, please define either an ACL file or declare users directly in your redis.conf, "
        "but not both.");
  }
  RETURN_IF_ERROR(acl_.LoadUserLines(config_->user_lines()));
  if (!aclfile.empty()) {
    Status st = acl_.LoadFile(aclfile);
    if (!st.ok()) {
      return Status::InvalidArgument("Aborting Strata startup because of ACL errors: " +
                                     st.message());
    }
  }
  return Status::Ok();
}

uint64_t Server::NoteMemoryPeak(uint64_t used) {
  uint64_t peak = memory_peak_.load(std::memory_order_relaxed);
  while (used > peak && !memory_peak_.compare_exchange_weak(peak, used)) {
  }
  return std::max(peak, used);
}

void Server::ApplyConfig() {
  notifier_.set_classes(static_cast<uint32_t>(config_->Int(Param::kNotifyKeyspaceEvents)));
  slowlog_.set_threshold_us(config_->Int(Param::kSlowlogLogSlowerThan));
  latency_.set_threshold_ms(config_->Int(Param::kLatencyMonitorThreshold));
  command_stats_.set_tracking(config_->Bool(Param::kLatencyTracking));
  slowlog_.set_max_len(static_cast<uint64_t>(config_->Int(Param::kSlowlogMaxLen)));
  acl_.MirrorRequirepass(config_->String(Param::kRequirepass));
  acl_.set_log_max_len(static_cast<size_t>(config_->Int(Param::kAcllogMaxLen)));
  acl_.set_pubsub_default_all(config_->String(Param::kAclPubsubDefault) == "allchannels");
  uint32_t lazy = 0;
  for (auto [param, cause] :
       {std::pair{Param::kLazyfreeLazyUserDel, engine::kLazyUserDel},
        std::pair{Param::kLazyfreeLazyUserFlush, engine::kLazyUserFlush},
        std::pair{Param::kLazyfreeLazyExpire, engine::kLazyExpire},
        std::pair{Param::kLazyfreeLazyEviction, engine::kLazyEviction},
        std::pair{Param::kLazyfreeLazyServerDel, engine::kLazyServerDel}}) {
    if (config_->Bool(param)) lazy |= cause;
  }
  keyspace_->lazy_free().set_causes(lazy);
  persistence_->set_sync(ParseSyncPolicy(config_->String(Param::kAppendfsync)));
  snapshots_->set_keep(static_cast<int>(config_->Int(Param::kSnapshotKeep)));
  keyspace_->set_encoding_limits(EncodingLimitsOf(*config_));
  engine::EvictionConfig ev;
  {
    // engine::EvictionPolicy's order; CONFIG SET lists the names in Redis's own order.
    static constexpr std::string_view kPolicies[] = {
        "volatile-lru",    "allkeys-lru",    "volatile-lfu", "allkeys-lfu",
        "volatile-random", "allkeys-random", "volatile-ttl", "noeviction"};
    const std::string policy = config_->String(Param::kMaxmemoryPolicy);
    for (size_t i = 0; i < std::size(kPolicies); ++i) {
      if (policy == kPolicies[i]) ev.policy = static_cast<engine::EvictionPolicy>(i);
    }
  }
  // Redis accepts up to 2^31-1; Strata samples at most 64 entries per choice.
  ev.samples = static_cast<int>(std::min<int64_t>(config_->Int(Param::kMaxmemorySamples), 64));
  ev.lfu_log_factor = static_cast<int>(config_->Int(Param::kLfuLogFactor));
  ev.lfu_decay_time = static_cast<int>(config_->Int(Param::kLfuDecayTime));
  keyspace_->set_eviction(ev);
  UpdateTierBudget();
  // CONFIG SET may run on two workers at once.
  std::lock_guard<std::mutex> l(process_settings_mu_);
  Status oom = oom_score_adj_.Apply(config_->String(Param::kOomScoreAdj),
                                    config_->String(Param::kOomScoreAdjValues));
  if (!oom.ok()) LOG_WARN("%s", oom.message().c_str());
  UpdateProcTitle();
}

void Server::UpdateProcTitle() {
  if (proc_title_ == nullptr || !config_->Bool(Param::kSetProcTitle)) return;
  ProcTitleVars vars;
  vars.title = proc_title_->argv0();
  const int port = static_cast<int>(config_->Int(Param::kPort));
  const std::string unix_path = config_->String(Param::kUnixsocket);
  if (port != 0) {
    std::istringstream bind(config_->String(Param::kBind));
    std::string first;
    bind >> first;
    vars.listen_addr = (first.empty() ? "*" : first) + ":" + std::to_string(port);
  } else {
    vars.listen_addr = "unixsocket:" + unix_path;
  }
  vars.port = std::to_string(port);
  vars.tls_port = "0";
  vars.unixsocket = unix_path;
  vars.config_file = config_->file();
  Result<std::string> title = ExpandProcTitle(config_->String(Param::kProcTitleTemplate), vars);
  if (!title.ok()) {
    LOG_WARN("Not setting the process title: %s", title.status().message().c_str());
    return;
  }
  proc_title_->Set(*title);
}

}  // namespace strata::server
