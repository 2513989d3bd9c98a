#include "server/watches.h"

#include "engine/redo.h"

namespace strata::server {

void Watches::Watch(ClientState* c, int db, std::string_view key) {
  std::lock_guard<std::mutex> l(mu_);
  Key k(db, std::string(key));
  if (watchers_[k].insert(c).second) keys_[c].push_back(std::move(k));
  c->watching = true;
  watching_.store(keys_.size(), std::memory_order_release);
}

void Watches::UnwatchAll(ClientState* c) {
  if (!c->watching) return;
  std::lock_guard<std::mutex> l(mu_);
  auto it = keys_.find(c);
  if (it != keys_.end()) {
    for (const Key& k : it->second) {
      auto w = watchers_.find(k);
      if (w == watchers_.end()) continue;
      w->second.erase(c);
      if (w->second.empty()) watchers_.erase(w);
    }
    keys_.erase(it);
  }
  c->watching = false;
  c->watch_dirty = false;
  watching_.store(keys_.size(), std::memory_order_release);
}

void Watches::DirtyLocked(const Key& key) {
  auto w = watchers_.find(key);
  if (w == watchers_.end()) return;
  for (ClientState* c : w->second) c->watch_dirty.store(true);
}

void Watches::OnCommit(std::string_view record) {
  // WATCH registers before the client reads the key under its shard lock, and the record is
  // committed under the changed shards' locks: a change this skips came before the WATCH.
  if (watching_.load(std::memory_order_acquire) == 0) return;
  std::lock_guard<std::mutex> l(mu_);
  engine::RedoReader reader(record);
  engine::RedoEffect e;
  while (reader.Next(&e)) {
    switch (e.op) {
      case engine::RedoOp::kFlushAll:
      case engine::RedoOp::kFlushDb:
      case engine::RedoOp::kSwapDb:
        // Every watched key of the databases it touches (Redis marks only keys that existed;
        // marking all is the safe side: EXEC fails, never succeeds wrongly).
        for (auto& [key, clients] : watchers_) {
          if (e.op == engine::RedoOp::kFlushAll || key.first == e.db || key.first == e.db2) {
            for (ClientState* c : clients) c->watch_dirty.store(true);
          }
        }
        break;
      default:
        DirtyLocked(Key(e.db, std::string(e.key)));
        break;
    }
  }
}

}  // namespace strata::server
