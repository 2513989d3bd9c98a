// The overflow tier over TCP: a data set several times maxmemory stays readable, survives
// kill -9 with most values in the tier, expired values leave the tier and give their disk space
// back, and key-only commands never read the tier.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

using namespace std::chrono_literals;

// A value that names its key and generation, the rest pseudo-random letters (so that the
// tier's compression can't make it vanish).
std::string ValueOf(int i, int gen, size_t len = 2000) {
  std::string v = "v" + std::to_string(i) + "." + std::to_string(gen) + ":";
  uint64_t x = 0x9E3779B97F4A7C15ULL * (i * 31 + gen + 1);
  while (v.size() < len) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v += static_cast<char>('a' + x % 26);
  }
  return v;
}

int64_t InfoInt(redisContext* c, std::string_view section, std::string_view field) {
  ReplyPtr r = Command(c, {"INFO", std::string(section)});
  if (!r || r->type != REDIS_REPLY_STRING) return -1;
  const std::string v = InfoField(std::string_view(r->str, r->len), field);
  return v.empty() ? -1 : std::stoll(v);
}

// Waits (bounded, so a broken server fails rather than hangs) until pred() holds.
template <typename Pred>
bool WaitFor(Pred pred, std::chrono::seconds bound = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// Sends every command pipelined and returns the replies, rendered with Describe().
std::vector<std::string> Pipeline(redisContext* c, const std::vector<std::vector<std::string>>& cmds) {
  std::vector<std::string> out;
  for (size_t at = 0; at < cmds.size(); at += 500) {
    const size_t end = std::min(cmds.size(), at + 500);
    for (size_t i = at; i < end; ++i) {
      std::vector<const char*> argv;
      std::vector<size_t> lens;
      for (const std::string& a : cmds[i]) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data());
    }
    for (size_t i = at; i < end; ++i) {
      void* r = nullptr;
      if (redisGetReply(c, &r) != REDIS_OK) {
        out.push_back("(connection error)");
        continue;
      }
      ReplyPtr reply(static_cast<redisReply*>(r));
      out.push_back(Describe(reply.get()));
    }
  }
  return out;
}

// The expected contents: strings and hashes as the test wrote them.
struct Model {
  std::map<std::string, std::string> strings;
  std::map<std::string, std::map<std::string, std::string>> hashes;
};

void ExpectMatches(redisContext* c, const Model& m) {
  std::vector<std::vector<std::string>> gets;
  std::vector<std::string> want;
  for (const auto& [k, v] : m.strings) {
    gets.push_back({"GET", k});
    want.push_back("\"" + v + "\"");
  }
  std::vector<std::string> got = Pipeline(c, gets);
  ASSERT_EQ(got.size(), want.size());
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i] && ++bad <= 3) {
      ADD_FAILURE() << gets[i][1] << ": got " << got[i].substr(0, 80) << ", want "
                    << want[i].substr(0, 80);
    }
  }
  EXPECT_EQ(bad, 0u);
  for (const auto& [k, fields] : m.hashes) {
    ReplyPtr r = Command(c, {"HLEN", k});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->integer, static_cast<long long>(fields.size())) << k;
    for (const auto& [f, v] : fields) {
      ReplyPtr g = Command(c, {"HGET", k, f});
      ASSERT_TRUE(g);
      ASSERT_EQ(g->type, REDIS_REPLY_STRING) << k << " " << f;
      EXPECT_EQ(std::string(g->str, g->len), v) << k << " " << f;
    }
  }
  ReplyPtr size = Command(c, {"DBSIZE"});
  ASSERT_TRUE(size);
  EXPECT_EQ(size->integer, static_cast<long long>(m.strings.size() + m.hashes.size()));
}

std::unique_ptr<ServerProcess> StartTiered(const std::vector<std::string>& extra) {
  std::vector<std::string> flags = {"--maxmemory", "4mb", "--tier-dir", "tier", "--save", ""};
  flags.insert(flags.end(), extra.begin(), extra.end());
  std::string error;
  std::unique_ptr<ServerProcess> s = ServerProcess::StartStrata(flags, &error);
  EXPECT_NE(s, nullptr) << error;
  return s;
}

TEST(TierTest, FourTimesMaxmemoryStaysReadableAndSurvivesKillNine) {
  std::unique_ptr<ServerProcess> server = StartTiered({"--appendfsync", "always"});
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  ASSERT_NE(c, nullptr);
  Model m;
  // 16 MB of strings and 1 MB of hashes against a 4 MB budget.
  std::vector<std::vector<std::string>> writes;
  for (int i = 0; i < 8000; ++i) {
    const std::string k = "s:" + std::to_string(i);
    m.strings[k] = ValueOf(i, 0);
    writes.push_back({"SET", k, m.strings[k]});
  }
  for (int i = 0; i < 50; ++i) {
    const std::string k = "h:" + std::to_string(i);
    std::vector<std::string> hset = {"HSET", k};
    for (int f = 0; f < 100; ++f) {
      const std::string field = "f" + std::to_string(f);
      m.hashes[k][field] = ValueOf(f, i, 200);
      hset.push_back(field);
      hset.push_back(m.hashes[k][field]);
    }
    writes.push_back(hset);
  }
  for (const std::string& r : Pipeline(c.get(), writes)) ASSERT_NE(r.substr(0, 7), "(error)") << r;

  const int64_t maxmemory = 4 << 20;
  ASSERT_TRUE(WaitFor([&] {
    return InfoInt(c.get(), "memory", "used_memory_dataset") <= maxmemory + maxmemory / 10;
  })) << "dataset " << InfoInt(c.get(), "memory", "used_memory_dataset");
  const int64_t cold = InfoInt(c.get(), "tier", "tier_keys");
  EXPECT_GT(cold, 4000) << "most values should be in the tier";
  EXPECT_GT(InfoInt(c.get(), "tier", "tier_bytes"), 8 << 20);
  ExpectMatches(c.get(), m);
  EXPECT_GT(InfoInt(c.get(), "tier", "tier_cold_reads"), cold / 2);

  // A snapshot with most values in the tier, then changes to cold and hot keys alike.
  ReplyPtr save = Command(c.get(), {"SAVE"});
  ASSERT_TRUE(save);
  ASSERT_EQ(Describe(save.get()), "OK");
  ASSERT_TRUE(WaitFor([&] { return InfoInt(c.get(), "tier", "tier_keys") > 4000; }));
  writes.clear();
  for (int i = 0; i < 8000; i += 10) {
    const std::string k = "s:" + std::to_string(i);
    m.strings[k] += "+tail";
    writes.push_back({"APPEND", k, "+tail"});
  }
  for (int i = 5; i < 8000; i += 13) {
    const std::string k = "s:" + std::to_string(i);
    m.strings.erase(k);
    writes.push_back({"DEL", k});
  }
  for (int i = 8000; i < 9000; ++i) {
    const std::string k = "s:" + std::to_string(i);
    m.strings[k] = ValueOf(i, 1);
    writes.push_back({"SET", k, m.strings[k]});
  }
  for (int i = 0; i < 50; i += 3) {
    const std::string k = "h:" + std::to_string(i);
    m.hashes[k]["new"] = "field" + std::to_string(i);
    m.hashes[k].erase("f1");
    writes.push_back({"HSET", k, "new", "field" + std::to_string(i)});
    writes.push_back({"HDEL", k, "f1"});
  }
  for (const std::string& r : Pipeline(c.get(), writes)) ASSERT_NE(r.substr(0, 7), "(error)") << r;
  ASSERT_TRUE(WaitFor([&] { return InfoInt(c.get(), "tier", "tier_keys") > 4000; }));

  // kill -9: every acknowledged write (appendfsync always) is there, wherever its value was.
  server->Kill();
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  ASSERT_NE(c, nullptr);
  EXPECT_GT(InfoInt(c.get(), "tier", "tier_keys"), 2000) << "stubs come back from the snapshot";
  ExpectMatches(c.get(), m);

  // And once more from a snapshot taken with the changes in (clean restart).
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  ASSERT_NE(c, nullptr);
  ExpectMatches(c.get(), m);
  EXPECT_EQ(InfoInt(c.get(), "tier", "tier_read_errors"), 0);
}

// Streams go to the tier as whole values like the other collections: a cold stream reads
// back entry for entry, a consumer group works on it (the read brings it back), and all of it
// survives a kill -9.
TEST(TierTest, StreamsGoToTheTierAndComeBackWhole) {
  std::unique_ptr<ServerProcess> server = StartTiered({"--appendfsync", "always"});
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  ASSERT_NE(c, nullptr);
  constexpr int kStreams = 120, kEntries = 40;
  std::vector<std::vector<std::string>> writes;
  for (int k = 0; k < kStreams; ++k) {
    const std::string key = "x:" + std::to_string(k);
    for (int e = 1; e <= kEntries; ++e) {
      writes.push_back({"XADD", key, std::to_string(e) + "-" + std::to_string(k), "payload",
                        ValueOf(e, k, 1000), "n", std::to_string(e)});
    }
    writes.push_back({"XGROUP", "CREATE", key, "g", "0"});
  }
  for (const std::string& r : Pipeline(c.get(), writes)) ASSERT_NE(r.substr(0, 7), "(error)") << r;
  ASSERT_TRUE(WaitFor([&] { return InfoInt(c.get(), "tier", "tier_keys") > kStreams / 4; }))
      << "tier_keys " << InfoInt(c.get(), "tier", "tier_keys");

  auto check = [&](int from) {
    for (int k = from; k < kStreams; ++k) {
      const std::string key = "x:" + std::to_string(k);
      ReplyPtr r = Command(c.get(), {"XRANGE", key, "-", "+"});
      ASSERT_TRUE(r && r->type == REDIS_REPLY_ARRAY) << key;
      ASSERT_EQ(r->elements, static_cast<size_t>(kEntries)) << key;
      for (int e = 1; e <= kEntries; ++e) {
        const redisReply* entry = r->element[e - 1];
        ASSERT_EQ(std::string(entry->element[0]->str), std::to_string(e) + "-" + std::to_string(k));
        ASSERT_EQ(std::string(entry->element[1]->element[1]->str, entry->element[1]->element[1]->len),
                  ValueOf(e, k, 1000));
      }
    }
  };
  check(0);
  // The group of the first streams reads two entries and acknowledges one.
  for (int k = 0; k < 10; ++k) {
    const std::string key = "x:" + std::to_string(k);
    ReplyPtr r = Command(c.get(), {"XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", key, ">"});
    ASSERT_TRUE(r && r->type == REDIS_REPLY_ARRAY) << key;
    ASSERT_EQ(Describe(Command(c.get(), {"XACK", key, "g", "1-" + std::to_string(k)}).get()),
              "(integer) 1");
  }
  server->Kill();
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  ASSERT_NE(c, nullptr);
  check(0);
  for (int k = 0; k < 10; ++k) {
    const std::string key = "x:" + std::to_string(k);
    EXPECT_EQ(Describe(Command(c.get(), {"XPENDING", key, "g"}).get()),
              "[(integer) 1, \"2-" + std::to_string(k) + "\", \"2-" + std::to_string(k) +
                  "\", [[\"c\", \"1\"]]]");
  }
  EXPECT_EQ(InfoInt(c.get(), "tier", "tier_read_errors"), 0);
}

TEST(TierTest, KeyOnlyCommandsNeverReadTheTierAndTransactionsSeeColdValues) {
  std::unique_ptr<ServerProcess> server = StartTiered({"--maxmemory", "1mb"});
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  ASSERT_NE(c, nullptr);
  std::vector<std::vector<std::string>> writes;
  for (int i = 0; i < 2000; ++i) writes.push_back({"SET", "k" + std::to_string(i), ValueOf(i, 0)});
  Pipeline(c.get(), writes);
  ASSERT_TRUE(WaitFor([&] { return InfoInt(c.get(), "tier", "tier_keys") > 1500; }));
  const int64_t reads = InfoInt(c.get(), "tier", "tier_cold_reads");
  std::vector<std::vector<std::string>> meta;
  for (int i = 0; i < 2000; ++i) {
    const std::string k = "k" + std::to_string(i);
    meta.push_back({"EXISTS", k});
    meta.push_back({"TYPE", k});
    meta.push_back({"TTL", k});
    meta.push_back({"EXPIRE", k, "100000"});
    meta.push_back({"PTTL", k});
    if (i % 2) meta.push_back({"PERSIST", k});
  }
  std::vector<std::string> got = Pipeline(c.get(), meta);
  EXPECT_EQ(got[0], "(integer) 1");
  EXPECT_EQ(got[1], "string");
  EXPECT_EQ(got[2], "(integer) -1");
  EXPECT_EQ(got[3], "(integer) 1");
  EXPECT_EQ(InfoInt(c.get(), "tier", "tier_cold_reads"), reads);
  std::vector<std::vector<std::string>> dels;
  for (int i = 0; i < 2000; i += 4) dels.push_back({"DEL", "k" + std::to_string(i)});
  for (const std::string& r : Pipeline(c.get(), dels)) EXPECT_EQ(r, "(integer) 1");
  EXPECT_EQ(InfoInt(c.get(), "tier", "tier_cold_reads"), reads);

  // A transaction over cold keys: its values are read before EXEC runs, all of them right.
  ASSERT_TRUE(Command(c.get(), {"MULTI"}));
  for (int i = 1; i < 2000; i += 4) Command(c.get(), {"GET", "k" + std::to_string(i)});
  ReplyPtr exec = Command(c.get(), {"EXEC"});
  ASSERT_TRUE(exec);
  ASSERT_EQ(exec->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(exec->elements, 500u);
  for (size_t j = 0; j < exec->elements; ++j) {
    ASSERT_EQ(std::string(exec->element[j]->str, exec->element[j]->len), ValueOf(1 + 4 * j, 0));
  }
  EXPECT_GT(InfoInt(c.get(), "tier", "tier_cold_reads"), reads);
  // OBJECT ENCODING and a type mismatch on a cold key.
  ReplyPtr enc = Command(c.get(), {"OBJECT", "ENCODING", "k3"});
  ASSERT_TRUE(enc);
  EXPECT_EQ(Describe(enc.get()), "\"raw\"");
  ReplyPtr wrong = Command(c.get(), {"LPUSH", "k7", "x"});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(Describe(wrong.get()),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST(TierTest, ExpiredValuesLeaveTheTierAndGiveTheirDiskSpaceBack) {
  std::unique_ptr<ServerProcess> server = StartTiered({"--maxmemory", "1mb"});
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  ASSERT_NE(c, nullptr);
  std::vector<std::vector<std::string>> writes;
  for (int i = 0; i < 4000; ++i) {
    writes.push_back({"SET", "t" + std::to_string(i), ValueOf(i, 0), "PX", "3000"});
  }
  for (int i = 0; i < 100; ++i) writes.push_back({"SET", "keep" + std::to_string(i), "x"});
  Pipeline(c.get(), writes);
  ASSERT_TRUE(WaitFor([&] { return InfoInt(c.get(), "tier", "tier_keys") > 3000; }));
  int64_t peak_disk = 0;
  ASSERT_TRUE(WaitFor([&] {
    peak_disk = std::max(peak_disk, InfoInt(c.get(), "tier", "tier_disk_bytes"));
    return InfoInt(c.get(), "tier", "tier_keys") == 0;
  })) << "expired stubs are deleted without reading their values";
  EXPECT_GT(peak_disk, 4 << 20);
  EXPECT_EQ(InfoInt(c.get(), "tier", "tier_bytes"), 0);
  ReplyPtr size = Command(c.get(), {"DBSIZE"});
  ASSERT_TRUE(size);
  EXPECT_EQ(size->integer, 100);
  // The stored values are deleted once two snapshots are past them; the disk space follows.
  for (int i = 0; i < 2; ++i) ASSERT_EQ(Describe(Command(c.get(), {"SAVE"}).get()), "OK");
  EXPECT_GE(InfoInt(c.get(), "tier", "tier_deleted_values"), 3000);
  EXPECT_TRUE(WaitFor([&] { return InfoInt(c.get(), "tier", "tier_disk_bytes") < peak_disk / 4; }))
      << "disk bytes " << InfoInt(c.get(), "tier", "tier_disk_bytes") << ", peak " << peak_disk;
}

TEST(TierTest, AFullTierEvictsAsThePolicySaysAndNoevictionRefusesWrites) {
  // 1 MB of RAM and 2 MB of tier for 8 MB of writes.
  for (const std::string policy : {"noeviction", "allkeys-lru", "volatile-lru"}) {
    SCOPED_TRACE(policy);
    std::unique_ptr<ServerProcess> server = StartTiered(
        {"--maxmemory", "1mb", "--tier-max-bytes", "2mb", "--maxmemory-policy", policy});
    ASSERT_NE(server, nullptr);
    RedisConnection c = Connect(server->port());
    ASSERT_NE(c, nullptr);
    std::vector<std::vector<std::string>> writes;
    for (int i = 0; i < 4000; ++i) {
      // Odd keys have a TTL (far away): the only ones volatile-lru may evict.
      std::vector<std::string> set = {"SET", "k" + std::to_string(i), ValueOf(i, 0)};
      if (i % 2) set.insert(set.end(), {"EX", "100000"});
      writes.push_back(set);
    }
    std::vector<std::string> replies = Pipeline(c.get(), writes);
    size_t ok = 0, oom = 0;
    for (const std::string& r : replies) {
      if (r == "OK") ++ok;
      if (r == "(error) OOM command not allowed when used memory > 'maxmemory'.") ++oom;
    }
    EXPECT_EQ(ok + oom, replies.size()) << replies.back();
    EXPECT_LE(InfoInt(c.get(), "tier", "tier_bytes"), 2 << 20);
    // Every key acknowledged and not evicted reads back whole. (Without a limit from here on:
    // the reads promote values, which would make room by evicting again.)
    ASSERT_EQ(Describe(Command(c.get(), {"CONFIG", "SET", "maxmemory", "0"}).get()), "OK");
    ReplyPtr size = Command(c.get(), {"DBSIZE"});
    ASSERT_TRUE(size);
    const int64_t evicted = InfoInt(c.get(), "stats", "evicted_keys");
    EXPECT_EQ(static_cast<int64_t>(ok), size->integer + evicted);
    std::vector<std::vector<std::string>> gets;
    for (int i = 0; i < 4000; ++i) gets.push_back({"GET", "k" + std::to_string(i)});
    std::vector<std::string> got = Pipeline(c.get(), gets);
    size_t present = 0, evens_gone = 0;
    for (int i = 0; i < 4000; ++i) {
      if (got[i] == "(nil)") {
        if (i % 2 == 0 && replies[i] == "OK") ++evens_gone;
        continue;
      }
      ++present;
      ASSERT_EQ(got[i], "\"" + ValueOf(i, 0) + "\"") << "k" << i;
    }
    EXPECT_EQ(static_cast<int64_t>(present), size->integer);
    if (policy == "noeviction") {
      EXPECT_GT(oom, 0u) << "a full tier and full RAM refuse writes";
      EXPECT_EQ(evicted, 0);
      EXPECT_EQ(present, ok);  // nothing acknowledged is lost
    } else if (policy == "allkeys-lru") {
      EXPECT_EQ(oom, 0u);
      EXPECT_GT(evicted, 1000) << "a full tier drops its coldest keys";
      EXPECT_GT(InfoInt(c.get(), "tier", "tier_evictions"), 0);
    } else {
      // The 4 MB without a TTL can't all fit in 1 MB of RAM and 2 MB of tier: once the keys
      // with a TTL are gone, writes are refused, as Redis refuses them.
      EXPECT_GT(evicted, 500);
      EXPECT_EQ(evens_gone, 0u) << "keys without a TTL never go";
    }
  }
}

}  // namespace
}  // namespace strata::integration
