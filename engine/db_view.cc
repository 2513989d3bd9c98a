#include "engine/db_view.h"

#include <cstdlib>

#include "base/hash.h"

namespace strata::engine {

Entry* DbView::Find(std::string_view key) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  Entry* e = s.Find(db_, key, h, now_ms_, redo_, /*load=*/true);
  if (e != nullptr) ks_.Touch(s, e, now_ms_);
  return e;
}

Entry* DbView::FindKey(std::string_view key) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  Entry* e = s.Find(db_, key, h, now_ms_, redo_);
  if (e != nullptr) ks_.Touch(s, e, now_ms_);
  return e;
}

Entry* DbView::Peek(std::string_view key) { return Lookup(key, /*touch=*/false, /*load=*/false); }

Entry* DbView::PeekValue(std::string_view key) {
  return Lookup(key, /*touch=*/false, /*load=*/true);
}

Entry* DbView::FindRead(std::string_view key) { return Lookup(key, /*touch=*/true, /*load=*/true); }

Entry* DbView::Lookup(std::string_view key, bool touch, bool load) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  Entry* e = s.Find(db_, key, h, now_ms_, redo_, load);
  (e != nullptr ? s.stats().keyspace_hits : s.stats().keyspace_misses)
      .fetch_add(1, std::memory_order_relaxed);
  if (e == nullptr) s.NoteKeyEvent(KeyEvent::kMiss, db_, key);
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

bool DbView::Delete(std::string_view key, uint32_t lazy) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  Table::Slot slot = s.FindSlot(db_, key, h, now_ms_, redo_);
  if (slot == nullptr) return false;
  if (redo_ != nullptr) redo_->Del(db_, key);
  s.EraseAt(db_, slot, lazy);
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
  // Loaded: a stub's stored value belongs to the stub's place in the index (Shard::Account).
  Table::Slot slot = s.FindSlot(db_, key, h, now_ms_, redo_, /*load=*/true);
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
  Table::Slot slot = s.FindSlot(db_, key, h, now_ms_, redo_, /*load=*/true);
  if (redo_ != nullptr) redo_->Append(db_, key, suffix);
  return s.AppendAt(db_, slot, key, h, suffix, ClockAfterWrite(s, slot ? *slot : nullptr));
}

size_t DbView::SetRange(std::string_view key, uint64_t offset, std::string_view bytes) {
  uint64_t h = HashKey(key);
  Shard& s = ShardFor(h);
  Table::Slot slot = s.FindSlot(db_, key, h, now_ms_, redo_, /*load=*/true);
  if (redo_ != nullptr) redo_->SetRange(db_, key, offset, bytes);
  return s.PatchAt(db_, slot, key, h, offset, bytes, ClockAfterWrite(s, slot ? *slot : nullptr));
}

}  // namespace strata::engine