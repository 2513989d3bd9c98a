// Helpers for tests of the server as a process (daemonize, supervision, unix sockets): a
// temporary directory, files, bounded waits, and children started with an environment of the
// test's choosing (ServerProcess passes on the test's own).
//
// As the rest of the harness, elapsed time is never a verdict: every wait is bounded only so
// that a broken server fails the test instead of hanging it. Not thread safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace strata::integration {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The whole file, or nullopt if it cannot be opened.
std::optional<std::string> ReadFile(const std::string& path);

// Polls `done` every 20 ms until it returns true (true) or `bound` passes (false).
bool WaitUntil(std::chrono::milliseconds bound, const std::function<bool()>& done);

// True if a server on 127.0.0.1:port answers PING with any reply.
bool AnswersPingOn(int port);

// Forks and execs args (args[0] looked up in PATH) with `env` added to the environment,
// stdin from /dev/null, stdout and stderr appended to `log_path`. Returns the pid, or -1.
pid_t SpawnWithEnv(const std::vector<std::string>& args,
                   const std::vector<std::pair<std::string, std::string>>& env,
                   const std::string& log_path);

// Waits up to `bound` for the child `pid` (ours, or a daemon we are the subreaper of) to exit:
// its exit code, or nullopt if it died of a signal or is still running (then it is killed).
std::optional<int> WaitForExitCode(pid_t pid, std::chrono::milliseconds bound);

// Kills (SIGKILL) and reaps `pid` on destruction unless Release()d: a failed test leaves no
// server behind.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : pid_(pid) {}
  ~ChildGuard();
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;
  void Release() { pid_ = -1; }

 private:
  pid_t pid_;
};

}  // namespace strata::integration
