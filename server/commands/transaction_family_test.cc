// MULTI/EXEC/DISCARD/WATCH in-process, with two clients.
#include <gtest/gtest.h>

#include "tests/util/command_harness.h"

namespace strata::server {
namespace {

using testing::CommandHarness;

TEST(TransactionFamily, QueuedCommandsRunAtExec) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"MULTI"}), "+OK");
  EXPECT_EQ(h.Run({"MULTI"}), "(error) ERR MULTI calls can not be nested");
  EXPECT_EQ(h.Run({"SET", "k", "1"}), "+QUEUED");
  EXPECT_EQ(h.Run({"INCR", "k"}), "+QUEUED");
  EXPECT_EQ(h.Run({"GET", "k"}, 1), "(nil)");  // nothing ran yet
  EXPECT_EQ(h.Run({"EXEC"}), "[+OK, (integer) 2]");
  EXPECT_EQ(h.Run({"EXEC"}), "(error) ERR EXEC without MULTI");
  EXPECT_EQ(h.Run({"DISCARD"}), "(error) ERR DISCARD without MULTI");
}

TEST(TransactionFamily, AQueueingErrorAbortsTheTransaction) {
  CommandHarness h;
  h.Run({"MULTI"});
  EXPECT_EQ(h.Run({"SET", "k"}), "(error) ERR wrong number of arguments for 'set' command");
  EXPECT_EQ(h.Run({"NOSUCHCOMMAND"}),
            "(error) ERR unknown command 'NOSUCHCOMMAND', with args beginning with: ");
  EXPECT_EQ(h.Run({"EXEC"}),
            "(error) EXECABORT Transaction discarded because of previous errors.");
  h.Run({"MULTI"});
  EXPECT_EQ(h.Run({"WATCH", "k"}), "(error) ERR WATCH inside MULTI is not allowed");
  EXPECT_EQ(h.Run({"DISCARD"}), "+OK");
}

TEST(TransactionFamily, WatchedKeyChangedByAnotherClientFailsExec) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"WATCH", "k"}), "+OK");
  EXPECT_EQ(h.Run({"SET", "k", "theirs"}, 1), "+OK");
  h.Run({"MULTI"});
  h.Run({"SET", "k", "mine"});
  EXPECT_EQ(h.Run({"EXEC"}), "(nil)");
  EXPECT_EQ(h.Run({"GET", "k"}), "\"theirs\"");
  // EXEC unwatched everything: the next transaction runs.
  h.Run({"MULTI"});
  h.Run({"SET", "k", "mine"});
  EXPECT_EQ(h.Run({"EXEC"}), "[+OK]");
}

}  // namespace
}  // namespace strata::server
