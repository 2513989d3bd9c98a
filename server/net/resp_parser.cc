#include "server/net/resp_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace strata::server {
namespace {

constexpr std::string_view kInvalidMultibulkLength = "Protocol error: invalid multibulk length";
constexpr std::string_view kInvalidBulkLength = "Protocol error: invalid bulk length";
constexpr std::string_view kTooBigMultibulkCount = "Protocol error: too big mbulk count string";
constexpr std::string_view kTooBigBulkCount = "Protocol error: too big bulk count string";
constexpr std::string_view kTooBigInline = "Protocol error: too big inline request";
constexpr std::string_view kUnbalancedQuotes = "Protocol error: unbalanced quotes in request";

// Room for the arguments of a multibulk request is reserved up to this many before they arrive
// (as Redis does), so a false header cannot make us allocate much.
constexpr int64_t kMaxPreallocatedArgs = 1024;
// Argument vectors grown past this are released after the command, not kept per connection.
constexpr size_t kMaxRetainedArgs = 4096;

// Parses a decimal int64 as strictly as Redis's string2ll: an optional '-', no '+', no spaces,
// no leading zeros ("0" alone is fine, "-0" is not), no overflow.
bool ParseStrictInt(std::string_view s, int64_t* value) {
  // 20 characters hold any int64 ("-9223372036854775808"); Redis rejects 21 and more.
  if (s.empty() || s.size() > 20) return false;
  if (s == "0") {
    *value = 0;
    return true;
  }
  const bool negative = s.front() == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty() || s.front() < '1' || s.front() > '9') return false;
  uint64_t magnitude = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (magnitude > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    magnitude = magnitude * 10 + digit;
  }
  constexpr uint64_t kMaxPositive = std::numeric_limits<int64_t>::max();
  if (negative) {
    if (magnitude > kMaxPositive + 1) return false;
    // Two's complement negation in unsigned arithmetic, defined even for INT64_MIN.
    *value = static_cast<int64_t>(0 - magnitude);
  } else {
    if (magnitude > kMaxPositive) return false;
    *value = static_cast<int64_t>(magnitude);
  }
  return true;
}

// isspace() in the C locale, which sdssplitargs uses to skip blanks between arguments.
bool IsBlank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// The bytes that end an unquoted inline argument: fewer than IsBlank ('\v' and '\f' do not).
bool EndsBareArg(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte a backslash escape inside double quotes stands for: C's names for control bytes,
// and any other byte for itself (so \\ and \" work).
char UnescapedByte(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'a':
      return '\a';
    default:
      return c;
  }
}

// Reads the rest of an inline argument that contains quotes, from line[*pos] (just past its
// unquoted prefix), writing its bytes at out[*written...]. On success *pos is past the argument.
// False if a quote is left open or a closing quote is followed by something other than a blank.
bool UnquoteArg(std::string_view line, size_t* pos, char* out, size_t* written) {
  enum class Mode { kBare, kDouble, kSingle };
  Mode mode = Mode::kBare;
  size_t i = *pos;
  size_t w = *written;
  const size_t n = line.size();
  bool ok = true;
  for (bool done = false; !done;) {
    if (i == n) {
      ok = mode == Mode::kBare;
      break;
    }
    const char c = line[i];
    switch (mode) {
      case Mode::kBare:
        if (EndsBareArg(c)) {
          done = true;
        } else if (c == '"') {
          mode = Mode::kDouble;
        } else if (c == '\'') {
          mode = Mode::kSingle;
        } else {
          out[w++] = c;
        }
        ++i;
        break;
      case Mode::kDouble:
        if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && HexDigitValue(line[i + 2]) >= 0 &&
            HexDigitValue(line[i + 3]) >= 0) {
          out[w++] =
              static_cast<char>(HexDigitValue(line[i + 2]) * 16 + HexDigitValue(line[i + 3]));
          i += 4;
        } else if (c == '\\' && i + 1 < n) {
          out[w++] = UnescapedByte(line[i + 1]);
          i += 2;
        } else if (c == '"') {
          ok = i + 1 == n || IsBlank(line[i + 1]);
          done = true;
          ++i;
        } else {
          out[w++] = c;
          ++i;
        }
        break;
      case Mode::kSingle:
        if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
          out[w++] = '\'';
          i += 2;
        } else if (c == '\'') {
          ok = i + 1 == n || IsBlank(line[i + 1]);
          done = true;
          ++i;
        } else {
          out[w++] = c;
          ++i;
        }
        break;
    }
  }
  *pos = i;
  *written = w;
  return ok;
}

}  // namespace

RespParser::State RespParser::Parse(std::string_view buf) {
  consumed_ = 0;
  wanted_ = 0;
  if (!error_.empty()) return State::kError;
  if (args_.capacity() > kMaxRetainedArgs) std::vector<std::string_view>().swap(args_);
  args_.clear();
  // A caller that broke the contract by passing fewer bytes than before gets a fresh parse
  // rather than reads past the end of its buffer.
  if (pos_ > buf.size()) ClearProgress();

  for (;;) {
    if (phase_ == Phase::kIdle) {
      if (pos_ == buf.size()) {
        // Only empty commands so far. With no partial command behind them, the caller may
        // drop them or pass them again: either way, parsing restarts at the front of buf.
        consumed_ = pos_;
        pos_ = 0;
        return State::kNeedMore;
      }
      scan_ = 0;
      phase_ = buf[pos_] == '*' ? Phase::kArrayHeader : Phase::kInline;
    }
    const Step step = phase_ == Phase::kInline        ? ParseInline(buf)
                      : phase_ == Phase::kArrayHeader ? ParseArrayHeader(buf)
                                                      : ParseBulks(buf);
    switch (step) {
      case Step::kCommand:
        consumed_ = pos_;
        ClearProgress();
        return State::kCommand;
      case Step::kEmpty:
        phase_ = Phase::kIdle;
        continue;
      case Step::kContinue:
        continue;
      case Step::kNeedMore:
        // Skipped empty commands before the partial one stay in buf: their bytes are reported
        // with the command's consumed(), keeping the offsets of the partial command valid.
        return State::kNeedMore;
      case Step::kError:
        args_.clear();
        ClearProgress();
        return State::kError;
    }
  }
}

void RespParser::Reset() {
  ClearProgress();
  args_.clear();
  consumed_ = 0;
  wanted_ = 0;
  error_.clear();
}

void RespParser::ClearProgress() {
  phase_ = Phase::kIdle;
  pos_ = 0;
  scan_ = 0;
  args_left_ = 0;
  bulk_len_ = 0;
  if (spans_.capacity() > kMaxRetainedArgs) {
    std::vector<Span>().swap(spans_);
  } else {
    spans_.clear();
  }
}

void RespParser::SetError(std::string_view text) { error_.assign(text); }

size_t RespParser::FindLineEnd(std::string_view buf, char terminator,
                               std::string_view too_long_error) {
  // Redis gives up on a line once more than max_inline_len bytes wait without a terminator. The
  // window below applies that limit to the line itself, so the outcome does not depend on how
  // the bytes were split into reads.
  const size_t available = buf.size() - pos_;
  const bool over_limit = available > limits_.max_inline_len;
  const size_t window = over_limit ? limits_.max_inline_len + 1 : available;
  if (scan_ < window) {
    const char* from = buf.data() + pos_ + scan_;
    const void* hit = std::memchr(from, terminator, window - scan_);
    if (hit != nullptr) {
      const size_t at = static_cast<size_t>(static_cast<const char*>(hit) - buf.data());
      scan_ = at - pos_;
      return at;
    }
    scan_ = window;
  }
  if (over_limit) SetError(too_long_error);
  return std::string_view::npos;
}

RespParser::Step RespParser::ParseInline(std::string_view buf) {
  const size_t newline = FindLineEnd(buf, '\n', kTooBigInline);
  if (newline == std::string_view::npos) return error_.empty() ? Step::kNeedMore : Step::kError;
  size_t end = newline;
  if (end > pos_ && buf[end - 1] == '\r') --end;
  if (!SplitInlineArgs(buf.substr(pos_, end - pos_))) {
    SetError(kUnbalancedQuotes);
    return Step::kError;
  }
  pos_ = newline + 1;
  return args_.empty() ? Step::kEmpty : Step::kCommand;
}

bool RespParser::SplitInlineArgs(std::string_view line) {
  args_.clear();
  bool unescaped_sized = false;
  size_t written = 0;
  size_t i = 0;
  const size_t n = line.size();
  for (;;) {
    while (i < n && IsBlank(line[i])) ++i;
    if (i == n) return true;
    const size_t start = i;
    while (i < n && !EndsBareArg(line[i]) && line[i] != '"' && line[i] != '\'') ++i;
    if (i == n || EndsBareArg(line[i])) {
      // No quotes: the argument is a view of the line itself.
      args_.push_back(line.substr(start, i - start));
      continue;
    }
    if (!unescaped_sized) {
      unescaped_.resize(n);
      unescaped_sized = true;
    }
    const size_t arg_start = written;
    std::memcpy(unescaped_.data() + written, line.data() + start, i - start);
    written += i - start;
    if (!UnquoteArg(line, &i, unescaped_.data(), &written)) return false;
    args_.push_back(std::string_view(unescaped_.data() + arg_start, written - arg_start));
  }
}

RespParser::Step RespParser::ParseArrayHeader(std::string_view buf) {
  const size_t cr = FindLineEnd(buf, '\r', kTooBigMultibulkCount);
  if (cr == std::string_view::npos) return error_.empty() ? Step::kNeedMore : Step::kError;
  // The byte after '\r' must have arrived; like Redis, we skip it without checking it is '\n'.
  if (cr + 1 >= buf.size()) return Step::kNeedMore;
  int64_t count = 0;
  if (!ParseStrictInt(buf.substr(pos_ + 1, cr - pos_ - 1), &count) ||
      count > limits_.max_multibulk_len) {
    SetError(kInvalidMultibulkLength);
    return Step::kError;
  }
  if (!authenticated_ && count > kUnauthenticatedMaxArgs) {
    SetError("Protocol error: unauthenticated multibulk length");
    return Step::kError;
  }
  pos_ = cr + 2;
  scan_ = 0;
  if (count <= 0) return Step::kEmpty;
  args_left_ = count;
  spans_.clear();
  spans_.reserve(static_cast<size_t>(std::min(count, kMaxPreallocatedArgs)));
  phase_ = Phase::kBulkHeader;
  return Step::kContinue;
}

RespParser::Step RespParser::ParseBulks(std::string_view buf) {
  while (args_left_ > 0) {
    if (phase_ == Phase::kBulkHeader) {
      const size_t cr = FindLineEnd(buf, '\r', kTooBigBulkCount);
      if (cr == std::string_view::npos) return error_.empty() ? Step::kNeedMore : Step::kError;
      if (cr + 1 >= buf.size()) return Step::kNeedMore;
      if (buf[pos_] != '$') {
        // Redis replaces CR and LF in error replies by spaces; NUL too, so the text stays a
        // printable line.
        char got = buf[pos_];
        if (got == '\r' || got == '\n' || got == '\0') got = ' ';
        error_.assign("Protocol error: expected '$', got '");
        error_.push_back(got);
        error_.push_back('\'');
        return Step::kError;
      }
      int64_t length = 0;
      if (!ParseStrictInt(buf.substr(pos_ + 1, cr - pos_ - 1), &length) || length < 0 ||
          length > limits_.max_bulk_len) {
        SetError(kInvalidBulkLength);
        return Step::kError;
      }
      if (!authenticated_ && length > kUnauthenticatedMaxBulk) {
        SetError("Protocol error: unauthenticated bulk length");
        return Step::kError;
      }
      pos_ = cr + 2;
      scan_ = 0;
      bulk_len_ = length;
      phase_ = Phase::kBulkBody;
    }
    // The body and the 2 bytes after it, which Redis skips without checking for "\r\n".
    const size_t needed = static_cast<size_t>(bulk_len_) + 2;
    const size_t available = buf.size() - pos_;
    if (available < needed) {
      wanted_ = needed - available;
      return Step::kNeedMore;
    }
    spans_.push_back(Span{pos_, static_cast<size_t>(bulk_len_)});
    pos_ += needed;
    --args_left_;
    phase_ = Phase::kBulkHeader;
  }
  args_.reserve(spans_.size());
  for (const Span& span : spans_) args_.push_back(buf.substr(span.offset, span.length));
  return Step::kCommand;
}

}  // namespace strata::server
