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
#include "server/net/worker.h"

namespace strata::server {

void ServerStats::InitWorkers(int n) {
  workers_ = std::make_unique<WorkerCounters[]>(n);
  num_workers_ = n;
}

uint64_t ServerStats::Sum(std::atomic<uint64_t> WorkerCounters::*field) const {
  uint64_t n = 0;
  for (int i = 0; i < num_workers_; ++i) n += (workers_[i].*field).load(std::memory_order_relaxed);
  return n;
}

void ServerStats::Reset() {
  connections_received = 0;
  rejected_connections = 0;
  protocol_errors = 0;
  output_limit_disconnections = 0;
  query_limit_disconnections = 0;
  backpressure_pauses = 0;
  base_commands_ = Sum(&WorkerCounters::commands);
  base_in_ = Sum(&WorkerCounters::net_input_bytes);
  base_out_ = Sum(&WorkerCounters::net_output_bytes);
}

namespace {

// The collections' encoding limits the config sets (*-max-listpack-*, set-max-intset-entries).
engine::EncodingLimits EncodingLimitsOf(const Config& config) {
  engine::EncodingLimits limits;
  limits.list_max_listpack_size = config.Int(Param::kListMaxListpackSize);
  limits.hash_max_listpack_entries = config.Int(Param::kHashMaxListpackEntries);
  limits.hash_max_listpack_value = config.Int(Param::kHashMaxListpackValue);
  limits.set_max_intset_entries = config.Int(Param::kSetMaxIntsetEntries);
  limits.set_max_listpack_entries = config.Int(Param::kSetMaxListpackEntries);
  limits.set_max_listpack_value = config.Int(Param::kSetMaxListpackValue);
  limits.zset_max_listpack_entries = config.Int(Param::kZSetMaxListpackEntries);
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
  persistence_ = std::make_unique<Persistence>(std::move(po));
  SnapshotOptions so;
  so.dir = config_->String(Param::kSnapshotDirname);
  so.keep = static_cast<int>(config_->Int(Param::kSnapshotKeep));
  so.ignore_unreadable = config_->Bool(Param::kSnapshotIgnoreUnreadable);
  snapshots_ = std::make_unique<Snapshots>(std::move(so), *keyspace_, *persistence_);
  keyspace_->set_change_listener(&watches_);
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ NowUs());
  static const char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) run_id_str_.push_back(kHex[rng() & 15]);
}

Server::~Server() {
  RequestShutdown();
  for (auto& w : workers_) w->Join();
  if (cron_.joinable()) cron_.join();
  snapshots_.reset();
  persistence_.reset();  // the writer thread may call OnDurable until it stops
  // The tier's readers finish their jobs (which use the keyspace and deliver to workers)
  // before the tier and the workers go.
  if (tier_ != nullptr) tier_->StopReaders();
  tiering_.reset();
  keyspace_->set_tier(nullptr);
  tier_.reset();
  workers_.clear();
}

Status Server::OpenListeners(std::vector<int>* fds) {
  std::istringstream words(config_->String(Param::kBind));
  std::string addr;
  int port = static_cast<int>(config_->Int(Param::kPort));
  while (words >> addr) {
    bool optional = !addr.empty() && addr[0] == '-';  // Redis: "-::1" may fail quietly
    if (optional) addr.erase(0, 1);
    if (addr == "*") addr = "0.0.0.0";
    if (addr == "::*") addr = "::";
    sockaddr_storage ss{};
    socklen_t len;
    int family;
    if (inet_pton(AF_INET, addr.c_str(), &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr) == 1) {
      family = AF_INET;
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(port);
      len = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, addr.c_str(),
                         &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr) == 1) {
      family = AF_INET6;
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(port);
      len = sizeof(sockaddr_in6);
    } else {
      return Status::InvalidArgument("Invalid bind address '" + addr + "'");
    }
    // Non-blocking: the epoll loop must never block in accept(2).
    int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Status::IOError(std::string("socket: ") + strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    // A server on io_uring killed a moment ago may still hold the port: the kernel tears its
    // ring down (and with it the accept that references the socket) asynchronously. Give that
    // a second before calling the port taken.
    int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
    for (int attempt = 0; rc < 0 && errno == EADDRINUSE && attempt < 20; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      rc = ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
    }
    if (rc < 0 || ::listen(fd, 511) < 0) {
      int err = errno;
      ::close(fd);
      if (optional) continue;
      return Status::IOError("Could not create server TCP listening socket " + addr + ":" +
                             std::to_string(port) + ": " + strerror(err));
    }
    if (port == 0) {  // an ephemeral port was asked for: learn which
      sockaddr_storage got{};
      socklen_t gl = sizeof(got);
      getsockname(fd, reinterpret_cast<sockaddr*>(&got), &gl);
      port = ntohs(got.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&got)->sin_port
                                            : reinterpret_cast<sockaddr_in6*>(&got)->sin6_port);
    }
    fds->push_back(fd);
  }
  if (fds->empty()) return Status::InvalidArgument("Failed listening on any bind address");
  port_ = port;
  return Status::Ok();
}

Status Server::Start() {
  start_time_ms_ = NowMs();
  ApplyConfig();  // the encoding limits before loading builds any collection
  int workers = static_cast<int>(config_->Int(Param::kThreads));
  if (workers <= 0) workers = std::max(1u, std::thread::hardware_concurrency());
  std::vector<int> listen_fds;
  RETURN_IF_ERROR(OpenListeners(&listen_fds));

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
  if (recovered.ok()) recovered = snapshots_->Load(&loaded);
  if (recovered.ok()) {
    recovered = persistence_->Recover(*keyspace_, loaded.shard_lsns, loaded.min_lsn,
                                      [this](uint64_t lsn) { OnDurable(lsn); });
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
  if (!recovered.ok()) {
    for (int fd : listen_fds) ::close(fd);
    return recovered;
  }
  for (auto& w : workers_) w->Start();
  cron_ = std::thread([this] { CronLoop(); });
  snapshots_->StartBackground([this] { return config_->String(Param::kSave); },
                              [this] { return static_cast<uint64_t>(config_->Int(Param::kSnapshotWalBytes)); });
  return Status::Ok();
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
  for (auto& w : workers_) w->Wake();
  for (auto& w : workers_) w->Join();
  if (cron_.joinable()) cron_.join();
  snapshots_->StopBackground();
  const ShutdownSave save = shutdown_save_.load();
  if (save == ShutdownSave::kSave || (save == ShutdownSave::kDefault && SnapshotsOn())) {
    // No command runs any more: the snapshot holds everything, and a restart replays nothing.
    LOG_INFO("Saving the final snapshot before exiting.");
    Status saved = snapshots_->Save("shutdown");
    if (!saved.ok()) LOG_WARN("The write-ahead log still holds every write; it will be replayed.");
  }
  Status st = persistence_->Close();
  if (!st.ok()) LOG_WARN("Writing the write-ahead log at shutdown: %s", st.message().c_str());
}

void Server::OnDurable(uint64_t lsn) {
  for (auto& w : workers_) w->NotifyDurable(lsn);
}

void Server::ApplyConfig() {
  acl_.MirrorRequirepass(config_->String(Param::kRequirepass));
  persistence_->set_sync(ParseSyncPolicy(config_->String(Param::kAppendfsync)));
  snapshots_->set_keep(static_cast<int>(config_->Int(Param::kSnapshotKeep)));
  keyspace_->set_encoding_limits(EncodingLimitsOf(*config_));
  engine::EvictionConfig ev;
  ev.policy = static_cast<engine::EvictionPolicy>(config_->Int(Param::kMaxmemoryPolicy));
  ev.samples = static_cast<int>(config_->Int(Param::kMaxmemorySamples));
  ev.lfu_log_factor = static_cast<int>(config_->Int(Param::kLfuLogFactor));
  ev.lfu_decay_time = static_cast<int>(config_->Int(Param::kLfuDecayTime));
  keyspace_->set_eviction(ev);
  UpdateTierBudget();
}

void Server::CronLoop() {
  // Housekeeping, hz times a second: active expiry and incremental rehashing, a shard at a time
  // under its lock, with a time budget per shard so no shard stalls for long.
  constexpr int kSamples = 16;
  int64_t sample_ops[kSamples] = {0}, sample_us[kSamples] = {0};
  int sample = 0;
  int64_t last_sample_us = MonotonicUs();
  uint64_t last_ops = stats_.commands();
  engine::RedoRecord cron_redo;
  while (!shutting_down()) {
    if (persistence_->hold_replies()) {
      // As Redis: under appendfsync always a write the log cannot take cannot be acknowledged,
      // and the replies waiting for it never can; stop rather than hang those clients.
      Status st = persistence_->error();
      if (!st.ok()) {
        LOG_WARN(
            "Can't recover from write-ahead log write error when appendfsync is 'always' "
            "(%s). Exiting...",
            st.message().c_str());
        std::_Exit(1);
      }
    }
    int64_t now_us = MonotonicUs();
    if (now_us - last_sample_us >= 100000) {  // instantaneous_ops_per_sec, as Redis samples it
      uint64_t ops = stats_.commands();
      sample_ops[sample % kSamples] = static_cast<int64_t>(ops - last_ops);
      sample_us[sample % kSamples] = now_us - last_sample_us;
      ++sample;
      int64_t total_ops = 0, total_us = 0;
      for (int i = 0; i < kSamples; ++i) {
        total_ops += sample_ops[i];
        total_us += sample_us[i];
      }
      ops_per_sec_ = total_us ? total_ops * 1000000 / total_us : 0;
      last_ops = ops;
      last_sample_us = now_us;
    }
    int64_t hz = std::clamp<int64_t>(config_->Int(Param::kHz), 1, 500);
    int64_t period_us = 1000000 / hz;
    int64_t start = MonotonicUs();
    int64_t now_ms = NowMs();
    // Redis spends up to 25% of a cron period on expiry; split it across shards.
    int64_t budget = std::max<int64_t>(50, period_us / 4 / keyspace_->num_shards());
    for (int i = 0; i < keyspace_->num_shards(); ++i) {
      engine::Shard& s = keyspace_->shard(i);
      // Expired keys are logged as deletes, committed before the shard's lock is released.
      engine::RedoRecord* redo = &cron_redo;
      engine::ShardLocks l(keyspace_.get(), static_cast<uint32_t>(i), redo);
      s.ActiveExpire(now_ms, budget, redo);
      s.Migrate(std::min<int64_t>(budget, 1000));
    }
    if (tier_ != nullptr) {
      UpdateTierBudget();
      DemoteOverBudget(&cron_redo);
    }
    // Eviction between commands too, so that a lowered maxmemory takes effect without traffic.
    const int64_t maxmemory = config_->Int(Param::kMaxmemory);
    if (maxmemory > 0) {
      (void)engine::EvictToLimit(*keyspace_, static_cast<size_t>(maxmemory), now_ms, period_us / 4,
                                 &cron_redo);
    }
    int64_t left = period_us - (MonotonicUs() - start);
    std::unique_lock<std::mutex> l(wait_mu_);
    if (left > 0 && !shutdown_) wait_cv_.wait_for(l, std::chrono::microseconds(left));
  }
}

void Server::Reject(ClientState& client, const CommandSpec& spec, ReplyBuilder& reply,
                    std::string_view error) {
  if (spec.name == "exec") {
    client.in_multi = false;
    client.multi_error = false;
    client.queued.clear();
    watches_.UnwatchAll(&client);
    if (error.starts_with("ERR ")) error.remove_prefix(4);
    reply.Error("EXECABORT Transaction discarded because of: " + std::string(error));
    return;
  }
  if (client.in_multi) client.multi_error = true;
  reply.Error(error);
}

void Server::RefreshUser(ClientState& client) {
  const uint64_t version = acl_.version();  // before the lookup: a later change is seen next time
  const std::string name = client.user ? client.user->name() : "default";
  std::shared_ptr<const AclUser> user = acl_.Find(name);
  if (user == nullptr) {
    // Deleted (ACL DELUSER disconnects its clients; this one had a command in flight): it may
    // run nothing more, and the command still gets its reply (EXEC counts on one per command).
    user = std::make_shared<const AclUser>(name, commands_);
    client.close_after_reply = true;
  }
  client.user = std::move(user);
  client.acl_version = version;
}

bool Server::CheckAcl(ClientState& client, const CommandSpec& spec, const CommandSpec& named,
                      std::span<const std::string_view> args, ReplyBuilder& reply) {
  std::string_view object;
  const AclDenial denial = AclCheck(*client.user, named, args, &object);
  if (denial == AclDenial::kNone) return true;
  const bool in_transaction = client.in_multi || client.in_exec;
  AclLogEntry entry;
  entry.reason = denial == AclDenial::kCommand ? "command"
                 : denial == AclDenial::kKey   ? "key"
                                               : "channel";
  entry.context = in_transaction ? "multi" : "toplevel";
  entry.object = object;
  entry.username = client.user->name();
  entry.created_ms = NowMs();
  entry.client_info = clients_.InfoLine(&client, entry.created_ms);
  acl_.Log(std::move(entry));
  if (client.in_exec) {  // permissions changed since the command was queued
    const char* why = denial == AclDenial::kCommand
                          ? "no permission to execute the command or subcommand"
                      : denial == AclDenial::kKey
                          ? "no permission to touch the specified keys"
                          : "no permission to access one of the channels used as arguments";
    reply.Error(
        std::string("NOPERM ACLs rules changed between the moment the transaction was accumulated "
                    "and the EXEC call. This command is no longer allowed for the following "
                    "reason: ") +
        why);
    return false;
  }
  if (denial == AclDenial::kCommand) {
    Reject(client, spec, reply,
           "NOPERM this user has no permissions to run the '" + std::string(named.name) +
               "' command");
  } else {
    Reject(client, spec, reply,
           denial == AclDenial::kKey
               ? "NOPERM this user has no permissions to access one of the keys used as arguments"
               : "NOPERM this user has no permissions to access one of the channels used as "
                 "arguments");
  }
  return false;
}

bool Server::EvictOrRefuse(ClientState& client, const CommandSpec& spec, ReplyBuilder& reply,
                           engine::RedoRecord* redo) {
  const int64_t maxmemory = config_->Int(Param::kMaxmemory);
  if (maxmemory <= 0) return true;
  // Redis spends at most about this long per command (maxmemory-eviction-tenacity 10); what is
  // left over goes on at the next command or in the cron.
  constexpr int64_t kEvictBudgetUs = 500;
  // With a tier, room is made by demoting cold values; keys go only when that can't (the tier
  // full, or the stubs alone over the limit).
  if (tier_ != nullptr && keyspace_->UsedBytesHint() > static_cast<size_t>(maxmemory)) {
    DemoteOverBudget(redo);
  }
  const engine::EvictResult result = engine::EvictToLimit(
      *keyspace_, static_cast<size_t>(maxmemory), NowMs(), kEvictBudgetUs, redo);
  if (result != engine::EvictResult::kFail) return true;
  bool refuse = spec.flags & kDenyOom;
  if (spec.name == "exec") {
    // EXEC is refused when the transaction holds a command that is.
    for (const std::vector<std::string>& argv : client.queued) {
      const CommandSpec* queued = commands_.Find(argv[0]);
      if (queued != nullptr && (queued->flags & kDenyOom)) refuse = true;
    }
  } else if (client.in_multi && spec.name != "discard" && spec.name != "quit" &&
             spec.name != "reset") {
    refuse = true;  // as Redis: queuing could take memory without bound
  }
  if (!refuse) return true;
  Reject(client, spec, reply, "OOM command not allowed when used memory > 'maxmemory'.");
  return false;
}

bool Server::Authenticate(ClientState& client, std::string_view user, std::string_view password) {
  const uint64_t version = acl_.version();
  std::shared_ptr<const AclUser> u = acl_.Authenticate(user, password);
  if (u == nullptr) {
    AclLogEntry entry;
    entry.reason = "auth";
    entry.context = client.in_multi || client.in_exec ? "multi" : "toplevel";
    entry.object = "AUTH";
    entry.username = user;
    entry.created_ms = NowMs();
    entry.client_info = clients_.InfoLine(&client, entry.created_ms);
    acl_.Log(std::move(entry));
    return false;
  }
  clients_.SetUsername(&client, u->name());
  client.user = std::move(u);
  client.acl_version = version;
  client.authenticated = true;
  return true;
}

std::string_view Server::ProtectedModeMessage() {
  return "-DENIED Redis is running in protected mode because protected mode is enabled and no "
         "password is set for the default user. In this mode connections are only accepted from "
         "the loopback interface. If you want to connect from external computers to Redis you "
         "may adopt one of the following solutions: 1) Just disable protected mode sending the "
         "command 'CONFIG SET protected-mode no' from the loopback interface by connecting to "
         "Redis from the same host the server is running, however MAKE SURE Redis is not "
         "publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change "
         "permanent. 2) Alternatively you can just disable the protected mode by editing the "
         "Redis configuration file, and setting the protected mode option to 'no', and then "
         "restarting the server. 3) If you started the server manually just for testing, restart "
         "it with the '--protected-mode no' option. 4) Setup a an authentication password for "
         "the default user. NOTE: You only need to do one of the above things in order for the "
         "server to start accepting connections from the outside.\r\n";
}

bool Server::RefusedByProtectedMode(int fd) const {
  if (!config_->Bool(Param::kProtectedMode) || !acl_.default_nopass()) return false;
  sockaddr_storage peer{};
  socklen_t len = sizeof(peer);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return false;
  // As Redis 7.0: only these two addresses count as local (not the rest of 127.0.0.0/8).
  if (peer.ss_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr.s_addr != htonl(INADDR_LOOPBACK);
  }
  if (peer.ss_family == AF_INET6) {
    return !IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr);
  }
  return false;  // a unix socket
}

void Server::Execute(ClientState& client, std::span<const std::string_view> args,
                     ReplyBuilder& reply, engine::RedoRecord* redo) {
  WorkerCounters::Add(client.counters->commands, 1);
  const CommandSpec* spec = commands_.Find(args[0]);
  if (spec == nullptr) {
    std::string msg = "ERR unknown command '" + std::string(args[0].substr(0, 128)) +
                      "', with args beginning with: ";
    for (size_t i = 1; i < args.size() && msg.size() < 256; ++i) {
      msg += "'" + std::string(args[i].substr(0, 128)) + "' ";
    }
    if (client.in_multi) client.multi_error = true;
    reply.Error(msg);
    return;
  }
  CommandContext ctx{*this, client, reply, args, NowMs(), redo};
  if (!CommandTable::ArityOk(*spec, args.size())) {
    if (spec->name == "exec") {
      return Reject(client, *spec, reply,
                    "ERR wrong number of arguments for '" + std::string(spec->name) + "' command");
    }
    if (client.in_multi) client.multi_error = true;
    ReplyWrongArity(ctx);
    return;
  }
  // A container's subcommand (CLIENT LIST shows "client|list"), checked as Redis does: before
  // authentication, the ACL check and MULTI's queue.
  const CommandSpec* named = spec;
  if (!spec->subcommands.empty() && args.size() > 1) {
    named = CommandTable::FindSub(*spec, args[1]);
    if (named == nullptr) return Reject(client, *spec, reply, UnknownSubcommandError(args));
    if (!CommandTable::ArityOk(*named, args.size())) {
      return Reject(client, *spec, reply,
                    "ERR wrong number of arguments for '" + std::string(named->name) +
                        "' command");
    }
  }
  if (!client.authenticated.load(std::memory_order_relaxed) && !(spec->flags & kNoAuth) &&
      acl_.default_requires_auth()) {
    return Reject(client, *spec, reply, "NOAUTH Authentication required.");
  }
  client.last_command.store(named->name.data(), std::memory_order_relaxed);
  // ACL: the user's snapshot is read again only after a change to some user; a user allowed
  // everything (the default user, unless restricted) costs three flag tests.
  if (client.acl_version != acl_.version()) RefreshUser(client);
  const AclUser& user = *client.user;
  if (!(user.all_commands() && user.all_keys() && user.all_channels()) &&
      !CheckAcl(client, *spec, *named, args, reply)) {
    return;
  }
  // A queued command of a running EXEC was checked when EXEC itself was.
  if (!client.in_exec && !EvictOrRefuse(client, *spec, reply, redo)) return;
  if (client.subscribed() && client.resp.load(std::memory_order_relaxed) == 2 &&
      !(spec->flags & kPubSubContext)) {
    return Reject(client, *spec, reply,
                  "ERR Can't execute '" + std::string(named->name) +
                      "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                      "allowed in this context");
  }
  if (client.in_multi && !(spec->flags & kMultiControl)) {
    if (spec->flags & kNoMulti) {
      client.multi_error = true;
      reply.Error("ERR Command not allowed inside a transaction");
      return;
    }
    client.queued.emplace_back(args.begin(), args.end());
    reply.Simple("QUEUED");
    return;
  }
  if (spec->flags & kWrite) {
    Status log_error = persistence_->error();
    if (!log_error.ok()) {
      reply.Error("MISCONF Errors writing to the AOF file: " + log_error.message());
      return;
    }
  }
  if (tier_ != nullptr) {
    // A write makes room in its shards first (demoting cold values), as Redis evicts before
    // a command that may grow memory.
    if ((spec->flags & kDenyOom) && config_->Int(Param::kMaxmemory) > 0) {
      CommandTable::ForEachKeyPosition(*named, args, [&](int i) {
        DemoteShard(keyspace_->ShardOf(HashKey(args[i])), redo);
        return true;
      });
    }
    // Once per command: on its second run the values it waited for are in RAM, and whatever
    // went cold again meanwhile (a transaction larger than its shards' budget) is read in place,
    // so that every command ends.
    // Inside EXEC (every shard locked) values are read in place: EXEC waited for them first.
    if (client.tier_waited) {
      client.tier_waited = false;
    } else if (!client.in_exec && AwaitColdValues(client, *named, args, ctx.now_ms)) {
      client.tier_waited = true;
      return;
    }
  }
  spec->handler(ctx);
  if (!client.blocked) {  // a blocking command's wait is over (or there was none)
    client.block_deadline_ms = 0;
    client.block_forever = false;
    client.block_timed_out = false;
  }
}

}  // namespace strata::server
