// strata-inspect over data directories the real server wrote: a dump equals what the server
// returns, repair makes a damaged log load again (and keeps a backup of what it cut), and memory
// stays flat on a snapshot far larger than it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/persistence_util.h"
#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

using nlohmann::json;

// Snapshots only on SAVE; every acknowledged write durable, so that a kill loses nothing.
const std::vector<std::string> kManual = {"--save",        "",      "--snapshot-wal-bytes", "0",
                                          "--appendfsync", "always"};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct ToolRun {
  int exit_code = -1;   // -1: killed by a signal (or the bound)
  std::string out;      // stdout, unless sent elsewhere
  std::string err;      // stderr
  long max_rss_kb = 0;  // the tool's peak resident set (wait4's ru_maxrss)
};

// Runs strata-inspect with args, stdout to `stdout_path` (read back into out unless it is
// /dev/null), stderr captured; killed after `bound_s`. Its peak RSS comes from wait4, which
// reports this one child's usage.
ToolRun Inspect(const std::vector<std::string>& args, const std::string& scratch_dir,
                std::string stdout_path = "", int bound_s = 120) {
  if (stdout_path.empty()) stdout_path = scratch_dir + "/inspect.out";
  const std::string err_path = scratch_dir + "/inspect.err";
  std::vector<std::string> argv = {STRATA_INSPECT_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || in < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::signal(SIGPIPE, SIG_DFL);
    ::alarm(static_cast<unsigned>(bound_s));  // survives exec: SIGALRM ends a hung tool
    UseSmallAsanQuarantine();  // the test measures the tool's RSS
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  ToolRun r;
  int status = 0;
  rusage ru{};
  if (pid < 0 || ::wait4(pid, &status, 0, &ru) != pid) return r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.max_rss_kb = ru.ru_maxrss;
  if (stdout_path != "/dev/null") r.out = ReadFile(stdout_path);
  r.err = ReadFile(err_path);
  return r;
}

std::unique_ptr<ServerProcess> Start(const std::vector<std::string>& flags) {
  std::string error;
  auto s = ServerProcess::StartStrata(flags, &error);
  EXPECT_NE(s, nullptr) << error;
  return s;
}

void Ok(redisContext* c, const std::vector<std::string>& cmd) {
  ReplyPtr r = Command(c, cmd);
  ASSERT_NE(r, nullptr) << cmd[0];
  ASSERT_NE(r->type, REDIS_REPLY_ERROR) << cmd[0] << ": " << Describe(r.get());
}

// The bytes a dump's key or value field stands for (README.md: a string, or {"base64": ...}).
std::string Bytes(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string text = j.at("base64").get<std::string>();
  std::string out;
  uint32_t bits = 0;
  int n = 0;
  for (char c : text) {
    if (c == '=') break;
    bits = bits << 6 | static_cast<uint32_t>(kAlphabet.find(c));
    n += 6;
    if (n >= 8) {
      n -= 8;
      out += static_cast<char>((bits >> n) & 0xff);
    }
  }
  return out;
}

std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

// What the server says about one key: its value and its expiry bounds (absolute ms), from
// GET and PTTL read between two clock readings.
struct ServerKey {
  std::string value;
  int64_t expire_min = 0, expire_max = 0;  // both 0: no TTL
};

std::map<std::string, ServerKey> ReadBack(redisContext* c, int databases) {
  std::map<std::string, ServerKey> out;
  for (int db = 0; db < databases; ++db) {
    Command(c, {"SELECT", std::to_string(db)});
    ReplyPtr keys = Command(c, {"KEYS", "*"});
    for (size_t i = 0; keys && i < keys->elements; ++i) {
      const std::string k(keys->element[i]->str, keys->element[i]->len);
      ServerKey sk;
      ReplyPtr v = Command(c, {"GET", k});
      sk.value.assign(v->str, v->len);
      const int64_t before = NowMs();
      ReplyPtr ttl = Command(c, {"PTTL", k});
      const int64_t after = NowMs();
      if (ttl->integer >= 0) {
        sk.expire_min = before + ttl->integer - 1;
        sk.expire_max = after + ttl->integer + 1;
      }
      out[std::to_string(db) + "/" + k] = sk;
    }
  }
  Command(c, {"SELECT", "0"});
  return out;
}

// ---------------------------------------------------------------------------------------------

TEST(InspectTest, DumpOfADataDirEqualsWhatTheServerReturned) {
  auto server = Start(kManual);
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  const std::string big(100 * 1000, 'b');
  const std::vector<std::vector<std::string>> script = {
      {"SET", "plain", "v"},
      {"SET", "ttl", "v", "EX", "1000"},
      {"SET", "nul", std::string("a\0b\r\n", 5)},
      {"SET", "latin1", "caf\xe9"},  // not UTF-8
      {"SET", std::string("key\xff\0", 5), "binary key"},
      {"SET", "empty", ""},
      {"SET", "big", big},
      {"SET", "utf8", "cr\xc3\xa8me \xe2\x82\xac"},
      {"APPEND", "raw", "abc"},
      {"INCRBY", "n", "42"},
      {"SELECT", "2"},
      {"SET", "two", std::string("\xfe\xff\x00\x01", 4), "PX", "900000"},
      {"SELECT", "15"},
      {"SET", "fifteen", "15"},
      {"SELECT", "0"},
  };
  for (const auto& cmd : script) Ok(c.get(), cmd);
  for (int i = 0; i < 300; ++i) {
    Ok(c.get(), {"SET", "many:" + std::to_string(i), std::to_string(i * 7)});
  }
  const auto want = ReadBack(c.get(), 16);
  ASSERT_EQ(want.size(), 312u);
  Ok(c.get(), {"SAVE"});
  Ok(c.get(), {"SET", "after-save", "in the WAL only"});
  Command(c.get(), {"SHUTDOWN", "NOSAVE"});
  c.reset();
  server->WaitForExit(std::chrono::seconds(10));
  const std::string dir = server->data_dir();
  const std::string scratch = fs::path(dir).parent_path().string();

  ToolRun dump = Inspect({"dump", dir}, scratch);
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  // stderr says which snapshot was read and that the WAL past it is not included.
  EXPECT_NE(dump.err.find(SnapshotFiles(dir).back()), std::string::npos) << dump.err;
  EXPECT_NE(dump.err.find("are not included"), std::string::npos) << dump.err;
  EXPECT_NE(dump.err.find("wal dump"), std::string::npos) << dump.err;
  std::map<std::string, json> got;
  for (const json& line : JsonLines(dump.out)) {
    got[std::to_string(line["db"].get<int>()) + "/" + Bytes(line["key"])] = line;
  }
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, sk] : want) {
    ASSERT_TRUE(got.count(name)) << name;
    const json& line = got[name];
    EXPECT_EQ(Bytes(line["value"]), sk.value) << name;
    EXPECT_EQ(line["type"], "string");
    if (sk.expire_max == 0) {
      EXPECT_TRUE(line["expire_ms"].is_null()) << name;
      EXPECT_EQ(line["pttl"], -1) << name;
    } else {
      const int64_t at = line["expire_ms"].get<int64_t>();
      EXPECT_GE(at, sk.expire_min) << name;
      EXPECT_LE(at, sk.expire_max) << name;
      EXPECT_GT(line["pttl"].get<int64_t>(), 0) << name;
    }
  }
  // Text goes as a JSON string; invalid UTF-8 and control bytes such as NUL as base64.
  EXPECT_TRUE(got["0/latin1"]["value"].is_object());
  EXPECT_TRUE(got["0/nul"]["value"].is_object());
  EXPECT_EQ(got["0/utf8"]["value"], "cr\xc3\xa8me \xe2\x82\xac");
  EXPECT_TRUE(got[std::string("0/key\xff\0", 7)]["key"].is_object());

  // The write after SAVE is in the WAL, which `wal dump` shows from the snapshot's LSN on.
  ToolRun info = Inspect({"info", dir, "--json"}, scratch);
  ASSERT_EQ(info.exit_code, 0) << info.out << info.err;
  const json doc = json::parse(info.out);
  EXPECT_EQ(doc["snapshot"]["keys"]["total"], 312);
  EXPECT_EQ(doc["snapshot"]["keys"]["expiring"], 2);
  EXPECT_EQ(doc["recovery"]["replay_records"], 1);
  const uint64_t from = doc["recovery"]["replay_from_lsn"].get<uint64_t>();
  ToolRun wal = Inspect({"wal", "dump", dir, "--from", std::to_string(from)}, scratch);
  ASSERT_EQ(wal.exit_code, 0) << wal.err;
  const std::vector<json> records = JsonLines(wal.out);
  ASSERT_EQ(records.size(), 1u) << wal.out;
  EXPECT_EQ(records[0]["effects"][0]["key"], "after-save");

  // get returns the exact bytes; keys lists one database.
  ToolRun get = Inspect({"get", dir, "two", "--db", "2", "--raw"}, scratch);
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, std::string("\xfe\xff\x00\x01", 4));
  EXPECT_EQ(Inspect({"get", dir, "two"}, scratch).exit_code, 1);  // not in db 0
  ToolRun keys = Inspect({"keys", dir, "--db", "15"}, scratch);
  EXPECT_EQ(keys.out, "fifteen\n");
  ToolRun verify = Inspect({"verify", dir}, scratch);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  ToolRun stats = Inspect({"stats", dir, "--json", "--top", "1"}, scratch);
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const json s = json::parse(stats.out);
  EXPECT_EQ(s["total"], 312);
  EXPECT_EQ(s["largest"][0]["key"], "big");
  EXPECT_EQ(s["largest"][0]["value_bytes"], big.size());

  // The server agrees that the snapshot plus that one record is everything.
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(InfoField(c.get(), "rdb_last_load_keys_loaded"), "312");
  EXPECT_EQ(InfoField(c.get(), "wal_recovered_records"), "1");
}

// Collections dump as JSON: lists and sets as arrays of members, hashes as [field, value]
// pairs, sorted sets as [member, score] pairs in order; `wal dump` names collection effects.
TEST(InspectTest, CollectionsDumpAsJsonAndTheirEffectsAreNamed) {
  auto server = Start(kManual);
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"RPUSH", "l", "a", "b", "c"},
           {"HSET", "h", "f", "v"},
           {"SADD", "s", "x"},
           {"ZADD", "z", "2.5", "b", "1", "a"},
           {"EXPIRE", "l", "1000"}}) {
    ReplyPtr r = Command(c.get(), cmd);
    ASSERT_TRUE(r && r->type == REDIS_REPLY_INTEGER) << cmd[0] << ": " << Describe(r.get());
  }
  Ok(c.get(), {"SAVE"});
  ReplyPtr pushed = Command(c.get(), {"LPUSH", "after", "in the WAL only"});
  ASSERT_TRUE(pushed && pushed->type == REDIS_REPLY_INTEGER);
  Command(c.get(), {"SHUTDOWN", "NOSAVE"});
  c.reset();
  server->WaitForExit(std::chrono::seconds(10));
  const std::string dir = server->data_dir();
  const std::string scratch = fs::path(dir).parent_path().string();
  ToolRun dump = Inspect({"dump", dir}, scratch);
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  std::map<std::string, json> got;
  for (const json& line : JsonLines(dump.out)) got[line["key"].get<std::string>()] = line;
  ASSERT_EQ(got.size(), 4u) << dump.out;
  EXPECT_EQ(got["l"]["type"], "list");
  EXPECT_EQ(got["l"]["value"], json::parse(R"(["a","b","c"])"));
  EXPECT_GT(got["l"]["pttl"].get<int64_t>(), 0);
  EXPECT_EQ(got["h"]["type"], "hash");
  EXPECT_EQ(got["h"]["value"], json::parse(R"([["f","v"]])"));
  EXPECT_EQ(got["s"]["type"], "set");
  EXPECT_EQ(got["s"]["value"], json::parse(R"(["x"])"));
  EXPECT_EQ(got["z"]["type"], "zset");
  EXPECT_EQ(got["z"]["value"], json::parse(R"([["a",1.0],["b",2.5]])"));
  ToolRun info = Inspect({"info", dir, "--json"}, scratch);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const uint64_t from = json::parse(info.out)["recovery"]["replay_from_lsn"].get<uint64_t>();
  ToolRun wal = Inspect({"wal", "dump", dir, "--from", std::to_string(from)}, scratch);
  ASSERT_EQ(wal.exit_code, 0) << wal.err;
  const std::vector<json> records = JsonLines(wal.out);
  ASSERT_EQ(records.size(), 1u) << wal.out;
  EXPECT_EQ(records[0]["effects"][0]["op"], "list_push");
  EXPECT_EQ(records[0]["effects"][0]["key"], "after");
}

// Damage in an older segment stops the server; verify names it, repair cuts the log there
// (backing up what it cuts) and the server starts with the records before it.
TEST(InspectTest, RepairMakesALogDamagedInTheMiddleLoad) {
  std::vector<std::string> flags = kManual;
  flags.insert(flags.end(), {"--wal-segment-size", "8kb"});
  auto server = Start(flags);
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  for (int i = 0; i < 500; ++i) Ok(c.get(), {"SET", "key:" + std::to_string(i), "value"});
  c.reset();
  server->Kill();
  const std::string dir = server->data_dir();
  const std::string scratch = fs::path(dir).parent_path().string();
  const auto segs = Segments(dir);
  ASSERT_GE(segs.size(), 3u);
  {
    std::fstream f(segs[1], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('\xff');
  }
  const std::string damaged = ReadFile(segs[1]);
  std::string error;
  EXPECT_FALSE(server->Restart(&error));

  ToolRun verify = Inspect({"verify", dir}, scratch);
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.out.find(segs[1] + " at offset"), std::string::npos) << verify.out;

  ToolRun repair = Inspect({"repair", dir, "--json"}, scratch);
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  const json r = json::parse(repair.out);
  EXPECT_TRUE(r["repaired"].get<bool>());
  EXPECT_EQ(r["dropped_file"], segs[1]);
  EXPECT_LE(r["dropped_offset"].get<uint64_t>(), 1000u);
  const uint64_t kept = r["records"].get<uint64_t>();
  EXPECT_EQ(kept + r["dropped_records"].get<uint64_t>(), 500u);
  // The backup, beside the WAL directory, holds the damaged segment and the later ones as they
  // were.
  const fs::path backup = r["backup_dir"].get<std::string>();
  EXPECT_EQ(backup.parent_path(), fs::path(dir));
  ASSERT_EQ(r["backup_files"].size(), segs.size() - 1);
  EXPECT_EQ(ReadFile((backup / fs::path(segs[1]).filename()).string()), damaged);
  EXPECT_EQ(ReadFile((backup / fs::path(segs.back()).filename()).string()).size(),
            fs::file_size(backup / fs::path(segs.back()).filename()));
  EXPECT_FALSE(fs::exists(segs.back()));  // cut from the log

  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(Command(c.get(), {"DBSIZE"})->integer, static_cast<int64_t>(kept));
  EXPECT_GT(kept, 0u);
  EXPECT_EQ(Command(c.get(), {"EXISTS", "key:" + std::to_string(kept - 1)})->integer, 1);
  EXPECT_EQ(Command(c.get(), {"EXISTS", "key:" + std::to_string(kept)})->integer, 0);
}

// Garbage after the last record of the newest segment (a torn write): verify reports it, repair
// cuts exactly it and says so, and the server then starts with every key and nothing to drop.
TEST(InspectTest, RepairCutsGarbageAfterTheLastRecord) {
  std::vector<std::string> flags = kManual;
  flags.insert(flags.end(), {"--wal-segment-size", "1mb"});  // less to copy and check
  auto server = Start(flags);
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  for (int i = 0; i < 50; ++i) Ok(c.get(), {"SET", "key:" + std::to_string(i), "value"});
  c.reset();
  server->Kill();
  const std::string dir = server->data_dir();
  const std::string scratch = fs::path(dir).parent_path().string();
  const std::string seg = Segments(dir).back();
  const std::string bytes = ReadFile(seg);
  size_t end = bytes.size();
  while (end > 0 && bytes[end - 1] == '\0') --end;  // records end in 'e' ("value")
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(end));
    f.write("\x13garbage", 8);
  }

  ToolRun verify = Inspect({"verify", dir, "--json"}, scratch);
  EXPECT_EQ(verify.exit_code, 1);
  const json v = json::parse(verify.out);
  ASSERT_EQ(v["faults"].size(), 1u) << verify.out;
  EXPECT_EQ(v["faults"][0]["file"], seg);
  EXPECT_EQ(v["faults"][0]["offset"], end);
  EXPECT_NE(v["faults"][0]["reason"].get<std::string>().find("torn tail"), std::string::npos);

  ToolRun repair = Inspect({"wal", "repair", dir + "/appendonlydir"}, scratch);
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_NE(repair.out.find("removed   1 record(s), 8 byte(s), from " + seg + " at offset " +
                            std::to_string(end)),
            std::string::npos)
      << repair.out;
  EXPECT_NE(repair.out.find("50 record(s)"), std::string::npos) << repair.out;
  size_t at = repair.out.find("backup    ");
  ASSERT_NE(at, std::string::npos) << repair.out;
  at += 10;
  const std::string backup = repair.out.substr(at, repair.out.find(" (", at) - at);
  EXPECT_EQ(ReadFile(backup + "/" + fs::path(seg).filename().string()).substr(end, 8),
            "\x13garbage");
  EXPECT_EQ(Inspect({"verify", dir}, scratch).exit_code, 0);

  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  c = Connect(server->port());
  EXPECT_EQ(Command(c.get(), {"DBSIZE"})->integer, 50);
  EXPECT_EQ(InfoField(c.get(), "wal_recovered_dropped_bytes"), "0");
}

// verify and dump read a snapshot one block at a time: the tool's peak RSS stays far below the
// snapshot's raw size.
TEST(InspectTest, MemoryStaysFlatOnALargeSnapshot) {
#if defined(STRATA_SANITIZE)
  // A smaller file keeps the test quick under ASan (with the small quarantine Inspect sets,
  // the tool then peaks at about 35 MB).
  const int keys = 300'000;
  const long bound_kb = 80 * 1024;
#else
  const int keys = 2'000'000;
  const long bound_kb = 80 * 1024;
#endif
  auto server = Start({"--save", "", "--snapshot-wal-bytes", "0", "--appendonly", "no",
                       "--enable-debug-command", "local"});
  ASSERT_NE(server, nullptr);
  RedisConnection c = Connect(server->port());
  Ok(c.get(), {"DEBUG", "POPULATE", std::to_string(keys), "k", "64"});
  Ok(c.get(), {"SAVE"});
  c.reset();
  const std::string dir = server->data_dir();
  const std::string scratch = fs::path(dir).parent_path().string();
  const std::string snap = SnapshotFiles(dir).back();

  ToolRun info = Inspect({"info", snap, "--json"}, scratch);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const json doc = json::parse(info.out);
  const uint64_t raw = doc["snapshot"]["raw_bytes"].get<uint64_t>();
  EXPECT_EQ(doc["snapshot"]["keys"]["total"], keys);
  EXPECT_GT(raw, static_cast<uint64_t>(keys) * 70);

  ToolRun verify = Inspect({"verify", snap}, scratch, "/dev/null");
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  ToolRun dump = Inspect({"dump", dir}, scratch, "/dev/null");
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  std::printf(
      "[          ] snapshot: %d keys, %.1f MB raw, %.1f MB file; peak RSS: verify %.1f MB, "
      "dump %.1f MB, info %.1f MB\n",
      keys, raw / 1e6, fs::file_size(snap) / 1e6, verify.max_rss_kb / 1024.0,
      dump.max_rss_kb / 1024.0, info.max_rss_kb / 1024.0);
  RecordProperty("raw_bytes", std::to_string(raw));
  RecordProperty("verify_max_rss_kb", std::to_string(verify.max_rss_kb));
  RecordProperty("dump_max_rss_kb", std::to_string(dump.max_rss_kb));
  EXPECT_GT(verify.max_rss_kb, 0);
  EXPECT_LT(verify.max_rss_kb, bound_kb);
  EXPECT_LT(dump.max_rss_kb, bound_kb);
  EXPECT_LT(info.max_rss_kb, bound_kb);
#if !defined(STRATA_SANITIZE)
  // Far below the data: a tool that held the file's entries would need more than the raw bytes.
  EXPECT_LT(static_cast<uint64_t>(dump.max_rss_kb) * 1024, raw / 2);
#endif
}

}  // namespace
}  // namespace strata::integration
