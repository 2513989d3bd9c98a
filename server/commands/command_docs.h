// Redis 7.0's own description of its commands: tips, key specs and documentation, as
// redis-server replies them to COMMAND INFO and COMMAND DOCS. tools/gen_redis_commands.py wrote
// them to redis_commands.json; the build compiles the file in (redis_commands_json.cc.in), and
// it is read once (nlohmann_json), at the first call, into immutable data shared by every thread.
//
// CommandTable attaches each command's entry to its spec (CommandSpec::docs); a command Redis
// lacks has none and shows what its spec declares.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/net/reply_builder.h"

namespace strata::server {

// A key spec (Redis 7.0's "key specifications"): where a command's keys start (begin_search)
// and how many follow (find_keys), and what the command does with them (flags).
struct KeySpec {
  enum class Begin { kIndex, kKeyword, kUnknown };
  enum class Find { kRange, kKeynum, kUnknown };
  std::vector<std::string> flags;  // Redis's names, in its order: "RW", "access", "delete", ...
  bool variable_flags = false;     // the flags depend on the arguments (SET ... GET)
  Begin begin = Begin::kUnknown;
  int index = 0;            // kIndex: the first key's position
  std::string keyword;      // kKeyword: the keys follow this argument ...
  int startfrom = 0;        // ... searched for from here (negative: backwards from the end)
  Find find = Find::kUnknown;
  int lastkey = 0;          // kRange: the last key, relative to the first (negative: from the end)
  int keystep = 1;          // kRange and kKeynum
  int limit = 0;            // kRange with a negative lastkey: only 1/limit of what remains
  int keynumidx = 0;        // kKeynum: where the key count is, relative to the first key
  int firstkey = 0;         // kKeynum: where the keys start, relative to the first key
};

struct CommandDocs {
  std::vector<std::string> tips;
  std::vector<KeySpec> key_specs;
  // Both point into the data, which lives as long as the process; objects keep their keys in
  // the order written.
  const nlohmann::ordered_json* key_specs_json = nullptr;  // COMMAND INFO's key specs: an array
  const nlohmann::ordered_json* docs = nullptr;  // COMMAND DOCS's map (an object), no subcommands
};

// Redis's entry for `name` ("get", "config|get"; lowercase), or null for a name Redis lacks.
const CommandDocs* FindCommandDocs(std::string_view name);

// `v` (from the data) as Redis replies it: objects as maps, arrays as arrays except that
// "flags" and "doc_flags" are sets of simple strings and "history" a set; strings as bulk
// strings, integers as integers (a fraction, which Redis's data holds none of, as a double).
// `key` is the name `v` stands under ("" for none).
void ReplyDocsValue(ReplyBuilder& r, const nlohmann::ordered_json& v, std::string_view key);

// A key found by key specs: its position in the command line and its spec's flags.
struct FoundKey {
  int pos;
  std::span<const std::string> flags;
};
// The keys `specs` find in `args` (args[0] is the command), spec by spec, as Redis's COMMAND
// GETKEYS finds them. Returns false when a spec cannot be followed (an unknown spec, a key
// count that is not a positive number or names more keys than there are): Redis then asks
// the command's own key finder, which for every such command of Strata's finds no key.
bool KeysFromSpecs(std::span<const KeySpec> specs, std::span<const std::string_view> args,
                   std::vector<FoundKey>* out);

}  // namespace strata::server
