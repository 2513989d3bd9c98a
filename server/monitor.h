// MONITOR: every command the server runs, as a line to each client in monitor mode, in Redis
// 7.0's format: +<unix seconds>.<microseconds> [<db> <ip:port>] "arg" "arg" ..., arguments
// quoted and escaped as Redis's sdscatrepr does, secrets "(redacted)". Fed after the command
// ran (so SELECT shows the new database, EXEC comes after the commands it ran), not for admin
// commands. Thread safe: one mutex, under which lines are delivered (so every monitor sees the
// same order); a server with no monitor pays one atomic load per command.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "server/net/client.h"

namespace strata::server {

class Monitors {
 public:
  void Add(ClientState* c);
  void Remove(ClientState* c);
  bool any() const { return count_.load(std::memory_order_relaxed) > 0; }
  // Sends the line for `args`, run by `client` in database `db`, to every monitor.
  void Feed(const ClientState& client, int db, std::span<const std::string_view> args);

 private:
  mutable std::mutex mu_;
  std::set<ClientState*> clients_;  // GUARDED_BY(mu_)
  std::atomic<size_t> count_{0};
};

// Redis's sdscatrepr: s in double quotes, with \\ \" \n \r \t \a \b escaped and other bytes
// outside the printable range as \xHH.
void AppendQuoted(std::string* out, std::string_view s);

}  // namespace strata::server
