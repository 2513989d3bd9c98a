#include "server/lua_convert.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

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

// The n bytes of a bulk payload at *pos and the CRLF after them; false if they are not all there.
bool ReadPayload(std::string_view in, size_t* pos, int64_t n, std::string_view* body) {
  if (n < 0 || static_cast<uint64_t>(n) > in.size() - *pos || in.size() - *pos - n < 2) {
    return false;
  }
  *body = in.substr(*pos, static_cast<size_t>(n));
  *pos += static_cast<size_t>(n) + 2;
  return true;
}

// Pushes a table {name = value} with value on top of the stack (popped).
void WrapInField(lua_State* L, const char* name) {
  lua_newtable(L);
  lua_pushstring(L, name);
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  lua_remove(L, -2);
}

// Pushes t[name] of the table at -1 (raw) and returns its type.
int PushField(lua_State* L, const char* name) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
  return lua_type(L, -1);
}

// A status or big number's text with its line ends made spaces, as Redis sends them.
std::string OneLine(lua_State* L, int index) {
  size_t n;
  const char* s = lua_tolstring(L, index, &n);
  std::string text(s, n);
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return text;
}

// The number of entries of the table at -1.
size_t CountEntries(lua_State* L) {
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    ++n;
  }
  return n;
}

}  // namespace

void PushErrorTable(lua_State* L, std::string_view text) {
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, text.data(), text.size());
  lua_rawset(L, -3);
}

void RaiseError(lua_State* L, std::string_view text) {
  PushErrorTable(L, text);
  lua_error(L);
  __builtin_unreachable();
}

std::vector<std::string> CommandArgs(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc == 0) RaiseError(L, "ERR Please specify at least one argument for this redis lib call");
  std::vector<std::string> args;
  args.reserve(static_cast<size_t>(argc));
  for (int i = 1; i <= argc; ++i) {
    const int t = lua_type(L, i);
    if (t == LUA_TNUMBER) {
      char buf[64];
      const int n = std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, i)));
      args.emplace_back(buf, static_cast<size_t>(n));
    } else if (t == LUA_TSTRING) {
      size_t n;
      const char* s = lua_tolstring(L, i, &n);
      args.emplace_back(s, n);
    } else {
      RaiseError(L, "ERR Lua redis lib command arguments must be strings or integers");
    }
  }
  return args;
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

bool ErrorCounted(lua_State* L, int index) {
  if (!lua_istable(L, index)) return false;
  lua_pushstring(L, kErrorCounted);
  lua_rawget(L, index < 0 ? index - 1 : index);
  const bool counted = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return counted;
}

bool PushReply(lua_State* L, std::string_view in, size_t* pos, int depth) {
  if (*pos >= in.size() || depth > kMaxDepth || !lua_checkstack(L, 8)) return false;
  const char type = in[(*pos)++];
  std::string_view line;
  if (!ReadLine(in, pos, &line)) return false;
  int64_t n = 0;
  switch (type) {
    case '+':
      lua_pushlstring(L, line.data(), line.size());
      WrapInField(L, "ok");
      return true;
    case '-':
      PushErrorTable(L, line);
      lua_pushstring(L, kErrorCounted);
      lua_pushboolean(L, 1);
      lua_rawset(L, -3);
      return true;
    case ':':
      if (!ParseLength(line, &n)) return false;
      lua_pushnumber(L, static_cast<lua_Number>(n));
      return true;
    case '$': {
      if (!ParseLength(line, &n)) return false;
      std::string_view body;
      if (n < 0) {
        lua_pushboolean(L, 0);
      } else if (ReadPayload(in, pos, n, &body)) {
        lua_pushlstring(L, body.data(), body.size());
      } else {
        return false;
      }
      return true;
    }
    case '_':
      if (!line.empty()) return false;
      lua_pushnil(L);
      return true;
    case '#':
      if (line != "t" && line != "f") return false;
      lua_pushboolean(L, line == "t");
      return true;
    case ',': {
      const std::string text(line);
      char* end = nullptr;
      const double d = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size()) return false;
      lua_pushnumber(L, d);
      WrapInField(L, "double");
      return true;
    }
    case '(':
      lua_pushlstring(L, line.data(), line.size());
      WrapInField(L, "big_number");
      return true;
    case '=': {
      std::string_view body;
      if (!ParseLength(line, &n) || !ReadPayload(in, pos, n, &body) || body.size() < 4 ||
          body[3] != ':') {
        return false;
      }
      lua_newtable(L);
      lua_pushstring(L, "string");
      lua_pushlstring(L, body.data() + 4, body.size() - 4);
      lua_rawset(L, -3);
      lua_pushstring(L, "format");
      lua_pushlstring(L, body.data(), 3);
      lua_rawset(L, -3);
      WrapInField(L, "verbatim_string");
      return true;
    }
    case '*':
      if (!ParseLength(line, &n)) return false;
      if (n < 0) {
        lua_pushboolean(L, 0);
        return true;
      }
      lua_createtable(L, static_cast<int>(std::min<int64_t>(n, 1024)), 0);
      for (int64_t i = 1; i <= n; ++i) {
        if (!PushReply(L, in, pos, depth + 1)) return false;
        lua_rawseti(L, -2, static_cast<int>(i));
      }
      return true;
    case '%':
    case '~':
      // {map = {[key] = value}} or {set = {[member] = true}}; a nil key (a RESP3 null) is left out.
      if (!ParseLength(line, &n) || n < 0) return false;
      lua_newtable(L);
      for (int64_t i = 0; i < n; ++i) {
        if (!PushReply(L, in, pos, depth + 1)) return false;
        if (type == '%') {
          if (!PushReply(L, in, pos, depth + 1)) return false;
        } else {
          lua_pushboolean(L, 1);
        }
        if (lua_isnil(L, -2)) {
          lua_pop(L, 2);
        } else {
          lua_rawset(L, -3);
        }
      }
      WrapInField(L, type == '%' ? "map" : "set");
      return true;
    case '|':
      // An attribute: its pairs are read and dropped; the reply it annotates follows.
      if (!ParseLength(line, &n) || n < 0) return false;
      for (int64_t i = 0; i < n; ++i) {  // n pairs (2 * n could overflow)
        for (int half = 0; half < 2; ++half) {
          if (!PushReply(L, in, pos, depth + 1)) return false;
          lua_pop(L, 1);
        }
      }
      // One level deeper: a chain of attributes is bounded like nesting.
      return PushReply(L, in, pos, depth + 1);
    default:
      return false;
  }
}

void ReplyValue(lua_State* L, ReplyBuilder& reply, int resp, ReplyErrors* errors, int depth) {
  if (depth > kMaxDepth || !lua_checkstack(L, 8)) {
    static constexpr std::string_view kTooDeep = "ERR reached lua stack limit";
    reply.Error(kTooDeep);
    errors->any = true;
    errors->fresh.emplace_back(kTooDeep);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t n;
      const char* s = lua_tolstring(L, -1, &n);
      reply.Bulk(std::string_view(s, n));
      return;
    }
    case LUA_TBOOLEAN: {
      const bool v = lua_toboolean(L, -1);
      if (resp == 3) {
        reply.Bool(v);
      } else {
        v ? reply.Int(1) : reply.Null();
      }
      return;
    }
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
    case LUA_TTABLE:
      break;
    default:
      reply.Null();
      return;
  }
  size_t n;
  if (const char* err = ErrField(L, -1, &n)) {
    std::string text(err, n);
    TrimLineEnd(&text);
    reply.Error(text);
    errors->any = true;
    if (!ErrorCounted(L, -1)) errors->fresh.push_back(std::move(text));
    return;
  }
  // Each field looked for is pushed, and popped before the next one or the return.
  if (PushField(L, "ok") == LUA_TSTRING) {
    reply.Simple(OneLine(L, -1));
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (PushField(L, "double") == LUA_TNUMBER) {
    reply.Double(lua_tonumber(L, -1));
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (PushField(L, "big_number") == LUA_TSTRING) {
    reply.BigNumber(OneLine(L, -1));
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (PushField(L, "verbatim_string") == LUA_TTABLE) {
    const bool has_format = PushField(L, "format") == LUA_TSTRING;
    lua_pushstring(L, "string");
    lua_rawget(L, -3);  // stack: verbatim_string, format, string
    if (has_format && lua_type(L, -1) == LUA_TSTRING) {
      size_t text_len, format_len;
      const char* text = lua_tolstring(L, -1, &text_len);
      const char* format = lua_tolstring(L, -2, &format_len);
      reply.Verbatim(std::string_view(text, text_len), std::string_view(format, format_len));
      lua_pop(L, 3);
      return;
    }
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
  for (const char* kind : {"map", "set"}) {
    if (PushField(L, kind) != LUA_TTABLE) {
      lua_pop(L, 1);
      continue;
    }
    const bool map = kind[0] == 'm';
    const size_t count = CountEntries(L);
    map ? reply.Map(count) : reply.Set(count);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {  // key, value on top
      lua_pushvalue(L, -2);
      ReplyValue(L, reply, resp, errors, depth + 1);  // the key
      lua_pop(L, 1);
      if (map) ReplyValue(L, reply, resp, errors, depth + 1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return;
  }
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
    ReplyValue(L, reply, resp, errors, depth + 1);
    lua_pop(L, 1);
  }
}

}  // namespace strata::server::lua
