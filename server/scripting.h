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
#include <vector>

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
  // INFO's figures for FUNCTION's libraries: all zero while Strata has no FUNCTION LOAD.
  struct FunctionsMemory {
    uint64_t functions = 0;  // number_of_functions
    uint64_t libraries = 0;  // number_of_libraries
    uint64_t vm_bytes = 0;   // used_memory_vm_functions: their interpreter's heap
    uint64_t bytes = 0;      // used_memory_functions: their names, code and bookkeeping
  };
  FunctionsMemory functions_memory() const { return {}; }

  // How a running script reaches the server: given by the command that runs it, for the
  // length of Run.
  struct Host {
    // redis.call/pcall: runs one command line and returns its reply bytes: RESP3 when `resp3`
    // (the script called redis.setresp(3)), else RESP2.
    std::function<std::string(std::span<const std::string_view> argv, bool resp3)> call;
    // redis.acl_check_cmd: whether the script's user may run the command line; nullopt when it
    // names no command.
    std::function<std::optional<bool>(std::span<const std::string_view> argv)> acl_check;
  };
  struct RunResult {
    bool found = false;   // false: no script `sha` is cached; nothing ran or replied
    bool failed = false;  // the reply holds an error, at some depth (the call failed)
    // The texts of those errors that are not in errorstats yet: not the error of a command
    // the script called and passed on, which was counted when the command replied it.
    std::vector<std::string> uncounted_errors;
  };
  // Runs the cached script `sha` with KEYS and ARGV, replying its result, or the error it
  // raised, through `reply`.
  RunResult Run(std::string_view sha, std::span<const std::string_view> keys,
                std::span<const std::string_view> argv, const Host& host, ReplyBuilder& reply);

  // The two conversions chained, in an interpreter of its own (tests/fuzz/fuzz_lua_reply.cc):
  // the reply (RESP2 or RESP3) at the front of `in` as redis.call gives it to Lua, then that
  // value as a script's reply to a RESP2 client (into *out). False if `in` does not start with
  // a whole reply.
  static bool ReplyRoundTrip(std::string_view in, std::string* out);

 private:
  struct Script {
    std::string body;
    bool evictable = false;                 // arrived by EVAL, not loaded by SCRIPT LOAD since
    std::list<std::string>::iterator lru;   // its place in eval_lru_, when evictable
  };
  // Removes script `sha` (in the cache) from it and from the interpreter. REQUIRES: mu_ held.
  void Remove(std::unordered_map<std::string, Script>::iterator it);
  // Publishes the figures eval_memory() reads. REQUIRES: mu_ held.
  void UpdateMemory();

  const size_t max_eval_scripts_;
  std::mutex mu_;
  lua_State* lua_;                                    // GUARDED_BY(mu_)
  std::unordered_map<std::string, Script> scripts_;   // GUARDED_BY(mu_): by sha
  std::list<std::string> eval_lru_;  // GUARDED_BY(mu_): the evictable, least recently run first
  uint64_t scripts_bytes_ = 0;       // GUARDED_BY(mu_): used_memory_scripts_eval
  std::atomic<uint64_t> vm_bytes_{0}, published_scripts_bytes_{0}, num_scripts_{0};
  // What the redis library's functions reach, through the interpreter's registry: the running
  // script's Host and protocol, math.random's state (server/script_context.h). GUARDED_BY(mu_).
  std::unique_ptr<ScriptContext> context_;
};

}  // namespace strata::server
