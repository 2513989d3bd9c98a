#include "server/lua_library.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include "base/logging.h"
#include "base/version.h"
#include "server/lua_convert.h"
#include "server/script_context.h"

namespace strata::server::lua {

namespace {

// redis.set_repl's flags, as Redis's PROPAGATE_AOF and PROPAGATE_REPL.
constexpr int kReplAof = 1, kReplReplica = 2;

// redis.setresp(2|3): the protocol the script's commands reply in, and by which its booleans
// are returned, for the rest of the script.
int SetResp(lua_State* L) {
  if (lua_gettop(L) != 1) RaiseError(L, "ERR redis.setresp() requires one argument.");
  const int resp = static_cast<int>(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) RaiseError(L, "ERR RESP version must be 2 or 3.");
  ScriptContext::Of(L).resp = resp;
  return 0;
}

// redis.set_repl(flags): checked as Redis checks it, and accepted; Strata has no replicas, and
// its log records a script's effects whatever the flags.
int SetRepl(lua_State* L) {
  if (lua_gettop(L) != 1) RaiseError(L, "ERR redis.set_repl() requires two arguments.");
  const int flags = static_cast<int>(lua_tonumber(L, -1));
  if ((flags & ~(kReplAof | kReplReplica)) != 0) {
    RaiseError(L, "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
                  "REPL_NONE.");
  }
  return 0;
}

// redis.replicate_commands(): true, as in Redis 7.0, where scripts always replicate effects.
int ReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

// redis.acl_check_cmd(command, args...): whether the script's user may run that command line.
int AclCheckCmd(lua_State* L) {
  const std::vector<std::string> args = CommandArgs(L);
  const ScriptContext& context = ScriptContext::Of(L);
  if (context.run == nullptr) {
    RaiseError(L, "ERR redis.acl_check_cmd can only be called inside a script invocation");
  }
  const std::vector<std::string_view> argv(args.begin(), args.end());
  const std::optional<bool> allowed = context.run->acl_check(argv);
  if (!allowed) RaiseError(L, "ERR Invalid command passed to redis.acl_check_cmd()");
  lua_pushboolean(L, *allowed);
  return 1;
}

// redis.log(level, message...): one line in the server's log, the arguments that are strings
// or numbers joined by spaces, when the level is at least the configured one.
int Log(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc < 2) RaiseError(L, "ERR redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1)) RaiseError(L, "ERR First argument must be a number (log level).");
  const int level = static_cast<int>(lua_tonumber(L, 1));
  if (level < static_cast<int>(LogLevel::kDebug) || level > static_cast<int>(LogLevel::kWarning)) {
    RaiseError(L, "ERR Invalid debug level.");
  }
  std::string line;
  for (int i = 2; i <= argc; ++i) {
    size_t n;
    const char* s = lua_tolstring(L, i, &n);
    if (s == nullptr) continue;
    if (i != 2) line += ' ';  // as Redis: no space before the first message argument only
    line.append(s, n);
  }
  LogLine(static_cast<LogLevel>(level), line);
  return 0;
}

// redis.breakpoint() and redis.debug(): outside Redis's debugger (which Strata does not have),
// false and nothing.
int Breakpoint(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}
int Debug(lua_State*) { return 0; }

// math.random([m [, n]]), Lua 5.1's with Redis's generator: a draw from rand48, then the
// arguments checked (a failed call still draws, as in Redis).
int MathRandom(lua_State* L) {
  uint64_t& x = ScriptContext::Of(L).rand48;
  x = (0x5DEECE66DULL * x + 0xB) & ((uint64_t{1} << 48) - 1);
  constexpr int32_t kMax = INT32_MAX;
  const auto drawn = static_cast<int32_t>(x >> 17);
  const lua_Number r = static_cast<lua_Number>(drawn % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      return 1;
    case 1: {
      const int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      return 1;
    }
    case 2: {
      const int l = luaL_checkint(L, 1);
      const int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      return 1;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
}

// math.randomseed(n): rand48 seeded as Redis's redisSrand48 (the seed's 32 bits above 0x330E).
int MathRandomSeed(lua_State* L) {
  const auto seed = static_cast<uint32_t>(luaL_checkint(L, 1));
  ScriptContext::Of(L).rand48 = (uint64_t{seed} << 16) | 0x330E;
  return 0;
}

// pcall(f, ...), as Redis 7.0 replaces it: the results of f, or false and the error, where an
// error table with a string err field is given as that string. Its quirks are Redis's: with
// no argument, false and "attempt to call a boolean value"; a table without err is followed
// by a nil.
int Pcall(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc == 0) {
    lua_pushboolean(L, 0);
    lua_pushstring(L, "attempt to call a boolean value");
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) lua_replace(L, -2);
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

}  // namespace

void AddRedisLibrary(lua_State* L) {
  const luaL_Reg functions[] = {{"setresp", SetResp},
                                {"set_repl", SetRepl},
                                {"replicate_commands", ReplicateCommands},
                                {"acl_check_cmd", AclCheckCmd},
                                {"log", Log},
                                {"breakpoint", Breakpoint},
                                {"debug", Debug}};
  for (const luaL_Reg& f : functions) {
    lua_pushcfunction(L, f.func);
    lua_setfield(L, -2, f.name);
  }
  const std::pair<const char*, int> numbers[] = {
      {"LOG_DEBUG", static_cast<int>(LogLevel::kDebug)},
      {"LOG_VERBOSE", static_cast<int>(LogLevel::kVerbose)},
      {"LOG_NOTICE", static_cast<int>(LogLevel::kNotice)},
      {"LOG_WARNING", static_cast<int>(LogLevel::kWarning)},
      {"REPL_NONE", 0},
      {"REPL_AOF", kReplAof},
      {"REPL_SLAVE", kReplReplica},
      {"REPL_REPLICA", kReplReplica},
      {"REPL_ALL", kReplAof | kReplReplica},
      {"REDIS_VERSION_NUM", kRedisVersionNum}};
  for (const auto& [name, value] : numbers) {
    lua_pushnumber(L, value);
    lua_setfield(L, -2, name);
  }
  lua_pushstring(L, kRedisVersion);
  lua_setfield(L, -2, "REDIS_VERSION");
}

void ReplaceBuiltins(lua_State* L) {
  lua_getfield(L, LUA_GLOBALSINDEX, LUA_MATHLIBNAME);
  lua_pushcfunction(L, MathRandom);
  lua_setfield(L, -2, "random");
  lua_pushcfunction(L, MathRandomSeed);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);
  lua_pushstring(L, "pcall");
  lua_pushcfunction(L, Pcall);
  lua_rawset(L, LUA_GLOBALSINDEX);
}

}  // namespace strata::server::lua
