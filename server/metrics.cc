#include "server/metrics.h"

#include <sys/resource.h>

#include <charconv>
#include <cstdio>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/log_histogram.h"
#include "engine/shard_locks.h"
#include "server/server.h"

namespace strata::server {
namespace {

// Writes families: each one's HELP and TYPE lines, then its samples.
class PromWriter {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  // `labels`: "" or `a="x",b="y"` (values already escaped).
  void Sample(std::string_view name, std::string_view labels, double value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    char buf[40];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);  // shortest exact form
    out_ += ' ';
    out_.append(buf, ec == std::errc() ? end : buf);
    out_ += '\n';
  }
  void Sample(std::string_view name, std::string_view labels, uint64_t value) {
    Sample(name, labels, static_cast<double>(value));
  }
  // A family of one unlabelled sample.
  void One(std::string_view name, std::string_view type, std::string_view help, double value) {
    Family(name, type, help);
    Sample(name, "", value);
  }
  // The buckets, _sum and _count of one histogram of `h`'s values times `scale` (to base
  // units), at the upper bounds `bounds` (in h's units).
  void Histogram(std::string_view name, std::string labels, const HistogramCounts& h,
                 const std::vector<uint64_t>& bounds, double scale, double sum) {
    const std::string own = labels;
    if (!labels.empty()) labels += ',';
    const std::string bucket = std::string(name) + "_bucket";
    for (uint64_t b : bounds) {
      char le[64];
      snprintf(le, sizeof(le), "le=\"%.9g\"", static_cast<double>(b) * scale);
      Sample(bucket, labels + le, h.CountUpTo(b));
    }
    Sample(bucket, labels + "le=\"+Inf\"", h.total());
    Sample(std::string(name) + "_sum", own, sum);
    Sample(std::string(name) + "_count", own, h.total());
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Label values: backslash, double quote and newline escaped.
std::string Escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? 'n' : c;
  }
  return out;
}

// 1, 2, 4, ... 2^(n-1) times `first`.
std::vector<uint64_t> Powers(uint64_t first, int n) {
  std::vector<uint64_t> v;
  for (int i = 0; i < n; ++i) v.push_back(first << i);
  return v;
}

HistogramCounts Counts(const LogHistogram& h) {
  std::vector<uint64_t> counts;
  h.Read(&counts);
  return HistogramCounts(std::move(counts));
}

// The sum of h's values, each taken as its bucket's smallest value: exact below 256, within 1%
// above (for histograms whose exact sum is not kept).
uint64_t SumOfLows(const HistogramCounts& h) {
  uint64_t sum = 0;
  for (size_t i = 0; i < h.counts().size(); ++i) sum += h.counts()[i] * LogHistogram::BucketLow(i);
  return sum;
}

double Seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

void ExportClients(Server& s, PromWriter& w) {
  w.One("strata_uptime_seconds", "gauge", "Seconds since the server started.",
        static_cast<double>(NowMs() - s.start_time_ms()) / 1000.0);
  w.One("strata_connected_clients", "gauge", "Client connections open.",
        static_cast<double>(s.clients().size()));
  w.One("strata_blocked_clients", "gauge", "Clients waiting in a blocking command.",
        static_cast<double>(s.blocking().num_blocked()));
  ServerStats& st = s.stats();
  w.One("strata_connections_received_total", "counter", "Connections accepted.",
        static_cast<double>(st.connections_received.load()));
  w.One("strata_rejected_connections_total", "counter", "Connections refused (maxclients).",
        static_cast<double>(st.rejected_connections.load()));
  w.One("strata_net_input_bytes_total", "counter", "Bytes read from clients.",
        static_cast<double>(st.net_input_bytes()));
  w.One("strata_net_output_bytes_total", "counter", "Bytes sent to clients.",
        static_cast<double>(st.net_output_bytes()));
  w.One("strata_reads_processed_total", "counter", "Socket reads from clients.",
        static_cast<double>(st.reads()));
  w.One("strata_writes_processed_total", "counter", "Socket writes to clients.",
        static_cast<double>(st.writes()));
  w.One("strata_protocol_errors_total", "counter", "Connections closed for a protocol error.",
        static_cast<double>(st.protocol_errors.load()));
  struct rusage self;
  getrusage(RUSAGE_SELF, &self);
  w.One("strata_cpu_user_seconds_total", "counter", "User CPU time of the process.",
        Seconds(self.ru_utime));
  w.One("strata_cpu_sys_seconds_total", "counter", "System CPU time of the process.",
        Seconds(self.ru_stime));
}

void ExportMemory(Server& s, PromWriter& w) {
  const uint64_t used = AllocatedBytes();
  w.One("strata_memory_used_bytes", "gauge", "Bytes allocated (INFO used_memory).",
        static_cast<double>(used));
  w.One("strata_memory_peak_bytes", "gauge", "Largest used memory seen.",
        static_cast<double>(s.NoteMemoryPeak(used)));
  w.One("strata_memory_rss_bytes", "gauge", "Resident set size of the process.",
        static_cast<double>(RssBytes()));
  w.One("strata_memory_dataset_bytes", "gauge", "Bytes of the keys and values in memory.",
        static_cast<double>(s.keyspace().UsedBytes()));
  w.One("strata_memory_max_bytes", "gauge", "maxmemory (0: no limit).",
        static_cast<double>(s.config().Int(Param::kMaxmemory)));
}

void ExportKeyspace(Server& s, PromWriter& w) {
  engine::Keyspace& ks = s.keyspace();
  std::vector<uint64_t> keys(static_cast<size_t>(ks.num_dbs())), expiring(keys.size());
  for (int i = 0; i < ks.num_shards(); ++i) {
    engine::ShardLocks l(&ks, static_cast<uint32_t>(i));
    for (int db = 0; db < ks.num_dbs(); ++db) {
      keys[static_cast<size_t>(db)] += ks.shard(i).table(db).size();
      expiring[static_cast<size_t>(db)] += ks.shard(i).volatile_keys(db);
    }
  }
  w.Family("strata_db_keys", "gauge", "Keys per database (databases holding keys).");
  for (size_t db = 0; db < keys.size(); ++db) {
    if (keys[db] > 0) w.Sample("strata_db_keys", "db=\"db" + std::to_string(db) + "\"", keys[db]);
  }
  w.Family("strata_db_keys_expiring", "gauge", "Keys with a time to live, per database.");
  for (size_t db = 0; db < keys.size(); ++db) {
    if (keys[db] > 0) {
      w.Sample("strata_db_keys_expiring", "db=\"db" + std::to_string(db) + "\"", expiring[db]);
    }
  }
  w.One("strata_keyspace_hits_total", "counter", "Key lookups that found the key.",
        static_cast<double>(ks.Hits()));
  w.One("strata_keyspace_misses_total", "counter", "Key lookups that did not find the key.",
        static_cast<double>(ks.Misses()));
  w.One("strata_expired_keys_total", "counter", "Keys deleted because their TTL passed.",
        static_cast<double>(ks.ExpiredKeys()));
  w.One("strata_evicted_keys_total", "counter", "Keys evicted by maxmemory-policy.",
        static_cast<double>(ks.EvictedKeys()));
}

void ExportCommands(Server& s, PromWriter& w) {
  const CommandTable& table = s.commands();
  CommandStats& cs = s.command_stats();
  w.One("strata_commands_processed_total", "counter", "Commands run.",
        static_cast<double>(s.stats().commands()));
  struct Row {
    std::string label;
    CommandStats::Totals totals;
    HistogramCounts latencies;
  };
  std::vector<Row> rows;
  for (uint32_t id = 0; id < table.num_ids(); ++id) {
    const CommandStats::Totals t = cs.Sum(id);
    if (t.calls == 0 && t.rejected == 0 && t.failed == 0) continue;
    rows.push_back({"cmd=\"" + Escape(table.ById(id).name) + "\"", t, cs.Latencies(id)});
  }
  w.Family("strata_commands_total", "counter", "Calls per command (subcommands as config|get).");
  for (const Row& r : rows) w.Sample("strata_commands_total", r.label, r.totals.calls);
  w.Family("strata_commands_rejected_total", "counter",
           "Calls per command refused before they ran.");
  for (const Row& r : rows) w.Sample("strata_commands_rejected_total", r.label, r.totals.rejected);
  w.Family("strata_commands_failed_total", "counter", "Calls per command that replied an error.");
  for (const Row& r : rows) w.Sample("strata_commands_failed_total", r.label, r.totals.failed);
  w.Family("strata_command_duration_seconds", "histogram",
           "Latency per command (latency-tracking), 1 us to 1 s in powers of two.");
  const std::vector<uint64_t> bounds = Powers(1000, 21);  // ns
  for (const Row& r : rows) {
    if (r.latencies.total() == 0) continue;
    w.Histogram("strata_command_duration_seconds", r.label, r.latencies, bounds, 1e-9,
                static_cast<double>(r.totals.usec) / 1e6);
  }
  w.Family("strata_errors_total", "counter", "Error replies per error code.");
  for (const auto& [code, n] : cs.Errors()) {
    w.Sample("strata_errors_total", "err=\"" + Escape(code) + "\"", n);
  }
  w.One("strata_error_replies_total", "counter", "Error replies sent.",
        static_cast<double>(cs.total_error_replies()));
  w.One("strata_slowlog_length", "gauge", "Entries in the SLOWLOG.",
        static_cast<double>(s.slowlog().size()));
}

void ExportWal(Server& s, PromWriter& w) {
  const Persistence& p = s.persistence();
  const wal::Writer* writer = p.writer();
  w.One("strata_wal_enabled", "gauge", "Whether the write-ahead log is on (appendonly).",
        writer != nullptr ? 1 : 0);
  w.One("strata_wal_write_ok", "gauge", "0 while the log meets a write error (MISCONF).",
        p.error().ok() ? 1 : 0);
  w.One("strata_wal_appends_total", "counter", "Records appended to the log (one per write).",
        static_cast<double>(p.commits()));
  w.One("strata_wal_appended_bytes_total", "counter", "Bytes of records appended to the log.",
        static_cast<double>(p.logged_bytes()));
  if (writer == nullptr) return;
  const wal::WriterStats st = writer->stats();
  w.One("strata_wal_log_bytes", "gauge", "Bytes of the log's segments.",
        static_cast<double>(st.log_bytes));
  w.One("strata_wal_segments", "gauge", "Segment files of the log.",
        static_cast<double>(st.segments));
  w.One("strata_wal_durable_lsn", "gauge", "Last log sequence number made durable.",
        static_cast<double>(st.durable_lsn));
  const HistogramCounts fsyncs = Counts(writer->fsync_latency_us());
  w.Family("strata_wal_fsync_duration_seconds", "histogram",
           "Latency of the log's fdatasyncs (sum approximate, to 1%).");
  w.Histogram("strata_wal_fsync_duration_seconds", "", fsyncs, Powers(16, 18), 1e-6,
              static_cast<double>(SumOfLows(fsyncs)) / 1e6);
  const HistogramCounts groups = Counts(writer->group_commit_records());
  w.Family("strata_wal_group_commit_records", "histogram",
           "Records each fdatasync made durable (a group commit under appendfsync always).");
  w.Histogram("strata_wal_group_commit_records", "", groups, Powers(1, 17), 1,
              static_cast<double>(SumOfLows(groups)));
}

void ExportSnapshots(Server& s, PromWriter& w) {
  const Snapshots::Stats st = s.snapshots().stats();
  w.One("strata_snapshot_in_progress", "gauge", "Whether a snapshot is being taken.",
        st.in_progress ? 1 : 0);
  w.One("strata_snapshot_last_ok", "gauge", "Whether the last snapshot succeeded.",
        st.last_ok ? 1 : 0);
  w.One("strata_snapshot_last_time_seconds", "gauge", "Unix time of the last snapshot.",
        static_cast<double>(st.last_save_s));
  w.One("strata_snapshot_last_duration_seconds", "gauge",
        "How long the last snapshot took (-1: none yet).",
        st.last_duration_ms < 0 ? -1 : static_cast<double>(st.last_duration_ms) / 1000.0);
  w.One("strata_snapshots_total", "counter", "Snapshots taken since start.",
        static_cast<double>(st.saves));
  w.One("strata_snapshot_last_bytes", "gauge", "Size of the last snapshot.",
        static_cast<double>(st.last_bytes));
  w.One("strata_snapshot_last_keys", "gauge", "Keys in the last snapshot.",
        static_cast<double>(st.last_keys));
  w.One("strata_changes_since_last_snapshot", "gauge", "Writes since the last snapshot.",
        static_cast<double>(st.changes_since_last));
}

void ExportTier(Server& s, PromWriter& w) {
  engine::Tier* tier = s.tier();
  w.One("strata_tier_enabled", "gauge", "Whether the overflow tier is on (tier-dir).",
        tier != nullptr ? 1 : 0);
  if (tier == nullptr) return;
  engine::TierStats& st = tier->stats();
  w.One("strata_tier_keys", "gauge", "Keys whose value is in the tier.",
        static_cast<double>(s.keyspace().TierKeys()));
  w.One("strata_tier_bytes", "gauge", "Bytes of the values in the tier.",
        static_cast<double>(s.keyspace().TierBytes()));
  w.One("strata_tier_disk_bytes", "gauge", "Bytes the tier's files take on disk.",
        static_cast<double>(tier->DiskBytes()));
  w.One("strata_tier_demotions_total", "counter", "Values moved to the tier.",
        static_cast<double>(st.demotions.load()));
  w.One("strata_tier_promotions_total", "counter", "Values moved back to memory.",
        static_cast<double>(st.promotions.load()));
  w.One("strata_tier_cold_reads_in_memory_total", "counter",
        "Cold reads served from the block cache or memtables without a wait.",
        static_cast<double>(st.cold_reads_in_memory.load()));
  w.One("strata_tier_evictions_total", "counter", "Keys dropped because the tier was full.",
        static_cast<double>(st.evictions.load()));
  w.One("strata_tier_read_errors_total", "counter", "Cold reads that failed.",
        static_cast<double>(st.read_errors.load()));
  w.Family("strata_tier_cold_read_duration_seconds", "histogram",
           "Latency of the reads of values from the tier.");
  w.Histogram("strata_tier_cold_read_duration_seconds", "", Counts(st.cold_read_latency_us),
              Powers(1, 21), 1e-6, static_cast<double>(st.cold_read_us.load()) / 1e6);
}

}  // namespace

std::string PrometheusText(Server& server) {
  PromWriter w;
  ExportClients(server, w);
  ExportMemory(server, w);
  ExportKeyspace(server, w);
  ExportCommands(server, w);
  ExportWal(server, w);
  ExportSnapshots(server, w);
  ExportTier(server, w);
  return w.Take();
}

}  // namespace strata::server
