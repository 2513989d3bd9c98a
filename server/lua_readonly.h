// Readonly tables in the script interpreter, as Redis 7.0 has them: the globals and every
// table reachable from them (string, math, table, coroutine, redis, cjson, bit, struct,
// cmsgpack, ...) refuse writes with "Attempt to modify a readonly table", so that no script
// changes what the next one runs with.
//
// Redis patches its Lua with a readonly flag; Debian's stock Lua 5.1 has none, and assigning
// to a field that exists never consults a metatable. So a readonly table is emptied into a
// hidden contents table: its metatable reads through to the contents and refuses every write
// (__newindex). The functions that bypass metatables are replaced by ones that know (rawget,
// rawset, next, pairs, getmetatable, setmetatable, table.insert), so a readonly table still
// shows its fields to rawget and pairs, and getmetatable shows its original metatable (or the
// string metatable) only as a readonly view. Differences that remain: pairs visits the fields
// in another order than Redis's, the deprecated table.foreach sees no fields in a readonly
// table, and the debug library (which Redis does not expose) can reach the hidden tables.
#pragma once

struct lua_State;

namespace strata::server {

// Makes the globals table and every table reachable from it readonly. Call it once, last, when
// every global is in place. Globals set later with lua_rawset on LUA_GLOBALSINDEX (KEYS and
// ARGV, per run) stay writable; reads, rawget and pairs see them.
void MakeTablesReadonly(lua_State* L);

}  // namespace strata::server
