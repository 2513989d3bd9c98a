// MULTI/EXEC/WATCH and pub/sub against the real server: replies, isolation under concurrent
// clients on different workers, optimistic locking, and message delivery across workers in
// RESP2 and RESP3. The server runs 2 workers and hands connections out round-robin, so two
// consecutive connections are served by different workers.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

class TransactionPubSubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = ServerProcess::StartStrata({"--save", ""}, &error);
    ASSERT_NE(server_, nullptr) << error;
  }

  RedisConnection NewConnection() {
    RedisConnection c = Connect(server_->port());
    EXPECT_NE(c, nullptr);
    return c;
  }

  static std::string Run(redisContext* c, const std::vector<std::string>& argv) {
    ReplyPtr r = Command(c, argv);
    return r ? Describe(r.get()) : std::string("(connection error) ") + c->errstr;
  }

  std::unique_ptr<ServerProcess> server_;
};

std::string Resp(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// --- Transactions --------------------------------------------------------------------------------

TEST_F(TransactionPubSubTest, ExecRunsTheQueueInOrderAndRepliesWithEveryResult) {
  RedisConnection c = NewConnection();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Run(c.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Run(c.get(), {"SET", "a", "1"}), "QUEUED");
  EXPECT_EQ(Run(c.get(), {"INCR", "a"}), "QUEUED");
  EXPECT_EQ(Run(c.get(), {"LPUSH", "a", "x"}), "QUEUED");  // fails at run time only
  EXPECT_EQ(Run(c.get(), {"GET", "a"}), "QUEUED");
  ReplyPtr r = Command(c.get(), {"EXEC"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << Describe(r.get());
  ASSERT_EQ(r->elements, 4u);
  EXPECT_EQ(Describe(r->element[0]), "OK");
  EXPECT_EQ(Describe(r->element[1]), "(integer) 2");
  EXPECT_EQ(Describe(r->element[2]),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(Describe(r->element[3]), "\"2\"");
  // Out of MULTI again.
  EXPECT_EQ(Run(c.get(), {"GET", "a"}), "\"2\"");
}

TEST_F(TransactionPubSubTest, QueueingErrorsAbortAndControlCommandsAnswerAsRedis) {
  RedisConnection c = NewConnection();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Run(c.get(), {"EXEC"}), "(error) ERR EXEC without MULTI");
  EXPECT_EQ(Run(c.get(), {"DISCARD"}), "(error) ERR DISCARD without MULTI");
  EXPECT_EQ(Run(c.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Run(c.get(), {"MULTI"}), "(error) ERR MULTI calls can not be nested");
  EXPECT_EQ(Run(c.get(), {"WATCH", "k"}), "(error) ERR WATCH inside MULTI is not allowed");
  EXPECT_EQ(Run(c.get(), {"SET", "k", "v"}), "QUEUED");
  EXPECT_EQ(Run(c.get(), {"SET", "k"}),
            "(error) ERR wrong number of arguments for 'set' command");
  EXPECT_EQ(Run(c.get(), {"NOSUCHCMD"}),
            "(error) ERR unknown command 'NOSUCHCMD', with args beginning with: ");
  EXPECT_EQ(Run(c.get(), {"SAVE"}), "(error) ERR Command not allowed inside a transaction");
  EXPECT_EQ(Run(c.get(), {"EXEC"}),
            "(error) EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(Run(c.get(), {"EXISTS", "k"}), "(integer) 0");  // nothing ran
  EXPECT_EQ(Run(c.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Run(c.get(), {"SET", "k", "v"}), "QUEUED");
  EXPECT_EQ(Run(c.get(), {"DISCARD"}), "OK");
  EXPECT_EQ(Run(c.get(), {"EXISTS", "k"}), "(integer) 0");
  EXPECT_EQ(Run(c.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Run(c.get(), {"EXEC"}), "[]");
}

TEST_F(TransactionPubSubTest, WatchedKeyChangedByAnotherClientMakesExecReturnNil) {
  RedisConnection a = NewConnection(), b = NewConnection();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(Run(a.get(), {"SET", "w", "1"}), "OK");
  EXPECT_EQ(Run(a.get(), {"WATCH", "w", "other"}), "OK");
  EXPECT_EQ(Run(b.get(), {"SET", "w", "2"}), "OK");  // another worker
  EXPECT_EQ(Run(a.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Run(a.get(), {"SET", "w", "3"}), "QUEUED");
  EXPECT_EQ(Run(a.get(), {"EXEC"}), "(nil)");
  EXPECT_EQ(Run(a.get(), {"GET", "w"}), "\"2\"");

  // Unchanged watched keys: EXEC runs. A change before WATCH does not count.
  EXPECT_EQ(Run(a.get(), {"WATCH", "w"}), "OK");
  EXPECT_EQ(Run(b.get(), {"GET", "w"}), "\"2\"");  // a read is no change
  EXPECT_EQ(Run(a.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Run(a.get(), {"SET", "w", "3"}), "QUEUED");
  EXPECT_EQ(Run(a.get(), {"EXEC"}), "[OK]");

  // EXEC unwatched everything: a later change does not affect the next transaction.
  EXPECT_EQ(Run(b.get(), {"SET", "w", "4"}), "OK");
  EXPECT_EQ(Run(a.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Run(a.get(), {"GET", "w"}), "QUEUED");
  EXPECT_EQ(Run(a.get(), {"EXEC"}), "[\"4\"]");

  // FLUSHALL, DEL, EXPIRE and UNWATCH.
  for (const std::vector<std::string>& change :
       {std::vector<std::string>{"FLUSHALL"}, {"DEL", "w"}, {"EXPIRE", "w", "100"},
        {"LPUSH", "w2", "x"}}) {
    EXPECT_EQ(Run(a.get(), {"SET", "w", "v"}), "OK");
    EXPECT_EQ(Run(a.get(), {"WATCH", "w", "w2"}), "OK");
    Run(b.get(), change);
    EXPECT_EQ(Run(a.get(), {"MULTI"}), "OK");
    EXPECT_EQ(Run(a.get(), {"PING"}), "QUEUED");
    EXPECT_EQ(Run(a.get(), {"EXEC"}), "(nil)") << change[0];
  }
  EXPECT_EQ(Run(a.get(), {"WATCH", "w"}), "OK");
  EXPECT_EQ(Run(a.get(), {"UNWATCH"}), "OK");
  EXPECT_EQ(Run(b.get(), {"SET", "w", "5"}), "OK");
  EXPECT_EQ(Run(a.get(), {"MULTI"}), "OK");
  EXPECT_EQ(Run(a.get(), {"PING"}), "QUEUED");
  EXPECT_EQ(Run(a.get(), {"EXEC"}), "[PONG]");
}

// Transfers between many keys (on many shards) inside transactions, while other clients read
// every key in transactions and in plain MGETs: the total never changes, so no reader ever saw
// part of a transaction.
TEST_F(TransactionPubSubTest, ConcurrentReadersNeverSeePartOfATransaction) {
  constexpr int kKeys = 16;
  constexpr int kTotal = kKeys * 100;
  std::vector<std::string> mget = {"MGET"};
  {
    RedisConnection c = NewConnection();
    ASSERT_NE(c, nullptr);
    for (int i = 0; i < kKeys; ++i) {
      mget.push_back("acct:" + std::to_string(i));
      EXPECT_EQ(Run(c.get(), {"SET", mget.back(), "100"}), "OK");
    }
  }
  std::atomic<bool> stop{false};
  std::atomic<int> transfers{0}, torn{0}, reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      RedisConnection c = Connect(server_->port());
      if (!c) return;
      for (int i = 0; i < 400; ++i) {
        const std::string from = "acct:" + std::to_string((i * 7 + w) % kKeys);
        const std::string to = "acct:" + std::to_string((i * 3 + 5 + w) % kKeys);
        Command(c.get(), {"MULTI"});
        Command(c.get(), {"DECRBY", from, "3"});
        Command(c.get(), {"INCRBY", to, "3"});
        ReplyPtr r = Command(c.get(), {"EXEC"});
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) ++transfers;
      }
    });
  }
  for (int rd = 0; rd < 2; ++rd) {
    threads.emplace_back([&, rd] {
      RedisConnection c = Connect(server_->port());
      if (!c) return;
      while (!stop.load()) {
        ReplyPtr r;
        if (rd == 0) {
          r = Command(c.get(), mget);
        } else {
          Command(c.get(), {"MULTI"});
          for (size_t i = 1; i < mget.size(); ++i) Command(c.get(), {"GET", mget[i]});
          r = Command(c.get(), {"EXEC"});
        }
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != kKeys) {
          ++torn;
          return;
        }
        long sum = 0;
        for (size_t i = 0; i < r->elements; ++i) sum += std::stol(r->element[i]->str);
        if (sum != kTotal) ++torn;
        ++reads;
      }
    });
  }
  threads[0].join();
  threads[1].join();
  stop = true;
  threads[2].join();
  threads[3].join();
  EXPECT_EQ(transfers.load(), 800);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(torn.load(), 0);
}

TEST_F(TransactionPubSubTest, ATransactionSurvivesAKillWhole) {
  std::string error;
  server_ = ServerProcess::StartStrata({"--save", "", "--appendfsync", "always"}, &error);
  ASSERT_NE(server_, nullptr) << error;
  RedisConnection c = NewConnection();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Run(c.get(), {"MULTI"}), "OK");
  for (int i = 0; i < 20; ++i) Run(c.get(), {"SET", "t" + std::to_string(i), std::to_string(i)});
  EXPECT_EQ(Run(c.get(), {"RPUSH", "tl", "a", "b"}), "QUEUED");
  ReplyPtr r = Command(c.get(), {"EXEC"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << Describe(r.get());
  server_->Kill();  // acknowledged under appendfsync always: all of it is on disk
  ASSERT_TRUE(server_->Restart(&error)) << error;
  c = NewConnection();
  ASSERT_NE(c, nullptr);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Run(c.get(), {"GET", "t" + std::to_string(i)}), "\"" + std::to_string(i) + "\"");
  }
  EXPECT_EQ(Run(c.get(), {"LRANGE", "tl", "0", "-1"}), "[\"a\", \"b\"]");
}

// --- Pub/sub -------------------------------------------------------------------------------------

TEST_F(TransactionPubSubTest, MessagesReachSubscribersOnOtherWorkersInOrder) {
  RawConnection sub(server_->port());
  RedisConnection pub = NewConnection();  // the next connection: the other worker
  ASSERT_TRUE(sub.ok() && pub);
  ASSERT_TRUE(sub.Send(Resp({"SUBSCRIBE", "news", "sport"})));
  for (const char* ch : {"news", "sport"}) {
    std::optional<RespValue> v = sub.ReadValue();
    ASSERT_TRUE(v.has_value());
    ASSERT_EQ(v->type, '*');
    ASSERT_EQ(v->elements.size(), 3u);
    EXPECT_EQ(v->elements[0].str, "subscribe");
    EXPECT_EQ(v->elements[1].str, ch);
  }
  ASSERT_TRUE(sub.Send(Resp({"PSUBSCRIBE", "n*"})));
  std::optional<RespValue> v = sub.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->elements[0].str, "psubscribe");
  EXPECT_EQ(v->elements[2].integer, 3);

  EXPECT_EQ(Run(pub.get(), {"PUBSUB", "NUMSUB", "news", "none"}),
            "[\"news\", (integer) 1, \"none\", (integer) 0]");
  EXPECT_EQ(Run(pub.get(), {"PUBSUB", "NUMPAT"}), "(integer) 1");
  EXPECT_EQ(Run(pub.get(), {"PUBLISH", "other", "x"}), "(integer) 0");
  for (int i = 0; i < 100; ++i) {
    // "news" reaches the channel and the pattern subscription: 2 receivers.
    EXPECT_EQ(Run(pub.get(), {"PUBLISH", "news", "m" + std::to_string(i)}), "(integer) 2");
  }
  for (int i = 0; i < 100; ++i) {
    std::optional<RespValue> m = sub.ReadValue();
    ASSERT_TRUE(m.has_value()) << i;
    ASSERT_EQ(m->elements.size(), 3u);
    EXPECT_EQ(m->elements[0].str, "message");
    EXPECT_EQ(m->elements[2].str, "m" + std::to_string(i));
    std::optional<RespValue> p = sub.ReadValue();
    ASSERT_TRUE(p.has_value()) << i;
    ASSERT_EQ(p->elements.size(), 4u);
    EXPECT_EQ(p->elements[0].str, "pmessage");
    EXPECT_EQ(p->elements[1].str, "n*");
    EXPECT_EQ(p->elements[3].str, "m" + std::to_string(i));
  }

  // RESP2 subscribed mode: only the pub/sub commands, PING, QUIT and RESET.
  ASSERT_TRUE(sub.Send(Resp({"GET", "x"})));
  v = sub.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->str,
            "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context");
  ASSERT_TRUE(sub.Send(Resp({"PING"})));
  v = sub.ReadValue();
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->elements.size(), 2u);
  EXPECT_EQ(v->elements[0].str, "pong");

  // UNSUBSCRIBE with no argument: one confirmation per channel, the count going down.
  ASSERT_TRUE(sub.Send(Resp({"UNSUBSCRIBE"})));
  for (int left : {2, 1}) {
    v = sub.ReadValue();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->elements[0].str, "unsubscribe");
    EXPECT_EQ(v->elements[2].integer, left);
  }
  EXPECT_EQ(Run(pub.get(), {"PUBLISH", "news", "late"}), "(integer) 1");  // the pattern only
  v = sub.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->elements[0].str, "pmessage");
  ASSERT_TRUE(sub.Send(Resp({"PUNSUBSCRIBE"})));
  v = sub.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->elements[2].integer, 0);
  ASSERT_TRUE(sub.Send(Resp({"GET", "x"})));  // out of subscribed mode
  v = sub.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->null);
  EXPECT_EQ(Run(pub.get(), {"PUBSUB", "CHANNELS"}), "[]");
}

TEST_F(TransactionPubSubTest, Resp3SubscribersGetPushesAndMayRunAnyCommand) {
  RawConnection sub(server_->port());
  RedisConnection pub = NewConnection();
  ASSERT_TRUE(sub.ok() && pub);
  ASSERT_TRUE(sub.Send(Resp({"HELLO", "3"})));
  ASSERT_TRUE(sub.ReadValue().has_value());
  ASSERT_TRUE(sub.Send(Resp({"SUBSCRIBE", "c"})));
  std::optional<RespValue> v = sub.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, '>');
  ASSERT_TRUE(sub.Send(Resp({"SET", "k", "v"})));  // RESP3: allowed while subscribed
  v = sub.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->str, "OK");
  EXPECT_EQ(Run(pub.get(), {"PUBLISH", "c", "hi"}), "(integer) 1");
  v = sub.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, '>');
  ASSERT_EQ(v->elements.size(), 3u);
  EXPECT_EQ(v->elements[0].str, "message");
  EXPECT_EQ(v->elements[2].str, "hi");
}

TEST_F(TransactionPubSubTest, AClosedSubscriberIsForgotten) {
  {
    RedisConnection sub = NewConnection();
    ASSERT_NE(sub, nullptr);
    EXPECT_EQ(Run(sub.get(), {"SUBSCRIBE", "gone"}), "[\"subscribe\", \"gone\", (integer) 1]");
  }
  RedisConnection pub = NewConnection();
  ASSERT_NE(pub, nullptr);
  // The close is seen by the server shortly after; PUBLISH then reaches nobody. Bounded wait.
  std::string n;
  for (int i = 0; i < 200 && n != "(integer) 0"; ++i) {
    n = Run(pub.get(), {"PUBSUB", "NUMSUB", "gone"});
    n = n == "[\"gone\", (integer) 0]" ? "(integer) 0" : n;
    if (n != "(integer) 0") std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(n, "(integer) 0");
  EXPECT_EQ(Run(pub.get(), {"PUBLISH", "gone", "x"}), "(integer) 0");
}

// WATCH and FLUSHALL, FLUSHDB, SWAPDB as Redis 7.0: only a watched key that held a value in a
// database the command empties (or, for SWAPDB, in either database) fails the transaction.
// The same two-connection script runs against redis-server, reply for reply.
TEST_F(TransactionPubSubTest, FlushAndSwapdbTouchOnlyWatchedKeysThatExistAsRedis) {
  std::string error;
  auto redis = ServerProcess::StartRedis({}, &error);
  if (redis == nullptr) GTEST_SKIP() << "redis-server is not available: " << error;
  auto strata = ServerProcess::StartStrata({"--save", ""}, &error);
  ASSERT_NE(strata, nullptr) << error;
  struct Pair {
    RedisConnection a, b;
  };
  Pair r{Connect(redis->port()), Connect(redis->port())};
  Pair s{Connect(strata->port()), Connect(strata->port())};
  ASSERT_TRUE(r.a && r.b && s.a && s.b);
  // {connection, command}: 'a' watches and runs transactions, 'b' changes things.
  const std::vector<std::pair<char, std::vector<std::string>>> script = {
      {'a', {"WATCH", "missing"}}, {'b', {"FLUSHALL"}}, {'a', {"MULTI"}},
      {'a', {"SET", "x", "1"}}, {'a', {"EXEC"}},  // runs: the key did not exist
      {'a', {"SET", "held", "1"}}, {'a', {"WATCH", "held"}}, {'b', {"FLUSHDB"}},
      {'a', {"MULTI"}}, {'a', {"PING"}}, {'a', {"EXEC"}},  // nil: it existed
      {'a', {"SET", "other", "1"}}, {'a', {"WATCH", "other"}}, {'b', {"SELECT", "2"}},
      {'b', {"FLUSHDB"}}, {'a', {"MULTI"}}, {'a', {"PING"}},
      {'a', {"EXEC"}},  // runs: another database was emptied
      {'b', {"SELECT", "1"}}, {'b', {"SET", "k", "v"}}, {'a', {"WATCH", "k"}},
      {'b', {"SWAPDB", "0", "1"}}, {'a', {"MULTI"}}, {'a', {"PING"}},
      {'a', {"EXEC"}},  // nil: k comes into database 0
      {'a', {"WATCH", "nowhere"}}, {'b', {"SWAPDB", "0", "1"}}, {'a', {"MULTI"}},
      {'a', {"PING"}}, {'a', {"EXEC"}},  // runs: in neither database
  };
  for (size_t i = 0; i < script.size(); ++i) {
    const auto& [who, argv] = script[i];
    std::string want = Run((who == 'a' ? r.a : r.b).get(), argv);
    std::string got = Run((who == 'a' ? s.a : s.b).get(), argv);
    EXPECT_EQ(got, want) << "step " << i << ": " << who << " " << argv[0];
  }
}

}  // namespace
}  // namespace strata::integration
