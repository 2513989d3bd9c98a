// ScriptContext: what the functions of a script's libraries (server/scripting.cc,
// server/lua_library.cc) reach of the running script and of the interpreter. One per
// Scripting, kept in its interpreter's registry; used under Scripting's mutex.
#pragma once

#include <cstdint>

#include "server/scripting.h"

extern "C" {
#include <lua.h>
}

namespace strata::server {

struct ScriptContext {
  const Scripting::RunContext* run = nullptr;  // the running script's; null between scripts
  int resp = 2;                           // redis.setresp's; 2 when a script starts
  // math.random's generator, Redis's rand48 (a 48-bit linear congruence) from its fixed seed:
  // one sequence through every script run since start-up, as in Redis 7.0, which does not
  // reseed per script (math.randomseed does).
  uint64_t rand48 = 0x1234ABCD330E;

  // The registry key (its address) under which the interpreter keeps its ScriptContext.
  static inline const char kRegistryKey = 0;

  // Keeps `context` in L's registry.
  static void Install(lua_State* L, ScriptContext* context) {
    lua_pushlightuserdata(L, const_cast<char*>(&kRegistryKey));
    lua_pushlightuserdata(L, context);
    lua_rawset(L, LUA_REGISTRYINDEX);
  }
  // L's ScriptContext.
  static ScriptContext& Of(lua_State* L) {
    lua_pushlightuserdata(L, const_cast<char*>(&kRegistryKey));
    lua_rawget(L, LUA_REGISTRYINDEX);
    auto* context = static_cast<ScriptContext*>(lua_touserdata(L, -1));
    lua_pop(L, 1);
    return *context;
  }
};

}  // namespace strata::server
