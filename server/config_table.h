// The table of settings behind Config: every directive of Redis 7.0's redis.conf, Strata's own,
// and the old names Redis still accepts. Internal to server/config*.cc.
#pragma once

#include <cstdint>
#include <span>

#include "server/config.h"

namespace strata::server::config_table {

enum class Type {
  kString,
  kInt,
  kOctal,          // unixsocketperm: an octal mode
  kMemory,          // 100, 1k, 1kb, 5mb, 2gb, up to 2^63-1
  kMemoryUnsigned,  // the same up to 2^64-1 (maxmemory)
  kMemoryPercent,  // a memory value or N% (maxmemory-clients)
  kBool,
  kEnum,
};

// What a directive does in Strata.
enum class Support {
  kActive,       // what it does in Redis
  kLater,        // stored; used when the feature named in `note` lands
  kNoEffect,     // accepted; `note` says why it changes nothing here
  kUnsupported,  // refused unless at its default; `note` names what is not supported yet
};

struct ParamDef {
  Param id;  // Param::kNone when no code reads it by name
  const char* name;
  Type type;
  const char* default_value;
  bool mutable_at_runtime;
  int64_t min;
  int64_t max;
  const char* enum_values;  // comma-separated, for kEnum
  Support support = Support::kActive;
  const char* note = nullptr;
  bool protected_config = false;  // CONFIG SET's "can't set protected config"
};

struct Alias {
  const char* old_name;
  const char* name;
};

std::span<const ParamDef> Params();
std::span<const Alias> Aliases();
// Names Redis 7.0 accepts in a config file and ignores (deprecated).
std::span<const char* const> IgnoredDirectives();

}  // namespace strata::server::config_table
