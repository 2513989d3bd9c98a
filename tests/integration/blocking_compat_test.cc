// Blocking commands side by side with redis-server 7.0: each scenario (clients blocking,
// pushing, renaming, swapping, running transactions, unblocking) runs against both servers and
// their transcripts must be the same, reply for reply: who was served, with what, in which
// order, who stays blocked, and INFO blocked_clients after every step.
//
// Strata runs 2 workers and deals connections out round-robin, so a scenario's clients live on
// both workers. Each step waits until its client has its reply or shows the b flag (blocked),
// then until every other client the step served has its reply: bounded waits, no verdict on
// time. A scenario's redis transcript must also show what the scenario is about (a fragment),
// so that a scenario which stopped exercising anything fails too.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"
#include "tests/util/reply.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

// One step: client `client` sends argv. "$ID<n>" in an argument is client n's id. With
// `times_out`, argv is a blocking command that must wait `timeout` seconds and answer its
// time-out reply; with an empty argv, the step waits for the reply of blocked client `client`
// (its time-out).
struct Step {
  int client;
  Argv argv;
  bool times_out = false;
  double timeout = 0;
};
Step Await(int client) { return Step{client, {}}; }
Step TimesOut(int client, Argv argv) {
  return Step{client, argv, true, std::stod(argv.back() == "MIN" || argv.back() == "LEFT"
                                                ? argv[1] : argv.back())};
}

std::string Render(const RespValue& v) {
  auto list = [&](const char* open, const char* close) {
    std::string out = open;
    for (size_t i = 0; i < v.elements.size(); ++i) {
      if (i > 0) out += ", ";
      out += Render(v.elements[i]);
    }
    return out + close;
  };
  switch (v.type) {
    case '+': return v.str;
    case '-': return "(error) " + v.str;
    case ':': return "(integer) " + std::to_string(v.integer);
    case '$': return v.null ? "(nil bulk)" : "\"" + v.str + "\"";
    case '*': return v.null ? "(nil array)" : list("[", "]");
    case '_': return "(null)";
    case ',': return "(double) " + v.str;
    case '%': return list("{", "}");
    case '~': return list("set{", "}");
    default: return std::string("(type ") + v.type + ") " + v.str;
  }
}

// The clients of one scenario on one server, and the transcript of what they saw.
class Session {
 public:
  Session(int port, int clients) : control_(port) {
    for (int i = 0; i < clients; ++i) {
      conns_.push_back(std::make_unique<RawConnection>(port));
      conns_.back()->Send(Encode({"CLIENT", "ID"}));
      std::optional<RespValue> id = conns_.back()->ReadValue();
      ids_.push_back(id ? std::to_string(id->integer) : "?");
    }
    blocked_.assign(clients, false);
    Control({"FLUSHALL"});
    // The clients of the scenario before are closed: wait until the server has seen it.
    for (int i = 0; i < 500; ++i) {
      const std::string info = Control({"INFO", "clients"}).str;
      if (InfoField(info, "blocked_clients") == "0") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  std::string Run(const std::vector<Step>& steps) {
    for (const Step& step : steps) {
      if (step.times_out) {
        SendAndTimeOut(step.client, step.argv, step.timeout);
      } else if (step.argv.empty()) {
        AwaitReply(step.client);
      } else {
        Send(step.client, step.argv);
      }
      Settle();
    }
    return out_.str();
  }

 private:
  RespValue Control(const Argv& argv) {
    control_.Send(Encode(argv));
    std::optional<RespValue> v = control_.ReadValue();
    return v ? *v : RespValue{};
  }

  // Client ids with the b flag, by CLIENT LIST.
  std::vector<bool> BlockedFlags() {
    const std::string list = Control({"CLIENT", "LIST"}).str;
    std::vector<bool> flags(conns_.size(), false);
    std::istringstream in(list);
    for (std::string line; std::getline(in, line);) {
      auto field = [&](const std::string& key) {
        size_t at = line.find(key + "=");
        if (at == std::string::npos) return std::string();
        at += key.size() + 1;
        return line.substr(at, line.find(' ', at) - at);
      };
      for (size_t i = 0; i < conns_.size(); ++i) {
        if (field("id") == ids_[i]) flags[i] = field("flags").find('b') != std::string::npos;
      }
    }
    return flags;
  }

  void Send(int c, Argv argv) {
    out_ << "c" << c << "> " << strata::testing::RenderCommand(argv) << "\n";
    for (std::string& a : argv) {
      if (a.rfind("$ID", 0) == 0) a = ids_[std::stoi(a.substr(3))];
    }
    conns_[c]->Send(Encode(argv));
    for (int i = 0; i < 500; ++i) {
      if (std::optional<RespValue> v = conns_[c]->ReadValueWithin(std::chrono::milliseconds(20))) {
        // HELLO's map names the server and its version: only its kind is compared.
        const bool hello = argv[0] == "HELLO" && v->type != '-';
        out_ << "c" << c << ": " << (hello ? std::string("(hello)") : Render(*v)) << "\n";
        return;
      }
      if (BlockedFlags()[c]) {
        blocked_[c] = true;
        out_ << "c" << c << ": blocked\n";
        return;
      }
    }
    out_ << "c" << c << ": neither a reply nor blocked\n";
  }

  // A command that blocks and times out: its reply comes no sooner than its time-out (a lower
  // bound only, which no load can break).
  void SendAndTimeOut(int c, const Argv& argv, double timeout_s) {
    out_ << "c" << c << "> " << strata::testing::RenderCommand(argv) << "\n";
    const auto start = std::chrono::steady_clock::now();
    conns_[c]->Send(Encode(argv));
    std::optional<RespValue> v = conns_[c]->ReadValue();
    const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - start;
    out_ << "c" << c << " timed out: " << (v ? Render(*v) : "(nothing)")
         << (waited.count() < timeout_s ? " (too early)" : "") << "\n";
  }

  void AwaitReply(int c) {
    std::optional<RespValue> v = conns_[c]->ReadValue();
    out_ << "c" << c << " answered: " << (v ? Render(*v) : "(nothing)") << "\n";
    blocked_[c] = false;
  }

  // Once INFO's blocked_clients is as many as the clients showing the b flag, every client
  // that was blocked and no longer shows it was served: its reply is read.
  void Settle() {
    const std::string info = Control({"INFO", "clients"}).str;
    const std::string count = InfoField(info, "blocked_clients");
    std::vector<bool> flags;
    for (int i = 0; i < 500; ++i) {
      flags = BlockedFlags();
      if (std::to_string(std::count(flags.begin(), flags.end(), true)) == count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (size_t c = 0; c < conns_.size(); ++c) {
      if (!blocked_[c] || flags[c]) continue;
      std::optional<RespValue> v = conns_[c]->ReadValue();
      out_ << "c" << c << " served: " << (v ? Render(*v) : "(nothing)") << "\n";
      blocked_[c] = false;
    }
    out_ << "blocked_clients:" << count << "\n";
  }

  RawConnection control_;
  std::vector<std::unique_ptr<RawConnection>> conns_;
  std::vector<std::string> ids_;
  std::vector<bool> blocked_;
  std::ostringstream out_;
};

class BlockingCompatTest : public SideBySideTest {
 protected:
  // Runs the scenario on both servers with `clients` clients; the transcripts must agree, and
  // redis-server's must contain `fragment`.
  void Expect(int clients, const std::vector<Step>& steps, const std::string& fragment) {
    const std::string want = Session(redis_->port(), clients).Run(steps);
    EXPECT_NE(want.find(fragment), std::string::npos) << "redis-server's transcript:\n" << want;
    EXPECT_EQ(Session(strata_->port(), clients).Run(steps), want);
  }
};

// Item 1: every command that makes a key hold a list or a sorted set wakes its waiters.
TEST_F(BlockingCompatTest, KeysCreatedByRenameMoveCopyAndStoreWakeTheirWaiters) {
  Expect(2, {{0, {"BLPOP", "foo", "0"}}, {1, {"LPUSH", "bob", "a", "b"}}, {1, {"RENAME", "bob", "foo"}},
             {1, {"LRANGE", "foo", "0", "-1"}}},
         "c0 served: [\"foo\", \"b\"]");
  Expect(2, {{0, {"BZPOPMIN", "z", "0"}}, {1, {"ZADD", "src", "2", "b", "1", "a"}},
             {1, {"RENAMENX", "src", "z"}}},
         "c0 served: [\"z\", \"a\", \"1\"]");
  Expect(2, {{0, {"SELECT", "1"}}, {0, {"BLPOP", "k", "0"}}, {1, {"RPUSH", "k", "x", "y"}},
             {1, {"MOVE", "k", "1"}}, {1, {"SELECT", "1"}}, {1, {"LRANGE", "k", "0", "-1"}}},
         "c0 served: [\"k\", \"x\"]");
  Expect(2, {{0, {"BRPOP", "dst", "0"}}, {1, {"RPUSH", "src", "x", "y"}}, {1, {"COPY", "src", "dst"}},
             {1, {"LRANGE", "src", "0", "-1"}}, {1, {"LRANGE", "dst", "0", "-1"}}},
         "c0 served: [\"dst\", \"y\"]");
  for (const char* store : {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}) {
    Expect(2, {{0, {"BZPOPMAX", "out", "0"}}, {1, {"ZADD", "in", "1", "a", "2", "b"}},
               {1, {store, "out", "1", "in"}}},
           "c0 served: [\"out\", \"b\", \"2\"]");
  }
  Expect(2, {{0, {"BZMPOP", "0", "1", "out", "MIN", "COUNT", "5"}},
             {1, {"ZADD", "in", "1", "a", "2", "b", "3", "c"}},
             {1, {"ZRANGESTORE", "out", "in", "0", "1"}}},
         "c0 served: [\"out\", [[\"a\", \"1\"], [\"b\", \"2\"]]]");
  // SINTERSTORE and friends make sets: nobody pops those.
  Expect(2, {{0, {"BLPOP", "s", "0"}}, {1, {"SADD", "a", "x"}}, {1, {"SUNIONSTORE", "s", "a"}}},
         "SUNIONSTORE s a\nc1: (integer) 1\nblocked_clients:1");
  Expect(2, {{0, {"BLPOP", "dst", "0"}}, {1, {"RPUSH", "src", "x"}},
             {1, {"LMOVE", "src", "dst", "LEFT", "RIGHT"}}},
         "c0 served: [\"dst\", \"x\"]");
}

// Item 1: SWAPDB wakes the clients blocked on keys that hold data after the swap.
TEST_F(BlockingCompatTest, SwapdbWakesClientsOnKeysThatNowHoldData) {
  Expect(3, {{0, {"SELECT", "1"}}, {0, {"BLPOP", "k", "0"}}, {1, {"BZPOPMIN", "k", "0"}},
             {2, {"RPUSH", "k", "x"}}, {2, {"SELECT", "1"}}, {2, {"ZADD", "k", "5", "m"}},
             {2, {"SWAPDB", "0", "1"}}, {2, {"DBSIZE"}}, {2, {"SELECT", "0"}}, {2, {"DBSIZE"}}},
         "c0 served: [\"k\", \"x\"]");
}

// Item 1: a transaction's changes are served after EXEC, against the key's state then.
TEST_F(BlockingCompatTest, TransactionsServeAfterExecWhatTheKeyHoldsThen) {
  Expect(2, {{0, {"BLPOP", "k", "0"}}, {1, {"MULTI"}}, {1, {"LPUSH", "k", "x"}}, {1, {"DEL", "k"}},
             {1, {"SET", "k", "str"}}, {1, {"EXEC"}}, {1, {"DEL", "k"}}, {1, {"LPUSH", "k", "y"}}},
         "c0 served: [\"k\", \"y\"]");
  Expect(2, {{0, {"BZPOPMIN", "z", "0"}}, {1, {"MULTI"}}, {1, {"ZADD", "z", "1", "a"}},
             {1, {"DEL", "z"}}, {1, {"SET", "z", "str"}}, {1, {"EXEC"}}, {1, {"DEL", "z"}},
             {1, {"ZADD", "z", "2", "b"}}},
         "c0 served: [\"z\", \"b\", \"2\"]");
  Expect(2, {{0, {"BZMPOP", "0", "1", "z", "MAX"}}, {1, {"MULTI"}}, {1, {"ZADD", "z", "1", "a"}},
             {1, {"DEL", "z"}}, {1, {"SET", "z", "str"}}, {1, {"EXEC"}}, {1, {"DEL", "z"}},
             {1, {"ZADD", "z", "3", "c"}}},
         "c0 served: [\"z\", [[\"c\", \"3\"]]]");
  Expect(2, {{0, {"BLPOP", "k", "0"}}, {1, {"MULTI"}}, {1, {"RPUSH", "k", "a", "b", "c"}},
             {1, {"LPOP", "k"}}, {1, {"EXEC"}}, {1, {"LRANGE", "k", "0", "-1"}}},
         "c0 served: [\"k\", \"b\"]");
  Expect(2, {{0, {"BLPOP", "k", "0"}}, {1, {"MULTI"}}, {1, {"RPUSH", "k", "a"}},
             {1, {"LPOP", "k"}}, {1, {"EXEC"}}},
         "c1: [(integer) 1, \"a\"]\nblocked_clients:1");
  // Keys are served in the order they were made ready: k2 first here.
  Expect(2, {{0, {"BLPOP", "k1", "k2", "0"}}, {1, {"MULTI"}}, {1, {"RPUSH", "k2", "b"}},
             {1, {"RPUSH", "k1", "a"}}, {1, {"EXEC"}}, {1, {"LRANGE", "k1", "0", "-1"}}},
         "c0 served: [\"k2\", \"b\"]");
}

// Item 2: first blocked, first served, whichever worker each client is on.
TEST_F(BlockingCompatTest, WaitersAreServedInTheOrderTheyBlocked) {
  Expect(4, {{0, {"BLPOP", "k", "0"}}, {1, {"BLPOP", "k", "0"}}, {2, {"BRPOP", "k", "0"}},
             {3, {"RPUSH", "k", "a", "b"}}, {3, {"RPUSH", "k", "c", "d"}},
             {3, {"LRANGE", "k", "0", "-1"}}},
         "c2 served: [\"k\", \"d\"]");
  Expect(3, {{0, {"BLMPOP", "0", "1", "k", "LEFT", "COUNT", "2"}},
             {1, {"BLMPOP", "0", "1", "k", "LEFT", "COUNT", "2"}},
             {2, {"RPUSH", "k", "a", "b", "c"}}},
         "c1 served: [\"k\", [\"c\"]]");
  Expect(3, {{0, {"BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"}},
             {1, {"BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"}},
             {2, {"ZADD", "z", "1", "a", "2", "b", "3", "c"}}},
         "c1 served: [\"z\", [[\"c\", \"3\"]]]");
  // A waiter whose type does not fit is passed over and keeps its place.
  Expect(3, {{0, {"BZPOPMIN", "k", "0"}}, {1, {"BLPOP", "k", "0"}}, {2, {"LPUSH", "k", "x"}},
             {2, {"DEL", "k"}}, {2, {"ZADD", "k", "1", "m"}}},
         "c0 served: [\"k\", \"m\", \"1\"]");
  // Waiters in another database are not served by this one's keys.
  Expect(3, {{0, {"SELECT", "2"}}, {0, {"BLPOP", "k", "0"}}, {1, {"BLPOP", "k", "0"}},
             {2, {"RPUSH", "k", "x"}}},
         "c1 served: [\"k\", \"x\"]\nblocked_clients:1");
}

// Item 2: a push made by serving one client serves the next in the same step.
TEST_F(BlockingCompatTest, ChainsAndCyclesMoveOnInOneStep) {
  Expect(4, {{0, {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"}},
             {1, {"BLMOVE", "b", "c", "LEFT", "RIGHT", "0"}}, {2, {"BLPOP", "c", "0"}},
             {3, {"RPUSH", "a", "x"}}, {3, {"EXISTS", "a", "b", "c"}}},
         "c2 served: [\"c\", \"x\"]");
  Expect(3, {{0, {"BRPOPLPUSH", "a", "b", "0"}}, {1, {"BRPOPLPUSH", "b", "a", "0"}},
             {2, {"LPUSH", "a", "x"}}, {2, {"LRANGE", "a", "0", "-1"}}, {2, {"LRANGE", "b", "0", "-1"}}},
         "c1 served: \"x\"");
  Expect(2, {{0, {"BRPOPLPUSH", "a", "a", "0"}}, {1, {"LPUSH", "a", "x", "y"}},
             {1, {"LRANGE", "a", "0", "-1"}}},
         "c0 served: \"x\"");
  // The sorted-set waiter stays blocked, and its time-out is a nil, not WRONGTYPE.
  Expect(3, {{0, {"BLMOVE", "a", "z", "LEFT", "RIGHT", "0"}}, {1, {"BZPOPMIN", "z", "1"}},
             {2, {"RPUSH", "a", "x"}}, {2, {"TYPE", "z"}}, Await(1)},
         "c0 served: \"x\"");
  // A destination of the wrong type: the waiter gets the error and the element stays.
  Expect(2, {{0, {"BLMOVE", "a", "dst", "LEFT", "LEFT", "0"}}, {1, {"SET", "dst", "str"}},
             {1, {"RPUSH", "a", "x"}}, {1, {"LRANGE", "a", "0", "-1"}}},
         "c0 served: (error) WRONGTYPE");
}

// Item 3: time-outs answer each command's reply, in RESP2 and RESP3; CLIENT UNBLOCK.
TEST_F(BlockingCompatTest, TimeoutsAndClientUnblockAnswerAsRedis) {
  Expect(1, {TimesOut(0, {"BLPOP", "k", "0.05"}), TimesOut(0, {"BLMOVE", "a", "b", "LEFT", "LEFT", "0.05"}),
             TimesOut(0, {"BRPOPLPUSH", "a", "b", "0.05"}),
             TimesOut(0, {"BLMPOP", "0.05", "1", "a", "LEFT"}), TimesOut(0, {"BZPOPMAX", "z", "0.05"}),
             TimesOut(0, {"BZMPOP", "0.05", "1", "z", "MIN"}), {0, {"HELLO", "3"}},
             TimesOut(0, {"BLMOVE", "a", "b", "LEFT", "LEFT", "0.05"}),
             TimesOut(0, {"BZPOPMIN", "z", "0.05"})},
         "c0 timed out: (null)");
  // Inside a transaction nothing blocks: a null at once (a null bulk for the moves).
  Expect(1, {{0, {"MULTI"}}, {0, {"BLMOVE", "a", "b", "LEFT", "LEFT", "0"}},
             {0, {"BRPOPLPUSH", "a", "b", "0"}}, {0, {"BLPOP", "a", "0"}},
             {0, {"BLMPOP", "0", "1", "a", "LEFT"}}, {0, {"BZMPOP", "0", "1", "a", "MIN"}},
             {0, {"EXEC"}}},
         "c0: [(nil bulk), (nil bulk), (nil array), (nil array), (nil array)]");
  Expect(2, {{0, {"BLPOP", "k", "0"}}, {1, {"CLIENT", "UNBLOCK", "$ID0"}},
             {0, {"BLMOVE", "a", "b", "LEFT", "LEFT", "0"}}, {1, {"CLIENT", "UNBLOCK", "$ID0", "TIMEOUT"}},
             {0, {"BZPOPMIN", "z", "0"}}, {1, {"CLIENT", "UNBLOCK", "$ID0", "error"}},
             {1, {"CLIENT", "UNBLOCK", "$ID0"}}, {1, {"CLIENT", "UNBLOCK", "$ID1"}},
             {1, {"CLIENT", "UNBLOCK", "0"}}, {1, {"CLIENT", "UNBLOCK", "-1"}},
             {1, {"CLIENT", "UNBLOCK", "x"}}, {1, {"CLIENT", "UNBLOCK", "1", "later"}},
             {1, {"CLIENT", "UNBLOCK", "x", "later"}}, {1, {"CLIENT", "UNBLOCK", "1", "error", "x"}},
             {1, {"CLIENT", "UNBLOCK"}}, {0, {"HELLO", "3"}}, {0, {"BLPOP", "k", "0"}},
             {1, {"CLIENT", "UNBLOCK", "$ID0"}}},
         "c0 served: (error) UNBLOCKED client unblocked via CLIENT UNBLOCK");
}

}  // namespace
}  // namespace strata::integration
