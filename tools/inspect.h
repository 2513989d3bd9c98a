// strata-inspect's operations, as a library: offline inspection, verification and repair of a
// data directory's snapshots and write-ahead log. main.cc is a thin command line over it.
//
// Every operation reads through the readers the server recovers with (snapshot::FileReader,
// engine::RedoReader, wal::Replay, wal::Repair): there is no second parser. None changes its
// input except RepairWal. Memory does not grow with the data: a snapshot is read one block at a
// time (256 KiB of entries as the server writes them, 64 MiB at most by the format), the WAL one
// segment at a time (wal::Replay reads a segment whole: 64 MiB by default).
//
// Paths (see Locate): a data directory (the server's --dir: snapshots in <dir>/snapshots, WAL in
// <dir>/appendonlydir), a snapshot file, a directory of snapshots, a WAL directory or one WAL
// segment. For key-level operations a data directory means the snapshot recovery would load:
// the newest one that opens and reads cleanly, as server/snapshots.cc picks it. WAL records past
// it are not included (a note says so; DumpWal shows them).
//
// Results are JSON documents (Json: fields in the order set), with "ok": false when something
// is damaged or could not be read; text_output.h renders them for people. Operations do not
// throw on bad input files.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tools/encoding.h"

namespace strata::tools {

// What every operation is given: the clock TTLs are measured against, the data directory's
// layout, and where progress and notes go. Borrowed for the duration of one call.
struct Context {
  // "Now" in Unix ms, for TTLs and for whether a key has expired; 0 = the system clock when the
  // operation starts.
  int64_t now_ms = 0;
  // Receives a line of progress (no newline) at most every progress_every_ms while a file is
  // read, so a short read reports nothing. Null = silent. main.cc prints them on stderr.
  std::function<void(const std::string&)> progress;
  int64_t progress_every_ms = 2000;
  // Receives notes for the operator that are not part of the result (which snapshot a data
  // directory resolved to, what is left out). Null = dropped. main.cc prints them on stderr.
  std::function<void(const std::string&)> note;
  // The server's snapshot-dirname and appenddirname: where a data directory keeps each.
  std::string snapshot_dirname = "snapshots";
  std::string wal_dirname = "appendonlydir";
};

// What a path names.
struct Location {
  enum class Kind {
    kDataDir,       // has a snapshot or WAL subdirectory (Context's names)
    kSnapshotFile,  // a file starting with the snapshot magic
    kSnapshotDir,   // a directory holding snapshot files
    kWalDir,        // a directory holding WAL segments, or any other directory (an empty log)
    kWalSegment,    // a file starting with the WAL segment magic
  };
  Kind kind = Kind::kDataDir;
  std::string path;          // as given
  std::string snapshot_dir;  // kDataDir, kSnapshotDir: where snapshots are (may not exist)
  std::string wal_dir;       // kDataDir, kWalDir: the WAL directory (may not exist)
};
// Looks at path (a file's first 8 bytes, a directory's entries). NotFound if it does not exist,
// InvalidArgument for a file that is neither a snapshot nor a WAL segment.
Result<Location> Locate(const std::string& path, const Context& ctx);

// ---- Snapshots (a data dir, a snapshot file or a directory of snapshots) ----------------------

// Format version, id, creation time, shards with their LSNs, databases, keys by type and by
// database, expiring and already expired keys, bytes raw and stored. For a data directory also
// every snapshot there, the WAL's segments, and what recovery would use: the snapshot, its
// minimum LSN, and the segments holding records past it (info on a WAL path is WalInfo).
Json Info(const std::string& path, const Context& ctx);

// Checks every checksum and structural rule of every file path names: a snapshot is opened
// (header, footer, trailer), every block read and checked, and every entry decoded (put effects
// only, as many as the block says, databases below the header's count); a WAL as VerifyWal. A
// data directory is also checked for what recovery needs (the log reaching back to the
// snapshot). {"ok", "files": [{"path", "kind", "ok", ...}], "faults": [{"file", "offset",
// "reason"}]}: without `all` it stops at the first fault; with `all` it reports every damaged
// block and file (in the WAL: the first damage of each run of segments, then it goes on with
// the next segment).
Json Verify(const std::string& path, bool all, const Context& ctx);

// Which keys an operation looks at.
struct KeyFilter {
  std::string match = "*";          // Redis glob (KEYS): "*" matches every key, "" included
  std::optional<std::string> type;  // "string", "list", "hash", "set", "zset"
  std::optional<int> db;
  // Keys whose expiry is not after Context::now_ms are skipped unless this is set, as the
  // server would not return them.
  bool include_expired = false;
};

// One key of a snapshot. The views are valid only during the callback that receives it.
struct KeyRecord {
  int db = 0;
  std::string_view key;
  uint8_t type = 0;       // engine::ValueType
  bool raw = false;       // the string's "raw" encoding hint
  int64_t expire_ms = 0;  // absolute Unix ms, 0 = no TTL
  std::string_view value;
  // A key whose value is in the overflow tier (a stub): the value's tier id (value is empty).
  bool in_tier = false;
  uint64_t tier_id = 0;
  uint64_t tier_bytes = 0;
};

// Calls fn with every key of the snapshot that passes filter, in file order; fn's error stops
// the scan and is returned. A damaged snapshot is Corruption (file, offset, reason); the keys of
// blocks before the damage have been passed to fn by then (a block's keys only once the whole
// block decoded). Corruption also when no snapshot can be read.
Status ForEachKey(const std::string& path, const KeyFilter& filter, const Context& ctx,
                  const std::function<Status(const KeyRecord&)>& fn);

// The JSON Lines record of one key (see README.md, "dump"): {"db", "key", "type", "expire_ms"
// (absolute Unix ms, null without TTL), "pttl" (ms left at now_ms, -1 without TTL, as PTTL),
// "value"}, key and value binary-safe (BytesJson).
Json KeyJson(const KeyRecord& k, int64_t now_ms);

// An owned copy of a KeyRecord.
struct KeyValue {
  int db = 0;
  std::string key;
  uint8_t type = 0;
  bool raw = false;
  int64_t expire_ms = 0;
  std::string value;
  KeyRecord view() const { return {db, key, type, raw, expire_ms, value}; }
};
// The key in database db, or nullopt when the snapshot does not hold it (or it has expired,
// unless include_expired).
Result<std::optional<KeyValue>> Get(const std::string& path, std::string_view key, int db,
                                    bool include_expired, const Context& ctx);

struct StatsOptions {
  size_t top = 10;  // how many of the largest keys to list
  KeyFilter filter;
};
// What capacity planning needs, over the keys that pass the filter: counts by type and by
// database, sizes of keys and values in power-of-two buckets, TTLs left in buckets, and the
// largest keys (key + value bytes; a bounded heap, so memory stays at `top` keys).
Json Stats(const std::string& path, const StatsOptions& options, const Context& ctx);

// ---- The write-ahead log (a data dir, a WAL directory or one segment) -------------------------

// Segments (first and last LSN, records, bytes), the log's LSN range, and a torn tail or
// damage if any. Records are counted as wal::Replay reads them, so a damaged log's segments
// after the damage show none.
Json WalInfo(const std::string& path, const Context& ctx);

// Reads every segment, checking every record and decoding its redo effects, changing nothing.
// {"ok", "segments", "records", "bytes", "next_lsn", "torn_tail" (when the newest segment ends
// in a torn write: a fault too, though recovery drops it and starts), "faults", "error" (the
// first fault's reason, when not ok)}. With `all`, goes on after damage with the segments that
// follow it, and reports every undecodable record.
Json VerifyWal(const std::string& path, bool all, const Context& ctx);

// Calls out with each record with LSN >= from_lsn (at most limit, 0 = all) as a JSON object:
// {"lsn", "segment", "offset", "bytes", "effects": [{"op", "db", "key", "type", "expire_ms",
// "value", ...}]}, keys and values binary-safe. A torn tail ends the dump (a note says so);
// damage elsewhere is the Corruption returned.
Status DumpWal(const std::string& path, uint64_t from_lsn, uint64_t limit, const Context& ctx,
               const std::function<void(const Json&)>& out);

// Cuts the log at its first damage (wal::Repair) so that the server starts, after copying every
// segment file the cut touches (the damaged one and all later ones) into
// <parent of the WAL dir>/repair-backup-<unix seconds>/ and syncing the copies. {"ok",
// "repaired" (false when there was nothing to cut), "dropped_records", "dropped_bytes",
// "dropped_file", "dropped_offset", "backup_dir", "backup_files", "records", "next_lsn",
// "error" (when not ok)}. Not for a single segment (the cut may delete later segments).
Json RepairWal(const std::string& path, const Context& ctx);

}  // namespace strata::tools
