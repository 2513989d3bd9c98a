// The libraries Redis 7.0 gives scripts beyond Lua's own, as globals: cjson and bit (Debian's
// lua-cjson 2.1.0 and LuaBitOp 1.0.2, the versions Redis bundles, linked as they are), cmsgpack
// and struct (Strata's: server/lua_cmsgpack.h, server/lua_struct.h).
#pragma once

struct lua_State;

namespace strata::server {

// Opens the four libraries and sets their globals with lua_rawset, so call it before the
// globals get a metatable.
void OpenScriptLibraries(lua_State* L);

}  // namespace strata::server
