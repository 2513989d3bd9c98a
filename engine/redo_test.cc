#include "engine/redo.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "base/hash.h"
#include "engine/db_view.h"
#include "engine/entry.h"
#include "engine/replay.h"
#include "engine/test_util.h"

namespace strata::engine {
namespace {

Status ReplayAll(Keyspace& ks, const std::vector<std::string>& records) {
  for (const std::string& r : records) RETURN_IF_ERROR(ApplyRedo(ks, r));
  return Status::Ok();
}

TEST(RedoRecord, EveryEffectRoundTrips) {
  RedoRecord r;
  EXPECT_TRUE(r.empty());
  Entry* e = Entry::NewString("key", "value", 12345, /*raw=*/true);
  r.Put(3, *e);
  Entry::Free(e);
  r.Del(1, "gone");
  r.Expire(2, "k", 999);
  r.Append(0, "k", "tail");
  r.SetRange(4, "k", 1ULL << 40, "patch");
  r.FlushDb(5);
  r.FlushAll();
  r.SwapDb(1, 2);
  EXPECT_FALSE(r.empty());

  RedoReader reader(r.bytes());
  RedoEffect x;
  ASSERT_TRUE(reader.Next(&x));
  EXPECT_EQ(x.op, RedoOp::kPut);
  EXPECT_EQ(x.db, 3);
  EXPECT_EQ(x.key, "key");
  EXPECT_EQ(x.value, "value");
  EXPECT_EQ(x.expire_ms, 12345);
  EXPECT_TRUE(x.raw);
  ASSERT_TRUE(reader.Next(&x));
  EXPECT_EQ(x.op, RedoOp::kDel);
  EXPECT_EQ(x.key, "gone");
  ASSERT_TRUE(reader.Next(&x));
  EXPECT_EQ(x.op, RedoOp::kExpire);
  EXPECT_EQ(x.expire_ms, 999);
  ASSERT_TRUE(reader.Next(&x));
  EXPECT_EQ(x.op, RedoOp::kAppend);
  EXPECT_EQ(x.value, "tail");
  ASSERT_TRUE(reader.Next(&x));
  EXPECT_EQ(x.op, RedoOp::kSetRange);
  EXPECT_EQ(x.db, 4);
  EXPECT_EQ(x.offset, 1ULL << 40);
  EXPECT_EQ(x.value, "patch");
  ASSERT_TRUE(reader.Next(&x));
  EXPECT_EQ(x.op, RedoOp::kFlushDb);
  EXPECT_EQ(x.db, 5);
  ASSERT_TRUE(reader.Next(&x));
  EXPECT_EQ(x.op, RedoOp::kFlushAll);
  ASSERT_TRUE(reader.Next(&x));
  EXPECT_EQ(x.op, RedoOp::kSwapDb);
  EXPECT_EQ(x.db2, 2);
  EXPECT_FALSE(reader.Next(&x));
  EXPECT_TRUE(reader.status().ok());
  r.Clear();
  EXPECT_TRUE(r.empty());
}

TEST(RedoRecord, ChangesUnderLocksAreCommittedOncePerRelease) {
  Keyspace ks;
  VectorSink sink;
  ks.set_redo_sink(&sink);
  RedoRecord redo;
  {
    std::string_view keys[] = {"a", "b"};
    ShardLocks locks = ks.Lock(keys, &redo);
    DbView db(ks, 0, 1000, &redo);
    db.SetString("a", "1", 0);
    db.SetString("b", "2", 0);
  }
  EXPECT_EQ(sink.records.size(), 1u);  // MSET-like: one record for both keys
  EXPECT_EQ(redo.dependency(), 1u);
  redo.ResetDependency();
  {
    ShardLocks lock = ks.Lock("a", &redo);
    DbView db(ks, 0, 1000, &redo);
    EXPECT_NE(db.Find("a"), nullptr);  // a read records nothing...
  }
  EXPECT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(redo.dependency(), 1u);  // ...but depends on the record that wrote what it read
  // A read of a shard no record has changed depends on nothing.
  for (uint32_t i = 0; i < static_cast<uint32_t>(ks.num_shards()); ++i) {
    if (i == ks.ShardOf(HashKey("a")) || i == ks.ShardOf(HashKey("b"))) continue;
    redo.ResetDependency();
    { ShardLocks lock(&ks, i, &redo); }
    EXPECT_EQ(redo.dependency(), 0u);
    break;
  }
}

TEST(RedoRecord, LazyAndActiveExpiryAreLoggedAsDeletes) {
  Keyspace ks(KeyspaceOptions{.shards = 4});
  VectorSink sink;
  ks.set_redo_sink(&sink);
  RedoRecord redo;
  for (std::string k : {"lazy", "active"}) {
    ShardLocks lock = ks.Lock(k, &redo);
    DbView(ks, 0, 1000, &redo).SetString(k, "v", 1500);
  }
  {
    ShardLocks lock = ks.Lock("lazy", &redo);
    EXPECT_EQ(DbView(ks, 0, 2000, &redo).Find("lazy"), nullptr);
  }
  for (int i = 0; i < ks.num_shards(); ++i) {
    ShardLocks lock(&ks, static_cast<uint32_t>(i), &redo);
    ks.shard(i).ActiveExpire(2000, 1'000'000, &redo);
  }
  ASSERT_EQ(sink.records.size(), 4u);
  for (size_t i = 2; i < 4; ++i) {
    RedoReader reader(sink.records[i]);
    RedoEffect e;
    ASSERT_TRUE(reader.Next(&e));
    EXPECT_EQ(e.op, RedoOp::kDel);
  }
  // Replayed long after the keys expired, the log still ends with both keys gone, and replay
  // decides nothing by the clock: before the deletes, the keys are there with their TTL.
  Keyspace replica(KeyspaceOptions{.shards = 4});
  ASSERT_TRUE(ApplyRedo(replica, sink.records[0]).ok());
  EXPECT_EQ(DumpAll(replica).size(), 1u);
  for (size_t i = 1; i < sink.records.size(); ++i)
    ASSERT_TRUE(ApplyRedo(replica, sink.records[i]).ok());
  EXPECT_TRUE(DumpAll(replica).empty());
}

// Random commands through DbView, as the families issue them, recorded; replaying the records
// into an empty keyspace (with a different shard count) gives the same keys, values and TTLs.
TEST(RedoRecord, SetRangeLogsOnlyTheBytesWrittenAndKeepsTheTtl) {
  Keyspace ks(KeyspaceOptions{.shards = 1, .databases = 1});
  VectorSink sink;
  ks.set_redo_sink(&sink);
  RedoRecord redo;
  const int64_t now = 1000;
  {
    ShardLocks locks(&ks, 0u, &redo);
    DbView db(ks, 0, now, &redo);
    db.SetString("k", std::string(4096, 'a'), now + 100000);
    EXPECT_EQ(db.SetRange("k", 10, "xyz"), 4096u);  // in place
    EXPECT_EQ(db.SetRange("k", 4098, "tail"), 4102u);  // grown
    EXPECT_EQ(db.SetRange("new", 3, "n"), 4u);  // created, zero-padded
  }
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_LT(sink.records[0].size(), 4096u + 100u);  // the put, then three small patches
  std::string expect(4096, 'a');
  expect.replace(10, 3, "xyz");
  expect.resize(4098, '\0');
  expect += "tail";
  {
    ShardLocks locks(&ks, 0u);
    DbView db(ks, 0, now);
    Entry* k = db.Find("k");
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->str(), expect);
    EXPECT_EQ(k->expire_ms(), now + 100000);
    EXPECT_TRUE(k->raw());
    EXPECT_EQ(db.Find("new")->str(), std::string("\0\0\0n", 4));
  }
  Keyspace replica(KeyspaceOptions{.shards = 1, .databases = 1});
  ASSERT_TRUE(ReplayAll(replica, sink.records).ok());
  EXPECT_EQ(DumpAll(replica), DumpAll(ks));
  // A record that asks for a string past 4 GiB is refused.
  RedoRecord huge;
  huge.SetRange(0, "k", 1ULL << 33, "x");
  EXPECT_EQ(ApplyRedo(replica, huge.bytes()).code(), Code::kCorruption);
}

TEST(RedoRecord, ReplayOfRandomHistoryReproducesTheKeyspace) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    RandomHistory h(seed, 8);
    h.Run(3000);
    Keyspace& ks = h.ks;
    RedoRecord& redo = h.redo;
    const int64_t now = h.now;
    VectorSink& sink = h.sink;
    for (int i = 0; i < ks.num_shards(); ++i) {
      ShardLocks lock(&ks, static_cast<uint32_t>(i), &redo);
      ks.shard(i).ActiveExpire(now + 250, 1'000'000, &redo);
    }
    Keyspace replica(KeyspaceOptions{.shards = 2, .databases = 3});
    ASSERT_TRUE(ReplayAll(replica, sink.records).ok());
    EXPECT_EQ(DumpAll(replica), DumpAll(ks)) << "seed " << seed;
  }
}

TEST(RedoRecord, MalformedRecordsAreRejectedNeverMisapplied) {
  RedoRecord r;
  Entry* e = Entry::NewString("key", "value", 0);
  r.Put(0, *e);
  Entry::Free(e);
  const size_t put_end = r.bytes().size();
  r.Expire(0, "key", 77);
  const std::string good(r.bytes());
  // Every strict prefix is rejected (after the version byte, a cut is a truncated effect), and
  // the effects before the cut are the only ones applied.
  for (size_t cut = 0; cut < good.size(); ++cut) {
    Keyspace ks;
    Status st = ApplyRedo(ks, std::string_view(good.data(), cut));
    if (cut == 1 || cut == put_end) {
      EXPECT_TRUE(st.ok());  // a cut between effects is a shorter valid record
      continue;
    }
    EXPECT_EQ(st.code(), Code::kCorruption) << cut;
  }
  // Any byte value at any position: never a crash; OK or Corruption.
  for (size_t pos = 0; pos < good.size(); ++pos) {
    for (int v = 0; v < 256; ++v) {
      std::string bad = good;
      bad[pos] = static_cast<char>(v);
      Keyspace ks(KeyspaceOptions{.shards = 1, .databases = 2});
      Status st = ApplyRedo(ks, bad);
      EXPECT_TRUE(st.ok() || st.code() == Code::kCorruption);
    }
  }
  Keyspace ks(KeyspaceOptions{.shards = 1, .databases = 2});
  RedoRecord far;
  far.FlushDb(9);
  EXPECT_EQ(ApplyRedo(ks, far.bytes()).code(), Code::kCorruption);
  EXPECT_EQ(ApplyRedo(ks, std::string(1, '\x02')).code(), Code::kCorruption);  // newer version
}

}  // namespace
}  // namespace strata::engine
