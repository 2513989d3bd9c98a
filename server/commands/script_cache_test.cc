// The script cache in-process: EVAL's scripts bounded least recently run first (as newer Redis
// versions bound them; Redis 7.0 keeps every script, so this cannot be compared with it), and
// INFO's figures for scripts.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "server/scripting.h"
#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

std::string Body(int i) { return "return " + std::to_string(i); }
std::string Sha(int i) { return Scripting::Sha1Hex(Body(i)); }

// INFO memory's text.
std::string InfoMemory(CommandHarness& h) { return h.RunRaw({"INFO", "memory"}); }

// The number INFO memory gives for `field` (-1 if it is missing).
int64_t InfoNumber(CommandHarness& h, const std::string& field) {
  const std::string info = InfoMemory(h);
  const size_t at = info.find("\r\n" + field + ":");
  if (at == std::string::npos) return -1;
  return std::stoll(info.substr(at + field.size() + 3));
}

bool Cached(CommandHarness& h, const std::string& sha) {
  return h.RunRaw({"SCRIPT", "EXISTS", sha}) == "*1\r\n:1\r\n";
}

TEST(ScriptCache, EvalScriptsPastTheLimitAreEvictedLeastRecentlyRunFirst) {
  CommandHarness h;
  ASSERT_EQ(Scripting::kMaxEvalScripts, 500u);
  // Loaded by SCRIPT LOAD: never evicted, even once EVAL has run it.
  const std::string loaded = "return 'loaded'";
  ASSERT_EQ(h.Run({"SCRIPT", "LOAD", loaded}), "\"" + Scripting::Sha1Hex(loaded) + "\"");
  ASSERT_EQ(h.Run({"EVAL", loaded, "0"}), "\"loaded\"");
  // Arrived by EVAL, then loaded by SCRIPT LOAD: kept from then on.
  const std::string promoted = "return 'promoted'";
  ASSERT_EQ(h.Run({"EVAL", promoted, "0"}), "\"promoted\"");
  ASSERT_EQ(h.Run({"SCRIPT", "LOAD", promoted}), "\"" + Scripting::Sha1Hex(promoted) + "\"");
  for (int i = 0; i < 600; ++i) {
    ASSERT_EQ(h.Run({"EVAL", Body(i), "0"}), "(integer) " + std::to_string(i));
    // Script 0, run again by EVALSHA along the way, is the most recently run for a while.
    if (i == 300) {
      ASSERT_EQ(h.Run({"EVALSHA", Sha(0), "0"}), "(integer) 0");
    }
  }
  // 600 arrived by EVAL; the 500 kept are the most recently run: 0 (run at 300), 101..599.
  EXPECT_TRUE(Cached(h, Sha(0)));
  for (int i = 1; i <= 100; ++i) EXPECT_FALSE(Cached(h, Sha(i))) << i;
  for (int i = 101; i < 600; ++i) EXPECT_TRUE(Cached(h, Sha(i))) << i;
  EXPECT_EQ(h.Run({"EVALSHA", Sha(1), "0"}),
            "(error) NOSCRIPT No matching script. Please use EVAL.");
  EXPECT_TRUE(Cached(h, Scripting::Sha1Hex(loaded)));
  EXPECT_TRUE(Cached(h, Scripting::Sha1Hex(promoted)));
  EXPECT_EQ(InfoNumber(h, "number_of_cached_scripts"), 500 + 2);
  // An evicted script comes back by EVAL, as any new one (evicting the least recently run).
  EXPECT_EQ(h.Run({"EVAL", Body(1), "0"}), "(integer) 1");
  EXPECT_FALSE(Cached(h, Sha(101)));
  EXPECT_EQ(InfoNumber(h, "number_of_cached_scripts"), 500 + 2);
}

TEST(ScriptCache, ACompileErrorEvictsNothing) {
  CommandHarness h;
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ(h.Run({"EVAL", Body(i), "0"}), "(integer) " + std::to_string(i));
  }
  EXPECT_EQ(h.Run({"EVAL", "return (", "0"}).substr(0, 44),
            "(error) ERR Error compiling script (new func");
  EXPECT_TRUE(Cached(h, Sha(0)));
  EXPECT_EQ(InfoNumber(h, "number_of_cached_scripts"), 500);
}

TEST(ScriptCache, InfoMemoryShowsScriptsAsRedis70) {
  CommandHarness h;
  // Redis 7.0's fields for scripts, in its order, between the dataset's and maxmemory.
  const std::vector<std::string> fields = {
      "used_memory_lua",          "used_memory_vm_eval",      "used_memory_lua_human",
      "used_memory_scripts_eval", "number_of_cached_scripts", "number_of_functions",
      "number_of_libraries",      "used_memory_vm_functions", "used_memory_vm_total",
      "used_memory_vm_total_human", "used_memory_functions",  "used_memory_scripts",
      "used_memory_scripts_human"};
  const std::string info = InfoMemory(h);
  size_t last = info.find("\r\nused_memory_dataset:");
  ASSERT_NE(last, std::string::npos);
  for (const std::string& field : fields) {
    const size_t at = info.find("\r\n" + field + ":");
    ASSERT_NE(at, std::string::npos) << field;
    EXPECT_GT(at, last) << field << " out of order";
    last = at;
  }
  EXPECT_GT(info.find("\r\nmaxmemory:"), last);

  const int64_t vm_empty = InfoNumber(h, "used_memory_vm_eval");
  EXPECT_GT(vm_empty, 0);
  EXPECT_EQ(InfoNumber(h, "number_of_cached_scripts"), 0);
  EXPECT_EQ(InfoNumber(h, "used_memory_scripts_eval"), 0);
  // More scripts: more of both memories, and as many scripts.
  std::string big = "local t = {}";
  for (int i = 1; i <= 200; ++i) big += " t[" + std::to_string(i) + "] = 'v" + std::to_string(i) + "'";
  big += " return #t";
  ASSERT_EQ(h.Run({"EVAL", big, "0"}), "(integer) 200");
  for (int i = 0; i < 20; ++i) ASSERT_EQ(h.Run({"SCRIPT", "LOAD", Body(i)}), "\"" + Sha(i) + "\"");
  EXPECT_EQ(InfoNumber(h, "number_of_cached_scripts"), 21);
  const int64_t vm_full = InfoNumber(h, "used_memory_vm_eval");
  const int64_t scripts_full = InfoNumber(h, "used_memory_scripts_eval");
  EXPECT_GT(vm_full, vm_empty);
  EXPECT_GE(scripts_full, static_cast<int64_t>(big.size()) + 20 * 8);
  // The totals add EVAL's and FUNCTION's (no library loaded yet).
  EXPECT_EQ(InfoNumber(h, "used_memory_lua"), vm_full);
  EXPECT_EQ(InfoNumber(h, "number_of_functions"), 0);
  EXPECT_EQ(InfoNumber(h, "number_of_libraries"), 0);
  EXPECT_EQ(InfoNumber(h, "used_memory_vm_total"),
            vm_full + InfoNumber(h, "used_memory_vm_functions"));
  EXPECT_EQ(InfoNumber(h, "used_memory_scripts"),
            scripts_full + InfoNumber(h, "used_memory_functions"));
  // FUNCTION's libraries: counted, and their code in used_memory_functions (they run in
  // EVAL's interpreter: used_memory_vm_functions stays 0).
  const std::string lib =
      "#!lua name=cachelib\n"
      "redis.register_function('f1', function(keys, args) return 1 end)\n"
      "redis.register_function('f2', function(keys, args) return 2 end)";
  ASSERT_EQ(h.Run({"FUNCTION", "LOAD", lib}), "\"cachelib\"");
  EXPECT_EQ(InfoNumber(h, "number_of_functions"), 2);
  EXPECT_EQ(InfoNumber(h, "number_of_libraries"), 1);
  EXPECT_EQ(InfoNumber(h, "used_memory_vm_functions"), 0);
  const int64_t functions = InfoNumber(h, "used_memory_functions");
  EXPECT_GE(functions, static_cast<int64_t>(lib.size()));
  EXPECT_EQ(InfoNumber(h, "used_memory_scripts"), scripts_full + functions);
  ASSERT_EQ(h.Run({"FUNCTION", "FLUSH"}), "+OK");
  EXPECT_EQ(InfoNumber(h, "number_of_functions"), 0);
  EXPECT_EQ(InfoNumber(h, "used_memory_functions"), 0);
  // SCRIPT FLUSH gives it back.
  ASSERT_EQ(h.Run({"SCRIPT", "FLUSH"}), "+OK");
  EXPECT_EQ(InfoNumber(h, "number_of_cached_scripts"), 0);
  EXPECT_EQ(InfoNumber(h, "used_memory_scripts_eval"), 0);
  EXPECT_LT(InfoNumber(h, "used_memory_vm_eval"), vm_full);
}

}  // namespace
}  // namespace strata::server
