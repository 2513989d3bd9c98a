// Test harness for integration tests that drive a real server process over TCP.
//
// ServerProcess starts strata-server (or a reference redis-server) on a free port with a fresh
// temporary data directory, waits until it answers PING, and on destruction stops it with
// SIGTERM (SIGKILL after a bound) and deletes the directory. Helpers connect with hiredis, talk
// raw RESP over a socket (for inline commands, RESP3 and malformed input, which hiredis 0.14
// cannot send or parse), and run redis-cli / redis-benchmark capturing their output.
//
// None of these helpers uses elapsed time as a verdict: every wait is bounded only so that a
// broken server fails the test instead of hanging it. Not thread safe, except Connect() and
// Command(), which may be used from several threads on distinct contexts.
#pragma once

#include <hiredis/hiredis.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::integration {

// Bound on how long a server may take to start answering PING.
inline constexpr std::chrono::seconds kStartupBound{10};
// Bound on how long a server may take to exit after SIGTERM before it is killed.
inline constexpr std::chrono::seconds kShutdownBound{10};
// Bound on a single read from a server in the raw-socket helpers.
inline constexpr std::chrono::seconds kReadBound{10};

// --- hiredis -------------------------------------------------------------------------------------

struct RedisContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using RedisConnection = std::unique_ptr<redisContext, RedisContextDeleter>;

struct RedisReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

// Connects to 127.0.0.1:port with a read/write timeout of kReadBound. Returns null (after
// printing the reason to stderr) when the connection fails.
RedisConnection Connect(int port);

// Sends one command (binary safe) and returns its reply; null when the connection failed or was
// closed (the reason is in c->errstr).
ReplyPtr Command(redisContext* c, const std::vector<std::string>& argv);

// A readable rendering of a reply for failure messages: "OK", "(error) ...", "(integer) 3", ...
std::string Describe(const redisReply* r);

// The value of "field:value" in INFO text, or "" if absent.
std::string InfoField(std::string_view info, std::string_view field);

// Under ASan (STRATA_SANITIZE), makes processes started from now on keep only a small quarantine
// of freed memory (ASan keeps up to 256 MB by default), so a test measuring a child's RSS
// measures the child rather than ASan; use-after-free of recent allocations is still caught.
void UseSmallAsanQuarantine();

// --- Raw RESP ------------------------------------------------------------------------------------

// One RESP2/RESP3 value. Aggregates (array, map, set, push, attribute) keep their children in
// `elements`; a map's keys and values alternate.
struct RespValue {
  char type = 0;        // the RESP type byte: + - : $ * % ~ _ , # ( = | >
  std::string str;      // simple string, error, bulk, verbatim, double, big number
  int64_t integer = 0;  // ':' and the length of null bulk/array ('$-1' => -1)
  bool null = false;    // '_', '$-1' or '*-1'
  std::vector<RespValue> elements;

  // For a map: the value of the entry whose key is the string `key`, or null.
  const RespValue* MapGet(std::string_view key) const;
};

// Parses one RESP value from the front of `buf`. Returns the bytes consumed, 0 if `buf` holds
// only part of a value, or -1 if `buf` is not valid RESP.
int64_t ParseResp(std::string_view buf, RespValue* out);

// A plain TCP connection to 127.0.0.1:port for sending bytes hiredis would not send.
class RawConnection {
 public:
  // Connects; check ok().
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Writes every byte (looping over partial writes). False on error.
  bool Send(std::string_view bytes);
  // Reads one RESP value; nullopt on EOF, error, malformed input or after kReadBound.
  std::optional<RespValue> ReadValue() { return ReadValueWithin(kReadBound); }
  // The same, waiting at most `wait` (nullopt also when no whole value came by then).
  std::optional<RespValue> ReadValueWithin(std::chrono::milliseconds wait);
  // Reads exactly `n` raw bytes (including any already buffered); nullopt as ReadValue.
  std::optional<std::string> ReadBytes(size_t n);
  // True if the server closes the connection (EOF or reset) within kReadBound, discarding
  // whatever it sends first.
  bool WaitForClose();

 private:
  // Reads more bytes into buffer_, waiting until `deadline`; false on EOF, error or timeout.
  bool Fill(std::chrono::steady_clock::time_point deadline);
  // One recv once readable, before `deadline`: bytes read, 0 on EOF, -1 on timeout or error.
  ssize_t RecvBefore(std::chrono::steady_clock::time_point deadline, char* buf, size_t len);

  int fd_ = -1;
  std::string buffer_;
};

// --- Processes -----------------------------------------------------------------------------------

// The strata-server binary this test was built against (compile definition STRATA_SERVER_PATH).
std::string StrataServerPath();

// Returns a TCP port that was free on 127.0.0.1 a moment ago (bind to port 0, read it, close).
int PickFreePort();

class ServerProcess {
 public:
  // Starts strata-server with --port, --bind 127.0.0.1, --dir, --threads 2 and `extra_flags`
  // (later flags win). A first element of `extra_flags` that is not a flag is a config file,
  // passed first. Returns null and sets *error (including the server log) on failure.
  static std::unique_ptr<ServerProcess> StartStrata(const std::vector<std::string>& extra_flags,
                                                    std::string* error);
  // Starts redis-server --port P --save '' --appendonly no, plus --dir and `extra_flags`.
  static std::unique_ptr<ServerProcess> StartRedis(const std::vector<std::string>& extra_flags,
                                                   std::string* error);

  // Stops the server (see Stop()) and deletes its directory.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The data directory passed with --dir.
  const std::string& data_dir() const { return data_dir_; }
  // Everything the server wrote to stdout and stderr so far.
  std::string Log() const;

  // Sends SIGTERM and waits up to kShutdownBound, then SIGKILLs. Returns the exit code, or
  // nullopt if the process was killed by a signal (including the SIGKILL). Idempotent.
  std::optional<int> Stop();
  // Waits up to `bound` for the process to exit by itself (after SHUTDOWN, for example).
  // Returns its exit code, or nullopt if it is still running or died of a signal.
  std::optional<int> WaitForExit(std::chrono::milliseconds bound);
  // True while the process has not exited.
  bool Running();
  // SIGKILLs the process (a crash: nothing is flushed) and reaps it.
  void Kill();
  // Starts the server again with the same arguments, port and directory (stopping it first if it
  // runs) and waits until it answers PING. False (with *error, including the log) on failure.
  // `extra_flags` are added for this start only.
  bool Restart(std::string* error, const std::vector<std::string>& extra_flags = {});

 private:
  ServerProcess() = default;
  static std::unique_ptr<ServerProcess> Start(bool strata,
                                              const std::vector<std::string>& extra_flags,
                                              std::string* error);
  bool Reap(bool block);
  // Forks and execs args_, then waits for PING (see Restart).
  bool Spawn(std::string* error);
  // Spawn, retrying while a killed predecessor still holds the port.
  bool Respawn(std::string* error);

  pid_t pid_ = -1;
  int port_ = 0;
  std::string root_dir_;  // temporary; holds data/ and server.log
  std::string data_dir_;
  std::vector<std::string> args_;
  bool exited_ = false;
  int wait_status_ = 0;
};

// --- Command-line tools --------------------------------------------------------------------------

struct ToolResult {
  int exit_code = -1;  // -1 if the tool did not exit normally (or was killed at the bound)
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (looked up in PATH) with `stdin_data` on its standard input, capturing output.
// Killed after `bound`.
ToolResult RunTool(const std::vector<std::string>& argv, std::string_view stdin_data = {},
                   std::chrono::seconds bound = std::chrono::seconds(120));

// Runs `redis-cli -h 127.0.0.1 -p PORT args...`.
ToolResult RunRedisCli(int port, const std::vector<std::string>& args,
                       std::string_view stdin_data = {});

}  // namespace strata::integration
