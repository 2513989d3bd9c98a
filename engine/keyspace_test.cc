#include "engine/keyspace.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/hash.h"
#include "engine/db_view.h"

namespace strata::engine {
namespace {

TEST(KeyspaceTest, DatabasesAreSeparate) {
  Keyspace ks;
  {
    auto l = ks.Lock("k");
    DbView(ks, 0, NowMs()).SetString("k", "zero", 0);
    DbView(ks, 3, NowMs()).SetString("k", "three", 0);
  }
  auto l = ks.Lock("k");
  EXPECT_EQ(DbView(ks, 0, NowMs()).Find("k")->str(), "zero");
  EXPECT_EQ(DbView(ks, 3, NowMs()).Find("k")->str(), "three");
  EXPECT_EQ(DbView(ks, 1, NowMs()).Find("k"), nullptr);
}

TEST(KeyspaceTest, ExpiredKeyIsDeletedOnAccess) {
  Keyspace ks;
  int64_t now = NowMs();
  auto l = ks.Lock("k");
  DbView(ks, 0, now).SetString("k", "v", now + 100);
  EXPECT_NE(DbView(ks, 0, now + 99).Find("k"), nullptr);
  EXPECT_EQ(DbView(ks, 0, now + 100).Find("k"), nullptr);
  EXPECT_EQ(ks.shard(ks.ShardOf(HashKey("k"))).table(0).size(), 0u);
  EXPECT_EQ(ks.ExpiredKeys(), 1u);
}

TEST(KeyspaceTest, ActiveExpiryReclaimsKeysNobodyReads) {
  Keyspace ks(KeyspaceOptions{4, 16});
  int64_t now = NowMs();
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) keys.push_back("e" + std::to_string(i));
  {
    auto l = ks.LockAll();
    DbView v(ks, 0, now);
    for (size_t i = 0; i < keys.size(); ++i) v.SetString(keys[i], "x", i % 2 ? now + 10 : 0);
  }
  EXPECT_EQ(ks.DbSize(0), 5000u);
  for (int round = 0; round < 100 && ks.DbSize(0) > 2500; ++round) {
    for (int s = 0; s < ks.num_shards(); ++s) {
      std::lock_guard<std::timed_mutex> g(ks.shard(s).mu());
      ks.shard(s).ActiveExpire(now + 20, 1000, nullptr);
    }
  }
  EXPECT_EQ(ks.DbSize(0), 2500u);
  auto l = ks.LockAll();
  for (int s = 0; s < ks.num_shards(); ++s) EXPECT_EQ(ks.shard(s).volatile_keys(0), 0u);
}

// As Redis's adaptive cycle: a shard of long TTLs is not walked whole by one call (however
// large its budget), while a shard of mostly expired keys is; calls go on where the last one
// stopped, so the few expired keys among many long ones are all reclaimed in the end.
TEST(KeyspaceTest, ActiveExpiryStopsEarlyWhenFewKeysAreExpired) {
  Keyspace ks(KeyspaceOptions{1, 16});
  const int64_t now = NowMs();
  {
    auto l = ks.LockAll();
    DbView v(ks, 0, now);
    for (int i = 0; i < 20000; ++i) {
      v.SetString("k" + std::to_string(i), "x", i % 1000 == 0 ? now + 10 : now + 3'600'000);
    }
  }
  Shard& s = ks.shard(0);
  std::lock_guard<std::timed_mutex> g(s.mu());
  size_t first = s.ActiveExpire(now + 20, 10'000'000, nullptr);
  EXPECT_LT(first, 20u) << "one call walked every key";
  size_t total = first;
  int calls = 1;
  for (; total < 20 && calls < 100000; ++calls) total += s.ActiveExpire(now + 20, 10'000'000, nullptr);
  EXPECT_EQ(total, 20u);
  EXPECT_GT(calls, 1);
  // Everything expired: a call goes on to the end of its pass, the next one from the start.
  size_t rest = 0;
  for (int i = 0; i < 2; ++i) rest += s.ActiveExpire(now + 7'200'000, 10'000'000, nullptr);
  EXPECT_EQ(rest, 20000u - 20u);
}

TEST(KeyspaceTest, MemoryAccountingReturnsToZero) {
  Keyspace ks(KeyspaceOptions{2, 16});
  {
    auto l = ks.LockAll();
    DbView v(ks, 0, NowMs());
    for (int i = 0; i < 1000; ++i) v.SetString("m" + std::to_string(i), std::string(i % 50, 'x'), 0);
    for (int i = 0; i < 1000; i += 3) v.SetExpire("m" + std::to_string(i), NowMs() + 100000);
    for (int i = 0; i < 1000; ++i) v.Delete("m" + std::to_string(i));
  }
  auto l = ks.LockAll();
  size_t entry_bytes = 0;
  for (int s = 0; s < ks.num_shards(); ++s)
    entry_bytes += ks.shard(s).used_bytes() - ks.shard(s).table(0).bucket_bytes();
  EXPECT_EQ(entry_bytes, 0u);
}

TEST(KeyspaceTest, ConcurrentWritersAcrossShardsAndGrowth) {
  Keyspace ks(KeyspaceOptions{8, 16});
  constexpr int kThreads = 4, kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string k = "t" + std::to_string(t) + ":" + std::to_string(i);
        std::string k2 = "shared:" + std::to_string(i % 100);
        std::string_view keys[] = {k, k2};
        auto l = ks.Lock(keys);
        DbView v(ks, 0, NowMs());
        v.SetString(k, k, 0);
        Entry* e = v.Find(k2);
        int n = e ? std::stoi(std::string(e->str())) : 0;
        v.SetString(k2, std::to_string(n + 1), 0);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ks.DbSize(0), static_cast<size_t>(kThreads * kPerThread + 100));
  auto l = ks.LockAll();
  DbView v(ks, 0, NowMs());
  int total = 0;
  for (int i = 0; i < 100; ++i) total += std::stoi(std::string(v.Find("shared:" + std::to_string(i))->str()));
  EXPECT_EQ(total, kThreads * kPerThread);  // no lost update: the lock covered read-modify-write
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kPerThread; i += 97) {
      std::string k = "t" + std::to_string(t) + ":" + std::to_string(i);
      ASSERT_NE(v.Find(k), nullptr);
      EXPECT_EQ(v.Find(k)->str(), k);
    }
}

TEST(KeyspaceTest, SwapDbSwapsWholeDatabases) {
  Keyspace ks(KeyspaceOptions{4, 16});
  {
    auto l = ks.LockAll();
    DbView(ks, 0, NowMs()).SetString("a", "0", 0);
    DbView(ks, 1, NowMs()).SetString("b", "1", 0);
    for (int s = 0; s < ks.num_shards(); ++s) ks.shard(s).Swap(0, 1);
  }
  auto l = ks.LockAll();
  EXPECT_EQ(DbView(ks, 0, NowMs()).Find("a"), nullptr);
  EXPECT_EQ(DbView(ks, 0, NowMs()).Find("b")->str(), "1");
  EXPECT_EQ(DbView(ks, 1, NowMs()).Find("a")->str(), "0");
}

}  // namespace
}  // namespace strata::engine
