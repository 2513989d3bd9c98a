#include "base/string_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace strata {
namespace {

using namespace std::string_literals;

// --- ParseInt64 ----------------------------------------------------------------------------------

TEST(ParseInt64Test, AcceptsCanonicalDecimals) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("1"), 1);
  EXPECT_EQ(ParseInt64("-1"), -1);
  EXPECT_EQ(ParseInt64("99"), 99);
  EXPECT_EQ(ParseInt64("-99"), -99);
  EXPECT_EQ(ParseInt64("1000000"), 1000000);
}

TEST(ParseInt64Test, AcceptsBothInt64Limits) {
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseInt64("-9223372036854775808"), INT64_MIN);
}

TEST(ParseInt64Test, RejectsValuesJustOutsideInt64) {
  EXPECT_EQ(ParseInt64("9223372036854775808"), std::nullopt);
  EXPECT_EQ(ParseInt64("-9223372036854775809"), std::nullopt);
  EXPECT_EQ(ParseInt64("18446744073709551615"), std::nullopt);
  EXPECT_EQ(ParseInt64("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseInt64("99999999999999999999999"), std::nullopt);
}

TEST(ParseInt64Test, RejectsEmptyAndBareSign) {
  EXPECT_EQ(ParseInt64(""), std::nullopt);
  EXPECT_EQ(ParseInt64("-"), std::nullopt);
  EXPECT_EQ(ParseInt64("+"), std::nullopt);
}

TEST(ParseInt64Test, RejectsNegativeZeroAndLeadingZeros) {
  EXPECT_EQ(ParseInt64("-0"), std::nullopt);
  EXPECT_EQ(ParseInt64("00"), std::nullopt);
  EXPECT_EQ(ParseInt64("007"), std::nullopt);
  EXPECT_EQ(ParseInt64("-01"), std::nullopt);
}

TEST(ParseInt64Test, RejectsPlusSignSpacesAndJunk) {
  EXPECT_EQ(ParseInt64("+1"), std::nullopt);
  EXPECT_EQ(ParseInt64(" 1"), std::nullopt);
  EXPECT_EQ(ParseInt64("1 "), std::nullopt);
  EXPECT_EQ(ParseInt64("1a"), std::nullopt);
  EXPECT_EQ(ParseInt64("--1"), std::nullopt);
  EXPECT_EQ(ParseInt64("1.0"), std::nullopt);
  EXPECT_EQ(ParseInt64("1e3"), std::nullopt);
  EXPECT_EQ(ParseInt64("0x10"), std::nullopt);
  EXPECT_EQ(ParseInt64("1\0"s), std::nullopt);
}

TEST(ParseInt64Test, ReadsOnlyTheViewNotTheBytesAfterIt) {
  const std::string backing = "12345";
  EXPECT_EQ(ParseInt64(std::string_view(backing).substr(0, 2)), 12);
}

TEST(ParseUint64Test, AcceptsFullUnsignedRange) {
  EXPECT_EQ(ParseUint64("0"), 0u);
  EXPECT_EQ(ParseUint64("9223372036854775808"), 9223372036854775808ull);
  EXPECT_EQ(ParseUint64("18446744073709551615"), UINT64_MAX);
}

TEST(ParseUint64Test, RejectsOverflowSignsAndLeadingZeros) {
  EXPECT_EQ(ParseUint64("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseUint64(""), std::nullopt);
  EXPECT_EQ(ParseUint64("-1"), std::nullopt);
  EXPECT_EQ(ParseUint64("-0"), std::nullopt);
  EXPECT_EQ(ParseUint64("+1"), std::nullopt);
  EXPECT_EQ(ParseUint64("01"), std::nullopt);
  EXPECT_EQ(ParseUint64(" 1"), std::nullopt);
}

// --- ParseLongDouble / ParseDouble ---------------------------------------------------------------

TEST(ParseLongDoubleTest, AcceptsWhatStrtoldAccepts) {
  EXPECT_EQ(ParseLongDouble("10.5"), 10.5L);
  EXPECT_EQ(ParseLongDouble("-0.25"), -0.25L);
  EXPECT_EQ(ParseLongDouble("3.0e3"), 3000.0L);
  EXPECT_EQ(ParseLongDouble("+1"), 1.0L);
  EXPECT_EQ(ParseLongDouble("007"), 7.0L);
  EXPECT_EQ(ParseLongDouble(".5"), 0.5L);
  EXPECT_EQ(ParseLongDouble("5."), 5.0L);
  EXPECT_EQ(ParseLongDouble("1e+5"), 100000.0L);
  EXPECT_EQ(ParseLongDouble("0x10"), 16.0L);
  EXPECT_EQ(ParseLongDouble("0x1p3"), 8.0L);
}

TEST(ParseLongDoubleTest, NegativeZeroKeepsItsSign) {
  const auto v = ParseLongDouble("-0");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, 0.0L);
  EXPECT_TRUE(std::signbit(*v));
}

TEST(ParseLongDoubleTest, RejectsEmptySpacesAndTrailingJunk) {
  EXPECT_EQ(ParseLongDouble(""), std::nullopt);
  EXPECT_EQ(ParseLongDouble(" 1"), std::nullopt);
  EXPECT_EQ(ParseLongDouble("\t1"), std::nullopt);
  EXPECT_EQ(ParseLongDouble("1 "), std::nullopt);
  EXPECT_EQ(ParseLongDouble("1e"), std::nullopt);
  EXPECT_EQ(ParseLongDouble("e1"), std::nullopt);
  EXPECT_EQ(ParseLongDouble("1_000"), std::nullopt);
  EXPECT_EQ(ParseLongDouble("0x"), std::nullopt);
  EXPECT_EQ(ParseLongDouble("abc"), std::nullopt);
}

TEST(ParseLongDoubleTest, RejectsEmbeddedNul) {
  EXPECT_EQ(ParseLongDouble("1\0"s + "2"), std::nullopt);
  EXPECT_EQ(ParseLongDouble("1\0"s), std::nullopt);
}

TEST(ParseLongDoubleTest, RejectsNanInEverySpelling) {
  for (const char* s : {"nan", "NaN", "-nan", "+nan", "nan(123)"}) {
    EXPECT_EQ(ParseLongDouble(s, true), std::nullopt) << s;
  }
}

TEST(ParseLongDoubleTest, InfinityAcceptedOnlyWhenAllowed) {
  for (const char* s : {"inf", "+inf", "INF", "Infinity", "-inf", "-infinity"}) {
    EXPECT_EQ(ParseLongDouble(s), std::nullopt) << s;
    const auto v = ParseLongDouble(s, /*allow_inf=*/true);
    ASSERT_TRUE(v.has_value()) << s;
    EXPECT_TRUE(std::isinf(*v)) << s;
    EXPECT_EQ(std::signbit(*v), s[0] == '-') << s;
  }
}

TEST(ParseLongDoubleTest, AcceptsValuesBeyondDoubleRange) {
  // INCRBYFLOAT works in long double: Redis accepts 1e400 and replies with all its digits.
  const auto v = ParseLongDouble("1e400");
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(std::isinf(*v));
  EXPECT_TRUE(ParseLongDouble("-1e4000").has_value());
}

TEST(ParseLongDoubleTest, RejectsOverflowEvenWhenInfinityIsAllowed) {
  EXPECT_EQ(ParseLongDouble("1e5000", true), std::nullopt);
  EXPECT_EQ(ParseLongDouble("-1e5000", true), std::nullopt);
}

TEST(ParseLongDoubleTest, RejectsUnderflowToZeroButAcceptsDenormals) {
  EXPECT_EQ(ParseLongDouble("1e-5000"), std::nullopt);
  EXPECT_EQ(ParseLongDouble("-1e-5000"), std::nullopt);
  const auto denormal = ParseLongDouble("1e-4940");
  ASSERT_TRUE(denormal.has_value());
  EXPECT_GT(*denormal, 0.0L);
}

TEST(ParseLongDoubleTest, RejectsInputsOfRedisBufferSizeOrMore) {
  // Redis copies the argument into a 5120-byte buffer with a terminator.
  const std::string fits = std::string(5118, '0') + "1";
  const std::string too_long = std::string(5119, '0') + "1";
  ASSERT_EQ(fits.size(), 5119u);
  EXPECT_EQ(ParseLongDouble(fits), 1.0L);
  EXPECT_EQ(ParseLongDouble(too_long), std::nullopt);
}

TEST(ParseDoubleTest, AcceptsInfinityByDefault) {
  EXPECT_EQ(ParseDouble("inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseDouble("-inf"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseDouble("+inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseDouble("inf", /*allow_inf=*/false), std::nullopt);
}

TEST(ParseDoubleTest, AcceptsOrdinaryValues) {
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_EQ(ParseDouble("-2"), -2.0);
  EXPECT_EQ(ParseDouble("1e308"), 1e308);
  EXPECT_EQ(ParseDouble("0x1p-2"), 0.25);
}

TEST(ParseDoubleTest, RejectsNanSpacesJunkAndNul) {
  EXPECT_EQ(ParseDouble("nan"), std::nullopt);
  EXPECT_EQ(ParseDouble(""), std::nullopt);
  EXPECT_EQ(ParseDouble(" 1"), std::nullopt);
  EXPECT_EQ(ParseDouble("1 "), std::nullopt);
  EXPECT_EQ(ParseDouble("1x"), std::nullopt);
  EXPECT_EQ(ParseDouble("1\0"s), std::nullopt);
}

TEST(ParseDoubleTest, RejectsOverflowAndUnderflowToZeroInDoubleRange) {
  EXPECT_EQ(ParseDouble("1e400"), std::nullopt);
  EXPECT_EQ(ParseDouble("-1e400"), std::nullopt);
  EXPECT_EQ(ParseDouble("1e-400"), std::nullopt);
  const auto denormal = ParseDouble("4e-320");
  ASSERT_TRUE(denormal.has_value());
  EXPECT_GT(*denormal, 0.0);
}

TEST(ParseDoubleTest, AcceptsInputsLongerThanTheStackBuffer) {
  const std::string long_input = "0." + std::string(6000, '0') + "1e6000";
  const auto v = ParseDouble(long_input);
  ASSERT_TRUE(v.has_value());
  EXPECT_DOUBLE_EQ(*v, 0.1);
  EXPECT_EQ(ParseDouble(std::string(300, '1') + "x"), std::nullopt);
}

// --- FormatLongDouble ----------------------------------------------------------------------------

std::string IncrByFloat(std::string_view value, std::string_view incr) {
  const auto a = ParseLongDouble(value, true);
  const auto b = ParseLongDouble(incr, true);
  if (!a || !b) return "<not a float>";
  return FormatLongDouble(*a + *b).value_or("<nan or inf>");
}

TEST(FormatLongDoubleTest, MatchesIncrByFloatReplies) {
  EXPECT_EQ(IncrByFloat("10.5", "0.1"), "10.6");
  EXPECT_EQ(IncrByFloat("3.0e3", "0"), "3000");
  EXPECT_EQ(IncrByFloat("5.0e3", "2.0e2"), "5200");
  EXPECT_EQ(IncrByFloat("10", "-10"), "0");
  EXPECT_EQ(IncrByFloat("0", "1e-20"), "0");
  EXPECT_EQ(IncrByFloat("0", "-1e-20"), "0");
  EXPECT_EQ(IncrByFloat("1", "0x10"), "17");
  EXPECT_EQ(IncrByFloat("1", "inf"), "<nan or inf>");
}

TEST(FormatLongDoubleTest, StripsTrailingZerosAndDot) {
  EXPECT_EQ(FormatLongDouble(1.5L), "1.5");
  EXPECT_EQ(FormatLongDouble(100.0L), "100");
  EXPECT_EQ(FormatLongDouble(-2.25L), "-2.25");
  EXPECT_EQ(FormatLongDouble(0.0L), "0");
}

TEST(FormatLongDoubleTest, NegativeZeroBecomesZero) {
  EXPECT_EQ(FormatLongDouble(-0.0L), "0");
  EXPECT_EQ(FormatLongDouble(-1e-30L), "0");
}

TEST(FormatLongDoubleTest, UsesSeventeenFractionalDigits) {
  EXPECT_EQ(FormatLongDouble(1e-17L), "0.00000000000000001");
  EXPECT_EQ(FormatLongDouble(4e-18L), "0");
  EXPECT_EQ(FormatLongDouble(1.0L / 3.0L), "0.33333333333333333");
}

TEST(FormatLongDoubleTest, PrintsHugeValuesInFullWithoutExponent) {
  const auto s = FormatLongDouble(*ParseLongDouble("1e400"));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->size(), 401u);
  EXPECT_EQ(s->substr(0, 20), "10000000000000000000");
  EXPECT_EQ(s->find_first_not_of("0123456789"), std::string::npos);
  const auto max = FormatLongDouble(std::numeric_limits<long double>::max());
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->size(), 4933u);
}

TEST(FormatLongDoubleTest, RejectsInfinityAndNan) {
  EXPECT_EQ(FormatLongDouble(std::numeric_limits<long double>::infinity()), std::nullopt);
  EXPECT_EQ(FormatLongDouble(-std::numeric_limits<long double>::infinity()), std::nullopt);
  EXPECT_EQ(FormatLongDouble(std::numeric_limits<long double>::quiet_NaN()), std::nullopt);
}

// --- FormatDouble --------------------------------------------------------------------------------

TEST(FormatDoubleTest, UsesPercentDot17g) {
  EXPECT_EQ(FormatDouble(1.5), "1.5");
  EXPECT_EQ(FormatDouble(0.1), "0.10000000000000001");
  EXPECT_EQ(FormatDouble(3.0), "3");
  EXPECT_EQ(FormatDouble(-2.0), "-2");
  EXPECT_EQ(FormatDouble(0.0), "0");
  EXPECT_EQ(FormatDouble(-0.0), "-0");
  EXPECT_EQ(FormatDouble(1e17), "1e+17");
  EXPECT_EQ(FormatDouble(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(FormatDouble(1e-5), "1.0000000000000001e-05");
  EXPECT_EQ(FormatDouble(1e308), "1e+308");
  EXPECT_EQ(FormatDouble(4e-320), "3.999955468730732e-320");  // A denormal: fewer digits exist.
}

TEST(FormatDoubleTest, SpellsInfinitiesLikeRedis) {
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(FormatDoubleTest, RoundTripsThroughParseDouble) {
  for (double d : {0.1, 1.0 / 3.0, 1e-300, 123.456, -9.87654321e200}) {
    EXPECT_EQ(ParseDouble(FormatDouble(d)), d) << d;
  }
}

// --- AppendInt64 ---------------------------------------------------------------------------------

TEST(AppendInt64Test, AppendsDecimalForms) {
  std::string out = "x";
  AppendInt64(&out, 0);
  AppendInt64(&out, 7);
  AppendInt64(&out, -7);
  AppendInt64(&out, 10);
  AppendInt64(&out, -100);
  AppendInt64(&out, 12345);
  EXPECT_EQ(out, "x07-710-10012345");
}

TEST(AppendInt64Test, HandlesBothLimits) {
  std::string out;
  AppendInt64(&out, INT64_MIN);
  EXPECT_EQ(out, "-9223372036854775808");
  out.clear();
  AppendInt64(&out, INT64_MAX);
  EXPECT_EQ(out, "9223372036854775807");
}

TEST(AppendInt64Test, AgreesWithToStringAndParseInt64) {
  int64_t v = 1;
  for (int i = 0; i < 64; ++i, v *= 3) {
    for (int64_t x : {v, -v, v - 1, -v + 1, v + 1}) {
      std::string out;
      AppendInt64(&out, x);
      EXPECT_EQ(out, std::to_string(x));
      EXPECT_EQ(ParseInt64(out), x);
    }
    if (v > INT64_MAX / 3) break;
  }
}

// --- GlobMatch -----------------------------------------------------------------------------------

TEST(GlobMatchTest, LiteralPatternMatchesOnlyItself) {
  EXPECT_TRUE(GlobMatch("hello", "hello"));
  EXPECT_FALSE(GlobMatch("hello", "hell"));
  EXPECT_FALSE(GlobMatch("hello", "helloo"));
  EXPECT_FALSE(GlobMatch("hello", "Hello"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
}

TEST(GlobMatchTest, QuestionMarkMatchesExactlyOneByte) {
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_TRUE(GlobMatch("h?llo", "h\xffllo"));
  EXPECT_FALSE(GlobMatch("h?llo", "hllo"));
  EXPECT_FALSE(GlobMatch("?", ""));
  EXPECT_FALSE(GlobMatch("??", "a"));
}

TEST(GlobMatchTest, StarMatchesAnyRun) {
  EXPECT_TRUE(GlobMatch("h*llo", "hllo"));
  EXPECT_TRUE(GlobMatch("h*llo", "heeeello"));
  EXPECT_TRUE(GlobMatch("a*", "a"));
  EXPECT_TRUE(GlobMatch("a**", "a"));
  EXPECT_TRUE(GlobMatch("*a*b*c", "xaybzc"));
  EXPECT_FALSE(GlobMatch("*a*b*c", "xaybzcd"));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("***x", "x"));
  EXPECT_TRUE(GlobMatch("user:*:name", "user:1000:name"));
  EXPECT_FALSE(GlobMatch("user:*:name", "user:1000:age"));
}

TEST(GlobMatchTest, EmptyStringMatchesOnlyEmptyPattern) {
  // Redis's matcher never enters its loop for "", so even "*" fails; KEYS special-cases "*".
  EXPECT_FALSE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("**", ""));
  EXPECT_FALSE(GlobMatch("?*", ""));
  EXPECT_TRUE(GlobMatch("", ""));
}

TEST(GlobMatchTest, CharacterClassesAndNegation) {
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hello"));
  EXPECT_FALSE(GlobMatch("h[ae]llo", "hillo"));
  EXPECT_TRUE(GlobMatch("h[^e]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_FALSE(GlobMatch("h[ae]llo", "hllo"));
}

TEST(GlobMatchTest, RangesIncludingReversedOnes) {
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_FALSE(GlobMatch("h[a-b]llo", "hcllo"));
  EXPECT_TRUE(GlobMatch("[z-a]", "m"));
  EXPECT_TRUE(GlobMatch("[z-a]", "a"));
  EXPECT_TRUE(GlobMatch("[z-a]", "z"));
  EXPECT_FALSE(GlobMatch("[z-a]", "A"));
  EXPECT_TRUE(GlobMatch("[0-9a-f]x", "cx"));
  EXPECT_TRUE(GlobMatch("[^0-9]", "x"));
  EXPECT_FALSE(GlobMatch("[^0-9]", "5"));
}

TEST(GlobMatchTest, RangeBoundsCompareAsSignedChar) {
  // "\x01-\x80" is reversed once \x80 is read as -128, so it covers \x80..\xff and \0..\x01.
  EXPECT_TRUE(GlobMatch("[\x01-\x80]", "\x90"));
  EXPECT_TRUE(GlobMatch("[\x01-\x80]", "\0"s));
  EXPECT_FALSE(GlobMatch("[\x01-\x80]", "a"));
}

TEST(GlobMatchTest, DashAtClassEndConsumesTheClosingBracket) {
  // "[a-]" is the range ']'..'a' with no closing bracket, as in Redis.
  EXPECT_TRUE(GlobMatch("[a-]", "a"));
  EXPECT_TRUE(GlobMatch("[a-]", "^"));
  EXPECT_TRUE(GlobMatch("[a-]", "]"));
  EXPECT_FALSE(GlobMatch("[a-]", "-"));
  EXPECT_FALSE(GlobMatch("[a-]", "b"));
}

TEST(GlobMatchTest, EmptyAndUnterminatedClasses) {
  EXPECT_FALSE(GlobMatch("[]", "]"));
  EXPECT_FALSE(GlobMatch("[]a]", "a"));
  EXPECT_FALSE(GlobMatch("[]a]", "]"));
  EXPECT_TRUE(GlobMatch("[^]", "x"));
  EXPECT_FALSE(GlobMatch("[", "["));
  EXPECT_FALSE(GlobMatch("[", "a"));
  EXPECT_TRUE(GlobMatch("[^", "x"));
  EXPECT_FALSE(GlobMatch("[^", "xy"));
  EXPECT_TRUE(GlobMatch("[abc", "a"));
  EXPECT_TRUE(GlobMatch("[abc", "b"));
  EXPECT_FALSE(GlobMatch("[abc", "d"));
}

TEST(GlobMatchTest, BackslashEscapesSpecialCharacters) {
  EXPECT_TRUE(GlobMatch("\\*", "*"));
  EXPECT_FALSE(GlobMatch("\\*", "a"));
  EXPECT_TRUE(GlobMatch("\\?", "?"));
  EXPECT_FALSE(GlobMatch("\\?", "a"));
  EXPECT_TRUE(GlobMatch("\\[a]", "[a]"));
  EXPECT_FALSE(GlobMatch("\\[a]", "a"));
  EXPECT_TRUE(GlobMatch("\\a", "a"));
}

TEST(GlobMatchTest, TrailingBackslashMatchesItself) {
  EXPECT_TRUE(GlobMatch("a\\", "a\\"));
  EXPECT_FALSE(GlobMatch("a\\", "a"));
}

TEST(GlobMatchTest, NestedEscapes) {
  EXPECT_TRUE(GlobMatch("\\\\*", "\\abc"));
  EXPECT_FALSE(GlobMatch("\\\\*", "abc"));
  EXPECT_TRUE(GlobMatch("\\\\\\*", "\\*"));
  EXPECT_FALSE(GlobMatch("\\\\\\*", "\\x"));
  EXPECT_TRUE(GlobMatch("\\\\\\\\", "\\\\"));
}

TEST(GlobMatchTest, EscapesInsideClasses) {
  EXPECT_TRUE(GlobMatch("[\\]]", "]"));
  EXPECT_TRUE(GlobMatch("[\\\\]", "\\"));
  EXPECT_TRUE(GlobMatch("[a\\-z]", "-"));
  EXPECT_TRUE(GlobMatch("[a\\-z]", "z"));
  EXPECT_FALSE(GlobMatch("[a\\-z]", "m"));
  EXPECT_TRUE(GlobMatch("[\\^a]", "^"));
  EXPECT_TRUE(GlobMatch("[^\\]]", "a"));
  EXPECT_FALSE(GlobMatch("[^\\]]", "]"));
  // A backslash as the class's last pattern byte is an ordinary member.
  EXPECT_TRUE(GlobMatch("[\\", "\\"));
}

TEST(GlobMatchTest, NocaseFoldsAsciiLetters) {
  EXPECT_TRUE(GlobMatch("HELLO", "hello", true));
  EXPECT_TRUE(GlobMatch("h*O", "HellO", true));
  EXPECT_TRUE(GlobMatch("[A-Z]", "q", true));
  EXPECT_TRUE(GlobMatch("[a-z]", "Q", true));
  EXPECT_TRUE(GlobMatch("[M]axmemory", "maxmemory", true));
  EXPECT_FALSE(GlobMatch("[A-Z]", "q", false));
  EXPECT_FALSE(GlobMatch("\xc3\x89", "\xc3\xa9", true));
}

TEST(GlobMatchTest, NocaseKeepsRedisQuirks) {
  // Escapes inside a class compare case-sensitively (CONFIG GET "[\M]axmemory" finds nothing).
  EXPECT_FALSE(GlobMatch("[\\M]axmemory", "maxmemory", true));
  // Range ends fold after ordering: [Z-a] becomes z..a, an empty range.
  EXPECT_FALSE(GlobMatch("[Z-a]", "Z", true));
  EXPECT_FALSE(GlobMatch("[Z-a]", "_", true));
  EXPECT_TRUE(GlobMatch("[Z-a]", "_", false));
}

TEST(GlobMatchTest, BinarySafe) {
  EXPECT_TRUE(GlobMatch("a\0*"s, "a\0b"s));
  EXPECT_FALSE(GlobMatch("a\0*"s, "a"s));
  EXPECT_TRUE(GlobMatch("?"s, "\0"s));
  EXPECT_FALSE(GlobMatch("a"s, "a\0"s));
}

TEST(GlobMatchTest, ManyStarsDoNotBacktrackExponentially) {
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "*b";
  const std::string str(200, 'a');
  EXPECT_FALSE(GlobMatch(pattern, str));
  EXPECT_TRUE(GlobMatch(pattern, str + "b"));
}

TEST(GlobMatchTest, NestingDeeperThanAThousandStarsNeverMatches) {
  auto build = [](int stars, std::string* pattern, std::string* str) {
    pattern->clear();
    str->clear();
    for (int i = 0; i < stars; ++i) {
      *pattern += "*a";
      *str += "a";
    }
  };
  std::string pattern, str;
  build(1000, &pattern, &str);
  EXPECT_TRUE(GlobMatch(pattern, str));
  build(1001, &pattern, &str);
  EXPECT_FALSE(GlobMatch(pattern, str));
}

// --- Case helpers --------------------------------------------------------------------------------

TEST(EqualsIgnoreCaseTest, ComparesAsciiLettersCaseInsensitively) {
  EXPECT_TRUE(EqualsIgnoreCase("GET", "get"));
  EXPECT_TRUE(EqualsIgnoreCase("KeepTTL", "KEEPttl"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("get", "gets"));
  EXPECT_FALSE(EqualsIgnoreCase("get", "set"));
  EXPECT_FALSE(EqualsIgnoreCase("@", "`"));  // 0x40 and 0x60 differ only in the case bit.
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));
  EXPECT_FALSE(EqualsIgnoreCase("\xc3\x89", "\xc3\xa9"));
  EXPECT_TRUE(EqualsIgnoreCase("a\0B"s, "A\0b"s));
}

TEST(ToLowerTest, LowersOnlyAsciiLetters) {
  EXPECT_EQ(ToLower("HeLLo World 123"), "hello world 123");
  EXPECT_EQ(ToLower("@[`{"), "@[`{");
  EXPECT_EQ(ToLower("\xc3\x89"), "\xc3\x89");
  EXPECT_EQ(ToLower(""), "");
  EXPECT_EQ(ToLower("A\0B"s), "a\0b"s);
}

}  // namespace
}  // namespace strata
