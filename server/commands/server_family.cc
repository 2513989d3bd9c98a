// Server commands: INFO, CONFIG, TIME, SHUTDOWN, DEBUG, SAVE, FUNCTION (no functions loaded).
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <sstream>
#include <thread>

#include "base/clock.h"
#include "base/string_util.h"
#include "base/version.h"
#include "server/commands/command.h"
#include "server/scripting.h"
#include "server/server.h"
#include "server/commands/errors.h"
#include "server/command_stats.h"
#include "server/memory_stats.h"

namespace strata::server {

namespace {

// ---- INFO ----

std::string HumanBytes(uint64_t n) {
  char buf[32];
  double d = static_cast<double>(n);
  if (n < 1024) snprintf(buf, sizeof(buf), "%lluB", static_cast<unsigned long long>(n));
  else if (n < 1024 * 1024) snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  else if (n < 1024ULL * 1024 * 1024) snprintf(buf, sizeof(buf), "%.2fM", d / (1024 * 1024));
  else snprintf(buf, sizeof(buf), "%.2fG", d / (1024.0 * 1024 * 1024));
  return buf;
}

const char* AllocatorName() {
#ifdef STRATA_SANITIZE
  return "asan";
#endif
#ifdef STRATA_TSAN
  return "tsan";
#endif
#ifdef STRATA_JEMALLOC
  return "jemalloc";
#else
  return "libc";
#endif
}

class InfoWriter {
 public:
  void Section(const char* name) {
    if (!out_.empty()) out_ += "\r\n";
    out_ += "# ";
    out_ += name;
    out_ += "\r\n";
  }
  void Field(const char* name, const std::string& value) {
    out_ += name;
    out_ += ':';
    out_ += value;
    out_ += "\r\n";
  }
  void Field(const char* name, int64_t v) { Field(name, std::to_string(v)); }
  void Field(const char* name, uint64_t v) { Field(name, std::to_string(v)); }
  void Field(const char* name, int v) { Field(name, std::to_string(v)); }
  void Field(const char* name, const char* v) { Field(name, std::string(v)); }
  // Lines already formatted "name:value\r\n".
  void Raw(const std::string& lines) { out_ += lines; }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

void InfoServer(CommandContext& ctx, InfoWriter& w) {
  Server& s = ctx.server;
  struct utsname u;
  uname(&u);
  int64_t uptime = (ctx.now_ms - s.start_time_ms()) / 1000;
  w.Section("Server");
  w.Field("redis_version", kRedisVersion);
  w.Field("strata_version", kStrataVersion);
  w.Field("redis_git_sha1", "00000000");
  w.Field("redis_git_dirty", 0);
  w.Field("redis_build_id", "0");
  w.Field("redis_mode", "standalone");
  w.Field("os", std::string(u.sysname) + " " + u.release + " " + u.machine);
  w.Field("arch_bits", 64);
  w.Field("monotonic_clock", "POSIX clock_gettime");
  w.Field("multiplexing_api", s.io_backend_name());
  w.Field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                             std::to_string(__GNUC_PATCHLEVEL__));
  w.Field("process_id", static_cast<int64_t>(getpid()));
  w.Field("run_id", s.run_id());
  w.Field("tcp_port", s.port());
  w.Field("server_time_usec", NowUs());
  w.Field("uptime_in_seconds", uptime);
  w.Field("uptime_in_days", uptime / 86400);
  w.Field("hz", s.config().Int(Param::kHz));
  w.Field("configured_hz", s.config().Int(Param::kHz));
  w.Field("lru_clock", static_cast<uint64_t>(engine::AccessClockNow()));
  w.Field("config_file", s.config().file());
  w.Field("io_threads_active", s.num_workers() > 1 ? 1 : 0);
  w.Field("worker_threads", s.num_workers());
  w.Field("shards", s.keyspace().num_shards());
}

void InfoClients(CommandContext& ctx, InfoWriter& w) {
  uint64_t max_in = 0, max_out = 0;
  ctx.server.clients().ForEach([&](ClientState& c) {
    max_in = std::max<uint64_t>(max_in, c.query_buffer_bytes.load());
    max_out = std::max<uint64_t>(max_out, c.output_buffer_bytes.load());
  });
  w.Section("Clients");
  w.Field("connected_clients", static_cast<uint64_t>(ctx.server.clients().size()));
  w.Field("cluster_connections", 0);
  w.Field("maxclients", ctx.server.config().Int(Param::kMaxclients));
  w.Field("client_recent_max_input_buffer", max_in);
  w.Field("client_recent_max_output_buffer", max_out);
  // As Redis 7.0, the clients held by CLIENT PAUSE count too.
  w.Field("blocked_clients", static_cast<uint64_t>(ctx.server.blocking().num_blocked() +
                                                   ctx.server.client_pause().num_held()));
  w.Field("tracking_clients", ctx.server.tracking().counts().clients);
  w.Field("clients_in_timeout_table", 0);
}

void InfoMemory(CommandContext& ctx, InfoWriter& w) {
  uint64_t used = AllocatedBytes(), rss = RssBytes();
  uint64_t dataset = ctx.keyspace().UsedBytes();
  w.Section("Memory");
  w.Field("used_memory", used);
  w.Field("used_memory_human", HumanBytes(used));
  w.Field("used_memory_rss", rss);
  w.Field("used_memory_rss_human", HumanBytes(rss));
  const uint64_t peak = ctx.server.NoteMemoryPeak(used);
  w.Field("used_memory_peak", peak);
  w.Field("used_memory_peak_human", HumanBytes(peak));
  w.Field("used_memory_overhead", used > dataset ? used - dataset : 0);
  w.Field("used_memory_startup", ctx.server.startup_memory());
  w.Field("used_memory_dataset", dataset);
  w.Field("used_memory_dataset_human", HumanBytes(dataset));
  AllocatorStats alloc;
  const bool jemalloc = ReadAllocatorStats(&alloc);
  if (jemalloc) {
    w.Field("allocator_allocated", alloc.allocated);
    w.Field("allocator_active", alloc.active);
    w.Field("allocator_resident", alloc.resident);
  }
  // Scripts, where Redis 7.0 puts them: EVAL's interpreter and cache, FUNCTION's, both.
  const Scripting::EvalMemory eval = ctx.server.scripting().eval_memory();
  const Scripting::FunctionsMemory functions = ctx.server.scripting().functions_memory();
  w.Field("used_memory_lua", eval.vm_bytes);
  w.Field("used_memory_vm_eval", eval.vm_bytes);
  w.Field("used_memory_lua_human", HumanBytes(eval.vm_bytes));
  w.Field("used_memory_scripts_eval", eval.scripts_bytes);
  w.Field("number_of_cached_scripts", eval.scripts);
  w.Field("number_of_functions", functions.functions);
  w.Field("number_of_libraries", functions.libraries);
  w.Field("used_memory_vm_functions", functions.vm_bytes);
  w.Field("used_memory_vm_total", eval.vm_bytes + functions.vm_bytes);
  w.Field("used_memory_vm_total_human", HumanBytes(eval.vm_bytes + functions.vm_bytes));
  w.Field("used_memory_functions", functions.bytes);
  w.Field("used_memory_scripts", eval.scripts_bytes + functions.bytes);
  w.Field("used_memory_scripts_human", HumanBytes(eval.scripts_bytes + functions.bytes));
  const Config& config = ctx.server.config();
  const uint64_t maxmemory = static_cast<uint64_t>(config.Int(Param::kMaxmemory));
  w.Field("maxmemory", maxmemory);
  w.Field("maxmemory_human", HumanBytes(maxmemory));
  w.Field("maxmemory_policy", config.String(Param::kMaxmemoryPolicy));
  char ratio[32];
  if (jemalloc) {  // as Redis: active over allocated, resident over active
    snprintf(ratio, sizeof(ratio), "%.2f",
             alloc.allocated ? static_cast<double>(alloc.active) / alloc.allocated : 0.0);
    w.Field("allocator_frag_ratio", ratio);
    w.Field("allocator_frag_bytes",
            static_cast<int64_t>(alloc.active) - static_cast<int64_t>(alloc.allocated));
    snprintf(ratio, sizeof(ratio), "%.2f",
             alloc.active ? static_cast<double>(alloc.resident) / alloc.active : 0.0);
    w.Field("allocator_rss_ratio", ratio);
    w.Field("allocator_rss_bytes",
            static_cast<int64_t>(alloc.resident) - static_cast<int64_t>(alloc.active));
  }
  snprintf(ratio, sizeof(ratio), "%.2f", used ? static_cast<double>(rss) / used : 0.0);
  w.Field("mem_fragmentation_ratio", ratio);
  w.Field("mem_fragmentation_bytes", static_cast<int64_t>(rss) - static_cast<int64_t>(used));
  uint64_t client_buffers = 0;
  ctx.server.clients().ForEach([&](ClientState& c) {
    client_buffers += c.query_buffer_bytes.load() + c.output_buffer_bytes.load();
  });
  w.Field("mem_clients_slaves", 0);  // no replicas
  w.Field("mem_clients_normal", client_buffers);
  w.Field("mem_allocator", AllocatorName());
  w.Field("lazyfree_pending_objects", ctx.keyspace().lazy_free().pending());
  w.Field("lazyfreed_objects", ctx.keyspace().lazy_free().freed());
}

void InfoTier(CommandContext& ctx, InfoWriter& w) {
  engine::Tier* tier = ctx.server.tier();
  w.Section("Tier");
  w.Field("tier_enabled", tier != nullptr ? 1 : 0);
  if (tier == nullptr) return;
  engine::Keyspace& ks = ctx.keyspace();
  engine::TierStats& st = tier->stats();
  const uint64_t reads = st.cold_reads.load(), read_us = st.cold_read_us.load();
  w.Field("tier_keys", ks.TierKeys());
  w.Field("tier_bytes", ks.TierBytes());
  w.Field("tier_max_bytes", ctx.server.config().Int(Param::kTierMaxBytes));
  w.Field("tier_disk_bytes", tier->DiskBytes());
  w.Field("tier_demotions", st.demotions.load());
  w.Field("tier_promotions", st.promotions.load());
  w.Field("tier_cold_reads", reads);
  w.Field("tier_cold_read_avg_us", reads ? read_us / reads : 0);
  w.Field("tier_cold_read_max_us", st.cold_read_max_us.load());
  w.Field("tier_cold_reads_in_memory", st.cold_reads_in_memory.load());
  w.Field("tier_evictions", st.evictions.load());
  w.Field("tier_deleted_values", st.deleted.load());
  w.Field("tier_read_errors", st.read_errors.load());
  w.Field("tier_block_cache_used", tier->BlockCacheUsage());
  w.Field("tier_block_cache_size", tier->BlockCacheCapacity());
}

void InfoPersistence(CommandContext& ctx, InfoWriter& w) {
  w.Section("Persistence");
  w.Field("loading", 0);
  w.Field("async_loading", 0);
  w.Raw(ctx.server.snapshots().Info());
  w.Field("aof_rewrite_in_progress", 0);
  w.Raw(ctx.server.persistence().Info());
}

void InfoStats(CommandContext& ctx, InfoWriter& w) {
  ServerStats& st = ctx.server.stats();
  engine::Keyspace& ks = ctx.keyspace();
  w.Section("Stats");
  w.Field("total_connections_received", st.connections_received.load());
  w.Field("total_commands_processed", st.commands());
  w.Field("instantaneous_ops_per_sec", ctx.server.ops_per_sec());
  w.Field("total_net_input_bytes", st.net_input_bytes());
  w.Field("total_net_output_bytes", st.net_output_bytes());
  w.Field("rejected_connections", st.rejected_connections.load());
  w.Field("expired_keys", ks.ExpiredKeys());
  w.Field("evicted_keys", ks.EvictedKeys());
  w.Field("keyspace_hits", ks.Hits());
  w.Field("keyspace_misses", ks.Misses());
  const PubSub& ps = ctx.server.pubsub();
  w.Field("pubsub_channels", static_cast<uint64_t>(ps.ActiveChannels(PubSub::kChannel, "").size()));
  w.Field("pubsub_patterns", static_cast<uint64_t>(ps.NumPatterns()));
  w.Field("pubsubshard_channels",
          static_cast<uint64_t>(ps.ActiveChannels(PubSub::kShard, "").size()));
  w.Field("total_protocol_errors", st.protocol_errors.load());
  w.Field("client_query_buffer_limit_disconnections", st.query_limit_disconnections.load());
  w.Field("client_output_buffer_limit_disconnections", st.output_limit_disconnections.load());
  w.Field("client_output_backpressure_pauses", st.backpressure_pauses.load());
  w.Field("command_exceptions", st.command_exceptions.load());
  const Tracking::Counts tracking = ctx.server.tracking().counts();
  w.Field("tracking_total_keys", tracking.keys);
  w.Field("tracking_total_items", tracking.items);
  w.Field("tracking_total_prefixes", tracking.prefixes);
  w.Field("unexpected_error_replies", 0);  // Redis's count of errors from its AOF or master
  w.Field("total_error_replies", ctx.server.command_stats().total_error_replies());
  w.Field("total_reads_processed", st.reads());
  w.Field("total_writes_processed", st.writes());
}

// cmdstat_<name>:calls=...,usec=...,usec_per_call=...,rejected_calls=...,failed_calls=... for
// each command (subcommands as "config|get") that ran or was refused since the last RESETSTAT.
void InfoCommandstats(CommandContext& ctx, InfoWriter& w) {
  w.Section("Commandstats");
  const CommandTable& table = ctx.server.commands();
  for (uint32_t id = 0; id < table.num_ids(); ++id) {
    const CommandStats::Totals t = ctx.server.command_stats().Sum(id);
    if (t.calls == 0 && t.rejected == 0 && t.failed == 0) continue;
    char line[256];
    snprintf(line, sizeof(line),
             "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,"
             "failed_calls=%llu\r\n",
             std::string(table.ById(id).name).c_str(), static_cast<unsigned long long>(t.calls),
             static_cast<unsigned long long>(t.usec),
             t.calls ? static_cast<double>(t.usec) / static_cast<double>(t.calls) : 0.0,
             static_cast<unsigned long long>(t.rejected),
             static_cast<unsigned long long>(t.failed));
    w.Raw(line);
  }
}

void InfoErrorstats(CommandContext& ctx, InfoWriter& w) {
  w.Section("Errorstats");
  for (const auto& [code, n] : ctx.server.command_stats().Errors()) {
    w.Raw("errorstat_" + code + ":count=" + std::to_string(n) + "\r\n");
  }
}

// latency_percentiles_usec_<name>:p50=...,p99=...,p99.9=... for each command (subcommands as
// "config|get") with latencies recorded since the last RESETSTAT, at the percentiles of
// latency-tracking-info-percentiles; each value is the largest of its histogram bucket, in
// microseconds with three decimals, as Redis prints them.
void InfoLatencystats(CommandContext& ctx, InfoWriter& w) {
  w.Section("Latencystats");
  std::vector<std::pair<std::string, double>> percentiles;  // ("p99.9", 99.9)
  std::istringstream words(ctx.server.config().String(Param::kLatencyTrackingInfoPercentiles));
  for (std::string word; words >> word;) {
    const double p = std::strtod(word.c_str(), nullptr);
    char name[48];
    snprintf(name, sizeof(name), "p%f", p);
    std::string n = name;
    while (n.back() == '0') n.pop_back();
    if (n.back() == '.') n.pop_back();
    percentiles.emplace_back(std::move(n), p);
  }
  const CommandTable& table = ctx.server.commands();
  for (uint32_t id = 0; id < table.num_ids(); ++id) {
    const HistogramCounts h = ctx.server.command_stats().Latencies(id);
    if (h.total() == 0) continue;
    std::string line = "latency_percentiles_usec_" + std::string(table.ById(id).name) + ":";
    for (size_t i = 0; i < percentiles.size(); ++i) {
      char value[64];
      snprintf(value, sizeof(value), "%s=%.3f", percentiles[i].first.c_str(),
               static_cast<double>(h.ValueAt(percentiles[i].second)) / 1000.0);
      if (i > 0) line += ',';
      line += value;
    }
    w.Raw(line + "\r\n");
  }
}

void InfoReplication(CommandContext&, InfoWriter& w) {
  w.Section("Replication");
  w.Field("role", "master");
  w.Field("connected_slaves", 0);
}

void InfoCpu(CommandContext&, InfoWriter& w) {
  struct rusage self, children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto secs = [](const timeval& tv) {
    char b[32];
    snprintf(b, sizeof(b), "%ld.%06ld", static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec));
    return std::string(b);
  };
  w.Section("CPU");
  w.Field("used_cpu_sys", secs(self.ru_stime));
  w.Field("used_cpu_user", secs(self.ru_utime));
  w.Field("used_cpu_sys_children", secs(children.ru_stime));
  w.Field("used_cpu_user_children", secs(children.ru_utime));
}

void InfoCluster(CommandContext&, InfoWriter& w) {
  w.Section("Cluster");
  w.Field("cluster_enabled", 0);
}

void InfoKeyspace(CommandContext& ctx, InfoWriter& w) {
  engine::Keyspace& ks = ctx.keyspace();
  w.Section("Keyspace");
  for (int db = 0; db < ks.num_dbs(); ++db) {
    uint64_t keys = 0, expires = 0;
    for (int i = 0; i < ks.num_shards(); ++i) {
      engine::ShardLocks l(&ks, static_cast<uint32_t>(i));
      keys += ks.shard(i).table(db).size();
      expires += ks.shard(i).volatile_keys(db);
    }
    if (keys == 0) continue;
    std::string name = "db" + std::to_string(db);
    w.Field(name.c_str(), "keys=" + std::to_string(keys) + ",expires=" + std::to_string(expires) +
                              ",avg_ttl=0");
  }
}

void CmdInfo(CommandContext& ctx) {
  using SectionFn = void (*)(CommandContext&, InfoWriter&);
  struct Section {
    const char* name;
    SectionFn fn;
    bool in_default;  // shown by INFO and INFO default, not only by INFO all or by name
  };
  static const Section kSections[] = {
      {"server", InfoServer, true},           {"clients", InfoClients, true},
      {"memory", InfoMemory, true},           {"tier", InfoTier, true},
      {"persistence", InfoPersistence, true}, {"stats", InfoStats, true},
      {"replication", InfoReplication, true}, {"cpu", InfoCpu, true},
      {"commandstats", InfoCommandstats, false}, {"errorstats", InfoErrorstats, true},
      {"latencystats", InfoLatencystats, false}, {"cluster", InfoCluster, true},
      {"keyspace", InfoKeyspace, true},
  };
  std::vector<std::string> want;
  for (size_t i = 1; i < ctx.args.size(); ++i) want.push_back(ToLower(ctx.args[i]));
  auto asked = [&](const char* s) { return std::find(want.begin(), want.end(), s) != want.end(); };
  const bool all = asked("all") || asked("everything");
  const bool defaults = want.empty() || asked("default");
  InfoWriter w;
  for (const Section& sec : kSections) {
    if (all || (defaults && sec.in_default) || asked(sec.name)) sec.fn(ctx, w);
  }
  ctx.reply.Verbatim(w.out());
}

// ---- CONFIG ----

void CmdConfig(CommandContext& ctx) {
  const CommandSpec* sub = CommandTable::FindSub(*ctx.server.commands().Find("config"), ctx.args[1]);
  if (sub == nullptr) return ReplyUnknownSubcommand(ctx);
  if (!CommandTable::ArityOk(*sub, ctx.args.size())) return ReplyWrongArity(ctx);
  std::string_view name = sub->name.substr(7);
  Config& cfg = ctx.server.config();
  if (name == "get") {
    std::vector<std::pair<std::string, std::string>> found;
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      for (auto& kv : cfg.Get(ctx.args[i])) {
        if (std::none_of(found.begin(), found.end(), [&](auto& f) { return f.first == kv.first; }))
          found.push_back(std::move(kv));
      }
    }
    ctx.reply.Map(found.size());
    for (auto& [k, v] : found) {
      ctx.reply.Bulk(k);
      ctx.reply.Bulk(v);
    }
    return;
  }
  if (name == "set") {
    if (ctx.args.size() % 2 != 0) return ReplyWrongArity(ctx);
    // All or nothing: validate on a scratch copy first, then apply.
    Config scratch;
    for (auto& [k, v] : cfg.Get("*")) scratch.Set(k, v, true).PermitUnchecked();
    for (size_t i = 2; i < ctx.args.size(); i += 2) {
      for (size_t j = 2; j < i; j += 2) {
        if (EqualsIgnoreCase(ctx.args[i], ctx.args[j])) {
          return ctx.reply.Error(err::ConfigSetDuplicate(ToLower(ctx.args[i])));
        }
      }
      Status st = scratch.Set(ctx.args[i], ctx.args[i + 1], false);
      if (!st.ok()) return ctx.reply.Error(st);
    }
    for (size_t i = 2; i < ctx.args.size(); i += 2) {
      cfg.Set(ctx.args[i], ctx.args[i + 1], false).PermitUnchecked();
    }
    ctx.server.ApplyConfig();
    return ctx.reply.Ok();
  }
  if (name == "rewrite") {
    std::vector<std::string> users;
    for (const auto& u : ctx.server.acl().Users()) users.push_back(u->Describe());
    Status st = cfg.Rewrite(users);
    if (!st.ok()) return ctx.reply.Error(st);
    return ctx.reply.Ok();
  }
  if (name == "resetstat") {
    ctx.server.stats().Reset();
    ctx.server.command_stats().Reset();
    ctx.keyspace().ResetStats();
    return ctx.reply.Ok();
  }
  if (name == "help") {
    static constexpr std::string_view kHelp[] = {
        "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
        "RESETSTAT", "    Reset statistics reported by the INFO command.",
        "REWRITE", "    Rewrite the configuration file."};
    return ReplyHelp(ctx, "CONFIG", kHelp);
  }
  ReplyUnknownSubcommand(ctx);
}

// ---- TIME, SHUTDOWN, FUNCTION ----

void CmdTime(CommandContext& ctx) {
  int64_t us = NowUs();
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(us / 1000000));
  ctx.reply.Bulk(std::to_string(us % 1000000));
}

void CmdShutdown(CommandContext& ctx) {
  Server::ShutdownSave save = Server::ShutdownSave::kDefault;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string a = ToLower(ctx.args[i]);
    if (a == "abort") return ctx.reply.Error(err::kNoShutdown);
    if (a == "nosave" && save != Server::ShutdownSave::kSave) {
      save = Server::ShutdownSave::kNoSave;
    } else if (a == "save" && save != Server::ShutdownSave::kNoSave) {
      save = Server::ShutdownSave::kSave;
    } else if (a != "now" && a != "force") {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  // During a long script only SHUTDOWN NOSAVE goes, as in Redis (with EVAL's error text even
  // for a function, as Redis's).
  if (ctx.server.scripting().busy_flag().raised() && save != Server::ShutdownSave::kNoSave) {
    return ctx.reply.Error(
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
  }
  // No reply on success: the connection closes as the server exits, as with Redis.
  ctx.client.close_after_reply = true;
  ctx.server.RequestShutdown(save);
}

// ---- DEBUG ----

// DEBUG POPULATE count [prefix] [size] (as Redis: keys "prefix:N", values "value:N" cut or
// zero-padded to size, existing keys left alone) and DEBUG SLEEP seconds.
void CmdDebug(CommandContext& ctx) {
  const std::string sub = ToLower(ctx.args[1]);
  if (sub == "populate" && ctx.args.size() >= 3 && ctx.args.size() <= 5) {
    std::optional<int64_t> count = ParseInt64(ctx.args[2]);
    std::optional<int64_t> size = ctx.args.size() == 5 ? ParseInt64(ctx.args[4]) : 0;
    if (!count || *count < 0 || !size || *size < 0) {
      return ctx.reply.Error(err::kMustBePositive);
    }
    const std::string prefix = ctx.args.size() >= 4 ? std::string(ctx.args[3]) : "key";
    std::string key, value;
    for (int64_t j = 0; j < *count; ++j) {
      key = prefix + ":" + std::to_string(j);
      value = "value:" + std::to_string(j);
      if (*size > 0) value.resize(static_cast<size_t>(*size), '\0');
      auto lock = ctx.Lock(key);
      engine::DbView db = ctx.db();
      if (db.Peek(key) == nullptr) db.SetString(key, value, 0);
    }
    return ctx.reply.Ok();
  }
  if (sub == "sleep" && ctx.args.size() == 3) {
    std::optional<double> secs = ParseDouble(ctx.args[2], false);
    if (!secs || *secs < 0) return ctx.reply.Error(Status::NotFloat());
    // Past 2^63 microseconds Redis's conversion gives LLONG_MIN on x86-64 and it does not
    // sleep; here the conversion would be undefined, so that case is skipped the same way.
    const double us = *secs * 1e6;
    if (us < 9223372036854775808.0) {
      std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(us)));
    }
    return ctx.reply.Ok();
  }
  ctx.reply.Error(err::UnknownSubcommandOrArgs(ctx.args[1], "DEBUG"));
}

// ---- SAVE, BGSAVE, LASTSAVE ----

// SAVE takes the snapshot on this worker's thread: its other connections wait, as all of
// Redis's do; the other workers keep serving.
void CmdSave(CommandContext& ctx) {
  Status st = ctx.server.snapshots().Save("SAVE");
  if (!st.ok()) return ctx.reply.Error("ERR " + st.message());
  ctx.reply.Ok();
}

void CmdBgsave(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.args.size() > 2) return ctx.reply.Error(Status::Syntax());
  if (ctx.args.size() == 2) {
    if (!EqualsIgnoreCase(ctx.args[1], "schedule")) return ctx.reply.Error(Status::Syntax());
    schedule = true;
  }
  Snapshots& snaps = ctx.server.snapshots();
  if (snaps.RequestBackground(schedule)) return ctx.reply.Simple("Background saving started");
  if (schedule) return ctx.reply.Simple("Background saving scheduled");
  ctx.reply.Error(err::kBgsaveInProgress);
}

void CmdLastsave(CommandContext& ctx) { ctx.reply.Int(ctx.server.snapshots().last_save_time()); }

}  // namespace

std::vector<CommandSpec> ServerFamily() {
  constexpr uint32_t kAdm = kAdmin | kNoScript | kLoading | kStale;
  return {
      {"info", -1, kLoading | kStale | kSentinel, 0, 0, 0, CmdInfo, "server",
       "Get information and statistics about the server", {}, 0, kAclDangerous},
      {"config", -2, 0, 0, 0, 0, CmdConfig, "server", "A container for server configuration commands",
       {
           {"config|get", -3, kAdm, 0, 0, 0, CmdConfig, "server", "Get the values of configuration parameters"},
           {"config|set", -4, kAdm, 0, 0, 0, CmdConfig, "server", "Set configuration parameters to the given values"},
           {"config|resetstat", 2, kAdm, 0, 0, 0, CmdConfig, "server", "Reset the stats returned by INFO"},
           {"config|rewrite", 2, kAdm, 0, 0, 0, CmdConfig, "server", "Overwrite the configuration file"},
           {"config|help", 2, kLoading | kStale, 0, 0, 0, CmdConfig, "server", "Show helpful text about the different subcommands"},
       }},
      {"time", 1, kLoading | kStale | kFast, 0, 0, 0, CmdTime, "server", "Return the current server time"},
      {"debug", -2, kAdm | kNoScript | kLoading | kStale, 0, 0, 0, CmdDebug, "server",
       "A container for debugging commands"},
      {"save", 1, kAdmin | kNoScript | kNoAsyncLoading | kNoMulti, 0, 0, 0, CmdSave, "server", "Synchronously save the dataset to disk"},
      {"bgsave", -1, kAdmin | kNoScript | kNoAsyncLoading, 0, 0, 0, CmdBgsave, "server", "Asynchronously save the dataset to disk"},
      {"lastsave", 1, kLoading | kStale | kFast, 0, 0, 0, CmdLastsave, "server",
       "Get the Unix timestamp of the last successful save to disk", {}, 0,
       kAclAdmin | kAclDangerous},
      {"shutdown", -1, kAdm | kSentinel | kNoMulti | kAllowBusy, 0, 0, 0, CmdShutdown, "server",
       "Synchronously save the dataset to disk and then shut down the server"},
  };
}

}  // namespace strata::server
