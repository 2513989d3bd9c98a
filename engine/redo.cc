#include "engine/redo.h"

#include <cstdlib>

#include "base/clock.h"
#include "base/coding.h"
#include "base/hash.h"
#include "engine/entry.h"
#include "engine/keyspace.h"
#include "engine/tier.h"
#include "engine/value.h"

namespace strata::engine {

const char* RedoOpName(RedoOp op) {
  switch (op) {
    case RedoOp::kPut: return "put";
    case RedoOp::kDel: return "del";
    case RedoOp::kExpire: return "expire";
    case RedoOp::kAppend: return "append";
    case RedoOp::kFlushDb: return "flushdb";
    case RedoOp::kFlushAll: return "flushall";
    case RedoOp::kSwapDb: return "swapdb";
    case RedoOp::kListPush: return "list_push";
    case RedoOp::kListPop: return "list_pop";
    case RedoOp::kListSet: return "list_set";
    case RedoOp::kListInsert: return "list_insert";
    case RedoOp::kListRem: return "list_rem";
    case RedoOp::kListTrim: return "list_trim";
    case RedoOp::kHashSet: return "hash_set";
    case RedoOp::kHashDel: return "hash_del";
    case RedoOp::kSetAdd: return "set_add";
    case RedoOp::kSetRem: return "set_rem";
    case RedoOp::kZSetAdd: return "zset_add";
    case RedoOp::kZSetRem: return "zset_rem";
    case RedoOp::kStub: return "stub";
  }
  return "?";
}

// ---- RedoRecord ----

void RedoRecord::Op(RedoOp op, int db, std::string_view key) {
  buf_.push_back(static_cast<char>(op));
  PutVarint64(&buf_, static_cast<uint64_t>(db));
  PutLengthPrefixed(&buf_, key);
}

void RedoRecord::Put(int db, const Entry& e) {
  Op(e.cold() ? RedoOp::kStub : RedoOp::kPut, db, e.key());
  buf_.push_back(static_cast<char>(e.type()));
  buf_.push_back(static_cast<char>(e.raw() ? 1 : 0));
  PutVarint64(&buf_, static_cast<uint64_t>(e.expire_ms()));
  if (e.cold()) {
    PutVarint64(&buf_, e.tier_id());
    PutVarint64(&buf_, e.tier_bytes());
    return;
  }
  if (e.type() == ValueType::kString) {
    PutLengthPrefixed(&buf_, e.str());
    return;
  }
  // The length prefix first: reserve a varint's room, write the value, then fill it in.
  const size_t at = buf_.size();
  buf_.append(5, '\0');
  e.value()->Serialize(&buf_);
  uint64_t n = buf_.size() - at - 5;
  if (n >= (uint64_t{1} << 35)) abort();  // a 32 GB value; nothing else is this large
  for (int i = 0; i < 5; ++i, n >>= 7) {
    buf_[at + i] = static_cast<char>((n & 0x7f) | (i < 4 ? 0x80 : 0));
  }
}

void RedoRecord::Del(int db, std::string_view key) { Op(RedoOp::kDel, db, key); }

void RedoRecord::Expire(int db, std::string_view key, int64_t expire_ms) {
  Op(RedoOp::kExpire, db, key);
  PutVarint64(&buf_, static_cast<uint64_t>(expire_ms));
}

void RedoRecord::Append(int db, std::string_view key, std::string_view suffix) {
  Op(RedoOp::kAppend, db, key);
  PutLengthPrefixed(&buf_, suffix);
}

void RedoRecord::FlushDb(int db) {
  buf_.push_back(static_cast<char>(RedoOp::kFlushDb));
  PutVarint64(&buf_, static_cast<uint64_t>(db));
}

void RedoRecord::FlushAll() { buf_.push_back(static_cast<char>(RedoOp::kFlushAll)); }

void RedoRecord::SwapDb(int db1, int db2) {
  buf_.push_back(static_cast<char>(RedoOp::kSwapDb));
  PutVarint64(&buf_, static_cast<uint64_t>(db1));
  PutVarint64(&buf_, static_cast<uint64_t>(db2));
}

void RedoRecord::Effect(RedoOp op, int db, std::string_view key, std::string_view body) {
  Op(op, db, key);
  PutLengthPrefixed(&buf_, body);
}

// ---- RedoReader ----

RedoReader::RedoReader(std::string_view record) : rest_(record), size_(record.size()) {
  if (rest_.empty()) {
    Fail("empty record");
  } else if (static_cast<uint8_t>(rest_[0]) != kRedoVersion) {
    Fail("unknown record version " + std::to_string(static_cast<uint8_t>(rest_[0])) +
         " (written by a newer Strata?)");
  } else {
    rest_.remove_prefix(1);
  }
}

bool RedoReader::Fail(std::string_view what) {
  status_ = Status::Corruption("redo record: " + std::string(what) + " at byte " +
                               std::to_string(size_ - rest_.size()));
  rest_ = {};
  return false;
}

bool RedoReader::Next(RedoEffect* e) {
  if (!status_.ok() || rest_.empty()) return false;
  *e = RedoEffect{};
  e->op = static_cast<RedoOp>(rest_[0]);
  std::string_view in = rest_.substr(1);
  uint64_t v = 0, db = 0;
  auto get_db = [&](int* out) {
    if (!GetVarint64(&in, &db) || db > 0xffff) return false;
    *out = static_cast<int>(db);
    return true;
  };
  bool ok = true;
  switch (e->op) {
    case RedoOp::kPut:
    case RedoOp::kStub:
      ok = get_db(&e->db) && GetLengthPrefixed(&in, &e->key) && in.size() >= 2;
      if (ok) {
        e->type = static_cast<uint8_t>(in[0]);
        e->raw = (static_cast<uint8_t>(in[1]) & 1) != 0;
        in.remove_prefix(2);
        ok = GetVarint64(&in, &v);
        e->expire_ms = static_cast<int64_t>(v);
        if (ok && e->op == RedoOp::kPut) {
          ok = GetLengthPrefixed(&in, &e->value);
        } else if (ok) {
          ok = GetVarint64(&in, &e->tier_id) && GetVarint64(&in, &e->tier_bytes);
        }
        if (ok && e->type > static_cast<uint8_t>(ValueType::kZSet)) {
          return Fail("value type " + std::to_string(e->type) + " unknown");
        }
      }
      break;
    case RedoOp::kDel:
      ok = get_db(&e->db) && GetLengthPrefixed(&in, &e->key);
      break;
    case RedoOp::kExpire:
      ok = get_db(&e->db) && GetLengthPrefixed(&in, &e->key) && GetVarint64(&in, &v);
      e->expire_ms = static_cast<int64_t>(v);
      break;
    case RedoOp::kAppend:
      ok = get_db(&e->db) && GetLengthPrefixed(&in, &e->key) && GetLengthPrefixed(&in, &e->value);
      break;
    case RedoOp::kFlushDb:
      ok = get_db(&e->db);
      break;
    case RedoOp::kFlushAll:
      break;
    case RedoOp::kSwapDb:
      ok = get_db(&e->db) && get_db(&e->db2);
      break;
    default:
      if (IsCollectionOp(e->op)) {
        ok = get_db(&e->db) && GetLengthPrefixed(&in, &e->key) &&
             GetLengthPrefixed(&in, &e->value);
        break;
      }
      return Fail("unknown effect code " + std::to_string(static_cast<uint8_t>(e->op)));
  }
  if (!ok) return Fail("truncated effect");
  rest_ = in;
  return true;
}

// ---- ApplyRedo ----

Status ApplyRedo(Keyspace& ks, std::string_view record, uint64_t lsn,
                 std::span<const uint64_t> applied_through) {
  auto skip = [&](uint32_t shard) {
    return !applied_through.empty() && lsn <= applied_through[shard];
  };
  RedoReader reader(record);
  RedoEffect e;
  const uint32_t clock = ks.NewAccessClock(NowMs());
  while (reader.Next(&e)) {
    if (e.db >= ks.num_dbs() || e.db2 >= ks.num_dbs()) {
      return Status::Corruption("redo record names database " +
                                std::to_string(std::max(e.db, e.db2)) + " but only " +
                                std::to_string(ks.num_dbs()) + " are configured (databases)");
    }
    if (e.op == RedoOp::kFlushDb || e.op == RedoOp::kFlushAll || e.op == RedoOp::kSwapDb) {
      ShardLocks all = ks.LockAll();
      for (int i = 0; i < ks.num_shards(); ++i) {
        if (skip(static_cast<uint32_t>(i))) continue;
        Shard& s = ks.shard(i);
        if (e.op == RedoOp::kSwapDb) {
          s.Swap(e.db, e.db2);
        } else if (e.op == RedoOp::kFlushDb) {
          s.Clear(e.db);
        } else {
          for (int d = 0; d < ks.num_dbs(); ++d) s.Clear(d);
        }
      }
      continue;
    }
    const uint64_t hash = HashKey(e.key);
    const uint32_t id = ks.ShardOf(hash);
    if (skip(id)) continue;
    ShardLocks lock(&ks, id);
    Shard& s = ks.shard(id);
    Table::Slot slot = s.table(e.db).FindSlot(e.key, hash);
    switch (e.op) {
      case RedoOp::kPut:
        if (e.type == static_cast<uint8_t>(ValueType::kString)) {
          s.Upsert(e.db, Entry::NewString(e.key, e.value, e.expire_ms, e.raw, clock), hash);
        } else {
          std::unique_ptr<Value> v;
          RETURN_IF_ERROR(ParseValue(static_cast<ValueType>(e.type), e.value, &v));
          s.Upsert(e.db, Entry::NewObject(e.key, v.release(), e.expire_ms, clock), hash);
        }
        break;
      case RedoOp::kStub:
        if (ks.tier() == nullptr) {
          return Status::Corruption(
              "the snapshot holds values in the overflow tier, but tier-dir is not set");
        }
        ks.tier()->NoteReferenced(e.tier_id);
        s.Upsert(e.db,
                 Entry::NewStub(e.key, static_cast<ValueType>(e.type), e.raw, e.expire_ms,
                                e.tier_id, e.tier_bytes, clock),
                 hash);
        break;
      case RedoOp::kDel:
        if (slot != nullptr) s.EraseAt(e.db, slot);
        break;
      case RedoOp::kExpire:
        if (slot != nullptr) s.SetExpireAt(e.db, slot, e.expire_ms);
        break;
      case RedoOp::kAppend:
        if (slot != nullptr && !s.Load(e.db, slot)) slot = nullptr;
        if (slot != nullptr && (*slot)->type() != ValueType::kString) {
          return Status::Corruption("redo record appends to a key that holds no string");
        }
        s.AppendAt(e.db, slot, e.key, hash, e.value, clock);
        break;
      default:
        RETURN_IF_ERROR(s.ApplyEffect(e.db, e.key, hash, e.op, e.value, clock));
        break;
    }
  }
  return reader.status();
}

}  // namespace strata::engine
