// The network layer on its own: a Worker serving connections for a stand-in Service, with no
// command layer linked (strata_net only). Shows the boundary: parsed commands reach
// Service::Execute, a refused connection gets the service's error line and is closed.
#include "server/net/worker.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "server/net/io_backend.h"
#include "server/net/service.h"

namespace strata::server {
namespace {

class EchoService final : public Service {
 public:
  EchoService() { stats_.InitWorkers(1); }

  std::unique_ptr<WorkerContext> NewWorkerContext() override {
    return std::make_unique<WorkerContext>();
  }
  bool shutting_down() const override { return stop.load(); }
  ServerStats& stats() override { return stats_; }
  ClientRegistry& clients() override { return clients_; }
  ConnectionLimits limits() const override {
    ConnectionLimits l;
    l.max_bulk_len = 1 << 20;
    l.query_buffer_limit = 1 << 20;
    return l;
  }
  OutputBufferLimit OutputLimit(bool) const override { return {}; }
  std::string_view Refusal(int) override { return refusal; }
  void OnConnect(ClientState& client) override { client.authenticated = true; }
  void OnDisconnect(ClientState&) override { disconnects.fetch_add(1); }
  void BeginInput(WorkerContext&) override {}
  void EndInput(WorkerContext&) override {}
  // Replies each command line joined by spaces, as a simple string.
  void Execute(WorkerContext&, ClientState&, std::span<const std::string_view> args,
               ReplyBuilder& reply) override {
    std::string line;
    for (std::string_view a : args) line += (line.empty() ? "" : " ") + std::string(a);
    std::lock_guard<std::mutex> l(mu);
    executed.push_back(line);
    reply.Simple(line);
  }
  void Prefetch(ClientState&, std::span<const std::string_view>) override {}
  bool TimeOut(ClientState&, ReplyBuilder&) override { return true; }
  uint64_t ReplyHold(WorkerContext&) override { return 0; }
  uint64_t released_lsn() const override { return 0; }
  void WriteLog(uint64_t) override {}

  std::atomic<bool> stop{false};
  std::string refusal;
  std::atomic<int> disconnects{0};
  std::mutex mu;
  std::vector<std::string> executed;

 private:
  ServerStats stats_;
  ClientRegistry clients_;
};

// Reads until `want` bytes arrived or the peer closed; returns what arrived.
std::string ReadSome(int fd, size_t want) {
  std::string out;
  char buf[256];
  while (out.size() < want) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    worker_ = std::make_unique<Worker>(&service_, 0, NewEpollBackend(), std::vector<int>{});
    worker_->Start();
  }
  void TearDown() override {
    service_.stop = true;
    worker_->Wake();
    worker_->Join();
    worker_.reset();
  }
  // A connected pair: the worker gets one end, the test keeps the other.
  int Connect() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    worker_->Adopt(fds[0]);
    return fds[1];
  }

  EchoService service_;
  std::unique_ptr<Worker> worker_;
};

TEST_F(WorkerTest, PipelinedCommandsReachTheServiceInOrderAndTheirRepliesComeBack) {
  const int fd = Connect();
  const std::string input = "*2\r\n$4\r\nECHO\r\n$1\r\na\r\nPING b\r\n*1\r\n$4\r\nQUIT\r\n";
  ASSERT_EQ(::write(fd, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  const std::string expected = "+ECHO a\r\n+PING b\r\n+QUIT\r\n";
  EXPECT_EQ(ReadSome(fd, expected.size()), expected);
  {
    std::lock_guard<std::mutex> l(service_.mu);
    EXPECT_EQ(service_.executed, (std::vector<std::string>{"ECHO a", "PING b", "QUIT"}));
  }
  ::close(fd);
}

TEST_F(WorkerTest, AProtocolErrorIsAnsweredThenTheConnectionCloses) {
  const int fd = Connect();
  const std::string input = "*1\r\n$-5\r\n";
  ASSERT_EQ(::write(fd, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  const std::string reply = ReadSome(fd, 1 << 16);  // until the worker closes it
  EXPECT_EQ(reply, "-ERR Protocol error: invalid bulk length\r\n");
  ::close(fd);
}

TEST_F(WorkerTest, ARefusedConnectionGetsTheServiceLineAndIsClosed) {
  service_.refusal = "-ERR max number of clients reached\r\n";
  const int fd = Connect();
  EXPECT_EQ(ReadSome(fd, 1 << 16), "-ERR max number of clients reached\r\n");
  EXPECT_EQ(service_.clients().size(), 0u);
  ::close(fd);
}

}  // namespace
}  // namespace strata::server
