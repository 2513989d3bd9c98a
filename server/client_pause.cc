#include "server/client_pause.h"

#include <algorithm>

namespace strata::server {

void ClientPause::Pause(int64_t now_ms, int64_t end_ms, Mode mode) {
  std::lock_guard<std::mutex> l(mu_);
  const int64_t old_end = end_ms_.load(std::memory_order_relaxed);
  // A pause whose time is up (the cron has not ended it yet) does not carry over.
  const int old_mode = old_end > now_ms ? mode_.load(std::memory_order_relaxed) : kNone;
  end_ms_.store(std::max(old_end, end_ms), std::memory_order_relaxed);
  mode_.store(std::max<int>(old_mode, mode), std::memory_order_release);
}

void ClientPause::Unpause() {
  std::vector<std::pair<uint64_t, Mailbox*>> held;
  {
    std::lock_guard<std::mutex> l(mu_);
    mode_.store(kNone, std::memory_order_release);
    end_ms_.store(0, std::memory_order_relaxed);
    held.swap(held_);
  }
  for (auto& [id, mailbox] : held) mailbox->Deliver(id, std::string());  // run it again
}

void ClientPause::Hold(ClientState* c) {
  std::lock_guard<std::mutex> l(mu_);
  c->blocked = true;
  c->paused = true;
  held_.emplace_back(c->id, c->worker);
  // Unpaused meanwhile (between Holds and here): wake it at once.
  if (mode_.load(std::memory_order_relaxed) == kNone) {
    held_.pop_back();
    c->worker->Deliver(c->id, std::string());
  }
}

void ClientPause::Forget(const ClientState* c) {
  if (!c->paused) return;
  std::lock_guard<std::mutex> l(mu_);
  std::erase_if(held_, [&](const auto& h) { return h.first == c->id; });
}

bool ClientPause::WritePauseCovers(const CommandSpec& spec,
                                   const std::vector<std::vector<std::string>>& queued,
                                   const CommandTable& table) {
  auto covered = [](const CommandSpec& s) { return (s.flags & kWrite) || s.name == "publish"; };
  if (covered(spec)) return true;
  if (spec.name != "exec") return false;
  return std::any_of(queued.begin(), queued.end(), [&](const std::vector<std::string>& argv) {
    const CommandSpec* s = table.Find(argv[0]);
    return s != nullptr && covered(*s);
  });
}

int64_t ClientPause::Tick(int64_t now_ms) {
  if (mode_.load(std::memory_order_acquire) == kNone) return 0;
  const int64_t end = end_ms_.load(std::memory_order_relaxed);
  if (now_ms < end) return end;
  Unpause();
  return 0;
}

size_t ClientPause::num_held() const {
  std::lock_guard<std::mutex> l(mu_);
  return held_.size();
}

}  // namespace strata::server
