// Helpers shared by the wal/ unit tests.
#pragma once

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/temp_dir.h"
#include "wal/reader.h"

namespace strata::wal::testing {

using ::strata::ReadFileOrDie;
using ::strata::TempDir;
using ::strata::WriteFileOrDie;


// Segment file names in dir, in LSN order.
inline std::vector<std::string> SegmentPaths(const std::string& dir) {
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    uint64_t lsn;
    if (ParseSegmentFileName(e.path().filename().string(), &lsn)) paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

using Records = std::vector<std::pair<uint64_t, std::string>>;

// Replays dir, collecting every record.
inline Result<ReplayResult> ReplayAll(ReplayOptions options, Records* out) {
  out->clear();
  return Replay(options, [out](uint64_t lsn, std::string_view payload) {
    out->emplace_back(lsn, std::string(payload));
    return Status::Ok();
  });
}

inline Result<ReplayResult> ReplayAll(const std::string& dir, Records* out, bool truncate = true) {
  ReplayOptions options;
  options.dir = dir;
  options.truncate_torn_tail = truncate;
  return ReplayAll(options, out);
}

}  // namespace strata::wal::testing
