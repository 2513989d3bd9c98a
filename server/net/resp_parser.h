// Incremental RESP request parser: multibulk ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and inline
// commands ("GET k\r\n", as telnet and redis-cli send), with Redis's limits and error texts.
//
// The parser never copies argument bytes: args() are views into the buffer passed to Parse().
// It keeps the progress of a partly received command so that a large command arriving in many
// reads is not rescanned from its start. Not thread safe; one parser per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::server {

struct ParserLimits {
  // proto-max-bulk-len: the largest bulk argument accepted (Redis default 512 MB).
  int64_t max_bulk_len = 512LL * 1024 * 1024;
  // The most arguments in one multibulk request (Redis: 1024*1024).
  int64_t max_multibulk_len = 1024 * 1024;
  // The longest inline command line, and the longest "*N" / "$N" header line (Redis: 64 KB).
  size_t max_inline_len = 64 * 1024;
};

class RespParser {
 public:
  enum class State {
    kCommand,   // one whole command parsed: args(), consumed()
    kNeedMore,  // no whole command yet: call again with the same bytes plus more
    kError,     // protocol error: error() holds Redis's text; the connection must close
  };

  explicit RespParser(const ParserLimits& limits = ParserLimits()) : limits_(limits) {}

  // Parses the first command in `buf`, which starts at the first byte not yet consumed. After
  // kNeedMore, the next call must pass the same bytes again, extended (the buffer may have moved
  // in memory). Empty commands ("*0\r\n", "*-1\r\n", blank inline lines) are skipped: their bytes
  // count in consumed() of the next command, or are reported by kNeedMore's consumed().
  State Parse(std::string_view buf);

  // Valid after kCommand until the buffer changes: the arguments, views into buf.
  const std::vector<std::string_view>& args() const { return args_; }
  // After kCommand: bytes of buf the command (and any skipped empty commands before it) took.
  // After kNeedMore: bytes of buf that may be discarded already (skipped empty commands).
  size_t consumed() const { return consumed_; }
  // After kError: "Protocol error: ..." exactly as Redis words it (without "-ERR ").
  const std::string& error() const { return error_; }
  // After kNeedMore: a lower bound of the bytes the command in progress still needs, so the
  // caller can grow its buffer once for a large bulk argument. 0 if unknown.
  size_t bytes_wanted() const { return wanted_; }

  // Before AUTH, as Redis: a multibulk of more than 10 arguments or a bulk of more than 16 KB
  // is a protocol error, so an unauthenticated client cannot make the server buffer much.
  static constexpr int64_t kUnauthenticatedMaxArgs = 10;
  static constexpr int64_t kUnauthenticatedMaxBulk = 16 * 1024;
  void set_authenticated(bool authenticated) { authenticated_ = authenticated; }

  // Forgets any partial command (e.g. after the connection's buffer was reset).
  void Reset();

 private:
  // What the parser expects at pos_.
  enum class Phase : uint8_t {
    kIdle,         // the first byte of a command, or the end of buf
    kInline,       // an inline line: scanning for its '\n'
    kArrayHeader,  // "*<n>\r\n"
    kBulkHeader,   // "$<len>\r\n"
    kBulkBody,     // bulk_len_ bytes, then 2 bytes (not checked, as in Redis)
  };
  // An argument's place in the caller's buffer: offsets survive the buffer moving.
  struct Span {
    size_t offset;
    size_t length;
  };
  // The outcome of one parsing step: a command, an empty command (skipped), progress within a
  // command (parse on), or a State to return.
  enum class Step : uint8_t { kCommand, kEmpty, kContinue, kNeedMore, kError };

  Step ParseInline(std::string_view buf);
  Step ParseArrayHeader(std::string_view buf);
  Step ParseBulks(std::string_view buf);
  // Looks for `terminator` in the line starting at pos_, resuming where the last call stopped.
  // Returns its offset in buf, or npos with error_ set if the line exceeds max_inline_len, or
  // npos without error if more bytes are needed.
  size_t FindLineEnd(std::string_view buf, char terminator, std::string_view too_long_error);
  // Splits an inline line like Redis's sdssplitargs into args_. False on unbalanced quotes.
  bool SplitInlineArgs(std::string_view line);
  void SetError(std::string_view text);
  // Forgets the command in progress. Keeps error_, and the capacity of buffers not grown large.
  void ClearProgress();

  ParserLimits limits_;
  bool authenticated_ = true;
  Phase phase_ = Phase::kIdle;
  // Offsets below are relative to the start of the buf passed to Parse(): the caller keeps the
  // bytes of the command in progress (and of empty commands skipped before it) at its front.
  size_t pos_ = 0;   // next byte to parse
  size_t scan_ = 0;  // bytes after pos_ already known to hold no line terminator
  int64_t args_left_ = 0;
  int64_t bulk_len_ = 0;
  std::vector<Span> spans_;  // multibulk arguments received so far
  // The bytes of inline arguments that had quotes, which args_ may view. Sized once per line
  // (unescaping never lengthens), then written by index, so it never moves under those views.
  std::string unescaped_;
  std::vector<std::string_view> args_;
  size_t consumed_ = 0;
  size_t wanted_ = 0;
  std::string error_;
};

}  // namespace strata::server
