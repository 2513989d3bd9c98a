// Metrics as a monitoring system sees them: Strata's own Prometheus endpoint (metrics-port),
// checked by `promtool check metrics` and for families that move as commands run, and Debian's
// prometheus-redis-exporter scraping Strata as it scrapes redis-server 7.0: no scrape error,
// and every metric family it gives for redis-server also given for Strata, save those of
// features Strata does not have (kAbsentWithReason). promtool (package prometheus) and the
// exporter (prometheus-redis-exporter) come from scripts/install-deps.sh: without them these
// tests fail.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/process_util.h"
#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";
constexpr const char* kExporter = "/usr/bin/prometheus-redis-exporter";

// An HTTP/1.1 GET of 127.0.0.1:port/path: the status code and the body; nullopt when nothing
// answered within 10 s.
struct HttpReply {
  int status = 0;
  std::string body;
};
std::optional<HttpReply> HttpGet(int port, const std::string& path,
                                 const std::string& method = "GET") {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string raw;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string req = method + " " + path +
                            " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      for (;;) {
        pollfd p{fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[65536];
        const ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        raw.append(buf, static_cast<size_t>(n));
      }
    }
  }
  close(fd);
  const size_t end = raw.find("\r\n\r\n");
  if (!raw.starts_with("HTTP/1.") || end == std::string::npos) return std::nullopt;
  HttpReply r;
  r.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  r.body = raw.substr(end + 4);
  std::string head = raw.substr(0, end);
  for (char& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (head.find("transfer-encoding: chunked") != std::string::npos) {  // the exporter's (Go's)
    std::string body;
    size_t pos = 0;
    for (;;) {
      const size_t eol = r.body.find("\r\n", pos);
      if (eol == std::string::npos) return std::nullopt;
      const size_t n = std::strtoul(r.body.c_str() + pos, nullptr, 16);
      if (n == 0) break;
      body += r.body.substr(eol + 2, n);
      pos = eol + 2 + n + 2;
    }
    r.body = std::move(body);
  }
  return r;
}

// The metric families of an exposition: sample names without their _bucket, _sum and _count
// suffixes where a TYPE line says histogram or summary.
std::set<std::string> Families(const std::string& text) {
  std::set<std::string> out, aggregated;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# TYPE ")) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      if (type == "histogram" || type == "summary") aggregated.insert(name);
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::string name = line.substr(0, line.find_first_of("{ "));
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s = suffix;
      if (name.ends_with(s) && aggregated.count(name.substr(0, name.size() - s.size()))) {
        name.resize(name.size() - s.size());
      }
    }
    out.insert(name);
  }
  return out;
}

// The value of the sample `series` (name with its labels, exactly as printed), or nullopt.
std::optional<double> Sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(series + " ")) return std::strtod(line.c_str() + series.size() + 1, nullptr);
  }
  return std::nullopt;
}

// Runs a shell command; its exit code and what it printed (stdout and stderr).
std::pair<int, std::string> Shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, ""};
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// `promtool check metrics` on `text` (its standard input): exit code and output.
std::pair<int, std::string> Promtool(const std::string& text) {
  TempDir dir;
  const std::string file = dir.path() + "/metrics.txt";
  FILE* f = fopen(file.c_str(), "w");
  if (f == nullptr) return {-1, "cannot write " + file};
  fwrite(text.data(), 1, text.size(), f);
  fclose(f);
  return Shell(std::string(kPromtool) + " check metrics < " + file);
}

std::string Fetch(int port) {
  std::optional<HttpReply> r = HttpGet(port, "/metrics");
  if (!r || r->status != 200) {
    ADD_FAILURE() << "GET /metrics on port " << port << " failed";
    return "";
  }
  return r->body;
}

class MetricsEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    metrics_port_ = PickFreePort();
    std::string error;
    server_ = ServerProcess::StartStrata(
        {"--metrics-port", std::to_string(metrics_port_), "--appendfsync", "always"}, &error);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_TRUE(WaitUntil(std::chrono::seconds(10),
                          [&] { return HttpGet(metrics_port_, "/metrics").has_value(); }))
        << server_->Log();
    conn_ = Connect(server_->port());
    ASSERT_NE(conn_, nullptr);
  }

  int metrics_port_ = 0;
  std::unique_ptr<ServerProcess> server_;
  RedisConnection conn_;
};

TEST_F(MetricsEndpointTest, PromtoolAcceptsTheOutput) {
  ASSERT_EQ(access(kPromtool, X_OK), 0) << kPromtool << " missing: run scripts/install-deps.sh";
  for (int i = 0; i < 20; ++i) Command(conn_.get(), {"SET", "k" + std::to_string(i), "v"});
  Command(conn_.get(), {"GET", "k1"});
  Command(conn_.get(), {"LPUSH", "k1", "x"});  // a WRONGTYPE error
  const std::string text = Fetch(metrics_port_);
  const auto [code, out] = Promtool(text);
  EXPECT_EQ(code, 0) << out << "\n" << text;
  EXPECT_EQ(out, "") << "promtool's lint found problems";
}

TEST_F(MetricsEndpointTest, FamiliesMoveAsCommandsRun) {
  const std::string before = Fetch(metrics_port_);
  for (const char* family :
       {"strata_connected_clients", "strata_memory_used_bytes", "strata_keyspace_hits_total",
        "strata_commands_total", "strata_command_duration_seconds", "strata_wal_appends_total",
        "strata_wal_fsync_duration_seconds", "strata_wal_group_commit_records",
        "strata_snapshots_total", "strata_tier_enabled", "strata_error_replies_total"}) {
    EXPECT_TRUE(Families(before).count(family)) << family << "\n" << before;
  }
  for (int i = 0; i < 3; ++i) Command(conn_.get(), {"SET", "key" + std::to_string(i), "v"});
  Command(conn_.get(), {"GET", "key0"});
  Command(conn_.get(), {"GET", "nosuch"});
  Command(conn_.get(), {"LPUSH", "key0", "x"});
  const std::string after = Fetch(metrics_port_);
  EXPECT_EQ(Sample(before, "strata_commands_total{cmd=\"set\"}"), std::nullopt);
  EXPECT_EQ(Sample(after, "strata_commands_total{cmd=\"set\"}"), 3);
  EXPECT_EQ(Sample(after, "strata_command_duration_seconds_count{cmd=\"set\"}"), 3);
  EXPECT_EQ(Sample(after, "strata_command_duration_seconds_bucket{cmd=\"set\",le=\"+Inf\"}"), 3);
  EXPECT_GT(*Sample(after, "strata_command_duration_seconds_sum{cmd=\"set\"}"), 0);
  EXPECT_EQ(Sample(after, "strata_db_keys{db=\"db0\"}"), 3);
  EXPECT_EQ(Sample(after, "strata_keyspace_hits_total"), *Sample(before, "strata_keyspace_hits_total") + 1);
  EXPECT_EQ(Sample(after, "strata_keyspace_misses_total"),
            *Sample(before, "strata_keyspace_misses_total") + 1);
  EXPECT_EQ(Sample(after, "strata_errors_total{err=\"WRONGTYPE\"}"), 1);
  EXPECT_EQ(Sample(after, "strata_wal_appends_total"), *Sample(before, "strata_wal_appends_total") + 3);
  // appendfsync always: every write was made durable by an fdatasync, each of one record or more.
  EXPECT_GT(*Sample(after, "strata_wal_fsync_duration_seconds_count"),
            *Sample(before, "strata_wal_fsync_duration_seconds_count"));
  EXPECT_GE(*Sample(after, "strata_wal_group_commit_records_sum"),
            *Sample(before, "strata_wal_group_commit_records_sum") + 3);
  EXPECT_GE(*Sample(after, "strata_connections_received_total"), 1);
}

// Scrapes while a client runs commands and resets the statistics: the workers write the
// per-worker histograms while the metrics thread merges them (the ThreadSanitizer build runs
// this test: a race stops the server, and a scrape fails).
TEST_F(MetricsEndpointTest, ScrapesWhileCommandsRun) {
  std::atomic<bool> done{false};
  std::thread client([&] {
    RedisConnection c = Connect(server_->port());
    for (int i = 0; i < 3000 && c != nullptr; ++i) {
      Command(c.get(), {"SET", "k" + std::to_string(i % 100), "v"});
      Command(c.get(), {"GET", "k" + std::to_string(i % 50)});
      if (i % 500 == 0) Command(c.get(), {"CONFIG", "RESETSTAT"});
    }
    done = true;
  });
  int scrapes = 0;
  while (!done || scrapes < 5) {
    std::optional<HttpReply> r = HttpGet(metrics_port_, "/metrics");
    ASSERT_TRUE(r.has_value() && r->status == 200) << server_->Log();
    EXPECT_NE(r->body.find("strata_commands_total"), std::string::npos);
    ++scrapes;
  }
  client.join();
  EXPECT_EQ(Sample(Fetch(metrics_port_), "strata_commands_total{cmd=\"set\"}"), 499);
}

TEST_F(MetricsEndpointTest, OtherPathsAndMethodsAreRefused) {
  std::optional<HttpReply> r = HttpGet(metrics_port_, "/");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
  r = HttpGet(metrics_port_, "/metrics", "POST");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
  r = HttpGet(metrics_port_, "/metrics?x=1");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

TEST(MetricsPortTest, APortInUseStopsStartUp) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string error;
  auto server = ServerProcess::StartStrata({"--metrics-port", std::to_string(ntohs(addr.sin_port))},
                                           &error);
  close(fd);
  EXPECT_EQ(server, nullptr);
  EXPECT_NE(error.find("metrics-port"), std::string::npos) << error;
}

// With the overflow tier on, its families are there and its cold reads show in the latency
// histogram as INFO counts them.
TEST(MetricsTierTest, ColdReadsShowInTheHistogram) {
#ifdef STRATA_TSAN
  // Debian's librocksdb is not instrumented: ThreadSanitizer takes its write batches, which the
  // demotions of two threads fill, for a race (the tier's own tests are not in this build).
  GTEST_SKIP() << "the overflow tier does not run under ThreadSanitizer";
#endif
  ASSERT_EQ(access(kPromtool, X_OK), 0) << kPromtool << " missing: run scripts/install-deps.sh";
  const int metrics_port = PickFreePort();
  std::string error;
  auto server = ServerProcess::StartStrata({"--maxmemory", "1mb", "--tier-dir", "tier", "--save",
                                            "", "--metrics-port", std::to_string(metrics_port)},
                                           &error);
  ASSERT_NE(server, nullptr) << error;
  RedisConnection c = Connect(server->port());
  ASSERT_NE(c, nullptr);
  for (int i = 0; i < 2000; ++i) {
    Command(c.get(), {"SET", "k" + std::to_string(i), std::string(2000, static_cast<char>('a' + i % 26))});
  }
  ASSERT_TRUE(WaitUntil(std::chrono::seconds(20), [&] {
    return Sample(Fetch(metrics_port), "strata_tier_keys").value_or(0) > 1000;
  }));
  for (int i = 0; i < 2000; i += 10) Command(c.get(), {"GET", "k" + std::to_string(i)});
  const std::string text = Fetch(metrics_port);
  ReplyPtr info = Command(c.get(), {"INFO", "tier"});
  ASSERT_NE(info, nullptr);
  const double cold_reads = std::stod(InfoField(info->str, "tier_cold_reads"));
  EXPECT_GT(cold_reads, 0);
  EXPECT_EQ(Sample(text, "strata_tier_cold_read_duration_seconds_count"), cold_reads);
  EXPECT_EQ(Sample(text, "strata_tier_enabled"), 1);
  EXPECT_GT(*Sample(text, "strata_tier_demotions_total"), 1000);
  EXPECT_GT(*Sample(text, "strata_tier_disk_bytes"), 0);
  const auto [code, out] = Promtool(text);
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "");
}

// Families the exporter derives from redis-server 7.0 that Strata cannot give, and why.
const std::map<std::string, std::string> kAbsentWithReason = {
    {"redis_active_defrag_running", "no active defragmentation"},
    {"redis_defrag_hits", "no active defragmentation"},
    {"redis_defrag_misses", "no active defragmentation"},
    {"redis_defrag_key_hits", "no active defragmentation"},
    {"redis_defrag_key_misses", "no active defragmentation"},
    {"redis_aof_current_rewrite_duration_sec", "the WAL is never rewritten (snapshots trim it)"},
    {"redis_aof_last_bgrewrite_status", "the WAL is never rewritten (snapshots trim it)"},
    {"redis_aof_last_cow_size_bytes", "no fork"},
    {"redis_aof_last_rewrite_duration_sec", "the WAL is never rewritten (snapshots trim it)"},
    {"redis_aof_rewrite_scheduled", "the WAL is never rewritten (snapshots trim it)"},
    {"redis_latest_fork_seconds", "no fork"},
    {"redis_module_fork_in_progress", "no modules, no fork"},
    {"redis_module_fork_last_cow_size", "no modules, no fork"},
    {"redis_cpu_sys_main_thread_seconds_total", "no main thread runs commands (workers do)"},
    {"redis_cpu_user_main_thread_seconds_total", "no main thread runs commands (workers do)"},
    {"redis_io_threaded_reads_processed", "no I/O threads: each worker reads its own clients"},
    {"redis_io_threaded_writes_processed", "no I/O threads: each worker writes its own clients"},
    {"redis_expired_stale_percentage", "active expiry keeps no such estimate"},
    {"redis_expired_time_cap_reached_total", "active expiry keeps no such count"},
    {"redis_mem_not_counted_for_eviction_bytes", "no replication or AOF buffers"},
    {"redis_migrate_cached_sockets_total", "no MIGRATE"},
    {"redis_dump_payload_sanitizations", "no RESTORE"},
    {"redis_master_repl_offset", "no replication"},
    {"redis_second_repl_offset", "no replication"},
    {"redis_repl_backlog_first_byte_offset", "no replication"},
    {"redis_repl_backlog_history_bytes", "no replication"},
    {"redis_repl_backlog_is_active", "no replication"},
    {"redis_replication_backlog_bytes", "no replication"},
    {"redis_replica_partial_resync_accepted", "no replication"},
    {"redis_replica_partial_resync_denied", "no replication"},
    {"redis_replica_resyncs_full", "no replication"},
    {"redis_slave_expires_tracked_keys", "no replication"},
};

// Families from INFO fields Strata gives only in some builds or versions: expected exactly where
// Strata's INFO has the field (jemalloc's figures, not in the sanitizer builds; client-side
// caching's counts, once the server keeps them).
const std::map<std::string, std::string> kWhereInfoHas = {
    {"redis_allocator_active_bytes", "allocator_active"},
    {"redis_allocator_allocated_bytes", "allocator_allocated"},
    {"redis_allocator_frag_bytes", "allocator_frag_bytes"},
    {"redis_allocator_frag_ratio", "allocator_frag_ratio"},
    {"redis_allocator_resident_bytes", "allocator_resident"},
    {"redis_allocator_rss_bytes", "allocator_rss_bytes"},
    {"redis_allocator_rss_ratio", "allocator_rss_ratio"},
    {"redis_tracking_total_items", "tracking_total_items"},
    {"redis_tracking_total_keys", "tracking_total_keys"},
    {"redis_tracking_total_prefixes", "tracking_total_prefixes"},
};

// Starts the exporter against 127.0.0.1:redis_port and returns one scrape of it.
std::string ScrapeThroughExporter(int redis_port, const TempDir& dir) {
  const int web_port = PickFreePort();
  const pid_t pid = SpawnWithEnv(
      {kExporter, "--redis.addr=redis://127.0.0.1:" + std::to_string(redis_port),
       "--web.listen-address=127.0.0.1:" + std::to_string(web_port)},
      {}, dir.path() + "/exporter-" + std::to_string(redis_port) + ".log");
  ChildGuard guard(pid);
  std::string text;
  WaitUntil(std::chrono::seconds(10), [&] {
    std::optional<HttpReply> r = HttpGet(web_port, "/metrics");
    if (!r || r->status != 200) return false;
    text = r->body;
    return true;
  });
  return text;
}

TEST(ExporterTest, ScrapesStrataAsRedis) {
  ASSERT_EQ(access(kExporter, X_OK), 0) << kExporter << " missing: run scripts/install-deps.sh";
  std::string error;
  auto strata = ServerProcess::StartStrata({}, &error);
  ASSERT_NE(strata, nullptr) << error;
  auto redis = ServerProcess::StartRedis({}, &error);
  ASSERT_NE(redis, nullptr) << "redis-server is needed for the comparison: " << error;
  for (ServerProcess* s : {strata.get(), redis.get()}) {
    RedisConnection c = Connect(s->port());
    ASSERT_NE(c, nullptr);
    // Something in every family that only shows once used: keys in db0 and db1, an error.
    Command(c.get(), {"SET", "a", "1"});
    Command(c.get(), {"SET", "b", "2", "EX", "100"});
    Command(c.get(), {"GET", "a"});
    Command(c.get(), {"LPUSH", "a", "x"});
    Command(c.get(), {"SELECT", "1"});
    Command(c.get(), {"SET", "c", "3"});
  }
  TempDir dir;
  const std::string from_strata = ScrapeThroughExporter(strata->port(), dir);
  const std::string from_redis = ScrapeThroughExporter(redis->port(), dir);
  ASSERT_FALSE(from_strata.empty());
  ASSERT_FALSE(from_redis.empty());
  EXPECT_EQ(Sample(from_strata, "redis_up"), 1) << from_strata;
  EXPECT_EQ(Sample(from_strata, "redis_exporter_last_scrape_error{err=\"\"}"), 0) << from_strata;
  EXPECT_EQ(Sample(from_strata, "redis_db_keys{db=\"db0\"}"), 2);
  EXPECT_EQ(Sample(from_strata, "redis_db_keys{db=\"db1\"}"), 1);
  EXPECT_EQ(Sample(from_strata, "redis_db_keys_expiring{db=\"db0\"}"), 1);
  EXPECT_EQ(Sample(from_strata, "redis_commands_total{cmd=\"set\"}"), 3);
  EXPECT_EQ(Sample(from_strata, "redis_errors_total{err=\"WRONGTYPE\"}"), 1);
  EXPECT_GE(*Sample(from_strata, "redis_keyspace_hits_total"), 1);
  EXPECT_GT(*Sample(from_strata, "redis_memory_used_bytes"), 0);
  const std::set<std::string> strata_families = Families(from_strata);
  RedisConnection c = Connect(strata->port());
  ASSERT_NE(c, nullptr);
  ReplyPtr info = Command(c.get(), {"INFO", "all"});
  ASSERT_NE(info, nullptr);
  for (const std::string& family : Families(from_redis)) {
    if (family.starts_with("go_") || family.starts_with("process_") ||
        family.starts_with("promhttp_") || kAbsentWithReason.count(family)) {
      continue;
    }
    const auto field = kWhereInfoHas.find(family);
    const bool expected =
        field == kWhereInfoHas.end() || !InfoField(info->str, field->second).empty();
    EXPECT_EQ(strata_families.count(family), expected ? 1u : 0u)
        << family << (expected ? " is given for redis-server only" : " without its INFO field");
  }
  // Each family listed as absent is absent indeed (or the list is out of date).
  for (const auto& [family, why] : kAbsentWithReason) {
    EXPECT_FALSE(strata_families.count(family)) << family << " is there now: " << why << "?";
  }
}

}  // namespace
}  // namespace strata::integration
