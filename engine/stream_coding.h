// The pieces of the stream effect bodies and put encoding (engine/FORMAT.md) that
// stream_value.cc (entries) and stream_groups.cc (consumer groups) both read and write.
// Internal to the stream value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/coding.h"
#include "base/status.h"
#include "engine/stream_value.h"

namespace strata::engine::stream_coding {

inline Status Bad(const char* what) { return Status::Corruption(std::string("stream effect: ") + what); }

inline void PutId(std::string* out, StreamId id) {
  PutVarint64(out, id.ms);
  PutVarint64(out, id.seq);
}
inline bool GetId(std::string_view* in, StreamId* id) {
  return GetVarint64(in, &id->ms) && GetVarint64(in, &id->seq);
}
// entries_read (-1: unknown; any other int64, as XGROUP ... ENTRIESREAD sets and XREADGROUP
// wraps it) is stored as its bits plus one.
inline void PutEntriesRead(std::string* out, int64_t v) { PutVarint64(out, static_cast<uint64_t>(v) + 1); }
inline bool GetEntriesRead(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetVarint64(in, &u)) return false;
  *v = static_cast<int64_t>(u - 1);  // 0 is -1 (unknown); any int64 round-trips
  return true;
}
inline bool GetInt(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetVarint64(in, &u)) return false;
  *v = static_cast<int64_t>(u);
  return true;
}

}  // namespace strata::engine::stream_coding
