#include "server/pubsub.h"

#include "base/string_util.h"
#include "server/net/reply_builder.h"
#include "server/net/worker.h"

namespace strata::server {
namespace {

// Adds c under name in index; false if it was there.
bool AddTo(std::map<std::string, std::set<ClientState*>, std::less<>>& index, std::string_view name,
           ClientState* c) {
  auto it = index.find(name);
  if (it == index.end()) it = index.emplace(std::string(name), std::set<ClientState*>()).first;
  return it->second.insert(c).second;
}

bool RemoveFrom(std::map<std::string, std::set<ClientState*>, std::less<>>& index,
                std::string_view name, ClientState* c) {
  auto it = index.find(name);
  if (it == index.end() || it->second.erase(c) == 0) return false;
  if (it->second.empty()) index.erase(it);
  return true;
}

// The message as client c reads it: ["message", channel, payload] or ["pmessage", pattern,
// channel, payload], an array in RESP2 and a push in RESP3.
std::string Frame(const ClientState* c, const std::string* pattern, std::string_view channel,
                  std::string_view message) {
  std::string out;
  ReplyBuilder rb(&out);
  rb.set_resp3(c->resp.load(std::memory_order_relaxed) == 3);
  if (pattern != nullptr) {
    rb.Push(4);
    rb.Bulk("pmessage");
    rb.Bulk(*pattern);
  } else {
    rb.Push(3);
    rb.Bulk("message");
  }
  rb.Bulk(channel);
  rb.Bulk(message);
  return out;
}

}  // namespace

bool PubSub::Subscribe(ClientState* c, std::string_view channel) {
  std::lock_guard<std::mutex> l(mu_);
  if (!AddTo(channels_, channel, c)) return false;
  clients_[c].channels.emplace(channel);
  c->channels.fetch_add(1);
  return true;
}

bool PubSub::Unsubscribe(ClientState* c, std::string_view channel) {
  std::lock_guard<std::mutex> l(mu_);
  if (!RemoveFrom(channels_, channel, c)) return false;
  auto it = clients_.find(c);
  it->second.channels.erase(it->second.channels.find(channel));
  c->channels.fetch_sub(1);
  return true;
}

bool PubSub::PSubscribe(ClientState* c, std::string_view pattern) {
  std::lock_guard<std::mutex> l(mu_);
  if (!AddTo(patterns_, pattern, c)) return false;
  clients_[c].patterns.emplace(pattern);
  c->patterns.fetch_add(1);
  return true;
}

bool PubSub::PUnsubscribe(ClientState* c, std::string_view pattern) {
  std::lock_guard<std::mutex> l(mu_);
  if (!RemoveFrom(patterns_, pattern, c)) return false;
  auto it = clients_.find(c);
  it->second.patterns.erase(it->second.patterns.find(pattern));
  c->patterns.fetch_sub(1);
  return true;
}

std::vector<std::string> PubSub::ChannelsOf(const ClientState* c) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = clients_.find(c);
  if (it == clients_.end()) return {};
  return {it->second.channels.begin(), it->second.channels.end()};
}

std::vector<std::string> PubSub::PatternsOf(const ClientState* c) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = clients_.find(c);
  if (it == clients_.end()) return {};
  return {it->second.patterns.begin(), it->second.patterns.end()};
}

void PubSub::RemoveClient(ClientState* c) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = clients_.find(c);
  if (it == clients_.end()) return;
  for (const std::string& ch : it->second.channels) RemoveFrom(channels_, ch, c);
  for (const std::string& p : it->second.patterns) RemoveFrom(patterns_, p, c);
  clients_.erase(it);
  c->channels = 0;
  c->patterns = 0;
}

size_t PubSub::Publish(std::string_view channel, std::string_view message) {
  std::lock_guard<std::mutex> l(mu_);
  size_t receivers = 0;
  auto it = channels_.find(channel);
  if (it != channels_.end()) {
    for (ClientState* c : it->second) {
      c->worker->Deliver(c->id, Frame(c, nullptr, channel, message));
      ++receivers;
    }
  }
  for (auto& [pattern, subs] : patterns_) {
    if (!GlobMatch(pattern, channel)) continue;
    for (ClientState* c : subs) {
      c->worker->Deliver(c->id, Frame(c, &pattern, channel, message));
      ++receivers;
    }
  }
  return receivers;
}

std::vector<std::string> PubSub::ActiveChannels(std::string_view pattern) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> out;
  for (const auto& [name, subs] : channels_) {
    if (pattern.empty() || GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

size_t PubSub::NumSubscribers(std::string_view channel) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : it->second.size();
}

size_t PubSub::NumPatterns() const {
  std::lock_guard<std::mutex> l(mu_);
  return patterns_.size();
}

}  // namespace strata::server
