// Fuzz target: the WAL reader (wal/reader.h) and the replay of its records into the engine
// (engine::ApplyRedo, Value::Apply, ParseValue).
//
// Input: the bytes of one or more WAL segment files back to back (each later segment starts
// at an occurrence of the magic "STRATWAL"), as the real writer leaves them; each becomes a file
// named after the first LSN in its header, in an in-memory file layer (no disk I/O). Then:
//   1. as given: replay into a fresh keyspace; replay with torn-tail truncation, after which a
//      second replay must find the same records and nothing torn; repair, after which a replay
//      must succeed and drop nothing, and a second repair must change nothing;
//   2. with every checksum recomputed (the segment headers' and each record's, walking the
//      records as their length fields delimit them), so that the fuzzer's changes to lengths,
//      LSNs and payloads get past the CRCs: replay, applying every record to a fresh keyspace.
//      A record that fails to apply must be reported as Corruption, never crash; when all apply,
//      the keyspace must survive a snapshot round trip (fuzz_util.h) unchanged.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/file_layer.h"
#include "engine/keyspace.h"
#include "engine/redo.h"
#include "engine/replay.h"
#include "tests/fuzz/fuzz_util.h"
#include "wal/log_format.h"
#include "wal/reader.h"

namespace {

using strata::FileLayer;
using strata::Result;
using strata::Ring;
using strata::Status;
using strata::WritableFile;
using strata::fuzz::Die;
namespace wal = strata::wal;
namespace engine = strata::engine;

// The directory the segments live in. It must exist on disk (the reader stat()s it), but the
// files in it are only in the in-memory layer.
constexpr const char* kDir = ".";
// A file the layer refuses to grow past (the reader never asks for more than the input's size).
constexpr uint64_t kMaxFileBytes = 64 << 20;

// A FileLayer over a map of path -> bytes. Single-threaded, as the reader uses it.
class MemFileLayer final : public FileLayer {
 public:
  std::map<std::string, std::string> files;

  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, bool create,
                                                     Ring*) override {
    if (create) {
      files[path].clear();
    } else if (!files.contains(path)) {
      return Status::IOError("no file " + path);
    }
    return std::unique_ptr<WritableFile>(new File(this, path));
  }
  Result<std::string> ReadFile(const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return Status::IOError("no file " + path);
    return it->second;
  }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    std::vector<std::string> names;
    const std::string prefix = dir + "/";
    for (const auto& [path, bytes] : files) {
      if (path.starts_with(prefix)) names.push_back(path.substr(prefix.size()));
    }
    return names;
  }
  Status CreateDir(const std::string&) override { return Status::Ok(); }
  Status Rename(const std::string& from, const std::string& to) override {
    auto it = files.find(from);
    if (it == files.end()) return Status::IOError("no file " + from);
    std::string bytes = std::move(it->second);
    files.erase(it);
    files[to] = std::move(bytes);
    return Status::Ok();
  }
  Status Remove(const std::string& path) override {
    if (files.erase(path) == 0) return Status::IOError("no file " + path);
    return Status::Ok();
  }
  Status SyncDir(const std::string&) override { return Status::Ok(); }

 private:
  class File final : public WritableFile {
   public:
    File(MemFileLayer* layer, std::string path) : layer_(layer), path_(std::move(path)) {}
    Status Write(uint64_t offset, std::string_view data, bool) override {
      std::string* f;
      RETURN_IF_ERROR(Reach(offset, data.size(), &f));
      std::memcpy(f->data() + offset, data.data(), data.size());
      return Status::Ok();
    }
    Status Sync() override { return Status::Ok(); }
    Status ZeroFill(uint64_t offset, uint64_t length) override {
      std::string* f;
      RETURN_IF_ERROR(Reach(offset, length, &f));
      std::memset(f->data() + offset, 0, length);
      return Status::Ok();
    }
    Result<uint64_t> Size() override {
      auto it = layer_->files.find(path_);
      if (it == layer_->files.end()) return Status::IOError("no file " + path_);
      return static_cast<uint64_t>(it->second.size());
    }

   private:
    // The file, grown to hold [offset, offset + length).
    Status Reach(uint64_t offset, uint64_t length, std::string** f) {
      auto it = layer_->files.find(path_);
      if (it == layer_->files.end()) return Status::IOError("no file " + path_);
      if (offset > kMaxFileBytes || length > kMaxFileBytes - offset) {
        Die("the WAL reader writes past " + std::to_string(kMaxFileBytes) + " bytes");
      }
      if (it->second.size() < offset + length) it->second.resize(offset + length);
      *f = &it->second;
      return Status::Ok();
    }
    MemFileLayer* layer_;
    std::string path_;
  };
};

// The input cut into segment files: a new one starts at each "STRATWAL" after the first byte.
std::vector<std::string> SplitSegments(std::string_view data) {
  constexpr size_t kMaxSegments = 8;
  const std::string_view magic(wal::kMagic, sizeof(wal::kMagic));
  std::vector<std::string> pieces;
  size_t start = 0;
  while (pieces.size() + 1 < kMaxSegments) {
    const size_t next = data.find(magic, start + 1);
    if (next == std::string_view::npos) break;
    pieces.emplace_back(data.substr(start, next - start));
    start = next;
  }
  pieces.emplace_back(data.substr(start));
  return pieces;
}

// Recomputes the header CRC and the CRC of every record the length fields delimit.
void FixChecksums(std::string* seg) {
  char* p = seg->data();
  if (seg->size() < wal::kSegmentHeaderSize) return;
  strata::EncodeFixed32(p + wal::kHeaderCrcOffset, strata::Crc32c(p, wal::kHeaderCrcOffset));
  size_t off = wal::kSegmentHeaderSize;
  while (seg->size() - off >= wal::kRecordHeaderSize) {
    const uint64_t length = strata::DecodeFixed32(p + off + 4);
    if (length > seg->size() - off - wal::kRecordHeaderSize) break;
    strata::EncodeFixed32(p + off, strata::Crc32c(p + off + 4, wal::kRecordHeaderSize - 4 + length));
    off += wal::kRecordHeaderSize + length;
  }
}

MemFileLayer MakeLog(const std::vector<std::string>& segments) {
  MemFileLayer fs;
  for (const std::string& seg : segments) {
    const uint64_t lsn = seg.size() >= 24 ? strata::DecodeFixed64(seg.data() + 16) : 1;
    std::string path = std::string(kDir) + "/" + wal::SegmentFileName(lsn);
    // A second segment claiming the same first LSN becomes a leftover temporary file.
    if (fs.files.contains(path)) path += wal::kTempSuffix;
    if (!fs.files.contains(path)) fs.files[path] = seg;
  }
  return fs;
}

engine::KeyspaceOptions SmallKeyspace() {
  engine::KeyspaceOptions o;
  o.shards = 4;
  o.databases = 16;
  return o;
}

Result<wal::ReplayResult> Replay(MemFileLayer* fs, bool truncate, engine::Keyspace* ks) {
  wal::ReplayOptions ro;
  ro.dir = kDir;
  ro.truncate_torn_tail = truncate;
  ro.files = fs;
  return wal::Replay(ro, [&](uint64_t, std::string_view payload) -> Status {
    if (ks == nullptr) return Status::Ok();
    return engine::ApplyRedo(*ks, payload);
  });
}

std::string Why(const Status& st) { return st.ok() ? "OK" : st.message(); }

// Step 1: the reader's own policy on the log as given.
void CheckReaderPolicy(const std::vector<std::string>& segments) {
  {
    MemFileLayer fs = MakeLog(segments);
    engine::Keyspace ks(SmallKeyspace());
    Result<wal::ReplayResult> r = Replay(&fs, false, &ks);
    (void)r;
  }
  {
    MemFileLayer fs = MakeLog(segments);
    Result<wal::ReplayResult> first = Replay(&fs, true, nullptr);
    if (first.ok()) {
      Result<wal::ReplayResult> again = Replay(&fs, false, nullptr);
      if (!again.ok()) Die("replay fails after a torn tail was truncated: " + Why(again.status()));
      if (again->dropped_bytes != 0 || again->records != first->records ||
          again->end.next_lsn != first->end.next_lsn) {
        Die("a second replay after truncating the torn tail finds another log: " +
            std::to_string(again->records) + " records (first " +
            std::to_string(first->records) + "), " + std::to_string(again->dropped_bytes) +
            " bytes dropped");
      }
    }
  }
  {
    MemFileLayer fs = MakeLog(segments);
    Result<wal::ReplayResult> repaired = wal::Repair(kDir, &fs);
    if (repaired.ok()) {
      Result<wal::ReplayResult> after = Replay(&fs, false, nullptr);
      if (!after.ok()) Die("replay fails after repair: " + Why(after.status()));
      if (after->dropped_bytes != 0) {
        Die("replay after repair drops " + std::to_string(after->dropped_bytes) + " bytes");
      }
      Result<wal::ReplayResult> again = wal::Repair(kDir, &fs);
      if (!again.ok()) Die("a second repair fails: " + Why(again.status()));
      if (again->dropped_bytes != 0 || again->dropped_records != 0) {
        Die("a second repair drops " + std::to_string(again->dropped_bytes) + " more bytes");
      }
    }
  }
}

// Step 2: the records' payloads through the engine.
void CheckReplayIntoEngine(std::vector<std::string> segments) {
  for (std::string& seg : segments) FixChecksums(&seg);
  MemFileLayer fs = MakeLog(segments);
  engine::Keyspace ks(SmallKeyspace());
  Result<wal::ReplayResult> r = Replay(&fs, false, &ks);
  if (r.ok()) strata::fuzz::CheckSnapshotRoundTrip(ks, "the keyspace a WAL replay built");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<std::string> segments =
      SplitSegments(std::string_view(reinterpret_cast<const char*>(data), size));
  CheckReaderPolicy(segments);
  CheckReplayIntoEngine(segments);
  return 0;
}
