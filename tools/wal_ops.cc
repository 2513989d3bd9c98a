// The WAL operations of inspect.h: WalInfo, VerifyWal, DumpWal and RepairWal, all over
// wal::Replay and wal::Repair.
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>

#include "base/file_layer.h"
#include "engine/entry.h"
#include "engine/redo.h"
#include "tools/encoding.h"
#include "tools/inspect.h"
#include "tools/progress.h"
#include "tools/snapshot_scan.h"
#include "wal/log_format.h"
#include "wal/reader.h"

namespace strata::tools {

namespace {

namespace fs = std::filesystem;
using json = Json;

struct Segment {
  uint64_t first_lsn = 0;
  std::string path;
  uint64_t file_bytes = 0;
};

// The log a WAL operation reads: a directory's segments, or one segment.
struct WalTarget {
  std::string dir;
  std::vector<Segment> segments;  // oldest first
  bool single = false;            // one segment given alone (other files of dir ignored)
};

std::vector<Segment> ListSegmentFiles(const std::string& dir) {
  std::vector<Segment> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    uint64_t lsn;
    if (!wal::ParseSegmentFileName(it->path().filename().string(), &lsn)) continue;
    std::error_code size_ec;
    const uint64_t size = fs::file_size(it->path(), size_ec);
    out.push_back({lsn, dir + "/" + it->path().filename().string(), size_ec ? 0 : size});
  }
  std::sort(out.begin(), out.end(),
            [](const Segment& a, const Segment& b) { return a.first_lsn < b.first_lsn; });
  return out;
}

Result<WalTarget> ResolveWal(const std::string& path, const Context& ctx) {
  ASSIGN_OR_RETURN(Location loc, Locate(path, ctx));
  WalTarget t;
  switch (loc.kind) {
    case Location::Kind::kDataDir:
    case Location::Kind::kWalDir:
      t.dir = loc.wal_dir;
      t.segments = ListSegmentFiles(t.dir);
      return t;
    case Location::Kind::kWalSegment: {
      const fs::path p(loc.path);
      uint64_t lsn;
      if (!wal::ParseSegmentFileName(p.filename().string(), &lsn)) {
        return Status::InvalidArgument(
            path +
            ": a WAL segment must keep its name (wal-<20-digit first LSN>.log), which the "
            "reader checks against its header");
      }
      t.dir = p.has_parent_path() ? p.parent_path().string() : ".";
      std::error_code ec;
      const uint64_t size = fs::file_size(p, ec);
      t.segments.push_back({lsn, t.dir + "/" + p.filename().string(), ec ? 0 : size});
      t.single = true;
      return t;
    }
    case Location::Kind::kSnapshotFile:
    case Location::Kind::kSnapshotDir:
      break;
  }
  return Status::InvalidArgument(path + " is not a WAL (a snapshot? try `strata-inspect info`)");
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size())) {
    s->replace(at, from.size(), to);
  }
}

// A temporary directory of symlinks to some segments, so that wal::Replay reads just those as a
// whole log. Removed (links only) on destruction.
class SymlinkDir {
 public:
  static Result<std::unique_ptr<SymlinkDir>> Create(const std::vector<Segment>& segments) {
    const char* base = getenv("TMPDIR");
    std::string tmpl =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/strata-inspect.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      return Status::IOError("mkdtemp " + tmpl + ": " + std::strerror(errno));
    }
    std::unique_ptr<SymlinkDir> d(new SymlinkDir(tmpl));
    for (const Segment& s : segments) {
      std::error_code ec;
      const fs::path target = fs::absolute(s.path, ec);
      const std::string link = tmpl + "/" + fs::path(s.path).filename().string();
      if (ec || ::symlink(target.c_str(), link.c_str()) != 0) {
        return Status::IOError("symlink " + link + ": " + std::strerror(errno));
      }
    }
    return d;
  }
  ~SymlinkDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);  // removes the links, not what they point to
  }
  const std::string& path() const { return path_; }

 private:
  explicit SymlinkDir(std::string path) : path_(std::move(path)) {}
  const std::string path_;
};

// Called for each record with its LSN, payload, and where it is: the index of its segment in
// WalTarget::segments and its byte offset there.
using RecordFn =
    std::function<Status(uint64_t lsn, std::string_view payload, size_t segment, uint64_t offset)>;

// wal::Replay, read-only, of t's segments from index `first` on as if they were the whole log:
// over t.dir itself when that is what they are, else over a SymlinkDir (whose paths are
// rewritten to the real ones in the result and in messages). Records are passed with where
// they lie, counted from the segment names (a record never spans segments).
Result<wal::ReplayResult> ReplayRange(const WalTarget& t, size_t first, const RecordFn& fn) {
  std::unique_ptr<SymlinkDir> links;
  std::string dir = t.dir;
  if (t.single || first > 0) {
    ASSIGN_OR_RETURN(
        links, SymlinkDir::Create(std::vector<Segment>(
                   t.segments.begin() + static_cast<std::ptrdiff_t>(first), t.segments.end())));
    dir = links->path();
  }
  size_t seg = first;
  uint64_t offset = 0;
  bool started = false;
  wal::ReplayOptions ro;
  ro.dir = dir;
  ro.truncate_torn_tail = false;
  Result<wal::ReplayResult> r =
      wal::Replay(ro, [&](uint64_t lsn, std::string_view payload) -> Status {
        size_t s = started ? seg : first;
        while (s + 1 < t.segments.size() && lsn >= t.segments[s + 1].first_lsn) ++s;
        if (!started || s != seg) offset = wal::kSegmentHeaderSize;
        started = true;
        seg = s;
        const uint64_t at = offset;
        offset += wal::kRecordHeaderSize + payload.size();
        return fn(lsn, payload, seg, at);
      });
  if (links == nullptr) return r;
  if (!r.ok()) {
    std::string m = r.status().message();
    ReplaceAll(&m, links->path(), t.dir);
    return Status(r.status().code(), m);
  }
  ReplaceAll(&r->dropped_file, links->path(), t.dir);
  ReplaceAll(&r->end.segment_path, links->path(), t.dir);
  return r;
}

// The effects of one redo record (keys and values binary-safe), or the error that stops
// decoding it. out may be null to only check.
Status DescribeEffects(std::string_view record, json* out) {
  engine::RedoReader reader(record);
  engine::RedoEffect e;
  if (out != nullptr) *out = json::array();
  while (reader.Next(&e)) {
    if (out == nullptr) continue;
    json x = {{"op", engine::RedoOpName(e.op)}};
    switch (e.op) {
      case engine::RedoOp::kPut:
        x["db"] = e.db;
        x["key"] = BytesJson(e.key);
        x["type"] = engine::TypeName(static_cast<engine::ValueType>(e.type));
        x["expire_ms"] = e.expire_ms == 0 ? json(nullptr) : json(e.expire_ms);
        x["value"] = BytesJson(e.value);
        break;
      case engine::RedoOp::kDel:
        x["db"] = e.db;
        x["key"] = BytesJson(e.key);
        break;
      case engine::RedoOp::kExpire:
        x["db"] = e.db;
        x["key"] = BytesJson(e.key);
        x["expire_ms"] = e.expire_ms == 0 ? json(nullptr) : json(e.expire_ms);
        break;
      case engine::RedoOp::kAppend:
        x["db"] = e.db;
        x["key"] = BytesJson(e.key);
        x["value"] = BytesJson(e.value);
        break;
      case engine::RedoOp::kFlushDb:
        x["db"] = e.db;
        break;
      case engine::RedoOp::kFlushAll:
        break;
      case engine::RedoOp::kSwapDb:
        x["db"] = e.db;
        x["db2"] = e.db2;
        break;
      case engine::RedoOp::kFunctions:
        x["payload"] = BytesJson(e.value);
        break;
      default:  // collection effects: the body's layout is in engine/FORMAT.md
        x["db"] = e.db;
        x["key"] = BytesJson(e.key);
        x["body"] = BytesJson(e.value);
        break;
    }
    out->push_back(std::move(x));
  }
  return reader.status();
}

json TornTailJson(const wal::ReplayResult& r) {
  return {{"file", r.dropped_file},
          {"offset", r.dropped_offset},
          {"records", r.dropped_records},
          {"bytes", r.dropped_bytes}};
}

Fault TornTailFault(const wal::ReplayResult& r, const std::string& dir) {
  return {r.dropped_file, r.dropped_offset,
          "torn tail: " + std::to_string(r.dropped_bytes) + " byte(s) (" +
              std::to_string(r.dropped_records) +
              " record(s) by their length fields) that are not valid records; recovery treats "
              "them as the end of the log and drops them; `strata-inspect wal repair " +
              dir + "` cuts them now"};
}

uint64_t TotalFileBytes(const WalTarget& t) {
  uint64_t n = 0;
  for (const Segment& s : t.segments) n += s.file_bytes;
  return n;
}

std::string FaultText(const Fault& f) {
  return f.file + " at offset " + std::to_string(f.offset) + ": " + f.reason;
}

// Copies src to dst and syncs dst (not its directory).
Status CopyAndSync(const std::string& src, const std::string& dst, FileLayer* files) {
  std::error_code ec;
  fs::copy_file(src, dst, fs::copy_options::none, ec);
  if (ec) return Status::IOError("copy " + src + " to " + dst + ": " + ec.message());
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, files->OpenWritable(dst, false, nullptr));
  return file->Sync();
}

}  // namespace

json WalInfo(const std::string& path, const Context& ctx) {
  Result<WalTarget> t = ResolveWal(path, ctx);
  if (!t.ok()) return {{"ok", false}, {"path", path}, {"error", t.status().message()}};
  std::vector<uint64_t> records(t->segments.size()), bytes(t->segments.size());
  std::vector<uint64_t> last_lsn(t->segments.size());
  Progress progress(ctx, "reading the WAL in " + t->dir, TotalFileBytes(*t));
  uint64_t done_before = 0, total_records = 0;
  size_t progress_seg = 0;
  Result<wal::ReplayResult> r =
      ReplayRange(*t, 0, [&](uint64_t lsn, std::string_view payload, size_t seg, uint64_t off) {
        ++records[seg];
        bytes[seg] += wal::kRecordHeaderSize + payload.size();
        last_lsn[seg] = lsn;
        ++total_records;
        while (progress_seg < seg) done_before += t->segments[progress_seg++].file_bytes;
        progress.Update(done_before + off, total_records, "records");
        return Status::Ok();
      });
  json segs = json::array();
  for (size_t i = 0; i < t->segments.size(); ++i) {
    const Segment& s = t->segments[i];
    segs.push_back({{"path", s.path},
                    {"first_lsn", s.first_lsn},
                    {"last_lsn", records[i] > 0 ? json(last_lsn[i]) : json(nullptr)},
                    {"records", records[i]},
                    {"bytes", bytes[i]},
                    {"file_bytes", s.file_bytes}});
  }
  json out = {{"ok", r.ok() && r->dropped_bytes == 0},
              {"dir", t->dir},
              {"segments", std::move(segs)},
              {"records", total_records}};
  if (!t->segments.empty()) out["first_lsn"] = t->segments.front().first_lsn;
  if (r.ok()) {
    out["bytes"] = r->bytes;
    out["next_lsn"] = r->end.next_lsn;
    if (r->dropped_bytes > 0) out["torn_tail"] = TornTailJson(*r);
  } else {
    const Fault f = FaultFromStatus(r.status(), t->dir);
    out["error"] = FaultText(f);
    out["fault"] = f.ToJson();
  }
  return out;
}

json VerifyWal(const std::string& path, bool all, const Context& ctx) {
  Result<WalTarget> t = ResolveWal(path, ctx);
  if (!t.ok()) {
    return {{"ok", false},
            {"path", path},
            {"error", t.status().message()},
            {"faults", json::array({Fault{path, 0, t.status().message()}.ToJson()})}};
  }
  std::vector<Fault> faults;
  uint64_t records = 0, bytes = 0, undecodable = 0;
  json torn_tail;
  std::optional<uint64_t> next_lsn;
  Progress progress(ctx, "verifying the WAL in " + t->dir, TotalFileBytes(*t));
  uint64_t done_before = 0;
  size_t progress_seg = 0;
  const Status kStop = Status::Corruption("stop");  // an undecodable record, without `all`
  bool stopped = false;
  for (size_t start = 0;;) {
    Result<wal::ReplayResult> r = ReplayRange(
        *t, start, [&](uint64_t lsn, std::string_view payload, size_t seg, uint64_t off) {
          ++records;
          bytes += wal::kRecordHeaderSize + payload.size();
          while (progress_seg < seg) done_before += t->segments[progress_seg++].file_bytes;
          progress.Update(done_before + off, records, "records");
          Status st = DescribeEffects(payload, nullptr);
          if (st.ok()) return Status::Ok();
          ++undecodable;
          faults.push_back({t->segments[seg].path, off,
                            "record " + std::to_string(lsn) + " does not decode: " + st.message()});
          if (all) return Status::Ok();
          stopped = true;
          return kStop;
        });
    if (stopped) break;
    if (r.ok()) {
      next_lsn = r->end.next_lsn;
      if (r->dropped_bytes > 0) {
        torn_tail = TornTailJson(*r);
        faults.push_back(TornTailFault(*r, t->dir));
      }
      break;
    }
    const Fault f = FaultFromStatus(r.status(), t->dir);
    faults.push_back(f);
    if (!all) break;
    size_t at = t->segments.size();
    for (size_t i = start; i < t->segments.size(); ++i) {
      if (t->segments[i].path == f.file) at = i;
    }
    if (at == t->segments.size()) break;
    // A bad first LSN (a gap) is checked again as the first segment of a new run, where only
    // its own header and records count; other damage: go on with the next segment.
    start = (at > start && f.offset == 0) ? at : at + 1;
    if (start >= t->segments.size()) break;
  }
  json out = {{"ok", faults.empty()},
              {"dir", t->dir},
              {"segments", t->segments.size()},
              {"records", records},
              {"bytes", bytes}};
  if (!t->segments.empty()) out["first_lsn"] = t->segments.front().first_lsn;
  if (faults.empty() && next_lsn) out["next_lsn"] = *next_lsn;
  if (!torn_tail.is_null()) out["torn_tail"] = torn_tail;
  if (undecodable > 0) out["undecodable_records"] = undecodable;
  json fj = json::array();
  for (const Fault& f : faults) fj.push_back(f.ToJson());
  out["faults"] = std::move(fj);
  if (!faults.empty()) out["error"] = FaultText(faults.front());
  return out;
}

Status DumpWal(const std::string& path, uint64_t from_lsn, uint64_t limit, const Context& ctx,
               const std::function<void(const json&)>& out) {
  ASSIGN_OR_RETURN(WalTarget t, ResolveWal(path, ctx));
  uint64_t emitted = 0;
  const Status kLimit = Status::NotFound("limit");
  Progress progress(ctx, "reading the WAL in " + t.dir, TotalFileBytes(t));
  uint64_t done_before = 0;
  size_t progress_seg = 0;
  Result<wal::ReplayResult> r =
      ReplayRange(t, 0, [&](uint64_t lsn, std::string_view payload, size_t seg, uint64_t off) {
        while (progress_seg < seg) done_before += t.segments[progress_seg++].file_bytes;
        progress.Update(done_before + off, emitted, "records");
        if (lsn < from_lsn) return Status::Ok();
        if (limit != 0 && emitted >= limit) return kLimit;
        json effects;
        Status st = DescribeEffects(payload, &effects);
        json rec = {{"lsn", lsn},
                    {"segment", t.segments[seg].path},
                    {"offset", off},
                    {"bytes", payload.size()},
                    {"effects", std::move(effects)}};
        if (!st.ok()) rec["error"] = st.message();
        out(rec);
        ++emitted;
        return Status::Ok();
      });
  if (!r.ok()) {
    if (r.status().code() == Code::kNotFound && r.status().message() == "limit") {
      return Status::Ok();
    }
    return r.status();
  }
  if (r->dropped_bytes > 0 && ctx.note) {
    ctx.note("the log ends in a torn tail, not shown: " + FaultText(TornTailFault(*r, t.dir)));
  }
  return Status::Ok();
}

json RepairWal(const std::string& path, const Context& ctx) {
  Result<WalTarget> t = ResolveWal(path, ctx);
  if (!t.ok()) return {{"ok", false}, {"path", path}, {"error", t.status().message()}};
  if (t->single) {
    return {{"ok", false},
            {"path", path},
            {"error",
             "repair takes the WAL directory (or the data directory), not one segment: "
             "the cut may delete the segments after the damaged one"}};
  }
  // First, read-only: is there anything to cut, and from which segment on?
  Result<wal::ReplayResult> scan =
      ReplayRange(*t, 0, [](uint64_t, std::string_view, size_t, uint64_t) { return Status::Ok(); });
  std::string damaged_file;
  if (scan.ok()) {
    if (scan->dropped_bytes == 0) {
      return {{"ok", true},
              {"dir", t->dir},
              {"repaired", false},
              {"records", scan->records},
              {"next_lsn", scan->end.next_lsn}};
    }
    damaged_file = scan->dropped_file;
  } else {
    damaged_file = FaultFromStatus(scan.status(), t->dir).file;
  }
  // Back up the damaged segment and every later one: Repair zeroes the first from the damage on
  // and deletes the others. (A file the fault does not name: back up every segment.)
  size_t first = 0;
  for (size_t i = 0; i < t->segments.size(); ++i) {
    if (t->segments[i].path == damaged_file) first = i;
  }
  std::error_code ec;
  fs::path parent = fs::absolute(t->dir, ec).lexically_normal();
  if (!parent.has_filename()) parent = parent.parent_path();  // a trailing '/'
  parent = parent.parent_path();
  auto fail = [&](const std::string& error) {
    return json{{"ok", false}, {"dir", t->dir}, {"error", error}};
  };
  const std::string stamp = "repair-backup-" + std::to_string(::time(nullptr));
  fs::path backup;
  for (int n = 1;; ++n) {  // a new directory: "-2", "-3", ... after a repair in the same second
    backup = parent / (n == 1 ? stamp : stamp + "-" + std::to_string(n));
    if (fs::create_directory(backup, ec)) break;
    if (ec) {
      return fail("cannot create the backup directory " + backup.string() + ": " + ec.message() +
                  " (nothing was repaired)");
    }
  }
  FileLayer* const files = FileLayer::Default();
  json backed_up = json::array();
  for (size_t i = first; i < t->segments.size(); ++i) {
    const std::string dst = (backup / fs::path(t->segments[i].path).filename()).string();
    Status st = CopyAndSync(t->segments[i].path, dst, files);
    if (!st.ok()) return fail(st.message() + " (nothing was repaired)");
    backed_up.push_back(dst);
  }
  Status st = files->SyncDir(backup.string());
  if (st.ok()) st = files->SyncDir(parent.string());
  if (!st.ok()) return fail(st.message() + " (nothing was repaired)");
  if (ctx.note) {
    ctx.note("backed up " + std::to_string(backed_up.size()) + " segment(s) to " + backup.string());
  }

  Result<wal::ReplayResult> r = wal::Repair(t->dir);
  if (!r.ok()) {
    return {{"ok", false},
            {"dir", t->dir},
            {"backup_dir", backup.string()},
            {"backup_files", std::move(backed_up)},
            {"error", r.status().message()}};
  }
  return {{"ok", true},
          {"dir", t->dir},
          {"repaired", true},
          {"dropped_records", r->dropped_records},
          {"dropped_bytes", r->dropped_bytes},
          {"dropped_file", r->dropped_file},
          {"dropped_offset", r->dropped_offset},
          {"backup_dir", backup.string()},
          {"backup_files", std::move(backed_up)},
          {"records", r->records},
          {"next_lsn", r->end.next_lsn}};
}

}  // namespace strata::tools
