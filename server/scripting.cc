#include "server/scripting.h"

#include "server/lua_util.h"

#include <openssl/evp.h>

#include <cctype>
#include <cstdint>
#include <cstring>

#include "base/clock.h"
#include "base/logging.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include "server/lua_convert.h"
#include "server/lua_library.h"
#include "server/lua_libs.h"
#include "server/lua_readonly.h"
#include "server/script_context.h"

namespace strata::server {

namespace {

using lua::ErrField;
using lua::PushErrorTable;
using lua::PushReply;
using lua::RaiseError;
using lua::ReplyValue;
using lua::TrimLineEnd;

// What the instruction-count hook of a running script checks (set by Run).
struct LongRun {
  const Scripting::RunContext* run;
  int64_t started_ms;
  const std::atomic<int>* state;
  int kill_asked;
  BusyFlag* busy;
  bool aborted = false;
};
thread_local LongRun* t_long = nullptr;

// Every kHookInstructions Lua instructions: past busy-reply-threshold, raise the busy flag,
// let the thread serve its other clients, and stop the script if SCRIPT KILL (or a shutdown)
// asked. About a millisecond between checks for a tight loop, as Redis checks.
constexpr int kHookInstructions = 100000;

void CountHook(lua_State* L, lua_Debug*) {
  LongRun* lr = t_long;
  if (lr == nullptr) return;
  const bool kill = lr->state->load(std::memory_order_acquire) == lr->kill_asked;
  const int64_t ran_ms = MonotonicUs() / 1000 - lr->started_ms;
  if (ran_ms < lr->run->busy_after_ms && !kill) return;
  if (!lr->busy->raised() && ran_ms >= lr->run->busy_after_ms) {
    LOG_WARN("Slow script detected: still in execution after %lld milliseconds. You can try "
             "killing the script using the SCRIPT KILL command.",
             static_cast<long long>(ran_ms));
    lr->busy->set(true);
  }
  const char* why = nullptr;
  if (lr->run->while_busy && lr->run->while_busy()) {
    lr->aborted = true;
    why = "Script killed by the server's shutdown";
  } else if (kill) {
    why = "Script killed by user with SCRIPT KILL...";
  }
  if (why == nullptr) return;
  // From now on every line raises it again, so a pcall in the script cannot keep it running.
  lua_sethook(L, CountHook, LUA_MASKLINE, 0);
  lua_pushstring(L, why);
  lua_error(L);
}

// ---- The redis library ----

// redis.call (raise = true) and redis.pcall: the arguments as a command line, run through the
// script's RunContext; its reply converted. An error reply is raised by call, returned by pcall.
int CallCommand(lua_State* L, bool raise) {
  const std::vector<std::string> args = lua::CommandArgs(L);
  const ScriptContext& context = ScriptContext::Of(L);
  if (context.run == nullptr) {
    RaiseError(L, "ERR redis.call/pcall can only be called inside a script invocation");
  }
  const std::vector<std::string_view> argv(args.begin(), args.end());
  const std::string out = context.run->call(argv, context.resp == 3);
  size_t pos = 0;
  if (!PushReply(L, out, &pos, 0)) RaiseError(L, "ERR reply conversion failed");
  if (raise && !out.empty() && out[0] == '-') lua_error(L);  // the {err=} table just pushed
  return 1;
}

int LuaRedisCall(lua_State* L) { return CallCommand(L, true); }
int LuaRedisPcall(lua_State* L) { return CallCommand(L, false); }

int LuaSha1Hex(lua_State* L) {
  if (lua_gettop(L) != 1) luaL_error(L, "wrong number of arguments");
  size_t n;
  const char* s = lua_tolstring(L, 1, &n);
  const std::string hex = Scripting::Sha1Hex(std::string_view(s != nullptr ? s : "", s ? n : 0));
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

// redis.error_reply(text): {err = text}, with "ERR " in front when it names no code, as Redis.
int LuaErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    luaL_error(L, "wrong number or type of arguments");
  }
  std::string text = lua_tostring(L, 1);
  if (!text.empty() && text[0] == '-') text.erase(0, 1);
  if (text.find(' ') == std::string::npos) text = "ERR " + text;
  TrimLineEnd(&text);
  PushErrorTable(L, text);
  return 1;
}

int LuaStatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    luaL_error(L, "wrong number or type of arguments");
  }
  lua_newtable(L);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, 1);
  lua_rawset(L, -3);
  return 1;
}

// Globals are read-only and reading an undefined one is an error, as in Redis's sandbox.
int GlobalsIndex(lua_State* L) {
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    lua_tostring(L, 2));
}
int GlobalsNewIndex(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

// The error handler of every run: a string error becomes {err = "ERR " .. msg}; the table gets
// the source and line of the script code that raised it.
int ErrorHandler(lua_State* L) {
  if (!lua_istable(L, 1)) {
    const char* msg = lua_tostring(L, 1);
    PushErrorTable(L, std::string("ERR ") + (msg != nullptr ? msg : "unknown error"));
    lua_replace(L, 1);
  }
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar); ++level) {
    lua_getinfo(L, "Sl", &ar);
    if (std::strcmp(ar.what, "C") == 0) continue;
    lua_pushstring(L, "source");
    lua_pushstring(L, ar.source);
    lua_rawset(L, 1);
    lua_pushstring(L, "line");
    lua_pushinteger(L, ar.currentline);
    lua_rawset(L, 1);
    break;
  }
  lua_settop(L, 1);
  return 1;
}

std::string ToLowerSha(std::string_view sha) {
  std::string out(sha);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void SetGlobal(lua_State* L, const char* name) {  // pops the value, bypassing the protection
  lua_pushstring(L, name);
  lua_insert(L, -2);
  lua_rawset(L, LUA_GLOBALSINDEX);
}

// A Lua array of the strings.
void PushStrings(lua_State* L, std::span<const std::string_view> values) {
  lua_createtable(L, static_cast<int>(values.size()), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    lua_pushlstring(L, values[i].data(), values[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

}  // namespace

namespace lua_util {
int ErrorHandler(lua_State* L) { return server::ErrorHandler(L); }
void PushStrings(lua_State* L, std::span<const std::string_view> values) {
  server::PushStrings(L, values);
}
const char* ErrField(lua_State* L, int index, size_t* len) { return lua::ErrField(L, index, len); }
void TrimLineEnd(std::string* text) { lua::TrimLineEnd(text); }
std::vector<std::string_view> FirstLineWords(std::string_view code, size_t from) {
  const std::string_view first = code.substr(0, code.find('\n'));
  std::vector<std::string_view> words;
  for (size_t pos = from; pos < first.size();) {
    size_t end = first.find(' ', pos);
    if (end == std::string_view::npos) end = first.size();
    if (end > pos) words.push_back(first.substr(pos, end - pos));
    pos = end + 1;
  }
  return words;
}
void RaisePlain(lua_State* L, const char* text) {
  lua_pushstring(L, text);
  lua_error(L);
  __builtin_unreachable();
}
}  // namespace lua_util

std::string Scripting::Sha1Hex(std::string_view body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), md, &len, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

Scripting::Scripting(size_t max_eval_scripts)
    : max_eval_scripts_(max_eval_scripts),
      lua_(luaL_newstate()),
      context_(std::make_unique<ScriptContext>()) {
  lua_State* L = lua_;
  ScriptContext::Install(L, context_.get());
  // The libraries Redis scripts may use; no io, os, package (require) or file loading.
  const luaL_Reg libs[] = {{"", luaopen_base},     {LUA_TABLIBNAME, luaopen_table},
                           {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
                           {LUA_DBLIBNAME, luaopen_debug}};
  for (const luaL_Reg& lib : libs) {
    lua_pushcfunction(L, lib.func);
    lua_pushstring(L, lib.name);
    lua_call(L, 1, 0);
  }
  OpenScriptLibraries(L);  // what Redis adds: server/lua_libs.h
  for (const char* name : {"loadfile", "dofile"}) {
    lua_pushnil(L);
    SetGlobal(L, name);
  }
  lua_newtable(L);
  const luaL_Reg redis[] = {{"call", LuaRedisCall},          {"pcall", LuaRedisPcall},
                            {"sha1hex", LuaSha1Hex},         {"error_reply", LuaErrorReply},
                            {"status_reply", LuaStatusReply}};
  for (const luaL_Reg& f : redis) {
    lua_pushstring(L, f.name);
    lua_pushcfunction(L, f.func);
    lua_rawset(L, -3);
  }
  lua::AddRedisLibrary(L);
  SetGlobal(L, "redis");
  lua::ReplaceBuiltins(L);
  // Globals: reading an undefined one or writing any is an error.
  lua_newtable(L);
  lua_pushstring(L, "__index");
  lua_pushcfunction(L, GlobalsIndex);
  lua_rawset(L, -3);
  lua_pushstring(L, "__newindex");
  lua_pushcfunction(L, GlobalsNewIndex);
  lua_rawset(L, -3);
  lua_setmetatable(L, LUA_GLOBALSINDEX);
  MakeTablesReadonly(L);  // last: every global is in place
  UpdateMemory();
}

Scripting::~Scripting() { lua_close(lua_); }

bool Scripting::ReplyRoundTrip(std::string_view in, std::string* out) {
  lua_State* L = luaL_newstate();
  size_t pos = 0;
  const bool ok = PushReply(L, in, &pos, 0);
  if (ok) {
    ReplyBuilder reply(out);
    lua::ReplyErrors errors;
    ReplyValue(L, reply, 2, &errors);
  }
  lua_close(L);
  return ok;
}

namespace {
// What a cached script costs besides its body: its name, and roughly the map's node and
// entry and the LRU list's node.
constexpr uint64_t kScriptOverhead = 40 + 128;
}  // namespace

std::string Scripting::Load(std::string_view body, std::string* sha, bool by_eval) {
  *sha = Sha1Hex(body);
  InterruptibleLock l(mu_);
  if (auto it = scripts_.find(*sha); it != scripts_.end()) {
    Script& script = it->second;
    if (!by_eval && script.evictable) {  // SCRIPT LOAD keeps it for good
      eval_lru_.erase(script.lru);
      script.evictable = false;
    }
    return {};
  }
  // A shebang line, as Redis 7.0 reads it for EVAL: "#!lua" and optionally flags=a,b. The
  // line becomes a comment, so line numbers stay those of the script as given.
  uint32_t flags = 0;
  std::string shebang_body;
  if (body.starts_with("#!")) {
    const std::vector<std::string_view> words = lua_util::FirstLineWords(body, 0);
    if (words[0] != "#!lua") {
      return "ERR Unexpected engine in script shebang: " + std::string(words[0]);
    }
    flags = kShebang;
    for (size_t i = 1; i < words.size(); ++i) {
      if (!words[i].starts_with("flags=")) {
        return "ERR Unknown lua shebang option: " + std::string(words[i]);
      }
      std::string_view list = words[i].substr(6);
      while (!list.empty()) {
        const size_t comma = list.find(',');
        const std::string_view name = list.substr(0, comma);
        uint32_t bit;
        if (!FlagBit(name, &bit)) {
          return "ERR Unexpected flag in script shebang: " + std::string(name);
        }
        flags |= bit;
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      }
    }
    shebang_body = "--" + std::string(body.substr(2));
  }
  const std::string_view code = flags ? std::string_view(shebang_body) : body;
  lua_State* L = lua_;
  if (luaL_loadbuffer(L, code.data(), code.size(), "@user_script") != 0) {
    std::string error = std::string("ERR Error compiling script (new function): ") +
                        (lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "");
    lua_pop(L, 1);
    return error;
  }
  if (by_eval) {
    while (!eval_lru_.empty() && eval_lru_.size() >= max_eval_scripts_) {
      Remove(scripts_.find(eval_lru_.front()));
    }
  }
  // The compiled function, kept in the registry under its SHA1.
  lua_pushlstring(L, sha->data(), sha->size());
  lua_insert(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  Script& script = scripts_[*sha];
  script.body = body;
  script.flags = flags;
  if (by_eval) {
    script.evictable = true;
    script.lru = eval_lru_.insert(eval_lru_.end(), *sha);
  }
  scripts_bytes_ += body.size() + kScriptOverhead;
  UpdateMemory();
  return {};
}

bool Scripting::ScriptFlags(std::string_view sha, uint32_t* flags) {
  InterruptibleLock l(mu_);
  auto it = scripts_.find(std::string(sha));
  if (it == scripts_.end()) return false;
  *flags = it->second.flags;
  return true;
}

void Scripting::Remove(std::unordered_map<std::string, Script>::iterator it) {
  lua_pushlstring(lua_, it->first.data(), it->first.size());
  lua_pushnil(lua_);
  lua_rawset(lua_, LUA_REGISTRYINDEX);
  if (it->second.evictable) eval_lru_.erase(it->second.lru);
  scripts_bytes_ -= it->second.body.size() + kScriptOverhead;
  scripts_.erase(it);
}

void Scripting::UpdateMemory() {
  vm_bytes_.store(static_cast<uint64_t>(lua_gc(lua_, LUA_GCCOUNT, 0)) * 1024,
                  std::memory_order_relaxed);
  published_scripts_bytes_.store(scripts_bytes_, std::memory_order_relaxed);
  num_scripts_.store(scripts_.size(), std::memory_order_relaxed);
}

Scripting::EvalMemory Scripting::eval_memory() const {
  EvalMemory m;
  m.vm_bytes = vm_bytes_.load(std::memory_order_relaxed);
  m.scripts_bytes = published_scripts_bytes_.load(std::memory_order_relaxed);
  m.scripts = num_scripts_.load(std::memory_order_relaxed);
  return m;
}

bool Scripting::Exists(std::string_view sha) {
  InterruptibleLock l(mu_);
  return scripts_.count(std::string(sha)) > 0;
}

void Scripting::Flush() {
  InterruptibleLock l(mu_);
  while (!scripts_.empty()) Remove(scripts_.begin());
  lua_gc(lua_, LUA_GCCOLLECT, 0);
  UpdateMemory();
}

Scripting::RunResult Scripting::Run(std::string_view sha, std::span<const std::string_view> keys,
                                    std::span<const std::string_view> argv,
                                    const RunContext& run, ReplyBuilder& reply) {
  InterruptibleLock l(mu_);
  lua_State* L = lua_;
  const std::string name = ToLowerSha(sha);
  lua_pushcfunction(L, ErrorHandler);
  lua_pushlstring(L, name.data(), name.size());
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 2);
    return {};
  }
  for (auto [global, values] : {std::pair{"KEYS", keys}, std::pair{"ARGV", argv}}) {
    PushStrings(L, values);
    SetGlobal(L, global);
  }
  RunResult result = Call(0, name, Kind::kEval, run, reply);
  // The script just ran: the most recently used (it is still cached: nothing it ran can load or
  // flush scripts).
  if (auto it = scripts_.find(name); it != scripts_.end() && it->second.evictable) {
    eval_lru_.splice(eval_lru_.end(), eval_lru_, it->second.lru);
  }
  UpdateMemory();
  return result;
}

Scripting::RunResult Scripting::Call(int nargs, std::string_view name, Kind kind,
                                     const RunContext& run, ReplyBuilder& reply) {
  lua_State* L = lua_;  // the error handler, the function, its nargs arguments
  RunResult result;
  result.found = true;
  context_->run = &run;
  context_->resp = 2;
  LongRun long_run{&run, MonotonicUs() / 1000, &state_, kKillAsked, &busy_};
  t_long = &long_run;
  state_.store(kClean, std::memory_order_relaxed);
  running_.store(kind, std::memory_order_release);
  lua_sethook(L, CountHook, LUA_MASKCOUNT, kHookInstructions);
  const int status = lua_pcall(L, nargs, 1, -2 - nargs);
  lua_sethook(L, nullptr, 0, 0);
  running_.store(Kind::kNone, std::memory_order_release);
  busy_.set(false);
  state_.store(kClean, std::memory_order_relaxed);
  t_long = nullptr;
  context_->run = nullptr;
  result.aborted = long_run.aborted;
  if (status == 0) {
    lua::ReplyErrors errors;
    ReplyValue(L, reply, context_->resp, &errors);
    result.failed = errors.any;
    result.uncounted_errors = std::move(errors.fresh);
  } else {
    // As Redis 7.0: the error's text, then which script and where.
    size_t n = 0;
    const char* err = ErrField(L, -1, &n);
    std::string text = err != nullptr ? std::string(err, n)
                                      : std::string("ERR ") + (lua_tostring(L, -1) ? lua_tostring(L, -1) : "");
    TrimLineEnd(&text);
    if (lua_istable(L, -1)) {
      lua_pushstring(L, "source");
      lua_rawget(L, -2);
      lua_pushstring(L, "line");
      lua_rawget(L, -3);
      if (lua_isstring(L, -2) && lua_isnumber(L, -1)) {
        std::string source = lua_tostring(L, -2);
        text += " script: " + std::string(name) + ", on " + source + ":" +
                std::to_string(static_cast<int64_t>(lua_tonumber(L, -1))) + ".";
      }
      lua_pop(L, 2);
    }
    reply.Error(text);
    result.failed = true;
    if (!lua::ErrorCounted(L, -1)) result.uncounted_errors.push_back(std::move(text));
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCSTEP, 1);
  return result;
}

std::string_view Scripting::BusyError() const {
  return running() == Kind::kFunction
             ? "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
             : "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
}

std::string Scripting::Kill(Kind kind) {
  const Kind now = running();
  if (now == Kind::kNone) return "NOTBUSY No scripts in execution right now.";
  if (now != kind) return std::string(BusyError());
  int expected = kClean;
  if (!state_.compare_exchange_strong(expected, kKillAsked) && expected == kWrote) {
    return "UNKILLABLE Sorry the script already executed write commands against the dataset. You "
           "can either wait the script termination or kill the server in a hard way using the "
           "SHUTDOWN NOSAVE command.";
  }
  return {};
}

bool Scripting::NoteWrite() {
  int expected = kClean;
  return state_.compare_exchange_strong(expected, kWrote) || expected == kWrote;
}

}  // namespace strata::server
