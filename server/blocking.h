// Blocking: which clients wait on which keys (BLPOP, BLMOVE, BZPOPMIN, ...), and serving them
// as Redis 7.0 does.
//
// A blocking command that finds nothing registers a Waiter on its keys (BlockClient) while it
// holds the keys' shard locks, and replies nothing; its worker leaves the command in the
// client's input. Every committed record passes OnCommit, under its shards' locks: a key with
// waiters that an effect may have left holding a list or a sorted set (a push, an add, a whole
// entry put by RENAME, MOVE, COPY, RESTORE or a *STORE, a SWAPDB) is noted ready, on the
// committing thread. After each top-level command (EXEC counts as one), on that same thread and
// before the command's reply leaves, Server::ServeBlocked serves the ready keys as Redis's
// handleClientsBlockedOnKeys does: key by key in the order they became ready, each key's
// waiters first come first served, each waiter's command run for it once more against that key
// alone, until the key is empty or no waiter fits its type; a key that serving makes ready
// (BLMOVE's destination) is served in the same step. A waiter's reply goes to its worker
// (Mailbox::DeliverServed). One thread serves at a time. A time-out, a disconnect or CLIENT
// UNBLOCK takes the waiter out (Cancel) before doing anything else.
//
// Since registration and commit both happen under the key's shard lock, no wake-up is lost: a
// commit either sees the waiter, or the waiter's command ran after the change and saw its data.
// Thread safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/entry.h"
#include "engine/shard_locks.h"
#include "server/net/client.h"

namespace strata::server {

struct CommandContext;
struct CommandSpec;

// A blocking command's timeout argument (seconds, a float) as Redis 7.0 converts it to whole
// milliseconds, with its errors ("timeout is not a float or out of range", "timeout is
// negative": also for infinities and values past 2^63 ms). Replies with the error and returns
// false. Redis 7.0 never answers "timeout is out of range" here.
bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, int64_t* timeout_ms);

// Called by a blocking command that found nothing to pop in `keys`, with their shards still
// locked; `type` is what it pops (a list or a sorted set). Returns false when it must answer its
// time-out reply now instead (the time is up, or it runs inside EXEC, where nothing blocks);
// else returns true and the command replies nothing: it waits, registered on `keys` (of its
// database) the first time, and is served later. `timeout_ms` 0 waits forever, as does one
// whose deadline is past the clock's range.
// `argv`, when given, is the command line to run again instead of ctx.args (XREAD's, with each
// `$` replaced by the ID it stood for).
bool BlockClient(CommandContext& ctx, std::span<const std::string_view> keys, int64_t timeout_ms,
                 engine::ValueType type, std::span<const std::string_view> argv = {});

class Blocking : public engine::ChangeListener {
 public:
  using Key = std::pair<int, std::string>;  // database, key

  // A blocked command, as registered: enough to run it again on any thread.
  struct Waiter {
    uint64_t client_id = 0;
    Mailbox* mailbox = nullptr;
    int db = 0;
    bool resp3 = false;
    engine::ValueType type = engine::ValueType::kList;  // what it pops
    const CommandSpec* spec = nullptr;
    std::vector<std::string> argv;
    std::vector<std::pair<Key, std::list<Waiter*>::iterator>> keys;  // its places in waiting_
    bool serving = false;  // claimed by the serving thread (ClaimFirst) or by Unblock
  };

  // Registers a client's blocked command on keys (any earlier registration of it is replaced).
  void Block(const ClientState& c, const CommandSpec& spec,
             std::span<const std::string_view> argv, std::span<const std::string_view> keys,
             engine::ValueType type);
  // Takes c's waiter out, waiting first if it is being served. Returns whether it was still
  // waiting (false: served, or never blocked).
  bool Cancel(uint64_t client_id);
  // CLIENT UNBLOCK: takes the waiter out as Cancel does and hands it to the caller to answer.
  std::unique_ptr<Waiter> Unblock(uint64_t client_id);
  // Clients blocked now (INFO blocked_clients).
  size_t num_blocked() const { return blocked_.load(std::memory_order_relaxed); }

  // engine::ChangeListener: notes the keys with waiters the record may have made ready.
  void OnCommit(std::string_view record) override;

  // For Server::ServeBlocked, which holds serve_mu() throughout.
  std::mutex& serve_mu() { return serve_mu_; }
  // Whether this thread has ready keys to serve.
  bool HasReady() const;
  // Moves this thread's ready keys to *out, in the order they became ready, each once. Returns
  // whether there were any.
  bool TakeReady(std::vector<Key>* out);
  // Claims the first waiter on key whose command pops `type` and whose client is not in
  // `passed`, or returns null.
  Waiter* ClaimFirst(const Key& key, engine::ValueType type,
                     std::span<const uint64_t> passed = {});
  // A claimed waiter was answered: it is forgotten. Returns it.
  std::unique_ptr<Waiter> Finish(Waiter* w);
  // A claimed waiter found nothing after all: it waits on, in its place.
  void Release(Waiter* w);

 private:
  void RemoveLocked(Waiter* w);
  Waiter* WaitForLocked(std::unique_lock<std::mutex>& l, uint64_t client_id);

  std::mutex serve_mu_;  // one serving thread at a time
  mutable std::mutex mu_;
  std::condition_variable served_;  // a claim ended
  std::map<Key, std::list<Waiter*>> waiting_;                     // GUARDED_BY(mu_), FIFO
  std::unordered_map<uint64_t, std::unique_ptr<Waiter>> by_id_;  // GUARDED_BY(mu_)
  std::atomic<size_t> blocked_{0};  // by_id_.size(): OnCommit's lock-free fast path
};

}  // namespace strata::server
