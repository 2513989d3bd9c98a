#include "tools/text_output.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "tools/encoding.h"

namespace strata::tools {

namespace {

using json = Json;

std::string U(const json& j, const char* field) {
  if (!j.contains(field) || j[field].is_null()) return "-";
  return j[field].is_string() ? j[field].get<std::string>() : j[field].dump();
}

uint64_t N(const json& j, const char* field) {
  return j.contains(field) && j[field].is_number() ? j[field].get<uint64_t>() : 0;
}

std::string Name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string KeyText(const json& key) {
  std::string bytes;
  return BytesFromJson(key, &bytes) ? Quote(bytes) : key.dump();
}

std::string FaultLine(const json& f) {
  return U(f, "file") + " at offset " + U(f, "offset") + ": " + U(f, "reason");
}

std::string KeysLine(const json& keys) {
  std::string out = std::to_string(N(keys, "total"));
  std::string types;
  for (const auto& [name, n] : keys["by_type"].items()) {
    types += (types.empty() ? "" : ", ") + name + " " + std::to_string(n.get<uint64_t>());
  }
  if (!types.empty()) out += " (" + types + ")";
  out += "; " + std::to_string(N(keys, "expiring")) + " expiring, " +
         std::to_string(N(keys, "expired")) + " already expired";
  if (keys.value("partial", false)) out += " [counted up to the damage]";
  return out;
}

std::string SnapshotText(const json& s) {
  std::string out = "snapshot  " + U(s, "path") + "\n";
  out += "  format    version " + U(s, "version") + ", id " + U(s, "id") + ", created " +
         U(s, "created") + "\n";
  const json& shards = s["shards"];
  bool same = true;
  for (const json& sh : shards) same = same && sh["lsn"] == shards[0]["lsn"];
  out += "  shards    " + std::to_string(shards.size());
  if (same && !shards.empty()) {
    out += ", all at LSN " + shards[0]["lsn"].dump() + "\n";
  } else {
    out += ", min LSN " + U(s, "min_lsn") + "; LSN by shard:";
    for (const json& sh : shards) out += " " + sh["shard"].dump() + ":" + sh["lsn"].dump();
    out += "\n";
  }
  out += "  databases " + U(s, "databases") + "\n";
  if (s.contains("keys")) {
    const json& keys = s["keys"];
    out += "  keys      " + KeysLine(keys) + "\n";
    std::string dbs;
    for (const auto& [db, n] : keys["by_db"].items()) {
      dbs += (dbs.empty() ? "" : ", ") + ("db" + db) + " " + std::to_string(n.get<uint64_t>());
    }
    if (!dbs.empty()) out += "  by db     " + dbs + "\n";
  }
  const uint64_t raw = N(s, "raw_bytes"), stored = N(s, "stored_bytes");
  char ratio[32] = "";
  if (stored > 0) {
    std::snprintf(ratio, sizeof(ratio), " (%.2fx)",
                  static_cast<double>(raw) / static_cast<double>(stored));
  }
  out += "  bytes     raw " + HumanBytes(raw) + ", compressed " + HumanBytes(stored) + ratio +
         ", file " + HumanBytes(N(s, "file_bytes")) + " in " + U(s, "blocks") + " block(s)\n";
  return out;
}

std::string WalText(const json& w) {
  if (w.value("missing", false)) return "wal       " + U(w, "dir") + ": none (an empty log)\n";
  std::string out = "wal       " + U(w, "dir") + ": " + std::to_string(w["segments"].size()) +
                    " segment(s), " + U(w, "records") + " record(s)";
  if (w.contains("next_lsn")) out += ", next LSN " + U(w, "next_lsn");
  out += "\n";
  for (const json& seg : w["segments"]) {
    std::string range = seg["last_lsn"].is_null()
                            ? "no records"
                            : "LSN " + U(seg, "first_lsn") + ".." + U(seg, "last_lsn");
    out += "  " + Pad(Name(U(seg, "path")), 30) + Pad(range, 26) +
           Pad(U(seg, "records") + " record(s)", 18) + HumanBytes(N(seg, "bytes")) + " of " +
           HumanBytes(N(seg, "file_bytes"));
    if (seg.contains("replayed")) {
      out += seg["replayed"].get<bool>() ? "  replayed" : "  covered by the snapshot";
    }
    out += "\n";
  }
  if (w.contains("torn_tail")) {
    const json& t = w["torn_tail"];
    out += "  torn tail " + U(t, "bytes") + " byte(s) (" + U(t, "records") + " record(s)) at " +
           U(t, "file") + " offset " + U(t, "offset") +
           ": recovery drops them; `strata-inspect wal repair` cuts them\n";
  }
  if (w.contains("error")) out += "  DAMAGED   " + U(w, "error") + "\n";
  return out;
}

}  // namespace

std::string InfoText(const json& info) {
  const std::string kind = info.value("kind", "");
  if (kind.empty()) return "error: " + U(info, "error") + "\n";
  if (kind == "snapshot") {
    std::string out = info.contains("snapshot") ? SnapshotText(info["snapshot"]) : "";
    if (info.contains("fault")) out += "DAMAGED   " + FaultLine(info["fault"]) + "\n";
    if (!info.contains("snapshot") && info.contains("error"))
      out += "error: " + U(info, "error") + "\n";
    return out;
  }
  if (kind == "wal") return WalText(info["wal"]);

  std::string out = (kind == "data_dir" ? "data dir  " : "snapshots ") + U(info, "path") + "\n";
  if (info["snapshots"].empty()) out += "snapshots none in " + U(info, "snapshot_dir") + "\n";
  for (const json& s : info["snapshots"]) {
    out += "  " + Pad(Name(U(s, "path")), 30) + U(s, "status");
    if (s.contains("fault")) out += ": " + FaultLine(s["fault"]);
    out += "\n";
  }
  if (!info["snapshot"].is_null()) out += SnapshotText(info["snapshot"]);
  if (info.contains("wal")) out += WalText(info["wal"]);
  if (info.contains("recovery")) {
    const json& r = info["recovery"];
    if (r.contains("problem")) return out + "recovery  FAILS: " + U(r, "problem") + "\n";
    out += "recovery  ";
    out += r["snapshot"].is_null()
               ? std::string("no snapshot")
               : "loads " + Name(U(r, "snapshot")) + " (LSN " + U(r, "min_lsn") + ")";
    out += ", then replays " + U(r, "replay_records") + " WAL record(s) from LSN " +
           U(r, "replay_from_lsn") + " in " + std::to_string(r["replay_segments"].size()) +
           " segment(s)\n";
  }
  return out;
}

std::string VerifyText(const json& v) {
  std::string out;
  for (const json& f : v["files"]) {
    out += f.value("ok", false) ? "OK     " : "FAULT  ";
    out += U(f, "path");
    if (f.value("kind", "") == "snapshot" && f.contains("blocks")) {
      out += "  (" + U(f, "blocks") + " block(s), " + U(f, "keys") + " key(s), LSN " +
             U(f, "min_lsn") + ")";
    } else if (f.contains("segments")) {
      out += "  (" + U(f, "segments") + " segment(s), " + U(f, "records") + " record(s)";
      if (f.contains("next_lsn")) out += ", next LSN " + U(f, "next_lsn");
      out += ")";
    }
    out += "\n";
  }
  for (const json& f : v["faults"]) out += "  fault: " + FaultLine(f) + "\n";
  const size_t n = v["faults"].size();
  out += n == 0 ? "verify: OK\n" : "verify: " + std::to_string(n) + " fault(s)\n";
  return out;
}

std::string StatsText(const json& s) {
  if (!s.value("ok", false)) return "error: " + U(s, "error") + "\n";
  const uint64_t total = N(s, "total");
  std::string out = "snapshot  " + U(s, "snapshot") + "\n";
  out += "keys      " + KeysLine(s) + "\n";
  out += "bytes     keys " + HumanBytes(N(s, "key_bytes")) + ", values " +
         HumanBytes(N(s, "value_bytes")) + "\n";
  out += "\nby database\n  " + Pad("db", 6) + Pad("keys", 12) + Pad("expiring", 12) +
         Pad("expired", 12) + Pad("key bytes", 14) + "value bytes\n";
  for (const json& d : s["databases"]) {
    out += "  " + Pad(U(d, "db"), 6) + Pad(U(d, "keys"), 12) + Pad(U(d, "expiring"), 12) +
           Pad(U(d, "expired"), 12) + Pad(HumanBytes(N(d, "key_bytes")), 14) +
           HumanBytes(N(d, "value_bytes")) + "\n";
  }
  auto bar = [&](uint64_t n) {
    char pct[16];
    std::snprintf(pct, sizeof(pct), "%5.1f%%  ",
                  total > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(total) : 0.0);
    const size_t width = total > 0 ? static_cast<size_t>(40 * n / total) : 0;
    return std::string(pct) + std::string(std::max<size_t>(width, n > 0 ? 1 : 0), '#');
  };
  for (const char* which : {"value_sizes", "key_sizes"}) {
    out += std::string("\n") + (which[0] == 'v' ? "value sizes" : "key sizes") + "\n";
    for (const json& b : s[which]) {
      const std::string range = N(b, "min") == N(b, "max")
                                    ? HumanBytes(N(b, "min"))
                                    : HumanBytes(N(b, "min")) + " - " + HumanBytes(N(b, "max"));
      out += "  " + Pad(range, 24) + Pad(U(b, "count"), 12) + bar(N(b, "count")) + "\n";
    }
  }
  out += "\nTTL left\n";
  for (const json& b : s["ttls"]) {
    out += "  " + Pad(U(b, "bucket"), 24) + Pad(U(b, "count"), 12) + bar(N(b, "count")) + "\n";
  }
  out += "\nlargest keys (key + value bytes)\n";
  for (const json& l : s["largest"]) {
    out += "  " + Pad(HumanBytes(N(l, "bytes")), 12) + Pad("db" + U(l, "db"), 6) +
           Pad(U(l, "type"), 8) + KeyText(l["key"]) + "\n";
  }
  return out;
}

std::string WalInfoText(const json& w) {
  if (!w.contains("segments")) return "error: " + U(w, "error") + "\n";
  return WalText(w);
}

std::string RepairText(const json& r) {
  if (!r.value("ok", false)) {
    std::string out = "repair failed: " + U(r, "error") + "\n";
    if (r.contains("backup_dir")) out += "backup    " + U(r, "backup_dir") + "\n";
    return out;
  }
  if (!r.value("repaired", false)) {
    return "nothing to repair in " + U(r, "dir") + ": " + U(r, "records") +
           " record(s), next LSN " + U(r, "next_lsn") + "; nothing changed\n";
  }
  std::string out = "repaired  " + U(r, "dir") + "\n";
  out += "removed   " + U(r, "dropped_records") + " record(s), " + U(r, "dropped_bytes") +
         " byte(s), from " + U(r, "dropped_file") + " at offset " + U(r, "dropped_offset");
  const size_t later = r["backup_files"].size();
  if (later > 1) out += ", and the " + std::to_string(later - 1) + " segment(s) after it";
  out += "\nbackup    " + U(r, "backup_dir") + " (";
  for (size_t i = 0; i < later; ++i) {
    out += (i > 0 ? ", " : "") + Name(r["backup_files"][i].get<std::string>());
  }
  out += ")\nnow       " + U(r, "records") + " record(s), next LSN " + U(r, "next_lsn") + "\n";
  return out;
}

}  // namespace strata::tools
