#include "engine/rdb_value.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/coding.h"
#include "base/rdb_coding.h"
#include "base/string_util.h"
#include "engine/hash_value.h"
#include "engine/list_value.h"
#include "engine/rdb_blobs.h"
#include "engine/set_value.h"
#include "engine/zset_value.h"

namespace strata::engine {

namespace {

using Elements = std::vector<std::string>;

Status Bad(const char* what) { return Status::Corruption(std::string("rdb object: ") + what); }

// ---- Reading ----

bool ReadStr(std::string_view in, size_t* pos, std::string* out) {
  return rdb::ReadString(in, pos, out);
}

// `n` strings (n read first); false if the input ends first. Each string consumes at least one
// byte, so a hostile n costs no more than the input's size.
bool ReadStrings(std::string_view in, size_t* pos, uint64_t n, Elements* out) {
  for (uint64_t i = 0; i < n; ++i) {
    std::string s;
    if (!ReadStr(in, pos, &s)) return false;
    out->push_back(std::move(s));
  }
  return true;
}

// A blob (a string, possibly LZF-compressed) holding a listpack, ziplist, zipmap or intset.
template <typename Reader>
bool ReadBlob(std::string_view in, size_t* pos, Reader reader, Elements* out) {
  std::string blob;
  return ReadStr(in, pos, &blob) && reader(blob, out);
}

bool Distinct(const Elements& e, size_t start, size_t step) {
  std::unordered_set<std::string_view> seen;
  for (size_t i = start; i < e.size(); i += step) {
    if (!seen.insert(e[i]).second) return false;
  }
  return true;
}

// Redis's RDB double as a string (ZSET): a length byte (253 nan, 254 +inf, 255 -inf) then the
// text, read as sscanf("%lg") reads it.
bool ReadStringDouble(std::string_view in, size_t* pos, double* v) {
  if (*pos >= in.size()) return false;
  const uint8_t len = static_cast<uint8_t>(in[(*pos)++]);
  if (len == 253) return false;  // NaN: refused (a sorted set cannot hold it)
  if (len >= 254) {
    *v = len == 254 ? HUGE_VAL : -HUGE_VAL;
    return true;
  }
  if (in.size() - *pos < len) return false;
  char buf[256];
  std::memcpy(buf, in.data() + *pos, len);
  buf[len] = '\0';
  *pos += len;
  char* end = nullptr;
  *v = std::strtod(buf, &end);
  return end != buf && !std::isnan(*v);
}

Status BuildList(const Elements& e, const EncodingLimits& limits, RdbObject* out) {
  if (e.empty()) return Bad("empty list");
  std::string put;
  PutVarint64(&put, e.size());
  for (const std::string& s : e) PutLengthPrefixed(&put, s);
  out->type = ValueType::kList;
  return ParseValue(ValueType::kList, put, limits, &out->value);
}

Status BuildSet(const Elements& e, const EncodingLimits& limits, RdbObject* out) {
  if (e.empty()) return Bad("empty set");
  if (!Distinct(e, 0, 1)) return Bad("duplicate set member");
  std::string put;
  PutVarint64(&put, e.size());
  for (const std::string& s : e) PutLengthPrefixed(&put, s);
  out->type = ValueType::kSet;
  return ParseValue(ValueType::kSet, put, limits, &out->value);
}

// e: field, value, field, value, ...
Status BuildHash(const Elements& e, const EncodingLimits& limits, RdbObject* out) {
  if (e.empty() || e.size() % 2 != 0) return Bad("empty or odd hash");
  if (!Distinct(e, 0, 2)) return Bad("duplicate hash field");
  std::string put;
  PutVarint64(&put, e.size() / 2);
  for (const std::string& s : e) PutLengthPrefixed(&put, s);
  out->type = ValueType::kHash;
  return ParseValue(ValueType::kHash, put, limits, &out->value);
}

Status BuildZSet(const std::vector<std::pair<std::string, double>>& items,
                 const EncodingLimits& limits, RdbObject* out) {
  if (items.empty()) return Bad("empty sorted set");
  std::unordered_set<std::string_view> seen;
  for (const auto& [member, score] : items) {
    if (std::isnan(score)) return Bad("NaN score");
    if (!seen.insert(member).second) return Bad("duplicate sorted-set member");
  }
  out->type = ValueType::kZSet;
  return ParseValue(ValueType::kZSet, ZAddBody(items), limits, &out->value);
}

// A listpack or ziplist of member, score, member, score, ...
Status BuildZSetFromPairs(const Elements& e, const EncodingLimits& limits, RdbObject* out) {
  if (e.empty() || e.size() % 2 != 0) return Bad("empty or odd sorted set");
  std::vector<std::pair<std::string, double>> items;
  items.reserve(e.size() / 2);
  for (size_t i = 0; i < e.size(); i += 2) {
    const std::optional<double> score = ParseDouble(e[i + 1], /*allow_inf=*/true);
    if (!score) return Bad("score is not a number");
    items.emplace_back(e[i], *score);
  }
  return BuildZSet(items, limits, out);
}

// ---- Writing ----

// list-max-listpack-size as a quicklist applies it (below -5 as -5, as Strata's lists do).
bool NodeAllows(const rdb_blob::ListpackWriter& node, int64_t fill, size_t element_size) {
  static constexpr size_t kLevels[] = {4096, 8192, 16384, 32768, 65536};
  constexpr size_t kSafetyLimit = 8192;
  const size_t new_size = node.bytes() + element_size + 8;  // Redis's estimate
  if (fill < 0) {
    const int64_t level = std::min<int64_t>(-fill, 5) - 1;
    if (new_size <= kLevels[level]) return true;
  }
  if (new_size > kSafetyLimit) return false;
  return static_cast<int64_t>(node.count()) < fill;
}

void WriteList(const ListValue& list, const EncodingLimits& limits, std::string* out) {
  std::vector<std::string> nodes;
  rdb_blob::ListpackWriter node;
  list.Walk(false, [&](size_t, std::string_view element) {
    if (node.count() > 0 && !NodeAllows(node, limits.list_max_listpack_size, element.size())) {
      nodes.push_back(node.Finish());
      node = rdb_blob::ListpackWriter();
    }
    node.Append(element);
    return true;
  });
  if (node.count() > 0) nodes.push_back(node.Finish());
  out->push_back(static_cast<char>(RdbType::kListQuicklist2));
  rdb::AppendLength(out, nodes.size());
  for (const std::string& n : nodes) {
    rdb::AppendLength(out, 2);  // a packed (listpack) node
    rdb::AppendRedisString(out, n);
  }
}

void WriteHash(const HashValue& hash, std::string* out) {
  if (hash.listpack()) {
    rdb_blob::ListpackWriter lp;
    hash.ForEach([&](std::string_view f, std::string_view v) {
      lp.Append(f);
      lp.Append(v);
    });
    out->push_back(static_cast<char>(RdbType::kHashListpack));
    rdb::AppendRedisString(out, lp.Finish());
    return;
  }
  out->push_back(static_cast<char>(RdbType::kHash));
  rdb::AppendLength(out, hash.size());
  hash.ForEach([&](std::string_view f, std::string_view v) {
    rdb::AppendRedisString(out, f);
    rdb::AppendRedisString(out, v);
  });
}

void WriteSet(const SetValue& set, std::string* out) {
  if (set.enc() == SetValue::Encoding::kIntset) {
    std::vector<int64_t> values;
    values.reserve(set.size());
    set.ForEach([&](std::string_view m) { values.push_back(ParseInt64(m).value_or(0)); });
    out->push_back(static_cast<char>(RdbType::kSetIntset));
    rdb::AppendRedisString(out, rdb_blob::WriteIntset(values));
    return;
  }
  out->push_back(static_cast<char>(RdbType::kSet));
  rdb::AppendLength(out, set.size());
  set.ForEach([&](std::string_view m) { rdb::AppendRedisString(out, m); });
}

void WriteZSet(const ZSetValue& zset, std::string* out) {
  if (zset.enc() == ZSetValue::Encoding::kListpack) {
    rdb_blob::ListpackWriter lp;
    zset.Walk(0, false, [&](std::string_view member, double score) {
      lp.Append(member);
      lp.Append(FormatDouble(score));  // Redis 7.0's d2string: the same text
      return true;
    });
    out->push_back(static_cast<char>(RdbType::kZSetListpack));
    rdb::AppendRedisString(out, lp.Finish());
    return;
  }
  // From the highest member down, as Redis writes a skiplist.
  out->push_back(static_cast<char>(RdbType::kZSet2));
  rdb::AppendLength(out, zset.size());
  zset.Walk(zset.size() - 1, true, [&](std::string_view member, double score) {
    rdb::AppendRedisString(out, member);
    char eight[8];
    ZSetValue::EncodeScore(score, eight);
    out->append(eight, 8);
    return true;
  });
}

}  // namespace

Status ReadRdbObject(uint8_t type, std::string_view in, size_t* pos, const EncodingLimits& limits,
                     RdbObject* out) {
  Elements e;
  uint64_t n = 0;
  switch (static_cast<RdbType>(type)) {
    case RdbType::kString:
      if (!ReadStr(in, pos, &out->str)) return Bad("truncated string");
      out->type = ValueType::kString;
      out->value.reset();
      return Status::Ok();
    case RdbType::kList:
      if (!rdb::ReadLength(in, pos, &n) || !ReadStrings(in, pos, n, &e)) return Bad("list");
      return BuildList(e, limits, out);
    case RdbType::kListZiplist:
      if (!ReadBlob(in, pos, rdb_blob::ReadZiplist, &e)) return Bad("list ziplist");
      return BuildList(e, limits, out);
    case RdbType::kListQuicklist:
    case RdbType::kListQuicklist2: {
      const bool v2 = static_cast<RdbType>(type) == RdbType::kListQuicklist2;
      if (!rdb::ReadLength(in, pos, &n)) return Bad("quicklist length");
      for (uint64_t i = 0; i < n; ++i) {
        uint64_t container = 2;
        if (v2 && !rdb::ReadLength(in, pos, &container)) return Bad("quicklist container");
        std::string blob;
        if (!ReadStr(in, pos, &blob)) return Bad("quicklist node");
        if (container == 1) {
          e.push_back(std::move(blob));  // a plain node: one element
        } else if (container != 2 || !(v2 ? rdb_blob::ReadListpack(blob, &e)
                                          : rdb_blob::ReadZiplist(blob, &e))) {
          return Bad("quicklist node");
        }
      }
      return BuildList(e, limits, out);
    }
    case RdbType::kSet:
      if (!rdb::ReadLength(in, pos, &n) || !ReadStrings(in, pos, n, &e)) return Bad("set");
      return BuildSet(e, limits, out);
    case RdbType::kSetIntset:
      if (!ReadBlob(in, pos, rdb_blob::ReadIntset, &e)) return Bad("intset");
      return BuildSet(e, limits, out);
    case RdbType::kHash:
      if (!rdb::ReadLength(in, pos, &n) || n > in.size() || !ReadStrings(in, pos, 2 * n, &e)) {
        return Bad("hash");
      }
      return BuildHash(e, limits, out);
    case RdbType::kHashZipmap:
      if (!ReadBlob(in, pos, rdb_blob::ReadZipmap, &e)) return Bad("hash zipmap");
      return BuildHash(e, limits, out);
    case RdbType::kHashZiplist:
      if (!ReadBlob(in, pos, rdb_blob::ReadZiplist, &e)) return Bad("hash ziplist");
      return BuildHash(e, limits, out);
    case RdbType::kHashListpack:
      if (!ReadBlob(in, pos, rdb_blob::ReadListpack, &e)) return Bad("hash listpack");
      return BuildHash(e, limits, out);
    case RdbType::kZSet:
    case RdbType::kZSet2: {
      if (!rdb::ReadLength(in, pos, &n)) return Bad("sorted set length");
      std::vector<std::pair<std::string, double>> items;
      for (uint64_t i = 0; i < n; ++i) {
        std::string member;
        double score;
        if (!ReadStr(in, pos, &member)) return Bad("sorted set member");
        if (static_cast<RdbType>(type) == RdbType::kZSet2) {
          if (in.size() - *pos < 8) return Bad("sorted set score");
          score = ZSetValue::DecodeScore(in.substr(*pos, 8));
          *pos += 8;
        } else if (!ReadStringDouble(in, pos, &score)) {
          return Bad("sorted set score");
        }
        items.emplace_back(std::move(member), score);
      }
      return BuildZSet(items, limits, out);
    }
    case RdbType::kZSetZiplist:
      if (!ReadBlob(in, pos, rdb_blob::ReadZiplist, &e)) return Bad("zset ziplist");
      return BuildZSetFromPairs(e, limits, out);
    case RdbType::kZSetListpack:
      if (!ReadBlob(in, pos, rdb_blob::ReadListpack, &e)) return Bad("zset listpack");
      return BuildZSetFromPairs(e, limits, out);
    case RdbType::kStreamListpacks:
    case RdbType::kStreamListpacks2:
      return Status::NotFound("streams are not read from RDB objects yet");
  }
  return Bad("unknown object type");
}

void WriteRdbString(std::string_view s, std::string* out) {
  out->push_back(static_cast<char>(RdbType::kString));
  rdb::AppendRedisString(out, s);
}

Status WriteRdbValue(const Value& v, const EncodingLimits& limits, std::string* out) {
  switch (v.type()) {
    case ValueType::kList:
      WriteList(static_cast<const ListValue&>(v), limits, out);
      return Status::Ok();
    case ValueType::kHash:
      WriteHash(static_cast<const HashValue&>(v), out);
      return Status::Ok();
    case ValueType::kSet:
      WriteSet(static_cast<const SetValue&>(v), out);
      return Status::Ok();
    case ValueType::kZSet:
      WriteZSet(static_cast<const ZSetValue&>(v), out);
      return Status::Ok();
    case ValueType::kStream:
    case ValueType::kString:
      break;
  }
  return Status::NotFound("streams are not written as RDB objects yet");
}

std::string DumpString(std::string_view s) {
  std::string payload;
  WriteRdbString(s, &payload);
  rdb::AppendTrailer(&payload);
  return payload;
}

Status DumpValue(const Value& v, const EncodingLimits& limits, std::string* payload) {
  payload->clear();
  RETURN_IF_ERROR(WriteRdbValue(v, limits, payload));
  rdb::AppendTrailer(payload);
  return Status::Ok();
}

Status DecodeDump(std::string_view payload, const EncodingLimits& limits, RdbObject* out) {
  std::string_view body;
  if (!rdb::CheckTrailer(payload, &body)) {
    return Status::InvalidArgument("DUMP payload version or checksum are wrong");
  }
  if (body.empty()) return Bad("no object");
  size_t pos = 1;
  return ReadRdbObject(static_cast<uint8_t>(body[0]), body, &pos, limits, out);
}

}  // namespace strata::engine
