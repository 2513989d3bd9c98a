#include "server/lua_convert.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace strata::server::lua {

namespace {

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

}  // namespace

void PushErrorTable(lua_State* L, std::string_view text) {
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, text.data(), text.size());
  lua_rawset(L, -3);
}

void TrimLineEnd(std::string* text) {
  while (!text->empty() && (text->back() == '\r' || text->back() == '\n')) text->pop_back();
}

const char* ErrField(lua_State* L, int index, size_t* len) {
  if (!lua_istable(L, index)) return nullptr;
  lua_pushstring(L, "err");
  lua_rawget(L, index < 0 ? index - 1 : index);
  const char* s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, len) : nullptr;
  lua_pop(L, 1);  // the string stays alive: the table holds it
  return s;
}

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

}  // namespace strata::server::lua
