#include "tools/snapshot_scan.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "base/clock.h"
#include "engine/entry.h"
#include "engine/redo.h"
#include "snapshot/file.h"
#include "snapshot/retention.h"
#include "tools/encoding.h"
#include "tools/key_stats.h"
#include "tools/progress.h"

namespace strata::tools {

namespace {

// Checks that raw (one block, `entries` entries per the index) is a redo record of exactly that
// many put effects in databases below `databases`. On failure *why says what and where.
bool CheckBlock(std::string_view raw, uint32_t entries, uint32_t databases, std::string* why) {
  engine::RedoReader reader(raw);
  engine::RedoEffect e;
  uint64_t n = 0;
  while (reader.Next(&e)) {
    if (e.op == engine::RedoOp::kFunctions) continue;  // the function libraries: not an entry
    if (e.op != engine::RedoOp::kPut && e.op != engine::RedoOp::kStub) {
      *why = "entry " + std::to_string(n) + " is a redo effect of code " +
             std::to_string(static_cast<int>(e.op)) + ", not a put or a stub";
      return false;
    }
    if (static_cast<uint32_t>(e.db) >= databases) {
      *why = "entry " + std::to_string(n) + " names database " + std::to_string(e.db) +
             " but the snapshot has " + std::to_string(databases);
      return false;
    }
    ++n;
  }
  if (!reader.status().ok()) {
    *why = "entry " + std::to_string(n) + " does not decode: " + reader.status().message();
    return false;
  }
  if (n != entries) {
    *why = "block holds " + std::to_string(n) + " entries, its index entry says " +
           std::to_string(entries);
    return false;
  }
  return true;
}

}  // namespace

Json Fault::ToJson() const { return {{"file", file}, {"offset", offset}, {"reason", reason}}; }

Fault FaultFromStatus(const Status& st, const std::string& file) {
  const std::string& m = st.message();
  const std::string in = "corruption in ", at = " at offset ";
  const size_t i = m.find(in);
  const size_t a = i == std::string::npos ? std::string::npos : m.find(at, i + in.size());
  if (a != std::string::npos) {
    size_t p = a + at.size();
    uint64_t offset = 0;
    const size_t digits_start = p;
    while (p < m.size() && m[p] >= '0' && m[p] <= '9') offset = offset * 10 + (m[p++] - '0');
    if (p > digits_start && m.compare(p, 2, ": ") == 0) {
      return {m.substr(i + in.size(), a - i - in.size()), offset, m.substr(p + 2)};
    }
  }
  return {file, 0, m.empty() ? st.ToString() : m};
}

uint64_t MinLsn(const snapshot::FileMeta& meta) {
  if (meta.shard_info.empty()) return 0;
  uint64_t min = UINT64_MAX;
  for (const snapshot::ShardInfo& si : meta.shard_info) min = std::min(min, si.lsn);
  return min;
}

Json SnapshotMetaJson(const std::string& path, const snapshot::FileMeta& m) {
  Json shards = Json::array();
  uint64_t stored = 0;
  for (uint32_t s = 0; s < m.shard_info.size(); ++s) {
    const snapshot::ShardInfo& si = m.shard_info[s];
    stored += si.stored_bytes;
    shards.push_back({{"shard", s},
                      {"lsn", si.lsn},
                      {"entries", si.entries},
                      {"raw_bytes", si.raw_bytes},
                      {"stored_bytes", si.stored_bytes},
                      {"blocks", si.blocks}});
  }
  return {{"path", path},
          {"version", m.version},
          {"id", m.id},
          {"created_ms", m.created_ms},
          {"created", UtcTime(static_cast<int64_t>(m.created_ms))},
          {"databases", m.databases},
          {"shards", std::move(shards)},
          {"min_lsn", MinLsn(m)},
          {"blocks", m.blocks.size()},
          {"entries", m.entries()},
          {"file_bytes", m.file_bytes},
          {"raw_bytes", m.raw_bytes()},
          {"stored_bytes", stored}};
}

Result<SnapshotScan> ScanSnapshot(const std::string& path, const SnapshotScanOptions& options,
                                  const Context& ctx) {
  SnapshotScan scan;
  Result<std::unique_ptr<snapshot::FileReader>> reader = snapshot::FileReader::Open(path);
  if (!reader.ok()) {
    scan.faults.push_back(FaultFromStatus(reader.status(), path));
    return scan;
  }
  scan.opened = true;
  scan.meta = (*reader)->meta();
  Progress progress(ctx, options.progress_label.empty() ? path : options.progress_label,
                    scan.meta.file_bytes);
  Status stop_scan;  // on_key's error
  bool stopped_at_fault = false;
  Status st = (*reader)->ScanBlocks(
      [&](const snapshot::BlockRef& ref, const Status& block, std::string_view raw) -> Status {
        progress.Update(ref.offset + ref.stored_len, scan.keys, "keys");
        std::string why;
        if (!block.ok()) {
          scan.faults.push_back(FaultFromStatus(block, path));
        } else if (!CheckBlock(raw, ref.entries, scan.meta.databases, &why)) {
          scan.faults.push_back(
              {path, ref.offset, "block of shard " + std::to_string(ref.shard) + ": " + why});
        } else {
          ++scan.blocks_read;
          scan.keys += ref.entries;
          if (options.on_key) {
            engine::RedoReader r(raw);
            engine::RedoEffect e;
            while (r.Next(&e)) {
              Status k = options.on_key({e.db, e.key, e.type, e.raw, e.expire_ms, e.value,
                                         e.op == engine::RedoOp::kStub, e.tier_id,
                                         e.tier_bytes});
              if (!k.ok()) {
                stop_scan = k;
                return k;
              }
            }
          }
          return Status::Ok();
        }
        if (options.stop_at_first_fault) {
          stopped_at_fault = true;
          return Status::Corruption("stop");
        }
        return Status::Ok();
      });
  if (!stop_scan.ok()) return stop_scan;
  if (!st.ok() && !stopped_at_fault) scan.faults.push_back(FaultFromStatus(st, path));
  return scan;
}

SnapshotChoice ChooseSnapshot(const std::string& dir, const Context& ctx, KeyStats* stats) {
  SnapshotChoice choice;
  const std::vector<snapshot::SnapshotFile> files = snapshot::ListSnapshots(dir);
  choice.count = files.size();
  const int64_t now_ms = ctx.now_ms != 0 ? ctx.now_ms : NowMs();
  // Each candidate is scanned whole (every block read and its entries decoded), so "readable"
  // here is at least what the server's load requires.
  const snapshot::Choice chosen =
      snapshot::ChooseNewestReadable(files, [&](const snapshot::SnapshotFile& f) -> Status {
        if (stats != nullptr) stats->Reset();
        SnapshotScanOptions options;
        options.progress_label = "checking " + f.path;
        if (stats != nullptr) {
          options.on_key = [&](const KeyRecord& k) {
            stats->Add(k, now_ms);
            return Status::Ok();
          };
        }
        Result<SnapshotScan> scan = ScanSnapshot(f.path, options, ctx);
        const Json entry = {{"path", f.path}, {"id", f.id}};
        if (scan.ok() && scan->ok()) {
          choice.path = f.path;
          choice.meta = scan->meta;
          choice.min_lsn = MinLsn(scan->meta);
          choice.snapshots.push_back(entry);
          choice.snapshots.back()["status"] = "used";
          return Status::Ok();
        }
        const Fault fault =
            scan.ok() ? scan->faults.front() : FaultFromStatus(scan.status(), f.path);
        choice.snapshots.push_back(entry);
        choice.snapshots.back()["status"] = "damaged";
        choice.snapshots.back()["fault"] = fault.ToJson();
        choice.faults.push_back(fault);
        return Status::Corruption(fault.reason);
      });
  // Older than the one recovery uses: opened (header, footer, trailer), blocks not read.
  for (size_t i = chosen.chosen.has_value() ? *chosen.chosen + 1 : files.size(); i < files.size();
       ++i) {
    const snapshot::SnapshotFile& f = files[i];
    Json entry = {{"path", f.path}, {"id", f.id}};
    Result<std::unique_ptr<snapshot::FileReader>> r = snapshot::FileReader::Open(f.path);
    entry["status"] = r.ok() ? "not read" : "damaged";
    if (!r.ok()) entry["fault"] = FaultFromStatus(r.status(), f.path).ToJson();
    choice.snapshots.push_back(std::move(entry));
  }
  if (choice.path.empty() && stats != nullptr) stats->Reset();
  return choice;
}

Result<std::string> SnapshotForKeys(const std::string& path, const Context& ctx) {
  ASSIGN_OR_RETURN(Location loc, Locate(path, ctx));
  switch (loc.kind) {
    case Location::Kind::kSnapshotFile:
      return loc.path;
    case Location::Kind::kWalSegment:
    case Location::Kind::kWalDir:
      return Status::InvalidArgument(
          path + " holds no snapshot (a WAL? `strata-inspect wal dump` shows its records)");
    case Location::Kind::kDataDir:
    case Location::Kind::kSnapshotDir:
      break;
  }
  SnapshotChoice choice = ChooseSnapshot(loc.snapshot_dir, ctx, nullptr);
  for (const Fault& f : choice.faults) {
    if (ctx.note) {
      ctx.note("snapshot " + f.file + " is damaged (at offset " + std::to_string(f.offset) + ": " +
               f.reason + "); recovery would pass over it");
    }
  }
  if (choice.path.empty()) {
    if (choice.count == 0) return Status::NotFound("no snapshot in " + loc.snapshot_dir);
    return Status::Corruption("none of the " + std::to_string(choice.count) + " snapshot(s) in " +
                              loc.snapshot_dir + " can be read");
  }
  if (ctx.note) {
    std::string note = "reading " + choice.path + " (the snapshot recovery would load, as of LSN " +
                       std::to_string(choice.min_lsn) + ")";
    std::error_code ec;
    if (loc.kind == Location::Kind::kDataDir && std::filesystem::exists(loc.wal_dir, ec)) {
      note += "; WAL records past LSN " + std::to_string(choice.min_lsn) +
              " are not included: `strata-inspect wal dump " + loc.path + " --from " +
              std::to_string(choice.min_lsn + 1) + "` shows them";
    }
    ctx.note(note);
  }
  return choice.path;
}

}  // namespace strata::tools
