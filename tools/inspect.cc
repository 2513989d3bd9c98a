// Locate, and the operations that look at a whole data directory: Info and Verify.
#include "tools/inspect.h"

#include <filesystem>
#include <fstream>

#include "base/clock.h"
#include "snapshot/file.h"
#include "snapshot/retention.h"
#include "tools/key_stats.h"
#include "tools/snapshot_scan.h"
#include "wal/log_format.h"

namespace strata::tools {

namespace {

namespace fs = std::filesystem;
using json = Json;

// What recovery would do with a data directory, as server/snapshots.cc (Load) and
// server/persistence.cc (Recover) decide it.
struct RecoveryInputs {
  size_t snapshots = 0;   // snapshot files
  std::string snapshot;   // the one loaded; empty = none usable
  uint64_t min_lsn = 0;   // its minimum shard LSN
  bool wal_ok = true;     // the log replays (a torn tail is fine: it is dropped)
  std::string wal_error;  // when not
  uint64_t segments = 0;
  uint64_t first_lsn = 0;  // of the oldest segment
  uint64_t next_lsn = 1;   // past the last record
  std::string wal_dir;
};

// Empty when the server would start; else why it would not.
std::string RecoveryProblem(const RecoveryInputs& in) {
  if (in.snapshots > 0 && in.snapshot.empty()) {
    return "none of the " + std::to_string(in.snapshots) +
           " snapshot(s) can be read: the server refuses to start unless "
           "snapshot-ignore-unreadable is yes";
  }
  if (!in.wal_ok) {
    return "the WAL does not replay (" + in.wal_error + "): the server refuses to start";
  }
  if (in.segments == 0) return "";
  if (in.next_lsn <= in.min_lsn) {
    return "the WAL ends at LSN " + std::to_string(in.next_lsn - 1) +
           ", before the snapshot's LSN " + std::to_string(in.min_lsn) +
           ": the server refuses a log older than the snapshot";
  }
  if (in.first_lsn > in.min_lsn + 1) {
    return "the WAL starts at LSN " + std::to_string(in.first_lsn) + " but the snapshot ends at " +
           std::to_string(in.min_lsn) +
           ": records in between are missing and the server refuses to start";
  }
  return "";
}

json SnapshotInfo(const std::string& path, const Context& ctx, int64_t now_ms) {
  KeyStats stats;
  SnapshotScanOptions options;
  options.stop_at_first_fault = true;
  options.on_key = [&](const KeyRecord& k) {
    stats.Add(k, now_ms);
    return Status::Ok();
  };
  Result<SnapshotScan> scan = ScanSnapshot(path, options, ctx);
  if (!scan.ok()) return {{"ok", false}, {"path", path}, {"error", scan.status().message()}};
  json out = {{"ok", scan->ok()}, {"kind", "snapshot"}, {"path", path}};
  if (scan->opened) {
    json snap = SnapshotMetaJson(path, scan->meta);
    snap["keys"] = stats.Summary();
    if (!scan->ok()) snap["keys"]["partial"] = true;  // counted up to the damage
    out["snapshot"] = std::move(snap);
  }
  if (!scan->faults.empty()) {
    out["fault"] = scan->faults.front().ToJson();
    out["error"] = scan->faults.front().reason;
  }
  return out;
}

}  // namespace

Result<Location> Locate(const std::string& given, const Context& ctx) {
  std::string path = given;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Status::NotFound(given + ": no such file or directory");
  Location loc;
  loc.path = path;
  if (fs::is_directory(st)) {
    const std::string snaps = path + "/" + ctx.snapshot_dirname;
    const std::string wal = path + "/" + ctx.wal_dirname;
    if (fs::is_directory(snaps, ec) || fs::is_directory(wal, ec)) {
      loc.kind = Location::Kind::kDataDir;
      loc.snapshot_dir = snaps;
      loc.wal_dir = wal;
    } else if (!snapshot::ListSnapshots(path).empty()) {
      loc.kind = Location::Kind::kSnapshotDir;
      loc.snapshot_dir = path;
    } else {
      loc.kind = Location::Kind::kWalDir;
      loc.wal_dir = path;
    }
    return loc;
  }
  char magic[8] = {};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(given + ": cannot be opened");
  in.read(magic, sizeof(magic));
  if (in.gcount() == sizeof(magic) && std::equal(magic, magic + 8, snapshot::kMagic)) {
    loc.kind = Location::Kind::kSnapshotFile;
    return loc;
  }
  if (in.gcount() == sizeof(magic) && std::equal(magic, magic + 8, wal::kMagic)) {
    loc.kind = Location::Kind::kWalSegment;
    return loc;
  }
  return Status::InvalidArgument(given +
                                 " is neither a Strata snapshot nor a WAL segment (no magic)");
}

json Info(const std::string& path, const Context& ctx) {
  Result<Location> loc = Locate(path, ctx);
  if (!loc.ok()) return {{"ok", false}, {"path", path}, {"error", loc.status().message()}};
  const int64_t now_ms = ctx.now_ms != 0 ? ctx.now_ms : NowMs();
  switch (loc->kind) {
    case Location::Kind::kSnapshotFile:
      return SnapshotInfo(loc->path, ctx, now_ms);
    case Location::Kind::kWalDir:
    case Location::Kind::kWalSegment: {
      json wal = WalInfo(path, ctx);
      const bool ok = wal.value("ok", false);
      return {{"ok", ok}, {"kind", "wal"}, {"path", loc->path}, {"wal", std::move(wal)}};
    }
    case Location::Kind::kSnapshotDir:
    case Location::Kind::kDataDir:
      break;
  }
  const bool data_dir = loc->kind == Location::Kind::kDataDir;
  json out = {{"ok", false}, {"kind", data_dir ? "data_dir" : "snapshot_dir"}, {"path", loc->path}};
  KeyStats stats;
  SnapshotChoice choice = ChooseSnapshot(loc->snapshot_dir, ctx, &stats);
  out["snapshot_dir"] = loc->snapshot_dir;
  out["snapshots"] = choice.snapshots;
  if (!choice.path.empty()) {
    json snap = SnapshotMetaJson(choice.path, choice.meta);
    snap["keys"] = stats.Summary();
    out["snapshot"] = std::move(snap);
  } else {
    out["snapshot"] = nullptr;
  }
  bool ok = choice.faults.empty() && (choice.count == 0 || !choice.path.empty());
  if (!data_dir) {
    out["ok"] = ok;
    return out;
  }

  // A data directory without a WAL directory has an empty log (appendonly no, or a log moved
  // aside): recovery then starts from the snapshot alone.
  json wal = fs::exists(loc->wal_dir) ? WalInfo(loc->wal_dir, ctx)
                                      : json{{"ok", true},
                                             {"dir", loc->wal_dir},
                                             {"missing", true},
                                             {"segments", json::array()},
                                             {"records", 0}};
  RecoveryInputs in;
  in.snapshots = choice.count;
  in.snapshot = choice.path;
  in.min_lsn = choice.min_lsn;
  in.wal_ok = !wal.contains("error");
  in.wal_error = wal.value("error", "");
  in.segments = wal["segments"].size();
  in.first_lsn = wal.value("first_lsn", uint64_t{0});
  in.next_lsn = wal.value("next_lsn", uint64_t{1});
  in.wal_dir = loc->wal_dir;
  json recovery = {{"snapshot", choice.path.empty() ? json(nullptr) : json(choice.path)},
                   {"min_lsn", choice.min_lsn}};
  json replayed = json::array();
  uint64_t replay_records = 0;
  for (json& seg : wal["segments"]) {
    const uint64_t records = seg["records"].get<uint64_t>();
    const bool used = records > 0 && seg["last_lsn"].get<uint64_t>() > choice.min_lsn;
    seg["replayed"] = used;
    if (!used) continue;
    replayed.push_back(seg["path"]);
    const uint64_t first = seg["first_lsn"].get<uint64_t>();
    replay_records += records - (first > choice.min_lsn ? 0 : choice.min_lsn + 1 - first);
  }
  const std::string problem = RecoveryProblem(in);
  recovery["ok"] = problem.empty();
  if (!problem.empty()) recovery["problem"] = problem;
  recovery["replay_from_lsn"] = choice.min_lsn + 1;
  recovery["replay_records"] = replay_records;
  recovery["replay_segments"] = std::move(replayed);
  if (wal.contains("torn_tail")) recovery["drops_torn_tail"] = wal["torn_tail"];
  out["wal"] = std::move(wal);
  out["recovery"] = std::move(recovery);
  out["ok"] = ok && problem.empty() && out["wal"].value("ok", false);
  return out;
}

json Verify(const std::string& path, bool all, const Context& ctx) {
  json files = json::array(), faults = json::array();
  Result<Location> loc = Locate(path, ctx);
  if (!loc.ok()) {
    faults.push_back(Fault{path, 0, loc.status().message()}.ToJson());
    return {{"ok", false}, {"files", files}, {"faults", faults}};
  }
  auto done = [&] { return !all && !faults.empty(); };
  RecoveryInputs in;

  std::vector<snapshot::SnapshotFile> snaps;
  if (loc->kind == Location::Kind::kSnapshotFile) {
    snaps.push_back({0, loc->path});
  } else if (!loc->snapshot_dir.empty()) {
    snaps = snapshot::ListSnapshots(loc->snapshot_dir);
  }
  in.snapshots = snaps.size();
  for (const snapshot::SnapshotFile& f : snaps) {
    if (done()) break;
    SnapshotScanOptions options;
    options.stop_at_first_fault = !all;
    options.progress_label = "verifying " + f.path;
    Result<SnapshotScan> scan = ScanSnapshot(f.path, options, ctx);
    json file = {{"path", f.path}, {"kind", "snapshot"}};
    if (!scan.ok()) {
      faults.push_back(FaultFromStatus(scan.status(), f.path).ToJson());
      file["ok"] = false;
      files.push_back(std::move(file));
      continue;
    }
    file["ok"] = scan->ok();
    if (scan->opened) {
      file["blocks"] = scan->meta.blocks.size();
      file["blocks_ok"] = scan->blocks_read;
      file["keys"] = scan->keys;
      file["bytes"] = scan->meta.file_bytes;
      file["min_lsn"] = MinLsn(scan->meta);
    }
    for (const Fault& fault : scan->faults) faults.push_back(fault.ToJson());
    if (scan->ok() && in.snapshot.empty()) {
      in.snapshot = f.path;
      in.min_lsn = MinLsn(scan->meta);
    }
    files.push_back(std::move(file));
  }

  const bool has_wal = loc->kind == Location::Kind::kDataDir ||
                       loc->kind == Location::Kind::kWalDir ||
                       loc->kind == Location::Kind::kWalSegment;
  if (has_wal && !done()) {
    const std::string wal_path =
        loc->kind == Location::Kind::kWalSegment ? loc->path : loc->wal_dir;
    json v = fs::exists(wal_path)  // none in a data directory: an empty log, as for Info
                 ? VerifyWal(wal_path, all, ctx)
                 : json{{"ok", true}, {"segments", 0}, {"records", 0}, {"faults", json::array()}};
    json file = {{"path", wal_path},
                 {"kind", loc->kind == Location::Kind::kWalSegment ? "wal_segment" : "wal"},
                 {"ok", v.value("ok", false)},
                 {"segments", v.value("segments", uint64_t{0})},
                 {"records", v.value("records", uint64_t{0})}};
    if (v.contains("next_lsn")) file["next_lsn"] = v["next_lsn"];
    for (const json& f : v["faults"]) faults.push_back(f);
    files.push_back(std::move(file));
    if (loc->kind == Location::Kind::kDataDir) {
      // What recovery needs of the two together; only meaningful when both read cleanly.
      in.segments = v.value("segments", uint64_t{0});
      in.next_lsn = v.value("next_lsn", uint64_t{1});
      in.first_lsn = v.value("first_lsn", uint64_t{0});
      in.wal_dir = loc->wal_dir;
      if (faults.empty()) {
        const std::string problem = RecoveryProblem(in);
        if (!problem.empty()) faults.push_back(Fault{loc->wal_dir, 0, problem}.ToJson());
      }
    }
  }
  const bool ok = faults.empty();
  return {{"ok", ok}, {"files", std::move(files)}, {"faults", std::move(faults)}};
}

}  // namespace strata::tools
