#include "base/rdb_coding.h"

#include <gtest/gtest.h>

extern "C" {
#include <liblzf/lzf.h>
}

namespace strata::rdb {
namespace {

TEST(RdbCodingTest, Crc64IsRedis) {
  EXPECT_EQ(Crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);  // Redis's own test vector
  EXPECT_EQ(Crc64(Crc64(0, "1234"), "56789"), 0xe9c6d914c4b8d9caULL);
}

TEST(RdbCodingTest, LengthsRoundTripAtEveryWidth) {
  for (uint64_t len : {0ULL, 63ULL, 64ULL, 16383ULL, 16384ULL, 4294967295ULL, 4294967296ULL,
                       18446744073709551615ULL}) {
    std::string out;
    AppendLength(&out, len);
    size_t pos = 0;
    uint64_t got = 0;
    ASSERT_TRUE(ReadLength(out, &pos, &got)) << len;
    EXPECT_EQ(got, len);
    EXPECT_EQ(pos, out.size());
  }
  size_t pos = 0;
  uint64_t got;
  EXPECT_FALSE(ReadLength(std::string("\x80\x01", 2), &pos, &got));  // truncated 32-bit length
}

TEST(RdbCodingTest, ReadsIntegerAndLzfEncodedStrings) {
  std::string s;
  size_t pos = 0;
  EXPECT_TRUE(ReadString(std::string("\xc0\xfe", 2), &pos, &s));
  EXPECT_EQ(s, "-2");
  pos = 0;
  EXPECT_TRUE(ReadString(std::string("\xc1\x39\x30", 3), &pos, &s));
  EXPECT_EQ(s, "12345");
  pos = 0;
  EXPECT_TRUE(ReadString(std::string("\xc2\x00\x00\x00\x80", 5), &pos, &s));
  EXPECT_EQ(s, "-2147483648");
  const std::string plain(200, 'a');
  std::string packed(plain.size(), '\0');
  const unsigned n = lzf_compress(plain.data(), plain.size(), packed.data(), packed.size());
  ASSERT_GT(n, 0u);
  std::string in = "\xc3";
  AppendLength(&in, n);
  AppendLength(&in, plain.size());
  in.append(packed.data(), n);
  pos = 0;
  ASSERT_TRUE(ReadString(in, &pos, &s));
  EXPECT_EQ(s, plain);
  EXPECT_EQ(pos, in.size());
  // An announced length no LZF stream of that size can produce is refused, not allocated.
  std::string huge = "\xc3";
  AppendLength(&huge, n);
  AppendLength(&huge, uint64_t{n} * 100 + 1);
  huge.append(packed.data(), n);
  pos = 0;
  EXPECT_FALSE(ReadString(huge, &pos, &s));
  in[in.size() - 1] ^= 0x55;  // a damaged stream does not give the announced length
  pos = 0;
  EXPECT_FALSE(ReadString(in.substr(0, in.size() - 1), &pos, &s));
}

TEST(RdbCodingTest, TrailerChecksVersionAndChecksum) {
  std::string payload = "\xf5";
  AppendString(&payload, "code");
  AppendTrailer(&payload);
  std::string_view body;
  ASSERT_TRUE(CheckTrailer(payload, &body));
  EXPECT_EQ(body, std::string_view("\xf5\x04" "code", 6));
  std::string bad = payload;
  bad[2] ^= 1;
  EXPECT_FALSE(CheckTrailer(bad, &body));
  std::string newer = payload.substr(0, payload.size() - 10) + std::string("\x0b\x00", 2);
  const uint64_t crc = Crc64(0, newer);
  for (int i = 0; i < 8; ++i) newer.push_back(static_cast<char>(crc >> (8 * i)));
  EXPECT_FALSE(CheckTrailer(newer, &body));  // RDB 11 is newer than Redis 7.0 reads
  EXPECT_FALSE(CheckTrailer("short", &body));
}

}  // namespace
}  // namespace strata::rdb
