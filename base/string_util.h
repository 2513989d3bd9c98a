// Number <-> string conversions with Redis's exact rules, and Redis's glob matcher.
// Pure functions, thread safe, no allocation except where a std::string is returned (and
// ParseDouble on inputs of 256 bytes or more, which Redis accepts at any length).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata {

// Strict integer parse as Redis's string2ll: optional '-', digits, no leading zeros (except "0"),
// no '+', no spaces, no empty string, must fit in int64. "-0" is rejected.
std::optional<int64_t> ParseInt64(std::string_view s);
// Same rules for unsigned values that fit in uint64.
std::optional<uint64_t> ParseUint64(std::string_view s);

// Parses a double as Redis's string2ld/string2d for INCRBYFLOAT and friends: strtold semantics
// over the whole string (so '+', hex floats and "1e400" as a long double are accepted), no
// leading/trailing spaces, no embedded NUL, rejects NaN, rejects overflow to infinity and
// underflow to zero (denormals pass). Infinities ("inf", "+inf", "-Infinity", ...) are accepted
// only when allow_inf is set. Empty string is rejected.
// Exact Redis equivalents: string2ld is ParseLongDouble(s, true) (INCRBYFLOAT then replies
// "ERR increment would produce NaN or Infinity" for an infinite operand); string2d is
// ParseDouble(s, true). ParseLongDouble also rejects inputs of 5120 bytes or more, as Redis does.
std::optional<long double> ParseLongDouble(std::string_view s, bool allow_inf = false);
std::optional<double> ParseDouble(std::string_view s, bool allow_inf = true);

// Formats as Redis's ld2string(LD_STR_HUMAN) does for INCRBYFLOAT: "%.17Lf", then trailing
// zeros and a trailing '.' removed; "-0" becomes "0". Returns nullopt for inf/nan.
std::optional<std::string> FormatLongDouble(long double v);
// Formats a double as Redis 7.0 replies with it in RESP2 bulk strings ("%.17g", and
// "inf"/"-inf"), e.g. 0.1 gives "0.10000000000000001" and -0.0 gives "-0".
std::string FormatDouble(double v);

// Appends the decimal form of v (fast path for replies; INT64_MIN included).
void AppendInt64(std::string* out, int64_t v);

// Redis's glob-style matcher (stringmatchlen): '*', '?', '[abc]', '[^a]', '[a-z]', '\\' escapes.
// Reversed ranges ("[z-a]") work; bytes compare as signed char; nocase folds ASCII letters only,
// except escapes inside a class, which stay case-sensitive. An unterminated class runs to the
// end of the pattern. Patterns whose '*' recursion nests deeper than 1000 never match.
// NOTE: as in Redis, an empty str matches only an empty pattern; "*" does NOT match "". KEYS and
// SCAN special-case a pattern that is exactly "*" as match-all before calling the matcher.
bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// Lowercase ASCII copy.
std::string ToLower(std::string_view s);

}  // namespace strata
