// snapshot_probe: write load against a server while it takes a snapshot (or not), measuring what
// the snapshot costs the clients and the machine.
//
//   snapshot_probe --port P --pid PID --mode bgsave|baseline [--seconds S] [--threads 8]
//                  [--keys 10000000] [--value-size 32] [--prefix kkkkkkkk]
//
// --threads writer connections send unpipelined SETs of random keys "<prefix>:<n>", n < --keys
// (the names DEBUG POPULATE <keys> <prefix> gives). A control connection polls INFO persistence
// every 50 ms in both modes (so the two see the same disturbance) and samples the PSS of PID and
// its child processes (a fork-based save's child counts). After 0.5 s of load:
//   bgsave:   sends BGSAVE and stops when rdb_bgsave_in_progress returns to 0;
//   baseline: runs --seconds more.
// --threads 0 measures an idle snapshot. One line out:
//   mode=.. secs=.. ops=.. ops_per_sec=.. p50_us=.. p99_us=.. p999_us=.. max_us=..
//   pss_before_kb=.. pss_peak_kb=.. pss_growth_pct=..
#include <dirent.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int port = 6379;
  long pid = 0;
  std::string mode = "bgsave";
  double seconds = 5;
  int threads = 8;
  long keys = 10000000;
  int value_size = 32;
  std::string prefix = "kkkkkkkk";
};

std::atomic<bool> g_stop{false};

void Writer(const Options& o, int id, std::vector<uint32_t>* latencies_us) {
  redisContext* c = redisConnect("127.0.0.1", o.port);
  if (c == nullptr || c->err) {
    std::fprintf(stderr, "snapshot_probe: connect failed\n");
    std::exit(1);
  }
  std::mt19937_64 rng(id * 7919 + 1);
  const std::string value(static_cast<size_t>(o.value_size), 'w');
  latencies_us->reserve(1 << 20);
  while (!g_stop.load(std::memory_order_relaxed)) {
    const std::string key = o.prefix + ":" + std::to_string(rng() % static_cast<uint64_t>(o.keys));
    const auto t0 = Clock::now();
    auto* r = static_cast<redisReply*>(
        redisCommand(c, "SET %b %b", key.data(), key.size(), value.data(), value.size()));
    const auto t1 = Clock::now();
    if (r == nullptr) break;
    freeReplyObject(r);
    latencies_us->push_back(static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()));
  }
  redisFree(c);
}

long PssKb(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Pss:", 0) == 0) return std::atol(line.c_str() + 4);
  }
  return 0;
}

// PSS of pid and its children (a forked save child's private pages are the fork's cost).
long TreePssKb(long pid) {
  long total = PssKb(pid);
  DIR* d = opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
  if (d == nullptr) return total;
  while (dirent* t = readdir(d)) {
    if (t->d_name[0] == '.') continue;
    std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + t->d_name + "/children");
    long child;
    while (in >> child) total += PssKb(child);
  }
  closedir(d);
  return total;
}

int BgsaveInProgress(redisContext* c) {
  auto* r = static_cast<redisReply*>(redisCommand(c, "INFO persistence"));
  if (r == nullptr || r->type != REDIS_REPLY_STRING) return -1;
  const char* at = std::strstr(r->str, "rdb_bgsave_in_progress:");
  const int v = at ? std::atoi(at + std::strlen("rdb_bgsave_in_progress:")) : -1;
  freeReplyObject(r);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--port") o.port = std::atoi(v.c_str());
    else if (a == "--pid") o.pid = std::atol(v.c_str());
    else if (a == "--mode") o.mode = v;
    else if (a == "--seconds") o.seconds = std::atof(v.c_str());
    else if (a == "--threads") o.threads = std::atoi(v.c_str());
    else if (a == "--keys") o.keys = std::atol(v.c_str());
    else if (a == "--value-size") o.value_size = std::atoi(v.c_str());
    else if (a == "--prefix") o.prefix = v;
    else {
      std::fprintf(stderr, "snapshot_probe: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  redisContext* ctl = redisConnect("127.0.0.1", o.port);
  if (ctl == nullptr || ctl->err || o.pid <= 0) {
    std::fprintf(stderr, "snapshot_probe: need a server on --port and its --pid\n");
    return 2;
  }
  std::vector<std::vector<uint32_t>> lat(o.threads);
  std::vector<std::thread> writers;
  for (int t = 0; t < o.threads; ++t) writers.emplace_back(Writer, std::cref(o), t, &lat[t]);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (auto& v : lat) v.clear();  // racy but harmless: drops warm-up samples (best effort)

  const long pss_before = TreePssKb(o.pid);
  long pss_peak = pss_before;
  const auto start = Clock::now();
  if (o.mode == "bgsave") {
    auto* r = static_cast<redisReply*>(redisCommand(ctl, "BGSAVE"));
    if (r == nullptr || r->type == REDIS_REPLY_ERROR) {
      std::fprintf(stderr, "snapshot_probe: BGSAVE failed\n");
      return 1;
    }
    freeReplyObject(r);
  }
  bool seen_running = false;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pss_peak = std::max(pss_peak, TreePssKb(o.pid));
    const int running = BgsaveInProgress(ctl);
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    if (o.mode == "bgsave") {
      if (running == 1) seen_running = true;
      if (running == 0 && (seen_running || secs > 1)) break;
      if (running < 0) return 1;
    } else if (secs >= o.seconds) {
      break;
    }
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  g_stop = true;
  for (auto& t : writers) t.join();
  std::vector<uint32_t> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0u : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf(
      "mode=%s secs=%.2f ops=%zu ops_per_sec=%.0f p50_us=%u p99_us=%u p999_us=%u max_us=%u "
      "pss_before_kb=%ld pss_peak_kb=%ld pss_growth_pct=%.1f\n",
      o.mode.c_str(), secs, all.size(), all.size() / secs, pct(0.50), pct(0.99), pct(0.999),
      all.empty() ? 0u : all.back(), pss_before, pss_peak,
      pss_before > 0 ? 100.0 * (pss_peak - pss_before) / pss_before : 0.0);
  redisFree(ctl);
  return 0;
}
