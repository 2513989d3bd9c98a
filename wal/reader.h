// The WAL reader: replay at start-up (torn-tail handling) and the offline repair.
// Recovery policy (FORMAT.md): a torn tail in the newest segment is the end of the log; damage
// anywhere else stops replay with a Corruption naming the file, the offset and the repair
// command.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/file_layer.h"
#include "base/status.h"
#include "wal/log_format.h"

namespace strata::wal {

struct ReplayOptions {
  std::string dir;
  bool truncate_torn_tail = true;  // false: report only, change nothing (verify)
  uint64_t from_lsn = 1;           // records below are read and checked but not passed to fn
  FileLayer* files = nullptr;      // null = FileLayer::Default(); borrowed
};

struct ReplayResult {
  LogEnd end;
  uint64_t records = 0, bytes = 0, segments = 0;
  // Torn tail (Replay) or what Repair cut. Records are counted as their length fields delimit
  // them, so garbage counts as at least one record; bytes run to the last non-zero byte.
  uint64_t dropped_records = 0, dropped_bytes = 0;
  std::string dropped_file;
  uint64_t dropped_offset = 0;
};

// Reads every segment in LSN order and calls fn(lsn, payload) for each record (fn's error stops
// replay and is returned). A record cut short or failing its CRC in the NEWEST segment is a torn
// tail: it and everything after it in that segment are dropped (zeroed on disk and synced when
// truncate_torn_tail) and reported in the result. Damage anywhere else (a bad record in an older
// segment, a gap or repeat in LSNs, a bad segment header) returns Status::Corruption whose
// message names the file, the byte offset and "run `strata-inspect wal repair <dir>`".
// Leftover temporary segment files are removed when truncate_torn_tail. A missing or empty
// directory is an empty log.
Result<ReplayResult> Replay(
    const ReplayOptions& options,
    const std::function<Status(uint64_t lsn, std::string_view payload)>& fn);

// Cuts the log at its first damage: zeroes from the damaged record to the end of its segment
// (deleting the segment instead when its header is bad) and deletes later segments. Returns what
// it dropped (dropped_* describe the cut; `end` is the repaired log's end). For the offline tool.
Result<ReplayResult> Repair(const std::string& dir, FileLayer* files = nullptr);

}  // namespace strata::wal
