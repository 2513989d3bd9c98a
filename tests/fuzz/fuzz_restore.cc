// Fuzz target: RESTORE's decoder (engine/rdb_value.h over engine/rdb_blobs.h and
// base/rdb_coding.h): every RDB object type, Redis's listpacks, ziplists, zipmaps and intsets,
// integer and LZF strings, the version and CRC64 trailer.
//
// Input: a selector byte (bit 0: Redis's default encoding limits, or small ones so that every
// conversion to a full encoding and every quicklist cut is reached), then a payload, taken as
// it is and with a valid trailer appended (so the object's decoding is reached, not only the
// checksum). Checked:
//   - nothing crashes, leaks, reads out of bounds or allocates past libFuzzer's limit;
//   - a payload that decodes dumps again (DUMP's encoder) into a payload that decodes to the
//     same value, and dumps again byte for byte the same unless a hashtable's order moved.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/rdb_coding.h"
#include "engine/hash_value.h"
#include "engine/list_value.h"
#include "engine/rdb_value.h"
#include "engine/set_value.h"
#include "engine/value.h"
#include "engine/zset_value.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using strata::engine::EncodingLimits;
using strata::engine::RdbObject;
using strata::engine::ValueType;

// The value's contents, comparable across encodings (hashes and sets sorted).
std::vector<std::string> Contents(const RdbObject& o) {
  namespace e = strata::engine;
  std::vector<std::string> out;
  switch (o.type) {
    case ValueType::kString:
      out.push_back(o.str);
      break;
    case ValueType::kList:
      static_cast<const e::ListValue&>(*o.value).Walk(false, [&](size_t, std::string_view v) {
        out.emplace_back(v);
        return true;
      });
      break;
    case ValueType::kHash:
      static_cast<const e::HashValue&>(*o.value).ForEach(
          [&](std::string_view f, std::string_view v) {
            out.push_back(std::to_string(f.size()) + ":" + std::string(f) + std::string(v));
          });
      std::sort(out.begin(), out.end());
      break;
    case ValueType::kSet:
      static_cast<const e::SetValue&>(*o.value).ForEach([&](std::string_view m) {
        out.emplace_back(m);
      });
      std::sort(out.begin(), out.end());
      break;
    case ValueType::kZSet:
      static_cast<const e::ZSetValue&>(*o.value).Walk(0, false, [&](std::string_view m, double s) {
        char eight[8];
        e::ZSetValue::EncodeScore(s, eight);
        out.push_back(std::string(eight, 8) + std::string(m));
        return true;
      });
      break;
    case ValueType::kStream:
      strata::fuzz::Die("a stream was decoded");
  }
  return out;
}

std::string Dump(const RdbObject& o, const EncodingLimits& limits) {
  if (o.type == ValueType::kString) return strata::engine::DumpString(o.str);
  std::string p;
  if (!strata::engine::DumpValue(*o.value, limits, &p).ok()) strata::fuzz::Die("DUMP failed");
  return p;
}

void Check(std::string_view payload, const EncodingLimits& limits) {
  RdbObject first;
  if (!strata::engine::DecodeDump(payload, limits, &first).ok()) return;
  const std::string dumped = Dump(first, limits);
  RdbObject second;
  if (!strata::engine::DecodeDump(dumped, limits, &second).ok()) {
    strata::fuzz::Die("a dump of a decoded value does not decode");
  }
  if (Contents(first) != Contents(second)) strata::fuzz::Die("the value changed through a dump");
  const bool ordered = first.type == ValueType::kString ||
                       std::string_view(first.value->encoding()) != "hashtable";
  if (ordered && Dump(second, limits) != dumped) strata::fuzz::Die("a second dump differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  EncodingLimits limits;
  if (data[0] & 1) {
    limits.list_max_listpack_size = 3;
    limits.list_compress_depth = 1;
    limits.hash_max_listpack_entries = 4;
    limits.hash_max_listpack_value = 8;
    limits.set_max_intset_entries = 4;
    limits.set_max_listpack_entries = 4;
    limits.zset_max_listpack_entries = 4;
    limits.zset_max_listpack_value = 8;
  }
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  Check(in, limits);
  std::string sealed(in);
  strata::rdb::AppendTrailer(&sealed);
  Check(sealed, limits);
  return 0;
}
