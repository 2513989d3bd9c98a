// A JSON document read into a tree: enough for data files compiled into the server
// (server/commands/redis_commands.json). Objects keep their keys in the order written; numbers
// are integers (a fraction or an exponent is an error). Not for untrusted input of any size:
// nesting is limited to 64 levels, nothing else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace strata {

struct JsonValue {
  enum class Kind { kNull, kBool, kInt, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  int64_t integer = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // in the order written

  // The member named `key` of an object, or null.
  const JsonValue* Find(std::string_view key) const;
};

// Parses `text`: one value, white space around it allowed. Errors name the byte offset.
Result<JsonValue> ParseJson(std::string_view text);

}  // namespace strata
