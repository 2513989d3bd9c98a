// FUNCTION and FCALL side by side with redis-server 7.0: a corpus of library loads (metadata,
// registration and compile errors, REPLACE, name clashes), calls (FCALL, FCALL_RO and the
// no-writes flag, errors inside functions), LIST, DELETE, FLUSH, STATS, and DUMP/RESTORE with
// its policies must give the same replies. A payload FUNCTION DUMP made on redis-server restores
// into Strata and the other way round. Then Strata alone: libraries survive a restart from the
// log, from a snapshot, and a kill -9.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"
#include "tests/integration/side_by_side.h"

namespace strata::integration {
namespace {

using Argv = std::vector<std::string>;

Argv Load(const std::string& body, const std::string& lib = "lib1") {
  return {"FUNCTION", "LOAD", "#!lua name=" + lib + "\n" + body};
}

std::vector<Argv> Corpus() {
  return {
      {"FUNCTION", "FLUSH"},
      {"FLUSHALL"},
      // Metadata.
      {"FUNCTION", "LOAD", "return 1"},
      {"FUNCTION", "LOAD", "#!lua"},
      {"FUNCTION", "LOAD", "#!lua name=a-b\n"},
      {"FUNCTION", "LOAD", "#!lua name=x foo=bar\n"},
      {"FUNCTION", "LOAD", "#!lua name=x name=y\n"},
      {"FUNCTION", "LOAD", "#!foo name=x\n"},
      {"FUNCTION", "LOAD", "#!lua name=\nredis.register_function('f', function() end)"},
      {"FUNCTION", "LOAD", "#!lua name=x\n"},
      // Registration errors.
      Load("redis.register_function('a', 1)"),
      Load("redis.register_function('a', function() end, 3)"),
      Load("redis.register_function{callback=function() end}"),
      Load("redis.register_function{function_name='a'}"),
      Load("redis.register_function('a', function() end)\nredis.register_function('a', function() end)"),
      Load("redis.register_function{function_name='a', callback=function() end, flags='no-writes'}"),
      Load("redis.register_function{function_name='a', callback=function() end, flags={'bogus'}}"),
      Load("redis.register_function{function_name='a', callback=function() end, foo=1}"),
      Load("redis.register_function('f-4', function() return 1 end)"),
      Load("redis.register_function('a')"),
      Load("x = 5"),
      Load("redis.call('set', 'a', 'b')"),
      Load("redis.register_function('a', function() end) return redis.setresp(3)"),
      Load("syntax error here"),
      Load("redis.register_function('a', function() end)\nlocal x = undefined_global"),
      // Loads that work, and clashes.
      Load("redis.register_function('echo', function(keys, args) return {keys[1], args[1], #keys, #args} end)"),
      Load("redis.register_function('other', function() return 1 end)"),
      Load("redis.register_function('echo', function() return 2 end)", "lib2"),
      {"FUNCTION", "LOAD", "REPLACE", "#!lua name=lib1\nredis.register_function('echo', "
                                      "function(keys, args) return 'replaced' end)"},
      {"FUNCTION", "LOAD", "FOO", "#!lua name=lib1\nredis.register_function('echo', function() end)"},
      Load("redis.register_function{function_name='getter', callback=function(keys) return "
           "redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a key'}", "ro"),
      Load("redis.register_function('setter', function(keys, args) return redis.call('set', "
           "keys[1], args[1]) end)", "rw"),
      Load("redis.register_function('sneaky', function(keys) return redis.call('set', keys[1], 'x') "
           "end, {})", "bad"),
      Load("redis.register_function{function_name='sneaky', callback=function(keys) return "
           "redis.call('set', keys[1], 'x') end, flags={'no-writes'}}", "sneaky"),
      Load("redis.register_function('fails', function() return redis.call('nocmd') end)\n"
           "redis.register_function('raises', function() error('oops') end)\n"
           "redis.register_function('replies_error', function() return redis.error_reply('MY err') end)\n"
           "redis.register_function('version', function() return redis.sha1hex('') end)",
           "errs"),
      // While loading, only `redis` is there; the functions then see every global.
      Load("local prefix = cjson.encode({1})\nredis.register_function('a', function() end)", "early"),
      Load("redis.register_function('json', function(keys, args) return "
           "cjson.encode({keys[1], args[1]}) .. cmsgpack.unpack(cmsgpack.pack('m')) .. "
           "bit.tohex(255) .. type(string.len) end)", "libs"),
      Load("redis.register_function('a', function() end)\nstring.len = nil", "ro_string"),
      // Calls.
      {"FCALL", "json", "1", "k", "a"},
      {"FCALL", "echo", "2", "k1", "k2", "a1"},
      {"FCALL", "setter", "1", "key", "value"},
      {"FCALL", "getter", "1", "key"},
      {"FCALL_RO", "getter", "1", "key"},
      {"FCALL_RO", "setter", "1", "key", "v2"},
      {"FCALL", "sneaky", "1", "key"},
      {"FCALL", "fails", "0"},
      {"FCALL", "raises", "0"},
      {"FCALL", "replies_error", "0"},
      {"FCALL", "version", "0"},
      {"FCALL", "nofunc", "0"},
      {"FCALL", "nofunc", "-1"},
      {"FCALL", "echo", "-1"},
      {"FCALL", "echo", "5", "a"},
      {"FCALL", "echo", "x"},
      {"FCALL"},
      {"MULTI"},
      {"FCALL", "setter", "1", "inmulti", "1"},
      {"EXEC"},
      // Over maxmemory (1 byte: both servers are): a function that may write is refused unless
      // flagged allow-oom; a legacy EVAL runs, its writes refused inside.
      Load("redis.register_function{function_name='oom_ok', callback=function(keys) return "
           "redis.call('set', keys[1], 'x') end, flags={'allow-oom'}}", "oomlib"),
      {"CONFIG", "SET", "maxmemory", "1"},
      {"FCALL", "setter", "1", "key", "v3"},
      {"FCALL", "getter", "1", "key"},
      {"FCALL", "oom_ok", "1", "oomkey"},
      {"EVAL", "return redis.call('set', 'k', 'v')", "0"},
      {"EVAL", "return redis.call('get', 'key')", "0"},
      {"CONFIG", "SET", "maxmemory", "0"},
      // LIST (one function per library: Redis lists a library's functions in hash order).
      {"FUNCTION", "LIST", "LIBRARYNAME", "ro"},
      {"FUNCTION", "LIST", "LIBRARYNAME", "rw*", "WITHCODE"},
      {"FUNCTION", "LIST", "LIBRARYNAME", "nomatch"},
      {"FUNCTION", "LIST", "BOGUS"},
      {"FUNCTION", "STATS"},
      {"FUNCTION", "KILL"},
      // DELETE, DUMP and RESTORE.
      {"FUNCTION", "DELETE", "nolib"},
      {"FUNCTION", "DELETE", "errs"},
      {"FCALL", "fails", "0"},
      {"FUNCTION", "RESTORE", "garbage"},
      {"FUNCTION", "RESTORE", "x", "BAD"},
      {"FUNCTION", "RESTORE", "x", "FLUSH", "extra"},
      {"FUNCTION", "FLUSH", "BAD"},
      {"FUNCTION", "FLUSH", "SYNC"},
      {"FCALL", "echo", "0"},
      {"FUNCTION", "LIST"},
      {"MGET", "key", "inmulti"},
  };
}

std::string Transcript(int port) { return CorpusTranscript(port, Corpus()); }

std::string Ask(int port, const Argv& argv) {
  RawConnection c(port);
  c.Send(Encode(argv));
  std::optional<RespValue> v = c.ReadValue();
  return v ? (v->type == '$' && !v->null ? v->str : RenderLine(*v)) : "(no reply)";
}

class FunctionsCompatTest : public SideBySideTest {};

TEST_F(FunctionsCompatTest, CorpusRepliesAsRedis) {
  const std::string want = Transcript(redis_->port());
  ASSERT_NE(want.find("> FCALL getter 1 key\n  \"value\""), std::string::npos) << want;
  EXPECT_EQ(Transcript(strata_->port()), want);
}

// A dump either server makes restores into the other (Redis compresses long library code with
// LZF, Strata writes it plain: each reads both), and the restore policies and the checksum
// behave alike.
TEST_F(FunctionsCompatTest, DumpRestoresAcrossServers) {
  const Argv lib = Load("redis.register_function('twice', function(keys, args) return "
                        "args[1] * 2 end) -- a comment long enough to be worth compressing for LZF "
                        "compression compression compression",
                        "across");
  for (auto [from, to] : {std::pair{redis_, strata_}, std::pair{strata_, redis_}}) {
    ASSERT_EQ(Ask(from->port(), {"FUNCTION", "FLUSH"}), "OK");
    ASSERT_EQ(Ask(to->port(), {"FUNCTION", "FLUSH"}), "OK");
    ASSERT_EQ(Ask(from->port(), lib), "across");
    const std::string payload = Ask(from->port(), {"FUNCTION", "DUMP"});
    EXPECT_EQ(Ask(to->port(), {"FUNCTION", "RESTORE", payload}), "OK");
    EXPECT_EQ(Ask(to->port(), {"FCALL", "twice", "0", "21"}), "42");
    EXPECT_EQ(Ask(to->port(), {"FUNCTION", "RESTORE", payload}),
              "(error) ERR Library across already exists");
    EXPECT_EQ(Ask(to->port(), {"FUNCTION", "RESTORE", payload, "REPLACE"}), "OK");
    EXPECT_EQ(Ask(to->port(), {"FUNCTION", "RESTORE", payload, "FLUSH"}), "OK");
    std::string corrupt = payload;
    corrupt[corrupt.size() / 2] ^= 1;
    EXPECT_EQ(Ask(to->port(), {"FUNCTION", "RESTORE", corrupt}),
              "(error) ERR DUMP payload version or checksum are wrong");
  }
}

// Real libraries, unchanged (tests/clients/node, installed by scripts/install-deps.sh): redlock's
// lock scripts, rate-limiter-flexible's RateLimiterRedis and a sliding-window limiter (a script
// through ioredis's defineCommand, and the same as a function library) behave step for step
// as on redis-server.
TEST_F(FunctionsCompatTest, RedlockAndRateLimitersAsRedis) {
  using namespace std::chrono_literals;
  const std::string script = std::string(STRATA_NODE_CLIENTS_DIR) + "/locks_and_limits.mjs";
  ToolResult want = RunTool({"node", script, std::to_string(redis_->port())}, {}, 60s);
  ASSERT_EQ(want.exit_code, 0) << want.output;
  ASSERT_NE(want.output.find("{\"step\":\"second\",\"acquired\":false,\"error\":\"ExecutionError\"}"),
            std::string::npos) << want.output;
  ASSERT_NE(want.output.find("{\"step\":\"fcall-sliding\",\"t\":300,\"reply\":[0,700]}"),
            std::string::npos) << want.output;
  ToolResult got = RunTool({"node", script, std::to_string(strata_->port())}, {}, 60s);
  EXPECT_EQ(got.exit_code, 0) << got.output;
  EXPECT_EQ(got.output, want.output);
}

// Strata alone: libraries are data, in the log and in snapshots.
TEST(FunctionsPersistenceTest, LibrariesSurviveRestartsSnapshotsAndCrashes) {
  std::string error;
  auto strata = ServerProcess::StartStrata({"--appendfsync", "always", "--save", ""}, &error);
  ASSERT_NE(strata, nullptr) << error;
  const int port = strata->port();
  ASSERT_EQ(Ask(port, Load("redis.register_function('one', function() return 1 end)", "a")), "a");
  ASSERT_EQ(Ask(port, Load("redis.register_function('two', function() return 2 end)", "b")), "b");
  ASSERT_EQ(Ask(port, {"FUNCTION", "DELETE", "a"}), "OK");
  strata->Kill();  // from the log alone
  ASSERT_TRUE(strata->Restart(&error)) << error;
  EXPECT_EQ(Ask(port, {"FCALL", "two", "0"}), "2");
  EXPECT_EQ(Ask(port, {"FCALL", "one", "0"}), "(error) ERR Function not found");
  ASSERT_EQ(Ask(port, {"SAVE"}), "OK");  // then from a snapshot, and the log after it
  ASSERT_EQ(Ask(port, Load("redis.register_function('three', function() return 3 end)", "c")), "c");
  ASSERT_TRUE(strata->Restart(&error)) << error;
  EXPECT_EQ(Ask(port, {"FCALL", "two", "0"}), "2");
  EXPECT_EQ(Ask(port, {"FCALL", "three", "0"}), "3");
  ASSERT_EQ(Ask(port, {"FUNCTION", "FLUSH"}), "OK");
  ASSERT_EQ(Ask(port, {"SET", "k", "v"}), "OK");
  strata->Kill();
  ASSERT_TRUE(strata->Restart(&error)) << error;
  EXPECT_EQ(Ask(port, {"FUNCTION", "LIST"}), "[]");
  EXPECT_EQ(Ask(port, {"GET", "k"}), "v");
}

// kill -9 in the middle of a stream of scripts (each moving a unit between keys of different
// shards and logging it), under appendfsync always: after the restart every script is there
// whole or not at all, and every one that was answered is there.
TEST(FunctionsPersistenceTest, ScriptsAreWholeOrAbsentAfterKill) {
  std::string error;
  auto strata = ServerProcess::StartStrata({"--appendfsync", "always", "--save", ""}, &error);
  ASSERT_NE(strata, nullptr) << error;
  const int port = strata->port();
  const std::string script =
      "redis.call('incr', KEYS[1]) redis.call('decr', KEYS[2]) "
      "return redis.call('rpush', KEYS[3], ARGV[1])";
  std::atomic<int64_t> acked{0};
  std::thread writer([&] {
    RawConnection c(port);
    for (int i = 1;; ++i) {
      if (!c.Send(Encode({"EVAL", script, "3", "{a}up", "{b}down", "{c}log", std::to_string(i)}))) {
        return;
      }
      std::optional<RespValue> v = c.ReadValue();
      if (!v || v->type != ':') return;
      acked = v->integer;
    }
  });
  while (acked < 300) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  strata->Kill();
  writer.join();
  ASSERT_TRUE(strata->Restart(&error)) << error;
  RawConnection c(port);
  c.Send(Encode({"MGET", "{a}up", "{b}down"}));
  std::optional<RespValue> v = c.ReadValue();
  ASSERT_TRUE(v && v->elements.size() == 2);
  const int64_t up = std::stoll(v->elements[0].str), down = std::stoll(v->elements[1].str);
  c.Send(Encode({"LLEN", "{c}log"}));
  const int64_t logged = c.ReadValue()->integer;
  EXPECT_EQ(up, -down);
  EXPECT_EQ(up, logged);
  EXPECT_GE(logged, acked.load());
  c.Send(Encode({"LINDEX", "{c}log", "-1"}));
  EXPECT_EQ(c.ReadValue()->str, std::to_string(logged));
}

}  // namespace
}  // namespace strata::integration
