// Server's dispatch: every command a worker reads passes here, once, before its handler runs:
// lookup and arity, authentication and the ACL check, maxmemory (eviction or an OOM refusal),
// the pub/sub context, MULTI's queue, a failed log, and the overflow tier's cold values. Also
// the rest of the Service interface the network layer calls (server/net/service.h).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <exception>
#include <new>
#include <string>

#include "base/busy.h"
#include "base/clock.h"
#include "base/hash.h"
#include "base/logging.h"
#include "engine/evict.h"
#include "server/server.h"
#include "server/commands/errors.h"

namespace strata::server {

namespace {

// The worker's state between commands: the running command's effects, for the WAL. Reused
// from command to command; its dependency is the highest LSN among the records the commands
// since BeginInput wrote and the last records of the shards they read.
struct WorkerRedo final : Service::WorkerContext {
  engine::RedoRecord redo;
};

engine::RedoRecord& RedoOf(Service::WorkerContext& ctx) { return static_cast<WorkerRedo&>(ctx).redo; }

}  // namespace

namespace {

// The arguments SLOWLOG and MONITOR show, with Redis's "(redacted)" for secrets: AUTH's,
// HELLO's AUTH username and password, CONFIG SET's value of requirepass and masterauth.
std::vector<std::string_view> RedactedArgs(const CommandSpec& named,
                                          std::span<const std::string_view> args) {
  static constexpr std::string_view kRedacted = "(redacted)";
  std::vector<std::string_view> out(args.begin(), args.end());
  if (named.name == "auth") {
    for (size_t i = 1; i < out.size(); ++i) out[i] = kRedacted;
  } else if (named.name == "hello") {
    for (size_t i = 2; i + 2 < out.size(); ++i) {
      if (!EqualsIgnoreCase(out[i], "auth")) continue;
      out[i + 1] = out[i + 2] = kRedacted;
      i += 2;
    }
  } else if (out.size() > 1 && EqualsIgnoreCase(out[0], "config") &&
             EqualsIgnoreCase(out[1], "set")) {
    for (size_t i = 2; i + 1 < out.size(); i += 2) {
      if (EqualsIgnoreCase(out[i], "requirepass") || EqualsIgnoreCase(out[i], "masterauth")) {
        out[i + 1] = kRedacted;
      }
    }
  }
  return out;
}

}  // namespace

void Server::RunHandler(const CommandSpec& spec, const CommandSpec& named, CommandContext& ctx) {
  // Defence in depth: no request may take the server down. An exception (an allocation that
  // failed for this request's size, or a bug) fails this command only: what it replied so far
  // is dropped for one error reply, and its shard locks release as the stack unwinds, which
  // commits to the log exactly the effects it had applied.
  std::string* out = ctx.reply.buffer();
  const size_t replied = out->size();
  auto fail = [&](const std::string& error, const char* what) {
    out->resize(replied);
    ctx.reply.Error(error);
    stats_.command_exceptions.fetch_add(1, std::memory_order_relaxed);
    LOG_WARN("Command '%s' failed by an exception: %s", std::string(named.name).c_str(), what);
  };
  const int64_t started = MonotonicNs();
  try {
    // A lock held by a long script is waited for only until the script is declared busy.
    InterruptibleScope interruptible(&scripting_.busy_flag());
    spec.handler(ctx);
  } catch (const BusyError&) {  // before any effect: the lock it waited for came first
    out->resize(replied);
    ctx.reply.Error(scripting_.BusyError());
  } catch (const std::bad_alloc& e) {
    fail(err::OutOfMemory(named.name), e.what());
  } catch (const std::exception& e) {
    fail(err::InternalError(named.name, e.what()), e.what());
  }
  const int64_t took_ns = MonotonicNs() - started, took = took_ns / 1000;
  bool failed = out->size() > replied && (*out)[replied] == '-';
  if (ctx.errors_counted) {
    failed = ctx.failed;
  } else if (failed) {
    const size_t eol = out->find('\r', replied);
    command_stats_.Error(std::string_view(*out).substr(replied, eol - replied));
  }
  // As Redis: a command that blocked is counted when it is served (and not logged); EXEC
  // (skip_slowlog) is not logged either: its commands are, one by one.
  if (!ctx.client.blocked) {
    command_stats_.Call(ctx.client.worker_index, named.id, took_ns, failed);
    if (slowlog_.Slow(took) && !(named.flags & kSkipSlowlog)) LogSlow(named, ctx, took);
    latency_.AddIfNeeded((named.flags & kFast) ? "fast-command" : "command", took / 1000,
                         (ctx.now_ms + took / 1000) / 1000);  // when it ended, as Redis
  }
  // MONITOR sees each command once, when it ran (a blocked client's when it blocked, not again
  // when served), never an admin command.
  // EVAL (skip_monitor) is fed by its handler, before the commands its script runs.
  if (monitors_.any() && !(named.flags & (kAdmin | kSkipMonitor)) && ctx.serve_key == nullptr) {
    monitors_.Feed(ctx.client, ctx.client.db.load(std::memory_order_relaxed),
                   RedactedArgs(named, ctx.args));
  }
}


void Server::LogSlow(const CommandSpec& named, CommandContext& ctx, int64_t took_us) {
  const bool script = ctx.client.in_script;  // as Redis's script client: no address, no name
  slowlog_.Push(RedactedArgs(named, ctx.args), (NowUs() - took_us) / 1'000'000, took_us,
                script ? "?:0" : ctx.client.addr, script ? "" : clients_.GetName(&ctx.client));
}

std::unique_ptr<Service::WorkerContext> Server::NewWorkerContext() {
  return std::make_unique<WorkerRedo>();
}

ConnectionLimits Server::limits() const {
  ConnectionLimits l;
  l.max_bulk_len = config_->Int(Param::kProtoMaxBulkLen);
  l.query_buffer_limit = config_->Int(Param::kClientQueryBufferLimit);
  l.output_backpressure = config_->Int(Param::kClientOutputBackpressure);
  l.idle_timeout_s = config_->Int(Param::kTimeout);
  l.tcp_keepalive_s = config_->Int(Param::kTcpKeepalive);
  return l;
}

OutputBufferLimit Server::OutputLimit(bool pubsub) const {
  return config_->OutputLimit(pubsub ? ClientClass::kPubSub : ClientClass::kNormal);
}

std::string_view Server::Refusal(int fd) {
  if (clients_.size() >= static_cast<size_t>(config_->Int(Param::kMaxclients))) {
    return "-ERR max number of clients reached\r\n";
  }
  if (RefusedByProtectedMode(fd)) return ProtectedModeMessage();
  return {};
}

void Server::OnConnect(ClientState& client) {
  client.authenticated = !acl_.default_requires_auth();
}

void Server::OnDisconnect(ClientState& client) {
  pubsub_.RemoveClient(&client);
  monitors_.Remove(&client);
  blocking_.Cancel(client.id);
  watches_.UnwatchAll(&client);
  tracking_.RemoveClient(&client);
  client_pause_.Forget(&client);
}

void Server::BeginInput(WorkerContext& ctx) {
  RedoOf(ctx).ResetDependency();
  Tracking::BeginBatch();
}

void Server::EndInput(WorkerContext&) { tracking_.EndBatch(); }

void Server::Execute(WorkerContext& ctx, ClientState& client,
                     std::span<const std::string_view> args, ReplyBuilder& reply) {
  const size_t before = reply.buffer()->size();
  Tracking::SetCurrent(&client);
  Execute(client, args, reply, &RedoOf(ctx));
  Tracking::SetCurrent(nullptr);
  // CLIENT REPLY OFF|SKIP, as Redis: the command ran, its reply is dropped.
  if (client.reply_off || client.reply_skip) reply.buffer()->resize(before);
  client.reply_skip = client.reply_skip_next;
  client.reply_skip_next = false;
  // Client-side caching, as Redis 7.0: the invalidations the command caused for its own client
  // follow its reply (whatever CLIENT REPLY says); CLIENT CACHING's choice lasts for the next
  // command, or the transaction it starts.
  Tracking::TakeSelfPending(reply.buffer());
  if (client.tracking.load(std::memory_order_relaxed)) {
    if (client.tracking_caching && !client.in_multi && !EqualsIgnoreCase(args[0], "client")) {
      client.tracking_caching = false;
    }
  }
}

bool Server::TimeOut(ClientState& client, ReplyBuilder& reply) {
  if (!blocking_.Cancel(client.id)) return false;
  reply.NullArray();  // as Redis 7.0 answers every blocking command whose time is up
  // A blocked call counts when it ends (served, or here), as Redis counts it.
  if (const CommandSpec* spec = commands_.Find(client.last_command.load())) {
    command_stats_.Call(client.worker_index, spec->id, 0, false);
  }
  return true;
}

uint64_t Server::ReplyHold(WorkerContext& ctx) {
  if (!persistence_->hold_replies()) return 0;
  const uint64_t need = RedoOf(ctx).dependency();
  return need <= persistence_->released_lsn() ? 0 : need;
}

uint64_t Server::released_lsn() const { return persistence_->released_lsn(); }

void Server::WriteLog(uint64_t lsn) { persistence_->WriteAppended(lsn); }

void Server::Reject(ClientState& client, const CommandSpec& spec, ReplyBuilder& reply,
                    std::string_view error, bool count_rejected) {
  if (spec.name == "exec") {
    client.in_multi = false;
    client.multi_error = false;
    client.queued.clear();
    watches_.UnwatchAll(&client);
    if (error.starts_with("ERR ")) error.remove_prefix(4);
    const std::string abort = err::ExecAbort(error);
    reply.Error(abort);
    command_stats_.Rejected(client.worker_index, spec.id);
    command_stats_.Error(abort);
    return;
  }
  if (client.in_multi) client.multi_error = true;
  reply.Error(error);
  if (count_rejected) command_stats_.Rejected(client.worker_index, spec.id);
  command_stats_.Error(error);
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

void Server::LogAclDenial(ClientState& client, AclDenial denial, std::string_view object,
                          std::string_view context) {
  AclLogEntry entry;
  entry.reason = denial == AclDenial::kCommand ? "command"
                 : denial == AclDenial::kKey   ? "key"
                                               : "channel";
  entry.context = context;
  entry.object = object;
  entry.username = client.user->name();
  entry.created_ms = NowMs();
  entry.client_info = clients_.InfoLine(&client, entry.created_ms);
  acl_.Log(std::move(entry));
}

bool Server::CheckAcl(ClientState& client, const CommandSpec& spec, const CommandSpec& named,
                      std::span<const std::string_view> args, ReplyBuilder& reply) {
  std::string_view object;
  const AclDenial denial = AclCheck(*client.user, named, args, &object);
  if (denial == AclDenial::kNone) return true;
  const bool in_transaction = client.in_multi || client.in_exec;
  LogAclDenial(client, denial, object, in_transaction ? "multi" : "toplevel");
  if (client.in_exec) {  // permissions changed since the command was queued
    const char* why = denial == AclDenial::kCommand
                          ? "no permission to execute the command or subcommand"
                      : denial == AclDenial::kKey
                          ? "no permission to touch the specified keys"
                          : "no permission to access one of the channels used as arguments";
    reply.Error(err::NoPermAtExec(why));
    return false;
  }
  if (denial == AclDenial::kCommand) {
    Reject(client, spec, reply, err::NoPermCommand(named.name));
  } else {
    Reject(client, spec, reply, denial == AclDenial::kKey ? err::kNoPermKeys : err::kNoPermChannels);
  }
  return false;
}

std::string_view Server::ScriptAclDenial(ClientState& client, const CommandSpec& named,
                                         std::span<const std::string_view> args) {
  const AclUser& user = *client.user;
  if (user.all_commands() && user.all_keys() && user.all_channels()) return {};
  std::string_view object;
  const AclDenial denial = AclCheck(user, named, args, &object);
  if (denial == AclDenial::kNone) return {};
  LogAclDenial(client, denial, object, "lua");
  return denial == AclDenial::kCommand ? err::kScriptNoPermCommand
         : denial == AclDenial::kKey   ? err::kScriptNoPermKeys
                                       : err::kScriptNoPermChannels;
}

bool Server::EvictOrRefuse(ClientState& client, const CommandSpec& spec, ReplyBuilder& reply,
                           engine::RedoRecord* redo) {
  const int64_t maxmemory = config_->Int(Param::kMaxmemory);
  client.oom = false;
  if (maxmemory <= 0) return true;
  // Redis spends at most about this long per command (maxmemory-eviction-tenacity 10); what is
  // left over goes on at the next command or in the cron.
  constexpr int64_t kEvictBudgetUs = 500;
  // With a tier, room is made by demoting cold values; keys go only when that can't (the tier
  // full, or the stubs alone over the limit).
  if (tier_ != nullptr && keyspace_->UsedBytesHint() > static_cast<size_t>(maxmemory)) {
    DemoteOverBudget(redo);
  }
  const int64_t evict_started_us = MonotonicUs();
  const engine::EvictResult result = engine::EvictToLimit(
      *keyspace_, static_cast<size_t>(maxmemory), NowMs(), kEvictBudgetUs, redo);
  latency_.AddIfNeeded("eviction-cycle", (MonotonicUs() - evict_started_us) / 1000, NowMs() / 1000);
  if (result != engine::EvictResult::kFail) return true;
  client.oom = true;
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
  Reject(client, spec, reply, err::kOom);
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

namespace {

// Whether the peer of fd is local as Redis 7.0 counts it: 127.0.0.1, ::1 (not the rest of
// 127.0.0.0/8) or a unix socket.
bool LocalPeer(int fd) {
  sockaddr_storage peer{};
  socklen_t len = sizeof(peer);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return true;
  if (peer.ss_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
  }
  if (peer.ss_family == AF_INET6) {
    return IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr);
  }
  return true;  // a unix socket
}

}  // namespace

bool Server::RefusedByProtectedMode(int fd) const {
  if (!config_->Bool(Param::kProtectedMode) || !acl_.default_nopass()) return false;
  return !LocalPeer(fd);
}

std::string Server::WriteRefusal(const CommandSpec& spec) const {
  if (spec.flags & kWrite) {
    Status log_error = persistence_->error();
    if (!log_error.ok()) return err::Misconf(log_error.message());
    // min-replicas-to-write: Strata has no replicas yet, so as Redis with none connected,
    // writes are refused while it is set (and min-replicas-max-lag is not 0).
    if (config_->Int(Param::kMinReplicasToWrite) > 0 &&
        config_->Int(Param::kMinReplicasMaxLag) > 0) {
      return std::string(err::kNoReplicas);
    }
  }
  // stop-writes-on-bgsave-error: as Redis, with save points and a failed last snapshot, writes
  // (and PING) are refused until a snapshot succeeds. The snapshot status is read first: a
  // healthy server pays one atomic load.
  if (!snapshots_->last_ok() && ((spec.flags & kWrite) || spec.name == "ping") &&
      config_->Bool(Param::kStopWritesOnBgsaveError) && !config_->String(Param::kSave).empty()) {
    return std::string(err::kMisconfSnapshot);
  }
  return {};
}

void Server::Execute(ClientState& client, std::span<const std::string_view> args,
                     ReplyBuilder& reply, engine::RedoRecord* redo) {
  WorkerCounters::Add(client.counters->commands, 1);
  // EXEC runs what MULTI queued under the commands' own names (a renamed command included).
  const CommandSpec* spec = client.in_exec ? commands_.Find(args[0]) : commands_.Lookup(args[0]);
  std::vector<std::string_view> own_name;  // a renamed command runs under its own name
  if (spec != nullptr && commands_.renamed() && !EqualsIgnoreCase(args[0], spec->name)) {
    own_name.assign(args.begin(), args.end());
    own_name[0] = spec->name;
    args = own_name;
  }
  if (spec == nullptr) {
    std::string msg = err::UnknownCommandPrefix(args[0].substr(0, 128));
    for (size_t i = 1; i < args.size() && msg.size() < 256; ++i) {
      msg += "'" + std::string(args[i].substr(0, 128)) + "' ";
    }
    if (client.in_multi) client.multi_error = true;
    reply.Error(msg);
    command_stats_.Error(msg);
    return;
  }
  CommandContext ctx{*this, client, reply, args, NowMs(), redo};
  if (!CommandTable::ArityOk(*spec, args.size())) {
    if (spec->name == "exec") {
      return Reject(client, *spec, reply, err::WrongArgs(spec->name));
    }
    if (client.in_multi) client.multi_error = true;
    ReplyWrongArity(ctx);
    command_stats_.Rejected(client.worker_index, spec->id);
    command_stats_.Error("ERR");
    return;
  }
  // enable-debug-command: DEBUG runs with "yes", or "local" from a local client (Redis's
  // protected command; its default "no" refuses it).
  if (spec->name == "debug") {
    const std::string mode = config_->String(Param::kEnableDebugCommand);
    if (mode == "no" || (mode == "local" && client.fd >= 0 && !LocalPeer(client.fd))) {
      return Reject(client, *spec, reply, err::kDebugNotAllowed);
    }
  }
  // A container's subcommand (CLIENT LIST shows "client|list"), checked as Redis does: before
  // authentication, the ACL check and MULTI's queue.
  const CommandSpec* named = spec;
  if (!spec->subcommands.empty() && args.size() > 1) {
    named = CommandTable::FindSub(*spec, args[1]);
    if (named == nullptr) {  // as Redis: no command to count it against
      return Reject(client, *spec, reply, UnknownSubcommandError(args), false);
    }
    if (!CommandTable::ArityOk(*named, args.size())) {
      return Reject(client, *named, reply, err::WrongArgs(named->name));
    }
  }
  if (!client.authenticated.load(std::memory_order_relaxed) && !(spec->flags & kNoAuth) &&
      acl_.default_requires_auth()) {
    return Reject(client, *spec, reply, err::kNoAuth);
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
  // A script past busy-reply-threshold: only what Redis allows then runs (SCRIPT KILL,
  // FUNCTION KILL, SHUTDOWN NOSAVE, AUTH, ...). Before eviction, which would wait for its locks.
  if (scripting_.busy_flag().raised() && !client.in_exec && !(named->flags & kAllowBusy)) {
    return Reject(client, *spec, reply, scripting_.BusyError());
  }
  // A queued command of a running EXEC was checked when EXEC itself was.
  if (!client.in_exec && !EvictOrRefuse(client, *spec, reply, redo)) return;
  if (client.subscribed() && client.resp.load(std::memory_order_relaxed) == 2 &&
      !(spec->flags & kPubSubContext)) {
    return Reject(client, *spec, reply, err::NotInSubscribedContext(named->name));
  }
  // CLIENT PAUSE: the command waits (queued in MULTI or not) until the pause ends, as Redis.
  if (!client.in_exec && client_pause_.Holds(*spec, client.queued, commands_, ctx.now_ms) &&
      client.worker != nullptr) {
    client_pause_.Hold(&client);
    return;
  }
  if (client.in_multi && !(spec->flags & kMultiControl)) {
    if (spec->flags & kNoMulti) {
      client.multi_error = true;
      reply.Error(err::kNotInMulti);
      return;
    }
    // As Redis: a write the server refuses now is refused when queued, and EXEC then aborts.
    if (std::string refusal = WriteRefusal(*spec); !refusal.empty()) {
      return Reject(client, *spec, reply, refusal);
    }
    client.queued.emplace_back(args.begin(), args.end());
    client.queued_count.store(static_cast<int>(client.queued.size()), std::memory_order_relaxed);
    uint64_t bytes = 0;
    for (std::string_view a : args) bytes += a.size();
    client.queued_bytes.fetch_add(bytes, std::memory_order_relaxed);
    reply.Simple("QUEUED");
    return;
  }
  if (std::string refusal = WriteRefusal(*spec); !refusal.empty()) {
    reply.Error(refusal);
    return;
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
  // Client-side caching: a read-only command's keys are remembered before it reads them and
  // after (server/tracking.h).
  std::vector<std::string_view> tracked;
  if ((named->flags & kReadOnly) && !(named->flags & kPubSub) && Tracking::Remembers(client)) {
    CommandTable::ForEachKeyPosition(*named, args, [&](int i) {
      tracked.push_back(args[i]);
      return true;
    });
    if (!tracked.empty()) tracking_.BeforeRead(&client, tracked);
  }
  RunHandler(*spec, *named, ctx);
  if (!tracked.empty()) {
    tracking_.AfterRead(&client, tracked, config_->Int(Param::kTrackingTableMaxKeys));
  }
  if (!client.blocked) client.EndBlock();  // a blocking command's wait is over (or there was none)
  // Clients blocked on keys this command (or transaction) made ready are served now, before its
  // reply leaves, as Redis does after each command.
  if (!client.in_exec) ServeBlocked(redo);
}

}  // namespace strata::server
