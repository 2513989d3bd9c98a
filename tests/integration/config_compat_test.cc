// The configuration a Redis user brings, against redis-server 7.0 side by side: every directive
// Redis 7.0 knows (names, old names, defaults, CONFIG SET's answers at the edges), Debian's stock
// redis.conf, a config file holding every directive, rename-command, and the ACL file (ACL
// LOAD, ACL SAVE, the errors) compared with redis-server's.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

std::string Cmd(redisContext* c, const std::vector<std::string>& argv) {
  ReplyPtr r = Command(c, argv);
  return r ? Describe(r.get()) : std::string("(connection error)");
}

std::map<std::string, std::string> ConfigGetAll(redisContext* c) {
  std::map<std::string, std::string> out;
  ReplyPtr r = Command(c, {"CONFIG", "GET", "*"});
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    out[r->element[i]->str] = std::string(r->element[i + 1]->str, r->element[i + 1]->len);
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A config-file value: double-quoted, with Redis's escapes.
std::string Quoted(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

class ConfigCompatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    redis_ = ServerProcess::StartRedis({}, &error);
    if (redis_ == nullptr) GTEST_SKIP() << "redis-server is not available: " << error;
    strata_ = ServerProcess::StartStrata({"--save", ""}, &error);
    ASSERT_NE(strata_, nullptr) << error;
    r_ = Connect(redis_->port());
    s_ = Connect(strata_->port());
    ASSERT_NE(r_, nullptr);
    ASSERT_NE(s_, nullptr);
  }

  std::unique_ptr<ServerProcess> redis_, strata_;
  RedisConnection r_, s_;
};

// Where Strata's default or CONFIG SET answer differs from Redis's on purpose, and why.
const std::map<std::string, std::string> kDepartures = {
    {"activedefrag", "accepted with no effect; Debian's redis-server refuses 'yes' (its jemalloc "
                     "lacks the defragmentation hint)"},
    {"appendonly", "on by default in Strata, and fixed at start-up (turning the log on needs a "
                   "snapshot to start from)"},
    {"dir", "each server has its own"},
    {"port", "fixed at start-up in Strata; Redis moves its listener"},
    {"bind", "fixed at start-up"},
    {"maxclients", "lowered to the open-files limit with a different reserve of descriptors"},
    {"requirepass", "changing it would lock the test out"},
    {"tls-port", "TLS is refused, not ignored"},
    {"tls-replication", "TLS is refused, not ignored"},
    {"tls-cluster", "TLS is refused, not ignored"},
};

TEST_F(ConfigCompatTest, EveryRedisDirectiveIsKnownWithRedisDefault) {
  std::map<std::string, std::string> redis = ConfigGetAll(r_.get());
  std::map<std::string, std::string> strata = ConfigGetAll(s_.get());
  ASSERT_GT(redis.size(), 150u);
  for (const auto& [name, value] : redis) {
    auto it = strata.find(name);
    ASSERT_NE(it, strata.end()) << name << " is a Redis 7.0 directive Strata does not know";
    if (kDepartures.count(name) != 0) continue;
    EXPECT_EQ(it->second, value) << "default of " << name;
  }
}

TEST_F(ConfigCompatTest, ConfigSetAnswersAsRedisAtEveryEdge) {
  const std::vector<std::string> values = {
      "zzz", "", "-1", "0", "1", "2147483647", "2147483648", "-2147483649", "4294967296",
      "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1kb", "1gb", "yes",
      "no", "10%", "100", "700"};
  std::map<std::string, std::string> redis = ConfigGetAll(r_.get());
  int compared = 0;
  for (const auto& [name, original] : redis) {
    if (kDepartures.count(name) != 0) continue;
    for (const std::string& v : values) {
      std::string want = Cmd(r_.get(), {"CONFIG", "SET", name, v});
      std::string got = Cmd(s_.get(), {"CONFIG", "SET", name, v});
      EXPECT_EQ(got, want) << "CONFIG SET " << name << " \"" << v << "\"";
      // The value as both show it afterwards.
      EXPECT_EQ(Cmd(s_.get(), {"CONFIG", "GET", name}), Cmd(r_.get(), {"CONFIG", "GET", name}))
          << "after CONFIG SET " << name << " \"" << v << "\"";
      Cmd(r_.get(), {"CONFIG", "SET", name, original});
      Cmd(s_.get(), {"CONFIG", "SET", name, original});
      ++compared;
    }
  }
  EXPECT_GT(compared, 2000);
  EXPECT_EQ(Cmd(s_.get(), {"PING"}), "PONG");
}

// Debian's stock /etc/redis/redis.conf (the redis-server package, which scripts/install-deps.sh
// installs), with only where the server puts things changed on the command line.
TEST_F(ConfigCompatTest, DebiansRedisConfStartsStrata) {
  ASSERT_TRUE(std::filesystem::exists("/etc/redis/redis.conf"));
  std::string error;
  auto s = ServerProcess::StartStrata({"/etc/redis/redis.conf", "--daemonize", "no", "--logfile",
                                       "", "--pidfile", ""},
                                      &error);
  ASSERT_NE(s, nullptr) << error;
  RedisConnection c = Connect(s->port());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Cmd(c.get(), {"SET", "k", "v"}), "OK");
  EXPECT_EQ(Cmd(c.get(), {"CONFIG", "GET", "hash-max-ziplist-entries"}),
            "[\"hash-max-ziplist-entries\", \"512\"]");
}

// A file with every directive redis-server 7.0 lists, at the values it has: Strata starts.
TEST_F(ConfigCompatTest, AConfigFileWithEveryRedisDirectiveStartsStrata) {
  const std::set<std::string> skip = {"tls-port", "unixsocket", "requirepass"};
  std::string text = "# every directive of redis-server 7.0, as CONFIG GET * lists them\n";
  for (const auto& [name, value] : ConfigGetAll(r_.get())) {
    if (skip.count(name)) continue;
    if (name == "save" || name == "client-output-buffer-limit" || name == "bind" ||
        name == "oom-score-adj-values" || name == "latency-tracking-info-percentiles") {
      text += name + " " + (value.empty() ? "\"\"" : value) + "\n";  // several words
    } else {
      text += name + " " + Quoted(value) + "\n";
    }
  }
  const std::string path = strata_->data_dir() + "/../every.conf";
  std::ofstream(path) << text;
  std::string error;
  auto s = ServerProcess::StartStrata({path}, &error);
  ASSERT_NE(s, nullptr) << error << "\n" << text;
  RedisConnection c = Connect(s->port());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Cmd(c.get(), {"PING"}), "PONG");
}

TEST_F(ConfigCompatTest, RenameCommandAsRedis) {
  const std::vector<std::string> flags = {"--rename-command", "CONFIG", "",
                                          "--rename-command", "flushall", "wipe"};
  std::string error;
  auto redis = ServerProcess::StartRedis(flags, &error);
  ASSERT_NE(redis, nullptr) << error;
  auto strata = ServerProcess::StartStrata(flags, &error);
  ASSERT_NE(strata, nullptr) << error;
  RedisConnection r = Connect(redis->port()), s = Connect(strata->port());
  ASSERT_NE(r, nullptr);
  ASSERT_NE(s, nullptr);
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"SET", "k", "v"},
           {"CONFIG", "GET", "port"},
           {"FLUSHALL"},
           {"DBSIZE"},
           {"WIPE"},
           {"DBSIZE"},
           {"wipe", "x"},
           // A renamed command queued in MULTI runs at EXEC.
           {"SET", "a", "1"},
           {"MULTI"},
           {"wipe"},
           {"EXEC"},
           {"DBSIZE"}}) {
    EXPECT_EQ(Cmd(s.get(), argv), Cmd(r.get(), argv)) << argv[0];
  }
  // A command that does not exist cannot be renamed: start-up fails.
  EXPECT_EQ(ServerProcess::StartStrata({"--rename-command", "nosuch", "x"}, &error), nullptr);
  EXPECT_NE(error.find("No such command in rename-command"), std::string::npos) << error;
}

// ACL LIST's lines (or an ACL file's) with each user's rules sorted. Redis 7.0 lists a user's
// command rules in the order of its command dictionary, which differs from one redis-server
// process to the next (the dictionary's hash seed is random): "+get +set +del" is listed so
// by one process and as "+set +get +del" by another. What is compared is the set of rules.
std::string SortedRules(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.size() > 2) std::sort(words.begin() + 2, words.end());
    for (const std::string& w : words) out += w + " ";
    out += "\n";
  }
  return out;
}

std::string AclList(redisContext* c) {
  ReplyPtr r = Command(c, {"ACL", "LIST"});
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return r ? Describe(r.get()) : "(error)";
  std::vector<std::string> lines;
  for (size_t i = 0; i < r->elements; ++i) lines.emplace_back(r->element[i]->str);
  return SortedRules(lines);
}

std::string AclFileRules(const std::string& path) {
  std::istringstream in(ReadFile(path));
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return SortedRules(lines);
}

// The ACL file: loaded at start-up, ACL LOAD, ACL SAVE and their errors, as redis-server's.
TEST_F(ConfigCompatTest, AclFileLoadAndSaveAsRedis) {
  namespace fs = std::filesystem;
  const std::string base = fs::path(strata_->data_dir()).parent_path().string();
  const std::string rfile = base + "/redis.acl", sfile = base + "/strata.acl";
  const std::string initial =
      "user alice on >pw ~cache:* +get +set\n\nuser bob off\nuser default on nopass ~* &* +@all\n";
  std::ofstream(rfile) << initial;
  std::ofstream(sfile) << initial;
  std::string error;
  auto redis = ServerProcess::StartRedis({"--aclfile", rfile}, &error);
  ASSERT_NE(redis, nullptr) << error;
  auto strata = ServerProcess::StartStrata({"--aclfile", sfile}, &error);
  ASSERT_NE(strata, nullptr) << error;
  RedisConnection r = Connect(redis->port()), s = Connect(strata->port());
  ASSERT_NE(r, nullptr);
  ASSERT_NE(s, nullptr);
  auto same = [&](const std::vector<std::string>& argv) {
    std::string want = Cmd(r.get(), argv);
    std::string got = Cmd(s.get(), argv);
    // Error texts name each server's own file.
    for (std::string* t : {&want, &got}) {
      for (const std::string& f : {rfile, sfile}) {
        for (size_t p; (p = t->find(f)) != std::string::npos;) t->replace(p, f.size(), "FILE");
      }
    }
    EXPECT_EQ(got, want) << argv[0] << " " << (argv.size() > 1 ? argv[1] : "");
  };
  auto same_users = [&] { EXPECT_EQ(AclList(s.get()), AclList(r.get())); };
  same_users();
  same({"ACL", "SETUSER", "carol", "on", ">x", "~*", "+@read", "-keys"});
  same({"ACL", "SAVE"});
  EXPECT_EQ(AclFileRules(sfile), AclFileRules(rfile));
  EXPECT_NE(AclFileRules(sfile).find("user carol "), std::string::npos) << ReadFile(sfile);
  same({"ACL", "LOAD"});
  same_users();
  for (const std::string& bad : {std::string("user alice on\nuser bob +nosuchcmd\n"),
                                 std::string("user alice on\nfoo bar\n"),
                                 std::string("user alice on\nuser alice off\n"),
                                 std::string("user x badrule\n"), std::string("user\n"),
                                 std::string("# a comment\nuser default on nopass +@all\n")}) {
    std::ofstream(rfile) << bad;
    std::ofstream(sfile) << bad;
    same({"ACL", "LOAD"});
    same_users();  // unchanged
  }
  std::ofstream(rfile) << "user dave on >pw +@all ~*\n";
  std::ofstream(sfile) << "user dave on >pw +@all ~*\n";
  same({"ACL", "LOAD"});
  same_users();  // the default user as Redis creates it
  fs::remove(rfile);
  fs::remove(sfile);
  same({"ACL", "LOAD"});
  // Without an aclfile both refuse ACL LOAD and SAVE.
  EXPECT_EQ(Cmd(s_.get(), {"ACL", "SAVE"}), Cmd(r_.get(), {"ACL", "SAVE"}));
  // A user line in the config file and an aclfile together: start-up fails.
  std::ofstream(sfile) << initial;
  const std::string conf = base + "/users.conf";
  std::ofstream(conf) << "user eve on >pw +@all\naclfile " << sfile << "\n";
  EXPECT_EQ(ServerProcess::StartStrata({conf}, &error), nullptr);
  EXPECT_NE(error.find("users defined in redis.conf and at the same setting an ACL file"),
            std::string::npos)
      << error;
}

// CONFIG REWRITE on a commented file with an include, an old name, rename-command, save and
// user lines, on both servers: comments, blank lines, include and rename-command lines stay in
// place; the old name's line carries the new value under the current name; users are the ACL's.
TEST_F(ConfigCompatTest, ConfigRewriteKeepsCommentsIncludesAndOrderAsRedis) {
  namespace fs = std::filesystem;
  const std::string base = fs::path(strata_->data_dir()).parent_path().string();
  std::ofstream(base + "/inc.conf") << "maxclients 50\n";
  const std::string text = "# Top comment\n\n# memory\nhash-max-ziplist-entries 100\ninclude " +
                           base + "/inc.conf\nrename-command FLUSHDB \"\"\n" +
                           "user alice on >pw ~* +@all\n# trailing comment\n";
  std::ofstream(base + "/redis.conf") << text;
  std::ofstream(base + "/strata.conf") << text;
  std::string error;
  auto redis = ServerProcess::StartRedis({base + "/redis.conf"}, &error);
  ASSERT_NE(redis, nullptr) << error;
  auto strata = ServerProcess::StartStrata({base + "/strata.conf"}, &error);
  ASSERT_NE(strata, nullptr) << error;
  RedisConnection r = Connect(redis->port()), s = Connect(strata->port());
  ASSERT_NE(r, nullptr);
  ASSERT_NE(s, nullptr);
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"CONFIG", "GET", "maxclients"},
           {"CONFIG", "SET", "hash-max-listpack-entries", "200"},
           {"CONFIG", "SET", "timeout", "7"},
           {"ACL", "SETUSER", "bob", "on"},
           {"CONFIG", "REWRITE"}}) {
    EXPECT_EQ(Cmd(s.get(), argv), Cmd(r.get(), argv)) << argv[1];
  }
  // The lines both servers keep, in the order both keep them; what they append after
  // "# Generated by CONFIG REWRITE" in any order (Redis's follows its dictionary).
  auto kept = [](const std::string& path) {
    std::istringstream in(ReadFile(path));
    std::string out;
    std::vector<std::string> appended;
    bool appending = false;
    for (std::string line; std::getline(in, line);) {
      appending = appending || line == "# Generated by CONFIG REWRITE";
      if (line.starts_with("#") || line.starts_with("include") ||
          line.starts_with("rename-command") || line.starts_with("hash-max") ||
          line.starts_with("timeout") || line.starts_with("maxclients")) {
        if (appending) {
          appended.push_back(line);
        } else {
          out += line + "\n";
        }
      }
    }
    std::sort(appended.begin(), appended.end());
    for (const std::string& line : appended) out += line + "\n";
    return out;
  };
  const std::string strata_file = ReadFile(base + "/strata.conf");
  EXPECT_EQ(kept(base + "/strata.conf"), kept(base + "/redis.conf")) << strata_file;
  EXPECT_NE(strata_file.find("hash-max-listpack-entries 200\ninclude "), std::string::npos)
      << strata_file;
  EXPECT_NE(strata_file.find("user bob on resetchannels -@all"), std::string::npos)
      << strata_file;
  EXPECT_NE(strata_file.find("user alice on #"), std::string::npos) << strata_file;
  // The rewritten file starts the server with the same settings and users.
  strata.reset();
  auto again = ServerProcess::StartStrata({base + "/strata.conf"}, &error);
  ASSERT_NE(again, nullptr) << error;
  RedisConnection a = Connect(again->port());
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(Cmd(a.get(), {"CONFIG", "GET", "hash-max-listpack-entries"}),
            "[\"hash-max-listpack-entries\", \"200\"]");
  EXPECT_EQ(Cmd(a.get(), {"CONFIG", "GET", "timeout"}), "[\"timeout\", \"7\"]");
  EXPECT_EQ(Cmd(a.get(), {"AUTH", "alice", "pw"}), "OK");
  EXPECT_EQ(Cmd(a.get(), {"FLUSHDB"}).substr(0, 25), "(error) ERR unknown comma");
}

// lazyfree: UNLINK, DEL under lazyfree-lazy-user-del, FLUSHALL ASYNC and FLUSHDB under
// lazyfree-lazy-user-flush free on the background thread what Redis frees there (collections of
// more than 64 elements, whole databases), counted in INFO memory as Redis counts them.
TEST_F(ConfigCompatTest, LazyFreeCountsAsRedis) {
  auto lazyfreed = [](redisContext* c) {
    for (int i = 0; i < 500; ++i) {
      ReplyPtr info = Command(c, {"INFO", "memory"});
      if (info && InfoField(info->str, "lazyfree_pending_objects") == "0") {
        return InfoField(info->str, "lazyfreed_objects");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::string("(still pending)");
  };
  std::vector<std::string> sadd = {"SADD", "big"};
  for (int i = 0; i < 1000; ++i) sadd.push_back("m" + std::to_string(i));
  auto both = [&](const std::vector<std::string>& argv) {
    EXPECT_EQ(Cmd(s_.get(), argv), Cmd(r_.get(), argv)) << argv[0];
  };
  auto make_big = [&](const std::string& key) {
    sadd[1] = key;
    both(sadd);
  };
  auto counts_agree = [&](const char* step) {
    EXPECT_EQ(lazyfreed(s_.get()), lazyfreed(r_.get())) << step;
  };
  make_big("a");
  both({"UNLINK", "a"});
  counts_agree("UNLINK of 1000 members");
  make_big("b");
  both({"DEL", "b"});
  counts_agree("DEL, lazyfree-lazy-user-del no");
  both({"CONFIG", "SET", "lazyfree-lazy-user-del", "yes"});
  make_big("c");
  both({"SET", "small", "1"});
  both({"DEL", "c", "small"});
  counts_agree("DEL, lazyfree-lazy-user-del yes");
  for (int i = 0; i < 10; ++i) both({"SET", "k" + std::to_string(i), "v"});
  both({"FLUSHALL", "ASYNC"});
  counts_agree("FLUSHALL ASYNC of 10 keys");
  EXPECT_EQ(Cmd(s_.get(), {"DBSIZE"}), "(integer) 0");
  for (int i = 0; i < 5; ++i) both({"SET", "k" + std::to_string(i), "v"});
  both({"FLUSHDB"});
  counts_agree("FLUSHDB, lazyfree-lazy-user-flush no");
  both({"CONFIG", "SET", "lazyfree-lazy-user-flush", "yes"});
  for (int i = 0; i < 5; ++i) both({"SET", "k" + std::to_string(i), "v"});
  both({"FLUSHDB"});
  counts_agree("FLUSHDB, lazyfree-lazy-user-flush yes");
  EXPECT_NE(lazyfreed(s_.get()), "0");
}

// acl-pubsub-default: the channels a new user (and `reset`) starts with, as Redis.
TEST_F(ConfigCompatTest, AclPubsubDefaultAsRedis) {
  auto both = [&](const std::vector<std::string>& argv) {
    EXPECT_EQ(Cmd(s_.get(), argv), Cmd(r_.get(), argv)) << argv[0] << " " << argv[1];
  };
  both({"ACL", "SETUSER", "before", "on"});
  both({"CONFIG", "SET", "acl-pubsub-default", "allchannels"});
  both({"ACL", "SETUSER", "after", "on"});
  both({"ACL", "SETUSER", "reset-one", "on", "resetchannels", "reset"});
  EXPECT_EQ(AclList(s_.get()), AclList(r_.get()));
  EXPECT_NE(AclList(s_.get()).find("&*"), std::string::npos);
}

// enable-debug-command: DEBUG refused by default with Redis's text, allowed with local.
TEST_F(ConfigCompatTest, DebugNeedsEnableDebugCommandAsRedis) {
  EXPECT_EQ(Cmd(s_.get(), {"DEBUG", "SLEEP", "0"}), Cmd(r_.get(), {"DEBUG", "SLEEP", "0"}));
  EXPECT_EQ(Cmd(s_.get(), {"DEBUG", "SLEEP", "0"}).substr(0, 38),
            "(error) ERR DEBUG command not allowed.");
  std::string error;
  auto local = ServerProcess::StartStrata({"--enable-debug-command", "local"}, &error);
  ASSERT_NE(local, nullptr) << error;
  RedisConnection c = Connect(local->port());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Cmd(c.get(), {"DEBUG", "SLEEP", "0"}), "OK");
}

// min-replicas-to-write with no replica connected (Strata has none yet): writes refused, as
// Redis, also inside MULTI; reads and a max lag of 0 go on.
TEST_F(ConfigCompatTest, MinReplicasToWriteWithoutReplicasAsRedis) {
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"SET", "a", "1"},
           {"CONFIG", "SET", "min-replicas-to-write", "1"},
           {"SET", "a", "2"},
           {"GET", "a"},
           {"MULTI"},
           {"SET", "a", "3"},
           {"EXEC"},
           {"CONFIG", "SET", "min-slaves-max-lag", "0"},
           {"SET", "a", "4"},
           {"CONFIG", "SET", "min-replicas-max-lag", "10"},
           {"CONFIG", "SET", "min-replicas-to-write", "0"},
           {"SET", "a", "5"},
           {"GET", "a"}}) {
    EXPECT_EQ(Cmd(s_.get(), argv), Cmd(r_.get(), argv)) << argv[0] << " " << argv[1];
  }
}

}  // namespace
}  // namespace strata::integration
