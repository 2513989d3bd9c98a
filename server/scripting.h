// Scripting: the Lua 5.1 interpreter EVAL and EVALSHA run scripts in (Debian's liblua5.1, the
// version Redis embeds), its script cache and the redis library, as Redis 7.0 has them; the
// conversions between Lua values and replies are in server/lua_convert.h.
//
// One interpreter for the server, used under mu_. A script runs with every shard locked by its
// command (as EXEC does), so no other client sees part of it and its effects are one WAL
// record; redis.call runs a command through a Caller the command gives, and the command's reply
// bytes are turned into Lua values. Thread safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/busy.h"
#include "server/net/reply_builder.h"

struct lua_State;

namespace strata::server {

struct ScriptContext;

class Scripting {
 public:
  // How many scripts that arrived by EVAL the cache keeps, as newer Redis versions bound it.
  static constexpr size_t kMaxEvalScripts = 500;

  // `max_eval_scripts`: past that many scripts that arrived by EVAL (and were not loaded by
  // SCRIPT LOAD since), the least recently run is evicted. Scripts SCRIPT LOAD loaded stay.
  explicit Scripting(size_t max_eval_scripts = kMaxEvalScripts);
  ~Scripting();
  Scripting(const Scripting&) = delete;
  Scripting& operator=(const Scripting&) = delete;

  // SHA1 of `body` in lowercase hex (the script's name).
  static std::string Sha1Hex(std::string_view body);

  // SCRIPT LOAD (by_eval false) and EVAL: compiles `body` into the cache under its SHA1 (set
  // in *sha), unless it is there. Returns Redis's compile error ("ERR Error compiling script
  // ..."), or "" when done. A script EVAL brought is evictable (the least recently run first,
  // when a new one would make them more than the limit) until SCRIPT LOAD loads it.
  std::string Load(std::string_view body, std::string* sha, bool by_eval);
  bool Exists(std::string_view sha);
  void Flush();

  // INFO's figures for EVAL's scripts (memory section), as of the last load, run or flush:
  // read without waiting for a running script.
  struct EvalMemory {
    uint64_t vm_bytes = 0;       // used_memory_vm_eval: the interpreter's heap
    uint64_t scripts_bytes = 0;  // used_memory_scripts_eval: the cache's names and bodies
    uint64_t scripts = 0;        // number_of_cached_scripts
  };
  EvalMemory eval_memory() const;
  // INFO's figures for FUNCTION's libraries.
  struct FunctionsMemory {
    uint64_t functions = 0;  // number_of_functions
    uint64_t libraries = 0;  // number_of_libraries
    // used_memory_vm_functions: 0, as functions run in EVAL's interpreter (whose heap
    // used_memory_vm_eval counts), not in one of their own as in Redis.
    uint64_t vm_bytes = 0;
    uint64_t bytes = 0;  // used_memory_functions: the libraries' names and code
  };
  FunctionsMemory functions_memory() const;

  // How a script runs: its commands, and what happens once it is long.
  struct RunContext {
    // redis.call/pcall: runs one command line and returns its reply bytes: RESP3 when `resp3`
    // (the script called redis.setresp(3)), else RESP2.
    std::function<std::string(std::span<const std::string_view> argv, bool resp3)> call;
    // redis.acl_check_cmd: whether the script's user may run the command line; nullopt when it
    // names no command.
    std::function<std::optional<bool>(std::span<const std::string_view> argv)> acl_check;
    // busy-reply-threshold: past this, busy_flag() is raised (other clients get -BUSY) and
    // while_busy runs every few thousand Lua instructions: it serves the other clients of the
    // script's thread and returns true to abort the script (the server is shutting down).
    int64_t busy_after_ms = 5000;
    std::function<bool()> while_busy;
  };
  struct RunResult {
    bool found = false;    // false: no such script or function; nothing ran or replied
    bool aborted = false;  // while_busy stopped it
    bool failed = false;   // the reply holds an error, at some depth (the call failed)
    // The texts of those errors that are not in errorstats yet: not the error of a command
    // the script called and passed on, which was counted when the command replied it.
    std::vector<std::string> uncounted_errors;
  };
  // Runs the cached script `sha` with KEYS and ARGV, replying its result, or the error it
  // raised, through `reply`.
  RunResult Run(std::string_view sha, std::span<const std::string_view> keys,
                std::span<const std::string_view> argv, const RunContext& run,
                ReplyBuilder& reply);

  // ---- A running script, from any thread (no lock: the running script holds mu_) ----
  enum class Kind { kNone, kEval, kFunction };
  Kind running() const { return running_.load(std::memory_order_acquire); }
  // Raised while a script runs past busy-reply-threshold (base/busy.h).
  const BusyFlag& busy_flag() const { return busy_; }
  // The -BUSY text for other clients while busy_flag() is raised.
  std::string_view BusyError() const;
  // Before the running script runs a write command: from then on SCRIPT KILL cannot stop it.
  // False if a kill came first: the write must not run.
  bool NoteWrite();
  // SCRIPT KILL (kEval) and FUNCTION KILL (kFunction): the error reply, or "" when the script
  // will stop at its next check.
  std::string Kill(Kind kind);

  // ---- Functions: libraries of named Lua functions (server/functions.cc) ----
  // A function's flags (the shebang's and register_function's names).
  enum FunctionFlag : uint32_t {
    kNoWrites = 1, kAllowOom = 2, kAllowStale = 4, kNoCluster = 8, kAllowCrossSlotKeys = 16,
    kShebang = 1u << 31,  // an EVAL script that begins with "#!lua" (its flags then apply)
  };
  // The bit of a flag's name ("no-writes", ...); false if it names none.
  static bool FlagBit(std::string_view name, uint32_t* bit);
  // The flags of cached script `sha` (kShebang set when it has a shebang line); false if it
  // is not cached.
  bool ScriptFlags(std::string_view sha, uint32_t* flags);
  struct Function {
    std::string name, description;
    uint32_t flags = 0;
    int ref = 0;  // the callback, in the Lua registry
  };
  struct Library {
    std::string name, code;
    std::vector<Function> functions;  // in registration order
  };
  // FUNCTION LOAD [REPLACE]: compiles `code` ("#!lua name=<lib>" first) and runs it to register
  // its functions. Sets *name; returns Redis's error text, or "" when the library is in.
  std::string LoadLibrary(std::string_view code, bool replace, std::string* name);
  bool DeleteLibrary(std::string_view name);
  void FlushLibraries();
  // Every library's code, in load order: what FUNCTION DUMP and the log keep.
  std::vector<std::string> LibraryCodes();
  // FUNCTION RESTORE and recovery: loads every library of `codes` on top of what is there
  // (`flush`: instead of it; `replace`: a library of the same name is replaced, else it is an
  // error). All or nothing: on an error (returned) the libraries are as before.
  std::string RestoreLibraries(const std::vector<std::string>& codes, bool flush, bool replace);
  // FUNCTION DUMP's payload of library codes, in Redis's format (a dump of redis-server 7.0
  // restores here and back), and its reading: "" or the error text.
  static std::string DumpPayload(const std::vector<std::string>& codes);
  static std::string ParsePayload(std::string_view payload, std::vector<std::string>* codes);
  // FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE], replied as Redis 7.0 does.
  void ListLibraries(std::string_view pattern, bool with_code, ReplyBuilder& reply);
  // FUNCTION STATS.
  void Stats(ReplyBuilder& reply);
  size_t num_libraries();
  size_t num_functions();
  // The flags of function `name`; false if there is none.
  bool FunctionFlags(std::string_view name, uint32_t* flags);
  // FCALL: runs function `name` with its keys and arguments (not found if there is none);
  // `command` is the command line FUNCTION STATS shows while it runs.
  RunResult RunFunction(std::string_view name, std::span<const std::string_view> keys,
                        std::span<const std::string_view> args,
                        std::span<const std::string_view> command, const RunContext& run,
                        ReplyBuilder& reply);

  // The two conversions chained, in an interpreter of its own (tests/fuzz/fuzz_lua_reply.cc):
  // the reply (RESP2 or RESP3) at the front of `in` as redis.call gives it to Lua, then that
  // value as a script's reply to a RESP2 client (into *out). False if `in` does not start with
  // a whole reply.
  static bool ReplyRoundTrip(std::string_view in, std::string* out);

 private:
  // Runs what is on the stack (the error handler, a function and its nargs arguments) as the
  // script or function `name`, replying its value or error (found is set). REQUIRES: mu_.
  RunResult Call(int nargs, std::string_view name, Kind kind, const RunContext& run,
                 ReplyBuilder& reply);
  struct Script {
    std::string body;
    uint32_t flags = 0;                     // FunctionFlag bits of its shebang line
    bool evictable = false;                 // arrived by EVAL, not loaded by SCRIPT LOAD since
    std::list<std::string>::iterator lru;   // its place in eval_lru_, when evictable
  };
  // Removes script `sha` (in the cache) from it and from the interpreter. REQUIRES: mu_.
  void Remove(std::unordered_map<std::string, Script>::iterator it);
  // Publishes the figures eval_memory() reads. REQUIRES: mu_.
  void UpdateMemory();

  // Compiles and runs `code` into *lib (its functions' callbacks referenced in the registry).
  // REQUIRES: mu_.
  std::string CompileLibrary(std::string_view code, Library* lib);
  // Drops lib's callbacks from the registry. REQUIRES: mu_.
  void Unref(const Library& lib);
  // Adds libs in place of those named alike in `out` (the ones they replace are unreferenced),
  // or returns the error a name clash makes. REQUIRES: mu_.
  // On success libs is emptied; on an error it is left as it was.
  std::string Install(std::vector<Library>& libs, bool replace, bool restoring);
  // Sets the counts below from libraries_. REQUIRES: mu_.
  void Recount();

  std::timed_mutex mu_;  // waited for interruptibly (base/busy.h)
  std::vector<Library> libraries_;  // GUARDED_BY(mu_), in load order
  std::atomic<size_t> library_count_{0}, function_count_{0};  // of libraries_
  std::atomic<uint64_t> library_bytes_{0};  // of libraries_: names and code
  // What FUNCTION STATS shows of a running function (mu_ is the function's while it runs).
  std::mutex running_mu_;
  std::string running_name_;                  // GUARDED_BY(running_mu_)
  std::vector<std::string> running_command_;  // GUARDED_BY(running_mu_)
  int64_t running_since_ms_ = 0;              // GUARDED_BY(running_mu_)
  const size_t max_eval_scripts_;
  lua_State* lua_;                                    // GUARDED_BY(mu_)
  std::unordered_map<std::string, Script> scripts_;   // GUARDED_BY(mu_): by sha
  std::list<std::string> eval_lru_;  // GUARDED_BY(mu_): the evictable, least recently run first
  uint64_t scripts_bytes_ = 0;       // GUARDED_BY(mu_): used_memory_scripts_eval
  std::atomic<uint64_t> vm_bytes_{0}, published_scripts_bytes_{0}, num_scripts_{0};
  // What the redis library's functions reach, through the interpreter's registry: the running
  // script's RunContext and protocol, math.random's state (server/script_context.h).
  // GUARDED_BY(mu_).
  std::unique_ptr<ScriptContext> context_;
  std::atomic<Kind> running_{Kind::kNone};
  // The running script's state, one atomic so that a kill and a first write cannot both win.
  enum : int { kClean, kWrote, kKillAsked };
  std::atomic<int> state_{kClean};
  BusyFlag busy_;
};

}  // namespace strata::server
