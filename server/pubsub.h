// PubSub: every client's channel and pattern subscriptions, and PUBLISH's delivery to them on
// whichever worker owns them.
//
// A message is framed for each receiver (RESP2 array or RESP3 push, as the receiver speaks)
// and handed to its worker (Worker::Deliver), which appends it to the connection's output in
// order with the connection's own replies. Thread safe: one mutex guards the registry, and
// delivery happens under it, so a client removed with RemoveClient() (before its state is
// freed) is never delivered to afterwards.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/net/client.h"

namespace strata::server {

class PubSub {
 public:
  // Each returns whether the subscription changed, and updates c's counters.
  bool Subscribe(ClientState* c, std::string_view channel);
  bool Unsubscribe(ClientState* c, std::string_view channel);
  bool PSubscribe(ClientState* c, std::string_view pattern);
  bool PUnsubscribe(ClientState* c, std::string_view pattern);
  // c's channels / patterns, sorted.
  std::vector<std::string> ChannelsOf(const ClientState* c) const;
  std::vector<std::string> PatternsOf(const ClientState* c) const;
  // Drops every subscription of c (its connection is closing).
  void RemoveClient(ClientState* c);

  // Delivers message to the subscribers of channel and of the patterns matching it. Returns how
  // many receivers it reached (a client subscribed both ways counts twice, as in Redis).
  size_t Publish(std::string_view channel, std::string_view message);

  // PUBSUB CHANNELS / NUMSUB / NUMPAT.
  std::vector<std::string> ActiveChannels(std::string_view pattern) const;  // "" = all
  size_t NumSubscribers(std::string_view channel) const;
  size_t NumPatterns() const;

 private:
  struct Subs {
    std::set<std::string, std::less<>> channels;
    std::set<std::string, std::less<>> patterns;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::set<ClientState*>, std::less<>> channels_;  // GUARDED_BY(mu_)
  std::map<std::string, std::set<ClientState*>, std::less<>> patterns_;  // GUARDED_BY(mu_)
  std::map<const ClientState*, Subs> clients_;                           // GUARDED_BY(mu_)
};

}  // namespace strata::server
