// XREAD and XREADGROUP blocking against the real server, across its two workers: an XADD on
// one worker wakes readers blocked on the other; `$` means the last ID when the reader blocked;
// every XREAD waiter sees a new entry, but each new entry goes to one XREADGROUP consumer; a
// deleted stream or destroyed group ends blocked group readers with Redis's errors; time-outs
// answer nil; many producers and consumers of one group lose and duplicate nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/blocking_fixture.h"
#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

using StreamBlockingTest = BlockingFixture;

TEST_F(StreamBlockingTest, XaddOnAnotherWorkerWakesXreadWithWhatCameAfterDollar) {
  EXPECT_EQ(Run({"XADD", "s", "1-1", "old", "x"}), "\"1-1\"");
  std::future<std::string> got = RunAsync({"XREAD", "BLOCK", "0", "STREAMS", "other", "s", "$", "$"});
  WaitForBlocked(1);
  EXPECT_EQ(Run({"XADD", "s", "2-1", "f", "v"}), "\"2-1\"");
  EXPECT_EQ(got.get(), "[[\"s\", [[\"2-1\", [\"f\", \"v\"]]]]]");
  WaitForBlocked(0);
}

TEST_F(StreamBlockingTest, EveryXreadWaiterSeesTheNewEntry) {
  std::future<std::string> a = RunAsync({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"});
  std::future<std::string> b = RunAsync({"XREAD", "COUNT", "5", "BLOCK", "0", "STREAMS", "s", "0"});
  WaitForBlocked(2);
  EXPECT_EQ(Run({"XADD", "s", "3-0", "f", "v"}), "\"3-0\"");
  EXPECT_EQ(a.get(), "[[\"s\", [[\"3-0\", [\"f\", \"v\"]]]]]");
  EXPECT_EQ(b.get(), "[[\"s\", [[\"3-0\", [\"f\", \"v\"]]]]]");
  // A waiter whose ID is past what is added waits on, and the next waiter is still served.
  std::future<std::string> late = RunAsync({"XREAD", "BLOCK", "0", "STREAMS", "s", "10-0"});
  WaitForBlocked(1);
  std::future<std::string> now = RunAsync({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"});
  WaitForBlocked(2);
  EXPECT_EQ(Run({"XADD", "s", "4-0", "f", "v"}), "\"4-0\"");
  EXPECT_EQ(now.get(), "[[\"s\", [[\"4-0\", [\"f\", \"v\"]]]]]");
  WaitForBlocked(1);
  EXPECT_EQ(Run({"XADD", "s", "11-0", "f", "v"}), "\"11-0\"");
  EXPECT_EQ(late.get(), "[[\"s\", [[\"11-0\", [\"f\", \"v\"]]]]]");
}

TEST_F(StreamBlockingTest, EachNewEntryGoesToOneGroupReader) {
  EXPECT_EQ(Run({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"}), "OK");
  const std::vector<std::string> read = {"XREADGROUP", "GROUP", "g", "", "COUNT", "1",
                                         "BLOCK", "0", "STREAMS", "s", ">"};
  auto as = [&](const std::string& consumer) {
    std::vector<std::string> argv = read;
    argv[3] = consumer;
    return RunAsync(argv);
  };
  std::future<std::string> first = as("alice");
  WaitForBlocked(1);
  std::future<std::string> second = as("bob");
  WaitForBlocked(2);
  EXPECT_EQ(Run({"XADD", "s", "1-0", "n", "1"}), "\"1-0\"");
  EXPECT_EQ(first.get(), "[[\"s\", [[\"1-0\", [\"n\", \"1\"]]]]]");  // first come, first served
  WaitForBlocked(1);
  EXPECT_EQ(Run({"XADD", "s", "2-0", "n", "2"}), "\"2-0\"");
  EXPECT_EQ(second.get(), "[[\"s\", [[\"2-0\", [\"n\", \"2\"]]]]]");
  EXPECT_EQ(Run({"XPENDING", "s", "g"}),
            "[(integer) 2, \"1-0\", \"2-0\", [[\"alice\", \"1\"], [\"bob\", \"1\"]]]");
}

TEST_F(StreamBlockingTest, DeletedStreamOrDestroyedGroupEndGroupReadersWithErrors) {
  EXPECT_EQ(Run({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"}), "OK");
  std::future<std::string> group_reader =
      RunAsync({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"});
  std::future<std::string> reader = RunAsync({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"});
  WaitForBlocked(2);
  EXPECT_EQ(Run({"DEL", "s"}), "(integer) 1");
  EXPECT_EQ(group_reader.get(), "(error) UNBLOCKED the stream key no longer exists");
  WaitForBlocked(1);  // XREAD waits on: a stream may come back
  EXPECT_EQ(Run({"XADD", "s", "5-0", "f", "v"}), "\"5-0\"");
  EXPECT_EQ(reader.get(), "[[\"s\", [[\"5-0\", [\"f\", \"v\"]]]]]");

  EXPECT_EQ(Run({"XGROUP", "CREATE", "s", "g", "$"}), "OK");
  group_reader = RunAsync({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"});
  WaitForBlocked(1);
  EXPECT_EQ(Run({"XGROUP", "DESTROY", "s", "g"}), "(integer) 1");
  EXPECT_EQ(group_reader.get(),
            "(error) NOGROUP the consumer group this client was blocked on no longer exists");
  WaitForBlocked(0);
}

TEST_F(StreamBlockingTest, TimeOutsAnswerNilAndNothingBlocksInExec) {
  EXPECT_EQ(Run({"XREAD", "BLOCK", "30", "STREAMS", "s", "$"}), "(nil)");
  EXPECT_EQ(Run({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"}), "OK");
  EXPECT_EQ(Run({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "30", "STREAMS", "s", ">"}), "(nil)");
  EXPECT_EQ(Run({"MULTI"}), "OK");
  EXPECT_EQ(Run({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}), "QUEUED");
  EXPECT_EQ(Run({"EXEC"}), "[(nil)]");
  // History reads never block: they answer at once, even empty.
  EXPECT_EQ(Run({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", "0"}),
            "[[\"s\", []]]");
}

TEST_F(StreamBlockingTest, ManyProducersAndGroupConsumersLoseAndDuplicateNothing) {
  constexpr int kConsumers = 4, kProducers = 3, kItems = 300;
  EXPECT_EQ(Run({"XGROUP", "CREATE", "work", "g", "$", "MKSTREAM"}), "OK");
  std::atomic<bool> done{false};
  std::vector<std::future<std::vector<std::string>>> consumers;
  for (int i = 0; i < kConsumers; ++i) {
    RedisConnection c = Connect(server_->port());
    consumers.push_back(std::async(std::launch::async, [c = std::move(c), i, &done] {
      std::vector<std::string> got;
      const std::string name = "c" + std::to_string(i);
      while (c) {
        // A short block, so that the consumers notice when everything was handed out.
        ReplyPtr r = Command(c.get(), {"XREADGROUP", "GROUP", "g", name, "COUNT", "7", "BLOCK",
                                       "50", "STREAMS", "work", ">"});
        if (!r) break;
        if (r->type != REDIS_REPLY_ARRAY) {
          if (done.load()) break;
          continue;
        }
        const redisReply* entries = r->element[0]->element[1];
        for (size_t e = 0; e < entries->elements; ++e) {
          const redisReply* entry = entries->element[e];
          const std::string id(entry->element[0]->str, entry->element[0]->len);
          got.emplace_back(entry->element[1]->element[1]->str, entry->element[1]->element[1]->len);
          Command(c.get(), {"XACK", "work", "g", id});
        }
      }
      return got;
    }));
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      RedisConnection c = Connect(server_->port());
      for (int i = 0; c && i < kItems; ++i) {
        Command(c.get(), {"XADD", "work", "*", "item", std::to_string(p) + ":" + std::to_string(i)});
      }
    });
  }
  for (auto& t : producers) t.join();
  // Bounded wait until the group has been handed everything and has it all acknowledged.
  for (int i = 0; i < 2000; ++i) {
    const std::string groups = Run({"XINFO", "GROUPS", "work"});
    if (groups.find("\"pending\", (integer) 0") != std::string::npos &&
        groups.find("\"lag\", (integer) 0") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  done = true;
  std::multiset<std::string> all;
  for (auto& f : consumers) {
    for (std::string& s : f.get()) all.insert(std::move(s));
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kProducers * kItems));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), all.size());  // no duplicate
  EXPECT_EQ(Run({"XLEN", "work"}), "(integer) " + std::to_string(kProducers * kItems));
  EXPECT_EQ(Run({"XPENDING", "work", "g"}), "[(integer) 0, (nil), (nil), (nil)]");
}

}  // namespace
}  // namespace strata::integration
