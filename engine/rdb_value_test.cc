// engine/rdb_value.h: round trips of every type and encoding, payloads captured from
// redis-server 7.0 (byte-identical DUMP output and the values they restore to), the older
// encodings Redis 7.0 still loads (ziplist, zipmap, quicklist of ziplists, string scores), and
// malformed payloads refused.
#include "engine/rdb_value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
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

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string WithTrailer(std::string body) {
  rdb::AppendTrailer(&body);
  return body;
}

// A value's contents in a comparable form: list in order, hash and set sorted, zset by rank.
std::vector<std::string> Contents(const RdbObject& o) {
  std::vector<std::string> out;
  switch (o.type) {
    case ValueType::kString:
      out.push_back(o.str);
      break;
    case ValueType::kList:
      static_cast<const ListValue&>(*o.value).Walk(false, [&](size_t, std::string_view e) {
        out.emplace_back(e);
        return true;
      });
      break;
    case ValueType::kHash:
      static_cast<const HashValue&>(*o.value).ForEach([&](std::string_view f, std::string_view v) {
        out.push_back(std::string(f) + "=" + std::string(v));
      });
      std::sort(out.begin(), out.end());
      break;
    case ValueType::kSet:
      static_cast<const SetValue&>(*o.value).ForEach([&](std::string_view m) { out.emplace_back(m); });
      std::sort(out.begin(), out.end());
      break;
    case ValueType::kZSet:
      static_cast<const ZSetValue&>(*o.value).Walk(0, false, [&](std::string_view m, double s) {
        out.push_back(std::string(m) + "@" + FormatDouble(s));
        return true;
      });
      break;
    case ValueType::kStream:
      break;
  }
  return out;
}

RdbObject MustDecode(std::string_view payload, const EncodingLimits& limits = {}) {
  RdbObject o;
  Status st = DecodeDump(payload, limits, &o);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return o;
}

std::string Redump(const RdbObject& o, const EncodingLimits& limits = {}) {
  if (o.type == ValueType::kString) return DumpString(o.str);
  std::string p;
  EXPECT_TRUE(DumpValue(*o.value, limits, &p).ok());
  return p;
}

// Builds a value through its put encoding.
RdbObject Make(ValueType type, const std::vector<std::string>& items,
               const EncodingLimits& limits = {}) {
  RdbObject o;
  o.type = type;
  std::string put;
  if (type == ValueType::kZSet) {
    std::vector<std::pair<std::string, double>> z;
    for (size_t i = 0; i < items.size(); i += 2) z.emplace_back(items[i], std::stod(items[i + 1]));
    put = ZAddBody(z);
  } else {
    PutVarint64(&put, type == ValueType::kHash ? items.size() / 2 : items.size());
    for (const std::string& s : items) PutLengthPrefixed(&put, s);
  }
  EXPECT_TRUE(ParseValue(type, put, limits, &o.value).ok());
  return o;
}

// ---- Payloads captured from redis-server 7.0 (DUMP), byte for byte ----

struct Captured {
  const char* what;
  const char* hex;
  ValueType type;
  std::vector<std::string> contents;
};

const std::vector<Captured>& CapturedPayloads() {
  static const std::vector<Captured> kAll = {
      {"int string", "00c139300a009d94ea2793fc08b9", ValueType::kString, {"12345"}},
      {"LZF string", "00c3094064016161e057000161610a00e8a3b507b06df271", ValueType::kString,
       {std::string(100, 'a')}},
      {"64-bit integer string", "000c2d39393939393939393939390a00f5d3666c79125262",
       ValueType::kString, {"-99999999999"}},
      {"quicklist of one listpack",
       "1201021d1d000000070081610281620201010201c12c02f178ec03f270110104ff0a0085416540e20dc07a",
       ValueType::kList, {"a", "b", "1", "2", "300", "-5000", "70000"}},
      {"listpack hash",
       "10c32140430b43000000060082663103827620030a663203020182663303a878e01e000129ff0a007443d45b3e75"
       "736c",
       ValueType::kHash, {"f1=v1", "f2=2", "f3=" + std::string(40, 'x')}},
      {"intset", "0b180400000004000000010000000300000005000000a08601000a0033383e03ed2dac3c",
       ValueType::kSet, {"1", "100000", "3", "5"}},
      {"listpack zset",
       "112c2c0000000a00816302dffd02816102010181620283322e35048164028531652b32300681650283696e6604ff0a"
       "009824950d0b8525d4",
       ValueType::kZSet, {"c@-3", "a@1", "b@2.5", "d@1e+20", "e@inf"}},
  };
  return kAll;
}

TEST(DumpCodecTest, RedisPayloadsRestoreToTheirValuesAndDumpBackByteIdentical) {
  for (const Captured& c : CapturedPayloads()) {
    SCOPED_TRACE(c.what);
    const std::string payload = Hex(c.hex);
    RdbObject o = MustDecode(payload);
    EXPECT_EQ(o.type, c.type);
    EXPECT_EQ(Contents(o), c.contents);
    EXPECT_EQ(Redump(o), payload);
  }
}

// ---- Round trips ----

TEST(DumpCodecTest, EveryTypeAndEncodingRoundTrips) {
  EncodingLimits small;
  small.list_max_listpack_size = 3;
  std::vector<std::string> many, ints, pairs, zpairs;
  for (int i = 0; i < 700; ++i) {
    many.push_back("member-" + std::to_string(i));
    ints.push_back(std::to_string(i * 1000003 - 300000000));
    pairs.insert(pairs.end(), {"f" + std::to_string(i), std::string(i % 90, 'v')});
    zpairs.insert(zpairs.end(), {"m" + std::to_string(i), std::to_string(i % 13 * 0.25 - 1)});
  }
  const std::vector<std::pair<ValueType, std::vector<std::string>>> cases = {
      {ValueType::kList, {"a", "1", "-7", "99999999999", std::string(300, 'q'), ""}},
      {ValueType::kList, many},
      {ValueType::kHash, {"a", "1", "b", "xyz"}},
      {ValueType::kHash, pairs},
      {ValueType::kSet, {"1", "-2", "70000", "5000000000"}},
      {ValueType::kSet, {"x", "y", "1"}},
      {ValueType::kSet, many},
      {ValueType::kSet, ints},
      {ValueType::kZSet, {"a", "1", "b", "-2.5", "c", "0.1"}},
      {ValueType::kZSet, zpairs},
  };
  for (const EncodingLimits& limits : {EncodingLimits{}, small}) {
    for (const auto& [type, items] : cases) {
      RdbObject o = Make(type, items, limits);
      const std::string payload = Redump(o, limits);
      RdbObject back = MustDecode(payload, limits);
      EXPECT_EQ(Contents(back), Contents(o));
      EXPECT_STREQ(back.value->encoding(), o.value->encoding());
      // Hashtables hold their elements in table order, which a reload may change.
      if (std::string_view(o.value->encoding()) != "hashtable") {
        EXPECT_EQ(Redump(back, limits), payload);
      }
    }
  }
  for (const std::string& s : {std::string(""), std::string("-128"), std::string("2147483648"),
                               std::string(5000, 'z'), std::string("007")}) {
    EXPECT_EQ(MustDecode(DumpString(s)).str, s);
  }
}

TEST(DumpCodecTest, ListsAreCutIntoNodesAsRedisCutsThem) {
  EncodingLimits limits;
  limits.list_max_listpack_size = 5;
  std::vector<std::string> items;
  for (int i = 0; i < 12; ++i) items.push_back(std::to_string(i));
  std::string payload = Redump(Make(ValueType::kList, items, limits), limits);
  ASSERT_EQ(payload[0], static_cast<char>(RdbType::kListQuicklist2));
  EXPECT_EQ(payload[1], 3);  // 5 + 5 + 2 elements
}

// ---- Older encodings Redis 7.0 still loads ----

std::string Ziplist(const std::vector<std::string>& elements) {
  std::string entries;
  size_t prev = 0, last = 10;
  for (const std::string& e : elements) {
    std::string entry;
    entry.push_back(static_cast<char>(prev));
    if (e.size() == 1 && e[0] >= '0' && e[0] <= '9') {
      entry.push_back(static_cast<char>(0xf1 + (e[0] - '0')));  // an immediate 0..9
    } else {
      entry.push_back(static_cast<char>(e.size()));
      entry += e;
    }
    last = 10 + entries.size();
    prev = entry.size();
    entries += entry;
  }
  std::string zl;
  PutFixed32(&zl, static_cast<uint32_t>(11 + entries.size()));
  PutFixed32(&zl, static_cast<uint32_t>(last));
  zl.push_back(static_cast<char>(elements.size()));
  zl.push_back(0);
  return zl + entries + "\xff";
}

std::string Obj(RdbType type, const std::string& blob) {
  std::string body(1, static_cast<char>(type));
  rdb::AppendString(&body, blob);
  return WithTrailer(body);
}

TEST(DumpCodecTest, OlderEncodingsLoad) {
  EXPECT_EQ(Contents(MustDecode(Obj(RdbType::kListZiplist, Ziplist({"a", "7", "bc"})))),
            (std::vector<std::string>{"a", "7", "bc"}));
  EXPECT_EQ(Contents(MustDecode(Obj(RdbType::kHashZiplist, Ziplist({"f", "1", "g", "xy"})))),
            (std::vector<std::string>{"f=1", "g=xy"}));
  EXPECT_EQ(Contents(MustDecode(Obj(RdbType::kZSetZiplist, Ziplist({"b", "2", "a", "1"})))),
            (std::vector<std::string>{"a@1", "b@2"}));
  // zipmap: count, (klen key vlen free value)*, end.
  const std::string zipmap = std::string("\x02\x01" "a" "\x02\x00" "xy" "\x01" "b" "\x01\x01" "zQ", 13) + "\xff";
  EXPECT_EQ(Contents(MustDecode(Obj(RdbType::kHashZipmap, zipmap))),
            (std::vector<std::string>{"a=xy", "b=z"}));
  // QUICKLIST: nodes of ziplists.
  std::string ql(1, static_cast<char>(RdbType::kListQuicklist));
  rdb::AppendLength(&ql, 2);
  rdb::AppendString(&ql, Ziplist({"a", "b"}));
  rdb::AppendString(&ql, Ziplist({"c"}));
  EXPECT_EQ(Contents(MustDecode(WithTrailer(ql))), (std::vector<std::string>{"a", "b", "c"}));
  // ZSET with string scores, LIST, HASH, SET.
  std::string z(1, static_cast<char>(RdbType::kZSet));
  rdb::AppendLength(&z, 2);
  rdb::AppendString(&z, "m");
  z += std::string("\x03" "1.5", 4);
  rdb::AppendString(&z, "n");
  z.push_back(static_cast<char>(255));  // -inf
  EXPECT_EQ(Contents(MustDecode(WithTrailer(z))), (std::vector<std::string>{"n@-inf", "m@1.5"}));
  std::string h(1, static_cast<char>(RdbType::kHash));
  rdb::AppendLength(&h, 1);
  rdb::AppendString(&h, "f");
  rdb::AppendString(&h, "v");
  EXPECT_EQ(Contents(MustDecode(WithTrailer(h))), (std::vector<std::string>{"f=v"}));
}

// ---- Refused ----

Status DecodeStatus(const std::string& payload) {
  RdbObject o;
  return DecodeDump(payload, EncodingLimits{}, &o);
}

TEST(DumpCodecTest, MalformedPayloadsAreRefused) {
  const std::string good = Hex(CapturedPayloads()[0].hex);
  std::string bad_crc = good;
  bad_crc.back() ^= 1;
  EXPECT_EQ(DecodeStatus(bad_crc).code(), Code::kInvalidArgument);
  // Redis 7.2's RDB version (11), with a valid checksum.
  std::string v11 = good.substr(0, good.size() - 10);
  v11.push_back(11);
  v11.push_back(0);
  const uint64_t crc = rdb::Crc64(0, v11);
  for (int i = 0; i < 8; ++i) v11.push_back(static_cast<char>(crc >> (8 * i)));
  EXPECT_EQ(DecodeStatus(v11).code(), Code::kInvalidArgument);
  EXPECT_EQ(DecodeStatus("short").code(), Code::kInvalidArgument);

  auto corrupt = [](const std::string& body) { return DecodeStatus(WithTrailer(body)).code(); };
  auto strings = [](RdbType t, std::vector<std::string> items) {
    std::string b(1, static_cast<char>(t));
    rdb::AppendLength(&b, items.size());
    for (const std::string& s : items) rdb::AppendString(&b, s);
    return b;
  };
  EXPECT_EQ(corrupt(strings(RdbType::kSet, {"a", "b", "a"})), Code::kCorruption);
  EXPECT_EQ(corrupt(strings(RdbType::kSet, {})), Code::kCorruption);
  EXPECT_EQ(corrupt(strings(RdbType::kList, {})), Code::kCorruption);
  EXPECT_EQ(corrupt(strings(RdbType::kHash, {"f", "1", "f", "2"}).replace(1, 1, "\x02")),
            Code::kCorruption);
  EXPECT_EQ(corrupt(std::string("\x06", 1)), Code::kCorruption);     // a module
  EXPECT_EQ(corrupt(std::string("\x14\x00", 2)), Code::kCorruption);  // 7.2's SET_LISTPACK
  EXPECT_EQ(corrupt(std::string("\x13\x00", 2)), Code::kNotFound);    // a stream
  EXPECT_EQ(corrupt(std::string("\x01\x80\xff\xff\xff\xff", 6)), Code::kCorruption);  // huge n
  // An intset out of order, and one empty.
  EXPECT_EQ(DecodeStatus(Obj(RdbType::kSetIntset, Hex("020000000200000005000300"))).code(),
            Code::kCorruption);
  EXPECT_EQ(DecodeStatus(Obj(RdbType::kSetIntset, Hex("0200000000000000"))).code(),
            Code::kCorruption);
  // A NaN score, a listpack whose count is off, a ziplist with a wrong previous length.
  std::string nan(1, static_cast<char>(RdbType::kZSet));
  rdb::AppendLength(&nan, 1);
  rdb::AppendString(&nan, "m");
  nan.push_back(static_cast<char>(253));
  EXPECT_EQ(corrupt(nan), Code::kCorruption);
  rdb_blob::ListpackWriter lp;
  lp.Append("a");
  lp.Append("b");
  std::string lpb = lp.Finish();
  lpb[4] = 3;
  EXPECT_EQ(DecodeStatus(Obj(RdbType::kHashListpack, lpb)).code(), Code::kCorruption);
  std::string zl = Ziplist({"a", "bcd"});
  zl[10 + 3] = 5;  // the second entry's previous length
  EXPECT_EQ(DecodeStatus(Obj(RdbType::kListZiplist, zl)).code(), Code::kCorruption);
}

// Every single-byte change of the captured payloads (with the trailer made valid again) is
// refused or decodes to something that dumps and decodes back to itself.
TEST(DumpCodecTest, MutatedPayloadsNeverCrashAndRoundTripWhenAccepted) {
  std::mt19937 rng(7);
  for (const Captured& c : CapturedPayloads()) {
    const std::string good = Hex(c.hex);
    const std::string body = good.substr(0, good.size() - 10);
    for (size_t i = 0; i < body.size(); ++i) {
      for (int t = 0; t < 8; ++t) {
        std::string m = body;
        m[i] = static_cast<char>(t == 0 ? m[i] ^ 0x80 : rng());
        RdbObject o;
        if (!DecodeDump(WithTrailer(m), EncodingLimits{}, &o).ok()) continue;
        RdbObject back = MustDecode(Redump(o));
        EXPECT_EQ(Contents(back), Contents(o));
      }
    }
  }
}

}  // namespace
}  // namespace strata::engine
