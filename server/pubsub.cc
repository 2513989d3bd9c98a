#include "server/pubsub.h"

#include "base/string_util.h"
#include "server/net/reply_builder.h"
#include "server/net/worker.h"

namespace strata::server {
namespace {

// The message as client c reads it: ["message", channel, payload], ["smessage", channel,
// payload] or ["pmessage", pattern, channel, payload], an array in RESP2 and a push in RESP3.
std::string Frame(const ClientState* c, std::string_view kind, const std::string* pattern,
                  std::string_view channel, std::string_view message) {
  std::string out;
  ReplyBuilder rb(&out);
  rb.set_resp3(c->resp.load(std::memory_order_relaxed) == 3);
  rb.Push(pattern != nullptr ? 4 : 3);
  rb.Bulk(kind);
  if (pattern != nullptr) rb.Bulk(*pattern);
  rb.Bulk(channel);
  rb.Bulk(message);
  return out;
}

}  // namespace

std::atomic<int>& PubSub::Counter(ClientState* c, Kind kind) {
  return kind == kChannel ? c->channels : kind == kPattern ? c->patterns : c->shard_channels;
}

bool PubSub::Subscribe(ClientState* c, Kind kind, std::string_view name) {
  std::lock_guard<std::mutex> l(mu_);
  Index& index = index_[kind];
  auto it = index.find(name);
  if (it == index.end()) it = index.emplace(std::string(name), std::set<ClientState*>()).first;
  if (!it->second.insert(c).second) return false;
  clients_[c][kind].emplace(name);
  Counter(c, kind).fetch_add(1);
  return true;
}

bool PubSub::Unsubscribe(ClientState* c, Kind kind, std::string_view name) {
  std::lock_guard<std::mutex> l(mu_);
  Index& index = index_[kind];
  auto it = index.find(name);
  if (it == index.end() || it->second.erase(c) == 0) return false;
  if (it->second.empty()) index.erase(it);
  auto& names = clients_.find(c)->second[kind];
  names.erase(names.find(name));
  Counter(c, kind).fetch_sub(1);
  return true;
}

std::vector<std::string> PubSub::NamesOf(const ClientState* c, Kind kind) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = clients_.find(c);
  if (it == clients_.end()) return {};
  return {it->second[kind].begin(), it->second[kind].end()};
}

void PubSub::RemoveClient(ClientState* c) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = clients_.find(c);
  if (it == clients_.end()) return;
  for (Kind kind : {kChannel, kPattern, kShard}) {
    for (const std::string& name : it->second[kind]) {
      auto subs = index_[kind].find(name);
      subs->second.erase(c);
      if (subs->second.empty()) index_[kind].erase(subs);
    }
    Counter(c, kind) = 0;
  }
  clients_.erase(it);
}

size_t PubSub::DeliverLocked(Kind kind, std::string_view channel, std::string_view message) {
  auto it = index_[kind].find(channel);
  if (it == index_[kind].end()) return 0;
  const std::string_view frame_kind = kind == kShard ? "smessage" : "message";
  for (ClientState* c : it->second) {
    c->worker->Deliver(c->id, Frame(c, frame_kind, nullptr, channel, message));
  }
  return it->second.size();
}

size_t PubSub::Publish(std::string_view channel, std::string_view message) {
  std::lock_guard<std::mutex> l(mu_);
  size_t receivers = DeliverLocked(kChannel, channel, message);
  for (auto& [pattern, subs] : index_[kPattern]) {
    if (!GlobMatch(pattern, channel)) continue;
    for (ClientState* c : subs) {
      c->worker->Deliver(c->id, Frame(c, "pmessage", &pattern, channel, message));
      ++receivers;
    }
  }
  return receivers;
}

size_t PubSub::PublishShard(std::string_view channel, std::string_view message) {
  std::lock_guard<std::mutex> l(mu_);
  return DeliverLocked(kShard, channel, message);
}

std::vector<std::string> PubSub::ActiveChannels(Kind kind, std::string_view pattern) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> out;
  for (const auto& [name, subs] : index_[kind]) {
    if (pattern.empty() || GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

size_t PubSub::NumSubscribers(Kind kind, std::string_view channel) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = index_[kind].find(channel);
  return it == index_[kind].end() ? 0 : it->second.size();
}

size_t PubSub::NumPatterns() const {
  std::lock_guard<std::mutex> l(mu_);
  return index_[kPattern].size();
}

}  // namespace strata::server
