// strata-inspect over write-ahead logs: verify, info, dump and repair of healthy, torn and
// damaged segments.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "base/temp_dir.h"
#include "engine/entry.h"
#include "engine/redo.h"
#include "tools/inspect.h"
#include "tools/test_util.h"
#include "wal/test_util.h"

namespace strata::tools {
namespace {

namespace fs = std::filesystem;

class WalTest : public ::testing::Test {
 protected:
  // 200 records (every 10th with a del too) in 1 KiB segments, in <tmp>/wal.
  void SetUp() override {
    wal_ = dir_.Sub("wal");
    Write(200, 1024);
  }

  void Write(int records, uint64_t segment_bytes) {
    WriteLog(wal_, segment_bytes, records, [](int i, engine::RedoRecord* r) {
      PutString(r, 0, "key" + std::to_string(i), "value");
      if (i % 10 == 0) r->Del(1, "gone");
    });
  }

  std::vector<std::string> Segments() { return wal::testing::SegmentPaths(wal_); }

  void Flip(const std::string& path, size_t offset, uint8_t mask = 0x10) {
    std::string bytes = ReadFileOrDie(path);
    bytes[offset] = static_cast<char>(bytes[offset] ^ mask);
    WriteFileOrDie(path, bytes);
  }

  TempDir dir_;
  std::string wal_;
};

TEST_F(WalTest, VerifyCountsEveryRecordOfAHealthyLog) {
  const Json v = VerifyWal(wal_, false, TestContext());
  EXPECT_TRUE(v["ok"].get<bool>()) << v.dump();
  EXPECT_EQ(v["records"].get<uint64_t>(), 200u);
  EXPECT_GT(v["segments"].get<uint64_t>(), 1u);
  EXPECT_EQ(v["next_lsn"].get<uint64_t>(), 201u);
  EXPECT_FALSE(v.contains("torn_tail"));
  EXPECT_TRUE(v["faults"].empty());
}

TEST_F(WalTest, InfoGivesEachSegmentsLsnRange) {
  const Json w = WalInfo(wal_, TestContext());
  ASSERT_TRUE(w["ok"].get<bool>()) << w.dump(2);
  const std::vector<std::string> segs = Segments();
  ASSERT_EQ(w["segments"].size(), segs.size());
  uint64_t next = 1, records = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    const Json& s = w["segments"].at(i);
    EXPECT_EQ(s["path"], segs[i]);
    EXPECT_EQ(s["first_lsn"], next);
    EXPECT_EQ(s["file_bytes"], 1024);
    const uint64_t n = s["records"].get<uint64_t>();
    EXPECT_GT(n, 0u);
    EXPECT_EQ(s["last_lsn"], next + n - 1);
    next += n;
    records += n;
  }
  EXPECT_EQ(records, 200u);
  EXPECT_EQ(w["next_lsn"], 201);
}

TEST_F(WalTest, DumpGivesRecordsWithTheirPlaceAndEffects) {
  std::vector<Json> out;
  ASSERT_TRUE(DumpWal(wal_, 11, 2, TestContext(), [&](const Json& j) { out.push_back(j); }).ok());
  ASSERT_EQ(out.size(), 2u);
  const Json& r = out[0];
  EXPECT_EQ(r["lsn"].get<uint64_t>(), 11u);
  EXPECT_EQ(r["effects"].size(), 2u);  // key10 put, then the del every 10th record carries
  EXPECT_EQ(r["effects"].at(0), Json::parse(R"({"op": "put", "db": 0, "key": "key10",
      "type": "string", "expire_ms": null, "value": "value"})"));
  EXPECT_EQ(r["effects"].at(1), Json::parse(R"({"op": "del", "db": 1, "key": "gone"})"));
  EXPECT_EQ(out[1]["lsn"], 12);
  // The offset is where the record is: its header there holds its LSN.
  const std::string seg = ReadFileOrDie(r["segment"].get<std::string>());
  const uint64_t off = r["offset"].get<uint64_t>();
  uint64_t lsn;
  std::memcpy(&lsn, seg.data() + off + 8, 8);
  EXPECT_EQ(lsn, 11u);
  EXPECT_EQ(out[1]["offset"], off + 16 + r["bytes"].get<uint64_t>());
}

TEST_F(WalTest, OneSegmentAloneCanBeReadAndVerified) {
  const std::vector<std::string> segs = Segments();
  ASSERT_GE(segs.size(), 3u);
  const Json v = VerifyWal(segs[1], false, TestContext());
  EXPECT_TRUE(v["ok"].get<bool>()) << v.dump(2);
  std::vector<uint64_t> lsns;
  ASSERT_TRUE(DumpWal(segs[1], 1, 0, TestContext(), [&](const Json& j) {
                lsns.push_back(j["lsn"].get<uint64_t>());
                EXPECT_EQ(j["segment"], segs[1]);
              }).ok());
  ASSERT_FALSE(lsns.empty());
  EXPECT_EQ(lsns.front(), WalInfo(wal_, TestContext())["segments"].at(1)["first_lsn"]);
  Flip(segs[1], 200);
  const Json bad = VerifyWal(segs[1], false, TestContext());
  EXPECT_FALSE(bad["ok"].get<bool>());
  EXPECT_EQ(bad["faults"].at(0)["file"], segs[1]);
  EXPECT_FALSE(RepairWal(segs[1], TestContext())["ok"].get<bool>()) << "a segment alone";
}

TEST_F(WalTest, DamageInAnOldSegmentIsReportedThenRepairedWithABackup) {
  const std::vector<std::string> segs = Segments();
  ASSERT_GE(segs.size(), 3u);
  const std::string original = ReadFileOrDie(segs[0]);
  Flip(segs[0], 200);  // inside a record past the 64-byte header
  const std::string damaged = ReadFileOrDie(segs[0]);
  const Json v = VerifyWal(wal_, false, TestContext());
  EXPECT_FALSE(v["ok"].get<bool>());
  const std::string err = v["error"].get<std::string>();
  EXPECT_NE(err.find(segs[0]), std::string::npos) << err;
  EXPECT_NE(err.find("strata-inspect wal repair"), std::string::npos) << err;
  ASSERT_EQ(v["faults"].size(), 1u);
  EXPECT_EQ(v["faults"].at(0)["file"], segs[0]);
  const uint64_t bad_offset = v["faults"].at(0)["offset"].get<uint64_t>();
  EXPECT_LE(bad_offset, 200u);
  EXPECT_GT(bad_offset + 64, 200u);

  const Json r = RepairWal(wal_, TestContext());
  ASSERT_TRUE(r["ok"].get<bool>()) << r.dump();
  EXPECT_TRUE(r["repaired"].get<bool>());
  EXPECT_GT(r["dropped_records"].get<uint64_t>(), 0u);
  EXPECT_EQ(r["dropped_file"], segs[0]);
  EXPECT_EQ(r["dropped_offset"], bad_offset);
  // The backup holds every segment the cut touched, as they were before it.
  const std::string backup = r["backup_dir"].get<std::string>();
  EXPECT_EQ(fs::path(backup).parent_path(), fs::path(dir_.path()));
  EXPECT_EQ(fs::path(backup).filename().string().rfind("repair-backup-", 0), 0u) << backup;
  ASSERT_EQ(r["backup_files"].size(), segs.size());
  EXPECT_EQ(ReadFileOrDie(r["backup_files"].at(0).get<std::string>()), damaged);
  EXPECT_NE(damaged, original);
  fs::remove_all(backup);

  const Json again = VerifyWal(wal_, false, TestContext());
  EXPECT_TRUE(again["ok"].get<bool>()) << again.dump();
  const uint64_t kept = again["records"].get<uint64_t>();
  EXPECT_LT(kept, 200u);
  EXPECT_EQ(again["next_lsn"].get<uint64_t>(), kept + 1);  // a prefix: LSNs 1..kept
  EXPECT_EQ(kept + r["dropped_records"].get<uint64_t>(), 200u);
  // Nothing more to do.
  const Json none = RepairWal(wal_, TestContext());
  EXPECT_TRUE(none["ok"].get<bool>());
  EXPECT_FALSE(none["repaired"].get<bool>());
  EXPECT_FALSE(none.contains("backup_dir"));
}

TEST_F(WalTest, ATornTailIsAFaultThatRepairCuts) {
  const std::vector<std::string> segs = Segments();
  const Json before = WalInfo(wal_, TestContext());
  const Json& last = before["segments"].back();
  const uint64_t end = 64 + last["bytes"].get<uint64_t>();
  {
    std::fstream f(segs.back(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(end));
    f.write("garbage!", 8);
  }
  const Json v = VerifyWal(wal_, false, TestContext());
  EXPECT_FALSE(v["ok"].get<bool>());
  ASSERT_TRUE(v.contains("torn_tail")) << v.dump(2);
  EXPECT_EQ(v["torn_tail"]["offset"], end);
  EXPECT_EQ(v["torn_tail"]["bytes"], 8);
  EXPECT_EQ(v["records"], 200);
  EXPECT_EQ(v["faults"].at(0)["file"], segs.back());

  const Json r = RepairWal(wal_, TestContext());
  ASSERT_TRUE(r["ok"].get<bool>()) << r.dump(2);
  EXPECT_EQ(r["dropped_records"], 1);
  EXPECT_EQ(r["dropped_bytes"], 8);
  EXPECT_EQ(r["dropped_offset"], end);
  EXPECT_EQ(r["records"], 200);
  ASSERT_EQ(r["backup_files"].size(), 1u);
  EXPECT_NE(ReadFileOrDie(r["backup_files"].at(0).get<std::string>()).find("garbage!"),
            std::string::npos);
  fs::remove_all(r["backup_dir"].get<std::string>());
  EXPECT_TRUE(VerifyWal(wal_, false, TestContext())["ok"].get<bool>());
}

TEST_F(WalTest, VerifyAllGoesOnWithTheSegmentsAfterDamage) {
  const std::vector<std::string> segs = Segments();
  ASSERT_GE(segs.size(), 4u);
  Flip(segs[0], 200);
  Flip(segs[2], 300);
  const Json one = VerifyWal(wal_, false, TestContext());
  ASSERT_EQ(one["faults"].size(), 1u) << one.dump(2);
  const Json all = VerifyWal(wal_, true, TestContext());
  ASSERT_EQ(all["faults"].size(), 2u) << all.dump(2);
  EXPECT_EQ(all["faults"].at(0)["file"], segs[0]);
  EXPECT_EQ(all["faults"].at(1)["file"], segs[2]);
  // Messages name the real files and directory, not a temporary one.
  EXPECT_NE(all["faults"].at(1)["reason"].get<std::string>().find(wal_), std::string::npos)
      << all["faults"].at(1).dump();
}

// Every single-bit flip anywhere in a small log's segments is a fault: a damaged record or
// header, a torn tail, or non-zero bytes where zeros must be.
TEST(WalBitFlipTest, VerifyDetectsEverySingleBitFlip) {
  TempDir dir;
  WriteLog(dir.path(), 160, 6,
           [](int i, engine::RedoRecord* r) { PutString(r, 0, "k" + std::to_string(i), "v"); });
  const std::vector<std::string> segs = wal::testing::SegmentPaths(dir.path());
  ASSERT_GE(segs.size(), 2u);
  ASSERT_TRUE(VerifyWal(dir.path(), false, TestContext())["ok"].get<bool>());
  int flips = 0;
  for (const std::string& seg : segs) {
    const std::string original = ReadFileOrDie(seg);
    for (size_t off = 0; off < original.size(); ++off) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string damaged = original;
        damaged[off] = static_cast<char>(damaged[off] ^ (1 << bit));
        WriteFileOrDie(seg, damaged);
        const Json v = VerifyWal(dir.path(), false, TestContext());
        ++flips;
        ASSERT_FALSE(v["ok"].get<bool>()) << seg << ": bit " << bit << " of byte " << off;
        ASSERT_FALSE(v["faults"].empty());
        EXPECT_EQ(v["faults"].at(0)["file"], seg) << v.dump(2);
      }
    }
    WriteFileOrDie(seg, original);
  }
  EXPECT_TRUE(VerifyWal(dir.path(), false, TestContext())["ok"].get<bool>());
  EXPECT_GE(flips, 8 * 160 * 2);
}

}  // namespace
}  // namespace strata::tools
