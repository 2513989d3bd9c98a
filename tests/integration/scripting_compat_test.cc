// EVAL, EVALSHA and SCRIPT side by side with redis-server 7.0: a corpus of scripts (the
// conversions of Lua values to replies and of replies to Lua values, redis.call against
// redis.pcall, errors raised by commands, by Lua and by the sandbox, KEYS and ARGV, the script
// cache) must give the same replies, byte for byte once rendered, and leave the same keys.
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
      // A transaction holding a script.
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
      eval("return {big_number='12\r\n3'}"),
      eval("return {big_number=''}"),
      eval("return {big_number=12}"),
      eval("return {verbatim_string={format='txt', string='hello'}}"),
      eval("return {verbatim_string={format='markdown', string='hello'}}"),
      eval("return {verbatim_string={format='mk', string='hello'}}"),
      eval("return {verbatim_string={format='', string='x'}}"),
      eval("return {verbatim_string={format='txt', string='x\r\ny'}}"),
      eval("return {verbatim_string={string='hello'}}"),
      eval("return {ok='x', double=1}"),
      eval("return {double=1, map={a=1}}"),
      eval("return {map={a=1}, set={b=true}}"),
      eval("return {map={a=1}, 2, 3}"),
      eval("return {1, {map={x=2}}, {double=2.5}}"),
      eval("return {ok='a\r\nb'}"),
      eval("return {err='a\r\nb\r\n'}"),
      eval("return redis.status_reply('a\r\nb')"),
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
std::vector<Argv> LibraryCorpus() {
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
  const std::string want = Transcript(redis_->port(), Corpus());
  ASSERT_NE(want.find("  [1, 2, [3, \"a\"], (nil)]"), std::string::npos) << want;
  const std::string got = Transcript(strata_->port(), Corpus());
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
    const std::string want = Transcript(redis_->port(), LibraryCorpus(), resp3, true);
    ASSERT_NE(want.find("  $6\\r\\n7.0.15\n"), std::string::npos) << want;
    EXPECT_EQ(Transcript(strata_->port(), LibraryCorpus(), resp3, true), want)
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
