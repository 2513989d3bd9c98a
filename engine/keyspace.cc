#include "engine/keyspace.h"

#include <algorithm>
#include <cstdlib>

#include "base/clock.h"
#include "base/hash.h"
#include "engine/value.h"

namespace strata::engine {

// ---- Shard ----

Shard::Shard(int databases)
    : dbs_(databases), rnd_((reinterpret_cast<uintptr_t>(this) * 0x9E3779B97F4A7C15ULL) | 1) {}

size_t Shard::used_bytes() const {
  size_t n = entry_bytes_;
  for (const Db& d : dbs_) n += d.table.bucket_bytes();
  return n;
}

void Shard::Account(const Entry* e, int db, int sign) {
  size_t bytes = e->MemoryBytes();
  if (sign > 0) {
    entry_bytes_ += bytes;
    if (e->expire_ms() != 0) ++dbs_[db].volatile_keys;
  } else {
    entry_bytes_ -= bytes;
    if (e->expire_ms() != 0) --dbs_[db].volatile_keys;
  }
}

Table::Slot Shard::FindSlot(int db, std::string_view key, uint64_t hash, int64_t now_ms,
                            RedoRecord* redo) {
  Table::Slot slot = dbs_[db].table.FindSlot(key, hash);
  if (slot == nullptr) return nullptr;
  int64_t exp = (*slot)->expire_ms();
  if (exp != 0 && exp <= now_ms) {
    if (redo != nullptr) redo->Del(db, key);
    EraseAt(db, slot);
    stats_.expired_keys.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  return slot;
}

Entry* Shard::Find(int db, std::string_view key, uint64_t hash, int64_t now_ms, RedoRecord* redo) {
  Table::Slot slot = FindSlot(db, key, hash, now_ms, redo);
  return slot ? *slot : nullptr;
}

void Shard::Upsert(int db, Entry* e, uint64_t hash) {
  Table& t = dbs_[db].table;
  Table::Slot slot = t.FindSlot(e->key(), hash);
  if (slot == nullptr) {
    if (t.frozen() && t.overfull()) {
      // A capture froze this table and inserts have since crowded it: write out what the
      // capture still needs from it, so that it may grow again.
      PreserveDb(db);
      t.set_frozen(false);
    }
    Account(e, db, +1);
    Adopt(e);
    t.Insert(e, hash);
    return;
  }
  ReplaceAt(db, slot, e);
}

void Shard::ReplaceAt(int db, Table::Slot slot, Entry* e) {
  Preserve(db, *slot);
  Account(e, db, +1);
  Adopt(e);
  Entry* old = dbs_[db].table.Replace(slot, e);
  Account(old, db, -1);
  Entry::Free(old);
}

Entry* Shard::TakeAt(int db, Table::Slot slot) {
  Preserve(db, *slot);
  Entry* e = dbs_[db].table.Unlink(slot);
  Account(e, db, -1);
  return e;
}

void Shard::EraseAt(int db, Table::Slot slot) { Entry::Free(TakeAt(db, slot)); }

void Shard::SetExpireAt(int db, Table::Slot slot, int64_t expire_ms) {
  Entry* e = *slot;
  if (e->has_expire_slot()) {
    Preserve(db, e);
    Db& d = dbs_[db];
    if (e->expire_ms() != 0) --d.volatile_keys;
    e->set_expire_ms(expire_ms);
    if (expire_ms != 0) ++d.volatile_keys;
    return;
  }
  if (expire_ms == 0) return;
  ReplaceAt(db, slot, Entry::NewString(e->key(), e->str(), expire_ms, e->raw(), e->access_clock()));
}

size_t Shard::AppendAt(int db, Table::Slot slot, std::string_view key, uint64_t hash,
                       std::string_view suffix, uint32_t clock) {
  if (slot == nullptr) {
    Upsert(db, Entry::NewString(key, suffix, 0, /*raw=*/false, clock), hash);
    return suffix.size();
  }
  std::string v((*slot)->str());
  v.append(suffix);
  ReplaceAt(db, slot, Entry::NewString(key, v, (*slot)->expire_ms(), /*raw=*/true, clock));
  return v.size();
}

Status Shard::ApplyEffect(int db, std::string_view key, uint64_t hash, RedoOp op,
                         std::string_view body, uint32_t clock, Entry** out) {
  if (out != nullptr) *out = nullptr;
  const ValueType type = EffectType(op);
  Table& t = dbs_[db].table;
  Table::Slot slot = t.FindSlot(key, hash);
  if (slot == nullptr) {
    if (!EffectCreates(op)) return Status::Ok();
    std::unique_ptr<Value> v = NewValue(type);
    if (v == nullptr) return Status::Corruption("redo effect on a type this build lacks");
    Upsert(db, Entry::NewObject(key, v.release(), 0, clock), hash);
    slot = t.FindSlot(key, hash);
  } else if ((*slot)->type() != type) {
    return Status::Corruption("redo effect " + std::to_string(static_cast<int>(op)) +
                              " on a key holding a " + TypeName((*slot)->type()));
  }
  Entry* e = *slot;
  Preserve(db, e);
  Account(e, db, -1);
  Status st = e->value()->Apply(op, body);
  Account(e, db, +1);
  if (e->value()->size() == 0) {
    EraseAt(db, slot);  // an emptied collection disappears, as in Redis
  } else if (out != nullptr) {
    *out = e;
  }
  return st;
}

void Shard::PreserveDb(int db) {
  if (!capturing_) return;
  uint64_t cursor = 0;
  do {
    cursor = dbs_[db].table.Scan(cursor, [&](Entry* e) { Preserve(db, e); });
  } while (cursor != 0);
}

void Shard::BeginCapture(bool parity) {
  snap_parity_ = parity;
  capturing_ = true;
  for (Db& d : dbs_) d.table.set_frozen(true);
}

void Shard::EndCapture() {
  capturing_ = false;
  capture_.Release();
  for (Db& d : dbs_) d.table.set_frozen(false);
}

uint32_t Shard::TakeCaptured(std::string* batch) {
  uint32_t n = capture_entries_;
  batch->clear();
  if (n != 0) capture_.MoveTo(batch);  // the shard gets batch's old buffer, capacity and all
  capture_entries_ = 0;
  capture_bytes_.store(0, std::memory_order_relaxed);
  return n;
}

void Shard::Clear(int db) {
  PreserveDb(db);
  Db& d = dbs_[db];
  // Walk once for the accounting, then let the table free everything.
  size_t bytes = 0;
  uint64_t cursor = 0;
  do {
    cursor = d.table.Scan(cursor, [&](Entry* e) { bytes += e->MemoryBytes(); });
  } while (cursor != 0);
  entry_bytes_ -= bytes;
  d.table.Clear();
  d.volatile_keys = 0;
  d.expire_cursor = 0;
}

void Shard::Swap(int db1, int db2) {
  PreserveDb(db1);
  PreserveDb(db2);
  std::swap(dbs_[db1], dbs_[db2]);
}

size_t Shard::ActiveExpire(int64_t now_ms, int64_t budget_us, RedoRecord* redo) {
  const int64_t deadline = MonotonicUs() + budget_us;
  size_t deleted = 0;
  std::vector<std::string> expired;
  for (size_t db = 0; db < dbs_.size(); ++db) {
    Db& d = dbs_[db];
    if (d.volatile_keys == 0) continue;
    // Walk up to 64 buckets at a time, then delete what was found, until the deadline or the
    // end of a full pass (the cursor returns to 0).
    do {
      expired.clear();
      for (int i = 0; i < 64; ++i) {
        d.expire_cursor = d.table.Scan(d.expire_cursor, [&](Entry* e) {
          int64_t exp = e->expire_ms();
          if (exp != 0 && exp <= now_ms) expired.emplace_back(e->key());
        });
        if (d.expire_cursor == 0) break;
      }
      for (const std::string& k : expired) {
        Table::Slot slot = d.table.FindSlot(k, HashKey(k));
        if (slot == nullptr) continue;
        if (redo != nullptr) redo->Del(static_cast<int>(db), k);
        EraseAt(static_cast<int>(db), slot);
      }
      deleted += expired.size();
      stats_.expired_keys.fetch_add(expired.size(), std::memory_order_relaxed);
    } while (d.expire_cursor != 0 && d.volatile_keys != 0 && MonotonicUs() < deadline);
    if (MonotonicUs() >= deadline) break;
  }
  return deleted;
}

void Shard::Migrate(int64_t budget_us) {
  for (Db& d : dbs_) d.table.MigrateFor(budget_us);
}

// ---- ShardLocks ----

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
  ks_->shard(shard).mu().lock();
}

ShardLocks::ShardLocks(Keyspace* ks, std::vector<uint32_t> shards, RedoRecord* redo)
    : ks_(ks), redo_(redo), many_(std::move(shards)) {
  if (ks == t_holding_all) {
    ks_ = nullptr;
    many_.clear();
    return;
  }
  for (uint32_t s : many_) ks_->shard(s).mu().lock();
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

// ---- Keyspace ----

Keyspace::Keyspace(const KeyspaceOptions& options) : databases_(options.databases) {
  int n = 1, bits = 0;
  int want = std::clamp(options.shards, 1, 1024);
  while (n < want) {
    n <<= 1;
    ++bits;
  }
  shift_ = 64 - bits;
  shards_.reserve(n);
  for (int i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>(databases_));
}

ShardLocks Keyspace::Lock(std::string_view key, RedoRecord* redo) {
  return ShardLocks(this, ShardOf(HashKey(key)), redo);
}

ShardLocks Keyspace::Lock(std::span<const std::string_view> keys, RedoRecord* redo) {
  std::vector<uint32_t> ids;
  ids.reserve(keys.size());
  for (std::string_view k : keys) ids.push_back(ShardOf(HashKey(k)));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ShardLocks(this, std::move(ids), redo);
}

ShardLocks Keyspace::LockAll(RedoRecord* redo) {
  std::vector<uint32_t> ids(shards_.size());
  for (uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
  return ShardLocks(this, std::move(ids), redo);
}

size_t Keyspace::DbSize(int db) {
  size_t n = 0;
  for (uint32_t i = 0; i < shards_.size(); ++i) {
    ShardLocks l(this, i);
    n += shards_[i]->table(db).size();
  }
  return n;
}

size_t Keyspace::UsedBytes() {
  size_t n = 0;
  for (uint32_t i = 0; i < shards_.size(); ++i) {
    ShardLocks l(this, i);
    n += shards_[i]->used_bytes();
  }
  return n;
}

size_t Keyspace::UsedBytesHint() const {
  size_t n = 0;
  for (const auto& s : shards_) n += s->used_bytes_hint();
  return n;
}

void Keyspace::set_eviction(const EvictionConfig& c) {
  samples_.store(c.samples, std::memory_order_relaxed);
  lfu_log_factor_.store(c.lfu_log_factor, std::memory_order_relaxed);
  lfu_decay_time_.store(c.lfu_decay_time, std::memory_order_relaxed);
  policy_.store(c.policy, std::memory_order_relaxed);
}

EvictionConfig Keyspace::eviction() const {
  EvictionConfig c;
  c.policy = policy_.load(std::memory_order_relaxed);
  c.samples = samples_.load(std::memory_order_relaxed);
  c.lfu_log_factor = lfu_log_factor_.load(std::memory_order_relaxed);
  c.lfu_decay_time = lfu_decay_time_.load(std::memory_order_relaxed);
  return c;
}

uint32_t Keyspace::AccessedClock(Shard& s, uint32_t clock, int64_t now_ms) {
  const EvictionPolicy policy = eviction_policy();
  if (!IsLfu(policy)) return AccessClockAt(now_ms);
  EvictionConfig c;
  c.policy = policy;
  c.lfu_log_factor = lfu_log_factor_.load(std::memory_order_relaxed);
  c.lfu_decay_time = lfu_decay_time_.load(std::memory_order_relaxed);
  return TouchedAccessClock(clock, c, now_ms, s.NextRandom());
}

void Keyspace::ResetStats() {
  for (auto& s : shards_) {
    ShardStats& st = s->stats();
    st.expired_keys.store(0, std::memory_order_relaxed);
    st.keyspace_hits.store(0, std::memory_order_relaxed);
    st.keyspace_misses.store(0, std::memory_order_relaxed);
    st.evicted_keys.store(0, std::memory_order_relaxed);
  }
}

uint64_t Keyspace::EvictedKeys() {
  uint64_t n = 0;
  for (auto& s : shards_) n += s->stats().evicted_keys.load(std::memory_order_relaxed);
  return n;
}

uint64_t Keyspace::ExpiredKeys() {
  uint64_t n = 0;
  for (auto& s : shards_) n += s->stats().expired_keys.load(std::memory_order_relaxed);
  return n;
}
uint64_t Keyspace::Hits() {
  uint64_t n = 0;
  for (auto& s : shards_) n += s->stats().keyspace_hits.load(std::memory_order_relaxed);
  return n;
}
uint64_t Keyspace::Misses() {
  uint64_t n = 0;
  for (auto& s : shards_) n += s->stats().keyspace_misses.load(std::memory_order_relaxed);
  return n;
}

// ---- DbView ----

Entry* DbView::Find(std::string_view key) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  Entry* e = s.Find(db_, key, h, now_ms_, redo_);
  if (e != nullptr) ks_.Touch(s, e, now_ms_);
  return e;
}

Entry* DbView::Peek(std::string_view key) { return Lookup(key, /*touch=*/false); }

Entry* DbView::FindRead(std::string_view key) { return Lookup(key, /*touch=*/true); }

Entry* DbView::Lookup(std::string_view key, bool touch) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  Entry* e = s.Find(db_, key, h, now_ms_, redo_);
  (e != nullptr ? s.stats().keyspace_hits : s.stats().keyspace_misses)
      .fetch_add(1, std::memory_order_relaxed);
  if (e != nullptr && touch) ks_.Touch(s, e, now_ms_);
  return e;
}

uint32_t DbView::ClockAfterWrite(Shard& s, const Entry* old) {
  // As Redis's dbOverwrite: under LFU a new value keeps the key's counter, which the write's
  // own lookup has bumped; otherwise the write is the access.
  const bool live = old != nullptr && (old->expire_ms() == 0 || old->expire_ms() > now_ms_);
  if (!live || !IsLfu(ks_.eviction_policy())) return ks_.NewAccessClock(now_ms_);
  return ks_.AccessedClock(s, old->access_clock(), now_ms_);
}

void DbView::SetString(std::string_view key, std::string_view value, int64_t expire_ms, bool raw) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  const Entry* old = IsLfu(ks_.eviction_policy()) ? s.table(db_).Find(key, h) : nullptr;
  Entry* e = Entry::NewString(key, value, expire_ms, raw, ClockAfterWrite(s, old));
  if (redo_ != nullptr) redo_->Put(db_, *e);
  s.Upsert(db_, e, h);
}

bool DbView::Delete(std::string_view key) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  Table::Slot slot = s.FindSlot(db_, key, h, now_ms_, redo_);
  if (slot == nullptr) return false;
  if (redo_ != nullptr) redo_->Del(db_, key);
  s.EraseAt(db_, slot);
  return true;
}

bool DbView::SetExpire(std::string_view key, int64_t expire_ms) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  Table::Slot slot = s.FindSlot(db_, key, h, now_ms_, redo_);
  if (slot == nullptr) return false;
  if (redo_ != nullptr) redo_->Expire(db_, key, expire_ms);
  s.SetExpireAt(db_, slot, expire_ms);
  return true;
}

Entry* DbView::Take(std::string_view key) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  Table::Slot slot = s.FindSlot(db_, key, h, now_ms_, redo_);
  if (slot == nullptr) return nullptr;
  if (redo_ != nullptr) redo_->Del(db_, key);
  return s.TakeAt(db_, slot);
}

void DbView::Put(Entry* e) {
  uint64_t h = HashKey(e->key());
  if (redo_ != nullptr) redo_->Put(db_, *e);
  ShardFor(h).Upsert(db_, e, h);
}

Entry* DbView::Apply(RedoOp op, std::string_view key, std::string_view body) {
  uint64_t h = HashKey(key);
  if (redo_ != nullptr) redo_->Effect(op, db_, key, body);
  Entry* e = nullptr;
  Status st = ShardFor(h).ApplyEffect(db_, key, h, op, body, ks_.NewAccessClock(now_ms_), &e);
  if (!st.ok()) abort();  // a command built a body its own type cannot read: a bug
  return e;
}

size_t DbView::Append(std::string_view key, std::string_view suffix) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  Table::Slot slot = s.FindSlot(db_, key, h, now_ms_, redo_);
  if (redo_ != nullptr) redo_->Append(db_, key, suffix);
  return s.AppendAt(db_, slot, key, h, suffix, ClockAfterWrite(s, slot ? *slot : nullptr));
}

}  // namespace strata::engine
