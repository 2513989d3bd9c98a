#include "server/notify.h"

#include "server/pubsub.h"

namespace strata::server {
namespace {

struct Letter {
  char c;
  uint32_t bits;
};
// In the order CONFIG GET lists them when not every class of A is set.
constexpr Letter kClassLetters[] = {
    {'g', kNotifyGeneric}, {'$', kNotifyString}, {'l', kNotifyList},    {'s', kNotifySet},
    {'h', kNotifyHash},    {'z', kNotifyZset},   {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},  {'d', kNotifyModule}, {'n', kNotifyNew},
};

}  // namespace

std::optional<uint32_t> ParseNotifyClasses(std::string_view letters) {
  uint32_t bits = 0;
  for (char c : letters) {
    switch (c) {
      case 'A': bits |= kNotifyAll; continue;
      case 'K': bits |= kNotifyKeyspace; continue;
      case 'E': bits |= kNotifyKeyevent; continue;
      case 'm': bits |= kNotifyKeyMiss; continue;
      default: break;
    }
    bool found = false;
    for (const Letter& l : kClassLetters) {
      if (l.c == c) {
        bits |= l.bits;
        found = true;
      }
    }
    if (!found) return std::nullopt;
  }
  return bits;
}

std::string NotifyClassesString(uint32_t classes) {
  std::string s;
  if ((classes & kNotifyAll) == kNotifyAll) {
    s += 'A';  // Redis 7.0 then leaves n out
  } else {
    for (const Letter& l : kClassLetters) {
      if (classes & l.bits) s += l.c;
    }
  }
  if (classes & kNotifyKeyspace) s += 'K';
  if (classes & kNotifyKeyevent) s += 'E';
  if (classes & kNotifyKeyMiss) s += 'm';
  return s;
}

void Notifier::Notify(uint32_t cls, std::string_view event, std::string_view key, int db) {
  const uint32_t classes = classes_.load(std::memory_order_relaxed);
  if ((classes & cls) == 0) return;
  const std::string db_str = std::to_string(db);
  if (classes & kNotifyKeyspace) {
    std::string channel = "__keyspace@" + db_str + "__:";
    channel.append(key);
    pubsub_->Publish(channel, event);
  }
  if (classes & kNotifyKeyevent) {
    std::string channel = "__keyevent@" + db_str + "__:";
    channel.append(event);
    pubsub_->Publish(channel, key);
  }
}

void Notifier::OnKeyEvent(engine::KeyEvent event, int db, std::string_view key) {
  switch (event) {
    case engine::KeyEvent::kNew: return Notify(kNotifyNew, "new", key, db);
    case engine::KeyEvent::kExpired: return Notify(kNotifyExpired, "expired", key, db);
    case engine::KeyEvent::kEvicted: return Notify(kNotifyEvicted, "evicted", key, db);
    case engine::KeyEvent::kMiss: return Notify(kNotifyKeyMiss, "keymiss", key, db);
  }
}

}  // namespace strata::server
