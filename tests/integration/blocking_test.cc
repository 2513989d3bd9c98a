// Blocking commands against the real server: a client blocked on one worker is woken by a
// change made on another, time-outs answer nil, nothing is lost or popped twice when many
// consumers and producers race, and a blocked connection's later commands wait their turn.
// The server runs 2 workers and deals connections out round-robin, so consecutive
// connections are served by different workers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <sstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/blocking_fixture.h"
#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

using BlockingTest = BlockingFixture;

TEST_F(BlockingTest, APushOnAnotherWorkerWakesBlpop) {
  std::future<std::string> got = RunAsync({"BLPOP", "empty", "q", "0"});
  WaitForBlocked(1);
  EXPECT_EQ(Run({"RPUSH", "q", "a", "b"}), "(integer) 2");
  EXPECT_EQ(got.get(), "[\"q\", \"a\"]");
  EXPECT_EQ(Run({"LRANGE", "q", "0", "-1"}), "[\"b\"]");
  WaitForBlocked(0);
  // Data already there: no blocking at all; the first non-empty key in argument order wins.
  EXPECT_EQ(Run({"RPUSH", "q2", "x"}), "(integer) 1");
  EXPECT_EQ(Run({"BRPOP", "q2", "q", "0"}), "[\"q2\", \"x\"]");
}

TEST_F(BlockingTest, TimeoutsAnswerNilAndErrorsAreRedis) {
  EXPECT_EQ(Run({"BLPOP", "nothing", "0.05"}), "(nil)");
  EXPECT_EQ(Run({"BZPOPMIN", "nothing", "0.05"}), "(nil)");
  EXPECT_EQ(Run({"BLMOVE", "nothing", "dst", "LEFT", "RIGHT", "0.05"}), "(nil)");
  EXPECT_EQ(Run({"BLMPOP", "0.05", "1", "nothing", "LEFT"}), "(nil)");
  EXPECT_EQ(Run({"BZMPOP", "0.05", "1", "nothing", "MIN"}), "(nil)");
  EXPECT_EQ(Run({"BLPOP", "k", "-1"}), "(error) ERR timeout is negative");
  EXPECT_EQ(Run({"BLPOP", "k", "abc"}), "(error) ERR timeout is not a float or out of range");
  EXPECT_EQ(Run({"SET", "s", "v"}), "OK");
  EXPECT_EQ(Run({"BLPOP", "s", "0"}),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(Run({"BLMPOP", "0", "0", "k", "LEFT"}),
            "(error) ERR numkeys should be greater than 0");
  // Inside MULTI nothing blocks: the time-out answer comes at once.
  EXPECT_EQ(Run({"MULTI"}), "OK");
  EXPECT_EQ(Run({"BLPOP", "nothing", "0"}), "QUEUED");
  EXPECT_EQ(Run({"EXEC"}), "[(nil)]");
}

TEST_F(BlockingTest, OnePushWakesOneOfTwoWaitersAndTheNextPushTheOther) {
  std::future<std::string> a = RunAsync({"BLPOP", "q", "0"});
  std::future<std::string> b = RunAsync({"BLPOP", "q", "0"});
  WaitForBlocked(2);
  EXPECT_EQ(Run({"LPUSH", "q", "first"}), "(integer) 1");
  WaitForBlocked(1);  // one got it, the other waits on
  EXPECT_EQ(Run({"LPUSH", "q", "second"}), "(integer) 1");
  std::multiset<std::string> got = {a.get(), b.get()};
  EXPECT_EQ(got, (std::multiset<std::string>{"[\"q\", \"first\"]", "[\"q\", \"second\"]"}));
  EXPECT_EQ(Run({"EXISTS", "q"}), "(integer) 0");
}

TEST_F(BlockingTest, BlmoveFeedsAClientBlockedOnItsDestination) {
  std::future<std::string> tail = RunAsync({"BLPOP", "dst", "0"});
  std::future<std::string> mover = RunAsync({"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"});
  WaitForBlocked(2);
  EXPECT_EQ(Run({"RPUSH", "src", "item"}), "(integer) 1");
  EXPECT_EQ(mover.get(), "\"item\"");
  EXPECT_EQ(tail.get(), "[\"dst\", \"item\"]");
  EXPECT_EQ(Run({"EXISTS", "src", "dst"}), "(integer) 0");
}

TEST_F(BlockingTest, SortedSetAndMpopVariantsWakeWithWhatWasAdded) {
  std::future<std::string> min = RunAsync({"BZPOPMIN", "z", "0"});
  std::future<std::string> mpop = RunAsync({"BZMPOP", "0", "2", "none", "z2", "MAX", "COUNT", "5"});
  std::future<std::string> lmpop = RunAsync({"BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "2"});
  WaitForBlocked(3);
  EXPECT_EQ(Run({"ZADD", "z", "2", "b", "1", "a"}), "(integer) 2");
  EXPECT_EQ(min.get(), "[\"z\", \"a\", \"1\"]");
  EXPECT_EQ(Run({"ZADD", "z2", "1", "x", "3", "y"}), "(integer) 2");
  EXPECT_EQ(mpop.get(), "[\"z2\", [[\"y\", \"3\"], [\"x\", \"1\"]]]");
  EXPECT_EQ(Run({"RPUSH", "l", "1", "2", "3"}), "(integer) 3");
  EXPECT_EQ(lmpop.get(), "[\"l\", [\"3\", \"2\"]]");
  EXPECT_EQ(Run({"ZRANGE", "z", "0", "-1"}), "[\"b\"]");
}

TEST_F(BlockingTest, ABlockedConnectionsNextCommandsRunAfterItInOrder) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.ok());
  // BLPOP then two more commands in one write: they wait behind the blocked command.
  ASSERT_TRUE(c.Send(
      "*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n"
      "*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\n"
      "*2\r\n$3\r\nGET\r\n$5\r\nafter\r\n"));
  WaitForBlocked(1);
  EXPECT_EQ(Run({"EXISTS", "after"}), "(integer) 0");  // not run yet
  EXPECT_EQ(Run({"RPUSH", "q", "v"}), "(integer) 1");
  std::optional<RespValue> v = c.ReadValue();
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->elements.size(), 2u);
  EXPECT_EQ(v->elements[1].str, "v");
  v = c.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->str, "OK");
  v = c.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->str, "1");
}

TEST_F(BlockingTest, Resp3TimeoutIsNullAndAClosedWaiterIsForgotten) {
  {
    RawConnection c(server_->port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.Send("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"));
    ASSERT_TRUE(c.ReadValue().has_value());
    ASSERT_TRUE(c.Send("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$4\r\n0.05\r\n"));
    std::optional<RespValue> v = c.ReadValue();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->type, '_');
    ASSERT_TRUE(c.Send("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n"));
    WaitForBlocked(1);
  }  // closed while blocked
  WaitForBlocked(0);
  EXPECT_EQ(Run({"RPUSH", "q", "kept"}), "(integer) 1");
  EXPECT_EQ(Run({"LRANGE", "q", "0", "-1"}), "[\"kept\"]");
}

// Consumers blocked on one list (no timeout), producers pushing from other connections, then
// one "stop" per consumer: every item is popped exactly once and every consumer ends. A lost
// wake-up leaves a consumer asleep with items waiting: the list is not empty at the end (its
// read times out at the harness's bound instead of hanging the test).
TEST_F(BlockingTest, ManyConsumersAndProducersLoseAndDuplicateNothing) {
  constexpr int kConsumers = 4, kProducers = 3, kItems = 400;
  std::vector<std::future<std::vector<std::string>>> consumers;
  for (int i = 0; i < kConsumers; ++i) {
    RedisConnection c = Connect(server_->port());
    consumers.push_back(std::async(std::launch::async, [c = std::move(c)] {
      std::vector<std::string> got;
      while (c) {
        ReplyPtr r = Command(c.get(), {"BLPOP", "work", "0"});
        if (!r || r->type != REDIS_REPLY_ARRAY) break;
        std::string item(r->element[1]->str, r->element[1]->len);
        if (item == "stop") break;
        got.push_back(std::move(item));
      }
      return got;
    }));
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      RedisConnection c = Connect(server_->port());
      for (int i = 0; c && i < kItems; ++i) {
        Command(c.get(), {"RPUSH", "work", std::to_string(p) + ":" + std::to_string(i)});
      }
    });
  }
  for (auto& t : producers) t.join();
  for (int i = 0; i < kConsumers; ++i) Run({"RPUSH", "work", "stop"});
  std::multiset<std::string> all;
  for (auto& f : consumers) {
    for (std::string& s : f.get()) all.insert(std::move(s));
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kProducers * kItems));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), all.size());  // no duplicate
  EXPECT_EQ(Run({"LLEN", "work"}), "(integer) 0");
}

// CLIENT LIST's flags as redis-server 7.0 shows them: b for a blocked client (as soon as it
// blocks: tools wait on it), x in MULTI, P subscribed, d a watched key changed, N none.
TEST(ClientFlagsTest, ClientListFlagsAsRedis) {
  std::string error;
  auto redis = ServerProcess::StartRedis({}, &error);
  if (redis == nullptr) GTEST_SKIP() << "redis-server is not available: " << error;
  auto strata = ServerProcess::StartStrata({"--save", ""}, &error);
  ASSERT_NE(strata, nullptr) << error;
  auto flags_of = [](int port) {
    std::vector<RedisConnection> conns;
    auto named = [&](const std::string& name) {
      conns.push_back(Connect(port));
      Command(conns.back().get(), {"CLIENT", "SETNAME", name});
      return conns.back().get();
    };
    redisContext* observer = named("observer");
    Command(named("multi"), {"MULTI"});
    Command(named("sub"), {"SUBSCRIBE", "ch"});
    redisContext* dirty = named("dirty");
    Command(dirty, {"WATCH", "w"});
    Command(observer, {"SET", "w", "1"});
    redisContext* blocked = named("blocked");
    redisAppendCommand(blocked, "BLPOP flags-list 0");  // sent, its reply never read
    int done = 0;
    while (!done && redisBufferWrite(blocked, &done) == REDIS_OK) {}
    std::map<std::string, std::string> flags;
    // Bounded wait for the BLPOP to arrive; no verdict on time.
    for (int i = 0; i < 500 && flags["blocked"] != "b"; ++i) {
      ReplyPtr list = Command(observer, {"CLIENT", "LIST"});
      std::istringstream in(list ? std::string(list->str, list->len) : "");
      for (std::string line; std::getline(in, line);) {
        auto field = [&](const std::string& key) {
          size_t at = line.find(" " + key + "=");
          if (at == std::string::npos) return std::string();
          at += key.size() + 2;
          return line.substr(at, line.find(' ', at) - at);
        };
        flags[field("name")] = field("flags");
      }
      if (flags["blocked"] != "b") std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return flags;
  };
  const auto want = flags_of(redis->port());
  EXPECT_EQ(want.at("blocked"), "b");
  EXPECT_EQ(flags_of(strata->port()), want);
}

}  // namespace
}  // namespace strata::integration
