#include "server/net/client.h"

#include <sys/socket.h>

namespace strata::server {

void ClientRegistry::Add(ClientState* c) {
  std::lock_guard<std::mutex> l(mu_);
  c->id = next_id_++;
  clients_[c->id] = c;
}

void ClientRegistry::Remove(ClientState* c) {
  std::lock_guard<std::mutex> l(mu_);
  clients_.erase(c->id);
}

size_t ClientRegistry::size() const {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = 0;
  for (auto& [id, c] : clients_) n += !c->killed.load(std::memory_order_relaxed);
  return n;
}

void ClientRegistry::ForEach(const std::function<void(ClientState&)>& fn) const {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [id, c] : clients_) {
    if (!c->killed.load(std::memory_order_relaxed)) fn(*c);  // killed = gone, as in Redis
  }
}

void ClientRegistry::SetName(ClientState* c, std::string name) {
  std::lock_guard<std::mutex> l(mu_);
  c->name = std::move(name);
}

std::string ClientRegistry::GetName(const ClientState* c) const {
  std::lock_guard<std::mutex> l(mu_);
  return c->name;
}

bool ClientRegistry::WithClient(uint64_t id, const std::function<void(ClientState&)>& fn) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = clients_.find(id);
  if (it == clients_.end()) return false;
  fn(*it->second);
  return true;
}

void ClientRegistry::SetUsername(ClientState* c, std::string username) {
  std::lock_guard<std::mutex> l(mu_);
  c->username = std::move(username);
}

std::string ClientRegistry::InfoLine(const ClientState* c, int64_t now_ms) const {
  std::lock_guard<std::mutex> l(mu_);
  return ClientInfoLine(*c, now_ms);
}

void ClientRegistry::Kill(ClientState* c) {
  // Called under mu_ by ForEach callers: the fd stays open until Remove() has run.
  c->killed = true;
  ::shutdown(c->fd, SHUT_RDWR);
}

// CLIENT LIST's flags, in Redis's order: O monitor, P subscribed, x in MULTI, b blocked, t
// tracking, R its redirection gone, B BCAST tracking, d a watched key changed, U unix socket,
// e no-evict; N none of them.
std::string ClientFlags(const ClientState& c) {
  std::string f;
  if (c.monitor.load()) f += 'O';
  if (c.subscribed()) f += 'P';
  if (c.in_multi.load()) f += 'x';
  if (c.blocked.load()) f += 'b';
  if (c.tracking.load()) {
    f += 't';
    if (c.tracking_broken.load()) f += 'R';
    if (c.tracking_bcast.load()) f += 'B';
  }
  if (c.watch_dirty.load()) f += 'd';
  if (c.unix_socket) f += 'U';
  if (c.no_evict.load()) f += 'e';
  return f.empty() ? "N" : f;
}

std::string ClientInfoLine(const ClientState& c, int64_t now_ms) {
  int64_t age = (now_ms - c.created_ms) / 1000;
  int64_t idle = (now_ms - c.last_interaction_ms.load()) / 1000;
  const uint64_t omem = c.output_buffer_bytes.load();
  const uint64_t multi_mem = c.in_multi.load() ? c.queued_bytes.load() : 0;
  std::string s = "id=" + std::to_string(c.id) + " addr=" + c.addr + " laddr=" + c.laddr +
                  " fd=" + std::to_string(c.fd) + " name=" + c.name +
                  " age=" + std::to_string(age) + " idle=" + std::to_string(idle) +
                  " flags=" + ClientFlags(c) + " db=" + std::to_string(c.db.load()) +
                  " sub=" + std::to_string(c.channels.load()) +
                  " psub=" + std::to_string(c.patterns.load()) + " ssub=" + std::to_string(c.shard_channels.load()) + " multi=" + std::to_string(c.in_multi.load() ? c.queued_count.load() : -1) +
                  " qbuf=" + std::to_string(c.query_buffer_bytes.load()) +
                  " qbuf-free=" + std::to_string(c.query_buffer_free.load()) +
                  " argv-mem=0 multi-mem=" + std::to_string(multi_mem) +
                  " rbs=" + std::to_string(c.read_buffer_size.load()) +
                  " rbp=" + std::to_string(c.read_buffer_peak.load()) +
                  " obl=0 oll=0 omem=" + std::to_string(omem) +
                  " tot-mem=" + std::to_string(c.read_buffer_size.load() + omem + multi_mem) +
                  " events=" + (omem > 0 ? "rw" : "r") + " cmd=" + c.last_command.load() +
                  " user=" + c.username +
                  " redir=" +
                  (c.tracking.load() ? std::to_string(c.tracking_redirect.load()) : "-1") +
                  " resp=" +
                  std::to_string(c.resp.load()) + "\n";
  return s;
}

}  // namespace strata::server
