// Watches: the keys clients WATCH, and marking those clients dirty when a key changes.
//
// It listens to every committed redo record (engine::ChangeListener), so whatever changes a key
// (a command, a transaction, an expiry, FLUSHDB, SWAPDB) is seen exactly as the log sees it.
// A client whose watched key changed has watch_dirty set; EXEC then answers nil. Thread safe;
// OnCommit runs under shard locks and only takes this registry's mutex.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/keyspace.h"
#include "server/net/client.h"

namespace strata::server {

class Watches : public engine::ChangeListener {
 public:
  void Watch(ClientState* c, int db, std::string_view key);
  // Forgets every key c watches and clears its dirty flag (EXEC, DISCARD, UNWATCH, close).
  void UnwatchAll(ClientState* c);

  void OnCommit(std::string_view record) override;

  // FLUSHALL (db < 0), FLUSHDB db and SWAPDB db db2 (db2 >= 0), called by the command before it
  // changes anything, under every shard lock: as Redis 7.0, marks the watched keys of those
  // databases that `exists` says hold a value (in db, or in db2 for a swap), not the others.
  void TouchForFlushOrSwap(int db, int db2,
                           const std::function<bool(int db, std::string_view key)>& exists);

 private:
  using Key = std::pair<int, std::string>;
  void DirtyLocked(const Key& key);
  std::mutex mu_;
  std::map<Key, std::set<ClientState*>> watchers_;        // GUARDED_BY(mu_)
  std::map<const ClientState*, std::vector<Key>> keys_;   // GUARDED_BY(mu_)
  std::atomic<size_t> watching_{0};  // keys_.size(): OnCommit's lock-free fast path
};

}  // namespace strata::server
