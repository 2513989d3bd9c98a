#include "base/string_util.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace strata {

namespace {

// Redis copies float arguments into a buffer of this size (MAX_LONG_DOUBLE_CHARS) before calling
// strtold, and rejects anything that does not fit with its terminator. It is also large enough for
// "%.17Lf" of the largest finite long double.
constexpr size_t kLongDoubleChars = 5 * 1024;

// Redis's matcher gives up (no match) once '*' recursion is deeper than this.
constexpr int kMaxGlobNesting = 1000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The six characters C's isspace() accepts in the "C" locale.
bool IsCSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

int FoldAscii(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }
char FoldAscii(char c) { return static_cast<char>(FoldAscii(static_cast<int>(c))); }

// Parses the magnitude of a strict decimal (first digit 1-9, or the single digit "0") into
// *out. Fails on anything else, including values above UINT64_MAX.
bool ParseMagnitude(std::string_view digits, uint64_t* out) {
  if (digits.empty()) return false;
  if (digits.size() == 1 && digits[0] == '0') {
    *out = 0;
    return true;
  }
  if (digits[0] < '1' || digits[0] > '9') return false;
  uint64_t v = 0;
  for (char c : digits) {
    if (!IsDigit(c)) return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

// --- Glob matching -------------------------------------------------------------------------------
//
// Mirrors stringmatchlen() of Redis 7.0 byte for byte, including its quirks:
//  * Bytes compare as (signed) char, so in ranges bytes >= 0x80 sort below '\0'.
//  * With nocase only ASCII letters fold, and range ends fold after being ordered, so "[Z-a]"
//    matches nothing case-insensitively.
//  * A '\\' inside a class escapes the next byte and compares it case-sensitively.
//  * An unterminated class ends at the end of the pattern; "[" alone never matches and "[^"
//    matches any one byte.
//  * Redis patterns are NUL-terminated and the matcher peeks at that terminator, so reads past
//    the end of the pattern here yield '\0'.
//  * An empty string matches only an empty pattern (the loop never runs), so "*" does not match
//    "".

char PatternAt(std::string_view pattern, size_t i) {
  return i < pattern.size() ? pattern[i] : '\0';
}

bool SameByte(char a, char b, bool nocase) {
  return nocase ? FoldAscii(a) == FoldAscii(b) : a == b;
}

// Matches one bracket class starting just after '['. On return *p indexes the class's last byte
// (the ']' or, for an unterminated class, the pattern's last byte).
bool MatchClass(std::string_view pattern, size_t* p, char c, bool nocase) {
  size_t i = *p;
  const bool negate = PatternAt(pattern, i) == '^';
  if (negate) ++i;
  bool matched = false;
  while (true) {
    const size_t left = pattern.size() - i;
    const char pc = PatternAt(pattern, i);
    if (pc == '\\' && left >= 2) {
      ++i;
      if (pattern[i] == c) matched = true;
    } else if (pc == ']') {
      break;
    } else if (left == 0) {
      --i;  // Unterminated: stop on the pattern's last byte.
      break;
    } else if (left >= 3 && pattern[i + 1] == '-') {
      int lo = static_cast<signed char>(pc);
      int hi = static_cast<signed char>(pattern[i + 2]);
      int x = static_cast<signed char>(c);
      if (lo > hi) std::swap(lo, hi);
      if (nocase) {
        lo = FoldAscii(lo);
        hi = FoldAscii(hi);
        x = FoldAscii(x);
      }
      if (x >= lo && x <= hi) matched = true;
      i += 2;
    } else if (SameByte(pc, c, nocase)) {
      matched = true;
    }
    ++i;
  }
  *p = i;
  return matched != negate;
}

// `give_up` is shared by the whole match: once the text after some '*' failed to match at every
// remaining position, no longer expansion of an earlier '*' can succeed either.
bool GlobMatchImpl(std::string_view pattern, std::string_view str, bool nocase, bool* give_up,
                   int nesting) {
  if (nesting > kMaxGlobNesting) return false;
  size_t p = 0;
  size_t s = 0;
  while (p < pattern.size() && s < str.size()) {
    switch (pattern[p]) {
      case '*': {
        while (PatternAt(pattern, p + 1) == '*') ++p;
        if (p + 1 == pattern.size()) return true;
        const std::string_view rest = pattern.substr(p + 1);
        for (; s < str.size(); ++s) {
          if (GlobMatchImpl(rest, str.substr(s), nocase, give_up, nesting + 1)) return true;
          if (*give_up) return false;
        }
        *give_up = true;
        return false;
      }
      case '?':
        ++s;
        break;
      case '[':
        ++p;
        if (!MatchClass(pattern, &p, str[s], nocase)) return false;
        ++s;
        break;
      case '\\':
        if (pattern.size() - p >= 2) ++p;
        [[fallthrough]];
      default:
        if (!SameByte(pattern[p], str[s], nocase)) return false;
        ++s;
        break;
    }
    ++p;
    if (s == str.size()) {
      while (PatternAt(pattern, p) == '*') ++p;
      break;
    }
  }
  return p == pattern.size() && s == str.size();
}

}  // namespace

std::optional<int64_t> ParseInt64(std::string_view s) {
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  uint64_t magnitude = 0;
  if (!ParseMagnitude(s, &magnitude)) return std::nullopt;
  if (negative) {
    // "-0" is rejected: a leading '-' must be followed by a non-zero first digit.
    if (magnitude == 0 || magnitude > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - magnitude);
  }
  if (magnitude > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(magnitude);
}

std::optional<uint64_t> ParseUint64(std::string_view s) {
  uint64_t v = 0;
  if (!ParseMagnitude(s, &v)) return std::nullopt;
  return v;
}

std::optional<long double> ParseLongDouble(std::string_view s, bool allow_inf) {
  if (s.empty() || s.size() >= kLongDoubleChars) return std::nullopt;
  char buf[kLongDoubleChars];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (IsCSpace(buf[0])) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long double v = std::strtold(buf, &end);
  const int err = errno;
  // The parse must consume every byte, so an embedded NUL makes the input invalid.
  if (static_cast<size_t>(end - buf) != s.size() || err == EINVAL || std::isnan(v)) {
    return std::nullopt;
  }
  if (err == ERANGE && (std::isinf(v) || v == 0)) return std::nullopt;
  if (!allow_inf && std::isinf(v)) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view s, bool allow_inf) {
  if (s.empty() || IsCSpace(s[0])) return std::nullopt;
  // strtod needs a terminator; Redis parses unbounded lengths, so long inputs take the heap.
  char stack_buf[256];
  std::string heap_buf;
  char* buf = stack_buf;
  if (s.size() >= sizeof(stack_buf)) {
    heap_buf.assign(s);
    buf = heap_buf.data();
  } else {
    std::memcpy(stack_buf, s.data(), s.size());
    stack_buf[s.size()] = '\0';
  }
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(buf, &end);
  const int err = errno;
  if (static_cast<size_t>(end - buf) != s.size() || std::isnan(v)) return std::nullopt;
  if (err == ERANGE && (std::isinf(v) || v == 0)) return std::nullopt;
  if (!allow_inf && std::isinf(v)) return std::nullopt;
  return v;
}

std::optional<std::string> FormatLongDouble(long double v) {
  if (std::isinf(v) || std::isnan(v)) return std::nullopt;
  char buf[kLongDoubleChars];
  const int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return std::nullopt;  // Cannot happen.
  std::string_view text(buf, static_cast<size_t>(n));
  if (text.find('.') != std::string_view::npos) {
    while (text.back() == '0') text.remove_suffix(1);
    if (text.back() == '.') text.remove_suffix(1);
  }
  if (text == "-0") text = "0";
  return std::string(text);
}

std::string FormatDouble(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // std::to_chars with general format and a precision is specified to match printf("%.17g").
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 17);
  if (ec != std::errc()) return {};  // Cannot happen: %.17g needs at most 25 bytes.
  return std::string(buf, end);
}

void AppendInt64(std::string* out, int64_t v) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  // Negating in unsigned arithmetic is defined for INT64_MIN too.
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  char buf[20];  // "-9223372036854775808" is the longest form.
  char* p = buf + sizeof(buf);
  while (u >= 100) {
    const size_t i = static_cast<size_t>(u % 100) * 2;
    u /= 100;
    *--p = kPairs[i + 1];
    *--p = kPairs[i];
  }
  if (u >= 10) {
    const size_t i = static_cast<size_t>(u) * 2;
    *--p = kPairs[i + 1];
    *--p = kPairs[i];
  } else {
    *--p = static_cast<char>('0' + u);
  }
  if (v < 0) *--p = '-';
  out->append(p, static_cast<size_t>(buf + sizeof(buf) - p));
}

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  bool give_up = false;
  return GlobMatchImpl(pattern, str, nocase, &give_up, 0);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (FoldAscii(a[i]) != FoldAscii(b[i])) return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = FoldAscii(c);
  return out;
}

}  // namespace strata
