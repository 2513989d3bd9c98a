#include "wal/reader.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/coding.h"
#include "wal/test_util.h"
#include "wal/writer.h"

namespace strata::wal {
namespace {

using testing::ReadFileOrDie;
using testing::Records;
using testing::ReplayAll;
using testing::SegmentPaths;
using testing::TempDir;
using testing::WriteFileOrDie;

// Payloads of non-zero bytes, so that every byte of a record but its header can be told from the
// zeroed rest of a segment.
std::string PayloadFor(uint64_t lsn, size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + (lsn * 7 + i) % 26);
  return s;
}

// Writes records with PayloadFor(lsn, size(lsn)) and returns them.
std::vector<std::string> WriteLog(const std::string& dir, uint64_t segment_bytes, int n,
                                  size_t (*size)(uint64_t)) {
  WriterOptions o;
  o.dir = dir;
  o.segment_bytes = segment_bytes;
  o.sync = SyncPolicy::kNo;
  o.io = IoMode::kPwrite;
  auto w = Writer::Open(o, LogEnd{});
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  std::vector<std::string> written;
  for (int i = 1; i <= n; ++i) {
    written.push_back(PayloadFor(i, size(i)));
    (*w)->Append(written.back());
  }
  EXPECT_TRUE((*w)->Flush().ok());
  return written;
}

size_t VariedSize(uint64_t lsn) { return (lsn * 37) % 120; }
size_t SmallSize(uint64_t) { return 20; }

void ExpectPrefix(const Records& got, const std::vector<std::string>& written) {
  ASSERT_LE(got.size(), written.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].first, i + 1);
    ASSERT_EQ(got[i].second, written[i]) << "lsn " << i + 1;
  }
}

TEST(ReaderTest, EmptyOrMissingDirectoryIsAnEmptyLog) {
  TempDir dir;
  Records got;
  auto r = ReplayAll(dir.Sub("missing"), &got);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->records, 0u);
  EXPECT_TRUE(r->end.segment_path.empty());
  EXPECT_EQ(r->end.next_lsn, 1u);
}

TEST(ReaderTest, LogCutAtEveryOffsetOfItsLastRecordDropsOnlyThatRecord) {
  TempDir dir;
  std::vector<std::string> written = WriteLog(dir.path(), 1 << 16, 30, VariedSize);
  std::vector<std::string> segments = SegmentPaths(dir.path());
  ASSERT_EQ(segments.size(), 1u);
  const std::string original = ReadFileOrDie(segments[0]);
  const uint64_t last_size = kRecordHeaderSize + written.back().size();
  Records got;
  auto full = ReplayAll(dir.path(), &got, /*truncate=*/false);
  ASSERT_TRUE(full.ok());
  const uint64_t end = full->end.offset, start = end - last_size;
  for (uint64_t cut = start; cut < end; ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    WriteFileOrDie(segments[0], original.substr(0, cut));
    auto r = ReplayAll(dir.path(), &got, /*truncate=*/false);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(got.size(), written.size() - 1);
    ExpectPrefix(got, written);
    EXPECT_EQ(r->end.offset, start);
    EXPECT_EQ(r->end.next_lsn, written.size());
    if (cut > start) {
      EXPECT_EQ(r->dropped_records, 1u);
      EXPECT_GT(r->dropped_bytes, 0u);
      EXPECT_LE(r->dropped_bytes, cut - start);
      EXPECT_EQ(r->dropped_file, segments[0]);
      EXPECT_EQ(r->dropped_offset, start);
    } else {
      EXPECT_EQ(r->dropped_records, 0u);
    }
    EXPECT_EQ(ReadFileOrDie(segments[0]).size(), cut) << "verify mode changes nothing";
  }
}

// A torn record whose length field is near 2^32 once made the frame count behind the torn-tail
// report wrap to a 0-byte frame and loop forever (found by fuzz_wal): replay and repair hung.
TEST(ReaderTest, TornRecordWithAHugeLengthFieldEndsTheLog) {
  TempDir dir;
  std::vector<std::string> written = WriteLog(dir.path(), 1 << 12, 3, SmallSize);
  std::vector<std::string> segments = SegmentPaths(dir.path());
  ASSERT_EQ(segments.size(), 1u);
  Records got;
  auto full = ReplayAll(dir.path(), &got, /*truncate=*/false);
  ASSERT_TRUE(full.ok());
  std::string data = ReadFileOrDie(segments[0]);
  for (uint32_t length : {0xfffffff0u, 0xffffffffu}) {
    SCOPED_TRACE("length " + std::to_string(length));
    std::string bad = data;
    EncodeFixed32(bad.data() + full->end.offset, 1);  // a CRC that cannot match
    EncodeFixed32(bad.data() + full->end.offset + 4, length);
    WriteFileOrDie(segments[0], bad);
    auto r = ReplayAll(dir.path(), &got, /*truncate=*/false);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(got.size(), written.size());
    EXPECT_EQ(r->dropped_records, 1u);
    auto repaired = Repair(dir.path());
    ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
    EXPECT_EQ(repaired->dropped_records, 1u);
  }
}

// Every single-bit flip anywhere in a small three-segment log.
TEST(ReaderTest, EverySingleBitFlipIsTornTailInNewestSegmentElseCorruption) {
  TempDir dir;
  // 64-byte header + 3 records of 36 bytes = 172 bytes per segment.
  std::vector<std::string> written = WriteLog(dir.path(), 180, 8, SmallSize);
  std::vector<std::string> segments = SegmentPaths(dir.path());
  ASSERT_EQ(segments.size(), 3u);
  std::vector<std::string> originals;
  for (const auto& p : segments) originals.push_back(ReadFileOrDie(p));
  const uint64_t records_before_newest = 6;
  Records got;
  for (size_t s = 0; s < segments.size(); ++s) {
    const bool newest = s + 1 == segments.size();
    for (size_t byte = 0; byte < originals[s].size(); ++byte) {
      for (int bit = 0; bit < 8; ++bit) {
        SCOPED_TRACE(segments[s] + " byte " + std::to_string(byte) + " bit " + std::to_string(bit));
        std::string damaged = originals[s];
        damaged[byte] ^= static_cast<char>(1 << bit);
        WriteFileOrDie(segments[s], damaged);
        auto r = ReplayAll(dir.path(), &got, /*truncate=*/false);
        ExpectPrefix(got, written);
        if (newest && byte >= kSegmentHeaderSize) {
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          // The newest segment holds records 7 and 8; a flip in the zeroes after them drops none.
          const uint64_t damaged_record = std::min<uint64_t>((byte - kSegmentHeaderSize) / 36, 2);
          EXPECT_EQ(got.size(), records_before_newest + damaged_record);
          EXPECT_GE(r->dropped_records, 1u);  // counted by length fields, which may be damaged
          EXPECT_EQ(r->dropped_offset, kSegmentHeaderSize + damaged_record * 36);
        } else {
          ASSERT_FALSE(r.ok());
          EXPECT_EQ(r.status().code(), Code::kCorruption);
          const std::string& msg = r.status().message();
          EXPECT_NE(msg.find(segments[s]), std::string::npos) << msg;
          EXPECT_NE(msg.find("at offset "), std::string::npos) << msg;
          EXPECT_NE(msg.find("run `strata-inspect wal repair " + dir.path() + "`"),
                    std::string::npos)
              << msg;
        }
      }
    }
    WriteFileOrDie(segments[s], originals[s]);
  }
}

TEST(ReaderTest, TruncatedTornTailNeverReappearsBehindNewRecords) {
  TempDir dir;
  std::vector<std::string> written = WriteLog(dir.path(), 1 << 16, 40, VariedSize);
  const std::string segment = SegmentPaths(dir.path())[0];
  Records got;
  auto full = ReplayAll(dir.path(), &got, false);
  ASSERT_TRUE(full.ok());
  // Damage record 21's payload: records 21..40 are the torn tail.
  uint64_t off = kSegmentHeaderSize;
  for (int lsn = 1; lsn < 21; ++lsn) off += kRecordHeaderSize + written[lsn - 1].size();
  std::string data = ReadFileOrDie(segment);
  data[off + kRecordHeaderSize] ^= 0x40;
  WriteFileOrDie(segment, data);

  auto verify = ReplayAll(dir.path(), &got, /*truncate=*/false);
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ(got.size(), 20u);
  EXPECT_EQ(verify->dropped_records, 20u);
  EXPECT_EQ(verify->dropped_bytes, full->end.offset - off);
  EXPECT_EQ(ReadFileOrDie(segment), data);

  auto r = ReplayAll(dir.path(), &got, /*truncate=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(got.size(), 20u);
  EXPECT_EQ(r->dropped_records, 20u);
  EXPECT_EQ(r->end.offset, off);
  EXPECT_EQ(ReadFileOrDie(segment).find_first_not_of('\0', off), std::string::npos);

  // New, shorter records: were the old ones still on disk, the reader would find them behind.
  written.resize(20);
  {
    WriterOptions o;
    o.dir = dir.path();
    o.segment_bytes = 1 << 16;
    o.sync = SyncPolicy::kAlways;
    auto w = Writer::Open(o, r->end);
    ASSERT_TRUE(w.ok());
    for (int i = 0; i < 5; ++i) {
      written.push_back("new" + std::to_string(i));
      EXPECT_EQ((*w)->Append(written.back()), written.size());
    }
  }
  auto again = ReplayAll(dir.path(), &got, true);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->dropped_records, 0u);
  ASSERT_EQ(got.size(), 25u);
  ExpectPrefix(got, written);
}

TEST(ReaderTest, FromLsnSkipsEarlierRecordsButChecksThem) {
  TempDir dir;
  std::vector<std::string> written = WriteLog(dir.path(), 512, 30, VariedSize);
  ReplayOptions o;
  o.dir = dir.path();
  o.from_lsn = 11;
  Records got;
  auto r = ReplayAll(o, &got);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records, 30u);
  ASSERT_EQ(got.size(), 20u);
  EXPECT_EQ(got.front().first, 11u);
}

TEST(ReaderTest, CallbackErrorStopsReplay) {
  TempDir dir;
  WriteLog(dir.path(), 4096, 10, SmallSize);
  ReplayOptions o;
  o.dir = dir.path();
  int calls = 0;
  auto r = Replay(o, [&](uint64_t lsn, std::string_view) {
    ++calls;
    return lsn == 3 ? Status::InvalidArgument("stop") : Status::Ok();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "stop");
  EXPECT_EQ(calls, 3);
}

TEST(ReaderTest, RepairCutsAtDamageInAnOlderSegmentAndReplayThenSucceeds) {
  TempDir dir;
  std::vector<std::string> written = WriteLog(dir.path(), 180, 8, SmallSize);
  std::vector<std::string> segments = SegmentPaths(dir.path());
  ASSERT_EQ(segments.size(), 3u);
  // Damage record 5 (the second of segment 2).
  const uint64_t off = kSegmentHeaderSize + 36;
  std::string data = ReadFileOrDie(segments[1]);
  data[off + 20] ^= 1;
  WriteFileOrDie(segments[1], data);

  Records got;
  auto r = ReplayAll(dir.path(), &got);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorruption);
  EXPECT_NE(r.status().message().find(segments[1] + " at offset " + std::to_string(off)),
            std::string::npos)
      << r.status().message();

  auto repaired = Repair(dir.path());
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(repaired->dropped_file, segments[1]);
  EXPECT_EQ(repaired->dropped_offset, off);
  EXPECT_EQ(repaired->dropped_records, 2u + 2u);  // the rest of segment 2, all of segment 3
  EXPECT_FALSE(std::filesystem::exists(segments[2]));

  r = ReplayAll(dir.path(), &got);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(got.size(), 4u);
  ExpectPrefix(got, written);
  EXPECT_EQ(r->end.next_lsn, 5u);
  EXPECT_EQ(r->end.segment_path, segments[1]);
}

TEST(ReaderTest, RepairDropsASegmentWithABadHeaderAndAllAfterIt) {
  TempDir dir;
  std::vector<std::string> written = WriteLog(dir.path(), 180, 8, SmallSize);
  std::vector<std::string> segments = SegmentPaths(dir.path());
  std::string data = ReadFileOrDie(segments[1]);
  data[3] ^= 1;  // magic
  WriteFileOrDie(segments[1], data);
  Records got;
  auto r = ReplayAll(dir.path(), &got);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(segments[1] + " at offset 0"), std::string::npos);
  auto repaired = Repair(dir.path());
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ(repaired->dropped_records, 5u);
  r = ReplayAll(dir.path(), &got);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(got.size(), 3u);
  EXPECT_EQ(r->end.segment_path, segments[0]);
  EXPECT_EQ(r->end.next_lsn, 4u);
}

TEST(ReaderTest, LsnGapBetweenSegmentsIsCorruption) {
  TempDir dir;
  WriteLog(dir.path(), 180, 8, SmallSize);
  std::vector<std::string> segments = SegmentPaths(dir.path());
  std::filesystem::remove(segments[1]);
  Records got;
  auto r = ReplayAll(dir.path(), &got);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(segments[2]), std::string::npos);
  EXPECT_NE(r.status().message().find("gap"), std::string::npos);
}

}  // namespace
}  // namespace strata::wal
