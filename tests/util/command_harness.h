// CommandHarness: runs commands in-process against a Server that is never started (no sockets,
// threads or disk), as a worker runs what a connection sends: the same Server::Execute, the same
// Service calls when a client connects, disconnects, blocks, is served or times out. Fast tests of each
// command family use it (server/commands/*_test.cc); the command fuzz target builds on it.
//
//   CommandHarness h;
//   EXPECT_EQ(h.Run({"SET", "k", "v"}), "+OK");
//   EXPECT_EQ(h.Run({"GET", "k"}), "\"v\"");
//
// Replies are rendered as tests/util/reply.h's Render does. Two clients (0 and 1) are connected
// from the start, for WATCH, pub/sub, blocking commands and CLIENT KILL. Not thread safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/redo.h"
#include "server/net/client.h"
#include "server/net/reply_builder.h"
#include "server/server.h"

namespace strata::testing {

class CommandHarness {
 public:
  static constexpr int kClients = 2;

  // `settings`: (name, value) pairs set as at start-up, after the harness's own defaults
  // (4 shards, appendonly no, no snapshots).
  explicit CommandHarness(std::vector<std::pair<std::string, std::string>> settings = {});
  ~CommandHarness();

  // Runs one command line as `client` and returns its reply, rendered ("+OK", "(integer) 1",
  // "\"v\"", "(nil)", "[...]", "(error) ERR ..."); several replies (SUBSCRIBE a b) are joined by
  // "\n"; a command that blocked returns "(blocked)". A RESP3 client's replies come raw.
  std::string Run(std::vector<std::string> line, int client = 0);
  // The same, with the reply's bytes as the client would receive them.
  std::string RunRaw(const std::vector<std::string>& line, int client = 0);

  // A blocked client's reply if another client's command served it since (the client is then
  // no longer blocked), else "(blocked)"; rendered as Run does.
  std::string Woken(int client);
  // A blocked client's time is up: answers its time-out reply, as its worker does; returns
  // the reply as Run does.
  std::string TimeOut(int client);
  // The same, with the reply's bytes ("" for a client still blocked).
  std::string WokenRaw(int client);
  std::string TimeOutRaw(int client);
  // The command line a blocked client waits in.
  const std::vector<std::string>& blocked_line(int client) const {
    return clients_[client].blocked_line;
  }

  // The connection closes and a new one takes its place (a new id, fresh state).
  void Reconnect(int client);

  server::Server& server() { return *server_; }
  server::ClientState& client(int i) { return *clients_[i].state; }
  // The records the last command committed to the log stay here only if it forgot to commit.
  const engine::RedoRecord& redo() const { return redo_; }

 private:
  // Stands in for the clients' worker: keeps the replies blocked clients are served.
  class Mail final : public server::Mailbox {
   public:
    void Deliver(uint64_t, std::string) override {}
    void DeliverServed(uint64_t client_id, std::string reply, uint64_t) override {
      served[client_id] = std::move(reply);
    }
    std::map<uint64_t, std::string> served;
  };

  struct Client {
    std::unique_ptr<server::ClientState> state;
    std::string out;
    server::ReplyBuilder reply{&out};
    std::vector<std::string> blocked_line;
  };

  void Connect(Client* c);
  void Disconnect(Client* c);
  std::string Execute(Client* c, const std::vector<std::string>& line);
  static std::string Render(const std::string& raw, bool resp3);
  // A reply as Run shows it: "(blocked)" for a command that blocked, else rendered (raw bytes
  // for a RESP3 client, or one that switched to RESP3 with this command).
  std::string Shown(int client, const std::string& raw, bool resp3);

  std::unique_ptr<server::Server> server_;
  Mail mail_;
  engine::RedoRecord redo_;                 // the worker's, reused across commands
  Client clients_[kClients];
  int next_port_ = 0;
};

}  // namespace strata::testing
