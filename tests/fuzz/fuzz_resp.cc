// Fuzz target: the RESP request parser (server/resp_parser.h).
//
// Input: one byte choosing the parser's limits (Redis's defaults, or small ones so that every
// limit is reachable), then the bytes a client sends. The stream is parsed twice: in one piece,
// and in chunks cut at points derived from the input, through a buffer handled as the worker
// handles a connection's (consumed bytes dropped, the rest moved to a new allocation before
// every call so that a view kept across calls would be caught). Checked:
//   - both parses give the same commands and the same error;
//   - every command respects the limits (argument count and length, as multibulk or inline);
//   - a command re-encoded as a multibulk request parses back to the same arguments;
//   - after kNeedMore, bytes_wanted() is no more than the largest bulk plus its CRLF.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_util.h"
#include "server/net/resp_parser.h"

namespace {

using strata::fuzz::Die;
using strata::server::ParserLimits;
using strata::server::RespParser;

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  std::string error;  // empty: no protocol error
};

// A multibulk command is bounded by max_multibulk_len and max_bulk_len, an inline one by
// max_inline_len (its whole line); which one it was does not show in the arguments.
void CheckLimits(const std::vector<std::string_view>& args, const ParserLimits& limits) {
  if (args.empty()) Die("a command with no arguments");
  const int64_t inline_len = static_cast<int64_t>(limits.max_inline_len);
  if (static_cast<int64_t>(args.size()) > std::max(limits.max_multibulk_len, inline_len)) {
    Die("a command with " + std::to_string(args.size()) + " arguments, over the limit");
  }
  for (std::string_view a : args) {
    if (static_cast<int64_t>(a.size()) > std::max(limits.max_bulk_len, inline_len)) {
      Die("an argument of " + std::to_string(a.size()) + " bytes, over the limit");
    }
  }
}

// Takes args out of the parser: records them and checks them.
void Record(const RespParser& parser, const ParserLimits& limits, Outcome* out) {
  CheckLimits(parser.args(), limits);
  out->commands.emplace_back(parser.args().begin(), parser.args().end());
}

Outcome ParseWhole(std::string_view stream, const ParserLimits& limits) {
  Outcome out;
  RespParser parser(limits);
  size_t start = 0;
  for (;;) {
    const RespParser::State st = parser.Parse(stream.substr(start));
    if (st == RespParser::State::kCommand) {
      if (parser.consumed() == 0) Die("a command that consumed no bytes");
      Record(parser, limits, &out);
      start += parser.consumed();
      continue;
    }
    if (st == RespParser::State::kError) {
      out.error = parser.error();
      if (out.error.empty()) Die("kError with an empty error text");
      // A parser in error stays in error.
      if (parser.Parse(stream.substr(start)) != RespParser::State::kError) {
        Die("the parser left its error state without Reset()");
      }
      break;
    }
    break;
  }
  return out;
}

// Chunk sizes from a hash of the input: mostly short chunks, some long ones.
class Splitter {
 public:
  explicit Splitter(std::string_view data) {
    for (char c : data) state_ = (state_ ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
    state_ |= 1;
  }
  size_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    switch (state_ % 4) {
      case 0:
        return 1;
      case 1:
        return 1 + (state_ >> 8) % 8;
      case 2:
        return 1 + (state_ >> 8) % 64;
      default:
        return 1 + (state_ >> 8) % 4096;
    }
  }

 private:
  uint64_t state_ = 0xcbf29ce484222325ULL;
};

Outcome ParseChunked(std::string_view stream, const ParserLimits& limits) {
  Outcome out;
  RespParser parser(limits);
  Splitter split(stream);
  std::string buf;  // the unparsed bytes (a connection's rbuf[rstart, rend))
  size_t fed = 0;
  while (fed < stream.size()) {
    const size_t n = std::min(split.Next(), stream.size() - fed);
    // A fresh allocation each time: the parser may keep offsets, never pointers.
    std::string moved;
    moved.reserve(buf.size() + n);
    moved.append(buf).append(stream.substr(fed, n));
    buf.swap(moved);
    fed += n;
    size_t start = 0;
    while (start < buf.size()) {
      const RespParser::State st = parser.Parse(std::string_view(buf).substr(start));
      if (st == RespParser::State::kCommand) {
        Record(parser, limits, &out);
        start += parser.consumed();
        continue;
      }
      if (st == RespParser::State::kError) {
        out.error = parser.error();
        return out;
      }
      start += parser.consumed();
      const size_t wanted = parser.bytes_wanted();
      if (wanted > static_cast<size_t>(limits.max_bulk_len) + 2) {
        Die("bytes_wanted() " + std::to_string(wanted) + " past the largest bulk");
      }
      break;
    }
    buf.erase(0, start);
  }
  return out;
}

void CheckReencoded(const std::vector<std::string>& args) {
  std::string wire = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) wire += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  RespParser parser;
  if (parser.Parse(wire) != RespParser::State::kCommand || parser.consumed() != wire.size()) {
    Die("a parsed command does not parse back from its multibulk encoding");
  }
  if (std::vector<std::string>(parser.args().begin(), parser.args().end()) != args) {
    Die("a parsed command's multibulk encoding parses to other arguments");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ParserLimits limits;
  switch (data[0] % 4) {
    case 0:
      break;  // Redis's defaults
    case 1:
      limits.max_bulk_len = 16;
      limits.max_multibulk_len = 8;
      limits.max_inline_len = 32;
      break;
    case 2:
      limits.max_bulk_len = 1;
      limits.max_multibulk_len = 1;
      limits.max_inline_len = 1;
      break;
    default:
      limits.max_inline_len = 4;
      break;
  }
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Outcome whole = ParseWhole(stream, limits);
  const Outcome chunked = ParseChunked(stream, limits);
  if (whole.commands != chunked.commands) {
    Die("chunked parsing gave other commands (" + std::to_string(chunked.commands.size()) +
        " against " + std::to_string(whole.commands.size()) + ")");
  }
  if (whole.error != chunked.error) {
    Die("chunked parsing gave another error: '" + chunked.error + "' against '" + whole.error +
        "'");
  }
  for (const auto& args : whole.commands) CheckReencoded(args);
  return 0;
}
