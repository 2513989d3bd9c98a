// The codec between Strata's values and Redis 7.0's RDB object encodings (RDB version 10): what
// DUMP writes and RESTORE reads, and what RDB import and export (tools/) will use for a key's
// value. The framing of a DUMP payload (version and CRC64 trailer) and the RDB primitives
// (lengths, integer and LZF strings) are base/rdb_coding.h; Redis's compact blobs (listpack,
// ziplist, zipmap, intset) are engine/rdb_blobs.h.
//
// Reading takes every object type Redis 7.0 writes or still loads: strings; lists as LIST,
// LIST_ZIPLIST, QUICKLIST (ziplist nodes) and QUICKLIST_2 (plain and listpack nodes); sets as
// SET and SET_INTSET; hashes as HASH, HASH_ZIPMAP, HASH_ZIPLIST and HASH_LISTPACK; sorted sets
// as ZSET (string scores), ZSET_2 (binary scores), ZSET_ZIPLIST and ZSET_LISTPACK. It refuses
// streams (not yet read; a distinct error), modules, Redis 7.2's SET_LISTPACK and anything
// else. It validates the whole object before it builds anything, always (as Redis does with
// sanitize-dump-payload yes): every length against the input, every blob's internal
// consistency, element counts, sorted intsets, no empty collection, no duplicate set member,
// hash field or sorted-set member, no NaN score. No allocation is sized by an unchecked length:
// each element read consumes input, and an LZF string expands at most 100-fold.
//
// Writing chooses what redis-server 7.0 writes for the same value (rdbcompression yes):
// strings with Redis's integer and LZF rules; small hashes and sorted sets (Strata's listpack
// encoding, whose limits are Redis's) as listpacks in the same element order; integer sets
// within set-max-intset-entries as intsets; lists as QUICKLIST_2 of listpack nodes cut as
// redis-server cuts a list pushed element by element from the head to the tail under
// list-max-listpack-size; large sorted sets as ZSET_2 from the highest member down. Those are
// byte-identical to Redis's payloads; large hashes and non-integer sets (HASH, SET) hold their
// elements in Strata's order, where Redis's follows its dict. Thread safe (no state).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/entry.h"
#include "engine/value.h"

namespace strata::engine {

// Redis's RDB object type numbers.
enum class RdbType : uint8_t {
  kString = 0,
  kList = 1,
  kSet = 2,
  kZSet = 3,
  kHash = 4,
  kZSet2 = 5,
  kHashZipmap = 9,
  kListZiplist = 10,
  kSetIntset = 11,
  kZSetZiplist = 12,
  kHashZiplist = 13,
  kListQuicklist = 14,
  kStreamListpacks = 15,
  kHashListpack = 16,
  kZSetListpack = 17,
  kListQuicklist2 = 18,
  kStreamListpacks2 = 19,
};

// One decoded object: a string (type kString, `str`) or a collection (`value`).
struct RdbObject {
  ValueType type = ValueType::kString;
  std::string str;
  std::unique_ptr<Value> value;
};

// Reads the object of RDB type `type` at in[*pos] into *out, in the encoding `limits` choose;
// advances *pos past it. Corruption if malformed; NotFound for a stream (not read yet).
Status ReadRdbObject(uint8_t type, std::string_view in, size_t* pos, const EncodingLimits& limits,
                     RdbObject* out);

// Appends a value's RDB type byte and object as redis-server 7.0 writes them. `limits` gives
// list-max-listpack-size (how a list is cut into nodes). NotFound for a stream (not written yet).
void WriteRdbString(std::string_view s, std::string* out);
Status WriteRdbValue(const Value& v, const EncodingLimits& limits, std::string* out);

// DUMP's payload: the object, then the trailer (RDB version 10, CRC64).
std::string DumpString(std::string_view s);
Status DumpValue(const Value& v, const EncodingLimits& limits, std::string* payload);

// RESTORE's decoding. InvalidArgument "DUMP payload version or checksum are wrong" if the
// trailer does not check out; Corruption if the object is malformed (Redis: "Bad data
// format"); NotFound for a stream. Bytes between the object and the trailer are ignored, as
// Redis ignores them.
Status DecodeDump(std::string_view payload, const EncodingLimits& limits, RdbObject* out);

}  // namespace strata::engine
