// Dispatch's defence in depth: a request whose handler throws fails alone, the server goes on.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <fstream>
#include <string>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

// The process's mapped bytes (VmSize).
uint64_t MappedBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  }
  return 0;
}

TEST(Dispatch, AnAllocationTheMachineCannotGiveFailsThatRequestNotTheServer) {
#if defined(STRATA_SANITIZE) || defined(STRATA_TSAN)
  GTEST_SKIP() << "the sanitizers reserve address space beyond any cap";
#endif
  CommandHarness h;
  EXPECT_EQ(h.Run({"SET", "a", "1"}), "+OK");
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_AS, &before), 0);
  // Room for 256 MB more than is mapped now: the 512 MB string SETRANGE asks for cannot be made.
  rlimit capped = before;
  capped.rlim_cur = MappedBytes() + (256ull << 20);
  ASSERT_EQ(setrlimit(RLIMIT_AS, &capped), 0);
  const std::string reply = h.Run({"SETRANGE", "k", "536870000", "A"});
  ASSERT_EQ(setrlimit(RLIMIT_AS, &before), 0);
  EXPECT_EQ(reply, "(error) ERR out of memory running 'setrange'");
  // Nothing of it stayed, and the server serves on.
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 0");
  EXPECT_EQ(h.Run({"GET", "a"}), "\"1\"");
  EXPECT_NE(h.RunRaw({"INFO", "stats"}).find("command_exceptions:1\r\n"), std::string::npos);
  // Inside a transaction only that command fails; EXEC answers every other one.
  h.Run({"MULTI"});
  h.Run({"INCR", "a"});
  h.Run({"SETRANGE", "k", "536870000", "A"});
  h.Run({"INCR", "a"});
  ASSERT_EQ(setrlimit(RLIMIT_AS, &capped), 0);
  const std::string exec = h.Run({"EXEC"});
  ASSERT_EQ(setrlimit(RLIMIT_AS, &before), 0);
  EXPECT_EQ(exec,
            "[(integer) 2, (error) ERR out of memory running 'setrange', (integer) 3]");
}

}  // namespace
}  // namespace strata::server
