// LATENCY GRAPH and LATENCY DOCTOR: the human-readable views of the latency monitor, in Redis
// 7.0's formats and words.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "server/latency.h"

namespace strata::server {

namespace {

// How long ago, as LATENCY GRAPH labels a sample: "12s", "3m", "5h", "2d".
std::string Age(int64_t seconds) {
  if (seconds < 60) return std::to_string(seconds) + "s";
  if (seconds < 3600) return std::to_string(seconds / 60) + "m";
  if (seconds < 3600 * 24) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / (3600 * 24)) + "d";
}

// Rows of a filled sparkline of `values` (min at the bottom, max at the top), then a blank row
// and the labels written downwards, one character per row.
void Sparkline(const std::vector<uint32_t>& values, const std::vector<std::string>& labels,
               uint32_t min, uint32_t max, std::string* out) {
  constexpr int kRows = 4;
  constexpr std::string_view kFill = "_o#";
  const int levels = static_cast<int>(kFill.size()) * kRows;
  const double range = max > min ? static_cast<double>(max - min) : 1.0;
  const size_t n = values.size();
  size_t longest = 0;
  for (const std::string& l : labels) longest = std::max(longest, l.size());
  for (int row = 0; row < kRows; ++row) {
    std::string line(n, ' ');
    for (size_t j = 0; j < n; ++j) {
      const double relval = static_cast<double>(values[j] - min);
      int level = static_cast<int>(static_cast<double>(static_cast<int64_t>(relval * levels)) / range);
      level = std::clamp(level, 0, levels - 1);
      const int idx = level - (kRows - row - 1) * static_cast<int>(kFill.size());
      if (idx >= 0 && idx < static_cast<int>(kFill.size())) {
        line[j] = kFill[idx];
      } else if (idx >= static_cast<int>(kFill.size())) {
        line[j] = '|';
      }
    }
    *out += line + "\n";
  }
  *out += std::string(n, ' ') + "\n";
  for (size_t c = 0; c < longest; ++c) {
    std::string line(n, ' ');
    for (size_t j = 0; j < n; ++j) {
      if (c < labels[j].size()) line[j] = labels[j][c];
    }
    *out += line + "\n";
  }
}

}  // namespace

std::string LatencyGraph(const LatencyMonitor::EventSeries& series, int64_t now_s) {
  constexpr size_t kColumns = 80;
  std::vector<uint32_t> values;
  std::vector<std::string> labels;
  uint32_t min = 0, max = 0;
  for (const LatencyMonitor::Sample& s : series.samples) {
    if (values.empty()) min = max = s.ms;
    min = std::min(min, s.ms);
    max = std::max(max, s.ms);
    values.push_back(s.ms);
    labels.push_back(Age(now_s - s.time_s));
  }
  std::string out = series.event + " - high " + std::to_string(max) + " ms, low " +
                    std::to_string(min) + " ms (all time high " + std::to_string(series.max_ms) +
                    " ms)\n" + std::string(kColumns, '-') + "\n";
  // A graph of 80 columns at most: more samples continue in another block below.
  for (size_t from = 0; from < values.size(); from += kColumns) {
    const size_t to = std::min(values.size(), from + kColumns);
    Sparkline({values.begin() + from, values.begin() + to},
              {labels.begin() + from, labels.begin() + to}, min, max, &out);
  }
  return out;
}

std::string LatencyDoctor(const LatencyMonitor& monitor, const DoctorSettings& settings,
                          int64_t now_s) {
  const std::vector<LatencyMonitor::EventSeries> all = monitor.All();
  if (all.empty() && monitor.threshold_ms() == 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  enum Advice {
    kSlowlogEnable, kSlowlogTune, kSlowlogInspect, kScheduler, kLocalDisk, kSsd, kDiskContention,
    kRelaxFsync, kHz, kLargeObjects, kMassEviction, kTierSize, kAdviceCount
  };
  bool advise[kAdviceCount] = {};
  int advices = 0;
  auto want = [&](std::initializer_list<Advice> list) {
    for (Advice a : list) advise[a] = true;
    advices += static_cast<int>(list.size());
  };
  std::string out;
  int n = 0;
  for (const LatencyMonitor::EventSeries& e : all) {
    if (++n == 1) {
      out += "Dave, I have observed latency spikes in this Redis instance. You don't mind "
             "talking about it, do you Dave?\n\n";
    }
    // Average, mean absolute deviation, and seconds since the oldest sample.
    uint64_t sum = 0;
    int64_t oldest = 0;
    for (const LatencyMonitor::Sample& s : e.samples) {
      sum += s.ms;
      if (oldest == 0 || s.time_s < oldest) oldest = s.time_s;
    }
    const uint64_t count = e.samples.size();
    const uint64_t avg = count ? sum / count : 0;
    uint64_t dev = 0;
    for (const LatencyMonitor::Sample& s : e.samples) {
      dev += static_cast<uint64_t>(std::llabs(static_cast<int64_t>(avg) - static_cast<int64_t>(s.ms)));
    }
    const uint64_t mad = count ? dev / count : 0;
    const int64_t period = count ? std::max<int64_t>(1, now_s - oldest) : 0;
    char line[512];
    std::snprintf(line, sizeof(line),
                  "%d. %s: %d latency spikes (average %llums, mean deviation %llums, period %.2f "
                  "sec). Worst all time event %lums.\n",
                  n, e.event.c_str(), static_cast<int>(count), static_cast<unsigned long long>(avg),
                  static_cast<unsigned long long>(mad),
                  count ? static_cast<double>(period) / static_cast<double>(count) : 0.0,
                  static_cast<unsigned long>(e.max_ms));
    out += line;
    const std::string& ev = e.event;
    if (ev == "command") {
      if (settings.slowlog_log_slower_than_us < 0 || settings.slowlog_max_len == 0) {
        want({kSlowlogEnable});
      } else if (settings.slowlog_log_slower_than_us / 1000 > monitor.threshold_ms()) {
        want({kSlowlogTune});
      }
      want({kSlowlogInspect, kLargeObjects});
    } else if (ev == "fast-command") {
      want({kScheduler});
    } else if (ev == "wal-fsync") {
      want({kRelaxFsync, kLocalDisk, kSsd});
    } else if (ev == "wal-write" || ev == "snapshot-step") {
      want({kDiskContention, kLocalDisk});
    } else if (ev == "tier-read") {
      want({kTierSize, kSsd});
    } else if (ev == "expire-cycle") {
      want({kHz, kLargeObjects});
    } else if (ev == "eviction-cycle") {
      want({kMassEviction});
    }
  }
  if (n == 0 && advices == 0) {
    return "Dave, no latency spike was observed during the lifetime of this Redis instance, not "
           "in the slightest bit. I honestly think you ought to sit down calmly, take a stress "
           "pill, and think things over.\n";
  }
  if (advices == 0) {
    return out + "\nWhile there are latency events logged, I'm not able to suggest any easy fix. "
                 "Please use the Redis community to get some help, providing this report in your "
                 "help request.\n";
  }
  out += "\nI have a few advices for you:\n\n";
  const std::string slowlog_us = std::to_string(monitor.threshold_ms() * 1000);
  if (advise[kSlowlogEnable]) {
    out += "- There are latency issues with potentially slow commands you are using. Try to "
           "enable the Slow Log Redis feature using the command 'CONFIG SET "
           "slowlog-log-slower-than " + slowlog_us + "'. If the Slow log is disabled Redis is "
           "not able to log slow commands execution for you.\n";
  }
  if (advise[kSlowlogTune]) {
    out += "- Your current Slow Log configuration only logs events that are slower than your "
           "configured latency monitor threshold. Please use 'CONFIG SET "
           "slowlog-log-slower-than " + slowlog_us + "'.\n";
  }
  if (advise[kSlowlogInspect]) {
    out += "- Check your Slow Log to understand what are the commands you are running which are "
           "too slow to execute. Please check https://redis.io/commands/slowlog for more "
           "information.\n";
  }
  if (advise[kScheduler]) {
    out += "- The system is slow to execute Redis code paths not containing system calls. This "
           "usually means the system does not provide Redis CPU time to run for long periods. "
           "You should try to:\n"
           "  1) Lower the system load.\n"
           "  2) Use a computer / VM just for Redis if you are running other software in the "
           "same system.\n"
           "  3) Check if you have a \"noisy neighbour\" problem.\n"
           "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in "
           "your system.\n"
           "  5) Check if the problem is allocator-related by recompiling Redis with "
           "MALLOC=libc, if you are using Jemalloc. However this may create fragmentation "
           "problems.\n";
  }
  if (advise[kLocalDisk]) {
    out += "- It is strongly advised to use local disks for persistence, especially if you are "
           "using AOF. Remote disks provided by platform-as-a-service providers are known to be "
           "slow.\n";
  }
  if (advise[kSsd]) {
    out += "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting "
           "and AOF log rewriting (resulting in smaller memory usage). With extremely high write "
           "load SSD disks can be a good option. However Redis should perform reasonably with "
           "high load using normal disks. Use this advice as a last resort.\n";
  }
  if (advise[kDiskContention]) {
    out += "- Try to lower the disk contention. This is often caused by other disk intensive "
           "processes running in the same computer (including other Redis instances).\n";
  }
  if (advise[kRelaxFsync] && settings.appendfsync_always) {
    out += "- Your fsync policy is set to 'always'. It is very hard to get good performances "
           "with such a setup, if possible try to relax the fsync policy to 'onesec'.\n";
  }
  if (advise[kTierSize]) {
    out += "- Reads from the overflow tier wait for the disk. If they are frequent, the working "
           "set does not fit in maxmemory: raise maxmemory, or keep fewer hot keys.\n";
  }
  if (advise[kHz] && settings.hz < 100) {
    out += "- In order to make the Redis keys expiring process more incremental, try to set the "
           "'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
  }
  if (advise[kLargeObjects]) {
    out += "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
           "blocking operation. If you have very large objects that are often deleted, expired, "
           "or evicted, try to fragment those objects into multiple smaller objects.\n";
  }
  if (advise[kMassEviction]) {
    out += "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large "
           "objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster "
           "large keys migrations (RESTORE command), may create sudden memory pressure forcing "
           "the server to block trying to evict keys. \n";
  }
  return out;
}

}  // namespace strata::server
