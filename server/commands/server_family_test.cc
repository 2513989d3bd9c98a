// Server commands in-process: CONFIG, COMMAND, INFO, DBSIZE/FLUSHALL, DEBUG.
#include <gtest/gtest.h>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

TEST(ServerFamily, ConfigGetSetAndTheirErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"CONFIG", "GET", "maxmemory-policy"}), "[\"maxmemory-policy\", \"noeviction\"]");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}), "+OK");
  EXPECT_EQ(h.Run({"CONFIG", "GET", "maxmemory-policy"}),
            "[\"maxmemory-policy\", \"allkeys-lru\"]");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "hz", "5", "HZ", "6"}),
            "(error) ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate "
            "parameter");
  EXPECT_EQ(h.Run({"CONFIG", "NOPE"}), "(error) ERR unknown subcommand 'NOPE'. Try CONFIG HELP.");
}

TEST(ServerFamily, CommandIntrospection) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}), "[\"a\", \"b\"]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "PING"}),
            "(error) ERR wrong number of arguments for 'command|getkeys' command");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "PING", "x"}),
            "(error) ERR The command has no key arguments");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "NOPE", "x"}), "(error) ERR Invalid command specified");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "GET", "a", "b"}),
            "(error) ERR Invalid number of arguments specified for command");
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "get"}).substr(0, 40), "[[\"get\", (integer) 2, [+readonly, +fast]");
}

// Key specs are followed as Redis follows them: the flags of each key, SET's by its arguments,
// and a key count that does not fit the line finds no key.
TEST(ServerFamily, CommandGetKeysAndFlags) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "RENAME", "a", "b"}),
            "[[\"a\", [+RW, +access, +delete]], [\"b\", [+OW, +update]]]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v"}), "[[\"k\", [+OW, +update]]]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v", "get"}),
            "[[\"k\", [+RW, +access, +update]]]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"}),
            "[\"d\", \"a\", \"b\"]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "3", "a", "b"}),
            "(error) ERR Invalid arguments specified for command");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "OBJECT", "ENCODING", "k"}), "[\"k\"]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "CONFIG", "NOPE"}),
            "(error) ERR Invalid command specified");
  EXPECT_EQ(h.Run({"COMMAND", "COUNT"}).find("(integer) "), 0u);
  EXPECT_NE(h.Run({"COMMAND", "INFO", "config|get"}).find("\"config|get\", (integer) -3"),
            std::string::npos);
  EXPECT_NE(h.Run({"COMMAND", "DOCS", "config|get"}).find("\"since\", \"2.0.0\""),
            std::string::npos);
}

TEST(ServerFamily, FlushAndDbsizeAndInfo) {
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  h.Run({"SELECT", "2"}, 1);
  h.Run({"SET", "b", "1"}, 1);
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 1");
  EXPECT_EQ(h.Run({"FLUSHDB"}), "+OK");
  EXPECT_EQ(h.Run({"DBSIZE"}, 1), "(integer) 1");
  const std::string info = h.Run({"INFO", "keyspace"});
  EXPECT_NE(info.find("db2:keys=1,expires=0"), std::string::npos) << info;
  EXPECT_EQ(h.Run({"FLUSHALL"}), "+OK");
  EXPECT_EQ(h.Run({"DBSIZE"}, 1), "(integer) 0");
  EXPECT_EQ(h.Run({"SHUTDOWN", "ABORT"}), "(error) ERR No shutdown in progress.");
}

TEST(ServerFamily, CommandListFilters) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "0"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "FOO", "x"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "MODULE", "x"}), "[]");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "getr*"}), "[\"getrange\"]");
  const std::string client = h.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "CLIENT*"});
  EXPECT_NE(client.find("\"client|kill\""), std::string::npos) << client;
  const std::string strings = h.Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "string"});
  EXPECT_NE(strings.find("\"getex\""), std::string::npos) << strings;
  EXPECT_EQ(strings.find("\"lpush\""), std::string::npos) << strings;
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nope"}), "[]");
}

}  // namespace
}  // namespace strata::server
