// The overflow tier: demotion to stubs, loading back (synchronous and off-thread), stubs in
// snapshots, deferred deletion of stored values, and eviction when the tier is full.
#include "engine/tier.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <random>

#include "base/hash.h"
#include "base/temp_dir.h"
#include "engine/capture.h"
#include "engine/db_view.h"
#include "engine/replay.h"
#include "engine/test_util.h"
#include "engine/tiering.h"

namespace strata::engine {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

std::unique_ptr<Tier> OpenTier(const TempDir& dir) {
  TierOptions o;
  o.dir = dir.Sub("tier");
  o.block_cache_bytes = 1 << 20;
  Result<std::unique_ptr<Tier>> t = Tier::Open(o);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(*t);
}

// A keyspace of `shards` shards with a tier in a fresh directory.
struct Tiered {
  explicit Tiered(int shards = 4) : tier(OpenTier(dir)), ks(KeyspaceOptions{shards, 16}) {
    ks.set_tier(tier.get());
  }
  TempDir dir;
  std::unique_ptr<Tier> tier;
  Keyspace ks;
  Tiering tiering{ks, *tier};
};

std::string BigValue(int i) { return std::string(300 + i % 200, static_cast<char>('a' + i % 26)); }

// Demotes every value of every shard that can be demoted (target 0 bytes).
void DemoteAll(Tiering& tiering, RedoRecord* redo = nullptr) {
  Keyspace& ks = tiering.keyspace();
  for (int i = 0; i < ks.num_shards(); ++i) {
    ShardLocks l(&ks, static_cast<uint32_t>(i));
    // Sampling finds the last few values slowly; a few rounds get them all.
    for (int round = 0; round < 50; ++round) {
      tiering.Demote(ks.shard(i), 0, 0, EvictionConfig(), /*evict=*/false, 1'000'000, redo);
    }
  }
}

size_t CountCold(Keyspace& ks) {
  size_t n = 0;
  ForEachEntry(ks, [&](int, Entry* e) { n += e->cold() ? 1 : 0; });
  return n;
}

// Every key's value, stubs loaded first (as a command would).
Dump LoadAndDump(Keyspace& ks) {
  for (int i = 0; i < ks.num_shards(); ++i) {
    ShardLocks l(&ks, static_cast<uint32_t>(i));
    for (int db = 0; db < ks.num_dbs(); ++db) {
      std::vector<std::string> keys;
      uint64_t cursor = 0;
      do {
        cursor = ks.shard(i).table(db).Scan(cursor, [&](Entry* e) {
          if (e->cold()) keys.emplace_back(e->key());
        });
      } while (cursor != 0);
      for (const std::string& k : keys) {
        Table::Slot slot = ks.shard(i).table(db).FindSlot(k, HashKey(k));
        EXPECT_TRUE(ks.shard(i).Load(db, slot)) << k;
      }
    }
  }
  return DumpAll(ks);
}

void Fill(Keyspace& ks, int n, RedoRecord* redo = nullptr) {
  for (int i = 0; i < n; ++i) {
    const std::string k = "k" + std::to_string(i);
    ShardLocks l = ks.Lock(k, redo);
    DbView db(ks, i % 3, kNow, redo);
    db.SetString(k, BigValue(i), i % 5 == 0 ? kNow + 3'600'000 : 0);
  }
  // Collections big enough to be demoted.
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    const std::string k = "c" + std::to_string(i);
    ShardLocks l = ks.Lock(k, redo);
    DbView db(ks, 0, kNow, redo);
    for (int step = 0; step < 60; ++step) RandomCollectionEffect(db, k, rng, step);
  }
}

TEST(TierTest, DemotedValuesReadBackWhole) {
  Tiered t;
  Keyspace& ks = t.ks;
  Tier* tier = t.tier.get();
  Fill(ks, 500);
  const Dump before = DumpAll(ks);
  const size_t used_before = ks.UsedBytes();
  DemoteAll(t.tiering);
  EXPECT_GT(CountCold(ks), 500u);
  EXPECT_EQ(ks.TierKeys(), CountCold(ks));
  EXPECT_GT(ks.TierBytes(), 500u * 300);
  EXPECT_LT(ks.UsedBytes(), used_before / 3);
  EXPECT_EQ(tier->stats().demotions.load(), CountCold(ks));

  // Metadata needs no read: a stub answers type and TTL.
  {
    ShardLocks l = ks.Lock("k5");
    DbView db(ks, 2, kNow);
    Entry* e = db.Peek("k5");
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(e->cold());
    EXPECT_EQ(e->type(), ValueType::kString);
    EXPECT_EQ(e->expire_ms(), kNow + 3'600'000);
    EXPECT_EQ(tier->stats().cold_reads.load(), 0u);
    // A read brings the value back.
    Entry* v = db.FindRead("k5");
    ASSERT_NE(v, nullptr);
    EXPECT_FALSE(v->cold());
    EXPECT_EQ(v->str(), BigValue(5));
    EXPECT_EQ(v->expire_ms(), kNow + 3'600'000);
    EXPECT_EQ(tier->stats().cold_reads.load(), 1u);
    EXPECT_EQ(tier->stats().promotions.load(), 1u);
  }
  EXPECT_EQ(LoadAndDump(ks), before);
  EXPECT_EQ(ks.TierKeys(), 0u);
  EXPECT_EQ(ks.TierBytes(), 0u);
}

TEST(TierTest, ChangesToColdKeysMatchAKeyspaceWithoutTierAndReplay) {
  // The same commands on a keyspace whose values keep going to the tier and on one without a
  // tier give the same keys and values; the tiered one's log replays to them too.
  TempDir dir;
  std::unique_ptr<Tier> tier = OpenTier(dir);
  Keyspace tiered(KeyspaceOptions{4, 16}), plain(KeyspaceOptions{4, 16});
  tiered.set_tier(tier.get());
  Tiering tiering(tiered, *tier);
  VectorSink sink;
  tiered.set_redo_sink(&sink);
  RedoRecord redo;
  Fill(tiered, 300, &redo);
  Fill(plain, 300);
  std::mt19937 rng_a(11), rng_b(11);
  for (int round = 0; round < 6; ++round) {
    DemoteAll(tiering);
    for (int step = 0; step < 300; ++step) {
      const std::string k = "c" + std::to_string(step % 40);
      const std::string s = "k" + std::to_string((step * 7) % 300);
      for (Keyspace* ks : {&tiered, &plain}) {
        std::mt19937& rng = ks == &tiered ? rng_a : rng_b;
        RedoRecord* r = ks == &tiered ? &redo : nullptr;
        {
          ShardLocks l = ks->Lock(k, r);
          DbView db(*ks, 0, kNow, r);
          RandomCollectionEffect(db, k, rng, round * 1000 + step);
        }
        ShardLocks l = ks->Lock(s, r);
        DbView db(*ks, (step * 7) % 300 % 3, kNow, r);
        if (step % 3 == 0) {
          db.Append(s, "+");
        } else if (step % 3 == 1) {
          db.SetExpire(s, kNow + step);
        } else if (step % 11 == 0) {
          db.Delete(s);
        }
      }
    }
  }
  const Dump want = DumpAll(plain);
  Keyspace replayed(KeyspaceOptions{2, 16});
  for (size_t i = 0; i < sink.records.size(); ++i) {
    ASSERT_TRUE(ApplyRedo(replayed, sink.records[i], i + 1).ok());
  }
  EXPECT_EQ(DumpAll(replayed), want);
  EXPECT_EQ(LoadAndDump(tiered), want);
}

TEST(TierTest, SnapshotsHoldStubsAndLoadThemBack) {
  Tiered t;
  Keyspace& ks = t.ks;
  Tier* tier = t.tier.get();
  Fill(ks, 400);
  const Dump want = DumpAll(ks);
  DemoteAll(t.tiering);
  const size_t cold = CountCold(ks);
  ASSERT_GT(cold, 400u);

  std::vector<std::string> batches;
  std::unique_ptr<Capture> capture = Capture::Begin(ks);
  ASSERT_NE(capture, nullptr);
  EXPECT_GT(capture->tier_generation(), 0u);
  ASSERT_TRUE(capture
                  ->Run([&](uint32_t, std::string_view batch, uint32_t) {
                    batches.emplace_back(batch);
                    return Status::Ok();
                  })
                  .ok());
  size_t stubs = 0;
  for (const std::string& b : batches) {
    RedoReader r(b);
    RedoEffect e;
    while (r.Next(&e)) stubs += e.op == RedoOp::kStub ? 1 : 0;
    ASSERT_TRUE(r.status().ok());
  }
  EXPECT_EQ(stubs, cold);  // values in the tier are not written again
  ASSERT_TRUE(tier->Sync().ok());

  // A new process: the same tier, the snapshot loaded into a fresh keyspace.
  Keyspace loaded(KeyspaceOptions{8, 16});
  loaded.set_tier(tier);
  for (const std::string& b : batches) ASSERT_TRUE(ApplyRedo(loaded, b).ok());
  EXPECT_EQ(CountCold(loaded), cold);
  EXPECT_EQ(LoadAndDump(loaded), want);

  // Without a tier, a snapshot with stubs can't be loaded, and says why.
  Keyspace no_tier(KeyspaceOptions{4, 16});
  Status st = Status::Ok();
  for (const std::string& b : batches) {
    Status s = ApplyRedo(no_tier, b);
    if (!s.ok()) st = s;
  }
  EXPECT_NE(st.message().find("tier-dir"), std::string::npos) << st.ToString();
}

TEST(TierTest, StoredValuesOutliveTheTwoNewestSnapshotsThatMayNameThem) {
  TempDir dir;
  std::unique_ptr<Tier> tier = OpenTier(dir);
  ASSERT_TRUE(tier->Put({{101, "\x00one"}, {102, "\x00two"}, {103, "\x00three"}}).ok());
  std::string blob;
  tier->Discard(101);
  const uint64_t g1 = tier->Seal();  // snapshot 1's moment: 101 already gone from the index
  tier->Discard(102);
  tier->Released(g1);  // snapshot 1 durable: snapshot 0 (before it) may still name 101
  EXPECT_TRUE(tier->Get(101, &blob).ok());
  const uint64_t g2 = tier->Seal();
  tier->Released(g2);  // snapshots 1 and 2 are the newest: neither names 101
  EXPECT_TRUE(tier->Get(101, &blob).code() == Code::kNotFound);
  EXPECT_TRUE(tier->Get(102, &blob).ok());  // snapshot 1 names it
  const uint64_t g3 = tier->Seal();
  tier->Released(g3);
  EXPECT_TRUE(tier->Get(102, &blob).code() == Code::kNotFound);
  EXPECT_TRUE(tier->Get(103, &blob).ok());  // never discarded
  EXPECT_EQ(tier->stats().deleted.load(), 2u);
}

TEST(TierTest, RecoveryDeletesWhatNoSnapshotNamesAndIdsKeepGrowing) {
  TempDir dir;
  {
    std::unique_ptr<Tier> tier = OpenTier(dir);
    std::vector<std::pair<uint64_t, std::string>> values;
    for (int i = 0; i < 10; ++i) values.emplace_back(tier->NewId(), "\x00v");
    ASSERT_TRUE(tier->Put(values).ok());
    ASSERT_TRUE(tier->Sync().ok());
  }
  std::unique_ptr<Tier> tier = OpenTier(dir);
  EXPECT_EQ(tier->NewId(), 11u);  // never an id a snapshot may name
  tier->NoteReferenced(3);
  tier->NoteReferenced(7);
  Result<uint64_t> deleted = tier->DeleteUnreferenced();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 8u);
  std::string blob;
  EXPECT_TRUE(tier->Get(3, &blob).ok());
  EXPECT_TRUE(tier->Get(7, &blob).ok());
  EXPECT_TRUE(tier->Get(1, &blob).code() == Code::kNotFound);
  EXPECT_TRUE(tier->Get(10, &blob).code() == Code::kNotFound);
}

TEST(TierTest, AFullTierEvictsItsColdestKeysAsThePolicyAllows) {
  for (int evict : {0, 1, 2}) {
    SCOPED_TRACE("evict mode " + std::to_string(evict));
    EvictionConfig cfg;
    cfg.policy = evict == 0   ? EvictionPolicy::kNoEviction
                 : evict == 1 ? EvictionPolicy::kAllkeysLru
                              : EvictionPolicy::kVolatileLru;
    Tiered t(1);
    Keyspace& ks = t.ks;
    Tier* tier = t.tier.get();
    RedoRecord redo;
    for (int i = 0; i < 200; ++i) {
      DbView db(ks, 0, kNow);
      db.SetString("k" + std::to_string(i), std::string(1000, 'x'), i % 2 ? kNow + 1'000'000 : 0);
    }
    ShardLocks l(&ks, 0);
    // Room in the tier for 50 values of 1 KB.
    for (int round = 0; round < 50; ++round) {
      t.tiering.Demote(ks.shard(0), 0, 50 * 1001, cfg, /*evict=*/true, 1'000'000, &redo);
    }
    EXPECT_LE(ks.TierBytes(), 50u * 1001);
    const size_t left = ks.shard(0).table(0).size();
    if (evict == 0) {
      EXPECT_EQ(left, 200u);  // noeviction: nothing lost, RAM stays over
      EXPECT_TRUE(redo.empty());
      continue;
    }
    EXPECT_LT(left, 200u);
    EXPECT_EQ(tier->stats().evictions.load(), 200u - left);
    EXPECT_EQ(ks.shard(0).stats().evicted_keys.load(), 200u - left);
    // Each eviction is logged as the delete it is; volatile-* never evicts a key without TTL.
    RedoReader r(redo.bytes());
    RedoEffect e;
    size_t dels = 0;
    while (r.Next(&e)) {
      ASSERT_EQ(e.op, RedoOp::kDel);
      ++dels;
      if (evict == 2) {
        EXPECT_EQ(std::stoi(std::string(e.key.substr(1))) % 2, 1) << e.key;
      }
    }
    EXPECT_EQ(dels, 200u - left);
  }
}

TEST(TierTest, LoadAsyncPromotesOffThreadAndExpiryDiscardsStubs) {
  Tiered t;
  Keyspace& ks = t.ks;
  Tier* tier = t.tier.get();
  Fill(ks, 100);
  DemoteAll(t.tiering);
  std::vector<std::string> names = {"k1", "k2", "k3", "missing"};
  std::vector<std::string_view> keys(names.begin(), names.end());
  std::vector<Tiering::ColdRef> refs;
  t.tiering.ColdKeys(1, keys, kNow, &refs);
  ASSERT_EQ(refs.size(), 1u);  // only k1 is in db 1 (i % 3)
  EXPECT_EQ(refs[0].key, "k1");
  // Values the tier holds in memory (just demoted: in the memtable) are promoted at once; the
  // others stay in refs, whole.
  {
    std::vector<Tiering::ColdRef> mixed = {Tiering::ColdRef{1, "nope", 1u << 30}};
    t.tiering.ColdKeys(2, std::vector<std::string_view>{"k2"}, kNow, &mixed);
    mixed.push_back(Tiering::ColdRef{1, "nope2", (1u << 30) + 1});
    ASSERT_EQ(mixed.size(), 3u);
    t.tiering.LoadCached(&mixed);
    ASSERT_EQ(mixed.size(), 2u);
    EXPECT_EQ(mixed[0].key, "nope");
    EXPECT_EQ(mixed[1].key, "nope2");
    ShardLocks l = ks.Lock("k2");
    Entry* e = DbView(ks, 2, kNow).Peek("k2");
    ASSERT_NE(e, nullptr);
    EXPECT_FALSE(e->cold());
    EXPECT_GT(tier->stats().cold_reads_in_memory.load(), 0u);
  }
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  t.tiering.LoadAsync(refs, [&] {
    std::lock_guard<std::mutex> l(mu);
    done = true;
    cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return done; });
  }
  {
    ShardLocks l = ks.Lock("k1");
    DbView db(ks, 1, kNow);
    Entry* e = db.Peek("k1");
    ASSERT_NE(e, nullptr);
    EXPECT_FALSE(e->cold());
    EXPECT_EQ(e->str(), BigValue(1));
  }
  // Expired stubs go without a read, and their stored values become garbage.
  const uint64_t cold_reads = tier->stats().cold_reads.load();
  const uint64_t tier_keys = ks.TierKeys();
  size_t expired = 0;
  for (int i = 0; i < ks.num_shards(); ++i) {
    ShardLocks l(&ks, static_cast<uint32_t>(i));
    expired += ks.shard(i).ActiveExpire(kNow + 7'200'000, 1'000'000, nullptr);
  }
  EXPECT_GT(expired, 0u);
  EXPECT_LT(ks.TierKeys(), tier_keys);
  EXPECT_EQ(tier->stats().cold_reads.load(), cold_reads);
  const uint64_t g1 = tier->Seal();
  tier->Released(g1);
  const uint64_t g2 = tier->Seal();
  tier->Released(g2);
  EXPECT_GE(tier->stats().deleted.load(), tier_keys - ks.TierKeys());
}

}  // namespace
}  // namespace strata::engine
