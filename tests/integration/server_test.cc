// Integration tests: the real strata-server binary over TCP, driven with hiredis and raw sockets.
// Every test runs once per I/O backend (--io-backend uring and epoll). Expected replies are
// redis-server 7.0's, byte for byte where clients depend on them.

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

using namespace std::string_literals;

// The line of CLIENT LIST output that describes client `id`, or "".
std::string ClientLine(const std::string& list, long long id) {
  std::istringstream in(list);
  std::string line;
  const std::string prefix = "id=" + std::to_string(id) + " ";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

// The value of "name=value" in a CLIENT LIST line, or "".
std::string ClientField(const std::string& line, const std::string& name) {
  std::istringstream in(line);
  std::string token;
  while (in >> token) {
    if (token.rfind(name + "=", 0) == 0) return token.substr(name.size() + 1);
  }
  return "";
}

std::string RespCommand(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) {
    out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  }
  return out;
}

class ServerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { StartServer({}); }

  // (Re)starts the server with `flags` in addition to --io-backend <param>.
  void StartServer(std::vector<std::string> flags) {
    server_.reset();
    flags.insert(flags.begin(), {"--io-backend", GetParam()});
    std::string error;
    server_ = ServerProcess::StartStrata(flags, &error);
    ASSERT_NE(server_, nullptr) << error;
  }

  RedisConnection NewConnection() { return Connect(server_->port()); }

  // Runs a command on a fresh-or-cached default connection and returns the reply.
  ReplyPtr Run(const std::vector<std::string>& argv) {
    if (!conn_) conn_ = NewConnection();
    if (!conn_) return nullptr;
    return Command(conn_.get(), argv);
  }

  void ExpectStatus(const std::vector<std::string>& argv, const std::string& status) {
    ReplyPtr r = Run(argv);
    ASSERT_NE(r, nullptr) << argv[0] << ": " << conn_->errstr;
    EXPECT_EQ(r->type, REDIS_REPLY_STATUS) << argv[0] << " -> " << Describe(r.get());
    EXPECT_EQ(std::string(r->str, r->len), status) << argv[0];
  }

  std::string Info(const std::string& section = "") {
    ReplyPtr r = section.empty() ? Run({"INFO"}) : Run({"INFO", section});
    if (r == nullptr || r->type != REDIS_REPLY_STRING) {
      ADD_FAILURE() << "INFO " << section << " -> " << Describe(r.get());
      return "";
    }
    return std::string(r->str, r->len);
  }

  std::unique_ptr<ServerProcess> server_;
  RedisConnection conn_;
};

// --- Connection basics ---------------------------------------------------------------------------

TEST_P(ServerTest, PingRepliesPongAndEchoesItsArgument) {
  ExpectStatus({"PING"}, "PONG");

  ReplyPtr r = Run({"PING", "hello"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_STRING) << Describe(r.get());
  EXPECT_EQ(std::string(r->str, r->len), "hello");

  const std::string binary = "a\0b\r\nc"s;
  r = Run({"ECHO", binary});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_STRING) << Describe(r.get());
  EXPECT_EQ(std::string(r->str, r->len), binary);

  r = Run({"ECHO"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(std::string(r->str), "ERR wrong number of arguments for 'echo' command");
}

TEST_P(ServerTest, SetGetRoundTripsValuesContainingNulAndCrlf) {
  const std::string key = "bin\0key\r\n"s;
  const std::string value = "\0\r\n$3\r\nfoo\r\n\0\xff"s;
  ExpectStatus({"SET", key, value}, "OK");
  ReplyPtr r = Run({"GET", key});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_STRING) << Describe(r.get());
  EXPECT_EQ(std::string(r->str, r->len), value);
  r = Run({"STRLEN", key});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->integer, static_cast<long long>(value.size()));
  // A key that differs only after the NUL byte is a different key.
  r = Run({"GET", "bin\0kez\r\n"s});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, REDIS_REPLY_NIL) << Describe(r.get());
}

TEST_P(ServerTest, SetGetRoundTripsOneMegabyteValue) {
  std::string value(1 << 20, '\0');
  std::mt19937 rng(42);
  for (char& c : value) c = static_cast<char>(rng() & 0xff);
  ExpectStatus({"SET", "big", value}, "OK");
  ReplyPtr r = Run({"GET", "big"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  ASSERT_EQ(r->len, value.size());
  EXPECT_TRUE(std::string(r->str, r->len) == value) << "1 MB value came back different";
  r = Run({"STRLEN", "big"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->integer, 1 << 20);
}

TEST_P(ServerTest, TenThousandPipelinedCommandsSentInOneWriteReplyInOrder) {
  constexpr int kCommands = 10000;
  std::string pipeline;
  for (int i = 0; i < kCommands; ++i) {
    // Even: SET k<i> v<i>; odd: GET the key the previous command set.
    const int n = i - (i % 2);
    if (i % 2 == 0) {
      pipeline += RespCommand({"SET", "k" + std::to_string(n), "v" + std::to_string(n)});
    } else {
      pipeline += RespCommand({"GET", "k" + std::to_string(n)});
    }
  }
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.ok());
  // Written by another thread so that replies are read while the request is still being sent.
  std::atomic<bool> sent{false};
  std::thread writer([&] { sent = raw.Send(pipeline); });
  int in_order = 0;
  for (int i = 0; i < kCommands; ++i) {
    std::optional<RespValue> v = raw.ReadValue();
    if (!v) {
      ADD_FAILURE() << "no reply " << i << " of " << kCommands;
      break;
    }
    const int n = i - (i % 2);
    const bool ok = i % 2 == 0 ? (v->type == '+' && v->str == "OK")
                               : (v->type == '$' && v->str == "v" + std::to_string(n));
    if (!ok) {
      ADD_FAILURE() << "reply " << i << " is " << v->type << v->str;
      break;
    }
    ++in_order;
  }
  writer.join();
  EXPECT_TRUE(sent);
  EXPECT_EQ(in_order, kCommands);
  ReplyPtr r = Run({"DBSIZE"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->integer, kCommands / 2);
}

TEST_P(ServerTest, ConcurrentIncrFromManyConnectionsCountsEveryIncrement) {
  constexpr int kThreads = 8;
  constexpr int kConnectionsPerThread = 4;
  constexpr int kIncrsPerConnection = 250;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<RedisConnection> conns;
      for (int c = 0; c < kConnectionsPerThread; ++c) {
        conns.push_back(Connect(server_->port()));
        if (!conns.back()) {
          failures += kIncrsPerConnection;
          conns.pop_back();
        }
      }
      // Interleave the thread's connections so that they are all open and active together.
      for (int i = 0; i < kIncrsPerConnection; ++i) {
        for (RedisConnection& c : conns) {
          ReplyPtr r = Command(c.get(), {"INCR", "counter"});
          if (r == nullptr || r->type != REDIS_REPLY_INTEGER) ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  ReplyPtr r = Run({"GET", "counter"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_STRING) << Describe(r.get());
  EXPECT_EQ(std::string(r->str, r->len),
            std::to_string(kThreads * kConnectionsPerThread * kIncrsPerConnection));
}

// --- Protocol ------------------------------------------------------------------------------------

TEST_P(ServerTest, Hello3SwitchesToResp3AndHello2SwitchesBack) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.ok());

  ASSERT_TRUE(raw.Send("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"));
  std::optional<RespValue> hello = raw.ReadValue();
  ASSERT_TRUE(hello.has_value());
  ASSERT_EQ(hello->type, '%') << "HELLO 3 must reply with a RESP3 map";
  for (const char* field : {"server", "version", "proto", "id", "mode", "role", "modules"}) {
    EXPECT_NE(hello->MapGet(field), nullptr) << "HELLO reply lacks " << field;
  }
  ASSERT_NE(hello->MapGet("proto"), nullptr);
  EXPECT_EQ(hello->MapGet("proto")->type, ':');
  EXPECT_EQ(hello->MapGet("proto")->integer, 3);

  // A missing key is RESP3's null, "_\r\n".
  ASSERT_TRUE(raw.Send(RespCommand({"GET", "missing"})));
  EXPECT_EQ(raw.ReadBytes(3), "_\r\n");

  ASSERT_TRUE(raw.Send(RespCommand({"HELLO", "2"})));
  hello = raw.ReadValue();
  ASSERT_TRUE(hello.has_value());
  ASSERT_EQ(hello->type, '*') << "HELLO 2 must reply with a flat RESP2 array";
  ASSERT_EQ(hello->elements.size() % 2, 0u);
  bool saw_proto = false;
  for (size_t i = 0; i + 1 < hello->elements.size(); i += 2) {
    if (hello->elements[i].str == "proto") {
      saw_proto = true;
      EXPECT_EQ(hello->elements[i + 1].integer, 2);
    }
  }
  EXPECT_TRUE(saw_proto);

  ASSERT_TRUE(raw.Send(RespCommand({"GET", "missing"})));
  EXPECT_EQ(raw.ReadBytes(5), "$-1\r\n");
}

TEST_P(ServerTest, HelloWithUnsupportedVersionRepliesNoproto) {
  ReplyPtr r = Run({"HELLO", "4"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR) << Describe(r.get());
  EXPECT_EQ(std::string(r->str), "NOPROTO unsupported protocol version");
  ExpectStatus({"PING"}, "PONG");  // still RESP2
}

TEST_P(ServerTest, InlineCommandsOnRawSocketAreExecuted) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE(raw.Send("PING\r\n"));
  EXPECT_EQ(raw.ReadBytes(7), "+PONG\r\n");
  ASSERT_TRUE(raw.Send("SET a b\r\n"));
  EXPECT_EQ(raw.ReadBytes(5), "+OK\r\n");
  // Double quotes group words and understand escapes; single quotes group words verbatim.
  ASSERT_TRUE(raw.Send("SET \"quoted key\" \"hello world\\n\"\r\n"));
  EXPECT_EQ(raw.ReadBytes(5), "+OK\r\n");
  ASSERT_TRUE(raw.Send("GET 'quoted key'\r\n"));
  EXPECT_EQ(raw.ReadBytes(19), "$12\r\nhello world\n\r\n");
  // A bare "\n" also ends an inline command.
  ASSERT_TRUE(raw.Send("GET a\n"));
  EXPECT_EQ(raw.ReadBytes(7), "$1\r\nb\r\n");

  ReplyPtr r = Run({"GET", "quoted key"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_STRING) << Describe(r.get());
  EXPECT_EQ(std::string(r->str, r->len), "hello world\n");
}

TEST_P(ServerTest, InlineCommandWithUnbalancedQuotesIsAProtocolError) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE(raw.Send("SET \"unbalanced\r\n"));
  std::optional<RespValue> v = raw.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, '-');
  EXPECT_EQ(v->str, "ERR Protocol error: unbalanced quotes in request");
  EXPECT_TRUE(raw.WaitForClose());
}

TEST_P(ServerTest, ProtocolErrorRepliesAndClosesOnlyThatConnection) {
  RedisConnection other = NewConnection();
  ASSERT_NE(other, nullptr);
  ReplyPtr r = Command(other.get(), {"SET", "x", "1"});
  ASSERT_NE(r, nullptr);

  RawConnection bad(server_->port());
  ASSERT_TRUE(bad.ok());
  ASSERT_TRUE(bad.Send("*1\r\n$foo\r\n"));
  std::optional<RespValue> v = bad.ReadValue();
  ASSERT_TRUE(v.has_value()) << "no reply to a malformed bulk length";
  EXPECT_EQ(v->type, '-');
  EXPECT_EQ(v->str.rfind("ERR Protocol error: ", 0), 0u) << v->str;
  EXPECT_EQ(v->str, "ERR Protocol error: invalid bulk length");
  EXPECT_TRUE(bad.WaitForClose()) << "connection must close after a protocol error";

  // The other, already-open connection is unaffected.
  r = Command(other.get(), {"GET", "x"});
  ASSERT_NE(r, nullptr) << other->errstr;
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(r->str, r->len), "1");
  ExpectStatus({"PING"}, "PONG");
}

TEST_P(ServerTest, BulkLengthBeyondProtoMaxBulkLenIsAProtocolErrorAndNotAllocated) {
  RawConnection bad(server_->port());
  ASSERT_TRUE(bad.ok());
  // 2 GB, above the default proto-max-bulk-len of 512 MB. The payload itself is never sent.
  ASSERT_TRUE(bad.Send("*2\r\n$3\r\nSET\r\n$2147483648\r\n"));
  std::optional<RespValue> v = bad.ReadValue();
  ASSERT_TRUE(v.has_value()) << "no reply to an oversized bulk length";
  EXPECT_EQ(v->type, '-');
  EXPECT_EQ(v->str, "ERR Protocol error: invalid bulk length");
  EXPECT_TRUE(bad.WaitForClose());

  ExpectStatus({"SET", "still", "serving"}, "OK");
  ReplyPtr r = Run({"INFO", "memory"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  const std::string used = InfoField(std::string(r->str, r->len), "used_memory");
  ASSERT_FALSE(used.empty());
  EXPECT_LT(std::stoll(used), 1LL << 30) << "the announced 2 GB must not be allocated";
}

TEST_P(ServerTest, MultibulkLengthBeyondLimitIsAProtocolError) {
  RawConnection bad(server_->port());
  ASSERT_TRUE(bad.ok());
  ASSERT_TRUE(bad.Send("*3000000000\r\n"));
  std::optional<RespValue> v = bad.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, '-');
  EXPECT_EQ(v->str, "ERR Protocol error: invalid multibulk length");
  EXPECT_TRUE(bad.WaitForClose());
  ExpectStatus({"PING"}, "PONG");
}

// --- Connection commands -------------------------------------------------------------------------

TEST_P(ServerTest, RequirepassRefusesCommandsUntilAuthWithTheRightPassword) {
  StartServer({"--requirepass", "s3cret"});
  ReplyPtr r = Run({"GET", "k"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR) << Describe(r.get());
  EXPECT_EQ(std::string(r->str), "NOAUTH Authentication required.");

  r = Run({"AUTH", "wrong"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR) << Describe(r.get());
  EXPECT_EQ(std::string(r->str), "WRONGPASS invalid username-password pair or user is disabled.");

  r = Run({"GET", "k"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, REDIS_REPLY_ERROR) << "a wrong password must not authenticate";

  ExpectStatus({"AUTH", "s3cret"}, "OK");
  ExpectStatus({"SET", "k", "v"}, "OK");
  r = Run({"GET", "k"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Describe(r.get()), "\"v\"");

  // Another connection is not authenticated by this one.
  RedisConnection other = NewConnection();
  ASSERT_NE(other, nullptr);
  r = Command(other.get(), {"GET", "k"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(std::string(r->str), "NOAUTH Authentication required.");
}

TEST_P(ServerTest, AuthWithoutRequirepassIsAnError) {
  ReplyPtr r = Run({"AUTH", "anything"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR) << Describe(r.get());
  EXPECT_EQ(std::string(r->str),
            "ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?");
}

TEST_P(ServerTest, SelectIsolatesDatabases) {
  ExpectStatus({"SET", "k", "db0"}, "OK");
  ExpectStatus({"SELECT", "1"}, "OK");
  ReplyPtr r = Run({"GET", "k"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, REDIS_REPLY_NIL) << Describe(r.get());
  ExpectStatus({"SET", "k", "db1"}, "OK");
  ExpectStatus({"SET", "only1", "x"}, "OK");
  r = Run({"DBSIZE"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->integer, 2);

  ExpectStatus({"SELECT", "0"}, "OK");
  r = Run({"GET", "k"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Describe(r.get()), "\"db0\"");
  r = Run({"DBSIZE"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->integer, 1);

  // A new connection starts in database 0.
  RedisConnection other = NewConnection();
  ASSERT_NE(other, nullptr);
  r = Command(other.get(), {"GET", "only1"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, REDIS_REPLY_NIL);

  r = Run({"SELECT", "16"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(std::string(r->str), "ERR DB index is out of range");
}

TEST_P(ServerTest, ActiveExpiryRemovesKeysThatAreNeverRead) {
  constexpr int kVolatile = 20;
  for (int i = 0; i < kVolatile; ++i) {
    ExpectStatus({"SET", "volatile:" + std::to_string(i), "v", "PX", "100"}, "OK");
  }
  ExpectStatus({"SET", "persistent", "v"}, "OK");
  // DBSIZE does not touch keys, so only the active cycle can bring it down. The bound is only
  // there to fail instead of hanging; Redis gets there in about 100-200 ms.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  long long dbsize = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    ReplyPtr r = Run({"DBSIZE"});
    ASSERT_NE(r, nullptr);
    dbsize = r->integer;
    if (dbsize == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(dbsize, 1) << "volatile keys were not expired without being read";
  EXPECT_EQ(InfoField(Info("stats"), "expired_keys"), std::to_string(kVolatile));
}

TEST_P(ServerTest, ClientSetnameGetnameListIdAndKill) {
  ReplyPtr r = Run({"CLIENT", "ID"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_INTEGER) << Describe(r.get());
  const long long my_id = r->integer;

  r = Run({"CLIENT", "GETNAME"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, REDIS_REPLY_NIL) << Describe(r.get());
  ExpectStatus({"CLIENT", "SETNAME", "worker-a"}, "OK");
  r = Run({"CLIENT", "GETNAME"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Describe(r.get()), "\"worker-a\"");
  r = Run({"CLIENT", "SETNAME", "has space"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(std::string(r->str),
            "ERR Client names cannot contain spaces, newlines or special characters.");

  RedisConnection victim = NewConnection();
  ASSERT_NE(victim, nullptr);
  r = Command(victim.get(), {"CLIENT", "ID"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_INTEGER);
  const long long victim_id = r->integer;
  EXPECT_NE(victim_id, my_id);

  r = Run({"CLIENT", "LIST"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_STRING) << Describe(r.get());
  const std::string list(r->str, r->len);
  const std::string mine = ClientLine(list, my_id);
  ASSERT_FALSE(mine.empty()) << list;
  EXPECT_EQ(ClientField(mine, "name"), "worker-a");
  EXPECT_EQ(ClientField(mine, "db"), "0");
  EXPECT_EQ(ClientField(mine, "cmd"), "client|list");
  const std::string victim_line = ClientLine(list, victim_id);
  ASSERT_FALSE(victim_line.empty()) << list;
  EXPECT_EQ(ClientField(victim_line, "addr").rfind("127.0.0.1:", 0), 0u) << victim_line;

  r = Run({"CLIENT", "KILL", "ID", std::to_string(victim_id)});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Describe(r.get()), "(integer) 1");
  r = Command(victim.get(), {"PING"});
  EXPECT_EQ(r, nullptr) << "a killed client's connection must be closed";

  r = Run({"CLIENT", "KILL", "ID", std::to_string(victim_id)});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Describe(r.get()), "(integer) 0");

  // The old form takes an address and answers OK.
  RedisConnection second = NewConnection();
  ASSERT_NE(second, nullptr);
  r = Command(second.get(), {"CLIENT", "ID"});
  ASSERT_NE(r, nullptr);
  const long long second_id = r->integer;
  r = Run({"CLIENT", "LIST"});
  ASSERT_NE(r, nullptr);
  const std::string addr = ClientField(ClientLine(std::string(r->str, r->len), second_id), "addr");
  ASSERT_FALSE(addr.empty());
  ExpectStatus({"CLIENT", "KILL", addr}, "OK");
  r = Command(second.get(), {"PING"});
  EXPECT_EQ(r, nullptr);
  r = Run({"CLIENT", "KILL", "127.0.0.1:1"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(std::string(r->str), "ERR No such client");
}

TEST_P(ServerTest, QuitRepliesOkAndClosesTheConnection) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE(raw.Send("QUIT\r\n"));
  EXPECT_EQ(raw.ReadBytes(5), "+OK\r\n");
  EXPECT_TRUE(raw.WaitForClose());
  ExpectStatus({"PING"}, "PONG");
}

TEST_P(ServerTest, ConnectionsBeyondMaxclientsGetRedisErrorAndAreClosed) {
  StartServer({"--maxclients", "2"});
  ExpectStatus({"PING"}, "PONG");
  // The harness's start-up probe may still be counted until the server has seen it close.
  for (int i = 0; i < 500 && Info("clients").find("connected_clients:1\r\n") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  RedisConnection second = NewConnection();
  ASSERT_NE(second, nullptr);
  ReplyPtr r = Command(second.get(), {"PING"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, REDIS_REPLY_STATUS);
  EXPECT_EQ(std::string(r->str, r->len), "PONG");

  RawConnection third(server_->port());
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third.ReadBytes(36), "-ERR max number of clients reached\r\n");
  EXPECT_TRUE(third.WaitForClose());
  ExpectStatus({"PING"}, "PONG");  // the admitted clients are unaffected
}

TEST_P(ServerTest, IdleClientIsClosedAfterTimeoutWhileActiveOnesStay) {
  StartServer({"--timeout", "1"});
  RawConnection idle(server_->port());
  ASSERT_TRUE(idle.ok());
  ASSERT_TRUE(idle.Send("PING\r\n"));
  EXPECT_EQ(idle.ReadBytes(7), "+PONG\r\n");
  EXPECT_TRUE(idle.WaitForClose());  // closed by the server, well within the read bound
  ExpectStatus({"PING"}, "PONG");    // a new connection works
}

// --- Server commands -----------------------------------------------------------------------------

TEST_P(ServerTest, ShutdownCommandStopsTheProcessWithExitCodeZero) {
  ExpectStatus({"SET", "k", "v"}, "OK");
  ReplyPtr r = Run({"SHUTDOWN"});
  // Redis closes the connection without a reply when the shutdown succeeds.
  EXPECT_TRUE(r == nullptr) << "SHUTDOWN replied " << Describe(r.get());
  EXPECT_EQ(server_->WaitForExit(std::chrono::seconds(10)), std::optional<int>(0))
      << server_->Log();
}

TEST_P(ServerTest, SigtermStopsTheProcessWithExitCodeZero) {
  ExpectStatus({"SET", "k", "v"}, "OK");
  EXPECT_EQ(server_->Stop(), std::optional<int>(0)) << server_->Log();
}

TEST_P(ServerTest, ConfigSetThenGetRoundTrips) {
  ExpectStatus({"CONFIG", "SET", "timeout", "300"}, "OK");
  ReplyPtr r = Run({"CONFIG", "GET", "timeout"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Describe(r.get()), "[\"timeout\", \"300\"]");

  ExpectStatus({"CONFIG", "SET", "proto-max-bulk-len", "1mb"}, "OK");
  r = Run({"CONFIG", "GET", "proto-max-bulk-len"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Describe(r.get()), "[\"proto-max-bulk-len\", \"1048576\"]");

  // The new limit is enforced.
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE(raw.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n"));
  std::optional<RespValue> v = raw.ReadValue();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->str, "ERR Protocol error: invalid bulk length");

  r = Run({"CONFIG", "SET", "nosuch", "1"});
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(std::string(r->str),
            "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");

  r = Run({"CONFIG", "GET", "nosuch"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Describe(r.get()), "[]");
}

TEST_P(ServerTest, InfoHasRedisSectionsAndFieldNames) {
  ExpectStatus({"SET", "a", "1"}, "OK");
  ExpectStatus({"SET", "b", "2", "EX", "1000"}, "OK");
  const std::string info = Info();
  for (const char* section :
       {"# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Keyspace"}) {
    EXPECT_NE(info.find(std::string(section) + "\r\n"), std::string::npos)
        << "INFO lacks " << section;
  }
  EXPECT_FALSE(InfoField(info, "redis_version").empty());
  EXPECT_FALSE(InfoField(info, "tcp_port").empty());
  EXPECT_EQ(InfoField(info, "tcp_port"), std::to_string(server_->port()));
  const std::string clients = InfoField(info, "connected_clients");
  ASSERT_FALSE(clients.empty());
  EXPECT_GE(std::stoll(clients), 1);
  const std::string used = InfoField(info, "used_memory");
  ASSERT_FALSE(used.empty());
  EXPECT_GT(std::stoll(used), 0);
  EXPECT_FALSE(InfoField(info, "total_commands_processed").empty());
  EXPECT_EQ(InfoField(info, "db0").rfind("keys=2,expires=1,avg_ttl=", 0), 0u)
      << InfoField(info, "db0");

  // A section argument limits the reply to that section.
  const std::string keyspace = Info("keyspace");
  EXPECT_EQ(keyspace.rfind("# Keyspace\r\n", 0), 0u) << keyspace;
  EXPECT_EQ(keyspace.find("# Server"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(IoBackends, ServerTest, ::testing::Values("uring", "epoll"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace strata::integration
