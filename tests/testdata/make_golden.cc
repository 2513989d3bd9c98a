// Writes the golden files of tests/testdata/ with today's writers: make_golden <out dir>.
// Run once, when a format version is added; the files are committed and never rewritten, so that
// every later version is tested on reading them (golden_test.cc). golden_data.h says what each
// file holds.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/temp_dir.h"
#include "engine/capture.h"
#include "engine/entry.h"
#include "engine/hash_value.h"
#include "engine/keyspace.h"
#include "engine/list_value.h"
#include "engine/redo.h"
#include "engine/replay.h"
#include "engine/set_value.h"
#include "engine/zset_value.h"
#include "snapshot/file.h"
#include "snapshot/format.h"
#include "tests/testdata/golden_data.h"
#include "wal/log_format.h"
#include "wal/writer.h"

namespace strata::golden {
namespace {

namespace fs = std::filesystem;
using engine::RedoOp;
using engine::RedoRecord;

#define CHECK_OK(expr)                                                 \
  do {                                                                 \
    const Status st_ = (expr);                                         \
    if (!st_.ok()) {                                                   \
      std::fprintf(stderr, "%s: %s\n", #expr, st_.ToString().c_str()); \
      std::exit(1);                                                    \
    }                                                                  \
  } while (0)

void PutString(RedoRecord* r, int db, std::string_view key, std::string_view value,
               int64_t expire_ms = 0, bool raw = false) {
  engine::Entry* e = engine::Entry::NewString(key, value, expire_ms, raw, 0);
  r->Put(db, *e);
  engine::Entry::Free(e);
}

// The log's records, one command each, as the command families issue them.
std::vector<std::string> Records() {
  std::vector<std::string> out;
  auto add = [&](auto&& build) {
    RedoRecord r;
    build(&r);
    out.emplace_back(r.bytes());
  };
  std::string body;
  add([](RedoRecord* r) { PutString(r, 0, "greeting", "hello"); });
  add([](RedoRecord* r) { PutString(r, 0, "counter", "41"); });
  add([](RedoRecord* r) { PutString(r, 0, "counter", "42"); });  // INCR: the result
  add([](RedoRecord* r) { PutString(r, 1, "session", "s3cr3t", kTtl1); });
  add([](RedoRecord* r) {
    PutString(r, 0, std::string("bin\0key", 7), std::string("a\0b\xff", 4), 0, true);
  });
  add([](RedoRecord* r) { r->Append(0, "greeting", ", world"); });
  add([](RedoRecord* r) { r->Expire(0, "counter", kTtl2); });
  add([&](RedoRecord* r) {
    const std::string_view elements[] = {"a", "b", "c"};
    engine::ListPushBody(&body, engine::ListEnd::kTail, elements);
    r->Effect(RedoOp::kListPush, 0, "list", body);
  });
  add([&](RedoRecord* r) {
    engine::ListPopBody(&body, engine::ListEnd::kHead, 1);
    r->Effect(RedoOp::kListPop, 0, "list", body);
  });
  add([&](RedoRecord* r) {
    const std::string_view pairs[] = {"f1", "v1", "f2", "v2"};
    engine::HashSetBody(&body, pairs);
    r->Effect(RedoOp::kHashSet, 0, "hash", body);
  });
  add([&](RedoRecord* r) {
    const std::string_view members[] = {"x", "y", "7"};
    r->Effect(RedoOp::kSetAdd, 2, "set", engine::SetMembersBody(members));
  });
  add([&](RedoRecord* r) {
    const std::pair<std::string_view, double> items[] = {{"m1", 1.5}, {"m2", -2}};
    r->Effect(RedoOp::kZSetAdd, 0, "zset", engine::ZAddBody(items));
    r->Expire(0, "zset", kTtl1);
  });
  add([](RedoRecord* r) { PutString(r, 3, "temp", "x"); });
  add([](RedoRecord* r) { r->Del(3, "temp"); });
  add([](RedoRecord* r) { PutString(r, 3, "flushed", "y"); });
  add([](RedoRecord* r) { r->FlushDb(3); });
  add([](RedoRecord* r) { PutString(r, 2, "moved", "z"); });
  add([](RedoRecord* r) { r->SwapDb(2, 3); });
  add([](RedoRecord* r) {  // MSET: one record, two effects
    PutString(r, 0, "m:1", "one");
    PutString(r, 0, "m:2", "two");
  });
  add([](RedoRecord* r) { PutString(r, 0, "big", std::string(150, 'q')); });
  add([](RedoRecord* r) { PutString(r, 0, "last", "record"); });
  return out;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() ||
      std::fclose(f) != 0) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

std::vector<std::string> Segments(const std::string& dir) {
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(dir)) {
    uint64_t lsn;
    if (wal::ParseSegmentFileName(e.path().filename().string(), &lsn)) paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Copies the segments of `from` to the directory `to`.
void CopyLog(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  for (const std::string& p : Segments(from)) {
    fs::copy_file(p, to + "/" + fs::path(p).filename().string());
  }
}

// The offset of record `index` (0-based) of `records` in its segment, whose first record is
// records[first]: each record is framed in kRecordHeaderSize bytes (wal/FORMAT.md).
size_t RecordOffset(const std::vector<std::string>& records, size_t first, size_t index) {
  size_t off = wal::kSegmentHeaderSize;
  for (size_t i = first; i < index; ++i) off += wal::kRecordHeaderSize + records[i].size();
  return off;
}

void WriteWal(const std::string& out, const std::vector<std::string>& records) {
  const std::string dir = out + "/" + kWalDir;
  {
    wal::WriterOptions o;
    o.dir = dir;
    o.segment_bytes = kSegmentBytes;
    o.sync = wal::SyncPolicy::kAlways;
    o.io = wal::IoMode::kPwrite;
    auto w = wal::Writer::Open(std::move(o), wal::LogEnd{});
    CHECK_OK(w.status());
    for (const std::string& r : records) (*w)->Append(r);
    CHECK_OK((*w)->Flush());
  }
  for (const auto& e : fs::directory_iterator(dir)) {  // the spare segment, if any
    uint64_t lsn;
    if (!wal::ParseSegmentFileName(e.path().filename().string(), &lsn)) fs::remove(e.path());
  }
  const std::vector<std::string> segments = Segments(dir);

  // Torn tail: the second half of the newest segment's last record never reached the disk.
  const std::string torn = out + "/" + kTornWalDir;
  CopyLog(dir, torn);
  const std::string newest = torn + "/" + fs::path(segments.back()).filename().string();
  std::string bytes = ReadFileOrDie(newest);
  uint64_t newest_first_lsn = 0;
  wal::ParseSegmentFileName(fs::path(newest).filename().string(), &newest_first_lsn);
  const size_t last = RecordOffset(records, newest_first_lsn - 1, records.size() - 1);
  const size_t end = last + wal::kRecordHeaderSize + records.back().size();
  const size_t cut = last + (end - last) / 2;
  std::fill(bytes.begin() + cut, bytes.begin() + end, '\0');
  WriteFile(newest, bytes);

  // Damage in an older segment: one payload byte of the first segment's second record flipped.
  const std::string damaged = out + "/" + kDamagedWalDir;
  CopyLog(dir, damaged);
  const std::string oldest = damaged + "/" + fs::path(segments.front()).filename().string();
  bytes = ReadFileOrDie(oldest);
  const size_t flip = RecordOffset(records, 0, 1) + wal::kRecordHeaderSize + 2;
  bytes[flip] = static_cast<char>(bytes[flip] ^ 0x20);
  WriteFile(oldest, bytes);
}

// The snapshot of the log's final state: the records applied to a keyspace, then captured and
// written as the server's SAVE does, every shard at the log's last LSN.
void WriteSnapshot(const std::string& out, const std::vector<std::string>& records) {
  engine::Keyspace ks(engine::KeyspaceOptions{kShards, kDatabases});
  for (size_t i = 0; i < records.size(); ++i) CHECK_OK(engine::ApplyRedo(ks, records[i], i + 1));
  const std::string dir = out + "/" + kSnapshotDir;
  fs::create_directories(dir);
  auto w = snapshot::FileWriter::Create(dir + "/" + snapshot::SnapshotFileName(kSnapshotId),
                                        kShards, kDatabases, kSnapshotId, kCreatedMs);
  CHECK_OK(w.status());
  std::unique_ptr<engine::Capture> capture =
      engine::Capture::Begin(ks, engine::CaptureOptions{.batch_bytes = 96, .buckets_per_lock = 4});
  CHECK_OK(capture->Run([&](uint32_t shard, std::string_view batch, uint32_t entries) {
    return (*w)->AddBlock(shard, batch, entries);
  }));
  CHECK_OK((*w)->Finish(std::vector<uint64_t>(kShards, records.size())));
}

// A snapshot of puts and stubs (keys whose values were in the overflow tier), one block a shard.
void WriteStubSnapshot(const std::string& out) {
  const std::string dir = out + "/" + kStubSnapshotDir;
  fs::create_directories(dir);
  auto w = snapshot::FileWriter::Create(dir + "/" + snapshot::SnapshotFileName(kStubSnapshotId),
                                        kShards, kDatabases, kStubSnapshotId, kCreatedMs);
  CHECK_OK(w.status());
  RedoRecord shard0, shard1;
  PutString(&shard0, 0, "hot", "in RAM");
  engine::Entry* e =
      engine::Entry::NewStub("cold:string", engine::ValueType::kString, true, kTtl1, 17, 4096, 0);
  shard0.Put(0, *e);
  engine::Entry::Free(e);
  e = engine::Entry::NewStub("cold:hash", engine::ValueType::kHash, false, 0, 18, 70000, 0);
  shard1.Put(2, *e);
  engine::Entry::Free(e);
  PutString(&shard1, 1, "warm", "also in RAM", kTtl2);
  CHECK_OK((*w)->AddBlock(0, shard0.bytes(), 2));
  CHECK_OK((*w)->AddBlock(1, shard1.bytes(), 2));
  CHECK_OK((*w)->Finish({30, 31}));
}

// Damaged copies of the snapshot: a byte flipped inside its first block's zstd frame, and the
// file cut short inside the footer.
void WriteDamagedSnapshots(const std::string& out) {
  const std::string path = out + "/" + kSnapshotDir + "/" + snapshot::SnapshotFileName(kSnapshotId);
  auto r = snapshot::FileReader::Open(path);
  CHECK_OK(r.status());
  const snapshot::FileMeta meta = (*r)->meta();
  fs::create_directories(out + "/damaged");
  std::string bytes = ReadFileOrDie(path);
  std::string flipped = bytes;
  const size_t flip = meta.blocks[0].offset + snapshot::kBlockHeaderSize + 3;
  flipped[flip] = static_cast<char>(flipped[flip] ^ 0x01);
  WriteFile(out + "/" + kBadFrameFile, flipped);
  const uint64_t footer_end = meta.file_bytes - snapshot::kTrailerSize;
  WriteFile(out + "/" + kShortFooterFile, bytes.substr(0, footer_end - 5));
}

}  // namespace
}  // namespace strata::golden

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <out dir>   (tests/testdata)\n", argv[0]);
    return 2;
  }
  const std::string out = argv[1];
  const std::vector<std::string> records = strata::golden::Records();
  strata::golden::WriteWal(out, records);
  strata::golden::WriteSnapshot(out, records);
  strata::golden::WriteStubSnapshot(out);
  strata::golden::WriteDamagedSnapshots(out);
  return 0;
}
