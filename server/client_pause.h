// ClientPause: CLIENT PAUSE and UNPAUSE, as Redis 7.0. While a pause lasts, a command it covers
// (every command under ALL; under WRITE, writes and PUBLISH, and an EXEC whose transaction
// holds one) is held, not refused: its client waits as a blocked client does (CLIENT LIST's b,
// INFO blocked_clients) and the command runs when the pause ends, by its time or by UNPAUSE.
// A second pause keeps the later end and the stronger mode. Thread safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "server/commands/command.h"
#include "server/net/client.h"

namespace strata::server {

class ClientPause {
 public:
  enum Mode : int { kNone = 0, kWrite = 1, kAll = 2 };

  // Pauses until `end_ms` (wall clock) with `mode`, or extends the pause running.
  void Pause(int64_t now_ms, int64_t end_ms, Mode mode);
  // Ends the pause: the held clients run their commands.
  void Unpause();
  // Whether command `spec` (EXEC: with the transaction `queued`) must wait now. When no pause
  // is on, this costs one load.
  bool Holds(const CommandSpec& spec, const std::vector<std::vector<std::string>>& queued,
             const CommandTable& table, int64_t now_ms) const {
    const int mode = mode_.load(std::memory_order_acquire);
    return mode != kNone && now_ms < end_ms_.load(std::memory_order_relaxed) &&
           (mode == kAll || WritePauseCovers(spec, queued, table));
  }
  // Holds client c's command: it is blocked until the pause ends (a Mailbox wake-up).
  void Hold(ClientState* c);
  // c is gone: no wake-up for it.
  void Forget(const ClientState* c);
  // The cron: ends the pause once its time is past. Returns when the pause ends (0: none).
  int64_t Tick(int64_t now_ms);
  // Clients held now (INFO blocked_clients counts them, as Redis 7.0 does).
  size_t num_held() const;

 private:
  // Under WRITE: writes, PUBLISH (which Redis replicates) and an EXEC holding one.
  static bool WritePauseCovers(const CommandSpec& spec,
                               const std::vector<std::vector<std::string>>& queued,
                               const CommandTable& table);

  mutable std::mutex mu_;
  std::atomic<int> mode_{kNone};
  std::atomic<int64_t> end_ms_{0};                   // written under mu_
  std::vector<std::pair<uint64_t, Mailbox*>> held_;  // GUARDED_BY(mu_)
};

}  // namespace strata::server
