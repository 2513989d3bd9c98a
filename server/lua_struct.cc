#include "server/lua_struct.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cstdint>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace strata::server {

namespace {

constexpr int kMaxIntSize = 32;    // 'in': n at most this
constexpr int kDefaultAlign = 8;   // '!' alone: x86-64's strictest alignment (double, pointer)

struct Layout {
  bool big_endian = false;
  size_t align = 1;  // no alignment until a '!'
};

// ASCII only, whatever the locale (Redis's build runs in the C locale).
bool IsDigit(int c) { return c >= '0' && c <= '9'; }
bool IsAlnum(int c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The count written after an option, or `fallback` when none is.
int ReadCount(lua_State* L, const char** fmt, int fallback) {
  if (!IsDigit(**fmt)) return fallback;
  int n = 0;
  do {
    const int digit = *(*fmt)++ - '0';
    if (n > (INT_MAX - digit) / 10) luaL_error(L, "integral size overflow");
    n = n * 10 + digit;
  } while (IsDigit(**fmt));
  return n;
}

// The bytes option `opt` lays out (0 for the control options, 's', and unknown letters).
size_t OptionSize(lua_State* L, int opt, const char** fmt) {
  switch (opt) {
    case 'b': case 'B': case 'x': return 1;
    case 'h': case 'H': return sizeof(short);
    case 'l': case 'L': return sizeof(long);
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'c': return static_cast<size_t>(ReadCount(L, fmt, 1));
    case 'i': case 'I': {
      const int n = ReadCount(L, fmt, sizeof(int));
      if (n > kMaxIntSize) {
        luaL_error(L, "integral size %d is larger than limit of %d", n, kMaxIntSize);
      }
      return static_cast<size_t>(n);
    }
    default: return 0;
  }
}

// Zero bytes before a value of `size` bytes at `offset`. Sizes that are not powers of 2
// ('i3') give what Redis's formula gives.
size_t Padding(size_t offset, const Layout& layout, int opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  size = std::min(size, layout.align);
  return (size - (offset & (size - 1))) & (size - 1);
}

void ApplyControl(lua_State* L, int opt, const char** fmt, Layout* layout) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      layout->big_endian = true;
      return;
    case '<':
      layout->big_endian = false;
      return;
    case '!': {
      const int align = ReadCount(L, fmt, kDefaultAlign);
      if (align == 0 || (align & (align - 1)) != 0) {
        luaL_error(L, "alignment %d is not a power of 2", align);
      }
      layout->align = static_cast<size_t>(align);
      return;
    }
    default:
      luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
  }
}

// Double to integer as x86-64 converts (Redis's build relies on it for values out of range):
// cvttsd2si truncates, giving INT64_MIN for NaN and out-of-range values; gcc's conversion to
// uint64 takes that path below 2^63 (NaN included) and subtracts 2^63 first above it.
int64_t TruncateX86(double d) {
  return d >= -0x1p63 && d < 0x1p63 ? static_cast<int64_t>(d) : INT64_MIN;
}
uint64_t ToUnsignedX86(double d) {
  if (!(d >= 0x1p63)) return static_cast<uint64_t>(TruncateX86(d));
  return static_cast<uint64_t>(TruncateX86(d - 0x1p63)) ^ (uint64_t{1} << 63);
}

// `size` bytes of `bits`, least significant first or last; bytes past the eighth are zero.
void PutBytes(luaL_Buffer* b, uint64_t bits, size_t size, bool big_endian) {
  char bytes[kMaxIntSize];
  for (size_t i = 0; i < size; ++i) {
    bytes[big_endian ? size - 1 - i : i] = static_cast<char>(bits & 0xff);
    bits >>= 8;
  }
  luaL_addlstring(b, bytes, size);
}

// The inverse: only the last eight bytes read stay (the first shift out).
uint64_t GetBytes(const char* p, size_t size, bool big_endian) {
  uint64_t bits = 0;
  for (size_t i = 0; i < size; ++i) {
    bits = (bits << 8) | static_cast<unsigned char>(p[big_endian ? i : size - 1 - i]);
  }
  return bits;
}

double ReadInteger(const char* p, size_t size, bool big_endian, bool is_signed) {
  uint64_t bits = GetBytes(p, size, big_endian);
  if (!is_signed) return static_cast<double>(bits);
  // The sign bit of a `size`-byte integer; x86 takes a shift count modulo 64, which is what
  // Redis's build does for sizes 0 and above 8.
  const uint64_t sign = ~uint64_t{0} << ((size * 8 - 1) & 63);
  if ((bits & sign) != 0) bits |= sign;
  return static_cast<double>(static_cast<int64_t>(bits));
}

bool Fits(size_t pos, size_t size, size_t len) { return size <= len && pos <= len - size; }

int Pack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Layout layout;
  int arg = 2;
  size_t total = 0;
  // Between the arguments and the buffer's pieces: a missing argument reads as nil, as in
  // Redis ("number expected, got nil").
  lua_pushnil(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (*fmt != '\0') {
    const int opt = *fmt++;
    size_t size = OptionSize(L, opt, &fmt);
    const size_t padding = Padding(total, layout, opt, size);
    for (size_t i = 0; i < padding; ++i) luaL_addchar(&b, '\0');
    total += padding;
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
        const double n = luaL_checknumber(L, arg++);
        const uint64_t bits = n < 0 ? static_cast<uint64_t>(TruncateX86(n)) : ToUnsignedX86(n);
        PutBytes(&b, bits, size, layout.big_endian);
        break;
      }
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f': {
        const float f = static_cast<float>(luaL_checknumber(L, arg++));
        PutBytes(&b, std::bit_cast<uint32_t>(f), size, layout.big_endian);
        break;
      }
      case 'd': {
        const double d = luaL_checknumber(L, arg++);
        PutBytes(&b, std::bit_cast<uint64_t>(d), size, layout.big_endian);
        break;
      }
      case 'c':
      case 's': {
        size_t len;
        const char* s = luaL_checklstring(L, arg++, &len);
        if (size == 0) size = len;
        // Redis names the argument after the string.
        luaL_argcheck(L, len >= size, arg, "string too short");
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          ++size;
        }
        break;
      }
      default:
        ApplyControl(L, opt, &fmt, &layout);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

int Unpack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  size_t len;
  const char* data = luaL_checklstring(L, 2, &len);
  // 0-based from here; a negative offset wraps to a huge one, which no option fits after.
  size_t pos = static_cast<size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
  --pos;
  Layout layout;
  int results = 0;
  while (*fmt != '\0') {
    const int opt = *fmt++;
    size_t size = OptionSize(L, opt, &fmt);
    pos += Padding(pos, layout, opt, size);
    luaL_argcheck(L, Fits(pos, size, len), 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");  // this result and the final offset
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        lua_pushnumber(L, ReadInteger(data + pos, size, layout.big_endian, opt >= 'a'));
        ++results;
        break;
      case 'x':
        break;
      case 'f':
        lua_pushnumber(L, std::bit_cast<float>(static_cast<uint32_t>(
                              GetBytes(data + pos, size, layout.big_endian))));
        ++results;
        break;
      case 'd':
        lua_pushnumber(L, std::bit_cast<double>(GetBytes(data + pos, size, layout.big_endian)));
        ++results;
        break;
      case 'c':
        if (size == 0) {  // as many bytes as the previous result says; that result is replaced
          if (results == 0 || !lua_isnumber(L, -1)) {
            luaL_error(L, "format 'c0' needs a previous size");
          }
          size = ToUnsignedX86(lua_tonumber(L, -1));
          lua_pop(L, 1);
          --results;
          luaL_argcheck(L, Fits(pos, size, len), 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        ++results;
        break;
      case 's': {
        const void* end = std::memchr(data + pos, '\0', len - pos);
        if (end == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(end) - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        ++results;
        break;
      }
      default:
        ApplyControl(L, opt, &fmt, &layout);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return results + 1;
}

int Size(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Layout layout;
  size_t pos = 0;
  while (*fmt != '\0') {
    const int opt = *fmt++;
    const size_t size = OptionSize(L, opt, &fmt);
    pos += Padding(pos, layout, opt, size);
    if (opt == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    // Unknown letters and digits lay out nothing here, where pack and unpack reject them.
    if (!IsAlnum(opt)) ApplyControl(L, opt, &fmt, &layout);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

int OpenStruct(lua_State* L) {
  lua_newtable(L);
  const luaL_Reg functions[] = {
      {"pack", Pack}, {"unpack", Unpack}, {"size", Size}, {nullptr, nullptr}};
  luaL_register(L, nullptr, functions);
  return 1;
}

}  // namespace strata::server
