// The diagnostics commands: SLOWLOG, LATENCY and MONITOR.
#include <optional>
#include <string>
#include <vector>

#include "base/string_util.h"
#include "base/log_histogram.h"
#include "server/command_stats.h"
#include "server/commands/command.h"
#include "server/commands/errors.h"
#include "server/latency.h"
#include "server/monitor.h"
#include "server/server.h"
#include "server/slowlog.h"

namespace strata::server {
namespace {

// ---- LATENCY ----

void CmdLatencyLatest(CommandContext& ctx) {
  const auto latest = ctx.server.latency().LatestAll();
  ctx.reply.Array(latest.size());
  for (const LatencyMonitor::Latest& l : latest) {
    ctx.reply.Array(4);
    ctx.reply.Bulk(l.event);
    ctx.reply.Int(l.time_s);
    ctx.reply.Int(l.latest_ms);
    ctx.reply.Int(l.max_ms);
  }
}

void CmdLatencyHistory(CommandContext& ctx) {
  const auto samples = ctx.server.latency().History(ctx.args[2]);
  ctx.reply.Array(samples.size());
  for (const LatencyMonitor::Sample& s : samples) {
    ctx.reply.Array(2);
    ctx.reply.Int(s.time_s);
    ctx.reply.Int(s.ms);
  }
}

void CmdLatencyReset(CommandContext& ctx) {
  std::vector<std::string> events(ctx.args.begin() + 2, ctx.args.end());
  ctx.reply.Int(static_cast<int64_t>(ctx.server.latency().Reset(events)));
}

void CmdLatencyDoctor(CommandContext& ctx) {
  const Config& config = ctx.server.config();
  DoctorSettings settings;
  settings.slowlog_log_slower_than_us = config.Int(Param::kSlowlogLogSlowerThan);
  settings.slowlog_max_len = config.Int(Param::kSlowlogMaxLen);
  settings.hz = config.Int(Param::kHz);
  settings.appendfsync_always = ctx.server.persistence().always();
  ctx.reply.Verbatim(LatencyDoctor(ctx.server.latency(), settings, ctx.now_ms / 1000));
}

void CmdLatencyGraph(CommandContext& ctx) {
  for (const LatencyMonitor::EventSeries& e : ctx.server.latency().All()) {
    if (e.event == ctx.args[2] && !e.samples.empty()) {
      return ctx.reply.Verbatim(LatencyGraph(e, ctx.now_ms / 1000));
    }
  }
  ctx.reply.Error("ERR No samples available for event '" + std::string(ctx.args[2]) + "'");
}

// LATENCY HISTOGRAM [command ...]: per command with latencies recorded (all of them, or those
// named; a container names its subcommands; unknown names are skipped), its calls and the
// cumulative count of calls at each power-of-two bucket (1024 ns << k, labelled in whole
// microseconds by the bucket's largest value: 1, 2, 4, 8, 16, 33, 66, ...), only the buckets
// where the count grew, as Redis 7.0 replies.
void ReplyLatencyHistogram(CommandContext& ctx, const CommandSpec& spec, const HistogramCounts& h) {
  ctx.reply.Bulk(spec.name);
  ctx.reply.Map(2);
  ctx.reply.Bulk("calls");
  ctx.reply.Int(static_cast<int64_t>(h.total()));
  ctx.reply.Bulk("histogram_usec");
  std::vector<std::pair<int64_t, int64_t>> buckets;
  uint64_t previous = 0;
  for (uint64_t bound = 1024; previous < h.total(); bound <<= 1) {
    const size_t i = LogHistogram::BucketOf(bound);
    const uint64_t count = h.CountUpTo(bound);
    if (count > previous) {
      buckets.emplace_back(static_cast<int64_t>(LogHistogram::BucketHigh(i) / 1000),
                           static_cast<int64_t>(count));
    }
    previous = count;
    if (bound > LogHistogram::kMaxValue) break;
  }
  ctx.reply.Map(buckets.size());
  for (const auto& [usec, count] : buckets) {
    ctx.reply.Int(usec);
    ctx.reply.Int(count);
  }
}

void CmdLatencyHistogram(CommandContext& ctx) {
  const CommandTable& table = ctx.server.commands();
  std::vector<const CommandSpec*> specs;
  if (ctx.args.size() == 2) {
    for (uint32_t id = 0; id < table.num_ids(); ++id) specs.push_back(&table.ById(id));
  }
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const std::string_view name = ctx.args[i];
    const size_t bar = name.find('|');
    const CommandSpec* spec = table.Find(name.substr(0, bar));
    if (spec != nullptr && bar != std::string_view::npos) {
      spec = CommandTable::FindSub(*spec, name.substr(bar + 1));
    }
    if (spec == nullptr) continue;
    if (spec->subcommands.empty() || bar != std::string_view::npos) {
      specs.push_back(spec);
    } else {
      for (const CommandSpec& sub : spec->subcommands) specs.push_back(&sub);
    }
  }
  std::vector<std::pair<const CommandSpec*, HistogramCounts>> found;
  for (const CommandSpec* spec : specs) {
    HistogramCounts h = ctx.server.command_stats().Latencies(spec->id);
    if (h.total() > 0) found.emplace_back(spec, std::move(h));
  }
  ctx.reply.Map(found.size());
  for (const auto& [spec, h] : found) ReplyLatencyHistogram(ctx, *spec, h);
}

void CmdLatencyHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "DOCTOR",
      "    Return a human readable latency analysis report.",
      "GRAPH <event>",
      "    Return an ASCII latency graph for the <event> class.",
      "HISTORY <event>",
      "    Return time-latency samples for the <event> class.",
      "LATEST",
      "    Return the latest latency samples for all events.",
      "RESET [<event> ...]",
      "    Reset latency data of one or more <event> classes.",
      "    (default: reset all data for all event classes)",
      "HISTOGRAM [COMMAND ...]",
      "    Return a cumulative distribution of latencies in the format of a histogram for the "
      "specified command names.",
      "    If no commands are specified then all histograms are replied.",
  };
  ReplyHelp(ctx, "LATENCY", kLines);
}

// ---- MONITOR ----

// As Redis: a client already monitoring gets no reply; otherwise +OK, and from then on every
// command's line (server/monitor.h).
void CmdMonitor(CommandContext& ctx) {
  if (ctx.client.monitor.exchange(true)) return;
  ctx.server.monitors().Add(&ctx.client);
  ctx.reply.Ok();
}

// ---- SLOWLOG ----

// SLOWLOG GET [count]: the newest count entries (10 by default, -1 for all).
void CmdSlowlogGet(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    return ctx.reply.Error(err::UnknownSubcommandOrArgs(ctx.args[1], "SLOWLOG"));
  }
  int64_t count = 10;
  if (ctx.args.size() == 3) {
    std::optional<int64_t> v = ParseInt64(ctx.args[2]);
    if (!v || *v < -1) return ctx.reply.Error(err::kSlowlogCount);
    count = *v;
  }
  const std::vector<SlowLogEntry> entries = ctx.server.slowlog().Newest(count);
  ctx.reply.Array(entries.size());
  for (const SlowLogEntry& e : entries) {
    ctx.reply.Array(6);
    ctx.reply.Int(static_cast<int64_t>(e.id));
    ctx.reply.Int(e.time_s);
    ctx.reply.Int(e.duration_us);
    ctx.reply.Array(e.args.size());
    for (const std::string& a : e.args) ctx.reply.Bulk(a);
    ctx.reply.Bulk(e.addr);
    ctx.reply.Bulk(e.name);
  }
}

void CmdSlowlogLen(CommandContext& ctx) {
  ctx.reply.Int(static_cast<int64_t>(ctx.server.slowlog().size()));
}

void CmdSlowlogReset(CommandContext& ctx) {
  ctx.server.slowlog().Reset();
  ctx.reply.Ok();
}

void CmdSlowlogHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
  };
  ReplyHelp(ctx, "SLOWLOG", kLines);
}

}  // namespace

std::vector<CommandSpec> DiagnosticsFamily() {
  constexpr uint32_t kAdm = kAdmin | kNoScript | kLoading | kStale;
  return {
      {"latency", -2, 0, 0, 0, 0, DispatchSubcommand, "server",
       "A container for latency diagnostics commands",
       {
           {"latency|latest", 2, kAdm, 0, 0, 0, CmdLatencyLatest, "server",
            "Return the latest latency samples for all events.", {}, 0, kAclDangerous},
           {"latency|history", 3, kAdm, 0, 0, 0, CmdLatencyHistory, "server",
            "Return timestamp-latency samples for the event.", {}, 0, kAclDangerous},
           {"latency|doctor", 2, kAdm, 0, 0, 0, CmdLatencyDoctor, "server",
            "Return a human readable latency analysis report.", {}, 0, kAclDangerous},
           {"latency|graph", 3, kAdm, 0, 0, 0, CmdLatencyGraph, "server",
            "Return a latency graph for the event.", {}, 0, kAclDangerous},
           {"latency|reset", -2, kAdm, 0, 0, 0, CmdLatencyReset, "server",
            "Reset latency data for one or more events.", {}, 0, kAclDangerous},
           {"latency|histogram", -2, kAdm | kLoading | kStale, 0, 0, 0, CmdLatencyHistogram,
            "server", "Return the cumulative distribution of latencies of a subset of commands or "
            "all.", {}, 0, kAclDangerous},
           {"latency|help", 2, kLoading | kStale, 0, 0, 0, CmdLatencyHelp, "server",
            "Show helpful text about the different subcommands.", {}, 0, 0},
       }, 0, 0},
      {"monitor", 1, kAdm, 0, 0, 0, CmdMonitor, "server",
       "Listen for all requests received by the server in real time", {}, 0, kAclDangerous},
      {"slowlog", -2, 0, 0, 0, 0, DispatchSubcommand, "server",
       "A container for slow log commands",
       {
           {"slowlog|get", -2, kAdmin | kLoading | kStale, 0, 0, 0, CmdSlowlogGet, "server",
            "Get the slow log's entries", {}, 0, kAclDangerous},
           {"slowlog|len", 2, kAdmin | kLoading | kStale, 0, 0, 0, CmdSlowlogLen, "server",
            "Get the slow log's length", {}, 0, kAclDangerous},
           {"slowlog|reset", 2, kAdmin | kLoading | kStale, 0, 0, 0, CmdSlowlogReset, "server",
            "Clear all entries from the slow log", {}, 0, kAclDangerous},
           {"slowlog|help", 2, kLoading | kStale, 0, 0, 0, CmdSlowlogHelp, "server",
            "Show helpful text about the different subcommands", {}, 0, 0},
       }, 0, 0},
  };
}

}  // namespace strata::server
