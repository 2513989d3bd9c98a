// strata-inspect's operations, as a library: each returns a JSON document (nlohmann::json) and
// never throws on bad input files; main.cc is a thin command line over them.
//
// This first version covers the write-ahead log; snapshots join when they exist.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace strata::tools {

// Reads every segment of the log in dir, checking every record and decoding its redo effects,
// changing nothing. {"ok": bool, "segments", "records", "bytes", "next_lsn", "torn_tail": {...}
// (when the newest segment ends in a torn write), "error" (when not ok)}.
nlohmann::json VerifyWal(const std::string& dir);

// Cuts the log at its first damage (wal::Repair): what was dropped and where the log now ends.
// {"ok": bool, "dropped_records", "dropped_bytes", "dropped_file", "dropped_offset",
//  "records", "next_lsn", "error" (when not ok)}.
nlohmann::json RepairWal(const std::string& dir);

// The records with LSN >= from_lsn (at most limit, 0 = all), each with its decoded effects:
// {"records": [{"lsn", "bytes", "effects": [{"op", "db", "key", ...}]}], "ok", "error"}.
// Values are summarised by size; keys are shown as text (invalid UTF-8 replaced).
nlohmann::json DumpWal(const std::string& dir, uint64_t from_lsn, uint64_t limit);

}  // namespace strata::tools
