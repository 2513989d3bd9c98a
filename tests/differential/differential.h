// The differential test's shared parts: replies as values, connections, the fixture that sends
// each command to Strata and to the reference redis-server and compares, and the random source
// the per-family command generators draw from. Each family's tests live in their own file
// (differential_test.cc: strings and the keyspace) and derive their own fixture from
// DifferentialTest.
//
// Environment:
//   STRATA_PORT  port of the Strata server under test (127.0.0.1)
//   REDIS_PORT   port of a redis-server 7.0 used as the reference (127.0.0.1)
// Tests are skipped when either is unset. Both servers must be dedicated to the test: it runs
// FLUSHALL on them.
//
// Comparison rules: reply kinds must agree (status, bulk, nil, integer, error, array), then values
// recursively; errors are compared by full text. TTL and PTTL replies are compared only by class
// (-2, -1, or non-negative), since the two servers set the expiry at slightly different times.
// Every TTL the generators set is at least 1000 s, so no key expires during a run.
//
// Each random run uses a fixed seed, so a failure is reproduced by rerunning; the failure message
// names the seed, the step, the command and the last 20 commands before it.
#pragma once
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/util/reply.h"

namespace strata::differential {

using Argv = std::vector<std::string>;

constexpr size_t kHistoryLength = 20;
constexpr int kNumDbs = 3;  // The generator uses databases 0..2.

// Replies as values and their printed form: tests/util/reply.h.
using testing::Quote;
using testing::Render;
using testing::RenderCommand;
using testing::Reply;
using testing::ToReply;

inline bool EqualsNoCase(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

// Maps a TTL/PTTL integer reply to its class: -2 (no key), -1 (no TTL) or 0 (has a TTL).
inline Reply Normalize(const Argv& argv, Reply reply) {
  const bool is_ttl =
      !argv.empty() && (EqualsNoCase(argv[0], "ttl") || EqualsNoCase(argv[0], "pttl"));
  if (is_ttl && reply.kind == Reply::Kind::kInteger && reply.integer >= 0) reply.integer = 0;
  return reply;
}

// --- Connections ---------------------------------------------------------------------------------

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Connection = std::unique_ptr<redisContext, ContextDeleter>;

inline std::optional<int> PortFromEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  int port = 0;
  const std::string_view s(value);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  if (ec != std::errc() || end != s.data() + s.size() || port <= 0 || port > 65535) return -1;
  return port;
}

// Returns nullopt when the connection failed; the reason is in c->errstr.
inline std::optional<Reply> Send(redisContext* c, const Argv& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const std::string& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
  if (raw == nullptr) return std::nullopt;
  Reply reply = ToReply(raw);
  freeReplyObject(raw);
  return reply;
}

// --- Edge-case scripts -----------------------------------------------------------------------

// One step of a fixed script. `expected` (Render() form), when set, is checked against both
// servers' replies, so the script also documents Redis 7.0's exact texts.
struct EdgeCase {
  Argv argv;
  std::string expected;
};

// Redis's replies that several scripts expect.
inline const std::string kOk = "+OK";
inline const std::string kSyntax = "(error) ERR syntax error";
inline const std::string kNotInt = "(error) ERR value is not an integer or out of range";
inline const std::string kNotFloat = "(error) ERR value is not a valid float";
inline const std::string kOverflow = "(error) ERR increment or decrement would overflow";
inline const std::string kWrongType =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
inline const std::string kNoKey = "(error) ERR no such key";
inline const std::string kPositive = "(error) ERR value is out of range, must be positive";
inline std::string Arity(const std::string& command) {
  return "(error) ERR wrong number of arguments for '" + command + "' command";
}

// --- Random choices ------------------------------------------------------------------------------

// Draws from the raw engine output only (no std::*_distribution), so a seed means the same
// stream on every standard library. Generators derive from it.
class RandomSource {
 public:
  explicit RandomSource(uint64_t seed) : rng_(seed) {}

  uint64_t Below(uint64_t n) { return rng_() % n; }
  bool Chance(uint64_t one_in) { return Below(one_in) == 0; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  // Mangles a generated command as a careless client would: the name's case (1 in 25), and
  // the arity (1 in 40): drops the last argument or appends stray() (called only then).
  template <typename Stray>
  Argv Perturb(Argv argv, Stray&& stray) {
    if (Chance(25)) argv[0] = RandomCase(argv[0]);
    if (Chance(40)) {
      if (argv.size() > 1 && Chance(2)) {
        argv.pop_back();
      } else {
        argv.push_back(stray());
      }
    }
    return argv;
  }

  std::string RandomCase(std::string s) {
    for (char& c : s) {
      if (Chance(2))
        c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
      else
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

// --- Fixture -------------------------------------------------------------------------------------

class DifferentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::optional<int> strata_port = PortFromEnv("STRATA_PORT");
    const std::optional<int> redis_port = PortFromEnv("REDIS_PORT");
    if (!strata_port || !redis_port) {
      GTEST_SKIP() << "set STRATA_PORT and REDIS_PORT to run the differential tests";
    }
    ASSERT_GT(*strata_port, 0) << "STRATA_PORT is not a port number";
    ASSERT_GT(*redis_port, 0) << "REDIS_PORT is not a port number";
    strata_ = ConnectOrFail(*strata_port, "Strata");
    redis_ = ConnectOrFail(*redis_port, "redis");
    ASSERT_TRUE(strata_ && redis_);
    for (const Argv& argv : {Argv{"FLUSHALL"}, Argv{"SELECT", "0"}}) {
      ASSERT_TRUE(SendBoth(argv)) << RenderCommand(argv);
    }
  }

  static Connection ConnectOrFail(int port, const char* what) {
    Connection c(redisConnectWithTimeout("127.0.0.1", port, timeval{5, 0}));
    if (c == nullptr || c->err != 0) {
      ADD_FAILURE() << "cannot connect to " << what << " on port " << port << ": "
                    << (c ? c->errstr : "out of memory");
      return nullptr;
    }
    return c;
  }

  // Sends argv to both servers. Returns true when the replies agree; otherwise records a failure
  // naming the command and the history, and returns false.
  bool SendBoth(const Argv& argv, const std::string& context = {}) {
    const std::optional<Reply> ours = Send(strata_.get(), argv);
    const std::optional<Reply> theirs = Send(redis_.get(), argv);
    if (!ours || !theirs) {
      ADD_FAILURE() << context << "connection error on " << RenderCommand(argv)
                    << ": strata=" << (ours ? "ok" : strata_->errstr)
                    << " redis=" << (theirs ? "ok" : redis_->errstr) << History();
      return false;
    }
    last_reply_ = *theirs;
    const Reply a = Normalize(argv, *ours);
    const Reply b = Normalize(argv, *theirs);
    if (!(a == b)) {
      ADD_FAILURE() << context << "replies differ for: " << RenderCommand(argv)
                    << "\n  strata: " << Render(*ours) << "\n  redis:  " << Render(*theirs)
                    << History();
      return false;
    }
    Remember(argv, *theirs);
    return true;
  }

  // As SendBoth for a command whose reply is an array in no defined order (SMEMBERS, HGETALL,
  // HKEYS, ...): the arrays are compared sorted. HGETALL's field/value pairs stay pairs.
  bool SendBothSorted(const Argv& argv, const std::string& context = {}) {
    const std::optional<Reply> ours = Send(strata_.get(), argv);
    const std::optional<Reply> theirs = Send(redis_.get(), argv);
    if (!ours || !theirs) {
      ADD_FAILURE() << context << "connection error on " << RenderCommand(argv) << History();
      return false;
    }
    const bool pairs = EqualsNoCase(argv[0], "hgetall");
    auto sorted = [pairs](Reply r) {
      if (r.kind != Reply::Kind::kArray) return r;
      std::vector<std::vector<Reply>> groups;
      const size_t step = pairs ? 2 : 1;
      for (size_t i = 0; i + step <= r.elements.size(); i += step) {
        groups.emplace_back(r.elements.begin() + i, r.elements.begin() + i + step);
      }
      std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
        return Render(a[0]) < Render(b[0]);
      });
      r.elements.clear();
      for (auto& g : groups) r.elements.insert(r.elements.end(), g.begin(), g.end());
      return r;
    };
    last_reply_ = *theirs;
    if (!(sorted(*ours) == sorted(*theirs))) {
      ADD_FAILURE() << context << "replies differ (compared sorted) for: " << RenderCommand(argv)
                    << "\n  strata: " << Render(*ours) << "\n  redis:  " << Render(*theirs)
                    << History();
      return false;
    }
    Remember(argv, *theirs);
    return true;
  }

  // Runs `steps` commands from a generator (anything with Argv Next()) built from each seed,
  // comparing every reply, then the whole keyspace. Returns false at the first mismatch.
  template <typename Generator>
  bool RunRandom(std::span<const uint64_t> seeds, int steps) {
    for (uint64_t seed : seeds) {
      SCOPED_TRACE("seed " + std::to_string(seed));
      history_.clear();
      if (!SendBoth({"FLUSHALL"}) || !SendBoth({"SELECT", "0"})) return false;
      Generator gen(seed);
      for (int step = 0; step < steps; ++step) {
        const Argv argv = gen.Next();
        bool skipped;
        if (!SendBothIfSupported(argv,
                                 "seed " + std::to_string(seed) + ", step " +
                                     std::to_string(step) + ": ",
                                 &skipped, /*taint=*/false)) {
          return false;
        }
      }
      if (!CompareKeyspaces("seed " + std::to_string(seed) + ", final keyspace: ")) return false;
    }
    return true;
  }

  // Sends each step of a script to both servers (skipping unsupported commands, and later steps
  // on their keys), and checks the replies against the steps' expected texts. Steps for which
  // `unordered` is true are compared sorted (SendBothSorted), without an expected text.
  void RunEdgeCases(const std::vector<EdgeCase>& cases,
                    bool (*unordered)(const Argv&) = nullptr) {
    for (size_t i = 0; i < cases.size(); ++i) {
      const EdgeCase& c = cases[i];
      const std::string context = "edge case #" + std::to_string(i) + ": ";
      if (unordered != nullptr && unordered(c.argv)) {
        SendBothSorted(c.argv, context);
        continue;
      }
      bool skipped;
      if (!SendBothIfSupported(c.argv, context, &skipped, /*taint=*/true) || skipped) continue;
      if (!c.expected.empty() && skipped_commands_ == 0) {
        const std::string got = Render(Normalize(c.argv, last_reply_));
        EXPECT_EQ(got, c.expected) << context << RenderCommand(c.argv)
                                   << " (both servers replied this; the expected text is stale)";
      }
    }
  }

  // False for a command redis-server knows and Strata does not implement yet (asked once, with
  // COMMAND INFO on both). Such commands are left out of the comparison and counted, so that a
  // later family's commands join the test as soon as Strata has them. Unknown to both servers
  // (e.g. FOO) counts as supported: the unknown-command error is then what is compared.
  bool Supported(const std::string& name) {
    auto it = supported_.find(name);
    if (it != supported_.end()) return it->second;
    auto known = [&](redisContext* c) {
      const std::optional<Reply> r = Send(c, {"COMMAND", "INFO", name});
      return r && !r->elements.empty() && r->elements[0].kind == Reply::Kind::kArray;
    };
    const bool ok = known(strata_.get()) || !known(redis_.get());
    if (!ok) std::cerr << "differential: '" << name << "' not implemented by Strata yet, skipped\n";
    return supported_[name] = ok;
  }

  // Sends argv to both servers unless it uses an unsupported command. Skipping a command on both
  // keeps their states equal. With `taint`, keys an unsupported command names are remembered and
  // later commands on them are skipped too: the edge-case script's expected texts assume the
  // skipped command ran. Returns false on a mismatch.
  bool SendBothIfSupported(const Argv& argv, const std::string& context, bool* skipped,
                           bool taint) {
    *skipped = false;
    std::string name = argv[0];
    for (char& ch : name) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
    bool taints = !Supported(name);
    for (size_t i = 1; i < argv.size() && !taints && taint; ++i) taints = tainted_.count(argv[i]) > 0;
    if (taints) {
      for (size_t i = 1; i < argv.size(); ++i) tainted_.insert(argv[i]);
      ++skipped_commands_;
      *skipped = true;
      return true;
    }
    return SendBoth(argv, context);
  }

  // Compares the whole keyspace of databases 0..kNumDbs-1: key set, and each key's type, value
  // and TTL class. Unordered collections (hash, set) are compared sorted. Leaves database 0
  // selected on both servers.
  bool CompareKeyspaces(const std::string& context) {
    for (int db = 0; db < kNumDbs; ++db) {
      if (!SendBoth({"SELECT", std::to_string(db)}, context)) return false;
      const std::optional<Reply> ours = Send(strata_.get(), {"KEYS", "*"});
      const std::optional<Reply> theirs = Send(redis_.get(), {"KEYS", "*"});
      if (!ours || !theirs) {
        ADD_FAILURE() << context << "connection error on KEYS *";
        return false;
      }
      auto sorted_keys = [](const Reply& r) {
        std::vector<std::string> keys;
        for (const Reply& e : r.elements) keys.push_back(e.text);
        std::sort(keys.begin(), keys.end());
        return keys;
      };
      const std::vector<std::string> keys = sorted_keys(*theirs);
      if (ours->kind != Reply::Kind::kArray || sorted_keys(*ours) != keys) {
        ADD_FAILURE() << context << "keyspace of db " << db
                      << " differs\n  strata: " << Render(*ours)
                      << "\n  redis:  " << Render(*theirs) << History();
        return false;
      }
      for (const std::string& key : keys) {
        if (!SendBoth({"TYPE", key}, context)) return false;
        const std::string type = last_reply_.text;
        if (!SendBoth({"TTL", key}, context)) return false;
        bool ok = true;
        if (type == "string") {
          ok = SendBoth({"GET", key}, context);
        } else if (type == "list") {
          ok = SendBoth({"LRANGE", key, "0", "-1"}, context);
        } else if (type == "zset") {
          ok = SendBoth({"ZRANGE", key, "0", "-1", "WITHSCORES"}, context);
        } else if (type == "hash" || type == "set") {
          ok = SendBothSorted({type == "hash" ? "HGETALL" : "SMEMBERS", key}, context);
        }
        if (!ok) return false;
      }
    }
    return SendBoth({"SELECT", "0"}, context);
  }

  void Remember(const Argv& argv, const Reply& reply) {
    history_.push_back(RenderCommand(argv) + "  ->  " + Render(reply));
    if (history_.size() > kHistoryLength) history_.pop_front();
  }

  std::string History() const {
    std::ostringstream out;
    out << "\n  last " << history_.size() << " commands before it (with redis's replies):";
    for (const std::string& line : history_) out << "\n    " << line;
    return out.str();
  }

  Connection strata_;
  Connection redis_;
  std::deque<std::string> history_;
  Reply last_reply_;  // redis's reply to the last command SendBoth sent
  std::map<std::string, bool> supported_;
  std::set<std::string> tainted_;
  int skipped_commands_ = 0;
};

}  // namespace strata::differential
