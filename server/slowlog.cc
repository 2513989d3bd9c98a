#include "server/slowlog.h"

#include <algorithm>

namespace strata::server {

void SlowLog::Push(std::span<const std::string_view> args, int64_t time_s, int64_t duration_us,
                   std::string addr, std::string name) {
  SlowLogEntry e;
  e.time_s = time_s;
  e.duration_us = duration_us;
  e.addr = std::move(addr);
  e.name = std::move(name);
  const size_t kept = std::min(args.size(), kMaxArgs);
  for (size_t i = 0; i < kept; ++i) {
    if (kept < args.size() && i == kept - 1) {
      e.args.push_back("... (" + std::to_string(args.size() - kept + 1) + " more arguments)");
    } else if (args[i].size() > kMaxArgBytes) {
      e.args.push_back(std::string(args[i].substr(0, kMaxArgBytes)) + "... (" +
                       std::to_string(args[i].size() - kMaxArgBytes) + " more bytes)");
    } else {
      e.args.emplace_back(args[i]);
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  e.id = next_id_++;
  entries_.push_front(std::move(e));
  const uint64_t max = max_len_.load(std::memory_order_relaxed);
  while (entries_.size() > max) entries_.pop_back();
}

std::vector<SlowLogEntry> SlowLog::Newest(int64_t count) const {
  std::lock_guard<std::mutex> l(mu_);
  const size_t n = count < 0 ? entries_.size()
                             : std::min(entries_.size(), static_cast<size_t>(count));
  return std::vector<SlowLogEntry>(entries_.begin(), entries_.begin() + n);
}

size_t SlowLog::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return entries_.size();
}

void SlowLog::Reset() {
  std::lock_guard<std::mutex> l(mu_);
  entries_.clear();
}

}  // namespace strata::server
