// Pub/sub and ACL commands in-process.
#include <gtest/gtest.h>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

TEST(PubSubFamily, SubscribersCountAndContextRules) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SUBSCRIBE", "news", "sport"}, 1),
            "[\"subscribe\", \"news\", (integer) 1]\n[\"subscribe\", \"sport\", (integer) 2]");
  EXPECT_EQ(h.Run({"GET", "k"}, 1),
            "(error) ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
            "QUIT / RESET are allowed in this context");
  EXPECT_EQ(h.Run({"PING"}, 1), "[\"pong\", \"\"]");
  EXPECT_EQ(h.Run({"PUBLISH", "news", "hello"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PUBSUB", "NUMSUB", "news", "none"}), "[\"news\", (integer) 1, \"none\", (integer) 0]");
  EXPECT_EQ(h.Run({"PUBSUB", "CHANNELS", "s*"}), "[\"sport\"]");
  h.Reconnect(1);  // a closed connection drops its subscriptions
  EXPECT_EQ(h.Run({"PUBLISH", "news", "hello"}), "(integer) 0");
}

TEST(AclFamily, UsersRulesAndErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"ACL", "SETUSER", "alice", "on", ">pw", "+get", "~k*"}), "+OK");
  EXPECT_EQ(h.Run({"ACL", "DRYRUN", "alice", "get", "key"}), "+OK");
  EXPECT_EQ(h.Run({"ACL", "DRYRUN", "alice", "set", "key", "v"}),
            "\"This user has no permissions to run the 'set' command\"");
  EXPECT_EQ(h.Run({"ACL", "DRYRUN", "bob", "get", "k"}), "(error) ERR User 'bob' not found");
  EXPECT_EQ(h.Run({"ACL", "CAT", "nope"}), "(error) ERR Unknown category 'nope'");
  EXPECT_EQ(h.Run({"ACL", "GENPASS", "0"}),
            "(error) ERR ACL GENPASS argument must be the number of bits for the output "
            "password, a positive number up to 4096");
  EXPECT_EQ(h.Run({"AUTH", "alice", "pw"}, 1), "+OK");
  EXPECT_EQ(h.Run({"GET", "key"}, 1), "(nil)");
  EXPECT_EQ(h.Run({"GET", "other"}, 1),
            "(error) NOPERM this user has no permissions to access one of the keys used as "
            "arguments");
  EXPECT_EQ(h.Run({"SET", "key", "v"}, 1),
            "(error) NOPERM this user has no permissions to run the 'set' command");
}

}  // namespace
}  // namespace strata::server
