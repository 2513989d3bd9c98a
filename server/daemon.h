// What a daemon does with its process, as redis-server does it: detaching (`daemonize`), the
// pid file (`pidfile`), the process title (`set-proc-title`, `proc-title-template`) and the
// kernel's OOM-killer preference (`oom-score-adj`, `oom-score-adj-values`).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace strata::server {

// Redis 7.0's pid file when `daemonize yes` and `pidfile` is empty.
inline constexpr const char* kDefaultPidFile = "/var/run/redis.pid";

// daemonize yes: forks; the parent exits 0 at once, the child starts a new session and points
// stdin, stdout and stderr at /dev/null (so with an empty `logfile` the log goes nowhere, as
// Redis's does). Call before any thread of ours starts.
void Daemonize();

// The pid file: written (pid and a newline) on construction, removed by the destructor, which
// main() runs only at a clean exit (SHUTDOWN, SIGTERM, SIGINT, or a start-up that failed). As
// Redis, a file that cannot be written is a warning, not a reason to stop.
class PidFile {
 public:
  explicit PidFile(std::string path);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  std::string path_;
  bool written_ = false;
};

// The process title ps(1) shows, as Redis's setproctitle: the bytes of argv (and of the
// environment after it, which is first copied elsewhere) are overwritten with the title, so
// /proc/PID/cmdline reads it. The command name (/proc/PID/comm, what pgrep and pidof match)
// is left alone. Construct once in main() before anything else reads argv or holds a pointer
// from getenv(). Not thread safe: the server calls Set() under a mutex.
class ProcTitle {
 public:
  ProcTitle(int argc, char** argv);
  ProcTitle(const ProcTitle&) = delete;
  ProcTitle& operator=(const ProcTitle&) = delete;

  // Sets the title, cut to the room argv and the environment had.
  void Set(std::string_view title);
  // What Redis expands {title} to: argv[0] as given.
  const std::string& argv0() const { return argv0_; }

 private:
  char* begin_ = nullptr;  // argv[0]
  char* end_ = nullptr;    // one past the last byte of the area
  std::string argv0_;
};

// The values proc-title-template's variables take.
struct ProcTitleVars {
  std::string title;        // {title}: argv[0]
  std::string listen_addr;  // {listen-addr}: "bind[0]:port", or "unixsocket:PATH" without port
  std::string server_mode;  // {server-mode}: "" (no cluster or sentinel mode)
  std::string port;         // {port}
  std::string tls_port;     // {tls-port}
  std::string unixsocket;   // {unixsocket}
  std::string config_file;  // {config-file}
};

// Expands proc-title-template as Redis does: {name} is a variable, "{{" and "}}" are literal
// braces, and the result is trimmed of spaces. An unknown variable or an unmatched brace is an
// InvalidArgument naming it.
Result<std::string> ExpandProcTitle(std::string_view tmpl, const ProcTitleVars& vars);

// oom-score-adj: writes /proc/self/oom_score_adj as Redis's setOOMScoreAdj does for a master,
// from the first of oom-score-adj-values: "yes"/"relative" add it to the score the process
// had before the first adjustment, "absolute" writes it as it is (both clamped to
// [-1000, 1000]); "no" after an adjustment puts that original score back. Failures are logged.
// Not thread safe: the server calls Apply() under a mutex (at start-up and after CONFIG SET).
class OomScoreAdj {
 public:
  // `mode`: no, yes, relative, absolute. `values`: "master replica bgchild".
  Status Apply(std::string_view mode, std::string_view values);

 private:
  bool adjusted_ = false;  // the score was changed by us; base_ is what it was
  int base_ = 0;
};

}  // namespace strata::server
