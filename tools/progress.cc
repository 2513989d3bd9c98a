#include "tools/progress.h"

#include <cstdio>

#include "base/clock.h"
#include "tools/encoding.h"

namespace strata::tools {

Progress::Progress(const Context& ctx, std::string what, uint64_t total_bytes)
    : ctx_(ctx),
      what_(std::move(what)),
      total_bytes_(total_bytes),
      start_us_(MonotonicUs()),
      last_us_(start_us_) {}

void Progress::Update(uint64_t done_bytes, uint64_t items, const char* item_name) {
  if (!ctx_.progress) return;
  const int64_t now = MonotonicUs();
  if (now - last_us_ < ctx_.progress_every_ms * 1000) return;
  last_us_ = now;
  const double secs = static_cast<double>(now - start_us_) / 1e6;
  char buf[160];
  if (total_bytes_ > 0) {
    std::snprintf(buf, sizeof(buf), ": %s of %s (%.1f%%), %llu %s (%.0f/s)",
                  HumanBytes(done_bytes).c_str(), HumanBytes(total_bytes_).c_str(),
                  100.0 * static_cast<double>(done_bytes) / static_cast<double>(total_bytes_),
                  static_cast<unsigned long long>(items), item_name,
                  secs > 0 ? static_cast<double>(items) / secs : 0.0);
  } else {
    std::snprintf(buf, sizeof(buf), ": %s, %llu %s", HumanBytes(done_bytes).c_str(),
                  static_cast<unsigned long long>(items), item_name);
  }
  ctx_.progress(what_ + buf);
}

}  // namespace strata::tools
