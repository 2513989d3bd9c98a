// Snapshots seen from outside: what a snapshot alone restores, a clean restart replaying
// nothing, falling back from a damaged snapshot, refusing to start when none can be read, WAL
// trimming, the triggers and INFO, and SIGKILL while a snapshot is being written.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/persistence_util.h"
#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

// Snapshots only when asked (SAVE, BGSAVE, shutdown) unless a test turns triggers on; every
// acknowledged write durable, so that a kill -9 loses nothing.
const std::vector<std::string> kManual = {"--save", "", "--snapshot-wal-bytes", "0",
                                          "--appendfsync", "always"};

std::unique_ptr<ServerProcess> Start(std::vector<std::string> flags) {
  std::string error;
  auto s = ServerProcess::StartStrata(flags, &error);
  EXPECT_NE(s, nullptr) << error;
  return s;
}

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void Ok(redisContext* c, const std::vector<std::string>& cmd) {
  ReplyPtr r = Command(c, cmd);
  ASSERT_NE(r, nullptr) << cmd[0];
  ASSERT_NE(r->type, REDIS_REPLY_ERROR) << cmd[0] << ": " << Describe(r.get());
}

void SetKeys(redisContext* c, const std::string& prefix, int n) {
  for (int i = 0; i < n; ++i) Ok(c, {"SET", prefix + std::to_string(i), "v" + std::to_string(i)});
}

// Whether prefix0..prefix(n-1) all hold their values.
::testing::AssertionResult HasKeys(redisContext* c, const std::string& prefix, int n) {
  for (int i = 0; i < n; ++i) {
    ReplyPtr r = Command(c, {"GET", prefix + std::to_string(i)});
    if (!r || r->type != REDIS_REPLY_STRING || std::string(r->str, r->len) != "v" + std::to_string(i)) {
      return ::testing::AssertionFailure() << prefix << i << " is " << (r ? Describe(r.get()) : "?");
    }
  }
  return ::testing::AssertionSuccess();
}

void FlipByte(const std::string& path, size_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char b = 0;
  f.get(b);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(b ^ 0x10));
}

// Every kind of value and TTL comes back from the snapshot alone: the log is deleted before
// the restart. The new log then starts past the snapshot, so writes after it survive a kill -9.
TEST(SnapshotTest, SnapshotAloneRestoresEveryValueAndTtl) {
  auto server = Start(kManual);
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  const std::vector<std::vector<std::string>> script = {
      {"SET", "plain", "v"},           {"SET", "ttl", "v", "EX", "1000"},
      {"SET", "bin", std::string("a\0b\r\n", 5)},
      {"SET", "empty", ""},            {"APPEND", "raw", "abc"},
      {"INCRBY", "n", "42"},           {"SET", "big", std::string(100000, 'x')},
      {"SELECT", "2"},                 {"SET", "two", "2", "PX", "900000"},
      {"SELECT", "3"},                 {"SET", "three", "3"},
      {"SELECT", "0"},
  };
  for (const auto& cmd : script) Ok(c.get(), cmd);
  // Collections, small (compact encodings) and large, one with a TTL.
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(i);
    for (const auto& cmd : std::vector<std::vector<std::string>>{
             {"RPUSH", i < 5 ? "list" : "biglist", "e" + n},
             {"HSET", i < 5 ? "hash" : "bighash", "f" + n, std::string(i % 100, 'v')},
             {"SADD", i < 5 ? "ints" : "bigints", n},
             {"SADD", i < 5 ? "set" : "bigset", "m" + n},
             {"ZADD", i < 5 ? "zset" : "bigzset", std::to_string(i * 0.5), "m" + n}}) {
      ReplyPtr r = Command(c.get(), cmd);
      ASSERT_TRUE(r && r->type == REDIS_REPLY_INTEGER) << cmd[0] << ": " << Describe(r.get());
    }
  }
  ASSERT_EQ(Describe(Command(c.get(), {"EXPIRE", "bigzset", "1000"}).get()), "(integer) 1");
  SetKeys(c.get(), "many:", 2000);
  const auto before = DumpDbs(c.get());
  Ok(c.get(), {"SAVE"});
  EXPECT_EQ(InfoField(c.get(), "rdb_last_bgsave_status"), "ok");
  EXPECT_EQ(InfoField(c.get(), "snapshot_last_keys"), std::to_string(before.size()));
  c.reset();
  server->Kill();
  fs::remove_all(server->data_dir() + "/appendonlydir");
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(DumpDbs(c.get()), before);
  EXPECT_EQ(Command(c.get(), {"OBJECT", "ENCODING", "n"})->str, std::string("int"));
  ReplyPtr ttl = Command(c.get(), {"TTL", "ttl"});
  EXPECT_GT(ttl->integer, 900);  // set at the start of a test that takes seconds
  EXPECT_LE(ttl->integer, 1000);
  EXPECT_EQ(InfoField(c.get(), "rdb_last_load_keys_loaded"), std::to_string(before.size()));

  Ok(c.get(), {"SET", "after", "1"});
  Ok(c.get(), {"DEL", "plain"});
  c.reset();
  server->Kill();
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(Command(c.get(), {"GET", "after"})->type, REDIS_REPLY_STRING) << server->Log();
  EXPECT_EQ(Command(c.get(), {"EXISTS", "plain"})->integer, 0);
}

// A clean shutdown takes a snapshot, so the restart replays nothing from the log.
TEST(SnapshotTest, CleanShutdownLeavesNothingToReplay) {
  auto server = Start({});
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  SetKeys(c.get(), "k", 1000);
  c.reset();
  ASSERT_EQ(server->Stop(), std::optional<int>(0));
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_TRUE(HasKeys(c.get(), "k", 1000));
  EXPECT_EQ(InfoField(c.get(), "wal_recovered_records"), "0");
  EXPECT_EQ(InfoField(c.get(), "rdb_last_load_keys_loaded"), "1000");
  EXPECT_NE(server->Log().find("Saving the final snapshot"), std::string::npos);

  // SHUTDOWN NOSAVE leaves it to the log.
  Ok(c.get(), {"SET", "late", "v0"});
  Command(c.get(), {"SHUTDOWN", "NOSAVE"});
  c.reset();
  server->WaitForExit(std::chrono::seconds(10));
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(InfoField(c.get(), "wal_recovered_records"), "1");
  EXPECT_EQ(std::string(Command(c.get(), {"GET", "late"})->str), "v0");
}

// A damaged newest snapshot (cut short, or one bit changed in a block) is reported and the one
// before it is used, with a longer replay of the log: nothing is lost.
TEST(SnapshotTest, DamagedNewestSnapshotFallsBackToThePreviousOne) {
  auto server = Start(With(kManual, {"--snapshot-keep", "3"}));
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  SetKeys(c.get(), "a", 500);
  Ok(c.get(), {"SAVE"});
  SetKeys(c.get(), "b", 500);
  Ok(c.get(), {"SAVE"});
  SetKeys(c.get(), "c", 500);
  c.reset();
  server->Kill();
  const auto snaps = SnapshotFiles(server->data_dir());
  ASSERT_EQ(snaps.size(), 2u);
  const std::string newest = snaps.back();
  const std::string good = ReadFile(newest);
  for (int variant = 0; variant < 2; ++variant) {
    if (variant == 0) {
      fs::resize_file(newest, good.size() / 2);
    } else {
      FlipByte(newest, good.size() / 3);  // inside a block (the footer is at the end)
    }
    std::string error;
    ASSERT_TRUE(server->Restart(&error)) << error;
    c = Connect(server->port());
    EXPECT_TRUE(HasKeys(c.get(), "a", 500));
    EXPECT_TRUE(HasKeys(c.get(), "b", 500));
    EXPECT_TRUE(HasKeys(c.get(), "c", 500));
    const std::string log = server->Log();
    EXPECT_NE(log.find("Snapshot " + newest + " cannot be used"), std::string::npos) << log;
    EXPECT_NE(log.find("Recovered from the older snapshot " + snaps.front()), std::string::npos);
    c.reset();
    server->Kill();
    std::ofstream(newest, std::ios::binary | std::ios::trunc) << good;
  }
}

// Snapshots exist but none can be read: the server refuses to start rather than come up with
// what may be a fraction of the data, and says why; snapshot-ignore-unreadable overrides.
TEST(SnapshotTest, NoReadableSnapshotRefusesToStartUnlessTold) {
  auto server = Start(kManual);
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  SetKeys(c.get(), "k", 100);
  Ok(c.get(), {"SAVE"});
  c.reset();
  server->Kill();
  const auto snaps = SnapshotFiles(server->data_dir());
  ASSERT_EQ(snaps.size(), 1u);
  FlipByte(snaps[0], 0);
  std::string error;
  EXPECT_FALSE(server->Restart(&error));
  EXPECT_NE(server->Log().find("Refusing to start"), std::string::npos) << server->Log();
  EXPECT_NE(server->Log().find("snapshot-ignore-unreadable"), std::string::npos);
  ASSERT_TRUE(server->Restart(&error, {"--snapshot-ignore-unreadable", "yes"})) << error;
  c = Connect(server->port());
  EXPECT_TRUE(HasKeys(c.get(), "k", 100));  // the log still held all of it
}

// Once a snapshot is durable, the segments below it go; recovery from the snapshot and the
// remaining log is complete, after a SIGKILL too.
TEST(SnapshotTest, LogIsTrimmedBehindSnapshotsAndRecoveryStaysComplete) {
  auto server = Start(With(kManual, {"--wal-segment-size", "8kb", "--snapshot-keep", "1"}));
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  SetKeys(c.get(), "a", 2000);
  const size_t before = Segments(server->data_dir()).size();
  ASSERT_GE(before, 5u);
  Ok(c.get(), {"SAVE"});
  const size_t after = Segments(server->data_dir()).size();
  EXPECT_LE(after, 2u) << before;
  EXPECT_EQ(InfoField(c.get(), "wal_segments"), std::to_string(after));
  SetKeys(c.get(), "b", 2000);
  Ok(c.get(), {"SAVE"});
  SetKeys(c.get(), "c", 300);
  c.reset();
  server->Kill();
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_TRUE(HasKeys(c.get(), "a", 2000));
  EXPECT_TRUE(HasKeys(c.get(), "b", 2000));
  EXPECT_TRUE(HasKeys(c.get(), "c", 300));
  EXPECT_EQ(InfoField(c.get(), "wal_recovered_records"), "300");
}

// Save points and snapshot-wal-bytes take snapshots by themselves; BGSAVE and LASTSAVE answer
// as Redis's do; INFO counts changes since the last snapshot.
TEST(SnapshotTest, TriggersBgsaveLastsaveAndInfo) {
  auto wait_saves = [](redisContext* c, int at_least) {
    for (int i = 0; i < 200; ++i) {
      if (std::stoi("0" + InfoField(c, "rdb_saves")) >= at_least) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  {
    auto server = Start({"--save", "1 2", "--snapshot-wal-bytes", "0"});
    ASSERT_NE(server, nullptr);
    RedisConnection c = Connect(server->port());
    EXPECT_EQ(InfoField(c.get(), "rdb_saves"), "0");
    Ok(c.get(), {"SET", "a", "1"});
    EXPECT_EQ(InfoField(c.get(), "rdb_changes_since_last_save"), "1");
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_EQ(InfoField(c.get(), "rdb_saves"), "0") << "one change is below the save point";
    Ok(c.get(), {"SET", "b", "1"});
    EXPECT_TRUE(wait_saves(c.get(), 1));
    EXPECT_EQ(InfoField(c.get(), "rdb_changes_since_last_save"), "0");
    EXPECT_EQ(InfoField(c.get(), "rdb_last_bgsave_status"), "ok");
  }
  {
    auto server = Start({"--save", "", "--snapshot-wal-bytes", "20kb"});
    ASSERT_NE(server, nullptr);
    RedisConnection c = Connect(server->port());
    Ok(c.get(), {"SET", "small", "1"});
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(InfoField(c.get(), "rdb_saves"), "0");
    for (int i = 0; i < 30; ++i) Ok(c.get(), {"SET", "k" + std::to_string(i), std::string(1000, 'x')});
    EXPECT_TRUE(wait_saves(c.get(), 1));

    const long long last = Command(c.get(), {"LASTSAVE"})->integer;
    EXPECT_LE(std::abs(last - static_cast<long long>(time(nullptr))), 5);
    ReplyPtr r = Command(c.get(), {"BGSAVE"});
    EXPECT_EQ(std::string(r->str), "Background saving started");
    EXPECT_TRUE(wait_saves(c.get(), 2));
    EXPECT_EQ(std::string(Command(c.get(), {"BGSAVE", "FOO"})->str), "ERR syntax error");
    EXPECT_EQ(Command(c.get(), {"SAVE"})->type, REDIS_REPLY_STATUS);
    EXPECT_EQ(InfoField(c.get(), "rdb_saves"), "3");
    EXPECT_EQ(InfoField(c.get(), "rdb_bgsave_in_progress"), "0");
  }
}

// snapshot-keep bounds the files kept, and CONFIG SET changes it at run time.
TEST(SnapshotTest, SnapshotKeepBoundsTheFilesKept) {
  auto server = Start(kManual);
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  for (int i = 0; i < 4; ++i) {
    Ok(c.get(), {"SET", "k", std::to_string(i)});
    Ok(c.get(), {"SAVE"});
  }
  EXPECT_EQ(SnapshotFiles(server->data_dir()).size(), 2u);
  Ok(c.get(), {"CONFIG", "SET", "snapshot-keep", "1"});
  Ok(c.get(), {"SAVE"});
  const auto files = SnapshotFiles(server->data_dir());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].find("snapshot-000000000005.snap"), std::string::npos) << files[0];
}

// SIGKILL at random moments while a snapshot is being written: the next start uses the last
// complete snapshot and the log, deletes the partial file, and loses nothing.
TEST(SnapshotTest, KillDuringASnapshotLeavesARecoverableState) {
  auto server = Start(With(kManual, {"--enable-debug-command", "local"}));
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  Ok(c.get(), {"DEBUG", "POPULATE", "200000", "pop", "32"});
  Ok(c.get(), {"SAVE"});
  std::mt19937 rng(42);
  for (int round = 0; round < 4; ++round) {
    const std::string prefix = "r" + std::to_string(round) + ":";
    SetKeys(c.get(), prefix, 200);
    Ok(c.get(), {"BGSAVE"});
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 60));
    c.reset();
    server->Kill();
    std::string error;
    ASSERT_TRUE(server->Restart(&error)) << error;
    c = Connect(server->port());
    EXPECT_EQ(Command(c.get(), {"DBSIZE"})->integer, 200000 + 200 * (round + 1)) << round;
    for (int r = 0; r <= round; ++r) EXPECT_TRUE(HasKeys(c.get(), "r" + std::to_string(r) + ":", 200));
    ReplyPtr v = Command(c.get(), {"STRLEN", "pop:199999"});
    EXPECT_EQ(v->integer, 32);
    for (const auto& f : fs::directory_iterator(server->data_dir() + "/snapshots")) {
      EXPECT_EQ(f.path().extension(), ".snap") << f.path() << " left behind";
    }
  }
}

// appendonly no: snapshots are the persistence, as RDB files are for Redis.
TEST(SnapshotTest, WithoutTheLogSnapshotsAloneKeepTheData) {
  auto server = Start({"--appendonly", "no"});
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  SetKeys(c.get(), "k", 100);
  Ok(c.get(), {"SAVE"});
  Ok(c.get(), {"SET", "unsaved", "1"});
  c.reset();
  server->Kill();
  EXPECT_TRUE(Segments(server->data_dir()).empty());
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_TRUE(HasKeys(c.get(), "k", 100));
  EXPECT_EQ(Command(c.get(), {"EXISTS", "unsaved"})->integer, 0);
  Ok(c.get(), {"SET", "saved-at-shutdown", "1"});
  c.reset();
  ASSERT_EQ(server->Stop(), std::optional<int>(0));
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(Command(c.get(), {"EXISTS", "saved-at-shutdown"})->integer, 1);
}

// stop-writes-on-bgsave-error: with save points configured and the last snapshot failed, writes
// and PING get Redis's MISCONF error, reads go on; "no" lifts it, a snapshot that succeeds ends it.
TEST(SnapshotTest, FailedSnapshotStopsWritesAsRedis) {
  auto server = Start({"--save", "3600 1", "--snapshot-wal-bytes", "0"});
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  Ok(c.get(), {"SET", "a", "1"});
  // The snapshot directory replaced by a file: the next snapshot cannot be written.
  const std::string dir = server->data_dir() + "/snapshots";
  std::filesystem::rename(dir, dir + ".moved");
  std::ofstream(dir) << "not a directory";
  EXPECT_EQ(Command(c.get(), {"SAVE"})->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(InfoField(c.get(), "rdb_last_bgsave_status"), "err");
  const std::string misconf =
      "(error) MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
      "persist to disk. Commands that may modify the data set are disabled, because this "
      "instance is configured to report errors during writes if RDB snapshotting fails "
      "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
      "RDB error.";
  EXPECT_EQ(Describe(Command(c.get(), {"SET", "b", "1"}).get()), misconf);
  EXPECT_EQ(Describe(Command(c.get(), {"PING"}).get()), misconf);
  EXPECT_EQ(Describe(Command(c.get(), {"GET", "a"}).get()), "\"1\"");
  Ok(c.get(), {"CONFIG", "SET", "stop-writes-on-bgsave-error", "no"});
  Ok(c.get(), {"SET", "b", "1"});
  Ok(c.get(), {"CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"});
  EXPECT_EQ(Describe(Command(c.get(), {"SET", "c", "1"}).get()), misconf);
  // A snapshot that succeeds ends it.
  std::filesystem::remove(dir);
  std::filesystem::rename(dir + ".moved", dir);
  Ok(c.get(), {"SAVE"});
  Ok(c.get(), {"SET", "c", "1"});
}

}  // namespace
}  // namespace strata::integration
