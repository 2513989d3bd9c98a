// Client-side caching (CLIENT TRACKING) side by side with redis-server 7.0: the same sessions
// of a tracking client and a writer on another connection (on another worker, in Strata) must
// produce the same invalidations, in the same place among the replies, and the same errors,
// TRACKINGINFO, GETREDIR, CLIENT LIST flags and INFO counts. A last test, on Strata alone, reads
// and writes from two connections at once and checks that a client cache kept by the
// invalidations ends equal to the data.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using namespace std::chrono_literals;

// Any reply on one line, RESP3 types included: aggregates as type[...].
std::string Render(const RespValue& v) {
  switch (v.type) {
    case '+': return v.str;
    case '-': return "(error) " + v.str;
    case ':': return std::to_string(v.integer);
    case '_': return "(null)";
    case '$': return v.null ? "(nil)" : "\"" + v.str + "\"";
    case '=': return "\"" + v.str.substr(v.str.find(':') + 1) + "\"";  // as its RESP2 bulk
    case '*':
    case '~':
    case '>':
    case '%': {
      if (v.null) return "(nil array)";
      std::string out = std::string(1, v.type) + "[";
      for (size_t i = 0; i < v.elements.size(); ++i) out += (i ? ", " : "") + Render(v.elements[i]);
      return out + "]";
    }
    default: return std::string(1, v.type) + v.str;
  }
}

// One connection of a session: sends commands and records every value that comes back.
class Peer {
 public:
  Peer(int port, std::string name) : conn_(port), name_(std::move(name)) {}
  // Sends the commands (one write) and records values up to the reply to a final ECHO, so that
  // whatever the server sent before it (pushes, messages) is in the transcript, in order.
  void Run(std::string* log, const std::vector<std::vector<std::string>>& cmds) {
    std::string out;
    for (const auto& argv : cmds) out += Encode(argv);
    out += Encode({"ECHO", "sync"});
    ASSERT_TRUE(conn_.Send(out));
    for (;;) {
      std::optional<RespValue> v = conn_.ReadValue();
      ASSERT_TRUE(v.has_value()) << *log;
      if ((v->type == '$' || v->type == '+') && v->str == "sync") break;
      *log += name_ + ": " + Render(*v) + "\n";
    }
  }
  // For a subscribed RESP2 connection: PING answers ["pong", ""], after what was sent before.
  void SyncSubscribed(std::string* log, const std::vector<std::string>& before = {}) {
    ASSERT_TRUE(conn_.Send((before.empty() ? "" : Encode(before)) + Encode({"PING"})));
    for (;;) {
      std::optional<RespValue> v = conn_.ReadValue();
      ASSERT_TRUE(v.has_value()) << *log;
      if (v->type == '*' && !v->elements.empty() && v->elements[0].str == "pong") break;
      *log += name_ + ": " + Render(*v) + "\n";
    }
  }
  // Waits up to `wait` for one value (an invalidation that comes on its own).
  void Expect(std::string* log, std::chrono::milliseconds wait) {
    std::optional<RespValue> v = conn_.ReadValueWithin(wait);
    *log += name_ + ": " + (v ? Render(*v) : "(nothing)") + "\n";
  }
  int64_t Id() {
    conn_.Send(Encode({"CLIENT", "ID"}));
    std::optional<RespValue> v = conn_.ReadValue();
    return v ? v->integer : -1;
  }

 private:
  RawConnection conn_;
  std::string name_;
};

// CLIENT INFO / CLIENT LIST lines differ in ids, addresses, sizes: keep flags and resp.
std::string FlagsOnly(std::string s) {
  for (size_t at = 0; (at = s.find("\"id=", at)) != std::string::npos;) {
    const size_t f = s.find(" flags=", at), end = s.find(' ', f + 7);
    const size_t close = s.find('"', end);
    const size_t r = s.find(" resp=", end);
    s.replace(at, close + 1 - at,
              "flags=" + s.substr(f + 7, end - f - 7) + " resp=" + s.substr(r + 6, 1));
    ++at;
  }
  return s;
}

class TrackingCompatTest : public SideBySideTest {
 protected:
  // Runs `session` against each server (flushed first) and expects the same transcript.
  template <typename Session>
  void Compare(Session session) {
    std::string want, got;
    for (auto [server, log] : {std::pair{redis_, &want}, std::pair{strata_, &got}}) {
      RawConnection admin(server->port());
      admin.Send(Encode({"FLUSHALL"}) + Encode({"CONFIG", "SET", "tracking-table-max-keys", "0"}));
      admin.ReadValue();
      admin.ReadValue();
      session(server->port(), log);
    }
    EXPECT_EQ(FlagsOnly(got), FlagsOnly(want)) << "redis-server:\n" << want;
  }
};

TEST_F(TrackingCompatTest, DefaultModeInvalidatesWhatWasRead) {
  Compare([](int port, std::string* log) {
    Peer t(port, "T"), w(port, "W");
    t.Run(log, {{"HELLO", "3"}});
    log->clear();  // HELLO's reply names the server
    t.Run(log, {{"CLIENT", "TRACKING", "on"}, {"GET", "a"}, {"MGET", "b", "c"}, {"HGET", "h", "f"},
                {"EXISTS", "d"}, {"TYPE", "e"}, {"SET", "s", "1"}});
    w.Run(log, {{"SET", "a", "1"}});
    t.Run(log, {{"PING"}});
    w.Run(log, {{"MSET", "b", "1", "c", "2"}, {"HSET", "h", "f", "v"}, {"DEL", "d"}, {"SET", "a", "2"},
                {"SET", "s", "2"}});
    t.Run(log, {{"PING"}});
    // Read again: told again. A key it changes itself: the push follows the reply.
    t.Run(log, {{"GET", "a"}, {"SET", "a", "3"}, {"PING"}, {"GET", "x"}, {"INCR", "x"}});
    // In a transaction the pushes follow EXEC's reply.
    t.Run(log, {{"GET", "m"}, {"MULTI"}, {"SET", "m", "1"}, {"GET", "m"}, {"EXEC"}, {"PING"}});
    // FLUSHDB and FLUSHALL: a null invalidation ("everything"), and the table is emptied.
    t.Run(log, {{"GET", "f"}, {"FLUSHDB"}, {"PING"}});
    w.Run(log, {{"SET", "f", "1"}, {"FLUSHALL"}});
    t.Run(log, {{"PING"}, {"CLIENT", "TRACKINGINFO"}, {"CLIENT", "GETREDIR"}, {"CLIENT", "INFO"}});
    // Expiry: the cron deletes the key and the reader is told on its own.
    t.Run(log, {{"SET", "e", "1", "PX", "50"}, {"GET", "e"}});
    t.Expect(log, 5000ms);
    t.Run(log, {{"CLIENT", "TRACKING", "off"}, {"GET", "z"}});
    w.Run(log, {{"SET", "z", "1"}});
    t.Run(log, {{"PING"}, {"CLIENT", "TRACKINGINFO"}, {"CLIENT", "GETREDIR"}});
  });
}

TEST_F(TrackingCompatTest, NoLoopOptInOptOut) {
  Compare([](int port, std::string* log) {
    Peer t(port, "T"), w(port, "W");
    t.Run(log, {{"HELLO", "3"}});
    log->clear();
    t.Run(log, {{"CLIENT", "TRACKING", "on", "NOLOOP"}, {"GET", "a"}, {"SET", "a", "1"}, {"GET", "b"}});
    w.Run(log, {{"SET", "b", "1"}});
    t.Run(log, {{"PING"}, {"CLIENT", "TRACKINGINFO"}, {"CLIENT", "TRACKING", "off"}});
    // OPTIN: only the command after CLIENT CACHING YES (or the transaction it starts).
    t.Run(log, {{"CLIENT", "TRACKING", "on", "OPTIN"}, {"GET", "a"}, {"CLIENT", "CACHING", "yes"},
                {"GET", "b"}, {"GET", "c"}, {"CLIENT", "CACHING", "yes"}, {"MULTI"}, {"GET", "d"},
                {"GET", "e"}, {"EXEC"}, {"CLIENT", "CACHING", "no"}, {"CLIENT", "TRACKINGINFO"}});
    w.Run(log, {{"MSET", "a", "2", "b", "2", "c", "2", "d", "2", "e", "2"}});
    t.Run(log, {{"PING"}, {"CLIENT", "TRACKING", "on", "OPTOUT"}, {"CLIENT", "TRACKING", "off"}});
    // OPTOUT: every command but the one after CLIENT CACHING NO.
    t.Run(log, {{"CLIENT", "TRACKING", "on", "OPTOUT"}, {"CLIENT", "CACHING", "no"}, {"GET", "a"},
                {"GET", "b"}, {"CLIENT", "CACHING", "yes"}, {"CLIENT", "TRACKINGINFO"}});
    w.Run(log, {{"MSET", "a", "3", "b", "3"}});
    t.Run(log, {{"PING"}});
  });
}

TEST_F(TrackingCompatTest, BroadcastByPrefix) {
  Compare([](int port, std::string* log) {
    Peer t(port, "T"), w(port, "W"), all(port, "A");
    t.Run(log, {{"HELLO", "3"}});
    all.Run(log, {{"HELLO", "3"}});
    log->clear();
    t.Run(log, {{"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:", "PREFIX", "b:", "NOLOOP"},
                {"CLIENT", "TRACKINGINFO"}, {"CLIENT", "INFO"}});
    all.Run(log, {{"CLIENT", "TRACKING", "on", "BCAST"}});
    // One push per prefix and client, the keys of one batch of input together, sorted.
    w.Run(log, {{"MSET", "b:2", "x", "a:1", "x", "c:1", "x", "b:1", "y"}, {"SET", "a:0", "z"}});
    t.Run(log, {{"PING"}});
    all.Run(log, {{"PING"}});
    // NOLOOP: its own changes are not sent to it (but are to the others).
    t.Run(log, {{"SET", "a:5", "1"}, {"PING"}});
    all.Run(log, {{"PING"}});
    t.Run(log, {{"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:x"},
                {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "c:", "PREFIX", "c:d"},
                {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "d:"}, {"CLIENT", "TRACKINGINFO"},
                {"CLIENT", "TRACKING", "on"}, {"CLIENT", "TRACKING", "off"},
                {"CLIENT", "TRACKINGINFO"}});
    w.Run(log, {{"FLUSHALL"}});
    t.Run(log, {{"PING"}});
    all.Run(log, {{"PING"}});
  });
}

TEST_F(TrackingCompatTest, Resp2RedirectionAndBrokenRedirection) {
  Compare([](int port, std::string* log) {
    auto r = std::make_unique<Peer>(port, "R");
    Peer t(port, "T"), w(port, "W"), plain(port, "P");
    const std::string rid = std::to_string(r->Id());
    r->SyncSubscribed(log, {"SUBSCRIBE", "__redis__:invalidate"});
    t.Run(log, {{"CLIENT", "TRACKING", "on", "REDIRECT", rid}, {"GET", "k"}, {"MGET", "k", "j"}});
    // RESP2 without a redirection: tracked, but nothing can be sent to it.
    plain.Run(log, {{"CLIENT", "TRACKING", "on"}, {"GET", "k"}});
    w.Run(log, {{"SET", "k", "1"}, {"SET", "j", "1"}});
    r->SyncSubscribed(log);
    plain.Run(log, {{"PING"}});
    t.Run(log, {{"GET", "k"}, {"FLUSHDB"}, {"CLIENT", "GETREDIR"}});
    r->SyncSubscribed(log);
    r.reset();
    // The redirection's client is gone: a RESP3 tracking client is told so, and flagged R.
    t.Run(log, {{"HELLO", "3"}, {"CLIENT", "TRACKING", "on", "REDIRECT", rid}});
    log->erase(log->rfind("T: %["));  // HELLO's reply names the server
    t.Run(log, {{"GET", "k"}});
    w.Run(log, {{"SET", "k", "2"}});
    t.Run(log, {{"PING"}, {"CLIENT", "INFO"}, {"CLIENT", "TRACKINGINFO"}});
    // The redirection's id differs from server to server.
    for (const std::string& form : {"T: " + rid + "\n", ", " + rid + "]", ", " + rid + ","}) {
      std::string named = form;
      named.replace(form.find(rid), rid.size(), "<R>");
      for (size_t at; (at = log->find(form)) != std::string::npos;) log->replace(at, form.size(), named);
    }
  });
}

TEST_F(TrackingCompatTest, ErrorsAsRedis) {
  Compare([](int port, std::string* log) {
    const std::vector<std::vector<std::string>> cases = {
        {"CLIENT", "TRACKING", "on", "PREFIX", "a"},
        {"CLIENT", "TRACKING", "on", "BCAST", "OPTIN"},
        {"CLIENT", "TRACKING", "on", "BCAST", "OPTOUT"},
        {"CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"},
        {"CLIENT", "TRACKING", "on", "REDIRECT", "999999999"},
        {"CLIENT", "TRACKING", "on", "REDIRECT", "0"},
        {"CLIENT", "TRACKING", "on", "REDIRECT", "-1"},
        {"CLIENT", "TRACKING", "on", "REDIRECT", "x"},
        {"CLIENT", "TRACKING", "on", "REDIRECT", "9223372036854775808"},
        {"CLIENT", "TRACKING", "off", "REDIRECT", "x"},
        {"CLIENT", "TRACKING", "maybe"},
        {"CLIENT", "TRACKING", "off", "foo"},
        {"CLIENT", "TRACKING", "on", "PREFIX"},
        {"CLIENT", "TRACKING", "on", "REDIRECT"},
        {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a"},
        {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "", "PREFIX", "a"},
        {"CLIENT", "TRACKING"},
        {"CLIENT", "CACHING", "yes"},
        {"CLIENT", "CACHING", "no"},
        {"CLIENT", "CACHING"},
        {"CLIENT", "GETREDIR", "x"},
        {"CLIENT", "TRACKINGINFO", "x"},
        {"CLIENT", "GETREDIR"},
        {"CLIENT", "TRACKINGINFO"},
    };
    for (const auto& argv : cases) {
      Peer p(port, "P");
      *log += "> " + argv[1] + "...\n";
      p.Run(log, {argv});
    }
    Peer p(port, "P");
    const std::string self = std::to_string(p.Id());
    p.Run(log, {{"CLIENT", "TRACKING", "on", "REDIRECT", self, "REDIRECT", self},
                {"CLIENT", "TRACKING", "on", "OPTIN"}, {"CLIENT", "CACHING", "maybe"},
                {"CLIENT", "CACHING", "no"}, {"CLIENT", "TRACKING", "on", "OPTOUT"},
                {"CLIENT", "TRACKING", "on", "BCAST"}, {"RESET"}, {"CLIENT", "TRACKINGINFO"}});
  });
}

TEST_F(TrackingCompatTest, TableLimitAndInfo) {
  Compare([](int port, std::string* log) {
    Peer t(port, "T"), b(port, "B"), admin(port, "X");
    t.Run(log, {{"HELLO", "3"}});
    b.Run(log, {{"HELLO", "3"}});
    log->clear();
    t.Run(log, {{"CLIENT", "TRACKING", "on"}, {"MGET", "k1", "k2", "k3"}, {"GET", "k1"}});
    b.Run(log, {{"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p", "PREFIX", "q"}});
    auto info = [&](const char* section, const char* field) {
      RawConnection c(port);
      c.Send(Encode({"INFO", section}));
      std::optional<RespValue> v = c.ReadValue();
      ASSERT_TRUE(v.has_value());
      const size_t at = v->str.find(field);
      *log += at == std::string::npos ? std::string(field) + " missing\n"
                                      : v->str.substr(at, v->str.find('\r', at) - at) + "\n";
    };
    info("clients", "tracking_clients:");
    info("stats", "tracking_total_keys:");
    info("stats", "tracking_total_items:");
    info("stats", "tracking_total_prefixes:");
    // Past tracking-table-max-keys keys are dropped, each with its invalidation (which two of
    // the three is the server's choice: only their number is compared).
    admin.Run(log, {{"CONFIG", "SET", "tracking-table-max-keys", "1"}});
    for (int i = 0; i < 2; ++i) t.Expect(log, 5000ms);
    const size_t from = log->rfind("X: OK\n") + 6;
    std::string tail = log->substr(from);
    log->resize(from);
    const size_t pushes = std::count(tail.begin(), tail.end(), '>');
    *log += "dropped " + std::to_string(pushes) + "\n";
    info("stats", "tracking_total_keys:");
  });
}

// A real client library's client-side cache: node-redis (tests/clients/node, installed by
// scripts/install-deps.sh) reads, is invalidated by another connection's write and by FLUSHALL,
// and counts the same hits and misses on both servers.
TEST_F(TrackingCompatTest, NodeRedisClientSideCacheAsRedis) {
  const std::string script = std::string(STRATA_NODE_CLIENTS_DIR) + "/client_side_cache.mjs";
  for (ServerProcess* server : {redis_, strata_}) {  // as the other tests leave them: reset
    RawConnection admin(server->port());
    admin.Send(Encode({"CONFIG", "SET", "tracking-table-max-keys", "0"}) + Encode({"FLUSHALL"}));
    ASSERT_TRUE(admin.ReadValue().has_value());
    ASSERT_TRUE(admin.ReadValue().has_value());
  }
  ToolResult want = RunTool({"node", script, std::to_string(redis_->port())}, {}, 60s);
  ASSERT_EQ(want.exit_code, 0) << want.output;
  EXPECT_EQ(want.output,
            "{\"first\":\"v1\",\"cached\":\"v1\",\"afterWrite\":\"v2\",\"afterFlush\":null,"
            "\"hitsAfterTwoReads\":1,\"hits\":1,\"misses\":3,\"evictions\":1}\n");
  ToolResult got = RunTool({"node", script, std::to_string(strata_->port())}, {}, 60s);
  EXPECT_EQ(got.exit_code, 0) << got.output;
  EXPECT_EQ(got.output, want.output);
}

// Strata alone: a reader keeps a client cache by the invalidations while a writer on another
// worker changes the same keys; once both stop, every cached value is the stored one. This is
// what remembering a key before the read and after it guarantees (server/tracking.h).
TEST_F(TrackingCompatTest, CacheStaysCoherentUnderConcurrentWrites) {
  const int port = strata_->port();
  constexpr int kKeys = 8;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    RawConnection w(port);
    for (int i = 0; !stop; ++i) {
      w.Send(Encode({"INCR", "c" + std::to_string(i % kKeys)}));
      if (!w.ReadValue()) return;
    }
  });
  RawConnection t(port);
  t.Send(Encode({"HELLO", "3"}) + Encode({"CLIENT", "TRACKING", "on"}));
  t.ReadValue();
  t.ReadValue();
  std::map<std::string, std::string> cache;
  auto apply_push = [&](const RespValue& v) {
    ASSERT_EQ(v.type, '>');
    ASSERT_EQ(v.elements.size(), 2u);
    for (const RespValue& k : v.elements[1].elements) cache.erase(k.str);
  };
  // Reads the reply to the command just sent, applying the pushes before it.
  auto reply = [&]() {
    for (;;) {
      std::optional<RespValue> v = t.ReadValue();
      if (!v) return RespValue{};
      if (v->type != '>') return *v;
      apply_push(*v);
    }
  };
  const auto until = std::chrono::steady_clock::now() + 2s;
  for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
    const std::string key = "c" + std::to_string(i % kKeys);
    if (cache.count(key)) {  // a hit: a PING takes in the invalidations meanwhile
      t.Send(Encode({"PING"}));
      ASSERT_EQ(reply().str, "PONG");
      continue;
    }
    t.Send(Encode({"GET", key}));
    RespValue v = reply();
    cache[key] = v.null ? "(nil)" : v.str;
  }
  stop = true;
  writer.join();
  // Every invalidation of the writes is out before the writer's last reply: PING syncs them.
  t.Send(Encode({"PING"}));
  ASSERT_EQ(reply().str, "PONG");
  for (const auto& [key, value] : cache) {
    t.Send(Encode({"GET", key}));
    RespValue v = reply();
    EXPECT_EQ(value, v.null ? "(nil)" : v.str) << key;
  }
}

}  // namespace
}  // namespace strata::integration
