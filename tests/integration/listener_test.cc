// Integration tests of the listener directives on the real binary, compared with Redis 7.0:
// unixsocket and unixsocketperm (with redis-cli -s), port 0, tcp-backlog and tcp-keepalive.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/process_util.h"
#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

namespace fs = std::filesystem;

ToolResult CliOverSocket(const std::string& path, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"redis-cli", "-s", path};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunTool(argv);
}

// The "name=value" fields of a CLIENT INFO / CLIENT LIST line.
std::map<std::string, std::string> ClientFields(const std::string& line) {
  std::map<std::string, std::string> out;
  std::istringstream in(line);
  std::string word;
  while (in >> word) {
    const size_t eq = word.find('=');
    if (eq != std::string::npos) out[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return out;
}

TEST(ListenerTest, UnixSocketServesRedisCliWithItsModeAndIsRemovedAtExit) {
  TempDir dir;
  const std::string sock = dir.path() + "/strata.sock";
  std::string error;
  // protected-mode yes with no password (the defaults): a unix socket client is local.
  auto server =
      ServerProcess::StartStrata({"--unixsocket", sock, "--unixsocketperm", "700"}, &error);
  ASSERT_NE(server, nullptr) << error;

  struct stat st {};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  ToolResult set = CliOverSocket(sock, {"SET", "over", "unix"});
  EXPECT_EQ(set.output, "OK\n");
  EXPECT_EQ(RunRedisCli(server->port(), {"GET", "over"}).output, "unix\n") << "one keyspace";
  ToolResult ping = CliOverSocket(sock, {"PING"});
  EXPECT_EQ(ping.output, "PONG\n");

  ToolResult list = CliOverSocket(sock, {"CLIENT", "LIST"});
  std::map<std::string, std::string> fields = ClientFields(list.output);
  EXPECT_EQ(fields["addr"], sock + ":0") << list.output;
  EXPECT_EQ(fields["laddr"], sock + ":0") << list.output;
  EXPECT_EQ(fields["flags"], "U") << list.output;

  EXPECT_EQ(server->Stop(), 0);
  EXPECT_FALSE(fs::exists(sock)) << "the socket file outlives the server";
}

TEST(ListenerTest, UnixSocketClientInfoMatchesRedis) {
  TempDir dir;
  std::string error;
  auto strata = ServerProcess::StartStrata({"--unixsocket", dir.path() + "/s.sock"}, &error);
  ASSERT_NE(strata, nullptr) << error;
  auto redis = ServerProcess::StartRedis({"--unixsocket", dir.path() + "/r.sock"}, &error);
  ASSERT_NE(redis, nullptr) << error;
  std::map<std::string, std::string> s =
      ClientFields(CliOverSocket(dir.path() + "/s.sock", {"CLIENT", "INFO"}).output);
  std::map<std::string, std::string> r =
      ClientFields(CliOverSocket(dir.path() + "/r.sock", {"CLIENT", "INFO"}).output);
  ASSERT_FALSE(r.empty());
  for (const char* field : {"addr", "laddr"}) {
    EXPECT_EQ(s[field], dir.path() + "/s.sock:0") << field;
    EXPECT_EQ(r[field], dir.path() + "/r.sock:0") << field;
  }
  EXPECT_EQ(s["flags"], r["flags"]);
}

TEST(ListenerTest, PortZeroListensOnTheUnixSocketAlone) {
  TempDir dir;
  const std::string sock = dir.path() + "/only.sock";
  const std::string log = dir.path() + "/server.log";
  const pid_t pid = SpawnWithEnv(
      {StrataServerPath(), "--port", "0", "--dir", dir.path() + "/data", "--unixsocket", sock}, {},
      log);
  ASSERT_GT(pid, 0);
  ChildGuard guard(pid);
  EXPECT_TRUE(WaitUntil(kStartupBound, [&] {
    return CliOverSocket(sock, {"PING"}).output == "PONG\n";
  })) << ReadFile(log).value_or("");
  const std::string text = ReadFile(log).value_or("");
  EXPECT_NE(text.find("The server is now ready to accept connections at " + sock),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("Ready to accept connections tcp"), std::string::npos) << text;
  EXPECT_EQ(CliOverSocket(sock, {"SHUTDOWN", "NOSAVE"}).exit_code, 0);
  EXPECT_EQ(WaitForExitCode(pid, kShutdownBound), 0);
  guard.Release();
  EXPECT_FALSE(fs::exists(sock));
}

TEST(ListenerTest, PortZeroWithoutUnixSocketRefusesToStartAsRedis) {
  TempDir dir;
  ToolResult run = RunTool({StrataServerPath(), "--port", "0", "--dir", dir.path() + "/data"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("Configured to not listen anywhere, exiting."), std::string::npos)
      << run.output;
}

TEST(ListenerTest, TcpBacklogIsTheListenBacklog) {
  std::string error;
  auto server = ServerProcess::StartStrata({"--tcp-backlog", "37"}, &error);
  ASSERT_NE(server, nullptr) << error;
  // For a listening socket, ss's Send-Q column is the backlog listen(2) was given.
  ToolResult ss = RunTool({"ss", "-ltnH", "( sport = :" + std::to_string(server->port()) + " )"});
  ASSERT_EQ(ss.exit_code, 0) << ss.output;
  std::istringstream in(ss.output);
  std::string state, recv_q, send_q;
  in >> state >> recv_q >> send_q;
  EXPECT_EQ(state, "LISTEN") << ss.output;
  EXPECT_EQ(send_q, "37") << ss.output;
}

// The timer ss shows on the server's end of the one established connection to `port`.
std::string ServerSideTimer(int port) {
  ToolResult ss =
      RunTool({"ss", "-tnoH", "state", "established", "( sport = :" + std::to_string(port) + " )"});
  return ss.output;
}

TEST(ListenerTest, TcpKeepaliveArmsTheKeepaliveTimerOfAcceptedSockets) {
  std::string error;
  auto server = ServerProcess::StartStrata({"--tcp-keepalive", "100"}, &error);
  ASSERT_NE(server, nullptr) << error;
  RedisConnection c = Connect(server->port());
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(Describe(Command(c.get(), {"PING"}).get()), "PONG");
  // First probe after 100 s of silence (the kernel's default would be 120 min).
  const std::string timer = ServerSideTimer(server->port());
  EXPECT_NE(timer.find("timer:(keepalive,1min"), std::string::npos) << timer;

  // 0 = off: no keepalive timer on connections accepted after CONFIG SET.
  EXPECT_EQ(Describe(Command(c.get(), {"CONFIG", "SET", "tcp-keepalive", "0"}).get()), "OK");
  c.reset();
  RedisConnection d = Connect(server->port());
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(Describe(Command(d.get(), {"PING"}).get()), "PONG");
  const std::string none = ServerSideTimer(server->port());
  EXPECT_EQ(none.find("keepalive"), std::string::npos) << none;
}

}  // namespace
}  // namespace strata::integration
