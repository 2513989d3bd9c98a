// The golden files of tests/testdata/ (golden_data.h), written once by an earlier version with
// make_golden.cc, read with today's readers: every key, value, type, TTL and LSN must come back
// exactly, and the damaged copies must have exactly the recovery outcome the recovery policy
// promises. A reader change that stops old files loading, or a regenerated file, fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "base/temp_dir.h"
#include "engine/capture.h"
#include "engine/entry.h"
#include "engine/keyspace.h"
#include "engine/redo.h"
#include "engine/replay.h"
#include "snapshot/file.h"
#include "snapshot/format.h"
#include "tests/testdata/golden_data.h"
#include "wal/reader.h"

namespace strata::golden {
namespace {

namespace fs = std::filesystem;
using engine::RedoEffect;
using engine::RedoOp;

const std::string kDir = STRATA_TESTDATA_DIR;

std::string Path(const std::string& name) { return kDir + "/" + name; }

// Printable ASCII as is, every other byte (and '\\') as \xNN.
std::string Escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

// One effect as a line: its name, database and key, then its fields.
std::string Render(const RedoEffect& e) {
  std::string out = std::string(engine::RedoOpName(e.op)) + " db" + std::to_string(e.db);
  switch (e.op) {
    case RedoOp::kFlushAll:
      return engine::RedoOpName(e.op);
    case RedoOp::kFlushDb:
      return out;
    case RedoOp::kSwapDb:
      return out + " db" + std::to_string(e.db2);
    default:
      break;
  }
  out += " " + Escape(e.key);
  switch (e.op) {
    case RedoOp::kPut:
    case RedoOp::kStub:
      out += std::string(" ") + engine::TypeName(static_cast<engine::ValueType>(e.type)) +
             (e.raw ? " raw" : "") + " expire=" + std::to_string(e.expire_ms);
      if (e.op == RedoOp::kStub) {
        return out + " tier=" + std::to_string(e.tier_id) + "/" + std::to_string(e.tier_bytes);
      }
      return out + " " + Escape(e.value);
    case RedoOp::kDel:
      return out;
    case RedoOp::kExpire:
      return out + " expire=" + std::to_string(e.expire_ms);
    default:  // append and the collection effects: the suffix or the body
      return out + " " + Escape(e.value);
  }
}

// Every effect of a record (or a snapshot block), rendered; fails the test on a decoding error.
std::vector<std::string> RenderRecord(std::string_view record) {
  std::vector<std::string> out;
  engine::RedoReader reader(record);
  RedoEffect e;
  while (reader.Next(&e)) out.push_back(Render(e));
  EXPECT_TRUE(reader.status().ok()) << reader.status().ToString();
  return out;
}

// A copy of a golden directory in a fresh temporary one (recovery may rewrite what it reads).
std::string CopyOf(const std::string& name, const TempDir& tmp) {
  const std::string to = tmp.Sub(name);
  fs::copy(Path(name), to, fs::copy_options::recursive);
  return to;
}

struct Replayed {
  std::vector<std::string> lines;  // "<lsn>: <effect>", one per effect
  std::vector<std::string> records;
};

Result<wal::ReplayResult> Replay(const std::string& dir, Replayed* out) {
  wal::ReplayOptions o;
  o.dir = dir;
  return wal::Replay(o, [out](uint64_t lsn, std::string_view payload) {
    for (const std::string& line : RenderRecord(payload)) {
      out->lines.push_back(std::to_string(lsn) + ": " + line);
    }
    out->records.emplace_back(payload);
    return Status::Ok();
  });
}

// The log's records as make_golden.cc wrote them (golden_data.h: "wal").
const std::vector<std::string> kWalLines = {
    "1: put db0 greeting string expire=0 hello",
    "2: put db0 counter string expire=0 41",
    "3: put db0 counter string expire=0 42",
    "4: put db1 session string expire=4102444800000 s3cr3t",
    "5: put db0 bin\\x00key string raw expire=0 a\\x00b\\xff",
    "6: append db0 greeting , world",
    "7: expire db0 counter expire=4102531200000",
    "8: list_push db0 list \\x01\\x03\\x01a\\x01b\\x01c",
    "9: list_pop db0 list \\x00\\x01",
    "10: hash_set db0 hash \\x02\\x02f1\\x02v1\\x02f2\\x02v2",
    "11: set_add db2 set \\x03\\x01x\\x01y\\x017",
    "12: zset_add db0 zset \\x02\\x00\\x00\\x00\\x00\\x00\\x00\\xf8?\\x02m1\\x00\\x00\\x00\\x00"
    "\\x00\\x00\\x00\\xc0\\x02m2",
    "12: expire db0 zset expire=4102444800000",
    "13: put db3 temp string expire=0 x",
    "14: del db3 temp",
    "15: put db3 flushed string expire=0 y",
    "16: flushdb db3",
    "17: put db2 moved string expire=0 z",
    "18: swapdb db2 db3",
    "19: put db0 m:1 string expire=0 one",
    "19: put db0 m:2 string expire=0 two",
    "20: put db0 big string expire=0 " + std::string(150, 'q'),
    "21: put db0 last string expire=0 record",
};

TEST(GoldenTest, FilesAreTheCommittedOnes) {
  // Size and CRC32C of every golden file: regenerating one (or a new writer's bytes) must be a
  // deliberate change to this table, never a silent one.
  const std::map<std::string, std::pair<uint64_t, uint32_t>> want = {
      {"damaged/bad_frame.snap", {628, 0x2d38486a}},
      {"damaged/short_footer.snap", {591, 0x4aabf709}},
      {"snapshot/snapshot-000000000001.snap", {628, 0x5088ba64}},
      {"snapshot_stubs/snapshot-000000000002.snap", {391, 0x77b68c2f}},
      {"wal/wal-00000000000000000001.log", {512, 0xc32b3891}},
      {"wal/wal-00000000000000000013.log", {512, 0x2e997117}},
      {"wal_damaged/wal-00000000000000000001.log", {512, 0x79a3bd24}},
      {"wal_damaged/wal-00000000000000000013.log", {512, 0x2e997117}},
      {"wal_torn_tail/wal-00000000000000000001.log", {512, 0xc32b3891}},
      {"wal_torn_tail/wal-00000000000000000013.log", {512, 0x8c453e05}},
  };
  std::map<std::string, std::pair<uint64_t, uint32_t>> got;
  for (const auto& e : fs::recursive_directory_iterator(kDir)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = e.path().extension().string();
    if (ext == ".cc" || ext == ".h" || ext == ".md") continue;
    const std::string bytes = ReadFileOrDie(e.path().string());
    got[fs::relative(e.path(), kDir).string()] = {bytes.size(), Crc32c(bytes)};
  }
  EXPECT_EQ(got, want);
}

TEST(GoldenTest, WalReplaysEveryRecordExactly) {
  TempDir tmp;
  Replayed got;
  Result<wal::ReplayResult> r = Replay(CopyOf(kWalDir, tmp), &got);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(got.lines, kWalLines);
  EXPECT_EQ(r->records, 21u);
  EXPECT_EQ(r->segments, 2u);
  EXPECT_EQ(r->end.next_lsn, 22u);
  EXPECT_EQ(r->end.segment_first_lsn, 13u);
  EXPECT_EQ(r->dropped_records, 0u);
  EXPECT_EQ(r->dropped_bytes, 0u);
}

TEST(GoldenTest, TornTailIsCutAndReported) {
  TempDir tmp;
  const std::string dir = CopyOf(kTornWalDir, tmp);
  Replayed got;
  Result<wal::ReplayResult> r = Replay(dir, &got);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(got.lines, std::vector<std::string>(kWalLines.begin(), kWalLines.end() - 1));
  EXPECT_EQ(r->records, 20u);
  EXPECT_EQ(r->end.next_lsn, 21u);
  EXPECT_EQ(r->dropped_records, 1u);
  EXPECT_EQ(r->dropped_bytes, 17u);
  EXPECT_EQ(r->dropped_file, dir + "/" + wal::SegmentFileName(13));
  EXPECT_EQ(r->dropped_offset, 439u);
  // Truncated on disk: the next replay finds a clean end.
  Replayed again;
  r = Replay(dir, &again);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(again.lines, got.lines);
  EXPECT_EQ(r->dropped_bytes, 0u);
}

TEST(GoldenTest, DamageInAnOlderSegmentStopsReplayNamingFileAndOffset) {
  TempDir tmp;
  const std::string dir = CopyOf(kDamagedWalDir, tmp);
  Replayed got;
  Result<wal::ReplayResult> r = Replay(dir, &got);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorruption);
  EXPECT_EQ(r.status().message(), "WAL corruption in " + dir + "/" + wal::SegmentFileName(1) +
                                      " at offset 101: record checksum mismatch; run "
                                      "`strata-inspect wal repair " +
                                      dir + "`");
  // Records before the damage were handed out; nothing past it was.
  EXPECT_EQ(got.lines, std::vector<std::string>(kWalLines.begin(), kWalLines.begin() + 1));
}

// Every entry of a snapshot, shard by shard in file order: "shard <s>: <effect>".
std::vector<std::string> ReadSnapshot(const snapshot::FileReader& r) {
  std::vector<std::string> out;
  for (uint32_t s = 0; s < r.meta().shards; ++s) {
    Status st = r.ReadShard(s, [&](std::string_view raw, uint32_t entries) {
      const std::vector<std::string> lines = RenderRecord(raw);
      EXPECT_EQ(lines.size(), entries);
      for (const std::string& line : lines)
        out.push_back("shard " + std::to_string(s) + ": " + line);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  return out;
}

// A keyspace's contents as a capture writes them, sorted: what snapshot and log must agree on.
std::vector<std::string> Captured(engine::Keyspace& ks) {
  std::vector<std::string> out;
  std::unique_ptr<engine::Capture> capture = engine::Capture::Begin(ks);
  Status st = capture->Run([&](uint32_t, std::string_view batch, uint32_t) {
    for (const std::string& line : RenderRecord(batch)) out.push_back(line);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GoldenTest, SnapshotHoldsTheLogsFinalStateExactly) {
  const std::string path =
      Path(std::string(kSnapshotDir) + "/" + snapshot::SnapshotFileName(kSnapshotId));
  Result<std::unique_ptr<snapshot::FileReader>> r = snapshot::FileReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const snapshot::FileMeta& m = (*r)->meta();
  EXPECT_EQ(m.version, 1u);
  EXPECT_EQ(m.id, kSnapshotId);
  EXPECT_EQ(m.created_ms, static_cast<uint64_t>(kCreatedMs));
  EXPECT_EQ(m.shards, kShards);
  EXPECT_EQ(m.databases, kDatabases);
  ASSERT_EQ(m.shard_info.size(), 2u);
  EXPECT_EQ(m.shard_info[0].lsn, 21u);
  EXPECT_EQ(m.shard_info[1].lsn, 21u);
  EXPECT_EQ(m.entries(), 13u);
  EXPECT_EQ(m.blocks.size(), 3u);
  EXPECT_TRUE((*r)->Verify().ok());
  const std::vector<std::string> entries = ReadSnapshot(**r);
  EXPECT_EQ(entries,
            (std::vector<std::string>{
                "shard 0: put db0 greeting string raw expire=0 hello, world",
                "shard 0: put db0 bin\\x00key string raw expire=0 a\\x00b\\xff",
                "shard 0: put db0 zset zset expire=4102444800000 \\x02\\x00\\x00\\x00\\x00\\x00"
                "\\x00\\x00\\xc0\\x02m2\\x00\\x00\\x00\\x00\\x00\\x00\\xf8?\\x02m1",
                "shard 0: put db0 counter string expire=4102531200000 42",
                "shard 0: put db0 big string expire=0 " + std::string(150, 'q'),
                "shard 0: put db0 m:2 string expire=0 two",
                "shard 1: put db0 hash hash expire=0 \\x02\\x02f1\\x02v1\\x02f2\\x02v2",
                "shard 1: put db0 list list expire=0 \\x02\\x01b\\x01c",
                "shard 1: put db0 m:1 string expire=0 one",
                "shard 1: put db0 last string expire=0 record",
                "shard 1: put db1 session string expire=4102444800000 s3cr3t",
                "shard 1: put db3 moved string expire=0 z",
                "shard 1: put db3 set set expire=0 \\x03\\x01x\\x01y\\x017",
            }));

  // Loading the snapshot and replaying the log give the same keyspace.
  engine::Keyspace from_snapshot(engine::KeyspaceOptions{kShards, kDatabases});
  for (uint32_t s = 0; s < m.shards; ++s) {
    ASSERT_TRUE((*r)->ReadShard(s, [&](std::string_view raw,
                                       uint32_t) { return engine::ApplyRedo(from_snapshot, raw); })
                    .ok());
  }
  TempDir tmp;
  Replayed log;
  ASSERT_TRUE(Replay(CopyOf(kWalDir, tmp), &log).ok());
  engine::Keyspace from_log(engine::KeyspaceOptions{kShards, kDatabases});
  for (size_t i = 0; i < log.records.size(); ++i) {
    ASSERT_TRUE(engine::ApplyRedo(from_log, log.records[i], i + 1).ok());
  }
  EXPECT_EQ(Captured(from_snapshot), Captured(from_log));
}

TEST(GoldenTest, SnapshotWithTierStubsReadsBackEveryStub) {
  const std::string path =
      Path(std::string(kStubSnapshotDir) + "/" + snapshot::SnapshotFileName(kStubSnapshotId));
  Result<std::unique_ptr<snapshot::FileReader>> r = snapshot::FileReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->meta().id, kStubSnapshotId);
  EXPECT_EQ((*r)->meta().shard_info[0].lsn, 30u);
  EXPECT_EQ((*r)->meta().shard_info[1].lsn, 31u);
  EXPECT_EQ(ReadSnapshot(**r),
            (std::vector<std::string>{
                "shard 0: put db0 hot string expire=0 in RAM",
                "shard 0: stub db0 cold:string string raw expire=4102444800000 tier=17/4096",
                "shard 1: stub db2 cold:hash hash expire=0 tier=18/70000",
                "shard 1: put db1 warm string expire=4102531200000 also in RAM",
            }));
}

TEST(GoldenTest, CorruptSnapshotFrameIsReportedWithFileAndOffset) {
  const std::string path = Path(kBadFrameFile);
  Result<std::unique_ptr<snapshot::FileReader>> r = snapshot::FileReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();  // header, footer and trailer are sound
  const Status st = (*r)->Verify();
  EXPECT_EQ(st.code(), Code::kCorruption);
  EXPECT_EQ(st.message(),
            "snapshot corruption in " + path + " at offset 64: block checksum mismatch");
}

TEST(GoldenTest, TruncatedSnapshotFooterIsReportedWithFileAndOffset) {
  const std::string path = Path(kShortFooterFile);
  Result<std::unique_ptr<snapshot::FileReader>> r = snapshot::FileReader::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorruption);
  EXPECT_EQ(r.status().message(),
            "snapshot corruption in " + path +
                " at offset 559: no end magic: the file is cut short or was not finished");
}

}  // namespace
}  // namespace strata::golden
