#include "server/blocking.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "base/clock.h"
#include "base/string_util.h"
#include "engine/redo.h"
#include "server/commands/command.h"
#include "server/server.h"
#include "server/commands/errors.h"

namespace strata::server {

namespace {

// The keys this thread's commits made ready, and the Blocking each belongs to (tests run more
// than one server in a process). Filled by OnCommit, emptied by the same thread's
// Server::ServeBlocked after its command.
thread_local std::vector<std::pair<const Blocking*, Blocking::Key>> t_ready;

bool Blockable(uint8_t type) {
  return type == static_cast<uint8_t>(engine::ValueType::kList) ||
         type == static_cast<uint8_t>(engine::ValueType::kZSet) ||
         type == static_cast<uint8_t>(engine::ValueType::kStream);
}

}  // namespace

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

bool BlockClient(CommandContext& ctx, std::span<const std::string_view> keys, int64_t timeout_ms,
                 engine::ValueType type, std::span<const std::string_view> argv) {
  if (ctx.serve_key != nullptr) return true;  // being served, and nothing there: it waits on
  ClientState& c = ctx.client;
  if (c.in_exec) return false;
  // A deadline past the clock's range never comes: Redis's sum overflows there, Strata's
  // would be undefined, so it blocks forever.
  if (timeout_ms == 0 || timeout_ms > INT64_MAX - ctx.now_ms) {
    c.block_forever = true;
  } else {
    c.block_deadline_ms = ctx.now_ms + timeout_ms;
  }
  const CommandSpec* spec = ctx.server.commands().Find(ctx.args[0]);
  ctx.server.blocking().Block(c, *spec, argv.empty() ? ctx.args : argv, keys, type);
  c.blocked = true;
  return true;
}

void Blocking::Block(const ClientState& c, const CommandSpec& spec,
                     std::span<const std::string_view> argv, std::span<const std::string_view> keys,
                     engine::ValueType type) {
  auto w = std::make_unique<Waiter>();
  w->client_id = c.id;
  w->mailbox = c.worker;
  w->db = c.db.load(std::memory_order_relaxed);
  w->resp3 = c.resp.load(std::memory_order_relaxed) == 3;
  w->type = type;
  w->spec = &spec;
  w->argv.assign(argv.begin(), argv.end());
  std::lock_guard<std::mutex> l(mu_);
  if (auto old = by_id_.find(c.id); old != by_id_.end()) {
    RemoveLocked(old->second.get());
    by_id_.erase(old);
  }
  for (std::string_view k : keys) {
    Key key(w->db, std::string(k));
    const bool seen = std::any_of(w->keys.begin(), w->keys.end(),
                                  [&](const auto& place) { return place.first == key; });
    if (seen) continue;  // BLPOP k k 0 waits on k once
    std::list<Waiter*>& queue = waiting_[key];
    queue.push_back(w.get());
    w->keys.emplace_back(std::move(key), std::prev(queue.end()));
  }
  by_id_[c.id] = std::move(w);
  blocked_.store(by_id_.size(), std::memory_order_release);
}

void Blocking::RemoveLocked(Waiter* w) {
  for (auto& [key, place] : w->keys) {
    auto q = waiting_.find(key);
    q->second.erase(place);
    if (q->second.empty()) waiting_.erase(q);
  }
  w->keys.clear();
}

Blocking::Waiter* Blocking::WaitForLocked(std::unique_lock<std::mutex>& l, uint64_t client_id) {
  for (;;) {
    auto it = by_id_.find(client_id);
    if (it == by_id_.end()) return nullptr;
    if (!it->second->serving) return it->second.get();
    served_.wait(l);
  }
}

bool Blocking::Cancel(uint64_t client_id) { return Unblock(client_id) != nullptr; }

std::unique_ptr<Blocking::Waiter> Blocking::Unblock(uint64_t client_id) {
  std::unique_lock<std::mutex> l(mu_);
  Waiter* w = WaitForLocked(l, client_id);
  if (w == nullptr) return nullptr;
  RemoveLocked(w);
  auto it = by_id_.find(client_id);
  std::unique_ptr<Waiter> out = std::move(it->second);
  by_id_.erase(it);
  blocked_.store(by_id_.size(), std::memory_order_release);
  return out;
}

void Blocking::OnCommit(std::string_view record) {
  // Under the record's shard locks: a waiter registered on one of its keys is visible here (it
  // registered under the same lock), or registers later and finds the change itself.
  if (blocked_.load(std::memory_order_acquire) == 0) return;
  engine::RedoReader reader(record);
  engine::RedoEffect e;
  while (reader.Next(&e)) {
    switch (e.op) {
      case engine::RedoOp::kPut:
        if (!Blockable(e.type)) break;
        [[fallthrough]];
      case engine::RedoOp::kListPush:
      case engine::RedoOp::kZSetAdd:
      case engine::RedoOp::kStreamAdd:
      // A stream deleted or a group destroyed ends its blocked XREADGROUP readers with an error.
      case engine::RedoOp::kDel:
      case engine::RedoOp::kStreamGroup:
        t_ready.emplace_back(this, Key(e.db, std::string(e.key)));
        break;
      case engine::RedoOp::kSwapDb: {
        // As Redis's scanDatabaseForReadyKeys: every key waited on in either database.
        std::lock_guard<std::mutex> l(mu_);
        for (const auto& [key, queue] : waiting_) {
          if (key.first == e.db || key.first == e.db2) t_ready.emplace_back(this, key);
        }
        break;
      }
      default:
        break;
    }
  }
}

bool Blocking::HasReady() const {
  for (const auto& r : t_ready) {
    if (r.first == this) return true;
  }
  return false;
}

bool Blocking::TakeReady(std::vector<Key>* out) {
  out->clear();
  size_t keep = 0;
  for (auto& r : t_ready) {
    if (r.first != this) {
      t_ready[keep++] = std::move(r);
    } else if (std::find(out->begin(), out->end(), r.second) == out->end()) {
      out->push_back(std::move(r.second));
    }
  }
  t_ready.resize(keep);
  return !out->empty();
}

Blocking::Waiter* Blocking::ClaimFirst(const Key& key, engine::ValueType type,
                                       std::span<const uint64_t> passed) {
  std::lock_guard<std::mutex> l(mu_);
  auto q = waiting_.find(key);
  if (q == waiting_.end()) return nullptr;
  for (Waiter* w : q->second) {
    if (w->type != type || w->serving) continue;
    if (std::find(passed.begin(), passed.end(), w->client_id) != passed.end()) continue;
    w->serving = true;
    return w;
  }
  return nullptr;
}

std::unique_ptr<Blocking::Waiter> Blocking::Finish(Waiter* w) {
  std::unique_ptr<Waiter> out;
  {
    std::lock_guard<std::mutex> l(mu_);
    RemoveLocked(w);
    auto it = by_id_.find(w->client_id);
    out = std::move(it->second);
    by_id_.erase(it);
    blocked_.store(by_id_.size(), std::memory_order_release);
  }
  served_.notify_all();
  return out;
}

void Blocking::Release(Waiter* w) {
  {
    std::lock_guard<std::mutex> l(mu_);
    w->serving = false;
  }
  served_.notify_all();
}

void Server::ServeBlocked(engine::RedoRecord* redo) {
  if (!blocking_.HasReady()) return;
  std::lock_guard<std::mutex> serving(blocking_.serve_mu());
  std::vector<Blocking::Key> ready;
  while (blocking_.TakeReady(&ready)) {  // a served command may make more keys ready
    for (const Blocking::Key& key : ready) {
      const std::string_view name = key.second;
      // Stream readers the key had nothing for: they wait on, and the next one is tried (a
      // read does not consume what another reader may want).
      std::vector<uint64_t> passed;
      for (;;) {
        // What the key holds now decides who may pop from it: nothing, or another type, and no
        // list or sorted-set waiter is served (a transaction's LPUSH, DEL, SET leaves them
        // waiting); stream readers are, to learn that their stream is gone.
        engine::ValueType type = engine::ValueType::kStream;
        {
          engine::ShardLocks lock = keyspace_->Lock(name, redo);
          engine::DbView db(*keyspace_, key.first, NowMs(), redo);
          const engine::Entry* e = db.Peek(name);
          if (e != nullptr && Blockable(static_cast<uint8_t>(e->type()))) type = e->type();
        }
        Blocking::Waiter* w = blocking_.ClaimFirst(key, type, passed);
        if (w == nullptr) break;
        const uint64_t claimed_id = w->client_id;
        // The waiter's command runs again for it, against this key alone, as its own client
        // would run it (database, protocol); its client stays untouched on its own worker.
        std::string out;
        ReplyBuilder reply(&out);
        reply.set_resp3(w->resp3);
        ClientState as_waiter;
        as_waiter.id = w->client_id;
        as_waiter.db = w->db;
        as_waiter.resp = w->resp3 ? 3 : 2;
        const std::vector<std::string_view> args(w->argv.begin(), w->argv.end());
        CommandContext ctx{*this, as_waiter, reply, args, NowMs(), redo};
        ctx.serve_key = &key.second;
        RunHandler(*w->spec, *w->spec, ctx);
        if (out.empty()) {  // emptied meanwhile by a command of another thread, or nothing new
          blocking_.Release(w);
          if (type != engine::ValueType::kStream) break;
          passed.push_back(claimed_id);
          continue;
        }
        uint64_t hold = 0;
        if (persistence_->hold_replies() && redo->dependency() > persistence_->released_lsn()) {
          hold = redo->dependency();
        }
        std::unique_ptr<Blocking::Waiter> done = blocking_.Finish(w);
        done->mailbox->DeliverServed(done->client_id, std::move(out), hold);
      }
    }
  }
}

}  // namespace strata::server
