// PubSub: every client's channel, pattern and shard channel subscriptions, and PUBLISH's and
// SPUBLISH's delivery to them on whichever worker owns them.
//
// A message is framed for each receiver (RESP2 array or RESP3 push, as the receiver speaks)
// and handed to its worker (Worker::Deliver), which appends it to the connection's output in
// order with the connection's own replies. Thread safe: one mutex guards the registry, and
// delivery happens under it, so a client removed with RemoveClient() (before its state is
// freed) is never delivered to afterwards.
//
// Shard channels (SSUBSCRIBE, SPUBLISH) are Redis 7.0's sharded pub/sub: a namespace of their
// own, apart from the channels of SUBSCRIBE and never matched by patterns. Without Redis
// Cluster there is one shard, and they behave as channels do.
#pragma once

#include <array>
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
  enum Kind { kChannel, kPattern, kShard };

  // Each returns whether the subscription changed, and updates c's counters.
  bool Subscribe(ClientState* c, Kind kind, std::string_view name);
  bool Unsubscribe(ClientState* c, Kind kind, std::string_view name);
  // c's channels, patterns or shard channels, sorted.
  std::vector<std::string> NamesOf(const ClientState* c, Kind kind) const;
  // Drops every subscription of c (its connection is closing).
  void RemoveClient(ClientState* c);

  // Delivers message to the subscribers of channel and of the patterns matching it. Returns how
  // many receivers it reached (a client subscribed both ways counts twice, as in Redis).
  size_t Publish(std::string_view channel, std::string_view message);
  // SPUBLISH: to the subscribers of the shard channel.
  size_t PublishShard(std::string_view channel, std::string_view message);

  // PUBSUB CHANNELS / SHARDCHANNELS, NUMSUB / SHARDNUMSUB, NUMPAT.
  std::vector<std::string> ActiveChannels(Kind kind, std::string_view pattern) const;  // "" = all
  size_t NumSubscribers(Kind kind, std::string_view channel) const;
  size_t NumPatterns() const;

 private:
  using Index = std::map<std::string, std::set<ClientState*>, std::less<>>;
  static std::atomic<int>& Counter(ClientState* c, Kind kind);
  size_t DeliverLocked(Kind kind, std::string_view channel, std::string_view message);
  mutable std::mutex mu_;
  std::array<Index, 3> index_;  // by Kind; GUARDED_BY(mu_)
  std::map<const ClientState*, std::array<std::set<std::string, std::less<>>, 3>>
      clients_;  // GUARDED_BY(mu_)
};

}  // namespace strata::server
