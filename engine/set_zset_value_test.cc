// SetValue and ZSetValue: random effects against a model across every encoding conversion,
// put-encoding round trips, encodings at Redis's thresholds, rank and range queries, malformed
// bodies, and WAL replay of recorded effects into a fresh keyspace.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/coding.h"
#include "engine/db_view.h"
#include "engine/replay.h"
#include "engine/set_value.h"
#include "engine/test_util.h"
#include "engine/zset_value.h"

namespace strata::engine {
namespace {

// Redis's defaults.
const EncodingLimits kDefaults;

// Encoding limits for sets and sorted sets smaller than Redis's, so that short runs cross every
// conversion.
EncodingLimits SmallLimits(int64_t intset, int64_t entries, int64_t value) {
  EncodingLimits limits;
  limits.set_max_intset_entries = intset;
  limits.set_max_listpack_entries = entries;
  limits.set_max_listpack_value = value;
  limits.zset_max_listpack_entries = entries;
  limits.zset_max_listpack_value = value;
  return limits;
}

std::string RandomMember(std::mt19937& rng, bool ints_only) {
  if (ints_only || rng() % 3 == 0) return std::to_string(static_cast<int>(rng() % 40) - 10);
  static const char* kPool[] = {"a", "b",  "c",   "dd",  "eee", "ffff", "long-member-x",
                                "",  "-0", "007", "1.5", "zz"};
  return kPool[rng() % (sizeof(kPool) / sizeof(kPool[0]))];
}

std::set<std::string> SetContents(const SetValue& s) {
  std::set<std::string> out;
  s.ForEach([&](std::string_view m) { out.emplace(m); });
  return out;
}

TEST(SetValue, RandomEffectsMatchModelAcrossEncodings) {
  const EncodingLimits limits = SmallLimits(/*intset=*/8, /*entries=*/6, /*value=*/5);
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    std::mt19937 rng(seed);
    auto s = std::make_unique<SetValue>();
    std::set<std::string> model;
    std::set<std::string> seen_encodings;
    for (int step = 0; step < 300; ++step) {
      std::vector<std::string> members;
      const int n = 1 + static_cast<int>(rng() % 4);
      // Integers only at first, so that the set starts as an intset and grows past it.
      for (int i = 0; i < n; ++i) members.push_back(RandomMember(rng, step % 100 < 30));
      const bool add = rng() % 3 != 0;
      ASSERT_TRUE(
          s->Apply(add ? RedoOp::kSetAdd : RedoOp::kSetRem, SetMembersBody(members), limits).ok());
      for (const std::string& m : members) add ? (void)model.insert(m) : (void)model.erase(m);
      ASSERT_EQ(s->size(), model.size()) << "seed " << seed << " step " << step;
      ASSERT_EQ(SetContents(*s), model) << "seed " << seed << " step " << step;
      for (const char* probe : {"a", "1", "-10", "nope", "007"}) {
        ASSERT_EQ(s->Contains(probe), model.count(probe) > 0) << probe;
      }
      seen_encodings.insert(s->encoding());
      EXPECT_GE(s->bytes(), sizeof(SetValue));
      if (model.empty() || step % 100 == 99) {  // as an emptied key is deleted: start over
        s = std::make_unique<SetValue>();
        model.clear();
      }
    }
    // Round trip through the put encoding.
    std::string bytes;
    s->Serialize(&bytes);
    std::unique_ptr<Value> copy;
    ASSERT_TRUE(ParseSet(bytes, limits, &copy).ok());
    EXPECT_EQ(SetContents(static_cast<const SetValue&>(*copy)), model);
    EXPECT_TRUE(seen_encodings.count("hashtable")) << "seed " << seed;
  }
}

// Builds a set by adding members one effect at a time.
std::unique_ptr<SetValue> BuildSet(const std::vector<std::string>& members) {
  auto s = std::make_unique<SetValue>();
  for (const std::string& m : members) {
    const std::string_view one[] = {m};
    EXPECT_TRUE(s->Apply(RedoOp::kSetAdd, SetMembersBody(one), kDefaults).ok());
  }
  return s;
}

TEST(SetValue, EncodingNamesAtRedisThresholds) {
  std::vector<std::string> ints;
  for (int i = 0; i < 512; ++i) ints.push_back(std::to_string(i * 3 - 100));
  auto s = BuildSet(ints);
  EXPECT_STREQ(s->encoding(), "intset");
  ints.push_back("100000");
  s = BuildSet(ints);
  EXPECT_STREQ(s->encoding(), "hashtable");  // past set-max-intset-entries

  s = BuildSet({"1", "2", "3"});
  EXPECT_STREQ(s->encoding(), "intset");
  const std::string_view word[] = {"abc"};
  ASSERT_TRUE(s->Apply(RedoOp::kSetAdd, SetMembersBody(word), kDefaults).ok());
  EXPECT_STREQ(s->encoding(), "listpack");  // a non-integer joins a small intset

  std::vector<std::string> words;
  for (int i = 0; i < 128; ++i) words.push_back("w" + std::to_string(i));
  s = BuildSet(words);
  EXPECT_STREQ(s->encoding(), "listpack");
  words.push_back("one-more");
  s = BuildSet(words);
  EXPECT_STREQ(s->encoding(), "hashtable");  // past set-max-listpack-entries

  s = BuildSet({"a", std::string(64, 'x')});
  EXPECT_STREQ(s->encoding(), "listpack");
  s = BuildSet({"a", std::string(65, 'x')});
  EXPECT_STREQ(s->encoding(), "hashtable");  // past set-max-listpack-value

  // Removing never converts back.
  const std::string body = SetMembersBody(std::vector<std::string>{std::string(65, 'x')});
  ASSERT_TRUE(s->Apply(RedoOp::kSetRem, body, kDefaults).ok());
  EXPECT_STREQ(s->encoding(), "hashtable");
  EXPECT_EQ(s->size(), 1u);

  // "-0", "007" and "+1" are not canonical integers: no intset.
  EXPECT_STREQ(BuildSet({"-0"})->encoding(), "listpack");
  EXPECT_STREQ(BuildSet({"007"})->encoding(), "listpack");
  EXPECT_STREQ(BuildSet({"-9223372036854775808"})->encoding(), "intset");
}

TEST(SetValue, ScanOfHashtableVisitsEveryMember) {
  std::vector<std::string> words;
  for (int i = 0; i < 1000; ++i) words.push_back("m" + std::to_string(i));
  auto s = BuildSet(words);
  ASSERT_STREQ(s->encoding(), "hashtable");
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    std::vector<std::string> batch;
    cursor = s->Scan(cursor, 10, &batch);
    seen.insert(batch.begin(), batch.end());
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 1000u);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(s->Contains(s->RandomMember(i * 7919)));
}

// ---- Sorted sets ----

struct ZModel {
  std::map<std::string, double> scores;
  std::vector<std::pair<std::string, double>> Ordered() const {
    std::vector<std::pair<std::string, double>> v(scores.begin(), scores.end());
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second < b.second : a.first < b.first;
    });
    return v;
  }
};

std::vector<std::pair<std::string, double>> ZContents(const ZSetValue& z) {
  std::vector<std::pair<std::string, double>> out;
  if (z.size() == 0) return out;
  z.Walk(0, false, [&](std::string_view m, double s) {
    out.emplace_back(std::string(m), s);
    return true;
  });
  return out;
}

double RandomScore(std::mt19937& rng) {
  switch (rng() % 10) {
    case 0:
      return std::numeric_limits<double>::infinity();
    case 1:
      return -std::numeric_limits<double>::infinity();
    case 2:
      return 0.5 * static_cast<double>(rng() % 7);
    default:
      return static_cast<double>(static_cast<int>(rng() % 9) - 4);
  }
}

void CheckZSetAgainstModel(const ZSetValue& z, const ZModel& model, std::mt19937& rng,
                           const std::string& where) {
  const auto ordered = model.Ordered();
  ASSERT_EQ(z.size(), ordered.size()) << where;
  ASSERT_EQ(ZContents(z), ordered) << where;
  for (size_t r = 0; r < ordered.size(); ++r) {
    ASSERT_EQ(z.Rank(ordered[r].first), r) << where;
    ASSERT_EQ(z.Score(ordered[r].first), ordered[r].second) << where;
  }
  EXPECT_FALSE(z.Rank("absent-member").has_value());
  EXPECT_FALSE(z.Score("absent-member").has_value());
  for (int i = 0; i < 5; ++i) {
    const double v = RandomScore(rng);
    for (bool inclusive : {false, true}) {
      size_t expect = 0;
      for (const auto& [m, s] : ordered) expect += inclusive ? s <= v : s < v;
      ASSERT_EQ(z.CountBelow(v, inclusive), expect) << where << " v=" << v;
    }
  }
  if (!ordered.empty()) {
    const size_t start = rng() % ordered.size();
    for (bool reverse : {false, true}) {
      std::vector<std::pair<std::string, double>> walked;
      z.Walk(start, reverse, [&](std::string_view m, double s) {
        walked.emplace_back(std::string(m), s);
        return true;
      });
      std::vector<std::pair<std::string, double>> expect;
      if (reverse) {
        for (size_t r = start + 1; r-- > 0;) expect.push_back(ordered[r]);
      } else {
        expect.assign(ordered.begin() + static_cast<long>(start), ordered.end());
      }
      ASSERT_EQ(walked, expect) << where << " start=" << start << " reverse=" << reverse;
    }
    // FirstWhere / LastWhere on a monotonic predicate (rank threshold via the member's rank).
    const size_t cut = rng() % (ordered.size() + 1);
    auto rank_of = [&](std::string_view m) { return *z.Rank(m); };
    EXPECT_EQ(z.FirstWhere([&](std::string_view m) { return rank_of(m) >= cut; }), cut);
    const size_t last = z.LastWhere([&](std::string_view m) { return rank_of(m) < cut; });
    EXPECT_EQ(last, cut == 0 ? ordered.size() : cut - 1);
  }
}

TEST(ZSetValue, RandomEffectsMatchModelAcrossEncodings) {
  const EncodingLimits limits = SmallLimits(/*intset=*/8, /*entries=*/6, /*value=*/5);
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    std::mt19937 rng(seed);
    auto zp = std::make_unique<ZSetValue>();
    ZModel model;
    bool saw_skiplist = false;
    for (int step = 0; step < 300; ++step) {
      const std::string where = "seed " + std::to_string(seed) + " step " + std::to_string(step);
      ZSetValue& z = *zp;
      const int n = 1 + static_cast<int>(rng() % 3);
      if (rng() % 3 != 0) {
        std::vector<std::pair<std::string, double>> items;
        for (int i = 0; i < n; ++i) items.emplace_back(RandomMember(rng, false), RandomScore(rng));
        ASSERT_TRUE(z.Apply(RedoOp::kZSetAdd, ZAddBody(items), limits).ok()) << where;
        for (const auto& [m, s] : items) {
          auto it = model.scores.find(m);
          // Redis keeps the old score when the new one compares equal (-0 vs 0).
          if (it == model.scores.end() || it->second != s) model.scores[m] = s;
        }
      } else {
        std::vector<std::string> members;
        for (int i = 0; i < n; ++i) members.push_back(RandomMember(rng, false));
        ASSERT_TRUE(z.Apply(RedoOp::kZSetRem, ZRemBody(members), limits).ok()) << where;
        for (const std::string& m : members) model.scores.erase(m);
      }
      CheckZSetAgainstModel(z, model, rng, where);
      saw_skiplist |= z.enc() == ZSetValue::Encoding::kSkiplist;
      if (model.scores.empty()) zp = std::make_unique<ZSetValue>();
    }
    std::string bytes;
    zp->Serialize(&bytes);
    std::unique_ptr<Value> copy;
    ASSERT_TRUE(ParseZSet(bytes, limits, &copy).ok());
    EXPECT_EQ(ZContents(static_cast<const ZSetValue&>(*copy)), model.Ordered());
    EXPECT_TRUE(saw_skiplist) << "seed " << seed;
  }
}

TEST(ZSetValue, EncodingNamesAtRedisThresholds) {
  std::vector<std::pair<std::string, double>> items;
  for (int i = 0; i < 128; ++i) items.emplace_back("m" + std::to_string(i), i);
  auto z = std::make_unique<ZSetValue>();
  ASSERT_TRUE(z->Apply(RedoOp::kZSetAdd, ZAddBody(items), kDefaults).ok());
  EXPECT_STREQ(z->encoding(), "listpack");
  const std::pair<std::string, double> one[] = {{"extra", 1.0}};
  ASSERT_TRUE(z->Apply(RedoOp::kZSetAdd, ZAddBody(one), kDefaults).ok());
  EXPECT_STREQ(z->encoding(), "skiplist");
  // A new value too big for a listpack starts as a skiplist.
  items.emplace_back("m128", 128);
  z = std::make_unique<ZSetValue>();
  ASSERT_TRUE(z->Apply(RedoOp::kZSetAdd, ZAddBody(items), kDefaults).ok());
  EXPECT_STREQ(z->encoding(), "skiplist");
  z = std::make_unique<ZSetValue>();
  const std::pair<std::string, double> long64[] = {{std::string(64, 'x'), 1.0}};
  const std::pair<std::string, double> long65[] = {{std::string(65, 'x'), 1.0}};
  ASSERT_TRUE(z->Apply(RedoOp::kZSetAdd, ZAddBody(long64), kDefaults).ok());
  EXPECT_STREQ(z->encoding(), "listpack");
  ASSERT_TRUE(z->Apply(RedoOp::kZSetAdd, ZAddBody(long65), kDefaults).ok());
  EXPECT_STREQ(z->encoding(), "skiplist");
}

TEST(ZSetValue, ListpackStoresNegativeZeroAsZeroSkiplistKeepsIt) {
  const std::pair<std::string, double> neg[] = {{"m", -0.0}};
  ZSetValue small;
  ASSERT_TRUE(small.Apply(RedoOp::kZSetAdd, ZAddBody(neg), kDefaults).ok());
  EXPECT_FALSE(std::signbit(*small.Score("m")));
  const EncodingLimits limits = SmallLimits(8, 0, 0);
  ZSetValue big;
  ASSERT_TRUE(big.Apply(RedoOp::kZSetAdd, ZAddBody(neg), limits).ok());
  EXPECT_STREQ(big.encoding(), "skiplist");
  EXPECT_TRUE(std::signbit(*big.Score("m")));
}

// Infinite and huge scores once went through an integer conversion before the range check
// (undefined behaviour, caught by clang's UBSan in fuzz_command with ZADD z -inf m).
TEST(ZSetValue, ListpackKeepsScoresOutsideTheVarintRange) {
  const std::pair<std::string, double> items[] = {
      {"a", -std::numeric_limits<double>::infinity()}, {"b", -1e300}, {"c", -2147483648.0},
      {"d", 0.5}, {"e", 2147483647.0}, {"f", 2147483648.0}, {"g", 1e300},
      {"h", std::numeric_limits<double>::infinity()}};
  ZSetValue z;
  ASSERT_TRUE(z.Apply(RedoOp::kZSetAdd, ZAddBody(items), kDefaults).ok());
  EXPECT_STREQ(z.encoding(), "listpack");
  for (const auto& [member, score] : items) EXPECT_EQ(*z.Score(member), score) << member;
}

// ---- Malformed input ----

template <typename Fn>
void ForEachMutation(const std::string& good, Fn fn) {
  for (size_t cut = 0; cut < good.size(); ++cut) fn(good.substr(0, cut), /*truncated=*/true);
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string bad = good;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    fn(bad, /*truncated=*/false);
  }
}

TEST(SetValue, MalformedBodiesAreCorruptionNeverACrash) {
  const std::vector<std::string> members = {"a", "12", "hello", std::string(70, 'q'), "-5"};
  const std::string good = SetMembersBody(members);
  ForEachMutation(good, [&](const std::string& bad, bool truncated) {
    for (RedoOp op : {RedoOp::kSetAdd, RedoOp::kSetRem}) {
      SetValue s;
      Status st = s.Apply(op, bad, kDefaults);
      if (truncated) {
        EXPECT_EQ(st.code(), Code::kCorruption);
      }
    }
    std::unique_ptr<Value> v;
    Status st = ParseSet(bad, kDefaults, &v);
    if (truncated) {
      EXPECT_EQ(st.code(), Code::kCorruption);
    }
  });
  SetValue s;
  std::string huge;
  PutVarint64(&huge, uint64_t{1} << 60);
  EXPECT_EQ(s.Apply(RedoOp::kSetAdd, huge, kDefaults).code(), Code::kCorruption);
  EXPECT_EQ(s.Apply(RedoOp::kZSetAdd, good, kDefaults).code(), Code::kCorruption);  // wrong effect
  // Trailing bytes.
  EXPECT_EQ(s.Apply(RedoOp::kSetAdd, good + "x", kDefaults).code(), Code::kCorruption);
}

TEST(ZSetValue, MalformedBodiesAreCorruptionNeverACrash) {
  const std::vector<std::pair<std::string, double>> items = {
      {"a", 1}, {"b", -2.5}, {std::string(70, 'q'), 3}, {"c", 1e300}};
  const std::string good = ZAddBody(items);
  ForEachMutation(good, [&](const std::string& bad, bool truncated) {
    ZSetValue z;
    Status st = z.Apply(RedoOp::kZSetAdd, bad, kDefaults);
    if (truncated) {
      EXPECT_EQ(st.code(), Code::kCorruption);
    }
    if (!st.ok()) {
      EXPECT_EQ(z.size(), 0u);  // validated before any change
    }
    ZSetValue r;
    (void)r.Apply(RedoOp::kZSetRem, bad, kDefaults).ok();
    std::unique_ptr<Value> v;
    Status pst = ParseZSet(bad, kDefaults, &v);
    if (truncated) {
      EXPECT_EQ(pst.code(), Code::kCorruption);
    }
  });
  ZSetValue z;
  std::string nan_body;
  PutVarint64(&nan_body, 1);
  PutFixed64(&nan_body, 0x7ff8000000000001ULL);
  PutLengthPrefixed(&nan_body, "m");
  EXPECT_EQ(z.Apply(RedoOp::kZSetAdd, nan_body, kDefaults).code(), Code::kCorruption);
  EXPECT_EQ(z.size(), 0u);
  std::string huge;
  PutVarint64(&huge, uint64_t{1} << 62);
  EXPECT_EQ(z.Apply(RedoOp::kZSetAdd, huge, kDefaults).code(), Code::kCorruption);
  EXPECT_EQ(z.Apply(RedoOp::kSetAdd, good, kDefaults).code(), Code::kCorruption);
}

TEST(SetZSetValue, RandomBytesNeverCrashApplyOrParse) {
  std::mt19937 rng(99);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 48, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() % (i % 2 ? 4 : 256));  // small bytes: counts
    std::unique_ptr<Value> v;
    (void)ParseSet(bytes, kDefaults, &v).ok();
    (void)ParseZSet(bytes, kDefaults, &v).ok();
    SetValue s;
    (void)s.Apply(static_cast<RedoOp>(16 + rng() % 4), bytes, kDefaults).ok();
    ZSetValue z;
    (void)z.Apply(static_cast<RedoOp>(16 + rng() % 4), bytes, kDefaults).ok();
  }
}

// ---- Replay ----

// Every key (the keyspaces here have one database): key -> (type, put encoding).
std::map<std::string, std::pair<int, std::string>> DumpCollections(Keyspace& ks) {
  std::map<std::string, std::pair<int, std::string>> out;
  ForEachEntry(ks, [&](int, Entry* e) {
    std::string bytes;
    if (e->type() == ValueType::kString) {
      bytes = std::string(e->str());
    } else if (e->type() == ValueType::kSet) {  // unordered: compare sorted
      for (const std::string& m : SetContents(*static_cast<const SetValue*>(e->value()))) {
        PutLengthPrefixed(&bytes, m);
      }
    } else {
      e->value()->Serialize(&bytes);
    }
    out[std::string(e->key())] = {static_cast<int>(e->type()), bytes};
  });
  return out;
}

TEST(SetZSetReplay, RecordedEffectsReplayIntoTheSameKeyspace) {
  const EncodingLimits limits = SmallLimits(/*intset=*/8, /*entries=*/6, /*value=*/5);
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    std::mt19937 rng(seed);
    VectorSink sink;
    Keyspace live(KeyspaceOptions{.shards = 4, .databases = 1, .encoding = limits});
    live.set_redo_sink(&sink);
    RedoRecord redo;
    for (int step = 0; step < 400; ++step) {
      const std::string key = "k" + std::to_string(rng() % 6);
      ShardLocks locks = live.Lock(key, &redo);
      DbView db(live, 0, 1000 + step, &redo);
      Entry* e = db.Find(key);
      const bool zset_key = (key.back() - '0') % 2 == 1;
      const ValueType type = zset_key ? ValueType::kZSet : ValueType::kSet;
      if (e != nullptr && e->type() != type) continue;
      const int op = static_cast<int>(rng() % 10);
      if (op == 0) {
        db.Delete(key);
      } else if (op == 1 && e != nullptr) {  // a STORE: a whole new value (a put)
        std::unique_ptr<Value> copy = CloneValue(*e->value(), limits);
        db.Put(Entry::NewObject(key, copy.release(), 0));
      } else if (zset_key) {
        const int n = 1 + static_cast<int>(rng() % 3);
        if (op < 7) {
          std::vector<std::pair<std::string, double>> items;
          for (int i = 0; i < n; ++i)
            items.emplace_back(RandomMember(rng, false), RandomScore(rng));
          db.Apply(RedoOp::kZSetAdd, key, ZAddBody(items));
        } else {
          std::vector<std::string> members;
          for (int i = 0; i < n; ++i) members.push_back(RandomMember(rng, false));
          db.Apply(RedoOp::kZSetRem, key, ZRemBody(members));
        }
      } else {
        std::vector<std::string> members;
        const int n = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < n; ++i) members.push_back(RandomMember(rng, step < 100));
        db.Apply(op < 7 ? RedoOp::kSetAdd : RedoOp::kSetRem, key, SetMembersBody(members));
      }
    }
    Keyspace replayed(KeyspaceOptions{.shards = 2, .databases = 1, .encoding = limits});
    for (const std::string& r : sink.records) ASSERT_TRUE(ApplyRedo(replayed, r).ok());
    const auto want = DumpCollections(live);
    EXPECT_FALSE(want.empty());
    EXPECT_EQ(DumpCollections(replayed), want) << "seed " << seed;
  }
}

}  // namespace
}  // namespace strata::engine
