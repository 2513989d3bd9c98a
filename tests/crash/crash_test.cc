// Crash recovery of the real server: concurrent writers, SIGKILL at a random moment, restart on
// the same directory, and a check of what came back against what the clients were told.
//
// Each writer thread owns its keys (so its history is sequential and can be modelled exactly)
// and spreads them over many shards, so MSET and RENAME span shards. After each restart:
// - under every appendfsync policy (a process crash leaves the page cache to the kernel, so
//   everysec and no lose nothing acknowledged either, as Redis), a thread's keys hold exactly
//   the state after its last acknowledged command, or after the one it had sent when the
//   server died (applied or not, but never half: MSET and RENAME are one record);
// - a counter never exceeds the INCRs sent (no write is ever applied twice).
// Each thread also owns a list, a hash, a set and a sorted set, changed by pushes, pops, adds,
// removes and LMOVE between two lists (two shards, one record), so collections are held to
// the same promises through the WAL and through snapshots taken while they change.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

constexpr int kThreads = 4;
constexpr int kKeysPerThread = 6;

// A thread's keys: name -> (value, has a TTL). A collection's value is its elements rendered
// in a canonical order: list order, hash "field=value" sorted, set sorted, zset by rank as
// "member:score".
struct Value {
  std::string data;
  bool ttl = false;
  std::vector<std::string> items;
  bool operator==(const Value&) const = default;
};
using State = std::map<std::string, Value>;

std::string KeyName(int thread, int i) {
  return "t" + std::to_string(thread) + ":k" + std::to_string(i);
}
std::string CounterName(int thread) { return "t" + std::to_string(thread) + ":ctr"; }
// The thread's collections: two lists, a hash, a set, a sorted set.
std::string CollName(int thread, const char* kind) {
  return "t" + std::to_string(thread) + ":" + kind;
}
constexpr const char* kCollections[] = {"l", "l2", "h", "s", "z"};

// One command line.
struct Op {
  std::vector<std::string> argv;
};

Op RandomOp(std::mt19937& rng, int thread, int serial, const State& s) {
  auto key = [&] { return KeyName(thread, static_cast<int>(rng() % kKeysPerThread)); };
  const std::string v = "v" + std::to_string(serial);
  const std::string n = std::to_string(serial % 7);
  switch (rng() % 16) {
    case 8:
      return {{"RPUSH", CollName(thread, "l"), v, v + "b"}};
    case 9:
      return {{"LPOP", CollName(thread, "l")}};
    case 10:
      return {{"LMOVE", CollName(thread, "l"), CollName(thread, "l2"), "LEFT", "RIGHT"}};
    case 11:
      return {{"HSET", CollName(thread, "h"), "f" + n, v}};
    case 12:
      return {{"HDEL", CollName(thread, "h"), "f" + n}};
    case 13:
      return {{rng() % 2 ? "SADD" : "SREM", CollName(thread, "s"), "m" + n}};
    case 14:
      return {{"ZADD", CollName(thread, "z"), std::to_string(serial % 10), "m" + n}};
    case 15:
      return {{"ZREM", CollName(thread, "z"), "m" + n}};
    case 0:
      return {{"SET", key(), v}};
    case 1:
      return {{"INCR", CounterName(thread)}};
    case 2:
      return {{"APPEND", key(), "+" + std::to_string(serial)}};
    case 3:
      return {{"DEL", key()}};
    case 4:
      return {{"EXPIRE", key(), "100000"}};
    case 5:
      return {{"MSET", key(), v + "a", key(), v + "b"}};
    case 6: {
      std::string a = key(), b = key();
      if (!s.count(a)) return {{"SET", a, v}};
      return {{"RENAME", a, b}};
    }
    default:
      return {{"SET", key(), v, "EX", "100000"}};
  }
}

// The zset model's rendering: "member:score" by (score, member).
void SortZSet(std::vector<std::string>* items) {
  auto score = [](const std::string& x) { return std::stoll(x.substr(x.rfind(':') + 1)); };
  std::sort(items->begin(), items->end(), [&](const std::string& x, const std::string& y) {
    return score(x) != score(y) ? score(x) < score(y) : x < y;
  });
}

// Removes the item of `items` starting with `prefix` (a field's "f=" or a member's "m:").
bool EraseByPrefix(std::vector<std::string>* items, const std::string& prefix) {
  for (auto it = items->begin(); it != items->end(); ++it) {
    if (it->compare(0, prefix.size(), prefix) == 0) {
      items->erase(it);
      return true;
    }
  }
  return false;
}

// Applies a collection command to the model; an emptied collection disappears.
void ApplyCollection(const std::vector<std::string>& a, State* s) {
  const std::string& op = a[0];
  Value& v = (*s)[a[1]];
  auto& items = v.items;
  if (op == "RPUSH") {
    items.insert(items.end(), a.begin() + 2, a.end());
  } else if (op == "LPOP") {
    if (!items.empty()) items.erase(items.begin());
  } else if (op == "LMOVE") {
    if (!items.empty()) {
      Value& dst = (*s)[a[2]];
      dst.data = "list";
      dst.items.push_back(items.front());
      items.erase(items.begin());
    }
  } else if (op == "HSET") {
    EraseByPrefix(&items, a[2] + "=");
    items.push_back(a[2] + "=" + a[3]);
    std::sort(items.begin(), items.end());
  } else if (op == "HDEL") {
    EraseByPrefix(&items, a[2] + "=");
  } else if (op == "SADD") {
    if (std::find(items.begin(), items.end(), a[2]) == items.end()) items.push_back(a[2]);
    std::sort(items.begin(), items.end());
  } else if (op == "SREM") {
    items.erase(std::remove(items.begin(), items.end(), a[2]), items.end());
  } else if (op == "ZADD") {
    EraseByPrefix(&items, a[3] + ":");
    items.push_back(a[3] + ":" + a[2]);
    SortZSet(&items);
  } else if (op == "ZREM") {
    EraseByPrefix(&items, a[2] + ":");
  }
  static const std::map<std::string, std::string> kTypes = {
      {"RPUSH", "list"}, {"LPOP", "list"}, {"LMOVE", "list"}, {"HSET", "hash"}, {"HDEL", "hash"},
      {"SADD", "set"},   {"SREM", "set"},  {"ZADD", "zset"},  {"ZREM", "zset"}};
  v.data = kTypes.at(op);
  for (const std::string& k : {a[1], a.size() > 2 ? a[2] : a[1]}) {
    auto it = s->find(k);
    if (it != s->end() && !it->second.data.empty() && it->second.data != "string" &&
        it->second.items.empty()) {
      s->erase(it);
    }
  }
}

// Applies an acknowledged command to the model.
void Apply(const Op& c, State* s) {
  const auto& a = c.argv;
  const std::string& op = a[0];
  if (op == "RPUSH" || op == "LPOP" || op == "LMOVE" || op == "HSET" || op == "HDEL" ||
      op == "SADD" || op == "SREM" || op == "ZADD" || op == "ZREM") {
    return ApplyCollection(a, s);
  }
  if (op == "SET") {
    (*s)[a[1]] = Value{a[2], a.size() > 3, {}};
  } else if (op == "INCR") {
    Value& v = (*s)[a[1]];
    v.data = std::to_string((v.data.empty() ? 0 : std::stoll(v.data)) + 1);
  } else if (op == "APPEND") {
    (*s)[a[1]].data += a[2];
  } else if (op == "DEL") {
    s->erase(a[1]);
  } else if (op == "EXPIRE") {
    if (auto it = s->find(a[1]); it != s->end()) it->second.ttl = true;
  } else if (op == "MSET") {
    for (size_t i = 1; i + 1 < a.size(); i += 2) (*s)[a[i]] = Value{a[i + 1], false, {}};
  } else if (op == "RENAME") {
    Value moved = (*s)[a[1]];
    s->erase(a[1]);
    (*s)[a[2]] = moved;
  }
}

// Reads a thread's keys back from the server.
std::optional<State> ReadState(redisContext* c, int thread) {
  State s;
  std::vector<std::string> names;
  for (int i = 0; i < kKeysPerThread; ++i) names.push_back(KeyName(thread, i));
  names.push_back(CounterName(thread));
  for (const char* kind : kCollections) {
    const std::string k = CollName(thread, kind);
    ReplyPtr type = Command(c, {"TYPE", k});
    if (!type || type->type != REDIS_REPLY_STATUS) return std::nullopt;
    const std::string t(type->str, type->len);
    if (t == "none") continue;
    Value v;
    v.data = t;
    ReplyPtr r = t == "list"   ? Command(c, {"LRANGE", k, "0", "-1"})
                 : t == "hash" ? Command(c, {"HGETALL", k})
                 : t == "set"  ? Command(c, {"SMEMBERS", k})
                               : Command(c, {"ZRANGE", k, "0", "-1", "WITHSCORES"});
    if (!r || r->type != REDIS_REPLY_ARRAY) return std::nullopt;
    const size_t step = (t == "hash" || t == "zset") ? 2 : 1;
    for (size_t i = 0; i + step <= r->elements; i += step) {
      std::string item(r->element[i]->str, r->element[i]->len);
      if (step == 2) {
        item += (t == "hash" ? "=" : ":") +
                std::string(r->element[i + 1]->str, r->element[i + 1]->len);
      }
      v.items.push_back(std::move(item));
    }
    if (t == "hash" || t == "set") std::sort(v.items.begin(), v.items.end());
    s[k] = std::move(v);
  }
  for (const std::string& k : names) {
    ReplyPtr r = Command(c, {"GET", k});
    if (!r) return std::nullopt;
    if (r->type == REDIS_REPLY_NIL) continue;
    if (r->type != REDIS_REPLY_STRING) return std::nullopt;
    ReplyPtr ttl = Command(c, {"PTTL", k});
    if (!ttl || ttl->type != REDIS_REPLY_INTEGER) return std::nullopt;
    s[k] = Value{std::string(r->str, r->len), ttl->integer > 0, {}};
  }
  return s;
}

std::string Show(const State& s) {
  std::string out;
  for (const auto& [k, v] : s) {
    out += k + "=" + v.data + (v.ttl ? "(ttl) " : " ");
    for (const std::string& item : v.items) out += item + ",";
  }
  return out;
}

struct CrashParams {
  const char* name;
  const char* io_backend;  // network loop
  const char* wal_io;      // WAL writer
  const char* fsync;
  // Snapshots every few KB of log while the writers run, over a filler data set big enough that
  // each capture's walk overlaps many writes; the log is trimmed behind them.
  bool snapshots = false;
};

constexpr int kFillerKeys = 40000;

void PrintTo(const CrashParams& p, std::ostream* os) { *os << p.name; }

class CrashTest : public ::testing::TestWithParam<CrashParams> {};

// One writer thread's round: commands until the connection dies. Records the history of model
// states (acknowledged prefix) and the command in flight when the server died.
struct ThreadRound {
  std::vector<State> history;      // history[0]: state at the start; history[i]: after i commands
  std::optional<State> in_flight;  // state had the unacknowledged last command been applied
  int64_t incrs_sent = 0;
  std::string failure;
};

void RunWriter(int port, int thread, uint32_t seed, int* serial, ThreadRound* round) {
  std::mt19937 rng(seed);
  RedisConnection c = Connect(port);
  if (!c) {
    round->failure = "connect failed";
    return;
  }
  for (;;) {
    const State& cur = round->history.back();
    Op cmd = RandomOp(rng, thread, ++*serial, cur);
    if (cmd.argv[0] == "INCR") ++round->incrs_sent;
    ReplyPtr r = Command(c.get(), cmd.argv);
    State next = cur;
    Apply(cmd, &next);
    if (!r) {  // the server died with this command in flight
      round->in_flight = std::move(next);
      return;
    }
    if (r->type == REDIS_REPLY_ERROR) {
      round->failure = cmd.argv[0] + " failed: " + std::string(r->str, r->len);
      return;
    }
    round->history.push_back(std::move(next));
  }
}

TEST_P(CrashTest, KillNineLosesNothingThePolicyPromised) {
  const CrashParams& p = GetParam();
  std::string error;
  std::vector<std::string> flags = {"--io-backend", p.io_backend, "--wal-io-backend", p.wal_io,
                                    "--appendfsync", p.fsync, "--wal-segment-size", "256kb",
                                    "--hz", "50", "--enable-debug-command", "local"};
  if (p.snapshots) {
    flags.insert(flags.end(), {"--snapshot-wal-bytes", "16kb", "--snapshot-keep", "2"});
  } else {
    flags.insert(flags.end(), {"--save", "", "--snapshot-wal-bytes", "0"});
  }
  auto server = ServerProcess::StartStrata(flags, &error);
  ASSERT_NE(server, nullptr) << error;
  if (p.snapshots) {
    RedisConnection c = Connect(server->port());
    ReplyPtr r = Command(c.get(), {"DEBUG", "POPULATE", std::to_string(kFillerKeys), "filler", "40"});
    ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS);
  }
  std::mt19937 rng(20261128);
  std::vector<State> state(kThreads);
  std::vector<int> serial(kThreads, 0);
  std::vector<int64_t> incrs(kThreads, 0);
  constexpr int kRounds = 12;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<ThreadRound> rounds(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      rounds[t].history.push_back(state[t]);
      threads.emplace_back(RunWriter, server->port(), t, static_cast<uint32_t>(rng()), &serial[t],
                           &rounds[t]);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    server->Kill();
    for (auto& th : threads) th.join();
    ASSERT_TRUE(server->Restart(&error)) << "round " << round << ": " << error;
    RedisConnection c = Connect(server->port());
    ASSERT_NE(c, nullptr);
    if (p.snapshots) {
      // The filler came back whole, whichever snapshot and log suffix recovery used.
      for (int i = 0; i < kFillerKeys; i += 997) {
        ReplyPtr v = Command(c.get(), {"STRLEN", "filler:" + std::to_string(i)});
        ASSERT_TRUE(v && v->type == REDIS_REPLY_INTEGER && v->integer == 40)
            << "filler:" << i << " round " << round << "\n" << server->Log();
      }
    }
    for (int t = 0; t < kThreads; ++t) {
      const ThreadRound& r = rounds[t];
      ASSERT_TRUE(r.failure.empty()) << r.failure;
      incrs[t] += r.incrs_sent;
      std::optional<State> got = ReadState(c.get(), t);
      ASSERT_TRUE(got.has_value());
      // No write applied twice: the counter never exceeds the INCRs sent.
      auto ctr = got->find(CounterName(t));
      if (ctr != got->end()) {
        EXPECT_LE(std::stoll(ctr->second.data), incrs[t]);
      }
      const bool ok = *got == r.history.back() || (r.in_flight && *got == *r.in_flight);
      ASSERT_TRUE(ok) << p.name << " round " << round << " thread " << t << " after "
                      << r.history.size() - 1 << " acknowledged commands\n got:      " << Show(*got)
                      << "\n expected: " << Show(r.history.back())
                      << (r.in_flight ? "\n or:       " + Show(*r.in_flight) : std::string())
                      << "\nserver log:\n"
                      << server->Log();
      state[t] = *got;
    }
  }
  // The log says it replayed records on every start after the first.
  EXPECT_NE(server->Log().find("write-ahead log"), std::string::npos);
  if (p.snapshots) {
    // Whatever the rounds' timing let the background snapshots finish, two more snapshots put
    // the oldest kept one past the filler's log segments, which must then be trimmed.
    RedisConnection c = Connect(server->port());
    ASSERT_NE(c, nullptr);
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(Describe(Command(c.get(), {"SET", "trim:probe", std::to_string(i)}).get()), "OK");
      std::string saved;
      for (int attempt = 0; attempt < 600 && saved != "OK"; ++attempt) {
        saved = Describe(Command(c.get(), {"SAVE"}).get());  // busy while a BGSAVE runs
        if (saved != "OK") std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      ASSERT_EQ(saved, "OK");
    }
    // Snapshots were taken and loaded, and the log was trimmed behind them.
    EXPECT_NE(server->Log().find("DB loaded from snapshot"), std::string::npos);
    EXPECT_NE(server->Log().find("Write-ahead log trimmed"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Paths, CrashTest,
    ::testing::Values(CrashParams{"always_uring", "uring", "uring", "always"},
                      CrashParams{"always_epoll_pwrite", "epoll", "pwrite", "always"},
                      CrashParams{"everysec_uring", "uring", "uring", "everysec"},
                      CrashParams{"everysec_epoll_pwrite", "epoll", "pwrite", "everysec"},
                      CrashParams{"no_uring", "uring", "uring", "no"},
                      CrashParams{"no_pwrite", "epoll", "pwrite", "no"},
                      CrashParams{"always_snapshots", "uring", "uring", "always", true},
                      CrashParams{"everysec_snapshots", "epoll", "pwrite", "everysec", true}),
    [](const ::testing::TestParamInfo<CrashParams>& info) { return info.param.name; });

}  // namespace
}  // namespace strata::integration
