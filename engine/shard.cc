#include "engine/shard.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "base/clock.h"
#include "base/hash.h"
#include "base/logging.h"
#include "engine/tier.h"
#include "engine/value.h"

namespace strata::engine {

Shard::Shard(int databases, const SharedEncodingLimits& limits)
    : limits_(limits),
      dbs_(databases), rnd_((reinterpret_cast<uintptr_t>(this) * 0x9E3779B97F4A7C15ULL) | 1) {}

size_t Shard::used_bytes() const {
  size_t n = entry_bytes_;
  for (const Db& d : dbs_) n += d.table.bucket_bytes();
  return n;
}

void Shard::Account(const Entry* e, int db, int sign, bool discard) {
  size_t bytes = e->MemoryBytes();
  if (sign > 0) {
    entry_bytes_ += bytes;
    if (e->expire_ms() != 0) ++dbs_[db].volatile_keys;
    if (e->cold()) {
      stats_.tier_keys.fetch_add(1, std::memory_order_relaxed);
      stats_.tier_bytes.fetch_add(e->tier_bytes(), std::memory_order_relaxed);
    }
  } else {
    entry_bytes_ -= bytes;
    if (e->expire_ms() != 0) --dbs_[db].volatile_keys;
    if (e->cold()) {
      // The stub leaves the index: its stored value is garbage once no snapshot needs it.
      stats_.tier_keys.fetch_sub(1, std::memory_order_relaxed);
      stats_.tier_bytes.fetch_sub(e->tier_bytes(), std::memory_order_relaxed);
      if (tier_ != nullptr && discard) tier_->Discard(e->tier_id());
    } else if (e->has_tier_copy() && tier_ != nullptr && discard) {
      tier_->Discard(e->tier_copy());
    }
  }
}

void Shard::SwapForm(int db, Table::Slot slot, Entry* e) {
  Preserve(db, *slot);
  Account(e, db, +1);
  Adopt(e);
  Entry* old = dbs_[db].table.Replace(slot, e);
  Account(old, db, -1, /*discard=*/false);
  Entry::Free(old);
}

Table::Slot Shard::FindSlot(int db, std::string_view key, uint64_t hash, int64_t now_ms,
                            RedoRecord* redo, bool load) {
  Table::Slot slot = dbs_[db].table.FindSlot(key, hash);
  if (slot == nullptr) return nullptr;
  int64_t exp = (*slot)->expire_ms();
  if (exp != 0 && exp <= now_ms) {
    if (redo != nullptr) redo->Del(db, key);
    EraseAt(db, slot, kLazyExpire);
    stats_.expired_keys.fetch_add(1, std::memory_order_relaxed);
    NoteKeyEvent(KeyEvent::kExpired, db, key);
    return nullptr;
  }
  if (load && (*slot)->cold() && !Load(db, slot)) return nullptr;
  return slot;
}

Entry* Shard::Find(int db, std::string_view key, uint64_t hash, int64_t now_ms, RedoRecord* redo,
                   bool load) {
  Table::Slot slot = FindSlot(db, key, hash, now_ms, redo, load);
  return slot ? *slot : nullptr;
}

// ---- The overflow tier ----

bool Shard::Load(int db, Table::Slot slot) {
  const Entry* stub = *slot;
  if (!stub->cold()) return true;
  const int64_t start_us = MonotonicUs();
  std::string blob;
  Status st = tier_ != nullptr ? tier_->Get(stub->tier_id(), &blob)
                               : Status::NotFound("no tier is configured");
  Entry* e = st.ok() ? DecodeTierValue(*stub, blob, limits_.Load()) : nullptr;
  if (tier_ != nullptr) tier_->stats().NoteColdRead(start_us);
  if (e == nullptr) {
    LOG_WARN("tier: the value of key '%.*s' (db %d, tier id %llu) can't be read: %s; the key "
              "is dropped",
              static_cast<int>(std::min<size_t>(stub->key().size(), 128)), stub->key().data(),
              db, static_cast<unsigned long long>(stub->tier_id()),
              st.ok() ? "malformed value" : st.message().c_str());
    if (tier_ != nullptr) tier_->stats().read_errors.fetch_add(1, std::memory_order_relaxed);
    EraseAt(db, slot);
    return false;
  }
  PutBack(db, slot, e);
  return true;
}

void Shard::PutBack(int db, Table::Slot slot, Entry* e) {
  if (probation_.load(std::memory_order_relaxed)) e->set_probation(true);
  SwapForm(db, slot, e);
  tier_->stats().promotions.fetch_add(1, std::memory_order_relaxed);
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
    NoteKeyEvent(KeyEvent::kNew, db, e->key());
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
  Dispose(old, kLazyServerDel);
}

Entry* Shard::TakeAt(int db, Table::Slot slot) {
  Preserve(db, *slot);
  Entry* e = dbs_[db].table.Unlink(slot);
  Account(e, db, -1);
  return e;
}

void Shard::EraseAt(int db, Table::Slot slot, uint32_t lazy) { Dispose(TakeAt(db, slot), lazy); }

void Shard::Dispose(Entry* e, uint32_t lazy) {
  if (lazy != 0 && lazy_free_ != nullptr &&
      (lazy == kLazyAlways || lazy_free_->lazy(static_cast<LazyFreeCause>(lazy)))) {
    lazy_free_->Free(e);
  } else {
    Entry::Free(e);
  }
}

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

size_t Shard::PatchAt(int db, Table::Slot slot, std::string_view key, uint64_t hash,
                      uint64_t offset, std::string_view bytes, uint32_t clock) {
  const uint64_t end = offset + bytes.size();
  if (slot != nullptr && end <= (*slot)->str().size()) {
    Entry* e = *slot;
    Preserve(db, e);
    if (e->has_tier_copy()) {  // the value changes: the tier's copy is stale
      if (tier_ != nullptr) tier_->Discard(e->tier_copy());
      e->drop_tier_copy();
    }
    if (!bytes.empty()) std::memcpy(e->str_bytes() + offset, bytes.data(), bytes.size());
    e->set_raw();
    return e->str().size();
  }
  std::string v = slot != nullptr ? std::string((*slot)->str()) : std::string();
  if (v.size() < end) v.resize(end, '\0');
  v.replace(offset, bytes.size(), bytes);
  Entry* e = Entry::NewString(key, v, slot != nullptr ? (*slot)->expire_ms() : 0, /*raw=*/true,
                              clock);
  if (slot == nullptr) {
    Upsert(db, e, hash);
  } else {
    ReplaceAt(db, slot, e);
  }
  return v.size();
}

Status Shard::ApplyEffect(int db, std::string_view key, uint64_t hash, RedoOp op,
                         std::string_view body, uint32_t clock, Entry** out) {
  if (out != nullptr) *out = nullptr;
  const ValueType type = EffectType(op);
  Table& t = dbs_[db].table;
  Table::Slot slot = t.FindSlot(key, hash);
  if (slot != nullptr && !Load(db, slot)) slot = nullptr;
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
  if (e->has_tier_copy()) {  // the value changes: the tier's copy is stale
    if (tier_ != nullptr) tier_->Discard(e->tier_copy());
    e->drop_tier_copy();
  }
  Account(e, db, -1);
  Status st = e->value()->Apply(op, body, limits_.Load());
  Account(e, db, +1);
  if (e->value()->size() == 0 && !e->value()->KeepWhenEmpty()) {
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

void Shard::Clear(int db, bool lazy) {
  ++tables_version_;
  PreserveDb(db);
  Db& d = dbs_[db];
  // Walk once for the accounting, then let the table free everything.
  size_t bytes = 0;
  uint64_t cursor = 0;
  do {
    cursor = d.table.Scan(cursor, [&](Entry* e) {
      bytes += e->MemoryBytes();
      if (e->cold()) {
        stats_.tier_keys.fetch_sub(1, std::memory_order_relaxed);
        stats_.tier_bytes.fetch_sub(e->tier_bytes(), std::memory_order_relaxed);
        if (tier_ != nullptr) tier_->Discard(e->tier_id());
      } else if (e->has_tier_copy() && tier_ != nullptr) {
        tier_->Discard(e->tier_copy());
      }
    });
  } while (cursor != 0);
  entry_bytes_ -= bytes;
  if (lazy && lazy_free_ != nullptr) {
    lazy_free_->Free(std::move(d.table));
    d.table = Table();
  } else {
    d.table.Clear();
  }
  d.volatile_keys = 0;
  d.expire_cursor = 0;
}

void Shard::Swap(int db1, int db2) {
  ++tables_version_;
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
    // Walk up to 64 buckets at a time, then delete what was found, until the deadline, the
    // end of a full pass (the cursor returns to 0), or, as Redis's adaptive cycle, a batch
    // whose keys with a TTL were less than 10% expired (or 16 batches with no such key): a
    // keyspace of long TTLs is not walked whole every tick. The cursor goes on from there at
    // the next tick, so every key is visited in turn.
    int dry = 0;
    bool stale = true;
    do {
      expired.clear();
      size_t volatile_seen = 0;
      for (int i = 0; i < 64; ++i) {
        d.expire_cursor = d.table.Scan(d.expire_cursor, [&](Entry* e) {
          int64_t exp = e->expire_ms();
          if (exp == 0) return;
          ++volatile_seen;
          if (exp <= now_ms) expired.emplace_back(e->key());
        });
        if (d.expire_cursor == 0) break;
      }
      if (volatile_seen == 0) {
        stale = ++dry < 16;
      } else {
        stale = expired.size() * 10 >= volatile_seen;
      }
      for (const std::string& k : expired) {
        Table::Slot slot = d.table.FindSlot(k, HashKey(k));
        if (slot == nullptr) continue;
        if (redo != nullptr) redo->Del(static_cast<int>(db), k);
        EraseAt(static_cast<int>(db), slot, kLazyExpire);
        NoteKeyEvent(KeyEvent::kExpired, static_cast<int>(db), k);
      }
      deleted += expired.size();
      stats_.expired_keys.fetch_add(expired.size(), std::memory_order_relaxed);
    } while (stale && d.expire_cursor != 0 && d.volatile_keys != 0 && MonotonicUs() < deadline);
    if (MonotonicUs() >= deadline) break;
  }
  return deleted;
}

void Shard::Migrate(int64_t budget_us) {
  for (Db& d : dbs_) d.table.MigrateFor(budget_us);
  ++tables_version_;
}

}  // namespace strata::engine
