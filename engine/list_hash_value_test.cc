// ListValue and HashValue: effects applied through their bodies against simple models, across
// the encoding conversions; put encodings round trip; malformed input is Corruption, never a
// crash; and a keyspace rebuilt by replaying the logged effects equals the original.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/db_view.h"
#include "engine/hash_value.h"
#include "engine/list_value.h"
#include "engine/redo.h"
#include "engine/replay.h"
#include "engine/test_util.h"
#include "engine/value.h"

namespace strata::engine {
namespace {

// Redis's defaults.
const EncodingLimits kDefaults;

std::string RandomElement(std::mt19937& rng, bool allow_big) {
  const int kind = static_cast<int>(rng() % 10);
  if (kind == 0) return "";
  if (kind == 1 && allow_big)
    return std::string(200 + rng() % 3000, static_cast<char>('a' + rng() % 3));
  if (kind == 2) return std::string(60 + rng() % 10, 'x');
  return "e" + std::to_string(rng() % 8);
}

std::vector<std::string> Contents(const ListValue& l) {
  std::vector<std::string> out;
  l.Walk(false, [&](size_t i, std::string_view v) {
    EXPECT_EQ(i, out.size());
    out.emplace_back(v);
    return true;
  });
  return out;
}

std::vector<std::string> ContentsReversed(const ListValue& l) {
  std::vector<std::string> out;
  l.Walk(true, [&](size_t i, std::string_view v) {
    EXPECT_EQ(i, l.size() - 1 - out.size());
    out.emplace_back(v);
    return true;
  });
  std::reverse(out.begin(), out.end());
  return out;
}

std::map<std::string, std::string> Contents(const HashValue& h) {
  std::map<std::string, std::string> out;
  h.ForEach([&](std::string_view f, std::string_view v) {
    EXPECT_TRUE(out.emplace(f, v).second) << "field listed twice: " << f;
  });
  return out;
}

// Whether a ListValue's encoding agrees with Redis 7.2's rules for its current node limit.
void CheckListInvariants(const ListValue& l) {
  if (std::string(l.encoding()) == "listpack") {
    EXPECT_LE(l.nodes(), 1u);
  }
}

struct Effect {
  RedoOp op;
  std::string body;
};

// One random valid list effect for a list holding `model`: its body, with the model updated.
Effect RandomListEffect(std::mt19937& rng, std::deque<std::string>& model, bool allow_big) {
  std::string body;
  RedoOp eop;
  const int op = static_cast<int>(rng() % 100);
  const ListEnd where = rng() % 2 ? ListEnd::kHead : ListEnd::kTail;
  if (op < 40 || model.empty()) {
    std::vector<std::string> elems(1 + rng() % (rng() % 4 == 0 ? 40 : 3));
    for (std::string& e : elems) e = RandomElement(rng, allow_big);
    std::vector<std::string_view> views(elems.begin(), elems.end());
    ListPushBody(&body, where, views);
    eop = RedoOp::kListPush;
    for (const std::string& e : elems) {
      if (where == ListEnd::kHead) {
        model.push_front(e);
      } else {
        model.push_back(e);
      }
    }
  } else if (op < 60) {
    const uint64_t count = rng() % (rng() % 5 == 0 ? 50 : 3) + 1;
    ListPopBody(&body, where, count);
    eop = RedoOp::kListPop;
    for (uint64_t i = 0; i < count && !model.empty(); ++i) {
      if (where == ListEnd::kHead) {
        model.pop_front();
      } else {
        model.pop_back();
      }
    }
  } else if (op < 70) {
    const size_t index = rng() % model.size();
    const std::string e = RandomElement(rng, allow_big);
    ListSetBody(&body, index, e);
    eop = RedoOp::kListSet;
    model[index] = e;
  } else if (op < 82) {
    const size_t index = rng() % (model.size() + 1);
    const std::string e = RandomElement(rng, allow_big);
    ListInsertBody(&body, index, e);
    eop = RedoOp::kListInsert;
    model.insert(model.begin() + static_cast<ptrdiff_t>(index), e);
  } else if (op < 92) {
    const std::string e = model[rng() % model.size()];
    const uint64_t count = rng() % 3;
    ListRemBody(&body, where, count, e);
    eop = RedoOp::kListRem;
    ModelListRem(&model, where, count, e);
  } else {
    const size_t start = rng() % model.size();
    const size_t stop = start + rng() % (model.size() - start);
    ListTrimBody(&body, start, stop);
    eop = RedoOp::kListTrim;
    model.erase(model.begin() + static_cast<ptrdiff_t>(stop) + 1, model.end());
    model.erase(model.begin(), model.begin() + static_cast<ptrdiff_t>(start));
  }
  return {eop, body};
}

TEST(ListValue, RandomEffectsMatchADequeAcrossEncodings) {
  const int64_t kFills[] = {-2, -1, -5, 4, 1, 0, 3};
  for (int64_t fill : kFills) {
    for (uint32_t seed = 1; seed <= 4; ++seed) {
      SCOPED_TRACE("fill " + std::to_string(fill) + " seed " + std::to_string(seed));
      EncodingLimits limits;
      limits.list_max_listpack_size = fill;
      std::mt19937 rng(seed);
      ListValue l;
      std::deque<std::string> model;
      bool saw_listpack = false, saw_quicklist = false;
      for (int step = 0; step < 600; ++step) {
        const Effect effect = RandomListEffect(rng, model, /*allow_big=*/seed % 2 == 0);
        ASSERT_TRUE(l.Apply(effect.op, effect.body, limits).ok()) << "step " << step;
        ASSERT_EQ(l.size(), model.size()) << "step " << step;
        CheckListInvariants(l);
        (std::string(l.encoding()) == "listpack" ? saw_listpack : saw_quicklist) = true;
        if (step % 7 == 0 || model.size() < 5) {
          const std::vector<std::string> want(model.begin(), model.end());
          ASSERT_EQ(Contents(l), want) << "step " << step;
          ASSERT_EQ(ContentsReversed(l), want) << "step " << step;
          for (size_t i = 0; i < model.size(); i += 1 + model.size() / 10) {
            ASSERT_EQ(l.At(i), model[i]);
          }
          if (!model.empty()) {
            const size_t start = rng() % model.size();
            const size_t stop = start + rng() % (model.size() - start);
            std::vector<std::string> range;
            l.ForRange(start, stop, [&](std::string_view v) { range.emplace_back(v); });
            ASSERT_EQ(range,
                      std::vector<std::string>(model.begin() + static_cast<ptrdiff_t>(start),
                                               model.begin() + static_cast<ptrdiff_t>(stop) + 1));
          }
        }
        if (step % 50 == 0 && !model.empty()) {
          std::string bytes;
          l.Serialize(&bytes);
          std::unique_ptr<Value> copy;
          ASSERT_TRUE(ParseList(bytes, limits, &copy).ok());
          ASSERT_EQ(Contents(static_cast<const ListValue&>(*copy)), Contents(l));
          std::string again;
          copy->Serialize(&again);
          ASSERT_EQ(again, bytes);
        }
      }
      if (fill == -2 && seed % 2 == 0) {
        EXPECT_TRUE(saw_listpack && saw_quicklist) << "the run never crossed the conversion";
      }
    }
  }
}

// Pushes n elements of `len` bytes at the tail.
void PushN(ListValue& l, size_t n, size_t len, const EncodingLimits& limits) {
  const std::string e(len, 'v');
  std::vector<std::string_view> views(n, e);
  std::string body;
  ListPushBody(&body, ListEnd::kTail, views);
  ASSERT_TRUE(l.Apply(RedoOp::kListPush, body, limits).ok());
}
void PopN(ListValue& l, size_t n, const EncodingLimits& limits) {
  std::string body;
  ListPopBody(&body, ListEnd::kHead, n);
  ASSERT_TRUE(l.Apply(RedoOp::kListPop, body, limits).ok());
}

TEST(ListValue, EncodingFollowsRedis72ThresholdsBothWays) {
  // Element-count limit: listpack up to 4 elements, quicklist past it, and back at 2 (half).
  EncodingLimits limits;
  limits.list_max_listpack_size = 4;
  ListValue a;
  PushN(a, 4, 3, limits);
  EXPECT_STREQ(a.encoding(), "listpack");
  PushN(a, 1, 3, limits);
  EXPECT_STREQ(a.encoding(), "quicklist");
  PopN(a, 2, limits);
  EXPECT_STREQ(a.encoding(), "quicklist");  // 3 > 4 / 2
  PopN(a, 1, limits);
  EXPECT_STREQ(a.encoding(), "listpack");

  // Byte limit (default -2: 8 KB nodes): 100-byte elements, about 80 fit one node.
  limits.list_max_listpack_size = -2;
  ListValue b;
  PushN(b, 50, 100, limits);
  EXPECT_STREQ(b.encoding(), "listpack");
  PushN(b, 50, 100, limits);
  EXPECT_STREQ(b.encoding(), "quicklist");
  EXPECT_GE(b.nodes(), 2u);
  PopN(b, 70, limits);  // 30 left: one node of ~3 KB <= 4 KB
  EXPECT_EQ(b.nodes(), 1u);
  EXPECT_STREQ(b.encoding(), "listpack");

  // A big list is many nodes, each within the limit.
  ListValue c;
  PushN(c, 100000, 10, limits);
  EXPECT_STREQ(c.encoding(), "quicklist");
  EXPECT_GT(c.nodes(), 100u);
  EXPECT_LT(c.bytes(), 100000u * 16);
  EXPECT_EQ(c.At(99999), std::string(10, 'v'));
}

// One random valid hash effect for a hash holding `model`: its body, with the model updated.
Effect RandomHashEffect(std::mt19937& rng, std::map<std::string, std::string>& model,
                        int key_space) {
  std::string body;
  RedoOp eop;
  auto field = [&] {
    if (rng() % 20 == 0) return std::string(10 + rng() % 60, 'f');
    return "f" + std::to_string(rng() % key_space);
  };
  if (rng() % 100 < 65 || model.empty()) {
    std::vector<std::string> args;
    const size_t n = 1 + rng() % 4;
    for (size_t i = 0; i < n; ++i) {
      args.push_back(field());
      args.push_back(RandomElement(rng, false));
    }
    std::vector<std::string_view> views(args.begin(), args.end());
    HashSetBody(&body, views);
    eop = RedoOp::kHashSet;
    for (size_t i = 0; i < args.size(); i += 2) model[args[i]] = args[i + 1];
  } else {
    std::vector<std::string> fields;
    const size_t n = 1 + rng() % 3;
    for (size_t i = 0; i < n; ++i) fields.push_back(field());
    std::vector<std::string_view> views(fields.begin(), fields.end());
    HashDelBody(&body, views);
    eop = RedoOp::kHashDel;
    for (const std::string& f : fields) model.erase(f);
  }
  return {eop, body};
}

TEST(HashValue, RandomEffectsMatchAMapAcrossEncodings) {
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    EncodingLimits limits;
    limits.hash_max_listpack_entries = seed % 2 ? 8 : 512;
    limits.hash_max_listpack_value = seed % 4 < 2 ? 64 : 16;
    std::mt19937 rng(seed);
    HashValue h;
    std::map<std::string, std::string> model;
    bool was_table = false;
    for (int step = 0; step < 1500; ++step) {
      const Effect effect = RandomHashEffect(rng, model, seed > 4 ? 1000 : 30);
      ASSERT_TRUE(h.Apply(effect.op, effect.body, limits).ok()) << "step " << step;
      ASSERT_EQ(h.size(), model.size()) << "step " << step;
      if (was_table) {
        ASSERT_STREQ(h.encoding(), "hashtable") << "a hashtable never converts back";
      }
      was_table = !h.listpack();
      if (step % 10 == 0) {
        ASSERT_EQ(Contents(h), model) << "step " << step;
        for (const auto& [f, v] : model) ASSERT_EQ(h.Get(f), std::optional<std::string_view>(v));
        ASSERT_FALSE(h.Get("absent"));
      }
      if (step % 100 == 0 && !model.empty()) {
        std::string bytes;
        h.Serialize(&bytes);
        std::unique_ptr<Value> copy;
        ASSERT_TRUE(ParseHash(bytes, limits, &copy).ok());
        ASSERT_EQ(Contents(static_cast<const HashValue&>(*copy)), model);
        // A random pick is a real field with its value.
        auto [f, v] = h.Random(rng());
        ASSERT_EQ(model.at(std::string(f)), v);
      }
    }
    if (!h.listpack()) {
      // A whole HSCAN returns every field at least once.
      std::map<std::string, std::string> scanned;
      uint64_t cursor = 0;
      do {
        cursor = h.Scan(cursor, [&](std::string_view f, std::string_view v) {
          scanned[std::string(f)] = std::string(v);
        });
      } while (cursor != 0);
      EXPECT_EQ(scanned, model);
    }
  }
}

TEST(HashValue, EncodingFollowsRedisThresholds) {
  std::string body;
  HashValue h;
  for (int i = 0; i < 512; ++i) {
    const std::string f = "field" + std::to_string(i);
    const std::string_view pair[] = {f, "v"};
    HashSetBody(&body, pair);
    ASSERT_TRUE(h.Apply(RedoOp::kHashSet, body, kDefaults).ok());
  }
  EXPECT_STREQ(h.encoding(), "listpack");
  const std::string_view more[] = {"one-more", "v"};
  HashSetBody(&body, more);
  ASSERT_TRUE(h.Apply(RedoOp::kHashSet, body, kDefaults).ok());
  EXPECT_STREQ(h.encoding(), "hashtable");
  const std::string_view fields[] = {"one-more", "field1", "field2"};
  HashDelBody(&body, fields);
  ASSERT_TRUE(h.Apply(RedoOp::kHashDel, body, kDefaults).ok());
  EXPECT_STREQ(h.encoding(), "hashtable");
  EXPECT_EQ(h.size(), 510u);

  // A big hash emptied down to a few fields gives its bucket arrays back.
  HashValue large;
  std::vector<std::string> names;
  for (int i = 0; i < 100000; ++i) names.push_back("f" + std::to_string(i));
  std::vector<std::string_view> flat;
  for (const std::string& n : names) {
    flat.push_back(n);
    flat.push_back("v");
  }
  HashSetBody(&body, flat);
  ASSERT_TRUE(large.Apply(RedoOp::kHashSet, body, kDefaults).ok());
  const size_t full = large.bytes();
  std::vector<std::string_view> doomed(names.begin() + 10, names.end());
  HashDelBody(&body, doomed);
  ASSERT_TRUE(large.Apply(RedoOp::kHashDel, body, kDefaults).ok());
  EXPECT_EQ(large.size(), 10u);
  EXPECT_LT(large.bytes(), full / 100);
  EXPECT_EQ(large.Get("f9"), std::optional<std::string_view>("v"));

  const std::string v64(64, 'x'), v65(65, 'x');
  HashValue small;
  const std::string_view ok[] = {v64, v64};
  HashSetBody(&body, ok);
  ASSERT_TRUE(small.Apply(RedoOp::kHashSet, body, kDefaults).ok());
  EXPECT_STREQ(small.encoding(), "listpack");
  const std::string_view big[] = {"f", v65};
  HashSetBody(&body, big);
  ASSERT_TRUE(small.Apply(RedoOp::kHashSet, body, kDefaults).ok());
  EXPECT_STREQ(small.encoding(), "hashtable");
  EXPECT_EQ(small.Get("f"), std::optional<std::string_view>(v65));
  EXPECT_EQ(small.Get(v64), std::optional<std::string_view>(v64));

  // A put encoding takes the encoding its size calls for.
  std::string bytes;
  h.Serialize(&bytes);
  std::unique_ptr<Value> copy;
  ASSERT_TRUE(ParseHash(bytes, kDefaults, &copy).ok());
  EXPECT_STREQ(copy->encoding(), "listpack");  // 510 fields fit
}

// Applies `body` to a fresh copy of `base`; it must not crash. Returns the status.
Status ApplyToCopy(const Value& base, RedoOp op, std::string_view body,
                   const EncodingLimits& limits) {
  std::unique_ptr<Value> v = CloneValue(base, limits);
  Status st = v->Apply(op, body, limits);
  // Whatever happened, the value stays walkable and serializable.
  std::string bytes;
  v->Serialize(&bytes);
  if (v->size() > 0) {
    std::unique_ptr<Value> again;
    EXPECT_TRUE(ParseValue(v->type(), bytes, limits, &again).ok());
  }
  return st;
}

TEST(ListHashValue, MalformedBodiesAreCorruptionAndNeverCrash) {
  EncodingLimits limits;
  limits.list_max_listpack_size = 3;
  limits.hash_max_listpack_entries = 4;
  std::mt19937 rng(7);
  // Bases: small and big of each type.
  std::vector<std::unique_ptr<Value>> lists, hashes;
  for (int n : {1, 5, 40}) {
    auto l = std::make_unique<ListValue>();
    PushN(*l, static_cast<size_t>(n), 4, limits);
    lists.push_back(std::move(l));
    auto h = std::make_unique<HashValue>();
    std::map<std::string, std::string> model;
    for (int i = 0; i < n; ++i) {
      const Effect effect = RandomHashEffect(rng, model, 50);
      ASSERT_TRUE(h->Apply(effect.op, effect.body, limits).ok());
    }
    hashes.push_back(std::move(h));
  }
  std::vector<Effect> cases;
  std::string body;
  const std::string_view elems[] = {"a", "bb", "ccc"};
  ListPushBody(&body, ListEnd::kHead, elems);
  cases.push_back({RedoOp::kListPush, body});
  ListPopBody(&body, ListEnd::kTail, 2);
  cases.push_back({RedoOp::kListPop, body});
  ListSetBody(&body, 0, "zz");
  cases.push_back({RedoOp::kListSet, body});
  ListInsertBody(&body, 1, "ins");
  cases.push_back({RedoOp::kListInsert, body});
  ListRemBody(&body, ListEnd::kHead, 0, "vvvv");
  cases.push_back({RedoOp::kListRem, body});
  ListTrimBody(&body, 0, 0);
  cases.push_back({RedoOp::kListTrim, body});
  const std::string_view pairs[] = {"f1", "v1", "f2", "v2"};
  HashSetBody(&body, pairs);
  cases.push_back({RedoOp::kHashSet, body});
  HashDelBody(&body, elems);
  cases.push_back({RedoOp::kHashDel, body});

  for (const Effect& c : cases) {
    const bool is_list = EffectType(c.op) == ValueType::kList;
    for (const auto& base : is_list ? lists : hashes) {
      SCOPED_TRACE(std::string(RedoOpName(c.op)) + " on size " + std::to_string(base->size()));
      EXPECT_TRUE(ApplyToCopy(*base, c.op, c.body, limits).ok());
      // Every strict prefix is malformed.
      for (size_t len = 0; len < c.body.size(); ++len) {
        EXPECT_EQ(ApplyToCopy(*base, c.op, c.body.substr(0, len), limits).code(), Code::kCorruption)
            << "prefix " << len;
      }
      // Trailing bytes are malformed.
      EXPECT_EQ(ApplyToCopy(*base, c.op, c.body + "x", limits).code(), Code::kCorruption);
      // Byte flips and random bytes: any status, no crash.
      for (int i = 0; i < 300; ++i) {
        std::string bad = c.body;
        bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
        if (rng() % 4 == 0) bad[rng() % bad.size()] = static_cast<char>(0xff);
        ApplyToCopy(*base, c.op, bad, limits).PermitUnchecked();
        std::string noise(rng() % 24, '\0');
        for (char& ch : noise) ch = static_cast<char>(rng());
        ApplyToCopy(*base, c.op, noise, limits).PermitUnchecked();
      }
      // Effects of the other type are refused.
      const RedoOp other = is_list ? RedoOp::kHashSet : RedoOp::kListPush;
      EXPECT_EQ(ApplyToCopy(*base, other, c.body, limits).code(), Code::kCorruption);
    }
  }
  // Out-of-range indexes are malformed, not applied.
  ListSetBody(&body, 1, "x");
  EXPECT_EQ(ApplyToCopy(*lists[0], RedoOp::kListSet, body, limits).code(), Code::kCorruption);
  ListInsertBody(&body, 2, "x");
  EXPECT_EQ(ApplyToCopy(*lists[0], RedoOp::kListInsert, body, limits).code(), Code::kCorruption);
  ListTrimBody(&body, 1, 0);
  EXPECT_EQ(ApplyToCopy(*lists[1], RedoOp::kListTrim, body, limits).code(), Code::kCorruption);
  ListTrimBody(&body, 0, 5);
  EXPECT_EQ(ApplyToCopy(*lists[1], RedoOp::kListTrim, body, limits).code(), Code::kCorruption);
  // A count far past the body allocates nothing.
  body = std::string("\x00\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10);
  EXPECT_EQ(ApplyToCopy(*lists[0], RedoOp::kListPush, body, limits).code(), Code::kCorruption);
  EXPECT_EQ(ApplyToCopy(*hashes[0], RedoOp::kHashSet, body.substr(1), limits).code(),
            Code::kCorruption);

  // Put encodings: prefixes are Corruption, flips never crash.
  for (const auto* group : {&lists, &hashes}) {
    for (const auto& base : *group) {
      std::string bytes;
      base->Serialize(&bytes);
      std::unique_ptr<Value> out;
      for (size_t len = 0; len < bytes.size(); ++len) {
        EXPECT_EQ(ParseValue(base->type(), bytes.substr(0, len), limits, &out).code(),
                  Code::kCorruption);
      }
      EXPECT_EQ(ParseValue(base->type(), bytes + "x", limits, &out).code(), Code::kCorruption);
      for (int i = 0; i < 500; ++i) {
        std::string bad = bytes;
        bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
        if (ParseValue(base->type(), bad, limits, &out).ok()) {
          std::string again;
          out->Serialize(&again);
          EXPECT_GT(out->size(), 0u);
        }
      }
    }
  }
  std::unique_ptr<Value> out;
  EXPECT_EQ(ParseList(std::string("\x00", 1), limits, &out).code(), Code::kCorruption);  // empty
  EXPECT_EQ(ParseHash(std::string("\x00", 1), limits, &out).code(), Code::kCorruption);
}

// Canonical contents of every collection: (db, key) -> type letter + sorted/ordered elements.
std::map<std::pair<int, std::string>, std::string> DumpCollections(Keyspace& ks) {
  std::map<std::pair<int, std::string>, std::string> out;
  ForEachEntry(ks, [&](int db, Entry* e) {
    std::string s;
    if (e->type() == ValueType::kList) {
      s = "L";
      for (const std::string& v : Contents(*static_cast<const ListValue*>(e->value()))) {
        s += v + "|";
      }
      s += e->value()->encoding();
    } else if (e->type() == ValueType::kHash) {
      s = "H";
      for (const auto& [f, v] : Contents(*static_cast<const HashValue*>(e->value()))) {
        s += f + "=" + v + "|";
      }
      s += e->value()->encoding();
    } else {
      s = "S" + std::string(e->str());
    }
    out[{db, std::string(e->key())}] = s;
  });
  return out;
}

// Bytes of every entry (with its collection) and bucket array, counted afresh.
size_t Recount(Keyspace& ks) {
  size_t n = 0;
  for (int i = 0; i < ks.num_shards(); ++i) {
    ShardLocks lock(&ks, static_cast<uint32_t>(i));
    for (int db = 0; db < ks.num_dbs(); ++db) {
      Table& t = ks.shard(i).table(db);
      n += t.bucket_bytes();
      uint64_t cursor = 0;
      do {
        cursor = t.Scan(cursor, [&](Entry* e) { n += e->MemoryBytes(); });
      } while (cursor != 0);
    }
  }
  return n;
}

TEST(ListHashValue, ReplayOfLoggedEffectsRebuildsTheKeyspace) {
  EncodingLimits limits;
  limits.list_max_listpack_size = 5;
  limits.hash_max_listpack_entries = 6;
  VectorSink sink;
  Keyspace ks(KeyspaceOptions{.shards = 4, .databases = 2, .encoding = limits});
  ks.set_redo_sink(&sink);
  RedoRecord redo;
  std::mt19937 rng(11);
  std::map<std::string, std::deque<std::string>> lists;
  std::map<std::string, std::map<std::string, std::string>> hashes;
  for (int step = 0; step < 4000; ++step) {
    const std::string key = "k" + std::to_string(rng() % 12);
    ShardLocks locks = ks.Lock(key, &redo);
    DbView db(ks, 0, 1'000'000 + step, &redo);
    Entry* e = db.Find(key);
    const int op = static_cast<int>(rng() % 100);
    if (op < 3) {
      db.Delete(key);
      continue;
    }
    if (op < 5) {
      db.SetString(key, "str", 0);
      continue;
    }
    if (e != nullptr && e->type() == ValueType::kString) continue;
    const bool list = (std::hash<std::string>()(key) % 2) == 0;
    if (e != nullptr && (e->type() == ValueType::kList) != list) continue;
    Effect effect;
    if (list) {
      std::deque<std::string>& model = lists[key];
      if (e == nullptr) model.clear();
      effect = RandomListEffect(rng, model, rng() % 8 == 0);
    } else {
      std::map<std::string, std::string>& model = hashes[key];
      if (e == nullptr) model.clear();
      effect = RandomHashEffect(rng, model, 10);
    }
    db.Apply(effect.op, key, effect.body);
  }
  const auto before = DumpCollections(ks);
  EXPECT_GT(before.size(), 3u);
  // The live state is what the models say.
  for (const auto& [k, model] : lists) {
    auto it = before.find({0, k});
    if (it == before.end() || it->second[0] != 'L') continue;
    std::string s = "L";
    for (const std::string& v : model) s += v + "|";
    EXPECT_EQ(it->second.substr(0, s.size()), s) << k;
  }

  Keyspace replayed(KeyspaceOptions{.shards = 2, .databases = 2, .encoding = limits});
  for (size_t i = 0; i < sink.records.size(); ++i) {
    ASSERT_TRUE(ApplyRedo(replayed, sink.records[i], i + 1).ok()) << "record " << i;
  }
  EXPECT_EQ(DumpCollections(replayed), before);

  // The running memory accounting equals a recount, before and after every key is gone.
  EXPECT_EQ(ks.UsedBytes(), Recount(ks));
  for (int i = 0; i < 12; ++i) {
    const std::string key = "k" + std::to_string(i);
    ShardLocks locks = ks.Lock(key);
    DbView(ks, 0, 2'000'000).Delete(key);
  }
  EXPECT_EQ(ks.UsedBytes(), Recount(ks));
}

}  // namespace
}  // namespace strata::engine
