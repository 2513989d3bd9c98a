// Connection commands in-process: PING/ECHO, HELLO, AUTH, CLIENT, SELECT's bounds, RESET.
#include <gtest/gtest.h>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

TEST(ConnectionFamily, PingEchoAndHello) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"PING"}), "+PONG");
  EXPECT_EQ(h.Run({"PING", "hi"}), "\"hi\"");
  EXPECT_EQ(h.Run({"ECHO", "x"}), "\"x\"");
  EXPECT_EQ(h.Run({"HELLO", "4"}), "(error) NOPROTO unsupported protocol version");
  EXPECT_EQ(h.Run({"HELLO", "x"}),
            "(error) ERR Protocol version is not an integer or out of range");
  EXPECT_EQ(h.Run({"HELLO", "2", "NOPE"}), "(error) ERR Syntax error in HELLO option 'NOPE'");
  const std::string raw = h.RunRaw({"HELLO", "3"});
  EXPECT_EQ(raw.substr(0, 1), "%");  // a RESP3 map
  EXPECT_EQ(h.client(0).resp.load(), 3);
}

TEST(ConnectionFamily, AuthNeedsAPassword) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"AUTH", "x"}),
            "(error) ERR AUTH <password> called without any password configured for the "
            "default user. Are you sure your configuration is correct?");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "requirepass", "secret"}), "+OK");
  h.Reconnect(1);
  EXPECT_EQ(h.Run({"GET", "k"}, 1), "(error) NOAUTH Authentication required.");
  EXPECT_EQ(h.Run({"AUTH", "wrong"}, 1),
            "(error) WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(h.Run({"AUTH", "secret"}, 1), "+OK");
  EXPECT_EQ(h.Run({"GET", "k"}, 1), "(nil)");
}

TEST(ConnectionFamily, ClientNamesIdsAndKill) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"CLIENT", "SETNAME", "has space"}),
            "(error) ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(h.Run({"CLIENT", "SETNAME", "worker"}), "+OK");
  EXPECT_EQ(h.Run({"CLIENT", "GETNAME"}), "\"worker\"");
  EXPECT_EQ(h.Run({"CLIENT", "ID"}), "(integer) " + std::to_string(h.client(0).id));
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", "0"}),
            "(error) ERR client-id should be greater than 0");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", "999"}), "(integer) 0");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "127.0.0.1:1"}), "(error) ERR No such client");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", std::to_string(h.client(1).id)}), "(integer) 1");
  EXPECT_TRUE(h.client(1).killed.load());
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "TYPE", "nope"}), "(error) ERR Unknown client type 'nope'");
}

TEST(ConnectionFamily, ClientListTakesAnyIntegerIdAndNoEvictItsWord) {
  CommandHarness h;
  // As Redis: an ID no client has (0, negative) lists nobody; only a non-integer is an error.
  for (const char* id : {"0", "-1", "-9223372036854775808", "9223372036854775807"}) {
    EXPECT_EQ(h.Run({"CLIENT", "LIST", "ID", id}), "\"\"") << id;
  }
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "ID", "9223372036854775808"}),
            "(error) ERR Invalid client ID");
  EXPECT_EQ(h.Run({"CLIENT", "NO-EVICT", "on"}), "+OK");
  EXPECT_EQ(h.Run({"CLIENT", "NO-EVICT", "OFF"}), "+OK");
  EXPECT_EQ(h.Run({"CLIENT", "NO-EVICT", "1"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "NO-EVICT"}),
            "(error) ERR wrong number of arguments for 'client|no-evict' command");
}

}  // namespace
}  // namespace strata::server
