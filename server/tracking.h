// Tracking: server-assisted client-side caching (CLIENT TRACKING), as Redis 7.0.
//
// Default mode: the read-only commands of a tracking client remember their keys in a table,
// key -> the ids of the clients that read it. When a committed record changes a key (a
// command, a transaction, an expiry, an eviction), every client in the key's entry is sent an
// invalidation and the entry is dropped: the client reads the key again to be told again.
// BCAST mode: nothing is remembered; every changed key that starts with one of the client's
// prefixes is sent to it. FLUSHALL and FLUSHDB send every tracking client a null invalidation
// ("everything") and empty the table. tracking-table-max-keys bounds the table: past it, keys
// are dropped with an invalidation, as if they had changed.
//
// An invalidation goes to the tracking client, or to the client it redirects to, as a RESP3
// push ["invalidate", keys]; a RESP2 redirection target must be subscribed to something, and
// gets it as a message on __redis__:invalidate. It leaves through the receiver's worker
// (Mailbox), except in two cases that keep Redis 7.0's order on the wire:
// - what the running command causes for its own client is held and follows the command's
//   reply (Server::Execute appends TakeSelfPending());
// - BCAST invalidations are gathered per thread during a worker's input batch and sent after
//   it (EndBatch), one message per prefix and client, as Redis sends them once per loop turn.
//
// Reads on one worker and writes on another: a command's keys are remembered before it reads
// them and again after (BeforeRead, AfterRead). A write committed before the read is seen by
// the read; one committed after the first remembering finds the key in the table. Either way
// the reader ends with its value followed by an invalidation, or still tracked.
//
// Thread safe. OnCommit runs under shard locks and takes mu_, then the client registry's lock,
// then a worker's inbox lock; nothing takes them in another order.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/shard_locks.h"
#include "server/net/client.h"

namespace strata::server {

class Tracking final : public engine::ChangeListener {
 public:
  explicit Tracking(ClientRegistry* clients) : clients_(clients) {}

  // CLIENT TRACKING ON's options, checked by the command except for the prefixes' overlap.
  struct Options {
    bool bcast = false, optin = false, optout = false, noloop = false;
    uint64_t redirect = 0;  // 0: none
    std::vector<std::string> prefixes;
  };
  // CLIENT TRACKING ON: turns tracking on for c (again: the mode flags and the redirection are
  // replaced, BCAST prefixes added). Returns Redis's error, without changing anything, when a
  // BCAST prefix overlaps another; "" when done.
  std::string Enable(ClientState* c, const Options& options);
  // CLIENT TRACKING OFF, RESET: tracking off for c; its BCAST prefixes are forgotten (the keys
  // it read stay in the table until they change, as in Redis).
  void Disable(ClientState* c);
  // c's connection is closing.
  void RemoveClient(ClientState* c) { Disable(c); }
  // c's BCAST prefixes, sorted (CLIENT TRACKINGINFO).
  std::vector<std::string> PrefixesOf(const ClientState* c) const;

  // Whether the read-only command c runs now has its keys remembered (tracking on, not BCAST,
  // and OPTIN/OPTOUT's CLIENT CACHING as they require).
  static bool Remembers(const ClientState& c);
  // The keys of a read-only command of c, before it reads them and after (see above).
  void BeforeRead(ClientState* c, const std::vector<std::string_view>& keys);
  void AfterRead(ClientState* c, const std::vector<std::string_view>& keys, int64_t max_keys);

  // The command of `c` starts on this thread (nullptr: none runs): its own invalidations wait
  // for TakeSelfPending; keys it changes are not sent to it with NOLOOP.
  static void SetCurrent(const ClientState* c);
  // Appends to `out` (after its reply) the invalidations the thread's current command caused
  // for its own client. Cheap when there are none.
  static void TakeSelfPending(std::string* out);
  // A worker's input batch begins / ends: BCAST invalidations of keys changed in between are
  // sent at its end.
  static void BeginBatch();
  // A nested turn of a worker's loop (a busy script's, server/net/worker.h) runs other
  // clients' commands in the middle of the script's: the thread's state is set aside
  // meanwhile, so the script's client keeps its invalidations and its context.
  static void PushThreadState();
  static void PopThreadState();
  void EndBatch();

  // Drops keys past max_keys (0: no limit), each with its invalidation (the cron, and reads).
  void Limit(int64_t max_keys);

  void OnCommit(std::string_view record) override;

  // INFO: tracking_clients, tracking_total_keys, tracking_total_items, tracking_total_prefixes.
  struct Counts {
    uint64_t clients = 0, keys = 0, items = 0, prefixes = 0;
  };
  Counts counts() const;

 private:
  struct Tracker {
    ClientState* state;
    // Its mode and redirection are the client's own atomics (tracking_bcast, tracking_redirect),
    // set under mu_ with this entry; NOLOOP is here, the client's copy being its owner's.
    bool noloop = false;
    std::set<std::string, std::less<>> prefixes;  // BCAST
  };
  // Sends tracker t an invalidation of `keys_proto` (a RESP array of keys, or a null), to it
  // or to its redirection. REQUIRES mu_.
  void SendLocked(Tracker& t, std::string_view keys_proto);
  // Adds client `id` to the entries of `keys` (noting in the thread's `fresh` the keys it was
  // not in yet, when `fresh`). REQUIRES mu_.
  void RememberLocked(uint64_t id, const std::vector<std::string_view>& keys, bool fresh);
  // Drops table entry `key`, sending its readers their invalidation. REQUIRES mu_.
  void InvalidateLocked(const std::string& key);
  // Sends the BCAST invalidations of the keys in `changed` (key -> who changed it). REQUIRES mu_.
  void BroadcastLocked(const std::map<std::string, uint64_t, std::less<>>& changed);
  void UpdateActiveLocked();

  ClientRegistry* clients_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Tracker> trackers_;                       // GUARDED_BY(mu_)
  std::unordered_map<std::string, std::vector<uint64_t>> table_;        // GUARDED_BY(mu_)
  uint64_t items_ = 0;                                                   // GUARDED_BY(mu_)
  std::map<std::string, std::set<uint64_t>, std::less<>> prefixes_;     // GUARDED_BY(mu_)
  // OnCommit's lock-free test: anything to invalidate (a tracker, or keys in the table).
  std::atomic<bool> active_{false};
  std::atomic<bool> broadcasting_{false};  // some tracker is in BCAST mode
};

}  // namespace strata::server
