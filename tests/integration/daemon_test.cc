// Integration tests of a daemon deployment on the real binary, against Redis 7.0's behaviour:
// daemonize and pidfile, supervised (systemd's NOTIFY_SOCKET, upstart's SIGSTOP), the process
// title and oom-score-adj. The listener directives (unixsocket, tcp-backlog, tcp-keepalive)
// are in listener_test.cc.
//
// The test process is a child subreaper (PR_SET_CHILD_SUBREAPER), so a daemonized server, whose
// parent exits, becomes our child: its exit status is waited for, never guessed.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/process_util.h"
#include "tests/integration/server_harness.h"

namespace strata::integration {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }
  TempDir dir_;
};

// --- daemonize and pidfile ---------------------------------------------------------------------

std::vector<std::string> DaemonArgs(int port, const std::string& dir) {
  return {StrataServerPath(), "--port",    std::to_string(port),
          "--bind",           "127.0.0.1", "--dir",
          dir + "/data",      "--threads", "2",
          "--daemonize",      "yes"};
}

// Waits for the pid file to name a process that answers PING on `port`; 0 after the bound.
pid_t WaitForDaemon(const std::string& pidfile, int port) {
  pid_t pid = 0;
  const bool up = WaitUntil(kStartupBound, [&] {
    const std::optional<std::string> text = ReadFile(pidfile);
    if (!text || text->empty() || text->back() != '\n') return false;
    pid = std::atoi(text->c_str());
    return pid > 0 && AnswersPingOn(port);
  });
  return up ? pid : 0;
}

TEST_F(DaemonTest, DaemonizeDetachesAndTheParentExitsZeroAtOnce) {
  const int port = PickFreePort();
  const std::string pidfile = dir_.path() + "/strata.pid";
  std::vector<std::string> args = DaemonArgs(port, dir_.path());
  args.insert(args.end(), {"--pidfile", pidfile});
  // No logfile: as Redis, the daemon's log goes to /dev/null, so the terminal gets nothing.
  ToolResult parent = RunTool(args, {}, std::chrono::seconds(30));
  EXPECT_EQ(parent.exit_code, 0) << parent.output;
  EXPECT_EQ(parent.output, "");

  const pid_t pid = WaitForDaemon(pidfile, port);
  ASSERT_GT(pid, 0) << "no daemon answered on port " << port;
  ChildGuard guard(pid);
  EXPECT_EQ(::getsid(pid), pid) << "the daemon leads a session of its own";
  for (int fd = 0; fd <= 2; ++fd) {
    EXPECT_EQ(fs::read_symlink("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd)),
              "/dev/null")
        << "fd " << fd;
  }
  EXPECT_EQ(*ReadFile(pidfile), std::to_string(pid) + "\n");

  RedisConnection c = Connect(port);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Describe(Command(c.get(), {"SET", "k", "v"}).get()), "OK");
  Command(c.get(), {"SHUTDOWN"});
  EXPECT_EQ(WaitForExitCode(pid, kShutdownBound), 0);
  guard.Release();
  EXPECT_FALSE(fs::exists(pidfile)) << "SHUTDOWN leaves the pid file behind";
}

TEST_F(DaemonTest, DaemonizeLogsToTheLogfileAndSigtermRemovesThePidFile) {
  const int port = PickFreePort();
  const std::string pidfile = dir_.path() + "/strata.pid";
  const std::string log = dir_.path() + "/strata.log";
  std::vector<std::string> args = DaemonArgs(port, dir_.path());
  args.insert(args.end(), {"--pidfile", pidfile, "--logfile", log});
  ToolResult parent = RunTool(args, {}, std::chrono::seconds(30));
  ASSERT_EQ(parent.exit_code, 0) << parent.output;
  const pid_t pid = WaitForDaemon(pidfile, port);
  ASSERT_GT(pid, 0);
  ChildGuard guard(pid);
  // The log's lines carry the daemon's pid (the parent's is gone).
  EXPECT_TRUE(WaitUntil(kStartupBound, [&] {
    return ReadFile(log).value_or("").find(std::to_string(pid) + ":M ") != std::string::npos;
  })) << ReadFile(log).value_or("");
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_EQ(WaitForExitCode(pid, kShutdownBound), 0);
  guard.Release();
  EXPECT_FALSE(fs::exists(pidfile)) << "SIGTERM leaves the pid file behind";
  EXPECT_NE(ReadFile(log).value_or("").find("ready to exit"), std::string::npos);
}

TEST_F(DaemonTest, PidFileIsWrittenWithoutDaemonizeAndRemovedAtSigterm) {
  const std::string pidfile = dir_.path() + "/fg.pid";
  std::string error;
  auto server = ServerProcess::StartStrata({"--pidfile", pidfile}, &error);
  ASSERT_NE(server, nullptr) << error;
  EXPECT_EQ(ReadFile(pidfile).value_or("(none)"), std::to_string(server->pid()) + "\n");
  EXPECT_EQ(server->Stop(), 0);
  EXPECT_FALSE(fs::exists(pidfile));
}

TEST_F(DaemonTest, DaemonizeWithoutPidfileWritesRedisDefaultPidFile) {
  const std::string pidfile = "/var/run/redis.pid";  // Redis 7.0's CONFIG_DEFAULT_PID_FILE
  if (fs::exists(pidfile) || ::access("/var/run", W_OK) != 0) {
    GTEST_SKIP() << pidfile << " exists (a daemonized redis-server?) or /var/run is not writable";
  }
  const int port = PickFreePort();
  ToolResult parent = RunTool(DaemonArgs(port, dir_.path()), {}, std::chrono::seconds(30));
  ASSERT_EQ(parent.exit_code, 0) << parent.output;
  const pid_t pid = WaitForDaemon(pidfile, port);
  ASSERT_GT(pid, 0);
  ChildGuard guard(pid);
  // A failed run must not leave a system file behind that names a dead process.
  std::unique_ptr<void, std::function<void(void*)>> remove_ours(&guard, [&](void*) {
    if (ReadFile(pidfile) == std::to_string(pid) + "\n") ::unlink(pidfile.c_str());
  });
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_EQ(WaitForExitCode(pid, kShutdownBound), 0);
  guard.Release();
  EXPECT_FALSE(fs::exists(pidfile));
}

// --- supervised --------------------------------------------------------------------------------

// A datagram socket standing in for systemd's notification socket.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    path_.copy(sa.sun_path, sizeof(sa.sun_path) - 1);
    if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  // The next message, or nullopt after `bound`.
  std::optional<std::string> Receive(std::chrono::milliseconds bound) {
    timeval tv{static_cast<time_t>(bound.count() / 1000),
               static_cast<suseconds_t>(bound.count() % 1000 * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }

 private:
  std::string path_;
  int fd_ = -1;
};

constexpr std::chrono::milliseconds kNotifyBound{30000};

TEST_F(DaemonTest, SystemdReadyComesOnlyAfterRecoveryWithStatusAndStopping) {
  // A log of 300k records to replay: long enough that a READY=1 sent before recovery would
  // arrive while the log does not yet say the data is loaded.
  std::string error;
  auto first = ServerProcess::StartStrata({"--enable-debug-command", "local"}, &error);
  ASSERT_NE(first, nullptr) << error;
  {
    RedisConnection c = Connect(first->port());
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(Describe(Command(c.get(), {"DEBUG", "POPULATE", "300000"}).get()), "OK");
    EXPECT_EQ(Describe(Command(c.get(), {"SET", "written-before", "restart"}).get()), "OK");
    Command(c.get(), {"SHUTDOWN", "NOSAVE"});  // no snapshot: start-up replays the whole log
  }
  ASSERT_EQ(first->WaitForExit(kShutdownBound), 0);

  NotifySocket notify(dir_.path() + "/notify.sock");
  ASSERT_TRUE(notify.ok());
  const std::string log = dir_.path() + "/server.log";
  const pid_t pid = SpawnWithEnv(
      {StrataServerPath(), "--port", std::to_string(first->port()), "--bind", "127.0.0.1", "--dir",
       first->data_dir(), "--threads", "2", "--supervised", "systemd"},
      {{"NOTIFY_SOCKET", notify.path()}}, log);
  ASSERT_GT(pid, 0);
  ChildGuard guard(pid);

  std::vector<std::string> before_ready;
  std::optional<std::string> message;
  while ((message = notify.Receive(kNotifyBound)) && *message != "READY=1\n") {
    before_ready.push_back(*message);
  }
  ASSERT_EQ(message, "READY=1\n") << ReadFile(log).value_or("");
  // What READY promises: recovery is over and the listeners accept.
  EXPECT_NE(ReadFile(log).value_or("").find("DB loaded from the write-ahead log: 300001 records"),
            std::string::npos)
      << "READY=1 before the log was replayed:\n"
      << ReadFile(log).value_or("");
  RedisConnection c = Connect(first->port());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Describe(Command(c.get(), {"GET", "written-before"}).get()), "\"restart\"");
  EXPECT_EQ(Describe(Command(c.get(), {"DBSIZE"}).get()), "(integer) 300001");

  ASSERT_GE(before_ready.size(), 3u);
  EXPECT_EQ(before_ready.front(), "STATUS=Strata is loading...\n");
  EXPECT_NE(
      std::find(before_ready.begin(), before_ready.end(), "STATUS=Replaying the write-ahead log\n"),
      before_ready.end());
  EXPECT_EQ(before_ready.back(), "STATUS=Ready to accept connections\n");

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_EQ(notify.Receive(kNotifyBound), "STOPPING=1\n");
  EXPECT_EQ(WaitForExitCode(pid, kShutdownBound), 0);
  guard.Release();
}

TEST_F(DaemonTest, SupervisedAutoDetectsNotifySocketAndKeepsTheServerInTheForeground) {
  NotifySocket notify(dir_.path() + "/notify.sock");
  ASSERT_TRUE(notify.ok());
  const int port = PickFreePort();
  const std::string pidfile = dir_.path() + "/auto.pid";
  // As Redis: daemonize is ignored under a supervisor, which tracks the process it started.
  const pid_t pid = SpawnWithEnv(
      {StrataServerPath(), "--port", std::to_string(port), "--dir", dir_.path() + "/data",
       "--supervised", "auto", "--daemonize", "yes", "--pidfile", pidfile},
      {{"NOTIFY_SOCKET", notify.path()}}, dir_.path() + "/server.log");
  ASSERT_GT(pid, 0);
  ChildGuard guard(pid);
  std::optional<std::string> message;
  while ((message = notify.Receive(kNotifyBound)) && *message != "READY=1\n") {
  }
  ASSERT_EQ(message, "READY=1\n") << ReadFile(dir_.path() + "/server.log").value_or("");
  EXPECT_EQ(ReadFile(pidfile).value_or(""), std::to_string(pid) + "\n") << "it forked";
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_EQ(WaitForExitCode(pid, kShutdownBound), 0);
  guard.Release();
}

TEST_F(DaemonTest, SupervisedSystemdWithoutNotifySocketSaysSoAndRuns) {
  std::string error;
  ::unsetenv("NOTIFY_SOCKET");
  auto server = ServerProcess::StartStrata({"--supervised", "systemd"}, &error);
  ASSERT_NE(server, nullptr) << error;
  EXPECT_NE(server->Log().find("systemd supervision error: NOTIFY_SOCKET not found!"),
            std::string::npos)
      << server->Log();
}

TEST_F(DaemonTest, SupervisedUpstartStopsItselfOnceReady) {
  const int port = PickFreePort();
  const std::string log = dir_.path() + "/server.log";
  const pid_t pid = SpawnWithEnv({StrataServerPath(), "--port", std::to_string(port), "--dir",
                                  dir_.path() + "/data", "--supervised", "upstart"},
                                 {{"UPSTART_JOB", "strata"}}, log);
  ASSERT_GT(pid, 0);
  ChildGuard guard(pid);
  int status = 0;
  const bool stopped =
      WaitUntil(kStartupBound, [&] { return ::waitpid(pid, &status, WNOHANG | WUNTRACED) == pid; });
  ASSERT_TRUE(stopped) << ReadFile(log).value_or("");
  ASSERT_TRUE(WIFSTOPPED(status));
  EXPECT_EQ(WSTOPSIG(status), SIGSTOP);
  const std::string text = ReadFile(log).value_or("");
  EXPECT_NE(text.find("supervised by upstart, will stop to signal readiness."), std::string::npos);
  EXPECT_NE(text.find("Ready to accept connections"), std::string::npos) << "stopped before ready";
  ASSERT_EQ(::kill(pid, SIGCONT), 0);  // what upstart does
  EXPECT_TRUE(AnswersPingOn(port));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_EQ(WaitForExitCode(pid, kShutdownBound), 0);
  guard.Release();
}

// --- set-proc-title and oom-score-adj ----------------------------------------------------------

// /proc/PID/cmdline as ps shows it: NULs as spaces, trailing ones trimmed.
std::string ProcTitleOf(pid_t pid) {
  std::string text = ReadFile("/proc/" + std::to_string(pid) + "/cmdline").value_or("");
  for (char& ch : text) {
    if (ch == '\0') ch = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

TEST_F(DaemonTest, ProcTitleIsRedisDefaultTemplateAndFollowsConfigSet) {
  std::string error;
  auto strata = ServerProcess::StartStrata({}, &error);
  ASSERT_NE(strata, nullptr) << error;
  auto redis = ServerProcess::StartRedis({}, &error);
  ASSERT_NE(redis, nullptr) << error;
  // "{title} {listen-addr} {server-mode}": argv[0], the first bind address and the port.
  EXPECT_EQ(ProcTitleOf(redis->pid()), "redis-server 127.0.0.1:" + std::to_string(redis->port()));
  EXPECT_EQ(ProcTitleOf(strata->pid()),
            StrataServerPath() + " 127.0.0.1:" + std::to_string(strata->port()));
  EXPECT_EQ(ReadFile("/proc/" + std::to_string(strata->pid()) + "/comm"), "strata-server\n")
      << "the command name pgrep and pidof match is kept";

  RedisConnection c = Connect(strata->port());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Describe(Command(c.get(),
                             {"CONFIG", "SET", "proc-title-template", "{title} port={port} {{x}} "})
                         .get()),
            "OK");
  EXPECT_EQ(ProcTitleOf(strata->pid()),
            StrataServerPath() + " port=" + std::to_string(strata->port()) + " {x}");
}

TEST_F(DaemonTest, SetProcTitleNoLeavesTheCommandLine) {
  std::string error;
  auto strata = ServerProcess::StartStrata({"--set-proc-title", "no"}, &error);
  ASSERT_NE(strata, nullptr) << error;
  EXPECT_NE(ProcTitleOf(strata->pid()).find(" --set-proc-title no"), std::string::npos)
      << ProcTitleOf(strata->pid());
}

int OomScoreAdjOf(const std::string& pid) {
  return std::atoi(ReadFile("/proc/" + pid + "/oom_score_adj").value_or("-9999").c_str());
}

TEST_F(DaemonTest, OomScoreAdjWritesTheMasterValueAsRedis) {
  const int base = OomScoreAdjOf("self");  // what a child inherits
  std::string error;
  const std::vector<std::string> flags = {"--oom-score-adj", "absolute", "--oom-score-adj-values",
                                          "345 500 800"};
  auto strata = ServerProcess::StartStrata(flags, &error);
  ASSERT_NE(strata, nullptr) << error;
  auto redis = ServerProcess::StartRedis(flags, &error);
  ASSERT_NE(redis, nullptr) << error;
  const std::string pid = std::to_string(strata->pid());
  EXPECT_EQ(OomScoreAdjOf(std::to_string(redis->pid())), 345);
  EXPECT_EQ(OomScoreAdjOf(pid), 345);

  RedisConnection c = Connect(strata->port());
  ASSERT_NE(c, nullptr);
  // relative (and yes): added to the score the process had before its first adjustment.
  EXPECT_EQ(Describe(Command(c.get(), {"CONFIG", "SET", "oom-score-adj", "relative",
                                       "oom-score-adj-values", "10 20 30"})
                         .get()),
            "OK");
  EXPECT_EQ(OomScoreAdjOf(pid), std::min(1000, base + 10));
  // no: the original score comes back.
  EXPECT_EQ(Describe(Command(c.get(), {"CONFIG", "SET", "oom-score-adj", "no"}).get()), "OK");
  EXPECT_EQ(OomScoreAdjOf(pid), base);
}

}  // namespace
}  // namespace strata::integration
