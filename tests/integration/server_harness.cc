#include "tests/integration/server_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#ifndef STRATA_SERVER_PATH
#error "STRATA_SERVER_PATH must be defined to the strata-server binary"
#endif

namespace strata::integration {
namespace {

using Clock = std::chrono::steady_clock;

// Writing to a socket the server has closed must fail with EPIPE, not kill the test.
void IgnoreSigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

std::string MakeTempDir(const char* prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + prefix + ".XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) return {};
  return templ;
}

std::vector<char*> CArgv(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (std::string& a : args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

// True if a server on `port` answers PING with any reply (PONG, or NOAUTH under requirepass).
bool AnswersPing(int port) {
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, timeval{0, 200 * 1000});
  if (c == nullptr) return false;
  RedisConnection conn(c);
  if (c->err != 0) return false;
  redisSetTimeout(c, timeval{1, 0});
  ReplyPtr reply(static_cast<redisReply*>(redisCommand(c, "PING")));
  return reply != nullptr;
}

// --- RESP parsing --------------------------------------------------------------------------------

constexpr int64_t kIncomplete = -2;
constexpr int64_t kMalformed = -1;

// Parses the line starting at `pos`; sets *line and returns the position after its CRLF.
int64_t ReadLine(std::string_view buf, size_t pos, std::string_view* line) {
  const size_t eol = buf.find("\r\n", pos);
  if (eol == std::string_view::npos) return kIncomplete;
  *line = buf.substr(pos, eol - pos);
  return static_cast<int64_t>(eol + 2);
}

bool ToInt(std::string_view s, int64_t* out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Returns the position after the value that starts at `pos`, kIncomplete or kMalformed.
int64_t ParseAt(std::string_view buf, size_t pos, RespValue* out, int depth) {
  if (depth > 64) return kMalformed;
  if (pos >= buf.size()) return kIncomplete;
  *out = RespValue{};
  out->type = buf[pos];
  std::string_view line;
  int64_t next = ReadLine(buf, pos + 1, &line);
  if (next < 0) return next;
  switch (out->type) {
    case '+':
    case '-':
    case '(':
    case ',':
    case '#':
      out->str.assign(line);
      return next;
    case '_':
      out->null = true;
      return line.empty() ? next : kMalformed;
    case ':':
      return ToInt(line, &out->integer) ? next : kMalformed;
    case '$':
    case '=':
    case '!': {
      int64_t len = 0;
      if (!ToInt(line, &len) || len < -1) return kMalformed;
      out->integer = len;
      if (len == -1) {
        out->null = true;
        return next;
      }
      const size_t end = static_cast<size_t>(next) + static_cast<size_t>(len);
      if (buf.size() < end + 2) return kIncomplete;
      if (buf.substr(end, 2) != "\r\n") return kMalformed;
      out->str.assign(buf.substr(static_cast<size_t>(next), static_cast<size_t>(len)));
      return static_cast<int64_t>(end + 2);
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      int64_t count = 0;
      if (!ToInt(line, &count) || count < -1) return kMalformed;
      out->integer = count;
      if (count == -1) {
        out->null = true;
        return next;
      }
      if (out->type == '%' || out->type == '|') count *= 2;
      for (int64_t i = 0; i < count; ++i) {
        RespValue child;
        next = ParseAt(buf, static_cast<size_t>(next), &child, depth + 1);
        if (next < 0) return next;
        out->elements.push_back(std::move(child));
      }
      return next;
    }
    default:
      return kMalformed;
  }
}

}  // namespace

// --- hiredis -------------------------------------------------------------------------------------

RedisConnection Connect(int port) {
  IgnoreSigpipe();
  RedisConnection c(redisConnectWithTimeout("127.0.0.1", port, timeval{5, 0}));
  if (c == nullptr || c->err != 0) {
    std::fprintf(stderr, "connect to 127.0.0.1:%d failed: %s\n", port,
                 c ? c->errstr : "out of memory");
    return nullptr;
  }
  redisSetTimeout(c.get(), timeval{static_cast<time_t>(kReadBound.count()), 0});
  return c;
}

ReplyPtr Command(redisContext* c, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const std::string& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  return ReplyPtr(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data())));
}

std::string Describe(const redisReply* r) {
  if (r == nullptr) return "(no reply: connection error)";
  switch (r->type) {
    case REDIS_REPLY_STATUS:
      return std::string(r->str, r->len);
    case REDIS_REPLY_ERROR:
      return "(error) " + std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER:
      return "(integer) " + std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_STRING:
      return "\"" + std::string(r->str, r->len) + "\"";
    case REDIS_REPLY_ARRAY: {
      std::string out = "[";
      for (size_t i = 0; i < r->elements; ++i) {
        if (i > 0) out += ", ";
        out += Describe(r->element[i]);
      }
      return out + "]";
    }
    default:
      return "(reply type " + std::to_string(r->type) + ")";
  }
}

// --- Raw RESP ------------------------------------------------------------------------------------

const RespValue* RespValue::MapGet(std::string_view key) const {
  if (type != '%') return nullptr;
  for (size_t i = 0; i + 1 < elements.size(); i += 2) {
    if (elements[i].str == key) return &elements[i + 1];
  }
  return nullptr;
}

int64_t ParseResp(std::string_view buf, RespValue* out) {
  const int64_t end = ParseAt(buf, 0, out, 0);
  if (end == kIncomplete) return 0;
  return end;
}

RawConnection::RawConnection(int port) {
  IgnoreSigpipe();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// One recv(2) once the socket is readable, waiting until `deadline`. Returns the bytes read
// (0 = the peer closed), or -1 on a timeout or an error other than EINTR/EAGAIN (errno set).
ssize_t RawConnection::RecvBefore(Clock::time_point deadline, char* buf, size_t len) {
  for (;;) {
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, RemainingMs(deadline));
    if (ready == 0) {
      errno = ETIMEDOUT;
      return -1;
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    const ssize_t n = ::recv(fd_, buf, len, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    return n;
  }
}

bool RawConnection::Fill(Clock::time_point deadline) {
  char chunk[64 * 1024];
  const ssize_t n = RecvBefore(deadline, chunk, sizeof(chunk));
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<RespValue> RawConnection::ReadValueWithin(std::chrono::milliseconds wait) {
  const Clock::time_point deadline = Clock::now() + wait;
  for (;;) {
    RespValue value;
    const int64_t used = ParseResp(buffer_, &value);
    if (used < 0) return std::nullopt;
    if (used > 0) {
      buffer_.erase(0, static_cast<size_t>(used));
      return value;
    }
    if (!Fill(deadline)) return std::nullopt;
  }
}

std::optional<std::string> RawConnection::ReadBytes(size_t n) {
  const Clock::time_point deadline = Clock::now() + kReadBound;
  while (buffer_.size() < n) {
    if (!Fill(deadline)) return std::nullopt;
  }
  std::string out = buffer_.substr(0, n);
  buffer_.erase(0, n);
  return out;
}

bool RawConnection::WaitForClose() {
  const Clock::time_point deadline = Clock::now() + kReadBound;
  for (;;) {
    char chunk[64 * 1024];
    const ssize_t n = RecvBefore(deadline, chunk, sizeof(chunk));
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
    buffer_.clear();  // data before the close is discarded
  }
}

// --- Processes -----------------------------------------------------------------------------------

std::string StrataServerPath() { return STRATA_SERVER_PATH; }

int PickFreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::unique_ptr<ServerProcess> ServerProcess::StartStrata(
    const std::vector<std::string>& extra_flags, std::string* error) {
  return Start(/*strata=*/true, extra_flags, error);
}

std::unique_ptr<ServerProcess> ServerProcess::StartRedis(
    const std::vector<std::string>& extra_flags, std::string* error) {
  return Start(/*strata=*/false, extra_flags, error);
}

std::unique_ptr<ServerProcess> ServerProcess::Start(bool strata,
                                                    const std::vector<std::string>& extra_flags,
                                                    std::string* error) {
  IgnoreSigpipe();
  // The port can be taken between PickFreePort() and the server's bind; then the server exits
  // and we try again with another port.
  constexpr int kAttempts = 3;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    std::unique_ptr<ServerProcess> p(new ServerProcess());
    p->root_dir_ = MakeTempDir(strata ? "strata-it" : "redis-ref");
    if (p->root_dir_.empty()) {
      *error = std::string("mkdtemp failed: ") + std::strerror(errno);
      return nullptr;
    }
    p->data_dir_ = p->root_dir_ + "/data";
    ::mkdir(p->data_dir_.c_str(), 0755);
    p->port_ = PickFreePort();
    if (p->port_ == 0) {
      *error = "no free port";
      return nullptr;
    }

    std::vector<std::string> args;
    const std::string port = std::to_string(p->port_);
    // A config file (a first extra argument that is not a flag) goes first, as both servers
    // take it.
    auto extra = extra_flags.begin();
    args.push_back(strata ? StrataServerPath() : "redis-server");
    if (extra != extra_flags.end() && !extra->starts_with("--")) args.push_back(*extra++);
    if (strata) {
      args.insert(args.end(),
                  {"--port", port, "--bind", "127.0.0.1", "--dir", p->data_dir_, "--threads", "2"});
    } else {
      args.insert(args.end(), {"--port", port, "--bind", "127.0.0.1", "--dir", p->data_dir_,
                               "--save", "", "--appendonly", "no"});
    }
    args.insert(args.end(), extra, extra_flags.end());
    p->args_ = args;
    if (p->Spawn(error)) return p;
    const bool exited_early = p->exited_;
    p.reset();                          // stops it and removes the directory
    if (!exited_early) return nullptr;  // a hang is not a port race
  }
  return nullptr;
}

bool ServerProcess::Spawn(std::string* error) {
  std::vector<std::string> args = args_;
  const std::string log_path = root_dir_ + "/server.log";
  exited_ = false;
  wait_status_ = 0;

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("fork failed: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    // Child: never outlive the test process, even if it crashes.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int null_in = ::open("/dev/null", O_RDONLY);
    if (log < 0 || null_in < 0) ::_exit(126);
    ::dup2(null_in, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    if (::chdir(root_dir_.c_str()) != 0) ::_exit(126);
    std::vector<char*> cargv = CArgv(args);
    ::signal(SIGPIPE, SIG_DFL);
    ::execvp(cargv[0], cargv.data());
    std::fprintf(stderr, "exec %s failed: %s\n", cargv[0], std::strerror(errno));
    ::_exit(127);
  }
  pid_ = pid;

  const Clock::time_point deadline = Clock::now() + kStartupBound;
  bool ready = false;
  while (Clock::now() < deadline) {
    if (Reap(/*block=*/false)) break;
    if (AnswersPing(port_)) {
      ready = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (ready) return true;

  std::ostringstream why;
  why << args[0] << " on port " << port_;
  if (exited_) {
    why << " exited with status " << wait_status_ << " before answering PING";
  } else {
    why << " did not answer PING within " << kStartupBound.count() << " s";
  }
  why << "; log:\n" << Log();
  *error = why.str();
  return false;
}

void ServerProcess::Kill() {
  if (pid_ <= 0 || exited_) return;
  ::kill(pid_, SIGKILL);
  Reap(/*block=*/true);
}

bool ServerProcess::Restart(std::string* error, const std::vector<std::string>& extra_flags) {
  if (pid_ > 0 && !exited_) (void)Stop();
  const std::vector<std::string> saved = args_;
  args_.insert(args_.end(), extra_flags.begin(), extra_flags.end());
  const bool ok = Respawn(error);
  args_ = saved;
  return ok;
}

bool ServerProcess::Respawn(std::string* error) {
  // After a SIGKILL, the kernel tears the dead process's io_uring down asynchronously, and an
  // accept still queued on it keeps the listening socket open for a moment: retry the port.
  for (int attempt = 0;; ++attempt) {
    const size_t log_before = Log().size();
    if (Spawn(error)) return true;
    const bool port_busy =
        exited_ && Log().find("Address already in use", log_before) != std::string::npos;
    if (!port_busy || attempt == 50) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) (void)Stop();
  if (!root_dir_.empty()) {
    // A sanitizer's report in the server's log is why a test saw the connection drop: show it,
    // since the directory (and the log) goes now.
    const std::string log = Log();
    if (log.find("Sanitizer") != std::string::npos ||
        log.find("runtime error:") != std::string::npos) {
      std::fprintf(stderr, "server log (%s):\n%s\n", root_dir_.c_str(), log.c_str());
    }
    std::error_code ignored;  // best effort: a leftover temp dir does not fail a test
    std::filesystem::remove_all(root_dir_, ignored);
  }
}

std::string ServerProcess::Log() const {
  std::ifstream in(root_dir_ + "/server.log", std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool ServerProcess::Reap(bool block) {
  if (exited_) return true;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    if (r == pid_) {
      exited_ = true;
      wait_status_ = status;
      return true;
    }
    if (r < 0) {  // not our child any more: treat as gone
      exited_ = true;
      wait_status_ = 0;
      return true;
    }
    return false;
  }
}

bool ServerProcess::Running() { return !Reap(/*block=*/false); }

std::optional<int> ServerProcess::WaitForExit(std::chrono::milliseconds bound) {
  const Clock::time_point deadline = Clock::now() + bound;
  while (!Reap(/*block=*/false)) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(wait_status_)) return WEXITSTATUS(wait_status_);
  return std::nullopt;
}

std::optional<int> ServerProcess::Stop() {
  if (!Reap(/*block=*/false)) {
    ::kill(pid_, SIGTERM);
    if (!WaitForExit(kShutdownBound).has_value() && !exited_) {
      std::fprintf(stderr, "server pid %d ignored SIGTERM for %lld s; sending SIGKILL\n", pid_,
                   static_cast<long long>(kShutdownBound.count()));
      ::kill(pid_, SIGKILL);
      Reap(/*block=*/true);
    }
  }
  if (WIFEXITED(wait_status_)) return WEXITSTATUS(wait_status_);
  return std::nullopt;
}

// --- Command-line tools --------------------------------------------------------------------------

ToolResult RunTool(const std::vector<std::string>& argv, std::string_view stdin_data,
                   std::chrono::seconds bound) {
  IgnoreSigpipe();
  ToolResult result;
  // Standard input comes from a file, so a tool that does not read it cannot block us.
  std::string input_dir;
  std::string input_path = "/dev/null";
  if (!stdin_data.empty()) {
    input_dir = MakeTempDir("strata-it-input");
    input_path = input_dir + "/stdin";
    std::ofstream(input_path, std::ios::binary)
        .write(stdin_data.data(), static_cast<std::streamsize>(stdin_data.size()));
  }
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.output = "pipe failed";
    return result;
  }
  std::vector<std::string> args = argv;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    const int in = ::open(input_path.c_str(), O_RDONLY);
    if (in < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(out_pipe[1], 2);
    ::signal(SIGPIPE, SIG_DFL);
    std::vector<char*> cargv = CArgv(args);
    ::execvp(cargv[0], cargv.data());
    std::fprintf(stderr, "exec %s failed: %s\n", cargv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  if (pid > 0) {
    const Clock::time_point deadline = Clock::now() + bound;
    bool timed_out = false;
    for (;;) {
      pollfd pfd{out_pipe[0], POLLIN, 0};
      const int ready = ::poll(&pfd, 1, RemainingMs(deadline));
      if (ready == 0) {
        timed_out = true;
        break;
      }
      if (ready < 0) {
        if (errno == EINTR) continue;
        break;
      }
      char chunk[64 * 1024];
      const ssize_t n = ::read(out_pipe[0], chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      result.output.append(chunk, static_cast<size_t>(n));
    }
    if (timed_out) {
      ::kill(pid, SIGKILL);
      result.output += "\n[killed after " + std::to_string(bound.count()) + " s]";
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  } else {
    result.output = std::string("fork failed: ") + std::strerror(errno);
  }
  ::close(out_pipe[0]);
  if (!input_dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(input_dir, ignored);
  }
  return result;
}

ToolResult RunRedisCli(int port, const std::vector<std::string>& args,
                       std::string_view stdin_data) {
  std::vector<std::string> argv = {"redis-cli", "-h", "127.0.0.1", "-p", std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunTool(argv, stdin_data);
}

std::string InfoField(std::string_view info, std::string_view field) {
  size_t pos = 0;
  while (pos < info.size()) {
    size_t end = info.find('\n', pos);
    if (end == std::string_view::npos) end = info.size();
    std::string_view line = info.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > field.size() && line.substr(0, field.size()) == field &&
        line[field.size()] == ':') {
      return std::string(line.substr(field.size() + 1));
    }
    pos = end + 1;
  }
  return "";
}

void UseSmallAsanQuarantine() {
#if defined(STRATA_SANITIZE)
  const char* asan = ::getenv("ASAN_OPTIONS");
  const std::string opts = std::string(asan != nullptr ? asan : "") +
                           ":quarantine_size_mb=4:thread_local_quarantine_size_kb=256";
  ::setenv("ASAN_OPTIONS", opts.c_str(), 1);
#endif
}

}  // namespace strata::integration
