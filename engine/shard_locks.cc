#include "engine/shard_locks.h"

#include "base/busy.h"
#include "engine/keyspace.h"

namespace strata::engine {

namespace {
thread_local const Keyspace* t_holding_all = nullptr;
}  // namespace

ShardLocks::HoldAll::HoldAll(const Keyspace* ks) : prev_(t_holding_all) { t_holding_all = ks; }
ShardLocks::HoldAll::~HoldAll() { t_holding_all = prev_; }

ShardLocks::ShardLocks(Keyspace* ks, uint32_t shard, RedoRecord* redo)
    : ks_(ks), redo_(redo), one_(shard) {
  if (ks == t_holding_all) {
    ks_ = nullptr;
    return;
  }
  LockInterruptibly(ks_->shard(shard).mu());
}

ShardLocks::ShardLocks(Keyspace* ks, std::vector<uint32_t> shards, RedoRecord* redo)
    : ks_(ks), redo_(redo), many_(std::move(shards)) {
  if (ks == t_holding_all) {
    ks_ = nullptr;
    many_.clear();
    return;
  }
  // A wait cut short by a long command (base/busy.h) leaves nothing locked.
  for (size_t i = 0; i < many_.size(); ++i) {
    try {
      LockInterruptibly(ks_->shard(many_[i]).mu());
    } catch (const BusyError&) {
      while (i > 0) ks_->shard(many_[--i]).mu().unlock();
      ks_ = nullptr;
      many_.clear();
      throw;
    }
  }
}

ShardLocks& ShardLocks::operator=(ShardLocks&& o) noexcept {
  if (this != &o) {
    Release();
    ks_ = o.ks_;
    redo_ = o.redo_;
    one_ = o.one_;
    many_ = std::move(o.many_);
    o.ks_ = nullptr;
  }
  return *this;
}

template <typename Fn>
void ShardLocks::ForEachShard(Fn fn) {
  if (one_ >= 0) fn(ks_->shard(static_cast<uint32_t>(one_)));
  for (uint32_t s : many_) fn(ks_->shard(s));
}

void ShardLocks::Release() {
  if (ks_ == nullptr) return;
  if (redo_ != nullptr) {
    RedoSink* sink = ks_->redo_sink();
    ChangeListener* listener = ks_->change_listener();
    if (!redo_->empty() && listener != nullptr) listener->OnCommit(redo_->bytes());
    if (!redo_->empty() && sink != nullptr) {
      const uint64_t lsn = sink->Commit(redo_->bytes());
      ForEachShard([lsn](Shard& s) { s.set_last_lsn(lsn); });
      redo_->Depend(lsn);
    } else {
      ForEachShard([this](Shard& s) { redo_->Depend(s.last_lsn()); });
    }
    redo_->Clear();
  }
  ForEachShard([](Shard& s) { s.SyncUsedBytesHint(); });
  if (one_ >= 0) ks_->shard(static_cast<uint32_t>(one_)).mu().unlock();
  for (auto it = many_.rbegin(); it != many_.rend(); ++it) ks_->shard(*it).mu().unlock();
  ks_ = nullptr;
  one_ = -1;
  many_.clear();
}

}  // namespace strata::engine
