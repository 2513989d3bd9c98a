// The snapshot side of strata-inspect, under the operations of inspect.h: reading a snapshot
// block by block through snapshot::FileReader and decoding its entries with engine::RedoReader,
// and choosing the snapshot recovery would load from a directory.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "snapshot/format.h"
#include "tools/inspect.h"

namespace strata::tools {

class KeyStats;

// One fault found in a file: where, and why.
struct Fault {
  std::string file;
  uint64_t offset = 0;
  std::string reason;
  Json ToJson() const;
};
// A fault from a reader's Corruption, whose message is "... in <file> at offset <n>: <reason>"
// (snapshot/FORMAT.md, wal/FORMAT.md); other statuses are a fault at offset 0 of `file`.
Fault FaultFromStatus(const Status& st, const std::string& file);

struct SnapshotScanOptions {
  bool stop_at_first_fault = true;
  // Called with every entry of every block that decoded cleanly (all of a block's entries are
  // checked before the first is passed on). Its error stops the scan and is returned.
  std::function<Status(const KeyRecord&)> on_key;
  // Told the blocks read and keys seen, for progress lines.
  std::string progress_label;
};

struct SnapshotScan {
  bool opened = false;       // the header, footer and trailer are sound
  snapshot::FileMeta meta;   // when opened
  uint64_t blocks_read = 0;  // blocks whose checks passed and entries decoded
  uint64_t keys = 0;         // entries decoded in those blocks
  std::vector<Fault> faults;
  bool ok() const { return opened && faults.empty(); }
};

// Opens path and reads every block in file order (snapshot::FileReader::ScanBlocks), decoding
// every entry: a block must hold put effects only, exactly as many as its index entry says, in
// databases below the header's count. Faults (Open's, a block's, a decoding error) go in the
// result; the status is on_key's error, if any.
Result<SnapshotScan> ScanSnapshot(const std::string& path, const SnapshotScanOptions& options,
                                  const Context& ctx);

// The header and footer of a snapshot: {"path", "version", "id", "created_ms", "created",
// "shards": [{"shard", "lsn", "entries", "raw_bytes", "stored_bytes", "blocks"}], "min_lsn",
// "databases", "blocks", "file_bytes", "raw_bytes", "stored_bytes"}.
Json SnapshotMetaJson(const std::string& path, const snapshot::FileMeta& meta);
uint64_t MinLsn(const snapshot::FileMeta& meta);

// The snapshot recovery would load from dir, chosen by snapshot::ChooseNewestReadable as the
// server chooses it: newest first, the first that opens and reads cleanly (here every block is
// also decoded).
struct SnapshotChoice {
  std::string path;         // empty when no snapshot can be used
  snapshot::FileMeta meta;  // of path
  uint64_t min_lsn = 0;
  // Each snapshot in dir, newest first: {"path", "id", "status": "used" | "damaged" |
  // "not read" (older than the one used: opened only), "fault"?}.
  Json snapshots = Json::array();
  std::vector<Fault> faults;  // of the newer snapshots passed over
  size_t count = 0;           // snapshot files in dir
};
// stats, when given, ends up holding the counts of the chosen snapshot (it is reset before
// each candidate is read).
SnapshotChoice ChooseSnapshot(const std::string& dir, const Context& ctx, KeyStats* stats);

// The snapshot a key-level operation reads for path: the file itself, or for a data directory
// or a directory of snapshots the one recovery would load (a note names it, and says the WAL
// records past it are not included). Corruption when none can be read.
Result<std::string> SnapshotForKeys(const std::string& path, const Context& ctx);

}  // namespace strata::tools
