// SLOWLOG: the commands that took longer than slowlog-log-slower-than microseconds, newest
// first, at most slowlog-max-len of them, as Redis 7.0 records them: an id that RESET does not
// restart, the Unix time the command started, its duration in microseconds, its arguments (at
// most 32, the last then saying how many more; each at most 128 bytes, then how many more
// bytes), the client's address and name. Thread safe: one mutex, taken only for a command
// that is slow enough to be logged (the threshold is read without it).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata::server {

struct SlowLogEntry {
  uint64_t id = 0;
  int64_t time_s = 0;       // Unix time the command started
  int64_t duration_us = 0;  // how long it ran
  std::vector<std::string> args;
  std::string addr;  // "ip:port"
  std::string name;  // CLIENT SETNAME's, or empty
};

class SlowLog {
 public:
  static constexpr size_t kMaxArgs = 32;
  static constexpr size_t kMaxArgBytes = 128;

  // Negative: nothing is logged; 0: every command.
  void set_threshold_us(int64_t us) { threshold_us_.store(us, std::memory_order_relaxed); }
  void set_max_len(uint64_t n) { max_len_.store(n, std::memory_order_relaxed); }
  // Whether a command that ran `duration_us` is to be logged.
  bool Slow(int64_t duration_us) const {
    const int64_t t = threshold_us_.load(std::memory_order_relaxed);
    return t >= 0 && duration_us >= t;
  }
  // Records a command (args as sent; the caller redacts secrets), trimming the oldest past
  // slowlog-max-len.
  void Push(std::span<const std::string_view> args, int64_t time_s, int64_t duration_us,
            std::string addr, std::string name);
  // The newest `count` entries (all for a negative count), newest first.
  std::vector<SlowLogEntry> Newest(int64_t count) const;
  size_t size() const;
  void Reset();

 private:
  std::atomic<int64_t> threshold_us_{10000};
  std::atomic<uint64_t> max_len_{128};
  mutable std::mutex mu_;
  std::deque<SlowLogEntry> entries_;  // GUARDED_BY(mu_), newest first
  uint64_t next_id_ = 0;              // GUARDED_BY(mu_)
};

}  // namespace strata::server
