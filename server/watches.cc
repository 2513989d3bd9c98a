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
        break;  // the command marked what it touched first (TouchForFlushOrSwap)
      default:
        DirtyLocked(Key(e.db, std::string(e.key)));
        break;
    }
  }
}

void Watches::TouchForFlushOrSwap(
    int db, int db2, const std::function<bool(int db, std::string_view key)>& exists) {
  if (watching_.load(std::memory_order_acquire) == 0) return;
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [key, clients] : watchers_) {
    const bool in_scope = db < 0 || key.first == db || key.first == db2;
    if (!in_scope) continue;
    bool touched = exists(key.first, key.second);
    // SWAPDB: the key also changes when the other database holds it.
    if (!touched && db2 >= 0) touched = exists(key.first == db ? db2 : db, key.second);
    if (touched) {
      for (ClientState* c : clients) c->watch_dirty.store(true);
    }
  }
}

}  // namespace strata::server
