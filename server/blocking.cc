#include "server/blocking.h"

#include "server/worker.h"

namespace strata::server {

void Blocking::Block(ClientState* c, int db, std::span<const std::string_view> keys) {
  std::lock_guard<std::mutex> l(mu_);
  UnblockLocked(c);
  std::vector<Key>& mine = keys_[c];
  for (std::string_view k : keys) {
    Key key(db, std::string(k));
    if (waiting_[key].insert(c).second) mine.push_back(std::move(key));
  }
  blocked_.store(keys_.size(), std::memory_order_release);
}

void Blocking::Unblock(ClientState* c) {
  std::lock_guard<std::mutex> l(mu_);
  UnblockLocked(c);
  blocked_.store(keys_.size(), std::memory_order_release);
}

void Blocking::UnblockLocked(ClientState* c) {
  auto it = keys_.find(c);
  if (it == keys_.end()) return;
  for (const Key& k : it->second) {
    auto w = waiting_.find(k);
    if (w == waiting_.end()) continue;
    w->second.erase(c);
    if (w->second.empty()) waiting_.erase(w);
  }
  keys_.erase(it);
}

void Blocking::Signal(int db, std::string_view key) {
  // A registration happens under the key's shard lock, which the signalling command held when
  // it changed the key: either that registration is visible here, or the blocked command ran
  // after the change and found the data.
  if (blocked_.load(std::memory_order_acquire) == 0) return;
  std::lock_guard<std::mutex> l(mu_);
  auto w = waiting_.find(Key(db, std::string(key)));
  if (w == waiting_.end()) return;
  for (ClientState* c : w->second) c->worker->Deliver(c->id, std::string());
}

}  // namespace strata::server
