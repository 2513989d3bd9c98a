// strata-server: parses the configuration as redis-server does, detaches (daemonize), writes
// the pid file, starts the server, tells a supervisor (supervised) when it is ready, and shuts
// it down cleanly on SIGTERM, SIGINT or SHUTDOWN.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "base/logging.h"
#include "base/version.h"
#include "server/config.h"
#include "server/daemon.h"
#include "server/server.h"
#include "server/supervision.h"

#ifdef STRATA_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace {

std::atomic<strata::server::Server*> g_server{nullptr};

void OnSignal(int sig) {
  static const char kMsg[] = "Received shutdown signal, scheduling shutdown...\n";
  ssize_t w = ::write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
  (void)w;
  (void)sig;
  if (auto* s = g_server.load()) s->RequestShutdownFromSignal();
}

void Usage() {
  std::fprintf(stderr,
               "Usage: strata-server [/path/to/strata.conf] [--name value ...]\n"
               "       strata-server --version | -v\n"
               "       strata-server --help | -h\n\n"
               "Examples:\n"
               "       strata-server                   (127.0.0.1:6379, data in ./data)\n"
               "       strata-server --port 7777 --dir /var/lib/strata\n"
               "       strata-server /etc/strata.conf --loglevel verbose\n");
}

// File descriptors the server needs besides its clients: listeners, WAL and snapshot files,
// io_uring and eventfds, logs.
constexpr rlim_t kReservedFds = 128;

// As redis-server: raises the open-files limit to what maxclients needs, as far as the hard
// limit allows, and lowers maxclients to what the limit leaves when it cannot.
void AdjustOpenFilesLimit(strata::server::Config& config) {
  using strata::server::Param;
  const int64_t maxclients = config.Int(Param::kMaxclients);
  const rlim_t needed = static_cast<rlim_t>(maxclients) + kReservedFds;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed) return;
  rlimit want = limit;
  want.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min(needed, limit.rlim_max);
  if (setrlimit(RLIMIT_NOFILE, &want) == 0) limit = want;
  if (limit.rlim_cur >= needed) return;
  const int64_t allowed =
      limit.rlim_cur > kReservedFds ? static_cast<int64_t>(limit.rlim_cur - kReservedFds) : 1;
  LOG_WARN("You requested maxclients of %lld requiring at least %llu max file descriptors.",
           static_cast<long long>(maxclients), static_cast<unsigned long long>(needed));
  LOG_WARN("Current maximum open files is %llu. maxclients has been reduced to %lld to "
           "compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
           static_cast<unsigned long long>(limit.rlim_cur), static_cast<long long>(allowed));
  config.Set("maxclients", std::to_string(allowed), /*startup=*/true).PermitUnchecked();
}

}  // namespace

#ifdef STRATA_JEMALLOC
// jemalloc's options, read at its start: freed pages go back to the OS within about a second
// (a background thread purges them) rather than ten, and two arenas (one per worker on 2 cores,
// instead of four per core) fragment less, so the RSS follows the memory in use when the tier
// churns values through RAM (1M values of 1 KB, maxmemory 256mb: RSS 402 -> 327 MB for 295 MB
// allocated).
extern "C" {
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:2";
}
#endif

int main(int argc, char** argv) {
  using namespace strata;
  if (argc == 2 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version"))) {
    std::printf("Strata server v=%s\n", strata::kStrataVersion);
    return 0;
  }
  if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    Usage();
    return 0;
  }
  auto config = std::make_unique<server::Config>();
  Status st = config->LoadArgs(argc, argv);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return 1;
  }
  LogLevel level = LogLevel::kNotice;
  ParseLogLevel(config->String(server::Param::kLoglevel), &level);
  if (!ConfigureLogging(level, config->String(server::Param::kLogfile))) {
    std::fprintf(stderr, "Can't open the log file: %s\n", strerror(errno));
    return 1;
  }
  for (const std::string& notice : config->notices()) LOG_INFO("%s", notice.c_str());
  // As Redis: a supervised server stays in the foreground whatever `daemonize` says.
  const server::Supervision supervision =
      server::Supervision::Detect(config->String(server::Param::kSupervised));
  const bool background = config->Bool(server::Param::kDaemonize) && !supervision.active();
  std::string dir = config->String(server::Param::kDir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || ::chdir(dir.c_str()) != 0) {
    LOG_WARN("Can't chdir to '%s': %s", dir.c_str(), ec ? ec.message().c_str() : strerror(errno));
    return 1;
  }
  if (background) {
    server::Daemonize();
#ifdef STRATA_JEMALLOC
    // jemalloc stops its background purging thread in a forked child: start it again.
    bool on = true;
    mallctl("background_thread", nullptr, nullptr, &on, sizeof(on));
#endif
  }
  std::string pid_path = config->String(server::Param::kPidfile);
  if (background && pid_path.empty()) pid_path = server::kDefaultPidFile;
  // Destroyed after the server: removed at every exit but a crash.
  std::unique_ptr<server::PidFile> pid_file;
  if (!pid_path.empty()) pid_file = std::make_unique<server::PidFile>(pid_path);

  signal(SIGPIPE, SIG_IGN);
  AdjustOpenFilesLimit(*config);
  const bool set_title = config->Bool(server::Param::kSetProcTitle);
  auto server = std::make_unique<server::Server>(std::move(config));
  server->set_supervision(supervision);
  if (set_title) server->set_proc_title(std::make_unique<server::ProcTitle>(argc, argv));
  // Handlers first: once Start() returns, clients may connect and a SIGTERM may follow at once.
  g_server = server.get();
  struct sigaction sa{};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  st = server->Start();
  if (!st.ok()) {
    LOG_WARN("%s", st.message().c_str());
    return 1;
  }

  const std::string unix_path = server->config().String(server::Param::kUnixsocket);
  LOG_INFO("Strata %s starting: pid=%d, port=%d, bind=%s, threads=%d, io=%s, shards=%d, dir=%s",
           strata::kStrataVersion, static_cast<int>(getpid()), server->port(),
           server->config().String(server::Param::kBind).c_str(), server->num_workers(),
           server->io_backend_name(), server->keyspace().num_shards(), dir.c_str());
  if (server->port() != 0) LOG_INFO("Ready to accept connections tcp");
  if (!unix_path.empty()) {
    LOG_INFO("The server is now ready to accept connections at %s", unix_path.c_str());
  }
  supervision.Ready();
  server->Wait();
  g_server = nullptr;
  LOG_INFO("Strata is now ready to exit, bye bye...");
  return 0;
}
