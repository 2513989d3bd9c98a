#include "engine/redo.h"

#include <cstdlib>

#include "base/coding.h"
#include "engine/entry.h"
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
    case RedoOp::kFunctions: return "functions";
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
    case RedoOp::kStreamAdd: return "stream_add";
    case RedoOp::kStreamDel: return "stream_del";
    case RedoOp::kStreamTrim: return "stream_trim";
    case RedoOp::kStreamSetId: return "stream_setid";
    case RedoOp::kStreamGroup: return "stream_group";
    case RedoOp::kStreamDeliver: return "stream_deliver";
    case RedoOp::kStreamAck: return "stream_ack";
    case RedoOp::kStreamClaim: return "stream_claim";
    case RedoOp::kSetRange: return "set_range";
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

void RedoRecord::SetRange(int db, std::string_view key, uint64_t offset, std::string_view bytes) {
  Op(RedoOp::kSetRange, db, key);
  PutVarint64(&buf_, offset);
  PutLengthPrefixed(&buf_, bytes);
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

void RedoRecord::Functions(std::string_view payload) {
  buf_.push_back(static_cast<char>(RedoOp::kFunctions));
  PutLengthPrefixed(&buf_, payload);
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
        if (ok && e->type > static_cast<uint8_t>(ValueType::kStream)) {
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
    case RedoOp::kSetRange:
      ok = get_db(&e->db) && GetLengthPrefixed(&in, &e->key) && GetVarint64(&in, &e->offset) &&
           GetLengthPrefixed(&in, &e->value);
      break;
    case RedoOp::kFlushDb:
      ok = get_db(&e->db);
      break;
    case RedoOp::kFlushAll:
      break;
    case RedoOp::kSwapDb:
      ok = get_db(&e->db) && get_db(&e->db2);
      break;
    case RedoOp::kFunctions:
      ok = GetLengthPrefixed(&in, &e->value);
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

}  // namespace strata::engine
