// struct: the binary packing library Redis 7.0 gives scripts (Roberto Ierusalimschy's struct
// 0.2 with Redis's bounds checks), written for Strata from its documentation and from what
// redis-server answers.
//
//   struct.pack(fmt, v1, v2, ...)      the values laid out as fmt says
//   struct.unpack(fmt, s [, offset])   the values read from s (at 1-based offset), then the
//                                      offset just past them
//   struct.size(fmt)                   the bytes fmt lays out (no 's' or 'c0' in it)
//
// Format options: '>' big and '<' little endian (little by default), '!n' aligns each value
// to min(its size, n) (n a power of 2, 8 when omitted; no alignment until then), ' ' is
// skipped; 'x' a zero byte; 'b' 'B' char, 'h' 'H' short (2), 'l' 'L' long (8), 'T' size_t
// (8), 'in' 'In' an n-byte integer (4 when omitted, at most 32), lower case signed; 'f'
// float, 'd' double; 's' a zero-terminated string; 'cn' n bytes of a string ('c0' packs the
// whole string, and unpacks as many bytes as the number read just before). Integers are
// converted and read as Redis's x86-64 build does, out-of-range values and sizes over 8
// bytes included.
#pragma once

struct lua_State;

namespace strata::server {

// A lua_CFunction: pushes a new table holding the library (no global is set).
int OpenStruct(lua_State* L);

}  // namespace strata::server
