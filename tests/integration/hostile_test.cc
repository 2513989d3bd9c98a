// Hostile clients against the real strata-server binary (issue 6, DESIGN.md invariant 5): no
// input from the network crashes the server, hangs it or makes it allocate without bound.
//
// Every test runs hostile connections next to a well-behaved client that must keep getting
// correct answers, checks that the server's resident memory stays within a bound, and ends by
// checking the server still runs. The memory bounds are far below what the same input makes an
// unprotected server allocate (a client that never reads 200 MB of replies, announced lengths of
// hundreds of megabytes), and far above what the protections leave (a few megabytes).

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

using namespace std::chrono_literals;

std::string RespCommand(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// Resident memory of a process in bytes (VmRSS), or -1.
int64_t RssBytes(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

// A non-blocking client socket that sends what the kernel takes and never reads unless asked.
class StubbornClient {
 public:
  explicit StubbornClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 &&
        errno != EINPROGRESS) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    pollfd p{fd_, POLLOUT, 0};
    ::poll(&p, 1, 5000);
  }
  ~StubbornClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // Sends as much of `bytes` as the server takes until it has stopped taking any for `stall`.
  // Returns the bytes sent.
  size_t SendUntilStalled(const std::string& bytes, std::chrono::milliseconds stall) {
    size_t sent = 0;
    auto last_progress = std::chrono::steady_clock::now();
    while (sent < bytes.size() && std::chrono::steady_clock::now() - last_progress < stall) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
        last_progress = std::chrono::steady_clock::now();
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) break;
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, 20);
    }
    return sent;
  }

  // Reads and discards bytes until `total` were read or the connection ends or stays silent
  // for kReadBound. Returns the bytes read.
  size_t Drain(size_t total) {
    std::vector<char> buf(1 << 20);
    size_t got = 0;
    while (got < total) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kReadBound).count())) <= 0) {
        break;
      }
      ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        break;
      }
      got += static_cast<size_t>(n);
    }
    return got;
  }

  // True once the server closed the connection (reads reach EOF or reset within kReadBound).
  bool WaitForClose() {
    std::vector<char> buf(1 << 16);
    auto deadline = std::chrono::steady_clock::now() + kReadBound;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      ::poll(&p, 1, 100);
      ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return true;
    }
    return false;
  }

 private:
  int fd_ = -1;
};

class HostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    UseSmallAsanQuarantine();  // the tests measure the server's RSS
    Start({});
  }

  void Start(const std::vector<std::string>& flags) {
    server_.reset();
    std::string error;
    server_ = ServerProcess::StartStrata(flags, &error);
    ASSERT_NE(server_, nullptr) << error;
    good_ = Connect(server_->port());
    ASSERT_NE(good_, nullptr);
    baseline_rss_ = RssBytes(server_->pid());
    ASSERT_GT(baseline_rss_, 0);
  }

  ReplyPtr Run(const std::vector<std::string>& argv) { return Command(good_.get(), argv); }

  // The well-behaved client writes and reads back a fresh value.
  void ExpectServed() {
    const std::string key = "good:" + std::to_string(++round_);
    ReplyPtr set = Run({"SET", key, "v" + std::to_string(round_)});
    ASSERT_NE(set, nullptr) << good_->errstr;
    ASSERT_EQ(Describe(set.get()), "OK");
    ReplyPtr get = Run({"GET", key});
    ASSERT_NE(get, nullptr) << good_->errstr;
    EXPECT_EQ(Describe(get.get()), "\"v" + std::to_string(round_) + "\"");
  }

  int64_t RssGrowth() const { return RssBytes(server_->pid()) - baseline_rss_; }

  std::string Info(const std::string& section) {
    ReplyPtr r = Run({"INFO", section});
    return r && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "";
  }

  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Running()) << server_->Log();
    }
  }

  std::unique_ptr<ServerProcess> server_;
  RedisConnection good_;
  int64_t baseline_rss_ = 0;
  int round_ = 0;
};

constexpr int64_t kMB = 1024 * 1024;

TEST_F(HostileTest, AnnouncedHugeBulkLengthsAreNotAllocatedUpFront) {
  // 40 clients each announce a 400 MB argument (under proto-max-bulk-len) and send a little of
  // it: 16 GB if the server sized its buffers by the announcement.
  std::vector<std::unique_ptr<RawConnection>> clients;
  for (int i = 0; i < 40; ++i) {
    clients.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(clients.back()->ok());
    ASSERT_TRUE(clients.back()->Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$400000000\r\n" +
                                     std::string(100000, 'x')));
  }
  ExpectServed();
  EXPECT_LT(RssGrowth(), 64 * kMB);
}

TEST_F(HostileTest, NegativeOverflowingAndNestedLengthsAreProtocolErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
      {"*1\r\n$99999999999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
      {"*9223372036854775808\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"*2000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"*1\r\n*1\r\n*1\r\n*1\r\n$4\r\nPING\r\n", "-ERR Protocol error: expected '$', got '*'\r\n"},
      {"*1\r\n$" + std::string(70000, '9'), "-ERR Protocol error: too big bulk count string\r\n"},
  };
  for (const auto& [input, error] : cases) {
    RawConnection c(server_->port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.Send(input));
    EXPECT_EQ(c.ReadBytes(error.size()), error) << input.substr(0, 40);
    EXPECT_TRUE(c.WaitForClose());
    ExpectServed();
  }
  // Empty and negative-count multibulks are skipped, as Redis does.
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send("*0\r\n*-1\r\n*-7\r\nPING\r\n"));
  EXPECT_EQ(c.ReadBytes(7), "+PONG\r\n");
}

TEST_F(HostileTest, RandomGarbageNeverHurtsTheServer) {
  std::mt19937_64 rng(20261128);
  for (int i = 0; i < 100; ++i) {
    RawConnection c(server_->port());
    ASSERT_TRUE(c.ok());
    std::string garbage(1 + rng() % 20000, '\0');
    for (char& ch : garbage) ch = static_cast<char>(rng());
    // Half the inputs start like a command, to get past the first byte.
    if (i % 2 == 0) garbage = "*" + std::to_string(rng() % 8) + "\r\n$" + garbage;
    c.Send(garbage);  // the server may close mid-way: that is fine
    if (i % 10 == 0) ExpectServed();
  }
  ExpectServed();
  EXPECT_LT(RssGrowth(), 64 * kMB);
}

TEST_F(HostileTest, SlowlorisClientsDoNotStarveOthers) {
  // 200 clients each dribble one command a byte at a time; in between, the well-behaved client
  // keeps being served, and each slow client gets its own answer at the end.
  constexpr int kSlow = 200;
  std::vector<std::unique_ptr<RawConnection>> slow;
  std::vector<std::string> commands;
  for (int i = 0; i < kSlow; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(slow.back()->ok());
    commands.push_back(RespCommand({"ECHO", "slow" + std::to_string(i)}));
  }
  size_t longest = 0;
  for (const std::string& c : commands) longest = std::max(longest, c.size());
  for (size_t pos = 0; pos < longest; ++pos) {
    for (int i = 0; i < kSlow; ++i) {
      if (pos < commands[i].size()) {
        ASSERT_TRUE(slow[i]->Send(commands[i].substr(pos, 1)));
      }
    }
    ExpectServed();
  }
  for (int i = 0; i < kSlow; ++i) {
    std::optional<RespValue> v = slow[i]->ReadValue();
    ASSERT_TRUE(v.has_value()) << i;
    EXPECT_EQ(v->str, "slow" + std::to_string(i));
  }
}

TEST_F(HostileTest, ThousandsOfConnectionsAreAllServed) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  // The server has the same hard limit and keeps 128 descriptors for itself.
  const int n = static_cast<int>(std::min<rlim_t>(3000, limit.rlim_cur - 200));
  ASSERT_GT(n, 500) << "the open-files limit is too low for this test";
  std::vector<std::unique_ptr<RawConnection>> conns;
  for (int i = 0; i < n; ++i) {
    conns.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(conns.back()->ok()) << i;
    ASSERT_TRUE(conns.back()->Send(RespCommand({"INCR", "connections"})));
  }
  std::vector<bool> seen(n + 1, false);
  for (int i = 0; i < n; ++i) {
    std::optional<RespValue> v = conns[i]->ReadValue();
    ASSERT_TRUE(v.has_value()) << i;
    ASSERT_EQ(v->type, ':');
    ASSERT_GE(v->integer, 1);
    ASSERT_LE(v->integer, n);
    EXPECT_FALSE(seen[v->integer]) << "two clients got " << v->integer;
    seen[v->integer] = true;
  }
  ExpectServed();
  EXPECT_EQ(InfoField(Info("clients"), "connected_clients"), std::to_string(n + 1));
}

TEST_F(HostileTest, MillionPipelinedCommandsAreAnsweredInOrderWithBoundedMemory) {
  constexpr int kCommands = 1000000;
  RawConnection c(server_->port());
  ASSERT_TRUE(c.ok());
  std::atomic<bool> send_ok{true};
  std::thread writer([&] {
    const std::string batch = [] {
      std::string b;
      for (int i = 0; i < 1000; ++i) b += RespCommand({"INCR", "pipelined"});
      return b;
    }();
    for (int i = 0; i < kCommands / 1000 && send_ok; ++i) {
      if (!c.Send(batch)) send_ok = false;
    }
  });
  int64_t expected = 0;
  int64_t max_growth = 0;
  for (int i = 0; i < kCommands; ++i) {
    std::optional<RespValue> v = c.ReadValue();
    ++expected;
    if (!v.has_value() || v->type != ':' || v->integer != expected) {
      ADD_FAILURE() << "reply " << i << " wrong";
      break;
    }
    if (i % 100000 == 0) max_growth = std::max(max_growth, RssGrowth());
  }
  writer.join();
  EXPECT_TRUE(send_ok);
  EXPECT_EQ(expected, kCommands);
  ReplyPtr r = Run({"GET", "pipelined"});
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Describe(r.get()), "\"1000000\"");
  EXPECT_LT(max_growth, 64 * kMB);
}

TEST_F(HostileTest, ClientThatNeverReadsItsRepliesIsPausedNotGrown) {
  // A million pipelined GETs of a 200-byte value: 208 MB of replies, which an unprotected server
  // (redis-server with its defaults) buffers in full for a client that does not read them. The
  // 22 MB of requests are more than the socket buffers hold, so the client's sending stalls
  // only if the server stops reading it.
  constexpr int kGets = 1000000;
  const std::string value(200, 'v');
  ASSERT_EQ(Describe(Run({"SET", "big", value}).get()), "OK");
  std::string gets;
  for (int i = 0; i < kGets; ++i) gets += RespCommand({"GET", "big"});
  StubbornClient stubborn(server_->port());
  ASSERT_TRUE(stubborn.ok());
  size_t sent = stubborn.SendUntilStalled(gets, 1000ms);
  EXPECT_LT(sent, gets.size()) << "the server read everything: nothing held it back";
  ExpectServed();
  EXPECT_LT(RssGrowth(), 48 * kMB);
  EXPECT_NE(InfoField(Info("stats"), "client_output_backpressure_pauses"), "0");

  // A slow reader is not a dead one: once it reads, it gets every reply.
  const size_t reply_bytes = (std::string("$200\r\n").size() + value.size() + 2) * kGets;
  std::thread reader([&] { EXPECT_EQ(stubborn.Drain(reply_bytes), reply_bytes); });
  while (sent < gets.size()) {
    size_t more = stubborn.SendUntilStalled(gets.substr(sent), 5000ms);
    if (more == 0) break;
    sent += more;
  }
  EXPECT_EQ(sent, gets.size());
  reader.join();
  ExpectServed();
}

TEST_F(HostileTest, SubscriberThatNeverReadsIsDisconnectedAtThePubsubLimit) {
  ASSERT_EQ(Describe(Run({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 256kb 1"})
                         .get()),
            "OK");
  StubbornClient subscriber(server_->port());
  ASSERT_TRUE(subscriber.ok());
  ASSERT_EQ(subscriber.SendUntilStalled(RespCommand({"SUBSCRIBE", "news"}), 1000ms),
            RespCommand({"SUBSCRIBE", "news"}).size());
  // Wait until the subscription is in place.
  for (int i = 0; i < 500; ++i) {
    ReplyPtr n = Run({"PUBSUB", "NUMSUB", "news"});
    if (n && n->type == REDIS_REPLY_ARRAY && n->element[1]->integer == 1) break;
    std::this_thread::sleep_for(10ms);
  }
  const std::string message(100 * 1000, 'm');
  bool dropped = false;
  for (int i = 0; i < 400 && !dropped; ++i) {  // 40 MB, far beyond socket buffers + 1 MB
    ReplyPtr r = Run({"PUBLISH", "news", message});
    ASSERT_NE(r, nullptr);
    dropped = r->integer == 0;
  }
  EXPECT_TRUE(dropped) << "the subscriber was never disconnected";
  EXPECT_TRUE(subscriber.WaitForClose());
  EXPECT_EQ(InfoField(Info("stats"), "client_output_buffer_limit_disconnections"), "1");
  ExpectServed();
  EXPECT_LT(RssGrowth(), 48 * kMB);
}

TEST_F(HostileTest, NormalClientOverItsHardLimitIsDisconnected) {
  ASSERT_EQ(Describe(Run({"CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0"}).get()),
            "OK");
  ReplyPtr limits = Run({"CONFIG", "GET", "client-output-buffer-limit"});
  ASSERT_NE(limits, nullptr);
  ASSERT_EQ(limits->elements, 2u);
  EXPECT_EQ(std::string(limits->element[1]->str),
            "normal 1048576 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  ASSERT_EQ(Describe(Run({"SET", "big", std::string(2 * kMB, 'b')}).get()), "OK");
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send(RespCommand({"GET", "big"})));
  EXPECT_TRUE(c.WaitForClose());
  ExpectServed();  // its own small replies are well under the limit
}

TEST_F(HostileTest, BeforeAuthOnlySmallRequestsAreRead) {
  Start({"--requirepass", "sesame"});
  ASSERT_EQ(Describe(Run({"AUTH", "sesame"}).get()), "OK");
  {
    RawConnection c(server_->port());
    ASSERT_TRUE(c.Send("*11\r\n"));
    const std::string error = "-ERR Protocol error: unauthenticated multibulk length\r\n";
    EXPECT_EQ(c.ReadBytes(error.size()), error);
    EXPECT_TRUE(c.WaitForClose());
  }
  {
    RawConnection c(server_->port());
    ASSERT_TRUE(c.Send("*2\r\n$4\r\nAUTH\r\n$100000\r\n"));
    const std::string error = "-ERR Protocol error: unauthenticated bulk length\r\n";
    EXPECT_EQ(c.ReadBytes(error.size()), error);
    EXPECT_TRUE(c.WaitForClose());
  }
  {
    RawConnection c(server_->port());
    ASSERT_TRUE(c.Send(RespCommand({"AUTH", "sesame"})));
    EXPECT_EQ(c.ReadBytes(5), "+OK\r\n");
    std::vector<std::string> mset = {"MSET"};
    for (int i = 0; i < 20; ++i) mset.insert(mset.end(), {"k" + std::to_string(i), "v"});
    mset.back() = std::string(100000, 'v');
    ASSERT_TRUE(c.Send(RespCommand(mset)));
    EXPECT_EQ(c.ReadBytes(5), "+OK\r\n");
  }
  ExpectServed();
}

}  // namespace
}  // namespace strata::integration
