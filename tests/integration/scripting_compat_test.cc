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
      // A transaction holding a script.
      {"MULTI"},
      {"EVAL", "return redis.call('incr', KEYS[1])", "1", "counter"},
      {"EXEC"},
      // The keys the scripts left.
      {"DBSIZE"},
      {"MGET", "k", "a", "counter", "f"},
      {"LRANGE", "list", "0", "-1"},
      {"HGETALL", "h"},
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

std::string Transcript(int port) {
  std::vector<Argv> corpus = Corpus();
  for (Argv& argv : LibraryCorpus()) corpus.push_back(std::move(argv));
  return CorpusTranscript(port, corpus);
}

class ScriptingCompatTest : public SideBySideTest {};

TEST_F(ScriptingCompatTest, CorpusRepliesAsRedis) {
  const std::string want = Transcript(redis_->port());
  ASSERT_NE(want.find("  [1, 2, [3, \"a\"], (nil)]"), std::string::npos) << want;
  const std::string got = Transcript(strata_->port());
  EXPECT_EQ(got, want);
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
