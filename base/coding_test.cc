#include "base/coding.h"

#include <gtest/gtest.h>

#include "base/crc32c.h"

namespace strata {
namespace {

TEST(Crc32c, MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32c, ExtendEqualsOneShot) {
  std::string s = "the quick brown fox jumps over the lazy dog";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    uint32_t a = Crc32c(s.data(), cut);
    EXPECT_EQ(Crc32cExtend(a, s.data() + cut, s.size() - cut), Crc32c(s)) << cut;
  }
}

TEST(Coding, FixedRoundTripLittleEndian) {
  char buf[8];
  EncodeFixed32(buf, 0x01020304u);
  EXPECT_EQ(buf[0], 4);
  EXPECT_EQ(DecodeFixed32(buf), 0x01020304u);
  EncodeFixed64(buf, 0xfedcba9876543210ull);
  EXPECT_EQ(DecodeFixed64(buf), 0xfedcba9876543210ull);
}

TEST(Coding, VarintRoundTripAndTruncation) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 1ull << 35, ~0ull}) {
    std::string s;
    PutVarint64(&s, v);
    std::string_view in = s;
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
    EXPECT_TRUE(in.empty());
    for (size_t cut = 0; cut < s.size(); ++cut) {
      std::string_view part(s.data(), cut);
      EXPECT_FALSE(GetVarint64(&part, &got));
      EXPECT_EQ(part.size(), cut);
    }
  }
}

TEST(Coding, LengthPrefixedRejectsLengthPastEnd) {
  std::string s;
  PutLengthPrefixed(&s, "hello");
  std::string_view in = s, out;
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "hello");
  std::string_view cut(s.data(), s.size() - 1);
  EXPECT_FALSE(GetLengthPrefixed(&cut, &out));
}

}  // namespace
}  // namespace strata
