#include "server/net/resp_parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace strata::server {
namespace {

using State = RespParser::State;
using Args = std::vector<std::string>;
using namespace std::string_literals;

std::string Multibulk(const Args& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& arg : args) {
    out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  }
  return out;
}

// An inline line where every argument is double-quoted and every byte escaped as \xHH.
std::string QuotedInline(const Args& args) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const std::string& arg : args) {
    out += out.empty() ? "\"" : " \"";
    for (const char c : arg) {
      const auto byte = static_cast<unsigned char>(c);
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
    out += '"';
  }
  return out + "\r\n";
}

Args Copy(const std::vector<std::string_view>& views) { return Args(views.begin(), views.end()); }

// What a connection sees: each command's args, then the error or the end of the input.
struct Transcript {
  std::vector<Args> commands;
  std::string error;
  size_t leftover = 0;  // bytes still buffered when the input ran out
};

// Feeds `input` as a connection would, in reads of the given sizes (the rest in one read),
// dropping consumed() bytes after every call. Each read moves the buffer to fresh memory.
Transcript Feed(RespParser& parser, std::string_view input, const std::vector<size_t>& reads) {
  Transcript t;
  std::string buffered;
  size_t fed = 0;
  size_t read_index = 0;
  while (fed < input.size()) {
    size_t n = read_index < reads.size() ? reads[read_index++] : input.size() - fed;
    n = std::min(n, input.size() - fed);
    std::string moved = buffered;
    moved.append(input.substr(fed, n));
    buffered.swap(moved);
    fed += n;
    for (;;) {
      const State state = parser.Parse(buffered);
      EXPECT_LE(parser.consumed(), buffered.size());
      if (state == State::kError) {
        t.error = parser.error();
        return t;
      }
      if (state == State::kCommand) t.commands.push_back(Copy(parser.args()));
      buffered.erase(0, parser.consumed());
      if (state == State::kNeedMore) break;
    }
  }
  t.leftover = buffered.size();
  return t;
}

Transcript FeedAtOnce(RespParser& parser, std::string_view input) {
  return Feed(parser, input, {});
}

// Parses `input` in one call: expects an error and returns its text.
std::string ErrorOf(std::string_view input, const ParserLimits& limits = ParserLimits()) {
  RespParser parser(limits);
  const State state = parser.Parse(input);
  EXPECT_EQ(state, State::kError) << "input: " << testing::PrintToString(std::string(input));
  return parser.error();
}

struct ValidCase {
  std::string input;
  Args args;
};

std::vector<ValidCase> ValidCases() {
  std::vector<ValidCase> cases = {
      {"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", {"GET", "k"}},
      {"*1\r\n$4\r\nPING\r\n", {"PING"}},
      {Multibulk({"SET", "", "a\r\nb\0c\r\n"s}), {"SET", "", "a\r\nb\0c\r\n"s}},
      {Multibulk({"*1\r\n$3\r\n", "$-1\r\n"}), {"*1\r\n$3\r\n", "$-1\r\n"}},
      {"*1\r\n$4\rXPINGAB", {"PING"}},  // Redis skips the 2 bytes after a length and a body
      {"PING\r\n", {"PING"}},
      {"PING\n", {"PING"}},
      {"  SET\tk   v  \r\n", {"SET", "k", "v"}},
      {"SET k \"a b\\x41\\n\" 'it\\'s'\r\n", {"SET", "k", "a bA\n", "it's"}},
  };
  Args many;
  for (int i = 0; i < 40; ++i) many.push_back("arg" + std::to_string(i * 7919));
  cases.push_back({Multibulk(many), many});
  cases.push_back({QuotedInline({"\0\1\xff"s, "\"'\\"}), {"\0\1\xff"s, "\"'\\"}});
  return cases;
}

TEST(RespParserTest, ParsesMultibulkGetIntoViewsOfTheBuffer) {
  RespParser parser;
  const std::string buf = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  ASSERT_EQ(parser.Parse(buf), State::kCommand);
  EXPECT_EQ(Copy(parser.args()), (Args{"GET", "key"}));
  EXPECT_EQ(parser.consumed(), buf.size());
  for (std::string_view arg : parser.args()) {
    EXPECT_GE(arg.data(), buf.data());
    EXPECT_LE(arg.data() + arg.size(), buf.data() + buf.size());
  }
}

TEST(RespParserTest, EveryValidCommandSplitAtEveryOffsetGivesTheSameArgs) {
  for (const ValidCase& c : ValidCases()) {
    SCOPED_TRACE(testing::PrintToString(c.input));
    for (size_t split = 0; split < c.input.size(); ++split) {
      RespParser parser;
      const std::string prefix = c.input.substr(0, split);
      ASSERT_EQ(parser.Parse(prefix), State::kNeedMore) << "split " << split;
      EXPECT_EQ(parser.consumed(), 0u);
      const std::string full = c.input;  // the buffer moved: fresh memory
      ASSERT_EQ(parser.Parse(full), State::kCommand) << "split " << split;
      EXPECT_EQ(Copy(parser.args()), c.args);
      EXPECT_EQ(parser.consumed(), full.size());
    }
  }
}

TEST(RespParserTest, EveryValidCommandFedOneByteAtATimeGivesTheSameArgs) {
  for (const ValidCase& c : ValidCases()) {
    SCOPED_TRACE(testing::PrintToString(c.input));
    RespParser parser;
    for (size_t len = 1; len < c.input.size(); ++len) {
      const std::string prefix = c.input.substr(0, len);
      ASSERT_EQ(parser.Parse(prefix), State::kNeedMore) << "length " << len;
    }
    ASSERT_EQ(parser.Parse(c.input), State::kCommand);
    EXPECT_EQ(Copy(parser.args()), c.args);
    EXPECT_EQ(parser.consumed(), c.input.size());
  }
}

TEST(RespParserTest, CommandFollowedByMoreBytesConsumesOnlyItself) {
  for (const ValidCase& c : ValidCases()) {
    RespParser parser;
    const std::string buf = c.input + "*3\r\n$3\r\nSET";
    ASSERT_EQ(parser.Parse(buf), State::kCommand);
    EXPECT_EQ(Copy(parser.args()), c.args);
    EXPECT_EQ(parser.consumed(), c.input.size());
  }
}

TEST(RespParserTest, PipelinedCommandsInOneBufferParseInOrder) {
  RespParser parser;
  const std::string input = Multibulk({"SET", "k", "v"}) + "GET k\r\n" + Multibulk({"DEL", "k"}) +
                            "PING\n" + Multibulk({"ECHO", "x"});
  const Transcript t = FeedAtOnce(parser, input);
  EXPECT_EQ(
      t.commands,
      (std::vector<Args>{{"SET", "k", "v"}, {"GET", "k"}, {"DEL", "k"}, {"PING"}, {"ECHO", "x"}}));
  EXPECT_EQ(t.error, "");
  EXPECT_EQ(t.leftover, 0u);
}

TEST(RespParserTest, BulkArgumentsAreBinarySafe) {
  RespParser parser;
  const Args args = {"SET", "k\r\n", "\0\r\n\0"s, "\r\n"};
  const std::string buf = Multibulk(args);
  ASSERT_EQ(parser.Parse(buf), State::kCommand);
  EXPECT_EQ(Copy(parser.args()), args);
}

TEST(RespParserTest, BytesAfterBulkBodyAndAfterLengthCrAreNotChecked) {
  RespParser parser;
  ASSERT_EQ(parser.Parse("*2\r?$3\rXGETxy$1\r\nk!!"), State::kCommand);
  EXPECT_EQ(Copy(parser.args()), (Args{"GET", "k"}));
}

TEST(RespParserTest, EmptyMultibulkAndBlankInlineCommandsAreSkipped) {
  RespParser parser;
  const std::string buf = "*0\r\n*-1\r\n*-7\r\n\r\n\n   \t \r\n*1\r\n$4\r\nPING\r\n";
  ASSERT_EQ(parser.Parse(buf), State::kCommand);
  EXPECT_EQ(Copy(parser.args()), (Args{"PING"}));
  EXPECT_EQ(parser.consumed(), buf.size());
}

TEST(RespParserTest, OnlyEmptyCommandsAreReportedAsConsumedByNeedMore) {
  RespParser parser;
  const std::string buf = "*0\r\n\r\n*-1\r\n";
  ASSERT_EQ(parser.Parse(buf), State::kNeedMore);
  EXPECT_EQ(parser.consumed(), buf.size());
  // Whether or not the caller dropped them, parsing goes on correctly.
  ASSERT_EQ(parser.Parse(buf + "PING\r\n"), State::kCommand);
  EXPECT_EQ(parser.consumed(), buf.size() + 6);
  ASSERT_EQ(parser.Parse(buf), State::kNeedMore);
  ASSERT_EQ(parser.Parse("PING\r\n"), State::kCommand);
  EXPECT_EQ(parser.consumed(), 6u);
}

TEST(RespParserTest, EmptyCommandsBeforeAPartialCommandCountInItsConsumed) {
  RespParser parser;
  const std::string full = "*0\r\n\r\n*1\r\n$4\r\nPING\r\n";
  ASSERT_EQ(parser.Parse(full.substr(0, full.size() - 3)), State::kNeedMore);
  EXPECT_EQ(parser.consumed(), 0u);
  ASSERT_EQ(parser.Parse(full), State::kCommand);
  EXPECT_EQ(parser.consumed(), full.size());
}

TEST(RespParserTest, BytesWantedReportsTheMissingPartOfABulkBody) {
  RespParser parser;
  ASSERT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n$"), State::kNeedMore);
  EXPECT_EQ(parser.bytes_wanted(), 0u);
  ASSERT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n$100000\r\n"), State::kNeedMore);
  EXPECT_EQ(parser.bytes_wanted(), 100002u);
  ASSERT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n$100000\r\n" + std::string(99999, 'x')),
            State::kNeedMore);
  EXPECT_EQ(parser.bytes_wanted(), 3u);
}

TEST(RespParserTest, ManySmallArgsFedByteByByteParseWithoutRescanning) {
  // 100k arguments arriving one byte per read: rescanning from the start would take ~10^11 steps.
  Args args(100000, "a");
  args[0] = "RPUSH";
  const std::string input = Multibulk(args);
  RespParser parser;
  for (size_t len = 1; len < input.size(); ++len) {
    ASSERT_EQ(parser.Parse(std::string_view(input).substr(0, len)), State::kNeedMore);
  }
  ASSERT_EQ(parser.Parse(input), State::kCommand);
  EXPECT_EQ(parser.args().size(), args.size());
}

TEST(RespParserTest, LongInlineLineFedByteByByteParsesWithoutRescanning) {
  const std::string input = "ECHO " + std::string(60000, 'x') + "\r\n";
  RespParser parser;
  for (size_t len = 1; len < input.size(); ++len) {
    ASSERT_EQ(parser.Parse(std::string_view(input).substr(0, len)), State::kNeedMore);
  }
  ASSERT_EQ(parser.Parse(input), State::kCommand);
  EXPECT_EQ(Copy(parser.args()), (Args{"ECHO", std::string(60000, 'x')}));
}

TEST(RespParserTest, BadMultibulkCountIsInvalidMultibulkLength) {
  for (const char* input :
       {"*abc\r\n", "*+1\r\n", "*01\r\n", "* 1\r\n", "*1 \r\n", "*-0\r\n", "*\r\n", "*1x\r\n",
        "*99999999999999999999\r\n", "*9223372036854775808\r\n", "*1048577\r\n"}) {
    EXPECT_EQ(ErrorOf(input), "Protocol error: invalid multibulk length") << input;
  }
}

TEST(RespParserTest, MultibulkCountAboveLimitIsInvalidMultibulkLength) {
  ParserLimits limits;
  limits.max_multibulk_len = 3;
  RespParser parser(limits);
  EXPECT_EQ(parser.Parse("*3\r\n"), State::kNeedMore);
  EXPECT_EQ(ErrorOf("*4\r\n", limits), "Protocol error: invalid multibulk length");
}

TEST(RespParserTest, LongMultibulkCountLineIsTooBigMbulkCountString) {
  ParserLimits limits;
  limits.max_inline_len = 8;
  RespParser parser(limits);
  EXPECT_EQ(parser.Parse("*0000000"), State::kNeedMore);  // 8 bytes: still within the limit
  EXPECT_EQ(ErrorOf("*00000000", limits), "Protocol error: too big mbulk count string");
  // The limit holds however the bytes arrive, even if the '\r' is already buffered.
  EXPECT_EQ(ErrorOf("*00000000\r\n", limits), "Protocol error: too big mbulk count string");
  // A '\r' at offset max_inline_len is within the limit.
  EXPECT_EQ(ErrorOf("*0000000\r\n", limits), "Protocol error: invalid multibulk length");
}

TEST(RespParserTest, LongBulkLengthLineIsTooBigBulkCountString) {
  ParserLimits limits;
  limits.max_inline_len = 8;
  RespParser parser(limits);
  EXPECT_EQ(parser.Parse("*1\r\n$0000000"), State::kNeedMore);
  EXPECT_EQ(ErrorOf("*1\r\n$00000000", limits), "Protocol error: too big bulk count string");
  EXPECT_EQ(ErrorOf("*1\r\n" + std::string(100, 'x'), limits),
            "Protocol error: too big bulk count string");
}

TEST(RespParserTest, ElementNotStartingWithDollarNamesTheByteReceived) {
  EXPECT_EQ(ErrorOf("*1\r\n?\r\n"), "Protocol error: expected '$', got '?'");
  EXPECT_EQ(ErrorOf("*2\r\n$1\r\na\r\n:1\r\n"), "Protocol error: expected '$', got ':'");
  // Redis turns CR and LF into spaces in error replies.
  EXPECT_EQ(ErrorOf("*1\r\n\r\n"), "Protocol error: expected '$', got ' '");
  EXPECT_EQ(ErrorOf("*1\r\n\n\r\n"), "Protocol error: expected '$', got ' '");
}

TEST(RespParserTest, ElementHeaderIsCheckedOnlyOnceItsLineHasArrived) {
  RespParser parser;
  EXPECT_EQ(parser.Parse("*1\r\nX"), State::kNeedMore);
  EXPECT_EQ(parser.Parse("*1\r\nX\r"), State::kNeedMore);
  EXPECT_EQ(parser.Parse("*1\r\nX\r\n"), State::kError);
  EXPECT_EQ(parser.error(), "Protocol error: expected '$', got 'X'");
}

TEST(RespParserTest, BadBulkLengthIsInvalidBulkLength) {
  for (const char* length :
       {"-1", "01", "", "+1", "1x", " 1", "-0", "99999999999999999999", "536870913"}) {
    EXPECT_EQ(ErrorOf("*1\r\n$"s + length + "\r\n"), "Protocol error: invalid bulk length")
        << length;
  }
}

TEST(RespParserTest, BulkLengthAboveLimitIsInvalidBulkLength) {
  ParserLimits limits;
  limits.max_bulk_len = 4;
  RespParser parser(limits);
  ASSERT_EQ(parser.Parse("*1\r\n$4\r\nabcd\r\n"), State::kCommand);
  EXPECT_EQ(ErrorOf("*1\r\n$5\r\n", limits), "Protocol error: invalid bulk length");
}

TEST(RespParserTest, InlineLineLongerThanLimitIsTooBigInlineRequest) {
  ParserLimits limits;
  limits.max_inline_len = 8;
  RespParser parser(limits);
  ASSERT_EQ(parser.Parse("1234 678"), State::kNeedMore);
  ASSERT_EQ(parser.Parse("1234 678\n"), State::kCommand);  // '\n' at offset max_inline_len
  EXPECT_EQ(Copy(parser.args()), (Args{"1234", "678"}));
  EXPECT_EQ(ErrorOf("1234 6789", limits), "Protocol error: too big inline request");
  EXPECT_EQ(ErrorOf("1234 6789\n", limits), "Protocol error: too big inline request");
  EXPECT_EQ(ErrorOf("1234 678\r\n", limits), "Protocol error: too big inline request");
}

TEST(RespParserTest, InlineLimitAppliesToEachLineNotToTheBuffer) {
  ParserLimits limits;
  limits.max_inline_len = 8;
  RespParser parser(limits);
  const Transcript t = FeedAtOnce(parser, "GET a\r\nGET b\r\nGET c\r\n*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(t.error, "");
  EXPECT_EQ(t.commands.size(), 4u);
}

TEST(RespParserTest, UnclosedOrMisplacedQuotesAreUnbalancedQuotes) {
  for (const char* input :
       {"GET \"a\r\n", "GET 'a\r\n", "GET \"a\"b\r\n", "GET 'a'b\r\n", "GET \"a\\\r\n",
        "GET \"a\"'b'\r\n", "GET 'a\\'\n", "\"\n", "a'b c'd\n"}) {
    EXPECT_EQ(ErrorOf(input), "Protocol error: unbalanced quotes in request") << input;
  }
}

TEST(RespParserTest, InlineArgumentsAreSplitLikeRedisSdssplitargs) {
  const std::vector<std::pair<std::string, Args>> cases = {
      {"SET k \"a b\"", {"SET", "k", "a b"}},
      {"\"\\x41\\x4g\\z\\n\\r\\t\\b\\a\\\\\\\"\"", {"Ax4gz\n\r\t\b\a\\\""}},
      {"\"\\xAb\\xff\\x00\"", {"\xab\xff\0"s}},
      {"'it\\'s' 'a\\b' 'a\"b'", {"it's", "a\\b", "a\"b"}},
      {"foo\"bar\" baz", {"foobar", "baz"}},
      {"a'b c' d", {"ab c", "d"}},
      {"\"\" ''", {"", ""}},
      {"a\vb", {"a\vb"}},            // \v and \f do not end an unquoted argument...
      {"\v\fECHO\fx", {"ECHO\fx"}},  // ...but are skipped between arguments
      {"ECHO a\rb", {"ECHO", "a", "b"}},
      {"\"a\"\vb", {"a", "b"}},  // a closing quote may be followed by any blank
      {"PING\r", {"PING"}},      // only one '\r' is stripped before '\n'
      {"ECHO a\0b"s, {"ECHO", "a\0b"s}},
  };
  for (const auto& [line, args] : cases) {
    RespParser parser;
    const std::string buf = line + "\r\n";
    ASSERT_EQ(parser.Parse(buf), State::kCommand) << testing::PrintToString(line);
    EXPECT_EQ(Copy(parser.args()), args) << testing::PrintToString(line);
  }
}

TEST(RespParserTest, QuotedInlineArgsStayValidWhenManyArgsAreUnescaped) {
  Args args;
  for (int i = 0; i < 500; ++i) args.push_back("v" + std::to_string(i) + " \n");
  RespParser parser;
  const std::string buf = QuotedInline(args);
  ASSERT_EQ(parser.Parse(buf), State::kCommand);
  EXPECT_EQ(Copy(parser.args()), args);
}

TEST(RespParserTest, ErrorIsStickyUntilReset) {
  RespParser parser;
  ASSERT_EQ(parser.Parse("*x\r\n"), State::kError);
  EXPECT_EQ(parser.Parse("PING\r\n"), State::kError);
  EXPECT_EQ(parser.error(), "Protocol error: invalid multibulk length");
  parser.Reset();
  EXPECT_EQ(parser.error(), "");
  ASSERT_EQ(parser.Parse("PING\r\n"), State::kCommand);
  EXPECT_EQ(Copy(parser.args()), (Args{"PING"}));
}

TEST(RespParserTest, ResetForgetsAPartialCommand) {
  RespParser parser;
  ASSERT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n"), State::kNeedMore);
  parser.Reset();
  ASSERT_EQ(parser.Parse("PING\r\n"), State::kCommand);
  EXPECT_EQ(Copy(parser.args()), (Args{"PING"}));
}

TEST(RespParserTest, ShorterBufferThanAlreadyParsedRestartsInsteadOfOverreading) {
  RespParser parser;
  ASSERT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n$1\r\n"), State::kNeedMore);
  ASSERT_EQ(parser.Parse("PING\r\n"), State::kCommand);
  EXPECT_EQ(Copy(parser.args()), (Args{"PING"}));
}

// Random commands, each as multibulk or as a quoted inline line, split into random reads, give
// back the same arguments.
TEST(RespParserTest, RandomCommandsSurviveRandomReadSplits) {
  std::mt19937_64 rng(20240601);
  for (int round = 0; round < 200; ++round) {
    std::vector<Args> commands;
    std::string input;
    const int count = static_cast<int>(rng() % 20) + 1;
    for (int i = 0; i < count; ++i) {
      Args args(rng() % 5 + 1);
      for (std::string& arg : args) {
        arg.resize(rng() % 40);
        for (char& c : arg) c = static_cast<char>(rng() % 256);
      }
      input += rng() % 2 ? Multibulk(args) : QuotedInline(args);
      if (rng() % 4 == 0) input += rng() % 2 ? "*0\r\n" : "\r\n";
      commands.push_back(std::move(args));
    }
    std::vector<size_t> reads;
    for (size_t total = 0; total < input.size(); total += reads.back()) {
      reads.push_back(rng() % 3 == 0 ? 1 : rng() % 64 + 1);
    }
    RespParser parser;
    const Transcript t = Feed(parser, input, reads);
    EXPECT_EQ(t.error, "");
    EXPECT_EQ(t.commands, commands);
    EXPECT_EQ(t.leftover, 0u);
  }
}

// Garbage never crashes the parser, only yields its three states, and the outcome does not
// depend on how the bytes were split into reads.
TEST(RespParserTest, RandomGarbageOnlyYieldsTheThreeStatesWhateverTheSplit) {
  std::mt19937_64 rng(7);
  // Pieces of the protocol, so that garbage reaches every state, mixed with random bytes.
  static const std::vector<std::string> kPieces = {
      "*",      "$",      "\r\n",   "\r",     "\n",      "*1\r\n", "*2\r\n", "*-1\r\n",
      "*0\r\n", "$0\r\n", "$1\r\n", "$3\r\n", "$-1\r\n", "abc",    "\"",     "'",
      "\\",     "\\x4",   " ",      "\t",     "0",       "9"};
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    for (size_t n = rng() % 40; n > 0; --n) {
      if (rng() % 4 == 0) {
        input += static_cast<char>(rng() % 256);
      } else {
        input += kPieces[rng() % kPieces.size()];
      }
    }
    ParserLimits limits;
    limits.max_bulk_len = static_cast<int64_t>(rng() % 40);
    limits.max_multibulk_len = static_cast<int64_t>(rng() % 6);
    limits.max_inline_len = rng() % 2 ? rng() % 12 : 64;

    RespParser whole(limits);
    const Transcript at_once = FeedAtOnce(whole, input);
    std::vector<size_t> reads;
    for (size_t total = 0; total < input.size(); total += reads.back()) {
      reads.push_back(rng() % 8 + 1);
    }
    RespParser split(limits);
    const Transcript in_reads = Feed(split, input, reads);
    // (Only the leftover may differ: empty commands ahead of a partial one stay buffered.)
    EXPECT_EQ(at_once.commands, in_reads.commands) << testing::PrintToString(input);
    EXPECT_EQ(at_once.error, in_reads.error) << testing::PrintToString(input);

    RespParser raw(limits);
    for (size_t len = 0; len <= input.size(); ++len) {
      const State state = raw.Parse(std::string_view(input).substr(0, len));
      ASSERT_TRUE(state == State::kCommand || state == State::kNeedMore || state == State::kError);
      if (state == State::kError) {
        EXPECT_TRUE(raw.error().starts_with("Protocol error: ")) << raw.error();
        break;
      }
      if (state == State::kCommand) break;
    }
  }
}

TEST(RespParserTest, BeforeAuthOnlySmallCommandsAreAccepted) {
  RespParser parser;
  parser.set_authenticated(false);
  Args ten(10, "x");
  const std::string ten_buf = Multibulk(ten);
  ASSERT_EQ(parser.Parse(ten_buf), State::kCommand);
  EXPECT_EQ(Copy(parser.args()), ten);
  const std::string bulk(16 * 1024, 'p');
  ASSERT_EQ(parser.Parse(Multibulk({"AUTH", bulk})), State::kCommand);

  // The header alone is refused: nothing of the announced size is buffered.
  EXPECT_EQ(parser.Parse("*11\r\n"), State::kError);
  EXPECT_EQ(parser.error(), "Protocol error: unauthenticated multibulk length");
  parser.Reset();
  EXPECT_EQ(parser.Parse("*2\r\n$4\r\nAUTH\r\n$16385\r\n"), State::kError);
  EXPECT_EQ(parser.error(), "Protocol error: unauthenticated bulk length");

  parser.Reset();
  parser.set_authenticated(true);
  Args eleven(11, "x");
  const std::string eleven_buf = Multibulk(eleven);
  ASSERT_EQ(parser.Parse(eleven_buf), State::kCommand);
  EXPECT_EQ(Copy(parser.args()), eleven);
}

}  // namespace
}  // namespace strata::server
