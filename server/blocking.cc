#include "server/blocking.h"

#include <cmath>
#include <string>

#include "base/string_util.h"
#include "server/commands/command.h"
#include "server/server.h"
#include "server/net/worker.h"
#include "server/commands/errors.h"

namespace strata::server {

bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, int64_t* timeout_ms) {
  // Redis 7.0's getTimeoutFromObjectOrReply: a long double (infinities pass the parse), times
  // 1000 and converted to long long, which on x86-64 gives LLONG_MIN for anything out of range
  // (and for the infinities); a fraction of a millisecond truncates to 0, which blocks forever.
  std::optional<long double> v = ParseLongDouble(arg, /*allow_inf=*/true);
  if (!v) {
    ctx.reply.Error(err::kTimeoutNotFloat);
    return false;
  }
  const long double ms = *v * 1000.0L;
  constexpr long double kTwoTo63 = 9223372036854775808.0L;
  const int64_t tval = (ms >= -kTwoTo63 && ms < kTwoTo63) ? static_cast<int64_t>(ms) : INT64_MIN;
  if (tval < 0) {
    ctx.reply.Error(err::kTimeoutNegative);
    return false;
  }
  *timeout_ms = tval;
  return true;
}

bool BlockClient(CommandContext& ctx, std::span<const std::string_view> keys, int64_t timeout_ms) {
  ClientState& c = ctx.client;
  if (c.in_exec || c.block_timed_out) return false;
  if (c.block_deadline_ms == 0 && !c.block_forever) {  // the first attempt sets the deadline
    // A deadline past the clock's range never comes: Redis's sum overflows there, Strata's
    // would be undefined, so it blocks forever.
    if (timeout_ms == 0 || timeout_ms > INT64_MAX - ctx.now_ms) {
      c.block_forever = true;
    } else {
      c.block_deadline_ms = ctx.now_ms + timeout_ms;
    }
  }
  ctx.server.blocking().Block(&c, c.db.load(), keys);
  c.blocked = true;
  return true;
}

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
