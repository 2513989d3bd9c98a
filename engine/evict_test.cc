#include "engine/evict.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/hash.h"
#include "engine/db_view.h"
#include "engine/replay.h"
#include "engine/test_util.h"

namespace strata::engine {
namespace {

constexpr int64_t kMinute = 60000;

EvictionConfig Config(EvictionPolicy policy, int samples = 10) {
  EvictionConfig c;
  c.policy = policy;
  c.samples = samples;
  return c;
}

// A keyspace of one shard, so every key is in shard 0.
struct OneShard {
  OneShard() : ks(KeyspaceOptions{1, 16}) {}
  Shard& shard() { return ks.shard(0); }
  bool Has(int db, const std::string& key) {
    ShardLocks l(&ks, 0);
    return shard().table(db).Find(key, HashKey(key)) != nullptr;
  }
  Keyspace ks;
};

// Makes o's keyspace run allkeys-lfu with every access counted (lfu-log-factor 0).
EvictionConfig UseCountingLfu(OneShard& o) {
  EvictionConfig c = Config(EvictionPolicy::kAllkeysLfu);
  c.lfu_log_factor = 0;
  o.ks.set_eviction(c);
  return c;
}

std::string Key(const char* prefix, int i) { return prefix + std::to_string(i); }

TEST(LfuTest, NewCounterStartsAtInitValueAndDecaysOnePerPeriod) {
  const int64_t now = 1'700'000'000'000;
  const uint32_t clock = LfuNewClock(now);
  EXPECT_EQ(clock & 0xff, kLfuInitVal);
  EXPECT_EQ(LfuDecayed(clock, 1, now), kLfuInitVal);
  EXPECT_EQ(LfuDecayed(clock, 1, now + 3 * kMinute), kLfuInitVal - 3);
  EXPECT_EQ(LfuDecayed(clock, 2, now + 3 * kMinute), kLfuInitVal - 1);
  EXPECT_EQ(LfuDecayed(clock, 1, now + 60 * kMinute), 0);
  EXPECT_EQ(LfuDecayed(clock, 0, now + 60 * kMinute), kLfuInitVal);  // 0: never decays
}

TEST(LfuTest, CounterGrowsLogarithmicallyAndSaturates) {
  uint64_t rnd = 88172645463325252ULL;
  auto next = [&] {
    rnd ^= rnd << 13;
    rnd ^= rnd >> 7;
    rnd ^= rnd << 17;
    return rnd;
  };
  uint8_t c = kLfuInitVal;
  for (int i = 0; i < 1000; ++i) c = LfuLogIncr(c, 10, next());
  // Redis's table for lfu-log-factor 10: about 18 after 1000 hits.
  EXPECT_GE(c, 12);
  EXPECT_LE(c, 28);
  uint8_t every = kLfuInitVal;
  for (int i = 0; i < 100; ++i) every = LfuLogIncr(every, 0, next());
  EXPECT_EQ(every, kLfuInitVal + 100);  // factor 0: every access counts
  for (int i = 0; i < 1000; ++i) every = LfuLogIncr(every, 0, next());
  EXPECT_EQ(every, 255);
}

TEST(LfuTest, AccessesUnderLfuPolicyBumpTheCounterAndNewKeysStartAtInit) {
  OneShard o;
  UseCountingLfu(o);
  const int64_t now = NowMs();
  ShardLocks l(&o.ks, 0);
  DbView v(o.ks, 0, now);
  v.SetString("k", "v", 0);
  EXPECT_EQ(LfuDecayed(v.Peek("k")->access_clock(), 1, now), kLfuInitVal);
  for (int i = 0; i < 10; ++i) v.Find("k");
  EXPECT_EQ(LfuDecayed(v.Peek("k")->access_clock(), 1, now), kLfuInitVal + 10);
  v.SetString("k", "overwritten", 0);  // an overwrite keeps (and bumps) the counter
  EXPECT_EQ(LfuDecayed(v.Peek("k")->access_clock(), 1, now), kLfuInitVal + 11);
}

TEST(SampleVictimsTest, ReturnsOnlyQualifyingEntriesBestFirst) {
  OneShard o;
  const int64_t now = NowMs();
  {
    ShardLocks l(&o.ks, 0);
    for (int i = 0; i < 500; ++i) {
      DbView(o.ks, i % 3, now - i * 1000).SetString(Key(i % 2 ? "odd" : "even", i), "v", 0);
    }
  }
  ShardLocks l(&o.ks, 0);
  std::vector<Victim> out;
  const VictimFilter only_odd = [](int, const Entry& e) { return e.key().starts_with("odd"); };
  SampleVictims(o.shard(), Config(EvictionPolicy::kAllkeysLru, 8), only_odd, now, &out);
  ASSERT_FALSE(out.empty());
  EXPECT_LE(out.size(), 3u * 8);  // samples per database, three databases in use
  std::set<const Entry*> seen;
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_TRUE(out[i].entry->key().starts_with("odd")) << out[i].entry->key();
    EXPECT_TRUE(seen.insert(out[i].entry).second) << "an entry twice";
    if (i > 0) {
      EXPECT_GE(out[i - 1].score, out[i].score);
    }
  }
}

// Fills db 0 with n keys without a TTL and one, "volatile", with a TTL.
void FillWithOneVolatileKey(OneShard& o, int n, int64_t now) {
  ShardLocks l(&o.ks, 0);
  DbView v(o.ks, 0, now);
  for (int i = 0; i < n; ++i) v.SetString(Key("k", i), "v", 0);
  v.SetString("volatile", "v", now + 100000);
}

TEST(SampleVictimsTest, FindsALoneQualifyingEntryAmongMany) {
  OneShard o;
  const int64_t now = NowMs();
  FillWithOneVolatileKey(o, 3000, now);
  ShardLocks l(&o.ks, 0);
  std::vector<Victim> out;
  const VictimFilter with_ttl = [](int, const Entry& e) { return e.expire_ms() != 0; };
  SampleVictims(o.shard(), Config(EvictionPolicy::kVolatileLru, 5), with_ttl, now, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].entry->key(), "volatile");
}

TEST(EvictFromShardTest, VolatilePolicyFindsARareKeyWithTtlInALargeTable) {
  OneShard o;
  const int64_t now = NowMs();
  FillWithOneVolatileKey(o, 60000, now);
  ShardLocks l(&o.ks, 0);
  EXPECT_EQ(EvictFromShard(o.shard(), Config(EvictionPolicy::kVolatileLru), 0, now, 0, nullptr),
            1u);
  EXPECT_EQ(o.shard().table(0).size(), 60000u);
}

// Fills db 0 with `cold` keys last accessed 100 s before now and `hot` keys accessed now.
void FillColdAndHot(OneShard& o, int64_t now, int n) {
  ShardLocks l(&o.ks, 0);
  for (int i = 0; i < n; ++i) {
    DbView(o.ks, 0, now - 100000).SetString(Key("cold", i), std::string(40, 'c'), 0);
    DbView(o.ks, 0, now).SetString(Key("hot", i), std::string(40, 'h'), 0);
  }
}

int CountPresent(OneShard& o, const char* prefix, int n) {
  int present = 0;
  for (int i = 0; i < n; ++i) present += o.Has(0, Key(prefix, i));
  return present;
}

// Bytes of the entries of db 0 whose key starts with prefix. REQUIRES: the shard locked.
size_t BytesOf(OneShard& o, const char* prefix) {
  size_t n = 0;
  uint64_t cursor = 0;
  do {
    cursor = o.shard().table(0).Scan(cursor, [&](Entry* e) {
      if (e->key().starts_with(prefix)) n += e->MemoryBytes();
    });
  } while (cursor != 0);
  return n;
}

// Evicts from o's shard by cfg about 80% of the bytes of the keys starting with `cold`.
void EvictMostOf(OneShard& o, const EvictionConfig& cfg, const char* cold, int64_t now) {
  ShardLocks l(&o.ks, 0);
  const size_t target = o.shard().used_bytes() - BytesOf(o, cold) * 8 / 10;
  const size_t evicted = EvictFromShard(o.shard(), cfg, target, now, 0, nullptr);
  EXPECT_LE(o.shard().used_bytes(), target);
  EXPECT_GT(evicted, 0u);
  EXPECT_EQ(o.shard().stats().evicted_keys.load(), evicted);
}

TEST(EvictFromShardTest, AllkeysLruEvictsIdleKeysFirst) {
  OneShard o;
  const int64_t now = NowMs();
  constexpr int kN = 500;
  FillColdAndHot(o, now, kN);
  EvictMostOf(o, Config(EvictionPolicy::kAllkeysLru), "cold", now);
  EXPECT_GE(CountPresent(o, "hot", kN), kN * 95 / 100);
  EXPECT_LE(CountPresent(o, "cold", kN), kN * 3 / 10);
}

TEST(EvictFromShardTest, AllkeysLfuEvictsRarelyUsedKeysFirst) {
  OneShard o;
  const EvictionConfig c = UseCountingLfu(o);
  const int64_t now = NowMs();
  constexpr int kN = 500;
  {
    ShardLocks l(&o.ks, 0);
    DbView v(o.ks, 0, now);
    for (int i = 0; i < kN; ++i) {
      v.SetString(Key("rare", i), std::string(40, 'r'), 0);
      v.SetString(Key("often", i), std::string(40, 'o'), 0);
      for (int r = 0; r < 5; ++r) v.Find(Key("often", i));
    }
  }
  EvictMostOf(o, c, "rare", now);
  EXPECT_GE(CountPresent(o, "often", kN), kN * 95 / 100);
  EXPECT_LE(CountPresent(o, "rare", kN), kN * 3 / 10);
}

TEST(EvictFromShardTest, VolatilePoliciesNeverEvictKeysWithoutTtl) {
  for (EvictionPolicy p : {EvictionPolicy::kVolatileLru, EvictionPolicy::kVolatileLfu,
                           EvictionPolicy::kVolatileRandom, EvictionPolicy::kVolatileTtl}) {
    OneShard o;
    const int64_t now = NowMs();
    {
      ShardLocks l(&o.ks, 0);
      for (int i = 0; i < 200; ++i) {
        DbView(o.ks, i % 4, now).SetString(Key("persistent", i), "v", 0);
        if (i % 4 == 0) DbView(o.ks, i % 4, now).SetString(Key("volatile", i), "v", now + 100000);
      }
    }
    ShardLocks l(&o.ks, 0);
    EXPECT_EQ(EvictFromShard(o.shard(), Config(p), 0, now, 0, nullptr), 50u) << static_cast<int>(p);
    size_t left = 0;
    for (int db = 0; db < 4; ++db) left += o.shard().table(db).size();
    EXPECT_EQ(left, 200u) << static_cast<int>(p);
    EXPECT_EQ(o.shard().volatile_keys(0), 0u);
  }
}

TEST(EvictFromShardTest, VolatileTtlEvictsTheNearestExpiriesFirst) {
  OneShard o;
  const int64_t now = NowMs();
  {
    ShardLocks l(&o.ks, 0);
    DbView v(o.ks, 0, now);
    for (int i = 0; i < 100; ++i) v.SetString(Key("t", i), "v", now + 1000000 + i * 1000);
  }
  {
    ShardLocks l(&o.ks, 0);
    const size_t per_key = o.shard().used_bytes() / 100;
    EvictFromShard(o.shard(), Config(EvictionPolicy::kVolatileTtl, 64),
                   o.shard().used_bytes() - 30 * per_key, now, 0, nullptr);
  }
  EXPECT_EQ(CountPresent(o, "t", 10), 0);  // the ten nearest expiries went
  int longest = 0;
  for (int i = 70; i < 100; ++i) longest += o.Has(0, Key("t", i));
  EXPECT_EQ(longest, 30);  // the thirty furthest stayed
}

TEST(EvictFromShardTest, NoevictionDeletesNothing) {
  OneShard o;
  const int64_t now = NowMs();
  FillColdAndHot(o, now, 50);
  ShardLocks l(&o.ks, 0);
  EXPECT_EQ(EvictFromShard(o.shard(), Config(EvictionPolicy::kNoEviction), 0, now, 0, nullptr), 0u);
  EXPECT_EQ(o.shard().table(0).size(), 100u);
}

TEST(EvictToLimitTest, BringsTheDatasetUnderTheLimitAndLogsEachEvictionAsADelete) {
  Keyspace ks(KeyspaceOptions{8, 16});
  VectorSink sink;
  ks.set_redo_sink(&sink);
  ks.set_eviction(Config(EvictionPolicy::kAllkeysRandom, 5));
  const int64_t now = NowMs();
  RedoRecord redo;
  Keyspace replica(KeyspaceOptions{8, 16});
  for (int i = 0; i < 2000; ++i) {
    const std::string k = Key("k", i);
    auto l = ks.Lock(k, &redo);
    DbView(ks, i % 2, now, &redo).SetString(k, std::string(100, 'x'), 0);
  }
  const size_t full = ks.UsedBytesHint();
  EXPECT_EQ(full, ks.UsedBytes());
  const size_t limit = full / 3;
  EXPECT_EQ(EvictToLimit(ks, limit, now, 10'000'000, &redo), EvictResult::kOk);
  EXPECT_LE(ks.UsedBytes(), limit);
  EXPECT_GT(ks.EvictedKeys(), 0u);
  EXPECT_EQ(ks.DbSize(0) + ks.DbSize(1) + ks.EvictedKeys(), 2000u);
  // Replaying the log gives the same keyspace: every eviction is in it as a delete.
  for (const std::string& record : sink.records) ASSERT_TRUE(ApplyRedo(replica, record).ok());
  EXPECT_EQ(DumpAll(replica), DumpAll(ks));
}

TEST(EvictToLimitTest, FailsWhenNothingMayBeEvicted) {
  Keyspace ks(KeyspaceOptions{4, 16});
  const int64_t now = NowMs();
  for (int i = 0; i < 200; ++i) {
    const std::string k = Key("k", i);
    auto l = ks.Lock(k);
    DbView(ks, 0, now).SetString(k, "v", 0);
  }
  const size_t limit = ks.UsedBytesHint() / 2;
  ks.set_eviction(Config(EvictionPolicy::kNoEviction));
  EXPECT_EQ(EvictToLimit(ks, limit, now, 1'000'000, nullptr), EvictResult::kFail);
  ks.set_eviction(Config(EvictionPolicy::kVolatileLru));
  EXPECT_EQ(EvictToLimit(ks, limit, now, 1'000'000, nullptr), EvictResult::kFail);
  EXPECT_EQ(ks.DbSize(0), 200u);
  EXPECT_EQ(ks.EvictedKeys(), 0u);
  EXPECT_EQ(EvictToLimit(ks, ks.UsedBytesHint(), now, 1'000'000, nullptr), EvictResult::kOk);
}

// Writers on several threads each evicting before their writes, as workers do, while another
// thread evicts as the cron does: nothing crashes or races (the TSan build runs this), every
// eviction is counted, and the dataset ends under the limit.
TEST(EvictToLimitTest, ConcurrentWritersAndEvictorsKeepTheCountsExact) {
  Keyspace ks(KeyspaceOptions{8, 16});
  EvictionConfig c = Config(EvictionPolicy::kAllkeysLru, 5);
  ks.set_eviction(c);
  constexpr int kThreads = 4, kWrites = 3000;
  const size_t limit = 64 * 1024;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      RedoRecord redo;
      for (int i = 0; i < kWrites; ++i) {
        const int64_t now = NowMs();
        (void)EvictToLimit(ks, limit, now, 200, &redo);
        const std::string prefix = "w" + std::to_string(t);
        const std::string k = Key(prefix.c_str(), i);
        {
          auto l = ks.Lock(k, &redo);
          DbView(ks, i % 3, now, &redo)
              .SetString(k, std::string(64, 'x'), i % 2 ? now + 1000000 : 0);
        }
        if (i >= 10) {  // an earlier key read again, so that recency varies
          const std::string old = Key(prefix.c_str(), i - 10);
          auto l = ks.Lock(old, &redo);
          DbView(ks, (i - 10) % 3, now, &redo).Find(old);
        }
      }
    });
  }
  std::thread cron([&] {
    RedoRecord redo;
    while (!stop.load()) (void)EvictToLimit(ks, limit, NowMs(), 1000, &redo);
  });
  for (std::thread& w : writers) w.join();
  stop = true;
  cron.join();
  ASSERT_EQ(EvictToLimit(ks, limit, NowMs(), 10'000'000, nullptr), EvictResult::kOk);
  EXPECT_LE(ks.UsedBytes(), limit);
  size_t keys = 0;
  for (int db = 0; db < 3; ++db) keys += ks.DbSize(db);
  EXPECT_EQ(keys + ks.EvictedKeys(), static_cast<size_t>(kThreads * kWrites));
}

}  // namespace
}  // namespace strata::engine
