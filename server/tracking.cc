#include "server/tracking.h"

#include <algorithm>

#include "engine/redo.h"

namespace strata::server {

namespace {

// What this thread's running command needs of tracking (see the header).
struct ThreadState {
  const ClientState* current = nullptr;  // the client whose command runs here
  std::string self_pending;              // invalidations for `current`, after its reply
  std::vector<std::string> fresh;        // keys the running read first remembered for it
  bool batching = false;                 // in a worker's input batch: BCAST waits for its end
  std::map<std::string, uint64_t, std::less<>> changed;  // BCAST: key -> who changed it (0: none)
};
thread_local ThreadState t_state;
thread_local std::vector<ThreadState> t_saved;  // PushThreadState's

void AppendBulk(std::string* out, std::string_view s) {
  *out += '$';
  *out += std::to_string(s.size());
  *out += "\r\n";
  out->append(s);
  *out += "\r\n";
}

std::string OneKey(std::string_view key) {
  std::string out = "*1\r\n";
  AppendBulk(&out, key);
  return out;
}

// Redis's overlap of two BCAST prefixes: one starts with the other (equal ones included).
bool Overlap(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

// Hands `bytes` to `to`: after the running command's reply when `to` runs it, else through
// its worker.
void DeliverTo(const ClientState& to, std::string bytes) {
  if (&to == t_state.current) {
    t_state.self_pending += bytes;
  } else if (to.worker != nullptr) {
    to.worker->Deliver(to.id, std::move(bytes));
  }
}

}  // namespace

std::string Tracking::Enable(ClientState* c, const Options& o) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = trackers_.find(c->id);
  if (o.bcast) {
    for (size_t i = 0; i < o.prefixes.size(); ++i) {
      if (it != trackers_.end()) {
        for (const std::string& p : it->second.prefixes) {
          if (Overlap(o.prefixes[i], p)) {
            return "ERR Prefix '" + o.prefixes[i] + "' overlaps with an existing prefix '" + p +
                   "'. Prefixes for a single client must not overlap.";
          }
        }
      }
      for (size_t j = i + 1; j < o.prefixes.size(); ++j) {
        if (Overlap(o.prefixes[i], o.prefixes[j])) {
          return "ERR Prefix '" + o.prefixes[i] + "' overlaps with another provided prefix '" +
                 o.prefixes[j] + "'. Prefixes for a single client must not overlap.";
        }
      }
    }
  }
  Tracker& t = trackers_[c->id];
  t.state = c;
  t.noloop = o.noloop;
  if (o.bcast) {
    auto add = [&](const std::string& p) {
      if (t.prefixes.insert(p).second) prefixes_[p].insert(c->id);
    };
    if (o.prefixes.empty()) add("");
    for (const std::string& p : o.prefixes) add(p);
  }
  c->tracking = true;
  c->tracking_bcast = o.bcast;
  c->tracking_broken = false;
  c->tracking_redirect = o.redirect;
  c->tracking_optin = o.optin;
  c->tracking_optout = o.optout;
  c->tracking_noloop = o.noloop;
  UpdateActiveLocked();
  return {};
}

void Tracking::Disable(ClientState* c) {
  if (!c->tracking.load(std::memory_order_relaxed)) return;
  std::lock_guard<std::mutex> l(mu_);
  auto it = trackers_.find(c->id);
  if (it != trackers_.end()) {
    for (const std::string& p : it->second.prefixes) {
      auto pit = prefixes_.find(p);
      if (pit == prefixes_.end()) continue;
      pit->second.erase(c->id);
      if (pit->second.empty()) prefixes_.erase(pit);
    }
    trackers_.erase(it);
  }
  c->tracking = false;
  c->tracking_bcast = false;
  c->tracking_broken = false;
  c->tracking_redirect = 0;
  c->tracking_optin = c->tracking_optout = c->tracking_noloop = c->tracking_caching = false;
  UpdateActiveLocked();
}

std::vector<std::string> Tracking::PrefixesOf(const ClientState* c) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = trackers_.find(c->id);
  if (it == trackers_.end()) return {};
  return {it->second.prefixes.begin(), it->second.prefixes.end()};
}

bool Tracking::Remembers(const ClientState& c) {
  if (!c.tracking.load(std::memory_order_relaxed) || c.tracking_bcast.load(std::memory_order_relaxed)) {
    return false;
  }
  // OPTIN remembers only after CLIENT CACHING YES; OPTOUT all but after CLIENT CACHING NO.
  if (c.tracking_optin) return c.tracking_caching;
  if (c.tracking_optout) return !c.tracking_caching;
  return true;
}

void Tracking::RememberLocked(uint64_t id, const std::vector<std::string_view>& keys, bool fresh) {
  for (std::string_view key : keys) {
    std::vector<uint64_t>& ids = table_[std::string(key)];
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
    ids.push_back(id);
    ++items_;
    if (fresh) t_state.fresh.emplace_back(key);
  }
  UpdateActiveLocked();
}

void Tracking::BeforeRead(ClientState* c, const std::vector<std::string_view>& keys) {
  std::lock_guard<std::mutex> l(mu_);
  RememberLocked(c->id, keys, /*fresh=*/true);
}

void Tracking::AfterRead(ClientState* c, const std::vector<std::string_view>& keys,
                         int64_t max_keys) {
  std::lock_guard<std::mutex> l(mu_);
  RememberLocked(c->id, keys, /*fresh=*/false);
  t_state.fresh.clear();
  if (max_keys > 0 && table_.size() > static_cast<uint64_t>(max_keys)) {
    // Dropped as Redis drops them, outside any command: NOLOOP does not hold them back.
    const ClientState* current = t_state.current;
    t_state.current = nullptr;
    while (table_.size() > static_cast<uint64_t>(max_keys)) {
      InvalidateLocked(std::string(table_.begin()->first));
    }
    t_state.current = current;
  }
}

void Tracking::SetCurrent(const ClientState* c) { t_state.current = c; }

void Tracking::TakeSelfPending(std::string* out) {
  if (t_state.self_pending.empty()) return;
  out->append(t_state.self_pending);
  t_state.self_pending.clear();
}

void Tracking::BeginBatch() { t_state.batching = true; }

void Tracking::PushThreadState() {
  t_saved.push_back(std::move(t_state));
  t_state = ThreadState();
}

void Tracking::PopThreadState() {
  t_state = std::move(t_saved.back());
  t_saved.pop_back();
}

void Tracking::EndBatch() {
  t_state.batching = false;
  if (t_state.changed.empty()) return;
  std::lock_guard<std::mutex> l(mu_);
  BroadcastLocked(t_state.changed);
  t_state.changed.clear();
}

void Tracking::Limit(int64_t max_keys) {
  if (max_keys <= 0 || !active_.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> l(mu_);
  while (table_.size() > static_cast<uint64_t>(max_keys)) {
    InvalidateLocked(std::string(table_.begin()->first));
  }
}

void Tracking::OnCommit(std::string_view record) {
  if (!active_.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> l(mu_);
  const bool broadcasting = broadcasting_.load(std::memory_order_relaxed);
  const uint64_t writer = t_state.current != nullptr ? t_state.current->id : 0;
  engine::RedoReader reader(record);
  engine::RedoEffect e;
  while (reader.Next(&e)) {
    switch (e.op) {
      case engine::RedoOp::kSwapDb:
        break;  // as Redis 7.0: SWAPDB invalidates nothing
      case engine::RedoOp::kFlushAll:
      case engine::RedoOp::kFlushDb: {
        // Every tracking client (BCAST too) is told "everything", with its own protocol's null.
        std::vector<uint64_t> ids;
        for (const auto& [id, t] : trackers_) ids.push_back(id);
        std::sort(ids.begin(), ids.end());
        for (uint64_t id : ids) {
          Tracker& t = trackers_.at(id);
          SendLocked(t, t.state->resp.load(std::memory_order_relaxed) == 3 ? "_\r\n" : "$-1\r\n");
        }
        table_.clear();
        items_ = 0;
        break;
      }
      default:
        if (broadcasting) t_state.changed[std::string(e.key)] = writer;
        InvalidateLocked(std::string(e.key));
        break;
    }
  }
  if (!t_state.batching && !t_state.changed.empty()) {
    BroadcastLocked(t_state.changed);
    t_state.changed.clear();
  }
  UpdateActiveLocked();
}

void Tracking::InvalidateLocked(const std::string& key) {
  auto it = table_.find(key);
  if (it == table_.end()) return;
  std::vector<uint64_t> ids = std::move(it->second);
  table_.erase(it);
  items_ -= ids.size();
  const ClientState* current = t_state.current;
  for (uint64_t id : ids) {
    auto tr = trackers_.find(id);
    if (tr == trackers_.end() || tr->second.state->tracking_bcast.load(std::memory_order_relaxed)) {
      continue;
    }
    if (current != nullptr && id == current->id) {
      if (tr->second.noloop) continue;
      // The running read remembered the key itself (its expiry, say): nothing cached yet.
      if (std::find(t_state.fresh.begin(), t_state.fresh.end(), key) != t_state.fresh.end()) {
        continue;
      }
    }
    SendLocked(tr->second, OneKey(key));
  }
}

void Tracking::BroadcastLocked(const std::map<std::string, uint64_t, std::less<>>& changed) {
  for (const auto& [prefix, ids] : prefixes_) {
    std::vector<const std::string*> keys;
    std::vector<uint64_t> writers;
    for (auto it = changed.lower_bound(prefix);
         it != changed.end() && std::string_view(it->first).substr(0, prefix.size()) == prefix;
         ++it) {
      keys.push_back(&it->first);
      writers.push_back(it->second);
    }
    if (keys.empty()) continue;
    for (uint64_t id : ids) {
      auto tr = trackers_.find(id);
      if (tr == trackers_.end()) continue;
      std::string body;
      size_t n = 0;
      for (size_t i = 0; i < keys.size(); ++i) {
        if (tr->second.noloop && writers[i] == id) continue;  // its own change
        AppendBulk(&body, *keys[i]);
        ++n;
      }
      if (n == 0) continue;
      SendLocked(tr->second, "*" + std::to_string(n) + "\r\n" + body);
    }
  }
}

void Tracking::SendLocked(Tracker& t, std::string_view keys_proto) {
  auto frame = [&](const ClientState& to) {
    if (to.resp.load(std::memory_order_relaxed) == 3) {
      return ">2\r\n$10\r\ninvalidate\r\n" + std::string(keys_proto);
    }
    return "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n" + std::string(keys_proto);
  };
  const uint64_t redirect = t.state->tracking_redirect.load(std::memory_order_relaxed);
  if (redirect == 0) {
    // RESP2 has no pushes: a RESP2 client without a redirection is told nothing.
    if (t.state->resp.load(std::memory_order_relaxed) == 3) DeliverTo(*t.state, frame(*t.state));
    return;
  }
  const bool found = clients_->WithClient(redirect, [&](ClientState& to) {
    if (to.resp.load(std::memory_order_relaxed) == 3 || to.subscribed()) DeliverTo(to, frame(to));
  });
  if (found) return;
  // The redirection's client is gone: the tracking client is told so (RESP3 only).
  t.state->tracking_broken = true;
  if (t.state->resp.load(std::memory_order_relaxed) == 3) {
    DeliverTo(*t.state,
              ">2\r\n$21\r\ntracking-redir-broken\r\n:" + std::to_string(redirect) + "\r\n");
  }
}

void Tracking::UpdateActiveLocked() {
  active_.store(!trackers_.empty() || !table_.empty(), std::memory_order_release);
  broadcasting_.store(!prefixes_.empty(), std::memory_order_relaxed);
}

Tracking::Counts Tracking::counts() const {
  std::lock_guard<std::mutex> l(mu_);
  return {trackers_.size(), table_.size(), items_, prefixes_.size()};
}

}  // namespace strata::server
