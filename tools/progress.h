// Progress lines for long reads: at most one every Context::progress_every_ms, so that a read
// that ends sooner says nothing. Not thread safe: one reader thread uses one Progress.
#pragma once

#include <cstdint>
#include <string>

#include "tools/inspect.h"

namespace strata::tools {

class Progress {
 public:
  // `what` names the file being read; total_bytes is its size (0 = unknown). ctx is borrowed
  // and must outlive this object.
  Progress(const Context& ctx, std::string what, uint64_t total_bytes);

  // Reports `done_bytes` of the file read and `items` (keys, records) seen so far, if the last
  // report is old enough.
  void Update(uint64_t done_bytes, uint64_t items, const char* item_name);

 private:
  const Context& ctx_;
  const std::string what_;
  const uint64_t total_bytes_;
  const int64_t start_us_;
  int64_t last_us_;
};

}  // namespace strata::tools
