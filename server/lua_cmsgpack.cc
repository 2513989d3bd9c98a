#include "server/lua_cmsgpack.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <new>
#include <string>
#include <utility>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace strata::server {

namespace {

constexpr int kMaxNesting = 16;  // a table this deep is packed as nil

// The texts Redis answers with (they name lua-cmsgpack's functions).
constexpr char kTooManyValues[] =
    "too many return values at once; use unpack_one or unpack_limit instead.";
constexpr char kArrayTooDeep[] = "in function mp_decode_to_lua_array";
constexpr char kOffsetTooMany[] = "in function mp_unpack_full";

// ---- pack ----

// pack's working buffer, in a userdata (whose __gc destroys it) held as pack's upvalue: a Lua
// error unwinds by longjmp, past C++ destructors, and leaves the buffer's bytes only until the
// next call. Not on the stack, which holds exactly what lua-cmsgpack's holds (see Pack).
struct PackBuffer {
  std::string bytes;
};

int PackBufferGc(lua_State* L) {
  static_cast<PackBuffer*>(lua_touserdata(L, 1))->~PackBuffer();
  return 0;
}

PackBuffer* PushPackBuffer(lua_State* L) {
  PackBuffer* buffer = new (lua_newuserdata(L, sizeof(PackBuffer))) PackBuffer();
  if (luaL_newmetatable(L, "strata.cmsgpack.buffer")) {
    lua_pushcfunction(L, PackBufferGc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return buffer;
}

void PutBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutTagged(std::string* out, uint8_t tag, uint64_t v, int bytes) {
  out->push_back(static_cast<char>(tag));
  PutBigEndian(out, v, bytes);
}

void PackInteger(std::string* out, int64_t v) {
  const uint64_t bits = static_cast<uint64_t>(v);
  if (v >= 0) {
    if (v < 128) {
      out->push_back(static_cast<char>(v));  // positive fixint
    } else if (v <= UINT8_MAX) {
      PutTagged(out, 0xcc, bits, 1);
    } else if (v <= UINT16_MAX) {
      PutTagged(out, 0xcd, bits, 2);
    } else if (v <= UINT32_MAX) {
      PutTagged(out, 0xce, bits, 4);
    } else {
      PutTagged(out, 0xcf, bits, 8);
    }
  } else if (v >= -32) {
    out->push_back(static_cast<char>(v));  // negative fixint
  } else if (v >= INT8_MIN) {
    PutTagged(out, 0xd0, bits, 1);
  } else if (v >= INT16_MIN) {
    PutTagged(out, 0xd1, bits, 2);
  } else if (v >= INT32_MIN) {
    PutTagged(out, 0xd2, bits, 4);
  } else {
    PutTagged(out, 0xd3, bits, 8);
  }
}

void PackNumber(std::string* out, double d) {
  // The range check keeps the conversion defined (and fails for NaN): 2^63 is not an int64.
  if (d >= -0x1p63 && d < 0x1p63 && d == std::trunc(d)) {
    PackInteger(out, static_cast<int64_t>(d));
    return;
  }
  const float f = static_cast<float>(d);
  if (static_cast<double>(f) == d) {
    PutTagged(out, 0xca, std::bit_cast<uint32_t>(f), 4);
  } else {
    PutTagged(out, 0xcb, std::bit_cast<uint64_t>(d), 8);
  }
}

// A string, array or map header: the fix form (`fix` | n) below `fix_limit`, else the 8-bit
// (if the family has one), 16-bit or 32-bit length after its tag.
void PackHeader(std::string* out, uint64_t n, uint8_t fix, uint64_t fix_limit, uint8_t tag8,
                uint8_t tag16, uint8_t tag32) {
  if (n < fix_limit) {
    out->push_back(static_cast<char>(fix | n));
  } else if (tag8 != 0 && n <= UINT8_MAX) {
    PutTagged(out, tag8, n, 1);
  } else if (n <= UINT16_MAX) {
    PutTagged(out, tag16, n, 2);
  } else {
    PutTagged(out, tag32, n, 4);
  }
}

// The table at the top of the stack: true, with *n, when its keys are exactly 1..n.
bool IsArray(lua_State* L, uint64_t* n) {
  luaL_checkstack(L, 2, "in function table_is_an_array");
  uint64_t count = 0;
  double max = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    const double key = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
    if (!(key >= 1 && key == std::floor(key))) {
      lua_pop(L, 1);
      return false;
    }
    max = std::max(max, key);
    ++count;
  }
  *n = count;
  return static_cast<double>(count) == max;
}

void PackValue(lua_State* L, std::string* out, int level);

// The stack checks (and texts) are lua-cmsgpack's, at the same places and with the same
// values pushed, so that many arguments with nested tables run out of stack as in Redis.
void PackTable(lua_State* L, std::string* out, int level) {
  uint64_t n = 0;
  if (IsArray(L, &n)) {
    PackHeader(out, n, 0x90, 16, 0, 0xdc, 0xdd);
    luaL_checkstack(L, 1, "in function mp_encode_lua_table_as_array");
    for (uint64_t i = 1; i <= n; ++i) {
      lua_rawgeti(L, -1, static_cast<int>(i));
      PackValue(L, out, level + 1);
      lua_pop(L, 1);
    }
    return;
  }
  luaL_checkstack(L, 3, "in function mp_encode_lua_table_as_map");
  n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    ++n;
  }
  PackHeader(out, n, 0x80, 16, 0, 0xde, 0xdf);
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pushvalue(L, -2);
    PackValue(L, out, level + 1);
    lua_pop(L, 1);
    PackValue(L, out, level + 1);
    lua_pop(L, 1);
  }
}

// Appends the value at the top of the stack (left there).
void PackValue(lua_State* L, std::string* out, int level) {
  switch (lua_type(L, -1)) {
    case LUA_TBOOLEAN:
      out->push_back(lua_toboolean(L, -1) ? '\xc3' : '\xc2');
      return;
    case LUA_TNUMBER:
      PackNumber(out, lua_tonumber(L, -1));
      return;
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      PackHeader(out, len, 0xa0, 32, 0xd9, 0xda, 0xdb);
      out->append(s, len);
      return;
    }
    case LUA_TTABLE:
      if (level < kMaxNesting) {
        PackTable(L, out, level);
        return;
      }
      break;
    default:
      break;
  }
  out->push_back('\xc0');  // nil, and what has no MessagePack form
}

int Pack(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  // Each value's encoding stays on the stack until the end, as in lua-cmsgpack: hence its
  // limit of 4000 arguments (with room for their encodings) and the room left for nesting.
  if (!lua_checkstack(L, argc)) {
    return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
  }
  std::string& bytes = static_cast<PackBuffer*>(lua_touserdata(L, lua_upvalueindex(1)))->bytes;
  for (int i = 1; i <= argc; ++i) {
    bytes.clear();
    lua_pushvalue(L, i);
    PackValue(L, &bytes, 0);
    lua_pop(L, 1);
    lua_pushlstring(L, bytes.data(), bytes.size());
  }
  std::string().swap(bytes);  // a large output's memory goes now, not at the next call
  lua_concat(L, argc);
  return 1;
}

// ---- unpack ----

enum class DecodeError { kNone, kTruncated, kBadFormat };

struct Cursor {
  const unsigned char* p;
  size_t left;
  DecodeError error = DecodeError::kNone;
};

// Reads a big-endian unsigned integer of `bytes` bytes; false (the cursor marked truncated)
// if the input ends first.
bool ReadUnsigned(Cursor* c, int bytes, uint64_t* v) {
  if (c->left < static_cast<size_t>(bytes)) {
    c->error = DecodeError::kTruncated;
    return false;
  }
  *v = 0;
  for (int i = 0; i < bytes; ++i) *v = (*v << 8) | c->p[i];
  c->p += bytes;
  c->left -= static_cast<size_t>(bytes);
  return true;
}

void DecodeValue(lua_State* L, Cursor* c);

void DecodeString(lua_State* L, Cursor* c, uint64_t len) {
  if (c->left < len) {
    c->error = DecodeError::kTruncated;
    return;
  }
  lua_pushlstring(L, reinterpret_cast<const char*>(c->p), static_cast<size_t>(len));
  c->p += len;
  c->left -= static_cast<size_t>(len);
}

// The index is pushed as a key before each element, as lua-cmsgpack does: the Lua stack then
// overflows at the nesting where Redis's does.
void DecodeArray(lua_State* L, Cursor* c, uint64_t n) {
  lua_newtable(L);
  luaL_checkstack(L, 1, kArrayTooDeep);
  for (uint64_t i = 1; i <= n; ++i) {
    lua_pushnumber(L, static_cast<lua_Number>(i));
    DecodeValue(L, c);
    if (c->error != DecodeError::kNone) return;
    lua_rawset(L, -3);
  }
}

// A nil or NaN key raises Lua's own "table index is nil" / "table index is NaN", as in Redis.
void DecodeMap(lua_State* L, Cursor* c, uint64_t n) {
  lua_newtable(L);
  for (uint64_t i = 0; i < n; ++i) {
    DecodeValue(L, c);
    if (c->error != DecodeError::kNone) return;
    DecodeValue(L, c);
    if (c->error != DecodeError::kNone) return;
    lua_rawset(L, -3);
  }
}

// Pushes the value at the cursor, or marks the cursor (and may push nothing, or part).
void DecodeValue(lua_State* L, Cursor* c) {
  luaL_checkstack(L, 1, kTooManyValues);
  if (c->left == 0) {
    c->error = DecodeError::kTruncated;
    return;
  }
  const uint8_t tag = *c->p++;
  --c->left;
  uint64_t v = 0;
  if (tag <= 0x7f || tag >= 0xe0) {  // positive and negative fixint
    lua_pushnumber(L, static_cast<int8_t>(tag));
  } else if (tag <= 0x8f) {
    DecodeMap(L, c, tag & 0x0f);
  } else if (tag <= 0x9f) {
    DecodeArray(L, c, tag & 0x0f);
  } else if (tag <= 0xbf) {
    DecodeString(L, c, tag & 0x1f);
  } else if (tag == 0xc0) {
    lua_pushnil(L);
  } else if (tag == 0xc2 || tag == 0xc3) {
    lua_pushboolean(L, tag == 0xc3);
  } else if (tag == 0xca) {
    if (ReadUnsigned(c, 4, &v)) lua_pushnumber(L, std::bit_cast<float>(static_cast<uint32_t>(v)));
  } else if (tag == 0xcb) {
    if (ReadUnsigned(c, 8, &v)) lua_pushnumber(L, std::bit_cast<double>(v));
  } else if (tag >= 0xcc && tag <= 0xcf) {
    // An unsigned 64-bit value above INT64_MAX reads as the int64 with its bits, as in Redis.
    if (ReadUnsigned(c, 1 << (tag - 0xcc), &v)) {
      lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(v)));
    }
  } else if (tag >= 0xd0 && tag <= 0xd3) {
    const int bytes = 1 << (tag - 0xd0);
    if (ReadUnsigned(c, bytes, &v)) {
      const int unused = 64 - 8 * bytes;
      lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(v << unused) >> unused));
    }
  } else if (tag >= 0xd9 && tag <= 0xdb) {
    if (ReadUnsigned(c, 1 << (tag - 0xd9), &v)) DecodeString(L, c, v);
  } else if (tag == 0xdc || tag == 0xdd) {
    if (ReadUnsigned(c, tag == 0xdc ? 2 : 4, &v)) DecodeArray(L, c, v);
  } else if (tag == 0xde || tag == 0xdf) {
    if (ReadUnsigned(c, tag == 0xde ? 2 : 4, &v)) DecodeMap(L, c, v);
  } else {
    c->error = DecodeError::kBadFormat;  // 0xc1, bin, ext and fixext
  }
}

// Redis formats these numbers with %d: their low 32 bits, as an int.
int Low32(uint64_t v) { return static_cast<int>(static_cast<uint32_t>(v)); }

// The three unpack functions' body, the string at index 1: `limit` values (every value when
// limit and offset are both 0, and then no offset result) from byte `offset`.
int UnpackFrom(lua_State* L, lua_Integer limit, lua_Integer offset) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  const bool all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    // Redis names the input's length as the limit.
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      Low32(offset), Low32(len));
  }
  if (static_cast<uint64_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", Low32(offset),
                      Low32(len));
  }
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset)};
  int count = 0;
  for (; c.left > 0 && (all || count < limit); ++count) {
    DecodeValue(L, &c);
    if (c.error == DecodeError::kTruncated) return luaL_error(L, "Missing bytes in input.");
    if (c.error == DecodeError::kBadFormat) return luaL_error(L, "Bad data format in input.");
  }
  if (all) return count;
  luaL_checkstack(L, 1, kOffsetTooMany);
  lua_pushinteger(L, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
  lua_insert(L, 2);
  return count + 1;
}

int Unpack(lua_State* L) { return UnpackFrom(L, 0, 0); }

// unpack_one and unpack_limit drop their other arguments: only the string stays on the stack.
void KeepOnlyFirstArgument(lua_State* L) {
  if (lua_gettop(L) > 1) lua_settop(L, 1);
}

int UnpackOne(lua_State* L) {
  const lua_Integer offset = luaL_optinteger(L, 2, 0);
  KeepOnlyFirstArgument(L);
  return UnpackFrom(L, 1, offset);
}

int UnpackLimit(lua_State* L) {
  const lua_Integer limit = luaL_checkinteger(L, 2);
  const lua_Integer offset = luaL_optinteger(L, 3, 0);
  KeepOnlyFirstArgument(L);
  return UnpackFrom(L, limit, offset);
}

}  // namespace

int OpenCmsgpack(lua_State* L) {
  lua_newtable(L);
  PushPackBuffer(L);
  lua_pushcclosure(L, Pack, 1);
  lua_setfield(L, -2, "pack");
  const luaL_Reg functions[] = {{"unpack", Unpack},
                                {"unpack_one", UnpackOne},
                                {"unpack_limit", UnpackLimit},
                                {nullptr, nullptr}};
  luaL_register(L, nullptr, functions);
  // The fields lua-cmsgpack 0.4.0 has, which scripts may read.
  const std::pair<const char*, const char*> fields[] = {
      {"_NAME", "cmsgpack"},
      {"_VERSION", "lua-cmsgpack 0.4.0"},
      {"_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"},
      {"_DESCRIPTION", "MessagePack C implementation for Lua"}};
  for (const auto& [name, value] : fields) {
    lua_pushstring(L, value);
    lua_setfield(L, -2, name);
  }
  return 1;
}

}  // namespace strata::server
