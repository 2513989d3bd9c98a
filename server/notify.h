// Keyspace notifications (notify-keyspace-events), as Redis 7.0 sends them: for each event a
// command (or expiry, eviction) causes on a key, a message on __keyspace@<db>__:<key> holding the
// event's name (class K) and one on __keyevent@<db>__:<event> holding the key (class E), for the
// event classes enabled. Published through PubSub at the moment of the change, under the key's
// shard lock, so subscribers on any worker see a key's events in the order they happened.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/shard.h"

namespace strata::server {

class PubSub;

// Redis's NOTIFY_* bits.
enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1 << 0,  // K
  kNotifyKeyevent = 1 << 1,  // E
  kNotifyGeneric = 1 << 2,   // g
  kNotifyString = 1 << 3,    // $
  kNotifyList = 1 << 4,      // l
  kNotifySet = 1 << 5,       // s
  kNotifyHash = 1 << 6,      // h
  kNotifyZset = 1 << 7,      // z
  kNotifyExpired = 1 << 8,   // x
  kNotifyEvicted = 1 << 9,   // e
  kNotifyStream = 1 << 10,   // t
  kNotifyKeyMiss = 1 << 11,  // m (not in A)
  kNotifyLoaded = 1 << 12,   // module key loaded: no letter
  kNotifyModule = 1 << 13,   // d
  kNotifyNew = 1 << 14,      // n (not in A)
  // A: every class but m and n.
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// notify-keyspace-events' letters to bits; nullopt for a letter that names no class.
std::optional<uint32_t> ParseNotifyClasses(std::string_view letters);
// The bits back to letters, as CONFIG GET shows them (Redis's order; with A, n is not shown).
std::string NotifyClassesString(uint32_t classes);

class Notifier final : public engine::KeyEventListener {
 public:
  explicit Notifier(PubSub* pubsub) : pubsub_(pubsub) {}

  void set_classes(uint32_t classes) { classes_.store(classes, std::memory_order_relaxed); }
  // Whether an event of `cls` would be sent: callers that must build a key or name for it ask.
  bool enabled(uint32_t cls) const {
    const uint32_t c = classes_.load(std::memory_order_relaxed);
    return (c & cls) != 0 && (c & (kNotifyKeyspace | kNotifyKeyevent)) != 0;
  }
  // Sends `event` on `key` of database `db` if its class is enabled.
  void Notify(uint32_t cls, std::string_view event, std::string_view key, int db);

  // engine::KeyEventListener: new, expired, evicted.
  void OnKeyEvent(engine::KeyEvent event, int db, std::string_view key) override;

 private:
  PubSub* pubsub_;
  std::atomic<uint32_t> classes_{0};
};

}  // namespace strata::server
