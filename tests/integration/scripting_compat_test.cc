// EVAL, EVALSHA and SCRIPT side by side with redis-server 7.0: a corpus of scripts (the
// conversions of Lua values to replies and of replies to Lua values, redis.call against
// redis.pcall, errors raised by commands, by Lua and by the sandbox, KEYS and ARGV, the script
// cache, the cjson, bit, cmsgpack and struct libraries, readonly tables) must give the same
// replies, byte for byte once rendered, and leave the same keys.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

std::vector<Argv> Corpus() {
  auto eval = [](std::string script, Argv rest = {"0"}) {
    Argv argv = {"EVAL", std::move(script)};
    argv.insert(argv.end(), rest.begin(), rest.end());
    return argv;
  };
  return {
      {"FLUSHALL"},
      {"SCRIPT", "FLUSH"},
      // Lua values to replies.
      eval("return 1"),
      eval("return 3.99"),
      eval("return -3.99"),
      eval("return 'text'"),
      eval("return true"),
      eval("return false"),
      eval("return nil"),
      eval("return"),
      eval("return {1, 2, {3, 'a'}, false, nil, 4}"),
      eval("return {1, 'a', {ok = 'x'}, {err = 'e'}}"),
      eval("return {ok = 'fine'}"),
      eval("return {err = 'My Error'}"),
      eval("return redis.error_reply('boom')"),
      eval("return redis.error_reply('MYCODE boom')"),
      eval("return redis.status_reply('PONG')"),
      eval("return redis.sha1hex('')"),
      eval("return tostring(1e20)"),
      // KEYS and ARGV; commands through redis.call.
      eval("return redis.call('set', KEYS[1], ARGV[1])", {"1", "k", "v"}),
      eval("return redis.call('get', KEYS[1])", {"1", "k"}),
      eval("return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}", {"2", "a", "b", "c", "d"}),
      eval("return redis.call('incr', 'counter')"),
      eval("return redis.call('incrbyfloat', 'f', '1.5')"),
      eval("return redis.call('rpush', 'list', 1, 2.5, 'x')"),
      eval("return redis.call('lrange', 'list', 0, -1)"),
      eval("local t = redis.call('mget', 'nokey', 'k') return {type(t[1]), t[2]}"),
      eval("return redis.call('ping')"),
      eval("return redis.call('get', 1.5)"),
      eval("return redis.pcall('incr', 'k')"),
      eval("return type(redis.pcall('incr', 'k'))"),
      eval("return redis.pcall('incr', 'k')['err']"),
      eval("return redis.call('hset', 'h', 'f1', 'v1', 'f2', 'v2')"),
      eval("return redis.call('hgetall', 'h')"),
      eval("return redis.call('exists', 'h', 'k', 'nokey')"),
      // Errors: from commands, from Lua, from the sandbox.
      eval("return redis.call('get')"),
      eval("return redis.call('nosuch')"),
      eval("return redis.pcall('get')"),
      eval("return redis.call('incr', 'k')"),
      eval("return redis.call('get', {})"),
      eval("return redis.call()"),
      eval("return redis.call('subscribe', 'x')"),
      eval("return redis.call('eval', 'return 1', 0)"),
      // Subcommands are looked up, counted and flagged as themselves.
      eval("return redis.pcall('config', 'nosub')"),
      eval("return redis.pcall('object', 'encoding')"),
      eval("return redis.pcall('object', 'help')[1]"),
      eval("return redis.pcall('client', 'list')"),
      eval("return redis.pcall('script', 'exists', 'abc')"),
      eval("return redis.pcall('script', 'flush')"),
      eval("return redis.call('SET', 'k', 'v')"),
      eval("return x"),
      eval("x = 1"),
      eval("return os"),
      eval("return loadfile"),
      eval("error('oops')"),
      eval("error({err = 'CUSTOM failure'})"),
      eval("local a = nil; return a.b"),
      eval("syntax error here"),
      eval("return 1", {"-1"}),
      eval("return 1", {"2", "a"}),
      eval("return 1", {"x"}),
      // The script cache.
      {"SCRIPT", "LOAD", "return 'loaded'"},
      {"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
      {"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"},
      {"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0000000000000000000000000000000000000000"},
      {"EVALSHA", "0123456789012345678901234567890123456789", "0"},
      {"EVALSHA", "short", "0"},
      {"SCRIPT", "LOAD", "syntax error here"},
      {"SCRIPT", "FLUSH", "bad"},
      {"SCRIPT", "FLUSH", "SYNC"},
      {"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"},
      {"SCRIPT", "KILL"},
      {"SCRIPT", "nope"},
      {"EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k"},
      {"EVAL_RO", "return redis.call('set', KEYS[1], 'x')", "1", "k"},
      // Stream reads block nowhere inside a script.
      eval("return redis.call('XREAD', 'BLOCK', '0', 'STREAMS', 'nostream', '$')"),
      eval("return redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'ns', '>')"),
      eval("redis.call('XADD', 'sx', '1-1', 'f', 'v') return redis.call('XRANGE', 'sx', '-', '+')"),
      eval("return redis.call('XREAD', 'STREAMS', 'sx', '0')"),
      // A transaction holding a script.
      // The shebang line (Redis 7.0): flags, errors, line numbers kept.
      eval("#!lua flags=no-writes\nreturn redis.call('set', 'x', 'y')"),
      eval("#!lua flags=bogus\nreturn 1"),
      eval("#!lua name=x\nreturn 1"),
      eval("#!foo\nreturn 1"),
      eval("#!lua\nreturn redis.call('set', 'shebang', 'y')"),
      {"EVAL_RO", "#!lua\nreturn 1", "0"},
      {"EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"},
      eval("#!lua flags=no-writes,allow-oom\nreturn 2"),
      eval("#!lua flags=\nreturn 3"),
      eval("#!lua\nreturn x"),
      eval("#!lua flags=no-cluster,allow-cross-slot-keys,allow-stale\nreturn 4"),
      {"CONFIG", "SET", "maxmemory", "1"},
      eval("#!lua\nreturn redis.call('get', 'shebang')"),
      eval("#!lua flags=allow-oom\nreturn redis.call('set', 'shebang', 'z')"),
      eval("#!lua flags=no-writes\nreturn redis.call('get', 'shebang')"),
      {"CONFIG", "SET", "maxmemory", "0"},
      {"MULTI"},
      {"EVAL", "return redis.call('incr', KEYS[1])", "1", "counter"},
      {"EXEC"},
      // The keys the scripts left.
      {"DBSIZE"},
      {"MGET", "k", "a", "counter", "f"},
      {"LRANGE", "list", "0", "-1"},
      {"HGETALL", "h"},
      // ACL denials inside scripts: a denied command, key and channel, by call and pcall.
      {"ACL", "SETUSER", "scripter", "on", ">pw", "~allowed*", "&allowed*", "+@all", "-get"},
      {"AUTH", "scripter", "pw"},
      eval("return redis.call('get', 'allowed1')"),
      eval("return redis.pcall('get', 'allowed1')"),
      eval("return redis.call('set', 'denied', 'x')"),
      eval("return redis.pcall('set', 'denied', 'x')"),
      eval("return redis.pcall('mset', 'allowed1', 'a', 'denied', 'b')"),
      eval("return redis.pcall('publish', 'denied', 'm')"),
      eval("return redis.pcall('publish', 'allowed', 'm')"),
      eval("return redis.call('set', 'allowed1', 'x')"),
      eval("return redis.pcall('config', 'get', 'x')"),
      {"EVAL_RO", "return redis.pcall('set', 'denied', 'x')", "0"},
      {"EVAL_RO", "return redis.pcall('set', 'allowed1', 'x')", "0"},
      {"AUTH", "default", "any"},
      {"ACL", "DELUSER", "scripter"},
  };
}

// The libraries Redis 7.0 gives scripts (cjson, bit, cmsgpack, struct) and its readonly
// tables. H(s) is s in hex, X(h) the bytes of hex h: binary replies stay ASCII. A script that
// changes cjson's settings (which outlive the script, in both servers) restores them.
std::vector<Argv> LibraryCorpus() {
  auto lib = [](std::string script) {
    return Argv{"EVAL",
                "local function H(s) return (string.gsub(s, '.', function(c) "
                "return string.format('%02x', string.byte(c)) end)) end "
                "local function X(h) return (string.gsub(h, '..', function(c) "
                "return string.char(tonumber(c, 16)) end)) end " +
                    std::move(script),
                "0"};
  };
  return {
      // cjson.
      lib("return cjson.encode({1, 2, 3})"),
      lib(R"(return cjson.encode(cjson.decode('{"a":[1,2,{"b":null}]}')))"),
      lib(R"(local t = cjson.decode('{"a":[1,2,{"b":null}]}') )"
          "return {t.a[1], t.a[2], type(t.a[3].b)}"),
      lib(R"(return cjson.encode({1, 'a"\\/', {b = true}, 0.1, -3, 1 / 3, 1e300, {}}))"),
      lib("return cjson.encode({[1] = 1, [3] = 3})"),
      lib("return cjson.encode({[1] = 1, [30] = 3})"),
      lib("return cjson.encode(1 / 0)"),
      lib("return cjson.encode(type)"),
      lib("return cjson.decode('[1,2')"),
      lib("return cjson.decode('0x10')"),
      lib("local t = {} t[1] = t return cjson.encode(t)"),
      lib("local t = {} local c = t for i = 1, 999 do c[1] = {} c = c[1] end "
          "return #cjson.encode(t)"),
      lib("return #cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000))"),
      lib("return #cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))"),
      lib("return {cjson.encode_max_depth(), cjson.decode_max_depth()}"),
      lib("cjson.encode_max_depth(2) local ok, err = pcall(cjson.encode, {{{1}}}) "
          "cjson.encode_max_depth(1000) return err"),
      lib("return cjson.encode_max_depth(0)"),
      lib("return {cjson.encode_keep_buffer(), cjson.encode_number_precision()}"),
      // bit.
      lib("return {bit.band(0xff, 0x0f), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.lshift(1, 4), "
          "bit.rshift(256, 4), bit.arshift(-256, 4), bit.bnot(0)}"),
      lib("return {bit.tohex(255), bit.tohex(-1), bit.tohex(255, -4), bit.tobit(2^32 + 5), "
          "bit.tobit(0xffffffff), bit.rol(1, 33), bit.ror(1, 1), bit.bswap(0x12345678)}"),
      lib("return bit.band('x')"),
      // cmsgpack.pack: integers, floats (float32 when exact), strings, tables, nesting.
      lib("return H(cmsgpack.pack(0, 127, 128, 255, 256, 65535, 65536, 2^32 - 1, 2^32, -1, -32, "
          "-33, -128, -129, -32768, -32769, -2^31, -2^31 - 1, -2^40))"),
      lib("return H(cmsgpack.pack(1.5, 0.1, 2^53, 2^63, -2^63, -2^63 - 5000, 1 / 0, -0.0))"),
      lib("return H(cmsgpack.pack(nil, true, false, type, cjson.null, '', string.rep('a', 31)))"),
      lib("local t = {} for _, n in ipairs({32, 255, 256, 65535, 65536}) do "
          "t[#t + 1] = H(cmsgpack.pack(string.rep('a', n))):sub(1, 12) end return t"),
      lib("return H(cmsgpack.pack({}, {1, 2, 3}, {1, 2, nil, 4}, {a = 1}, {[1.5] = 1}, "
          "{[0] = 1}))"),
      lib("local a, m = {}, {} for i = 1, 16 do a[i] = i m['k' .. i] = i end "
          "return {H(cmsgpack.pack(a)):sub(1, 8), H(cmsgpack.pack(m))}"),
      lib("local t = {} for i = 1, 65536 do t[i] = 0 end return H(cmsgpack.pack(t)):sub(1, 12)"),
      lib("local t = {} t[1] = t return H(cmsgpack.pack(t))"),
      lib("local t = {} local c = t for i = 1, 20 do c.a = {} c = c.a end "
          "return H(cmsgpack.pack(t))"),
      lib("return cmsgpack.pack()"),
      // Every argument's encoding stays on the Lua stack until the end, as in Redis: 4000
      // arguments at most, and less room for nesting under many.
      lib("local t = {} for i = 1, 4000 do t[i] = i end return #cmsgpack.pack(unpack(t))"),
      lib("local t = {} for i = 1, 4001 do t[i] = i end return #cmsgpack.pack(unpack(t))"),
      lib("local t = {} for i = 1, 3992 do t[i] = {{{{{{{{{{{{{{{{{{1}}}}}}}}}}}}}}}}}} end "
          "return #cmsgpack.pack(unpack(t))"),
      lib("local t = {} for i = 1, 3984 do t[i] = {a = {b = {c = {d = {e = {f = {g = {h = {i = "
          "{j = {k = {l = {m = {n = {o = {p = {q = 1}}}}}}}}}}}}}}}} end "
          "return #cmsgpack.pack(unpack(t))"),
      // cmsgpack.unpack: every format, errors, nesting limits, several values.
      lib("return {cmsgpack.unpack(X('7fffe0cc80cd0102ce01020304d0ffd180ffd2fffffffe'))}"),
      lib("return {tostring(cmsgpack.unpack(X('ca3fc00000'))), "
          "tostring(cmsgpack.unpack(X('cb3fb999999999999a'))), "
          "tostring(cmsgpack.unpack(X('cfffffffffffffffff'))), "
          "tostring(cmsgpack.unpack(X('d38000000000000000')))}"),
      lib("return {cmsgpack.unpack(X('a3616263d903616263da0003616263db00000003616263c2c3'))}"),
      lib("local t = cmsgpack.unpack(X('9301c0dc000203de0001a1619101')) "
          "return {t[1], type(t[2]), t[3][1], t[3][2], t[3].a[1], #t}"),
      lib("return select('#', cmsgpack.unpack(X('c0c0c0')))"),
      lib("return cmsgpack.unpack('')"),
      lib("return cmsgpack.unpack(X('c1'))"),
      lib("return cmsgpack.unpack(X('c403616263'))"),
      lib("return cmsgpack.unpack(X('c7020161620a'))"),
      lib("return cmsgpack.unpack(X('d40161'))"),
      lib("return cmsgpack.unpack(X('d8016162636465666768696a6b6c6d6e6f70'))"),
      lib("return cmsgpack.unpack(X('9301'))"),
      lib("return cmsgpack.unpack(X('da0001'))"),
      lib("return cmsgpack.unpack(X('81c001'))"),
      lib("return cmsgpack.unpack({})"),
      lib("return #cmsgpack.unpack(string.rep(X('91'), 3999) .. X('01'))"),
      lib("return cmsgpack.unpack(string.rep(X('91'), 4000) .. X('01'))"),
      lib("return cmsgpack.unpack(string.rep(X('81c3'), 4000) .. X('01'))"),
      lib("return select('#', cmsgpack.unpack(string.rep(X('c0'), 7999)))"),
      lib("return select('#', cmsgpack.unpack(string.rep(X('c0'), 8000)))"),
      lib("local t = cmsgpack.unpack(cmsgpack.pack({a = {1, 2, {b = 'x'}}, c = true, d = 1.25})) "
          "return {t.a[1], t.a[3].b, t.c, tostring(t.d)}"),
      // unpack_one and unpack_limit: the next offset (-1 at the end) first.
      lib("return {cmsgpack.unpack_one(X('010203'))}"),
      lib("return {cmsgpack.unpack_one(X('010203'), 2)}"),
      lib("return {cmsgpack.unpack_one(X('010203'), 3)}"),
      lib("return {cmsgpack.unpack_one(X('010203'), 4)}"),
      lib("return {cmsgpack.unpack_one(X('010203'), -1)}"),
      lib("return {cmsgpack.unpack_limit(X('010203'), 2)}"),
      lib("return {cmsgpack.unpack_limit(X('010203'), 0)}"),
      lib("return {cmsgpack.unpack_limit(X('010203'), 5, 1)}"),
      lib("return {cmsgpack.unpack_limit(X('010203'), -1)}"),
      lib("return {cmsgpack.unpack_limit(X('010203'), 'x')}"),
      lib("return {cmsgpack.unpack_limit(X('01cc'), 1)}"),
      lib("return select('#', cmsgpack.unpack_limit(string.rep(X('c0'), 7999), 8000, 0))"),
      // struct.pack: endianness, alignment, every type, conversions as x86 does them, errors.
      lib("return H(struct.pack('>i', 1) .. struct.pack('<i', 1) .. struct.pack('i', 1))"),
      lib("return H(struct.pack('bBhHlLTiI', -1, 255, -2, 65535, -3, 4, 5, -6, 7))"),
      lib("return H(struct.pack('>bBhHlLTiI', -1, 255, -2, 65535, -3, 4, 5, -6, 7))"),
      lib("return {H(struct.pack('!>bi', 1, 2)), H(struct.pack('!2>bi', 1, 2)), "
          "H(struct.pack('!>bd', 1, 2)), H(struct.pack('!4>bd', 1, 2)), "
          "H(struct.pack('!>bxi3', 1, 2)), H(struct.pack('!>bc2i', 1, 'ab', 3))}"),
      lib("return {H(struct.pack('>i16', -2)), H(struct.pack('<i9', -2)), "
          "H(struct.pack('<I9', 2^64 - 1)), H(struct.pack('<i0', 1))}"),
      lib("return {H(struct.pack('<I8', 0 / 0)), H(struct.pack('<I8', 1 / 0)), "
          "H(struct.pack('<I8', -1 / 0)), H(struct.pack('<I8', 2^63 + 2^12)), "
          "H(struct.pack('<i8', -2^64)), H(struct.pack('<i8', -1.9)), H(struct.pack('<b', 300))}"),
      lib("return {H(struct.pack('c0', 'ab')), H(struct.pack('c1', 'ab')), "
          R"(H(struct.pack('s', 'a\0b')), H(struct.pack('c', 12))})"),
      lib("return H(struct.pack('f d >f >d', 1.5, 0.1, 1.5, 0.1))"),
      lib("return struct.pack('=i', 1)"),
      lib("return struct.pack('!3bi', 1, 2)"),
      lib("return struct.pack('!0bi', 1, 2)"),
      lib("return struct.pack('ii', 1)"),
      lib("return struct.pack('i', 'x')"),
      lib("return struct.pack('c5', 'ab')"),
      lib("return struct.pack('<i33', 1)"),
      lib("return struct.pack('<i99999999999', 1)"),
      // struct.size and struct.unpack.
      lib("return {struct.size('bBhHlLTiIfdx'), struct.size('!bd'), struct.size(' <>!4 b h'), "
          "struct.size('z'), struct.size('i0')}"),
      lib("return struct.size('s')"),
      lib("return struct.size('!bc0')"),
      lib("return struct.size('=')"),
      lib("return {struct.unpack('<bBhH', X('fffffeffff7f'))}"),
      lib("return {struct.unpack('!>bd', X('01000000000000004000000000000000'))}"),
      lib("return {tostring(struct.unpack('<I8', X('ffffffffffffffff'))), "
          "tostring(struct.unpack('<i9', X('010000000000000080'))), "
          "tostring(struct.unpack('<i16', X('fffffffffffffffe0000000000000000'))), "
          "tostring(struct.unpack('>f', X('3fc00000'))), struct.unpack('<i0', 'abc')}"),
      lib(R"(return {{struct.unpack('bc0', X('0361626364'))}, {struct.unpack('sc0', '3\0abcd')}})"),
      lib("return {struct.unpack('c2 c3', 'abcde')}"),
      lib(R"(return {struct.unpack('s', 'ab\0c')})"),
      lib("return {struct.unpack('b', 'ab', 2)}"),
      lib("return {struct.unpack('', 'ab', -1)}"),
      lib("return {struct.unpack('b', 'a', 0)}"),
      lib("return {struct.unpack('b', 'ab', -1)}"),
      lib("return {struct.unpack('i', 'ab')}"),
      lib("return {struct.unpack('bc0', X('0561626364'))}"),
      lib("return {struct.unpack('<dc0', X('000000000000f07f') .. 'abc')}"),
      lib("return {struct.unpack('xc0', 'abc')}"),
      lib("return {struct.unpack('s', 'ab')}"),
      lib("return {struct.unpack('z', 'abc')}"),
      lib("return select('#', struct.unpack(string.rep('b', 9000), string.rep('a', 9000)))"),
      lib("return {struct.unpack('!bhbibdbi16bi5', "
          "struct.pack('!bhbibdbi16bi5', 1, 2, 3, 4, 5, 6.5, 7, 8, 9, -10))}"),
      // Readonly tables.
      lib("cjson.encode = 1"),
      lib("bit.band = nil"),
      lib("cmsgpack.pack = nil"),
      lib("struct.newfield = 1"),
      lib("string.len = nil"),
      lib("redis.call = nil"),
      lib("cjson = nil"),
      lib("_G.x = 1"),
      lib("rawset(cjson, 'x', 1)"),
      lib("setmetatable(cjson, nil)"),
      lib("getmetatable('').__index.upper = nil"),
      lib("getmetatable('').x = 1"),
      lib("table.insert(string, 1)"),
      lib("return {type(getmetatable(cjson)), type(getmetatable(_G)), "
          "getmetatable('').__index == string, rawget(_G, 'cjson') ~= nil, "
          "rawget(string, 'len') ~= nil}"),
      lib("local t = {} for k in pairs(cjson) do t[#t + 1] = k end table.sort(t) return t"),
      lib("local t = {} for k in pairs(cmsgpack) do t[#t + 1] = k end table.sort(t) return t"),
      lib("local t = {} for k in pairs(struct) do t[#t + 1] = k end table.sort(t) return t"),
      lib("local t = {} for k in pairs(bit) do t[#t + 1] = k end table.sort(t) return t"),
      lib("local c = cjson.new() c.x = 1 local t = setmetatable({}, {}) t.y = 2 "
          "return {c.x, t.y, ('abc'):upper(), #string}"),
  };
}

// Scripts whose replies depend on the protocols: the script's (redis.setresp) and the
// client's. Run by a RESP2 and by a RESP3 client.
std::vector<Argv> ProtocolCorpus() {
  auto eval = [](std::string script) { return Argv{"EVAL", std::move(script), "0"}; };
  return {
      {"FLUSHALL"},
      {"HSET", "h", "f", "v"},
      {"SADD", "s", "m"},
      {"ZADD", "z", "1.5", "m"},
      {"SET", "str", "x"},
      // A script's RESP3 values, and what a RESP2 client gets of them.
      eval("return {double=3.14}"),
      eval("return {double=3}"),
      eval("return {double=1e300}"),
      eval("return {double=0/0}"),
      eval("return {double=1/0}"),
      eval("return {double=-1/0}"),
      eval("return {double='x'}"),
      eval("return {map={a=1}}"),
      eval("return {map={a=1, b={1, 2}}}"),
      eval("return {map={[1]='a', [2]='b'}}"),
      eval("return {map={x=true, y=false}}"),
      eval("return {map={[{1}]=1}}"),
      eval("return {map={}}"),
      eval("return {set={a=true}}"),
      eval("return {set={a=true, b=false}}"),
      eval("return {set={[true]=true}}"),
      eval("return {set={}}"),
      eval("return {map={a={map={b={set={c=true}}}}}}"),
      eval("return {big_number='123456789012345678901234567890'}"),
      eval("return {big_number='12\\r\\n3'}"),
      eval("return {big_number=''}"),
      eval("return {big_number=12}"),
      eval("return {verbatim_string={format='txt', string='hello'}}"),
      eval("return {verbatim_string={format='markdown', string='hello'}}"),
      eval("return {verbatim_string={format='mk', string='hello'}}"),
      eval("return {verbatim_string={format='', string='x'}}"),
      eval("return {verbatim_string={format='txt', string='x\\r\\ny'}}"),
      eval("return {verbatim_string={string='hello'}}"),
      eval("return {ok='x', double=1}"),
      eval("return {double=1, map={a=1}}"),
      eval("return {map={a=1}, set={b=true}}"),
      eval("return {map={a=1}, 2, 3}"),
      eval("return {1, {map={x=2}}, {double=2.5}}"),
      eval("return {ok='a\\r\\nb'}"),
      eval("return {err='a\\r\\nb\\r\\n'}"),
      eval("return redis.status_reply('a\\r\\nb')"),
      // Booleans and nil under either protocol of the script.
      eval("return true"),
      eval("return false"),
      eval("return nil"),
      eval("redis.setresp(3) return true"),
      eval("redis.setresp(3) return false"),
      eval("redis.setresp(3) return nil"),
      eval("redis.setresp(2) return false"),
      eval("redis.setresp(3) redis.setresp(2) return false"),
      eval("redis.setresp(3) return {map={x=true, y=false}}"),
      eval("redis.setresp(3) return {double=1.5, ok='x'}"),
      eval("return true"),  // setresp lasts one script
      // Commands' RESP3 replies as Lua values, and back.
      eval("redis.setresp(3) return redis.call('hgetall', 'h')"),
      eval("redis.setresp(3) local r = redis.call('hgetall', 'h') return {type(r), type(r.map), r.map.f}"),
      eval("redis.setresp(3) return redis.call('hgetall', 'nokey')"),
      eval("redis.setresp(3) local r = redis.call('smembers', 's') return {type(r.set), tostring(r.set.m)}"),
      eval("redis.setresp(3) return redis.call('smembers', 's')"),
      eval("redis.setresp(3) return redis.call('smembers', 'nokey')"),
      eval("redis.setresp(3) local r = redis.call('zscore', 'z', 'm') return {type(r), r.double}"),
      eval("redis.setresp(3) return redis.call('zscore', 'z', 'm')"),
      eval("redis.setresp(3) local r = redis.call('zscore', 'z', 'm') return r.double * 2"),
      eval("redis.setresp(3) return redis.call('zrange', 'z', '0', '-1', 'withscores')"),
      eval("redis.setresp(3) return redis.call('zadd', 'z', 'incr', '1', 'm')"),
      eval("redis.setresp(3) return redis.call('zrandmember', 'z', 1, 'withscores')"),
      eval("redis.setresp(3) return redis.call('zpopmin', 'z')"),
      eval("redis.setresp(3) return redis.call('zrange', 'nokey', 0, -1)"),
      eval("redis.setresp(3) return redis.call('hrandfield', 'h', 1, 'withvalues')"),
      eval("redis.setresp(3) local r = redis.call('get', 'nokey') return type(r)"),
      eval("local r = redis.call('get', 'nokey') return type(r)"),
      eval("redis.setresp(3) return redis.call('get', 'nokey')"),
      eval("redis.setresp(3) return redis.call('hget', 'h', 'nof')"),
      eval("redis.setresp(3) return redis.call('lpop', 'nokey')"),
      eval("redis.setresp(3) local r = redis.call('lpop', 'nokey', 2) return type(r)"),
      eval("redis.setresp(3) return redis.call('lpos', 'nokey', 'x')"),
      eval("redis.setresp(3) return redis.call('smismember', 's', 'm', 'x')"),
      eval("redis.setresp(3) return redis.call('exists', 'h')"),
      eval("redis.setresp(3) return redis.call('incrbyfloat', 'f', '1.5')"),
      eval("redis.setresp(3) return redis.call('object', 'freq', 'nokey')"),
      eval("redis.setresp(3) return {redis.call('ping')}"),
      eval("redis.setresp(3) return redis.call('set', 'k', 'v')"),
      eval("redis.setresp(3) return redis.call('type', 'z')"),
      eval("redis.setresp(3) return redis.call('time')[1] ~= nil"),
      eval("redis.setresp(3) return redis.pcall('incr', 'h')"),
      eval("redis.setresp(3) return redis.pcall('get')"),
      eval("redis.setresp(3) redis.setresp(2) return redis.call('hgetall', 'h')"),
      // The error table of a command's error, as a script sees it.
      eval("local t = redis.pcall('nosuch') local r = {} for k in pairs(t) do r[#r+1] = k end "
           "table.sort(r) return r"),
      eval("local t = redis.pcall('incr', 'h') local r = {} for k in pairs(t) do r[#r+1] = k end "
           "table.sort(r) return r"),
      eval("local t = redis.error_reply('x') local r = {} for k in pairs(t) do r[#r+1] = k end "
           "table.sort(r) return r"),
      // redis.setresp's arguments.
      eval("return redis.setresp(4)"),
      eval("return redis.setresp()"),
      eval("return redis.setresp(1, 2)"),
      eval("return redis.setresp('3')"),
      eval("return redis.setresp('x')"),
      eval("return redis.setresp(2.9)"),
      eval("return redis.setresp(3.9)"),
      eval("return redis.setresp(nil)"),
      eval("return redis.setresp({})"),
  };
}

// The rest of the redis library, and Redis's math.random and pcall.
std::vector<Argv> RedisLibraryCorpus() {
  auto eval = [](std::string script) { return Argv{"EVAL", std::move(script), "0"}; };
  return {
      eval("local t = {} for k in pairs(redis) do t[#t+1] = k end table.sort(t) return t"),
      eval("return redis.set_repl(redis.REPL_ALL)"),
      eval("return redis.set_repl(redis.REPL_NONE)"),
      eval("return redis.set_repl(2.5)"),
      eval("return redis.set_repl(nil)"),
      eval("return redis.set_repl('x')"),
      eval("return redis.set_repl(5)"),
      eval("return redis.set_repl(4)"),
      eval("return redis.set_repl(-1)"),
      eval("return redis.set_repl()"),
      eval("return redis.set_repl(1, 2)"),
      eval("return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, "
           "redis.REPL_ALL}"),
      eval("return redis.replicate_commands()"),
      eval("return redis.replicate_commands(1)"),
      eval("return redis.REDIS_VERSION"),
      eval("return redis.REDIS_VERSION_NUM"),
      eval("return type(redis.REDIS_VERSION_NUM)"),
      eval("return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}"),
      eval("return redis.log(redis.LOG_DEBUG, 'compat-test debug line')"),
      eval("return redis.log(redis.LOG_WARNING)"),
      eval("return redis.log('x', 'y')"),
      eval("return redis.log(7, 'y')"),
      eval("return redis.log(-1, 'y')"),
      eval("return redis.log('0', 'y')"),
      eval("return redis.log(0, {}, 'y')"),
      eval("return redis.breakpoint()"),
      eval("return {redis.breakpoint()}"),
      eval("return redis.breakpoint(1, 2)"),
      eval("return redis.debug('x')"),
      eval("return {redis.debug()}"),
      eval("return type(redis.debug)"),
      eval("return redis.acl_check_cmd('set', 'k', 'v')"),
      eval("return redis.acl_check_cmd('SET', 'k', 'v')"),
      eval("return redis.acl_check_cmd('set')"),
      eval("return redis.acl_check_cmd('set', 'a', 'b', 'c', 'd')"),
      eval("return redis.acl_check_cmd('config')"),
      eval("return redis.acl_check_cmd('config', 'get')"),
      eval("return redis.acl_check_cmd('config', 'nosub')"),
      eval("return redis.acl_check_cmd('nosuch')"),
      eval("return redis.acl_check_cmd(1)"),
      eval("return redis.acl_check_cmd()"),
      eval("return redis.acl_check_cmd({})"),
      {"ACL", "SETUSER", "checker", "on", ">pw", "~allowed*", "+@all", "-get"},
      {"AUTH", "checker", "pw"},
      eval("return redis.acl_check_cmd('get', 'allowed1')"),
      eval("return redis.acl_check_cmd('get')"),
      eval("return redis.acl_check_cmd('set', 'denied', 'x')"),
      eval("return redis.acl_check_cmd('set', 'allowed2', 'x')"),
      eval("return redis.acl_check_cmd('set')"),
      eval("return redis.acl_check_cmd('config', 'get', 'x')"),
      {"AUTH", "default", "any"},
      {"ACL", "DELUSER", "checker"},
      // Numbers as command arguments ("%.17g").
      eval("return redis.call('echo', 0.1)"),
      eval("return redis.call('echo', 1e20)"),
      eval("return redis.call('echo', 1/3)"),
      eval("return redis.call('echo', 100)"),
      eval("return redis.call('echo', -0.0)"),
      eval("return redis.call('echo', 1/0)"),
      // Redis's pcall: an error table caught as its text.
      eval("local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), e}"),
      eval("local ok, e = pcall(error, {err='x'}) return {tostring(ok), e}"),
      eval("local ok, e = pcall(error, {a=1}) return {tostring(ok), type(e)}"),
      eval("return select('#', pcall(error, {a=1}))"),
      eval("local ok, e = pcall(error, 'plain') return {tostring(ok), e}"),
      eval("return {pcall(function() return 1, 2 end)}"),
      eval("return {pcall()}"),
      eval("local ok, e = xpcall(function() redis.call('nosuch') end, function(e) return e end) "
           "return {tostring(ok), type(e)}"),
      eval("return pcall(redis.call, 'nosuch')"),
      // math.random: Redis's generator, not reseeded for each script.
      eval("return math.random(1000)"),
      eval("return math.random(1000)"),
      eval("return math.random()"),
      eval("return tostring(math.random())"),
      eval("return math.random(3, 5)"),
      eval("return math.random(-5, 5)"),
      eval("return math.random(2147483647)"),
      eval("return tostring(math.random(1.5))"),
      eval("return math.random(5, 3)"),
      eval("return math.random(0)"),
      eval("return math.random(1, 2, 3)"),
      eval("return math.random('x')"),
      eval("return {pcall(math.random, 0)}"),
      eval("math.randomseed(42) return math.random(100000)"),
      eval("return math.random(100000)"),
      eval("math.randomseed(-1) return math.random(100000)"),
      eval("math.randomseed(4294967296 + 7) return math.random(100000)"),
      eval("math.randomseed(1.9) return math.random(100000)"),
      eval("math.randomseed('12') return math.random(100000)"),
      eval("return math.randomseed()"),
      eval("return math.randomseed(1, 2)"),
      {"SCRIPT", "FLUSH"},
      eval("return math.random(100000)"),  // the generator outlives the script cache
  };
}

// A reply as its RESP bytes, with CR and LF written as \r and \n: exact, whatever the protocol.
std::string RenderExact(const RespValue& v) {
  std::string out(1, v.type);
  switch (v.type) {
    case ':': out += std::to_string(v.integer); break;
    case '_': break;
    case '$':
    case '=':
    case '!':
      out += std::to_string(v.integer);
      if (!v.null) out += "\\r\\n" + v.str;
      break;
    case '*':
    case '~':
    case '>':
    case '%':
    case '|':
      out += std::to_string(v.integer);
      for (const RespValue& e : v.elements) out += "\\r\\n" + RenderExact(e);
      return out;
    default: out += v.str; break;
  }
  std::string escaped;
  for (char c : out) escaped += c == '\r' ? "\\r" : c == '\n' ? "\\n" : std::string(1, c);
  return escaped;
}

// Sends `corpus` on one connection (after HELLO 3 when `resp3`) and writes down each command
// and its reply: exactly, or when `exact` is false as RenderLine shows it.
std::string Transcript(int port, const std::vector<Argv>& corpus, bool resp3 = false,
                       bool exact = false) {
  RawConnection c(port);
  std::string out;
  if (resp3) {
    c.Send(Encode({"HELLO", "3"}));
    std::optional<RespValue> hello = c.ReadValue();
    if (!hello || hello->type != '%') return "HELLO 3 failed";
  }
  for (const Argv& argv : corpus) {
    c.Send(Encode(argv));
    std::optional<RespValue> v = c.ReadValue();
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    out += "> " + line + "\n  " +
           (!v ? "(no reply)" : exact ? RenderExact(*v) : RenderLine(*v)) + "\n";
  }
  return out;
}

class ScriptingCompatTest : public SideBySideTest {};

TEST_F(ScriptingCompatTest, CorpusRepliesAsRedis) {
  std::vector<Argv> corpus = Corpus();
  for (Argv& argv : LibraryCorpus()) corpus.push_back(std::move(argv));
  const std::string want = Transcript(redis_->port(), corpus);
  ASSERT_NE(want.find("  [1, 2, [3, \"a\"], (nil)]"), std::string::npos) << want;
  const std::string got = Transcript(strata_->port(), corpus);
  EXPECT_EQ(got, want);
}

// The same corpus from a RESP3 client, compared byte for byte.
TEST_F(ScriptingCompatTest, CorpusRepliesAsRedisToResp3Client) {
  const std::string want = Transcript(redis_->port(), Corpus(), true, true);
  ASSERT_NE(want.find("  _\n"), std::string::npos) << want;
  EXPECT_EQ(Transcript(strata_->port(), Corpus(), true, true), want);
}

// RESP3 inside scripts (redis.setresp, the RESP3 kinds of values both ways), to a RESP2 and to
// a RESP3 client, compared byte for byte.
TEST_F(ScriptingCompatTest, ProtocolsRepliesAsRedis) {
  for (const bool resp3 : {false, true}) {
    const std::string want = Transcript(redis_->port(), ProtocolCorpus(), resp3, true);
    ASSERT_NE(want.find(resp3 ? "  ,3.1400000000000001\n" : "  $18\\r\\n3.1400000000000001\n"),
              std::string::npos)
        << want;
    EXPECT_EQ(Transcript(strata_->port(), ProtocolCorpus(), resp3, true), want)
        << (resp3 ? "RESP3 client" : "RESP2 client");
  }
}

// The redis library and Redis's builtins, to a RESP2 and a RESP3 client.
TEST_F(ScriptingCompatTest, LibraryRepliesAsRedis) {
  for (const bool resp3 : {false, true}) {
    const std::string want = Transcript(redis_->port(), RedisLibraryCorpus(), resp3, true);
    ASSERT_NE(want.find("  $6\\r\\n7.0.15\n"), std::string::npos) << want;
    EXPECT_EQ(Transcript(strata_->port(), RedisLibraryCorpus(), resp3, true), want)
        << (resp3 ? "RESP3 client" : "RESP2 client");
  }
}

// redis.log writes to the server's log (Redis's format, the level's mark), below the
// configured level nothing.
TEST_F(ScriptingCompatTest, RedisLogWritesToTheServersLog) {
  RawConnection c(strata_->port());
  c.Send(Encode({"EVAL", "redis.log(redis.LOG_WARNING, 'script-line', 'two', 3) "
                 "redis.log(redis.LOG_NOTICE, 'notice-line') "
                 "redis.log(redis.LOG_DEBUG, 'debug-line') return 1", "0"}));
  ASSERT_EQ(c.ReadValue()->integer, 1);
  const std::string log = strata_->Log();
  EXPECT_NE(log.find(" # script-line two 3\n"), std::string::npos) << log;
  EXPECT_NE(log.find(" * notice-line\n"), std::string::npos) << log;
  EXPECT_EQ(log.find("debug-line"), std::string::npos) << log;
}

// Strata alone: scripts move units between two keys (on different shards) while other clients
// read both with MGET; no reader ever sees a total other than the one the keys started with.
TEST_F(ScriptingCompatTest, ScriptsAreAtomicAcrossShards) {
  const int port = strata_->port();
  RawConnection setup(port);
  setup.Send(Encode({"MSET", "acct:alpha", "1000", "acct:omega", "0"}));
  ASSERT_EQ(setup.ReadValue()->str, "OK");
  constexpr int kMoves = 2000;
  std::atomic<bool> done{false};
  std::atomic<int> partial{0}, reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      RawConnection c(port);
      while (!done) {
        c.Send(Encode({"MGET", "acct:alpha", "acct:omega"}));
        std::optional<RespValue> v = c.ReadValue();
        if (!v || v->elements.size() != 2) return;
        ++reads;
        if (std::stoll(v->elements[0].str) + std::stoll(v->elements[1].str) != 1000) ++partial;
      }
    });
  }
  RawConnection mover(port);
  const std::string script =
      "redis.call('decrby', KEYS[1], ARGV[1]) redis.call('incrby', KEYS[2], ARGV[1]) return 1";
  for (int i = 0; i < kMoves; ++i) {
    const bool forward = i % 2 == 0;
    mover.Send(Encode({"EVAL", script, "2", forward ? "acct:alpha" : "acct:omega",
                       forward ? "acct:omega" : "acct:alpha", std::to_string(i % 7 + 1)}));
    std::optional<RespValue> v = mover.ReadValue();
    ASSERT_TRUE(v.has_value());
    ASSERT_EQ(v->integer, 1) << RenderLine(*v);
  }
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(partial.load(), 0) << "of " << reads.load() << " reads";
}

}  // namespace
}  // namespace strata::integration
