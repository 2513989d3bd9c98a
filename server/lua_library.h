// The parts of a script's redis library that Redis 7.0 adds around redis.call: setresp,
// set_repl and the REPL_* flags, replicate_commands, acl_check_cmd, log and the LOG_* levels,
// breakpoint and debug (as Redis has them outside its debugger), REDIS_VERSION and
// REDIS_VERSION_NUM; and Redis's replacements of Lua's math.random, math.randomseed and pcall.
// They reach the running script through its ScriptContext (server/script_context.h).
#pragma once

struct lua_State;

namespace strata::server::lua {

// Adds the functions and constants above to the table on top of the stack (the redis table).
void AddRedisLibrary(lua_State* L);
// Replaces math.random and math.randomseed by Redis's (its rand48 generator, the same numbers
// on every platform), and pcall by Redis's, which catches an error table {err = "..."} as its
// text, as Lua errors were strings before Redis 7.
void ReplaceBuiltins(lua_State* L);

}  // namespace strata::server::lua
