#include "server/lua_readonly.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace strata::server {

namespace {

constexpr char kReadonly[] = "Attempt to modify a readonly table";

// The replaced functions' upvalues (pairs has one: the replaced next).
constexpr int kContentsMap = 1;  // readonly table (or view) -> the table its reads go to
constexpr int kViewsMap = 2;     // metatable -> its readonly view, which getmetatable returns

// A readonly table's __newindex: with the script's position, as Redis's error for `t.k = v`.
int RefuseNewIndex(lua_State* L) { return luaL_error(L, "%s", kReadonly); }

// rawset and setmetatable refuse without a position, as Redis's (raised inside Lua's API).
[[noreturn]] void RaiseReadonly(lua_State* L) {
  lua_pushstring(L, kReadonly);
  lua_error(L);
  __builtin_unreachable();
}

// Pushes the contents of the value at (absolute) `index` and returns true if it is a readonly
// table; pushes nothing otherwise.
bool PushContents(lua_State* L, int index) {
  if (lua_type(L, index) != LUA_TTABLE) return false;
  lua_pushvalue(L, index);
  lua_rawget(L, lua_upvalueindex(kContentsMap));
  if (!lua_isnil(L, -1)) return true;
  lua_pop(L, 1);
  return false;
}

bool IsReadonly(lua_State* L, int index) {
  if (!PushContents(L, index)) return false;
  lua_pop(L, 1);
  return true;
}

// ---- The base functions, as Lua 5.1's with the same argument checks and messages ----

int RawGet(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  lua_pushvalue(L, 2);
  lua_rawget(L, 1);  // a readonly table's own fields: KEYS and ARGV on the globals
  if (lua_isnil(L, -1) && PushContents(L, 1)) {
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
  }
  return 1;
}

int RawSet(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (IsReadonly(L, 1)) RaiseReadonly(L);
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

// A readonly table's own fields first, then its contents'.
int Next(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  if (!PushContents(L, 1)) {
    if (lua_next(L, 1) != 0) return 2;
    lua_pushnil(L);
    return 1;
  }
  bool own = lua_isnil(L, 2);
  if (!own) {
    lua_pushvalue(L, 2);
    lua_rawget(L, 1);
    own = !lua_isnil(L, -1);
    lua_pop(L, 1);
  }
  lua_pushvalue(L, 2);
  if (own) {
    if (lua_next(L, 1) != 0) return 2;
    lua_pushnil(L);  // the contents, from their first field
  }
  if (lua_next(L, 3) != 0) return 2;
  lua_pushnil(L);
  return 1;
}

int Pairs(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

// A readonly table's metatable is the one it had (now its contents'); a metatable with a view
// is shown as the view.
int GetMetatable(lua_State* L) {
  luaL_checkany(L, 1);
  const bool readonly = PushContents(L, 1);
  if (!lua_getmetatable(L, readonly ? -1 : 1)) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushvalue(L, -1);
  lua_rawget(L, lua_upvalueindex(kViewsMap));
  if (!lua_isnil(L, -1)) return 1;
  lua_pop(L, 1);
  if (!readonly) luaL_getmetafield(L, 1, "__metatable");  // pushed, if there is one
  return 1;
}

int SetMetatable(lua_State* L) {
  const int type = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argcheck(L, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table expected");
  if (luaL_getmetafield(L, 1, "__metatable")) luaL_error(L, "cannot change a protected metatable");
  if (IsReadonly(L, 1)) RaiseReadonly(L);
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

// table.insert, the one table function that writes whatever the table holds (remove and sort
// write only into a table with array items, which no readonly table has).
int TableInsert(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  int end = static_cast<int>(lua_objlen(L, 1)) + 1;  // the first empty position
  int pos = end;
  switch (lua_gettop(L)) {
    case 2:
      break;
    case 3:
      pos = luaL_checkint(L, 2);
      if (pos > end) end = pos;
      break;
    default:
      return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  if (IsReadonly(L, 1)) RaiseReadonly(L);
  for (int i = end; i > pos; --i) {  // shift up the items from pos
    lua_rawgeti(L, 1, i - 1);
    lua_rawseti(L, 1, i);
  }
  lua_rawseti(L, 1, pos);  // the value, on top
  return 0;
}

// ---- Building the readonly tables ----

// The maps the replaced functions hold as upvalues, at stack indices while building.
struct Maps {
  int contents;
  int views;
};

// Gives `table` the metatable that makes it readonly: reads go to `reads_from`, writes fail.
void SetReadonlyMetatable(lua_State* L, int table, int reads_from) {
  lua_createtable(L, 0, 2);
  lua_pushvalue(L, reads_from);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, RefuseNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, table);
}

void Register(lua_State* L, int map, int key, int value) {
  lua_pushvalue(L, key);
  lua_pushvalue(L, value);
  lua_rawset(L, map);
}

void MakeReadonly(lua_State* L, int table, const Maps& maps);

// Makes every table among the values of the table at `from` readonly.
void MakeValuesReadonly(lua_State* L, int from, const Maps& maps) {
  lua_pushnil(L);
  while (lua_next(L, from) != 0) {
    if (lua_istable(L, -1)) MakeReadonly(L, lua_gettop(L), maps);
    lua_pop(L, 1);
  }
}

// A metatable stays in use, so it is not emptied: getmetatable shows a readonly view of it,
// an empty table that reads through to it.
void MakeView(lua_State* L, int metatable, const Maps& maps) {
  lua_pushvalue(L, metatable);
  lua_rawget(L, maps.views);
  const bool exists = !lua_isnil(L, -1);
  lua_pop(L, 1);
  if (exists) return;
  lua_newtable(L);
  const int view = lua_gettop(L);
  Register(L, maps.views, metatable, view);
  Register(L, maps.contents, view, metatable);
  SetReadonlyMetatable(L, view, metatable);
  lua_pop(L, 1);
  MakeValuesReadonly(L, metatable, maps);
}

void MakeReadonly(lua_State* L, int table, const Maps& maps) {
  lua_pushvalue(L, table);
  lua_rawget(L, maps.contents);
  const bool done = !lua_isnil(L, -1);  // already readonly (cycles: _G._G)
  lua_pop(L, 1);
  if (done) return;
  luaL_checkstack(L, 8, "readonly tables nested too deep");
  lua_newtable(L);
  const int contents = lua_gettop(L);
  Register(L, maps.contents, table, contents);
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, contents);
  }
  lua_pushnil(L);
  while (lua_next(L, contents) != 0) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushnil(L);
    lua_rawset(L, table);
  }
  // A metatable it had (the globals' one, which reports undefined globals) moves to the
  // contents, where reads that find nothing end.
  if (lua_getmetatable(L, table)) {
    lua_setmetatable(L, contents);
    lua_getmetatable(L, contents);
    MakeView(L, lua_gettop(L), maps);
    lua_pop(L, 1);
  }
  SetReadonlyMetatable(L, table, contents);
  MakeValuesReadonly(L, contents, maps);
  lua_pop(L, 1);
}

}  // namespace

void MakeTablesReadonly(lua_State* L) {
  lua_newtable(L);
  lua_newtable(L);
  const Maps maps{lua_gettop(L) - 1, lua_gettop(L)};
  const luaL_Reg replaced[] = {{"rawget", RawGet},
                               {"rawset", RawSet},
                               {"getmetatable", GetMetatable},
                               {"setmetatable", SetMetatable},
                               {"next", Next}};
  for (const luaL_Reg& f : replaced) {
    lua_pushstring(L, f.name);
    lua_pushvalue(L, maps.contents);
    lua_pushvalue(L, maps.views);
    lua_pushcclosure(L, f.func, 2);
    lua_rawset(L, LUA_GLOBALSINDEX);
  }
  lua_pushliteral(L, "table");
  lua_rawget(L, LUA_GLOBALSINDEX);
  if (lua_istable(L, -1)) {
    lua_pushvalue(L, maps.contents);
    lua_pushvalue(L, maps.views);
    lua_pushcclosure(L, TableInsert, 2);
    lua_setfield(L, -2, "insert");
  }
  lua_pop(L, 1);
  lua_pushliteral(L, "pairs");
  lua_pushliteral(L, "next");
  lua_rawget(L, LUA_GLOBALSINDEX);
  lua_pushcclosure(L, Pairs, 1);
  lua_rawset(L, LUA_GLOBALSINDEX);

  lua_pushvalue(L, LUA_GLOBALSINDEX);
  MakeReadonly(L, lua_gettop(L), maps);
  lua_pop(L, 1);
  // Strings' metatable (its __index is the string library).
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) {
    MakeView(L, lua_gettop(L), maps);
    lua_pop(L, 1);
  }
  lua_pop(L, 3);
}

}  // namespace strata::server
