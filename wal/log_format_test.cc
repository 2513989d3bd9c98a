#include "wal/log_format.h"

#include <gtest/gtest.h>

#include "base/coding.h"
#include "base/crc32c.h"

namespace strata::wal {
namespace {

TEST(LogFormatTest, SegmentNameIsTwentyDigitFirstLsn) {
  EXPECT_EQ(SegmentFileName(1), "wal-00000000000000000001.log");
  uint64_t lsn = 0;
  ASSERT_TRUE(ParseSegmentFileName(SegmentFileName(18446744073709551615ull), &lsn));
  EXPECT_EQ(lsn, 18446744073709551615ull);
  EXPECT_FALSE(ParseSegmentFileName("wal-00000000000000000001.log.tmp", &lsn));
  EXPECT_FALSE(ParseSegmentFileName("wal-0000000000000000001x.log", &lsn));
  EXPECT_FALSE(ParseSegmentFileName("wal-99999999999999999999.log", &lsn));  // overflows
  EXPECT_FALSE(ParseSegmentFileName("snapshot.rdb", &lsn));
}

TEST(LogFormatTest, SegmentHeaderRoundTripsAndRejectsDamage) {
  SegmentHeader h;
  h.first_lsn = 42;
  h.segment_bytes = 4096;
  std::string bytes = EncodeSegmentHeader(h);
  ASSERT_EQ(bytes.size(), kSegmentHeaderSize);
  SegmentHeader got;
  std::string why;
  ASSERT_TRUE(DecodeSegmentHeader(bytes, &got, &why)) << why;
  EXPECT_EQ(got.first_lsn, 42u);
  EXPECT_EQ(got.segment_bytes, 4096u);

  std::string flipped = bytes;
  flipped[20] ^= 1;
  EXPECT_FALSE(DecodeSegmentHeader(flipped, &got, &why));
  EXPECT_FALSE(DecodeSegmentHeader(bytes.substr(0, 63), &got, &why));

  h.version = 2;  // a future version with a valid checksum is refused by version
  EXPECT_FALSE(DecodeSegmentHeader(EncodeSegmentHeader(h), &got, &why));
  EXPECT_NE(why.find("version"), std::string::npos);
  h.version = kFormatVersion;
  h.flags = 1;
  EXPECT_FALSE(DecodeSegmentHeader(EncodeSegmentHeader(h), &got, &why));
}

TEST(LogFormatTest, RecordFrameIsCrcLengthLsnPayload) {
  std::string out;
  AppendRecord(&out, 7, "abc");
  ASSERT_EQ(out.size(), kRecordHeaderSize + 3);
  EXPECT_EQ(DecodeFixed32(out.data() + 4), 3u);
  EXPECT_EQ(DecodeFixed64(out.data() + 8), 7u);
  EXPECT_EQ(out.substr(16), "abc");
  EXPECT_EQ(DecodeFixed32(out.data()), Crc32c(out.data() + 4, out.size() - 4));
}

}  // namespace
}  // namespace strata::wal
