#include "server/daemon.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "base/logging.h"
#include "base/string_util.h"

extern char** environ;

namespace strata::server {

void Daemonize() {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    LOG_WARN("Can't daemonize: fork: %s", strerror(errno));
    std::exit(1);
  }
  if (pid > 0) ::_exit(0);  // the parent: the shell or init script that started us goes on
  ::setsid();
  const int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd != -1) {
    ::dup2(fd, STDIN_FILENO);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) ::close(fd);
  }
}

PidFile::PidFile(std::string path) : path_(std::move(path)) {
  FILE* f = std::fopen(path_.c_str(), "w");
  if (f == nullptr) {
    LOG_WARN("Failed to write PID file: %s", strerror(errno));
    return;
  }
  std::fprintf(f, "%d\n", static_cast<int>(::getpid()));
  written_ = std::fclose(f) == 0;
  if (!written_) LOG_WARN("Failed to write PID file: %s", strerror(errno));
}

PidFile::~PidFile() {
  if (written_) ::unlink(path_.c_str());
}

ProcTitle::ProcTitle(int argc, char** argv) {
  if (argc < 1 || argv == nullptr || argv[0] == nullptr) return;
  argv0_ = argv[0];
  // The kernel lays out argv's strings and then the environment's, back to back. The area we
  // may overwrite is the run of them that is contiguous from argv[0].
  begin_ = argv[0];
  char* end = argv[0] + std::strlen(argv[0]) + 1;
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == end) end = argv[i] + std::strlen(argv[i]) + 1;
  }
  // The environment moves to the heap (for the life of the process), so that getenv() keeps
  // working once its old bytes hold the title.
  size_t n = 0;
  while (environ != nullptr && environ[n] != nullptr) ++n;
  char** env = new char*[n + 1];
  for (size_t i = 0; i < n; ++i) {
    if (environ[i] == end) end = environ[i] + std::strlen(environ[i]) + 1;
    env[i] = ::strdup(environ[i]);
  }
  env[n] = nullptr;
  environ = env;
  // glibc's names for the program point into argv too.
  program_invocation_name = ::strdup(program_invocation_name);
  program_invocation_short_name = ::strdup(program_invocation_short_name);
  end_ = end;
}

void ProcTitle::Set(std::string_view title) {
  if (begin_ == nullptr) return;
  const size_t room = static_cast<size_t>(end_ - begin_);
  const size_t n = std::min(title.size(), room - 1);
  std::memcpy(begin_, title.data(), n);
  std::memset(begin_ + n, 0, room - n);
}

Result<std::string> ExpandProcTitle(std::string_view tmpl, const ProcTitleVars& vars) {
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    const char c = tmpl[i];
    if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
      out.push_back(c);  // "{{" and "}}" are literal braces
      i += 2;
      continue;
    }
    if (c == '}') return Status::InvalidArgument("unmatched '}' in proc-title-template");
    if (c != '{') {
      out.push_back(c);
      ++i;
      continue;
    }
    const size_t close = tmpl.find('}', i + 1);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("unmatched '{' in proc-title-template");
    }
    const std::string_view name = tmpl.substr(i + 1, close - i - 1);
    if (name == "title") {
      out += vars.title;
    } else if (name == "listen-addr") {
      out += vars.listen_addr;
    } else if (name == "server-mode") {
      out += vars.server_mode;
    } else if (name == "port") {
      out += vars.port;
    } else if (name == "tls-port") {
      out += vars.tls_port;
    } else if (name == "unixsocket") {
      out += vars.unixsocket;
    } else if (name == "config-file") {
      out += vars.config_file;
    } else {
      return Status::InvalidArgument("unknown variable {" + std::string(name) +
                                     "} in proc-title-template");
    }
    i = close + 1;
  }
  const size_t first = out.find_first_not_of(' ');
  if (first == std::string::npos) return std::string();
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

namespace {

constexpr const char* kOomScoreAdjPath = "/proc/self/oom_score_adj";

}  // namespace

Status OomScoreAdj::Apply(std::string_view mode, std::string_view values) {
  int value = 0;
  if (EqualsIgnoreCase(mode, "no")) {
    if (!adjusted_) return Status::Ok();
    adjusted_ = false;
    value = base_;
  } else {
    std::istringstream in{std::string(values)};
    long long master = 0;
    if (!(in >> master)) {
      return Status::InvalidArgument("Invalid oom-score-adj-values '" + std::string(values) + "'");
    }
    if (!adjusted_) {
      // The score before our first change: what "relative" adds to and "no" goes back to.
      char buf[64] = {};
      const int fd = ::open(kOomScoreAdjPath, O_RDONLY | O_CLOEXEC);
      const ssize_t got = fd < 0 ? -1 : ::read(fd, buf, sizeof(buf) - 1);
      const int err = errno;
      if (fd >= 0) ::close(fd);
      if (got < 0)
        return Status::IOError(std::string("Unable to read oom_score_adj: ") + strerror(err));
      base_ = std::atoi(buf);
      adjusted_ = true;
    }
    long long v = master + (EqualsIgnoreCase(mode, "absolute") ? 0 : base_);
    value = static_cast<int>(std::clamp(v, -1000LL, 1000LL));
  }
  const std::string text = std::to_string(value) + "\n";
  const int fd = ::open(kOomScoreAdjPath, O_WRONLY | O_CLOEXEC);
  const bool ok =
      fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int err = errno;
  if (fd >= 0) ::close(fd);
  if (!ok) return Status::IOError(std::string("Unable to write oom_score_adj: ") + strerror(err));
  return Status::Ok();
}

}  // namespace strata::server
