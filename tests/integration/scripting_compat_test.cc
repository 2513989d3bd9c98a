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

std::string Transcript(int port) {
  RawConnection c(port);
  std::string out;
  for (const Argv& argv : Corpus()) {
    c.Send(Encode(argv));
    std::optional<RespValue> v = c.ReadValue();
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    out += "> " + line + "\n  " + (v ? RenderLine(*v) : "(no reply)") + "\n";
  }
  return out;
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
