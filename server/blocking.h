// Blocking: which clients wait on which keys (BLPOP, BLMOVE, BZPOPMIN, ...), and their wake-up.
//
// A blocking command that finds nothing registers its client on its keys while it still holds
// the keys' shard locks, and the worker leaves the command unconsumed in the client's input.
// A command that adds to one of those keys signals it (SignalKeyReady) after its change; every
// client waiting on the key is handed to its worker (Worker::Deliver with no bytes), which runs
// the blocked command again. Since registration happens under the shard locks that any change
// to the key must take, no wake-up is lost. A client that loses the race to another blocks
// again. Time-outs are the worker's (its cron). Thread safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/net/client.h"

namespace strata::server {

struct CommandContext;

// A blocking command's timeout argument (seconds, a float) as Redis 7.0 converts it to whole
// milliseconds, with its errors ("timeout is not a float or out of range", "timeout is
// negative": also for infinities and values past 2^63 ms). Replies with the error and returns
// false. Redis 7.0 never answers "timeout is out of range" here.
bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, int64_t* timeout_ms);

// Called by a blocking command that found nothing to pop, with its keys' shards still locked.
// Returns false when it must answer its time-out reply now instead (the time is up, or it runs
// inside EXEC, where nothing blocks); else registers the client on keys (of its database) and
// returns true: the command then replies nothing and runs again when woken. `timeout_ms` 0 waits
// forever, as does one whose deadline is past the clock's range.
bool BlockClient(CommandContext& ctx, std::span<const std::string_view> keys, int64_t timeout_ms);

class Blocking {
 public:
  // Registers c as waiting on keys of database db (replacing any earlier registration).
  void Block(ClientState* c, int db, std::span<const std::string_view> keys);
  // Drops c's registration, if any.
  void Unblock(ClientState* c);
  // Wakes every client waiting on key of db.
  void Signal(int db, std::string_view key);
  // Clients blocked now (INFO blocked_clients).
  size_t num_blocked() const { return blocked_.load(std::memory_order_relaxed); }

 private:
  using Key = std::pair<int, std::string>;
  void UnblockLocked(ClientState* c);
  std::mutex mu_;
  std::map<Key, std::set<ClientState*>> waiting_;         // GUARDED_BY(mu_)
  std::map<const ClientState*, std::vector<Key>> keys_;   // GUARDED_BY(mu_)
  std::atomic<size_t> blocked_{0};  // keys_.size(): Signal's lock-free fast path
};

}  // namespace strata::server
