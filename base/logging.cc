#include "base/logging.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace strata {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kNotice)};
std::atomic<int> g_fd{STDERR_FILENO};

}  // namespace

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  if (name == "debug") *level = LogLevel::kDebug;
  else if (name == "verbose") *level = LogLevel::kVerbose;
  else if (name == "notice") *level = LogLevel::kNotice;
  else if (name == "warning") *level = LogLevel::kWarning;
  else return false;
  return true;
}

bool ConfigureLogging(LogLevel level, const std::string& path) {
  g_min_level = static_cast<int>(level);
  if (path.empty()) return true;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  g_fd = fd;
  return true;
}

std::string LogFormat(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0) return {};
  if (static_cast<size_t>(n) < sizeof(buf)) return std::string(buf, n);
  std::string out(n, '\0');
  va_start(ap, fmt);
  vsnprintf(out.data(), n + 1, fmt, ap);
  va_end(ap);
  return out;
}

void LogLine(LogLevel level, std::string_view message) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) return;
  static const char kMarks[] = ".-*#";
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  localtime_r(&tv.tv_sec, &tm);
  char head[96];
  size_t n = snprintf(head, sizeof(head), "%d:M ", static_cast<int>(getpid()));
  n += strftime(head + n, sizeof(head) - n, "%d %b %Y %H:%M:%S", &tm);
  n += snprintf(head + n, sizeof(head) - n, ".%03d %c ", static_cast<int>(tv.tv_usec / 1000),
                kMarks[static_cast<int>(level)]);
  std::string line(head, n);
  line.append(message);
  line.push_back('\n');
  ssize_t w = ::write(g_fd.load(std::memory_order_relaxed), line.data(), line.size());
  (void)w;
}

}  // namespace strata
