#include "server/scripting.h"

#include "server/lua_util.h"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cctype>
#include <cstring>

#include "base/clock.h"
#include "base/logging.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include "server/lua_libs.h"
#include "server/lua_readonly.h"

namespace strata::server {

namespace {

// The running script's redis.call (set by Run for the length of the call).
thread_local const Scripting::Caller* t_call = nullptr;

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

constexpr int kMaxDepth = 64;  // nesting of tables converted either way

// A Lua error object as Redis makes them: a table {err = "CODE message"}.
void PushErrorTable(lua_State* L, std::string_view text) {
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, text.data(), text.size());
  lua_rawset(L, -3);
}

// Error texts carry no line end (Redis trims the one a ready-made error reply has).
void TrimLineEnd(std::string* text) {
  while (!text->empty() && (text->back() == '\r' || text->back() == '\n')) text->pop_back();
}

[[noreturn]] void RaiseError(lua_State* L, std::string_view text) {
  PushErrorTable(L, text);
  lua_error(L);
  __builtin_unreachable();
}

// ---- Reply bytes (RESP2, from our own ReplyBuilder) to Lua values ----

// Reads one line ending in CRLF from `in` at *pos; false if there is none.
bool ReadLine(std::string_view in, size_t* pos, std::string_view* line) {
  const size_t end = in.find("\r\n", *pos);
  if (end == std::string_view::npos) return false;
  *line = in.substr(*pos, end - *pos);
  *pos = end + 2;
  return true;
}

bool ParseLength(std::string_view s, int64_t* n) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *n);
  return ec == std::errc() && p == s.data() + s.size();
}

// Pushes the reply at *pos as Redis converts it: status -> {ok=}, error -> {err=}, integer ->
// number, bulk -> string, null -> false, array -> table. False on malformed input.
bool PushReply(lua_State* L, std::string_view in, size_t* pos, int depth) {
  if (*pos >= in.size() || depth > kMaxDepth) return false;
  const char type = in[(*pos)++];
  std::string_view line;
  if (!ReadLine(in, pos, &line)) return false;
  switch (type) {
    case '+':
    case '-':
      lua_newtable(L);
      lua_pushstring(L, type == '+' ? "ok" : "err");
      lua_pushlstring(L, line.data(), line.size());
      lua_rawset(L, -3);
      return true;
    case ':': {
      int64_t v;
      if (!ParseLength(line, &v)) return false;
      lua_pushnumber(L, static_cast<lua_Number>(v));
      return true;
    }
    case '$': {
      int64_t n;
      if (!ParseLength(line, &n)) return false;
      if (n < 0) {
        lua_pushboolean(L, 0);
        return true;
      }
      if (static_cast<uint64_t>(n) > in.size() - *pos || in.size() - *pos - n < 2) return false;
      lua_pushlstring(L, in.data() + *pos, static_cast<size_t>(n));
      *pos += static_cast<size_t>(n) + 2;
      return true;
    }
    case '*': {
      int64_t n;
      if (!ParseLength(line, &n)) return false;
      if (n < 0) {
        lua_pushboolean(L, 0);
        return true;
      }
      if (!lua_checkstack(L, 4)) return false;
      lua_createtable(L, static_cast<int>(std::min<int64_t>(n, 1024)), 0);
      for (int64_t i = 1; i <= n; ++i) {
        if (!PushReply(L, in, pos, depth + 1)) return false;
        lua_rawseti(L, -2, static_cast<int>(i));
      }
      return true;
    }
    default:
      return false;
  }
}

// ---- Lua values to replies ----

// The error text of an error table, or nullptr if the value is not one.
const char* ErrField(lua_State* L, int index, size_t* len) {
  if (!lua_istable(L, index)) return nullptr;
  lua_pushstring(L, "err");
  lua_rawget(L, index < 0 ? index - 1 : index);
  const char* s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, len) : nullptr;
  lua_pop(L, 1);  // the string stays alive: the table holds it
  return s;
}

void ReplyValue(lua_State* L, ReplyBuilder& reply, int depth) {
  const int t = lua_type(L, -1);
  if (depth > kMaxDepth) {
    reply.Error("ERR reached lua stack limit");
    return;
  }
  switch (t) {
    case LUA_TSTRING: {
      size_t n;
      const char* s = lua_tolstring(L, -1, &n);
      reply.Bulk(std::string_view(s, n));
      return;
    }
    case LUA_TBOOLEAN:
      lua_toboolean(L, -1) ? reply.Int(1) : reply.Null();
      return;
    case LUA_TNUMBER: {
      // Truncated toward zero, as Redis converts; outside int64's range (and NaN) as x86 does.
      const double d = lua_tonumber(L, -1);
      if (std::isnan(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) {
        reply.Int(INT64_MIN);
      } else {
        reply.Int(static_cast<int64_t>(d));
      }
      return;
    }
    case LUA_TTABLE: {
      size_t n;
      if (const char* err = ErrField(L, -1, &n)) {
        std::string text(err, n);
        TrimLineEnd(&text);
        reply.Error(text);
        return;
      }
      lua_pushstring(L, "ok");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TSTRING) {
        const char* ok = lua_tolstring(L, -1, &n);
        reply.Simple(std::string_view(ok, n));
        lua_pop(L, 1);
        return;
      }
      lua_pop(L, 1);
      // An array: elements 1.. up to the first nil.
      int count = 0;
      for (;; ++count) {
        lua_rawgeti(L, -1, count + 1);
        const bool end = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (end) break;
      }
      reply.Array(static_cast<size_t>(count));
      for (int i = 1; i <= count; ++i) {
        lua_rawgeti(L, -1, i);
        ReplyValue(L, reply, depth + 1);
        lua_pop(L, 1);
      }
      return;
    }
    default:
      reply.Null();
      return;
  }
}

// ---- The redis library ----

// redis.call (raise = true) and redis.pcall: the arguments as a command line, run through the
// script's Caller; its reply converted. An error reply is raised by call, returned by pcall.
int CallCommand(lua_State* L, bool raise) {
  const int argc = lua_gettop(L);
  if (argc == 0) RaiseError(L, "ERR Please specify at least one argument for this redis lib call");
  std::vector<std::string> args;
  args.reserve(static_cast<size_t>(argc));
  for (int i = 1; i <= argc; ++i) {
    const int t = lua_type(L, i);
    if (t == LUA_TSTRING) {
      size_t n;
      const char* s = lua_tolstring(L, i, &n);
      args.emplace_back(s, n);
    } else if (t == LUA_TNUMBER) {
      // The shortest text that reads back as the same double, as Redis writes numbers.
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), static_cast<double>(lua_tonumber(L, i)));
      args.emplace_back(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
    } else {
      RaiseError(L, "ERR Lua redis lib command arguments must be strings or integers");
    }
  }
  std::vector<std::string_view> argv(args.begin(), args.end());
  const std::string out = (*t_call)(argv);
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

int LuaLog(lua_State*) { return 0; }  // redis.log: accepted; Strata's log takes no script lines yet

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
const char* ErrField(lua_State* L, int index, size_t* len) { return server::ErrField(L, index, len); }
void TrimLineEnd(std::string* text) { server::TrimLineEnd(text); }
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

Scripting::Scripting() : lua_(luaL_newstate()) {
  lua_State* L = lua_;
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
                            {"status_reply", LuaStatusReply}, {"log", LuaLog}};
  for (const luaL_Reg& f : redis) {
    lua_pushstring(L, f.name);
    lua_pushcfunction(L, f.func);
    lua_rawset(L, -3);
  }
  const std::pair<const char*, int> levels[] = {
      {"LOG_DEBUG", 0}, {"LOG_VERBOSE", 1}, {"LOG_NOTICE", 2}, {"LOG_WARNING", 3}};
  for (const auto& [name, value] : levels) {
    lua_pushstring(L, name);
    lua_pushinteger(L, value);
    lua_rawset(L, -3);
  }
  SetGlobal(L, "redis");
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
}

Scripting::~Scripting() { lua_close(lua_); }

bool Scripting::ReplyRoundTrip(std::string_view in, std::string* out) {
  lua_State* L = luaL_newstate();
  size_t pos = 0;
  const bool ok = PushReply(L, in, &pos, 0);
  if (ok) {
    ReplyBuilder reply(out);
    ReplyValue(L, reply, 0);
  }
  lua_close(L);
  return ok;
}

std::string Scripting::Load(std::string_view body, std::string* sha) {
  *sha = Sha1Hex(body);
  InterruptibleLock l(mu_);
  if (scripts_.count(*sha)) return {};
  lua_State* L = lua_;
  if (luaL_loadbuffer(L, body.data(), body.size(), "@user_script") != 0) {
    std::string error = std::string("ERR Error compiling script (new function): ") +
                        (lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "");
    lua_pop(L, 1);
    return error;
  }
  // The compiled function, kept in the registry under its SHA1.
  lua_pushlstring(L, sha->data(), sha->size());
  lua_insert(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  scripts_.emplace(*sha, std::string(body));
  return {};
}

bool Scripting::Exists(std::string_view sha) {
  InterruptibleLock l(mu_);
  return scripts_.count(std::string(sha)) > 0;
}

void Scripting::Flush() {
  InterruptibleLock l(mu_);
  for (const auto& [sha, body] : scripts_) {
    lua_pushlstring(lua_, sha.data(), sha.size());
    lua_pushnil(lua_);
    lua_rawset(lua_, LUA_REGISTRYINDEX);
  }
  scripts_.clear();
  lua_gc(lua_, LUA_GCCOLLECT, 0);
}

size_t Scripting::size() {
  InterruptibleLock l(mu_);
  return scripts_.size();
}

bool Scripting::Run(std::string_view sha, std::span<const std::string_view> keys,
                    std::span<const std::string_view> argv, const RunContext& run,
                    ReplyBuilder& reply, bool* aborted) {
  InterruptibleLock l(mu_);
  lua_State* L = lua_;
  const std::string name = ToLowerSha(sha);
  lua_pushcfunction(L, ErrorHandler);
  lua_pushlstring(L, name.data(), name.size());
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 2);
    return false;
  }
  for (auto [global, values] : {std::pair{"KEYS", keys}, std::pair{"ARGV", argv}}) {
    PushStrings(L, values);
    SetGlobal(L, global);
  }
  Call(0, name, Kind::kEval, run, reply, aborted);
  return true;
}

void Scripting::Call(int nargs, std::string_view name, Kind kind, const RunContext& run,
                     ReplyBuilder& reply, bool* aborted) {
  lua_State* L = lua_;  // the error handler, the function, its nargs arguments
  const Caller* prev = t_call;
  t_call = &run.call;
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
  t_call = prev;
  if (aborted != nullptr) *aborted = long_run.aborted;
  if (status == 0) {
    ReplyValue(L, reply, 0);
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
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCSTEP, 1);
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
