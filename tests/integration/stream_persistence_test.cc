// Streams are durable like every other value: each stream effect (entries added with the IDs
// chosen, deletes, trims, XSETID, groups and consumers, deliveries, acknowledgements and claims
// with their times and counts) comes back after a kill -9 under appendfsync always, from the log
// and from a snapshot alone; snapshots taken while streams change recover exactly (the capture
// copies a stream before it changes); every XADD and XACK acknowledged under load survives a
// kill -9.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/persistence_util.h"
#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

const std::vector<std::string> kAlways = {"--save", "", "--snapshot-wal-bytes", "0",
                                          "--appendfsync", "always"};

std::unique_ptr<ServerProcess> Start(const std::vector<std::string>& flags) {
  std::string error;
  auto s = ServerProcess::StartStrata(flags, &error);
  EXPECT_NE(s, nullptr) << error;
  return s;
}

std::string Ask(redisContext* c, const std::vector<std::string>& argv) {
  ReplyPtr r = Command(c, argv);
  return r ? Describe(r.get()) : "(no reply)";
}

// Every stream effect, on small streams (2-entry nodes) and a larger one.
void StreamScript(redisContext* c) {
  const std::vector<std::vector<std::string>> script = {
      {"CONFIG", "SET", "stream-node-max-entries", "2"},
      {"XADD", "s", "1-1", "a", "1"},
      {"XADD", "s", "1-*", "a", "2", "b", "3"},
      {"XADD", "s", "2-0", "a", "4"},
      {"XADD", "s", "MAXLEN", "=", "5", "3-0", "a", "5"},
      {"XADD", "s", "4-0", "a", "6"},
      {"XADD", "s", "5-0", "a", "7"},
      {"XADD", "s", "6-0", "a", "8"},
      {"XDEL", "s", "2-0"},
      {"XTRIM", "s", "MAXLEN", "~", "2"},
      {"XGROUP", "CREATE", "s", "g", "0"},
      {"XGROUP", "CREATE", "s", "gone", "$"},
      {"XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"},
      {"XGROUP", "CREATECONSUMER", "s", "g", "idle"},
      {"XGROUP", "CREATECONSUMER", "s", "g", "dropped"},
      {"XGROUP", "DELCONSUMER", "s", "g", "dropped"},
      {"XGROUP", "DESTROY", "s", "gone"},
      {"XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">"},
      {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"},
      {"XREADGROUP", "GROUP", "g", "bob", "NOACK", "COUNT", "1", "STREAMS", "s", ">"},
      {"XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", ">"},
      {"XACK", "s", "g", "3-0"},
      {"XCLAIM", "s", "g", "bob", "0", "4-0", "TIME", "1000", "RETRYCOUNT", "7"},
      {"XCLAIM", "s", "g", "dave", "0", "6-0", "FORCE", "JUSTID", "LASTID", "7-0"},
      {"XDEL", "s", "5-0"},
      {"XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "1"},
      {"XGROUP", "SETID", "s", "g", "5-0", "ENTRIESREAD", "3"},
      {"XSETID", "s", "9-9", "ENTRIESADDED", "20", "MAXDELETEDID", "8-0"},
      {"XADD", "t", "MAXLEN", "0", "1-0", "f", "v"},  // an empty stream stays
  };
  for (const auto& cmd : script) {
    ReplyPtr r = Command(c, cmd);
    ASSERT_TRUE(r && r->type != REDIS_REPLY_ERROR) << cmd[0] << ": " << Describe(r.get());
  }
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ(Ask(c, {"XADD", "big", std::to_string(i + 1) + "-0", "field", std::string(i % 50, 'v')}),
              "\"" + std::to_string(i + 1) + "-0\"");
  }
}

TEST(StreamPersistenceTest, EveryStreamEffectSurvivesAKillFromTheLogAndFromASnapshot) {
  auto server = Start(kAlways);
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  StreamScript(c.get());
  const auto before = DumpDbs(c.get());
  ASSERT_EQ(before.size(), 4u);
  ASSERT_NE(before.at("0/s").find("\"seen-time\""), std::string::npos) << before.at("0/s");
  c.reset();
  server->Kill();
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(DumpDbs(c.get()), before);  // replayed from the log

  ASSERT_EQ(Ask(c.get(), {"SAVE"}), "OK");
  c.reset();
  server->Kill();
  fs::remove_all(server->data_dir() + "/appendonlydir");
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(DumpDbs(c.get()), before);  // from the snapshot alone
  EXPECT_EQ(Ask(c.get(), {"TYPE", "t"}), "stream");
}

// Snapshots are taken while writers change streams (entries, deliveries, acks, trims); the
// snapshot must hold each stream as it was at its moment, so that replaying the log after it
// ends exactly where the writers left the streams.
TEST(StreamPersistenceTest, SnapshotsTakenWhileStreamsChangeRecoverExactly) {
  auto server = Start(kAlways);
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  for (int k = 0; k < 4; ++k) {
    const std::string key = "w" + std::to_string(k);
    ASSERT_EQ(Ask(c.get(), {"XGROUP", "CREATE", key, "g", "$", "MKSTREAM"}), "OK");
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      RedisConnection wc = Connect(server->port());
      for (int i = 0; wc && !stop.load(); ++i) {
        const std::string key = "w" + std::to_string((i + w) % 4);
        Command(wc.get(), {"XADD", key, "MAXLEN", "~", "300", "*", "i", std::to_string(i)});
        if (i % 3 == 0) {
          ReplyPtr r = Command(wc.get(), {"XREADGROUP", "GROUP", "g", "c" + std::to_string(w),
                                          "COUNT", "2", "STREAMS", key, ">"});
          if (r && r->type == REDIS_REPLY_ARRAY && i % 2 == 0) {
            const redisReply* entries = r->element[0]->element[1];
            const redisReply* id = entries->element[0]->element[0];
            Command(wc.get(), {"XACK", key, "g", std::string(id->str, id->len)});
          }
        }
      }
    });
  }
  for (int s = 0; s < 4; ++s) {
    ASSERT_EQ(Ask(c.get(), {"BGSAVE"}), "Background saving started");
    for (int i = 0; i < 6000 && InfoField(c.get(), "rdb_bgsave_in_progress") != "0"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(InfoField(c.get(), "rdb_last_bgsave_status"), "ok");
  }
  stop = true;
  for (auto& t : writers) t.join();
  const auto before = DumpDbs(c.get());
  ASSERT_EQ(before.size(), 4u);
  c.reset();
  server->Kill();
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(DumpDbs(c.get()), before);
  EXPECT_NE(InfoField(c.get(), "rdb_last_load_keys_loaded"), "0");
}

// Under load, every XADD and XACK that was answered is there after a kill -9.
TEST(StreamPersistenceTest, AnsweredXaddsAndXacksSurviveAKill) {
  auto server = Start(kAlways);
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  ASSERT_EQ(Ask(c.get(), {"XGROUP", "CREATE", "q", "g", "$", "MKSTREAM"}), "OK");
  std::set<std::string> added, acked;  // each thread's own, read after the joins
  std::atomic<size_t> added_count{0};
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    RedisConnection pc = Connect(server->port());
    while (pc && !stop.load()) {
      ReplyPtr r = Command(pc.get(), {"XADD", "q", "*", "job", "x"});
      if (!r || r->type != REDIS_REPLY_STRING) break;
      added.insert(std::string(r->str, r->len));
      ++added_count;
    }
  });
  std::thread consumer([&] {
    RedisConnection cc = Connect(server->port());
    while (cc && !stop.load()) {
      ReplyPtr r = Command(cc.get(), {"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "BLOCK",
                                      "20", "STREAMS", "q", ">"});
      if (!r) break;
      if (r->type != REDIS_REPLY_ARRAY) continue;
      const redisReply* id = r->element[0]->element[1]->element[0]->element[0];
      const std::string s(id->str, id->len);
      ReplyPtr a = Command(cc.get(), {"XACK", "q", "g", s});
      if (!a || a->type != REDIS_REPLY_INTEGER) break;
      acked.insert(s);
    }
  });
  while (added_count.load() < 300) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server->Kill();  // while both are running
  stop = true;
  producer.join();
  consumer.join();
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  ASSERT_GE(added.size(), 300u);
  for (const std::string& id : added) {
    EXPECT_EQ(Ask(c.get(), {"XRANGE", "q", id, id}).find("[[\"" + id + "\""), 0u) << id;
  }
  ReplyPtr pending = Command(c.get(), {"XPENDING", "q", "g", "-", "+", "100000"});
  ASSERT_TRUE(pending && pending->type == REDIS_REPLY_ARRAY);
  for (size_t i = 0; i < pending->elements; ++i) {
    const std::string id(pending->element[i]->element[0]->str, pending->element[i]->element[0]->len);
    EXPECT_EQ(acked.count(id), 0u) << id << " was acknowledged but is pending again";
  }
}

}  // namespace
}  // namespace strata::integration
