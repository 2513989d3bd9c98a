// maxmemory and the eviction policies against the real server: which keys each policy evicts
// (and never evicts), noeviction's refusal of writes with Redis's OOM error while reads and
// deletes go on, the dataset brought under the limit, and evictions logged as the deletes
// they are (a restart replays them). Verdicts are statistical with wide margins, never timing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

constexpr char kOom[] = "OOM command not allowed when used memory > 'maxmemory'.";

std::string Cmd(redisContext* c, const std::vector<std::string>& argv) {
  ReplyPtr r = Command(c, argv);
  return r ? Describe(r.get()) : std::string("(connection error)");
}

std::string Key(const std::string& prefix, int i) { return prefix + ":" + std::to_string(i); }

class EvictionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = ServerProcess::StartStrata({"--save", "", "--maxmemory-samples", "10"}, &error);
    ASSERT_NE(server_, nullptr) << error;
    c_ = Connect(server_->port());
    ASSERT_NE(c_, nullptr);
  }

  // Sends the commands pipelined and returns their replies, described.
  std::vector<std::string> Pipeline(const std::vector<std::vector<std::string>>& cmds) {
    for (const auto& argv : cmds) {
      std::vector<const char*> ptrs;
      std::vector<size_t> lens;
      for (const std::string& a : argv) {
        ptrs.push_back(a.data());
        lens.push_back(a.size());
      }
      redisAppendCommandArgv(c_.get(), static_cast<int>(argv.size()), ptrs.data(), lens.data());
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < cmds.size(); ++i) {
      void* reply = nullptr;
      if (redisGetReply(c_.get(), &reply) != REDIS_OK) {
        out.push_back("(connection error)");
        continue;
      }
      ReplyPtr r(static_cast<redisReply*>(reply));
      out.push_back(Describe(r.get()));
    }
    return out;
  }

  // SETs prefix:0..n-1 to a 100-byte value, with EX ttl_s + i * ttl_step_s when ttl_s > 0.
  void Fill(const std::string& prefix, int n, int64_t ttl_s = 0, int64_t ttl_step_s = 0) {
    std::vector<std::vector<std::string>> cmds;
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> argv = {"SET", Key(prefix, i), std::string(100, 'v')};
      if (ttl_s > 0) {
        argv.push_back("EX");
        argv.push_back(std::to_string(ttl_s + i * ttl_step_s));
      }
      cmds.push_back(std::move(argv));
    }
    for (const std::string& r : Pipeline(cmds)) ASSERT_EQ(r, "OK");
  }

  // How many of prefix:0..n-1 exist.
  int CountPresent(const std::string& prefix, int from, int to) {
    std::vector<std::vector<std::string>> cmds;
    for (int i = from; i < to; ++i) cmds.push_back({"EXISTS", Key(prefix, i)});
    int n = 0;
    for (const std::string& r : Pipeline(cmds)) n += r == "(integer) 1";
    return n;
  }

  uint64_t Info(const std::string& section, const std::string& field) {
    ReplyPtr r = Command(c_.get(), {"INFO", section});
    if (r == nullptr || r->type != REDIS_REPLY_STRING) return 0;
    return std::strtoull(InfoField(std::string(r->str, r->len), field).c_str(), nullptr, 10);
  }
  uint64_t Dataset() { return Info("memory", "used_memory_dataset"); }
  uint64_t Evicted() { return Info("stats", "evicted_keys"); }

  // Sets maxmemory to `fraction` of the dataset bytes now, and the policy. Returns the limit.
  uint64_t LimitTo(double fraction, const std::string& policy) {
    const uint64_t limit = static_cast<uint64_t>(static_cast<double>(Dataset()) * fraction);
    EXPECT_EQ(Cmd(c_.get(), {"CONFIG", "SET", "maxmemory-policy", policy}), "OK");
    EXPECT_EQ(Cmd(c_.get(), {"CONFIG", "SET", "maxmemory", std::to_string(limit)}), "OK");
    return limit;
  }

  // Waits (bounded, not a verdict) until the dataset is at most limit: each command evicts a
  // bounded amount before it runs, and the cron goes on between commands.
  void ExpectDatasetWithin(uint64_t limit) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    uint64_t used = Dataset();
    while (used > limit && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      used = Dataset();
    }
    EXPECT_LE(used, limit);
  }

  std::unique_ptr<ServerProcess> server_;
  RedisConnection c_;
};

TEST_F(EvictionTest, InfoShowsTheLimitAndThePolicy) {
  EXPECT_EQ(Info("memory", "maxmemory"), 0u);
  ReplyPtr before = Command(c_.get(), {"INFO", "memory"});
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(InfoField(before->str, "maxmemory_policy"), "noeviction");
  EXPECT_EQ(Cmd(c_.get(), {"CONFIG", "SET", "maxmemory", "100mb"}), "OK");
  EXPECT_EQ(Cmd(c_.get(), {"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}), "OK");
  ReplyPtr after = Command(c_.get(), {"INFO", "memory"});
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(InfoField(after->str, "maxmemory"), "104857600");
  EXPECT_EQ(InfoField(after->str, "maxmemory_human"), "100.00M");
  EXPECT_EQ(InfoField(after->str, "maxmemory_policy"), "allkeys-lru");
  EXPECT_EQ(Evicted(), 0u);
}

TEST_F(EvictionTest, NoevictionRefusesWritesButServesReadsAndDeletesAndLosesNothing) {
  Fill("k", 300);
  LimitTo(0.5, "noeviction");
  EXPECT_EQ(Cmd(c_.get(), {"SET", "new", "v"}), std::string("(error) ") + kOom);
  EXPECT_EQ(Cmd(c_.get(), {"LPUSH", "list", "a"}), std::string("(error) ") + kOom);
  EXPECT_EQ(Cmd(c_.get(), {"GET", Key("k", 7)}), "\"" + std::string(100, 'v') + "\"");
  EXPECT_EQ(Cmd(c_.get(), {"DBSIZE"}), "(integer) 300");
  EXPECT_EQ(Cmd(c_.get(), {"DEL", Key("k", 7)}), "(integer) 1");
  // Inside MULTI every command is refused at queue time once over the limit, as Redis does.
  EXPECT_EQ(Cmd(c_.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Cmd(c_.get(), {"SET", "new", "v"}), std::string("(error) ") + kOom);
  EXPECT_EQ(Cmd(c_.get(), {"EXEC"}),
            "(error) EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(CountPresent("k", 0, 300), 299);
  EXPECT_EQ(Evicted(), 0u);
  // Under the limit again, writes go through.
  EXPECT_EQ(Cmd(c_.get(), {"CONFIG", "SET", "maxmemory", "0"}), "OK");
  EXPECT_EQ(Cmd(c_.get(), {"SET", "new", "v"}), "OK");
}

TEST_F(EvictionTest, VolatilePoliciesNeverEvictKeysWithoutTtl) {
  for (const char* policy : {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}) {
    SCOPED_TRACE(policy);
    ASSERT_EQ(Cmd(c_.get(), {"CONFIG", "SET", "maxmemory", "0"}), "OK");
    ASSERT_EQ(Cmd(c_.get(), {"FLUSHALL"}), "OK");
    Fill("persistent", 300);
    Fill("volatile", 300, 100000);
    const uint64_t evicted_before = Evicted();
    const uint64_t limit = LimitTo(0.75, policy);
    Fill("more", 50);
    ExpectDatasetWithin(limit);
    EXPECT_EQ(CountPresent("persistent", 0, 300), 300);
    EXPECT_EQ(CountPresent("more", 0, 50), 50);
    EXPECT_LT(CountPresent("volatile", 0, 300), 300);
    EXPECT_GT(Evicted(), evicted_before);
  }
}

TEST_F(EvictionTest, VolatilePolicyWithNoVolatileKeysRefusesWrites) {
  Fill("persistent", 300);
  LimitTo(0.5, "volatile-lru");
  EXPECT_EQ(Cmd(c_.get(), {"SET", "new", "v"}), std::string("(error) ") + kOom);
  EXPECT_EQ(Cmd(c_.get(), {"DBSIZE"}), "(integer) 300");
  EXPECT_EQ(Evicted(), 0u);
}

TEST_F(EvictionTest, AllkeysLruKeepsRecentlyTouchedKeys) {
  constexpr int kKeys = 1000, kHot = 200;
  Fill("k", kKeys);
  // The access clock counts seconds: let every key age, then touch the hot ones.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::vector<std::vector<std::string>> reads;
  for (int i = 0; i < kHot; ++i) reads.push_back({"GET", Key("k", i)});
  Pipeline(reads);
  const uint64_t limit = LimitTo(0.4, "allkeys-lru");
  ExpectDatasetWithin(limit);
  const int hot = CountPresent("k", 0, kHot), cold = CountPresent("k", kHot, kKeys);
  EXPECT_GE(hot, kHot * 9 / 10) << "cold keys left: " << cold;
  EXPECT_LE(cold, (kKeys - kHot) * 4 / 10) << "hot keys left: " << hot;
  EXPECT_GE(Evicted(), static_cast<uint64_t>(kKeys - hot - cold));
}

// notify-keyspace-events with e: one evicted event per evicted key (as INFO counts them), each
// naming a key that is gone.
TEST_F(EvictionTest, EachEvictedKeyIsNotified) {
  constexpr int kKeys = 1000;
  Fill("k", kKeys);
  ASSERT_EQ(Cmd(c_.get(), {"CONFIG", "SET", "notify-keyspace-events", "Ee"}), "OK");
  RawConnection sub(server_->port());
  sub.Send("*2\r\n$9\r\nSUBSCRIBE\r\n$22\r\n__keyevent@0__:evicted\r\n");
  ASSERT_TRUE(sub.ReadValue().has_value());
  const uint64_t limit = LimitTo(0.4, "allkeys-random");
  ExpectDatasetWithin(limit);
  // No more evictions from here (one the cron had begun may still finish: read until the
  // count of events and INFO's evicted_keys agree).
  ASSERT_EQ(Cmd(c_.get(), {"CONFIG", "SET", "maxmemory", "0"}), "OK");
  std::vector<std::vector<std::string>> exists;
  uint64_t evicted = Evicted();
  ASSERT_GT(evicted, 0u);
  for (int round = 0; round < 5 && exists.size() < evicted; ++round) {
    while (exists.size() < evicted) {
      std::optional<RespValue> m = sub.ReadValue();
      ASSERT_TRUE(m && m->elements.size() == 3) << "message " << exists.size() << " of " << evicted;
      EXPECT_EQ(m->elements[1].str, "__keyevent@0__:evicted");
      exists.push_back({"EXISTS", m->elements[2].str});
    }
    evicted = Evicted();
  }
  EXPECT_EQ(exists.size(), evicted);
  for (const std::string& r : Pipeline(exists)) EXPECT_EQ(r, "(integer) 0");
  EXPECT_EQ(static_cast<int>(evicted), kKeys - CountPresent("k", 0, kKeys));
}

TEST_F(EvictionTest, AllkeysLfuKeepsFrequentlyReadKeys) {
  constexpr int kKeys = 1000, kHot = 200;
  // Every access counts (lfu-log-factor 0) so that a few reads set the hot keys apart.
  ASSERT_EQ(Cmd(c_.get(), {"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}), "OK");
  ASSERT_EQ(Cmd(c_.get(), {"CONFIG", "SET", "lfu-log-factor", "0"}), "OK");
  Fill("k", kKeys);
  std::vector<std::vector<std::string>> reads;
  for (int r = 0; r < 5; ++r) {
    for (int i = 0; i < kHot; ++i) reads.push_back({"GET", Key("k", i)});
  }
  Pipeline(reads);
  // 5 at creation plus 5 reads; one less if a minute boundary passed since (decay).
  const std::string hot_freq = Cmd(c_.get(), {"OBJECT", "FREQ", Key("k", 0)});
  EXPECT_TRUE(hot_freq == "(integer) 10" || hot_freq == "(integer) 9") << hot_freq;
  const std::string cold_freq = Cmd(c_.get(), {"OBJECT", "FREQ", Key("k", kKeys - 1)});
  EXPECT_TRUE(cold_freq == "(integer) 5" || cold_freq == "(integer) 4") << cold_freq;
  const uint64_t limit = LimitTo(0.4, "allkeys-lfu");
  ExpectDatasetWithin(limit);
  const int hot = CountPresent("k", 0, kHot), cold = CountPresent("k", kHot, kKeys);
  EXPECT_GE(hot, kHot * 9 / 10) << "cold keys left: " << cold;
  EXPECT_LE(cold, (kKeys - kHot) * 4 / 10) << "hot keys left: " << hot;
}

TEST_F(EvictionTest, VolatileTtlEvictsTheShortestTtlsFirst) {
  constexpr int kKeys = 1000;
  Fill("t", kKeys, 10000, 10);  // key i expires in 10000 + 10 i seconds
  const uint64_t limit = LimitTo(0.5, "volatile-ttl");
  ExpectDatasetWithin(limit);
  const int shortest = CountPresent("t", 0, kKeys / 5);
  const int longest = CountPresent("t", kKeys - kKeys / 5, kKeys);
  EXPECT_LE(shortest, kKeys / 5 / 10) << "longest left: " << longest;
  EXPECT_GE(longest, kKeys / 5 * 9 / 10) << "shortest left: " << shortest;
}

TEST_F(EvictionTest, AllkeysRandomEvictsAndHonoursTheLimit) {
  Fill("k", 1000);
  const uint64_t limit = LimitTo(0.5, "allkeys-random");
  Fill("more", 500);  // every write goes through: there is always something to evict
  ExpectDatasetWithin(limit);
  const int left = CountPresent("k", 0, 1000) + CountPresent("more", 0, 500);
  EXPECT_LT(left, 1000);
  EXPECT_GT(left, 0);
  EXPECT_EQ(Evicted(), 1500u - static_cast<uint64_t>(left));
  EXPECT_EQ(Cmd(c_.get(), {"CONFIG", "RESETSTAT"}), "OK");
  EXPECT_EQ(Evicted(), 0u);
}

TEST_F(EvictionTest, EvictionsAreLoggedAndARestartReplaysThem) {
  Fill("k", 600);
  const uint64_t limit = LimitTo(0.5, "allkeys-lru");
  ExpectDatasetWithin(limit);
  std::vector<int> present;
  for (int i = 0; i < 600; ++i) {
    if (CountPresent("k", i, i + 1) == 1) present.push_back(i);
  }
  ASSERT_LT(present.size(), 600u);
  std::string error;
  ASSERT_TRUE(server_->Restart(&error)) << error;  // maxmemory is back to 0: nothing evicts
  c_ = Connect(server_->port());
  ASSERT_NE(c_, nullptr);
  EXPECT_EQ(Cmd(c_.get(), {"DBSIZE"}), "(integer) " + std::to_string(present.size()));
  int still = 0;
  for (int i : present) still += CountPresent("k", i, i + 1);
  EXPECT_EQ(still, static_cast<int>(present.size()));
}

// The same steps against redis-server 7.0 and strata-server give the same replies: OBJECT FREQ
// and IDLETIME under each kind of policy, the OOM refusals (MULTI and EXEC included), REFCOUNT's
// shared integers. Each step names the connection (0 or 1) it runs on.
TEST(EvictionRedisTest, RepliesMatchRedis) {
  std::string error;
  std::unique_ptr<ServerProcess> redis = ServerProcess::StartRedis({}, &error);
  if (redis == nullptr) GTEST_SKIP() << "redis-server 7.0 is not available: " << error;
  std::unique_ptr<ServerProcess> strata = ServerProcess::StartStrata({"--save", ""}, &error);
  ASSERT_NE(strata, nullptr) << error;
  const std::vector<std::pair<int, std::vector<std::string>>> steps = {
      {0, {"SET", "a", "1"}},
      {0, {"OBJECT", "FREQ", "a"}},
      {0, {"OBJECT", "REFCOUNT", "a"}},
      {0, {"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}},
      {0, {"SET", "b", "x"}},
      {0, {"OBJECT", "FREQ", "b"}},
      {0, {"GET", "b"}},  // the first access always counts
      {0, {"OBJECT", "FREQ", "b"}},
      {0, {"OBJECT", "IDLETIME", "b"}},
      {0, {"CONFIG", "SET", "maxmemory-policy", "noeviction"}},
      {0, {"OBJECT", "FREQ", "b"}},
      {0, {"MULTI"}},
      {0, {"SET", "c", "1"}},
      {1, {"CONFIG", "SET", "maxmemory", "1"}},
      {0, {"EXEC"}},
      {0, {"SET", "c", "1"}},
      {0, {"GET", "b"}},
      {0, {"MULTI"}},
      {0, {"GET", "b"}},
      {0, {"EXEC"}},
      {0, {"MULTI"}},
      {0, {"DISCARD"}},
      {0, {"DEL", "b"}},
      {0, {"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}},
      {0, {"CONFIG", "SET", "maxmemory", "100mb"}},
      {0, {"SET", "d", "2"}},
      {0, {"OBJECT", "REFCOUNT", "d"}},
      {0, {"CONFIG", "SET", "maxmemory", "0"}},
      {0, {"INFO", "stats"}},  // only evicted_keys is compared
  };
  auto run = [&](int port) {
    RedisConnection conns[2] = {Connect(port), Connect(port)};
    std::vector<std::string> out;
    for (const auto& [conn, argv] : steps) {
      ReplyPtr r = Command(conns[conn].get(), argv);
      if (argv[0] == "INFO") {
        out.push_back(r ? "evicted_keys:" + InfoField(r->str, "evicted_keys") : "(no reply)");
      } else {
        out.push_back(r ? Describe(r.get()) : "(no reply)");
      }
    }
    return out;
  };
  const std::vector<std::string> want = run(redis->port()), got = run(strata->port());
  ASSERT_EQ(want.size(), got.size());
  EXPECT_EQ(want[15], std::string("(error) ") + kOom);  // the steps do reach the limit
  for (size_t i = 0; i < want.size(); ++i) {
    std::string step;
    for (const std::string& a : steps[i].second) step += a + " ";
    EXPECT_EQ(got[i], want[i]) << "step " << i << ": " << step;
  }
}

}  // namespace
}  // namespace strata::integration
