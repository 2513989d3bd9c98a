// The write-ahead log seen from outside: what survives a restart, what recovery says about a
// torn or damaged log, INFO persistence, and the settings. Each test runs with the WAL writer on
// io_uring and on pwrite.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/persistence_util.h"
#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

// The log alone: snapshots are off (tests/integration/snapshot_test.cc has them).
class PersistenceTest : public ::testing::TestWithParam<const char*> {
 protected:
  std::unique_ptr<ServerProcess> Start(std::vector<std::string> flags = {}) {
    flags.insert(flags.begin(),
                 {"--wal-io-backend", GetParam(), "--save", "", "--snapshot-wal-bytes", "0"});
    std::string error;
    auto s = ServerProcess::StartStrata(flags, &error);
    EXPECT_NE(s, nullptr) << error;
    return s;
  }
};

TEST_P(PersistenceTest, EveryKindOfWriteSurvivesARestart) {
  for (const char* stop : {"SIGTERM", "SIGKILL"}) {
    auto server = Start({"--appendfsync", "always"});
    ASSERT_NE(server, nullptr);
    RedisConnection c = Connect(server->port());
    const std::vector<std::vector<std::string>> script = {
        {"SET", "plain", "v"},
        {"SET", "ttl", "v", "EX", "1000"},
        {"SET", "gone", "v", "PX", "1"},  // expires before the restart
        {"APPEND", "log", "a"},
        {"APPEND", "log", "bc"},
        {"INCR", "n"},
        {"INCRBY", "n", "41"},
        {"INCRBYFLOAT", "f", "1.5"},
        {"SETRANGE", "r", "3", "xy"},
        {"SETRANGE", "r", "1", "Q"},  // in place
        {"SET", "bits", "v", "EX", "1000"},
        {"SETBIT", "bits", "3", "1"},
        {"SETBIT", "bits", "100", "1"},
        {"BITFIELD", "bits", "SET", "i5", "7", "-3", "INCRBY", "u60", "90", "12345678901"},
        {"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "16", "300"},  // created, zeros
        {"BITOP", "XOR", "xored", "bits", "r"},
        {"MSET", "m1", "1", "m2", "2", "m3", "3"},
        {"RENAME", "m1", "renamed"},
        {"EXPIRE", "m2", "500"},
        {"PERSIST", "ttl"},
        {"COPY", "plain", "copied", "DB", "2"},
        {"MOVE", "m3", "3"},
        {"SELECT", "1"},
        {"SET", "one", "1"},
        {"SELECT", "2"},
        {"SET", "two", "2"},
        {"SWAPDB", "1", "2"},
        {"SELECT", "3"},
        {"SET", "three", "3"},
        {"FLUSHDB"},
        {"SELECT", "0"},
        {"DEL", "plain"},
        {"GETDEL", "renamed"},
        {"SET", "plain", "again"},
        // Collections: every effect kind, a TTL, a rename and a copy.
        {"RPUSH", "list", "a", "b", "c", "d"},
        {"LPUSH", "list", "z"},
        {"LPOP", "list"},
        {"LSET", "list", "1", "B"},
        {"LINSERT", "list", "BEFORE", "c", "bc"},
        {"LREM", "list", "0", "d"},
        {"RPUSH", "list", "e", "f", "g"},
        {"LTRIM", "list", "0", "4"},
        {"HSET", "hash", "f1", "v1", "f2", "v2"},
        {"HDEL", "hash", "f1"},
        {"HINCRBY", "hash", "n", "7"},
        {"EXPIRE", "hash", "1000"},
        {"SADD", "set", "1", "2", "x"},
        {"SREM", "set", "2"},
        {"RENAME", "set", "set2"},
        {"ZADD", "zset", "1", "a", "2.5", "b"},
        {"ZINCRBY", "zset", "3", "a"},
        {"ZREM", "zset", "b"},
        {"COPY", "zset", "zcopy"},
        {"SADD", "gone-set", "x"},
        {"SPOP", "gone-set"},  // emptied: the key is gone
    };
    for (const auto& cmd : script) {
      ReplyPtr r = Command(c.get(), cmd);
      ASSERT_NE(r, nullptr);
      ASSERT_NE(r->type, REDIS_REPLY_ERROR) << cmd[0] << ": " << Describe(r.get());
    }
    // Large collections, in their full encodings.
    for (int i = 0; i < 600; ++i) {
      const std::string n = std::to_string(i);
      for (const auto& cmd : std::vector<std::vector<std::string>>{
               {"RPUSH", "biglist", std::string(100, 'a') + n},
               {"HSET", "bighash", "f" + n, n},
               {"SADD", "bigset", "m" + n},
               {"SADD", "bigints", n},
               {"ZADD", "bigzset", std::to_string(i % 17), "m" + n}}) {
        ReplyPtr r = Command(c.get(), cmd);
        ASSERT_TRUE(r && r->type == REDIS_REPLY_INTEGER) << cmd[0] << ": " << Describe(r.get());
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto before = DumpDbs(c.get());
    EXPECT_EQ(before.count("0/gone"), 0u);
    EXPECT_EQ(before.at("0/log"), "string \"abc\"");
    EXPECT_EQ(before.at("0/n"), "string \"42\"");
    EXPECT_EQ(before.at("0/bf"), std::string("string \"\0\0\0\"", 12));
    EXPECT_EQ(before.at("2/one"), "string \"1\"");  // swapped
    EXPECT_EQ(before.at("0/list"), "list [\"a\", \"B\", \"bc\", \"c\", \"e\"]");
    EXPECT_EQ(before.at("0/hash"), "hash \"f2\"=\"v2\" \"n\"=\"7\"  (ttl)");
    EXPECT_EQ(before.at("0/zcopy"), "zset [\"a\", \"4\"]");
    EXPECT_EQ(before.count("0/gone-set"), 0u);
    EXPECT_EQ(before.count("0/set"), 0u);
    c.reset();
    if (std::string(stop) == "SIGKILL") {
      server->Kill();
    } else {
      ASSERT_TRUE(server->Stop().has_value());
    }
    std::string error;
    ASSERT_TRUE(server->Restart(&error)) << error;
    c = Connect(server->port());
    EXPECT_EQ(DumpDbs(c.get()), before) << stop;
    EXPECT_NE(server->Log().find("DB loaded from the write-ahead log"), std::string::npos);
  }
}

TEST_P(PersistenceTest, KeysThatExpiredWhileDownStayGone) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  Command(c.get(), {"SET", "short", "v", "PX", "200"});
  Command(c.get(), {"SET", "long", "v", "EX", "1000"});
  ASSERT_TRUE(server->Stop().has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(Command(c.get(), {"EXISTS", "short"})->integer, 0);
  EXPECT_GT(Command(c.get(), {"TTL", "long"})->integer, 990);
}

// EXISTS, TYPE, the TTL family and OBJECT delete an expired key they meet, and the delete must
// be logged like any lazy expiry: once it was not, so the log still held the string when a SADD
// made the key a set, and replaying set_add onto a string stopped start-up (found by
// fuzz_command, whose shadow keyspace replays every record).
TEST_P(PersistenceTest, ExpiryFoundByReadOnlyLookupsIsLogged) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  const char* lookups[][3] = {{"EXISTS", "k1", nullptr}, {"TYPE", "k2", nullptr},
                              {"TTL", "k3", nullptr},     {"PEXPIRETIME", "k4", nullptr},
                              {"OBJECT", "ENCODING", "k5"}};
  for (const auto& l : lookups) {
    const std::string key = l[2] != nullptr ? l[2] : l[1];
    Command(c.get(), {"SET", key, "v", "PX", "20"});
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  for (const auto& l : lookups) {
    std::vector<std::string> line = {l[0], l[1]};
    if (l[2] != nullptr) line.push_back(l[2]);
    Command(c.get(), line);
    Command(c.get(), {"SADD", line.back(), "member"});
  }
  ASSERT_TRUE(server->Stop().has_value());
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  for (const char* key : {"k1", "k2", "k3", "k4", "k5"}) {
    EXPECT_EQ(std::string(Command(c.get(), {"TYPE", key})->str), "set") << key;
  }
}

TEST_P(PersistenceTest, TornTailIsDroppedAndReported) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  for (int i = 0; i < 100; ++i) Command(c.get(), {"SET", "k" + std::to_string(i), "v"});
  c.reset();
  ASSERT_TRUE(server->Stop().has_value());
  // A write cut short: the start of a record header after the last record.
  const auto segs = Segments(server->data_dir());
  ASSERT_FALSE(segs.empty());
  std::string data = ReadFile(segs.back());
  size_t end = data.find_last_not_of('\0') + 1;
  {
    std::fstream f(segs.back(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(end));
    f.write("\x12\x34\x56\x78\x40\x00\x00\x00\x65", 9);
  }
  std::string error;
  // aof-load-truncated no: start-up stops and the log stays as it is.
  EXPECT_FALSE(server->Restart(&error, {"--aof-load-truncated", "no"}));
  EXPECT_NE(error.find("Unexpected end of file reading the write-ahead log"), std::string::npos)
      << error;
  EXPECT_EQ(ReadFile(segs.back()).substr(0, end + 9), data.substr(0, end) +
                                                          std::string("\x12\x34\x56\x78\x40\x00\x00\x00\x65", 9));
  // aof-load-truncated yes (the default): the tail is cut and start-up goes on.
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(Command(c.get(), {"DBSIZE"})->integer, 100);
  EXPECT_NE(server->Log().find("torn write"), std::string::npos) << server->Log();
  EXPECT_EQ(InfoField(c.get(), "wal_recovered_dropped_bytes"), "9");
  // The tail was cut on disk: writing on and restarting again keeps everything.
  Command(c.get(), {"SET", "after", "1"});
  c.reset();
  ASSERT_TRUE(server->Stop().has_value());
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(Command(c.get(), {"DBSIZE"})->integer, 101);
  EXPECT_EQ(InfoField(c.get(), "wal_recovered_dropped_bytes"), "0");
}

TEST_P(PersistenceTest, DamageInAnOlderSegmentStopsStartUpUntilRepaired) {
  auto server = Start({"--wal-segment-size", "8kb"});
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  for (int i = 0; i < 500; ++i) Command(c.get(), {"SET", "key:" + std::to_string(i), "value"});
  c.reset();
  ASSERT_TRUE(server->Stop().has_value());
  const auto segs = Segments(server->data_dir());
  ASSERT_GE(segs.size(), 3u);
  {
    std::fstream f(segs.front(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('\xff');
  }
  std::string error;
  EXPECT_FALSE(server->Restart(&error));
  const std::string log = server->Log();
  EXPECT_NE(log.find(segs.front()), std::string::npos) << log;
  EXPECT_NE(log.find("at offset"), std::string::npos) << log;
  EXPECT_NE(log.find("strata-inspect wal repair"), std::string::npos) << log;

  ToolResult repair =
      RunTool({STRATA_INSPECT_PATH, "wal", "repair", server->data_dir() + "/appendonlydir"});
  EXPECT_EQ(repair.exit_code, 0) << repair.output;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  // A prefix survives: the keys written before the damaged record, none after.
  const int64_t n = Command(c.get(), {"DBSIZE"})->integer;
  EXPECT_GT(n, 0);
  EXPECT_LT(n, 500);
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(Command(c.get(), {"EXISTS", "key:" + std::to_string(i)})->integer, 1) << i;
  }
}

TEST_P(PersistenceTest, InfoReportsTheLogAndAppendfsyncChangesAtRunTime) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  EXPECT_EQ(InfoField(c.get(), "aof_enabled"), "1");
  EXPECT_EQ(InfoField(c.get(), "wal_appendfsync"), "everysec");
  EXPECT_EQ(InfoField(c.get(), "wal_io"),
            std::string(GetParam()) == "uring" ? "io_uring" : "pwrite");
  EXPECT_EQ(InfoField(c.get(), "aof_last_write_status"), "ok");
  ASSERT_EQ(Command(c.get(), {"CONFIG", "SET", "appendfsync", "always"})->type, REDIS_REPLY_STATUS);
  EXPECT_EQ(InfoField(c.get(), "wal_appendfsync"), "always");
  const int64_t fsyncs = std::stoll(InfoField(c.get(), "wal_fsyncs"));
  for (int i = 0; i < 10; ++i) Command(c.get(), {"SET", "k", std::to_string(i)});
  // Under always each acknowledged write was synced before its reply: the durable LSN is the
  // current one, and there was at least one fsync per (unpipelined) write.
  EXPECT_EQ(InfoField(c.get(), "wal_durable_lsn"), InfoField(c.get(), "wal_current_lsn"));
  EXPECT_EQ(InfoField(c.get(), "wal_current_lsn"), "10");
  EXPECT_GE(std::stoll(InfoField(c.get(), "wal_fsyncs")), fsyncs + 10);
  ReplyPtr r = Command(c.get(), {"CONFIG", "SET", "appendonly", "no"});
  EXPECT_EQ(r->type, REDIS_REPLY_ERROR);
}

TEST_P(PersistenceTest, AppendonlyNoWritesNoLog) {
  auto server = Start({"--appendonly", "no"});
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  Command(c.get(), {"SET", "k", "v"});
  EXPECT_EQ(InfoField(c.get(), "aof_enabled"), "0");
  c.reset();
  ASSERT_TRUE(server->Stop().has_value());
  EXPECT_TRUE(Segments(server->data_dir()).empty());
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(Command(c.get(), {"DBSIZE"})->integer, 0);
}

INSTANTIATE_TEST_SUITE_P(WalIo, PersistenceTest, ::testing::Values("uring", "pwrite"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

}  // namespace
}  // namespace strata::integration
