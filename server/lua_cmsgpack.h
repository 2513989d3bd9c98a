// cmsgpack: the MessagePack library Redis 7.0 gives scripts (it bundles lua-cmsgpack 0.4.0),
// written for Strata from that library's documentation and from what redis-server answers.
//
//   cmsgpack.pack(v1, v2, ...)          the values' encodings, back to back
//   cmsgpack.unpack(s)                  every value in s, as that many results
//   cmsgpack.unpack_one(s [, offset])   next offset (-1 at the end), then one value
//   cmsgpack.unpack_limit(s, limit [, offset])   next offset, then at most `limit` values
//
// Encoding: a number whose value is an int64 is the smallest integer format that holds it,
// any other number a float32 when that is exact, else a float64; a string is fixstr, str8,
// str16 or str32 (never bin); a table whose keys are exactly 1..n is an array, any other a
// map; tables nested 16 deep and values of other types (functions, cjson.null) are nil.
// Decoding takes every format but bin, ext and fixext ("Bad data format in input."), an
// unsigned 64-bit integer as the signed one with the same bits, and fails with Redis's texts
// for truncated input and for nesting that would overflow the Lua stack.
#pragma once

struct lua_State;

namespace strata::server {

// A lua_CFunction: pushes a new table holding the library (no global is set).
int OpenCmsgpack(lua_State* L);

}  // namespace strata::server
