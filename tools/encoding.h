// How strata-inspect shows bytes, sizes and times: binary-safe JSON for keys and values, a
// quoted form for text output, human-readable sizes and UTC timestamps. Pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace strata::tools {

// strata-inspect's JSON documents keep their fields in the order they are set, so that output
// reads in a fixed, sensible order (db, key, type, ... in a dump line).
using Json = nlohmann::ordered_json;

// True when bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// past U+10FFFF). NUL and other control characters are valid.
bool IsUtf8(std::string_view bytes);

// Standard base64 (RFC 4648, with '=' padding).
std::string Base64(std::string_view bytes);
// Decodes what Base64 produces; false on any other input.
bool Base64Decode(std::string_view text, std::string* out);

// True when bytes are text: valid UTF-8 with no control characters but tab, newline and
// carriage return (so no NUL, no DEL).
bool IsText(std::string_view bytes);

// The binary-safe JSON form of a key or value: a JSON string when the bytes are text (IsText),
// else {"base64": "..."}. (Binary values, such as zero-padded ones, then cost 4/3 of their size
// rather than 6 bytes per NUL, and are written several times faster.)
Json BytesJson(std::string_view bytes);
// The bytes BytesJson(bytes) stands for; false when j is neither form.
bool BytesFromJson(const Json& j, std::string* out);

// For text output: the bytes as they are when they are printable UTF-8 with no quote,
// backslash or space at either end; otherwise in double quotes with C escapes (\n, \t, \",
// \\, \xHH for other control bytes and invalid UTF-8), as redis-cli quotes them.
std::string Quote(std::string_view bytes);

// "999 B", "1.5 KiB", "2.0 MiB", ... (powers of 1024).
std::string HumanBytes(uint64_t bytes);
// "2026-11-28T12:00:00.123Z" for Unix ms.
std::string UtcTime(int64_t unix_ms);
// "45s", "3m20s", "2h05m", "3d04h" for a duration in ms (negative: "-" then the magnitude).
std::string HumanDuration(int64_t ms);

}  // namespace strata::tools
