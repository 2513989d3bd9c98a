#include "server/lua_libs.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
// Debian's headers declare the openers without C linkage.
#include <lua-bitop.h>
#include <lua-cjson.h>
}

#include "server/lua_cmsgpack.h"
#include "server/lua_struct.h"

namespace strata::server {

void OpenScriptLibraries(lua_State* L) {
  // In the order Redis opens them. Each opener is called as Redis calls it (the library's
  // name as argument) and returns its table, which becomes the global whether or not the
  // opener also set one.
  const luaL_Reg libs[] = {{"cjson", luaopen_cjson},
                           {"struct", OpenStruct},
                           {"cmsgpack", OpenCmsgpack},
                           {"bit", luaopen_bit}};
  for (const luaL_Reg& lib : libs) {
    lua_pushstring(L, lib.name);
    lua_pushcfunction(L, lib.func);
    lua_pushstring(L, lib.name);
    lua_call(L, 1, 1);
    lua_rawset(L, LUA_GLOBALSINDEX);
  }
}

}  // namespace strata::server
