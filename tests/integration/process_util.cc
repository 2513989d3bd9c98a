#include "tests/integration/process_util.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace strata::integration {

using Clock = std::chrono::steady_clock;

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/strata-proc.XXXXXX";
  if (::mkdtemp(templ.data()) != nullptr) path_ = templ;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool WaitUntil(std::chrono::milliseconds bound, const std::function<bool()>& done) {
  const Clock::time_point deadline = Clock::now() + bound;
  for (;;) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool AnswersPingOn(int port) {
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, timeval{0, 200 * 1000});
  if (c == nullptr) return false;
  bool ok = false;
  if (c->err == 0) {
    redisSetTimeout(c, timeval{1, 0});
    auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
    ok = reply != nullptr;
    if (reply != nullptr) freeReplyObject(reply);
  }
  redisFree(c);
  return ok;
}

pid_t SpawnWithEnv(const std::vector<std::string>& args,
                   const std::vector<std::pair<std::string, std::string>>& env,
                   const std::string& log_path) {
  std::vector<std::string> copy = args;
  std::vector<char*> cargv;
  for (std::string& a : copy) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
  if (::getppid() != parent) ::_exit(126);
  for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  const int null_in = ::open("/dev/null", O_RDONLY);
  if (log < 0 || null_in < 0) ::_exit(126);
  ::dup2(null_in, 0);
  ::dup2(log, 1);
  ::dup2(log, 2);
  ::signal(SIGPIPE, SIG_DFL);
  ::execvp(cargv[0], cargv.data());
  std::fprintf(stderr, "exec %s failed: %s\n", cargv[0], std::strerror(errno));
  ::_exit(127);
}

std::optional<int> WaitForExitCode(pid_t pid, std::chrono::milliseconds bound) {
  int status = 0;
  const bool exited = WaitUntil(bound, [&] { return ::waitpid(pid, &status, WNOHANG) == pid; });
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return std::nullopt;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return std::nullopt;
}

ChildGuard::~ChildGuard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

}  // namespace strata::integration
