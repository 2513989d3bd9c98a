#include "engine/hash_value.h"

#include "base/coding.h"
#include "base/hash.h"

namespace strata::engine {
namespace {

Status Bad(const char* what) { return Status::Corruption(std::string("hash effect: ") + what); }

bool FitsListpack(std::string_view field, std::string_view value, const EncodingLimits& limits) {
  const int64_t max = limits.hash_max_listpack_value;
  return static_cast<int64_t>(field.size()) <= max && static_cast<int64_t>(value.size()) <= max;
}

}  // namespace

void HashSetBody(std::string* out, std::span<const std::string_view> pairs) {
  out->clear();
  PutVarint64(out, pairs.size() / 2);
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    PutLengthPrefixed(out, pairs[i]);
    PutLengthPrefixed(out, pairs[i + 1]);
  }
}

void HashDelBody(std::string* out, std::span<const std::string_view> fields) {
  out->clear();
  PutVarint64(out, fields.size());
  for (std::string_view f : fields) PutLengthPrefixed(out, f);
}

size_t HashValue::bytes() const {
  return sizeof(HashValue) + lp_.bytes() + entry_bytes_ +
         (table_ ? sizeof(Table) + table_->bucket_bytes() : 0);
}

void HashValue::Serialize(std::string* out) const {
  PutVarint64(out, size());
  ForEach([&](std::string_view f, std::string_view v) {
    PutLengthPrefixed(out, f);
    PutLengthPrefixed(out, v);
  });
}

std::optional<std::string_view> HashValue::Get(std::string_view field) const {
  if (!table_mode_) {
    const size_t pos = lp_.Find(field, 0, 2);
    if (pos == lp_.end()) return std::nullopt;
    return lp_.At(lp_.Next(pos));
  }
  Entry* e = table_->Find(field, HashKey(field));
  if (e == nullptr) return std::nullopt;
  return e->str();
}

uint64_t HashValue::Scan(uint64_t cursor,
                         const std::function<void(std::string_view, std::string_view)>& fn) const {
  return table_->Scan(cursor, [&](Entry* e) { fn(e->key(), e->str()); });
}

std::pair<std::string_view, std::string_view> HashValue::Random(uint64_t rnd) const {
  if (!table_mode_) {
    const size_t pos = lp_.Seek(2 * (rnd % size()));
    return {lp_.At(pos), lp_.At(lp_.Next(pos))};
  }
  Entry* e = table_->FairRandomEntry(rnd);
  return {e->key(), e->str()};
}

void HashValue::ConvertToTable() {
  Table t;
  size_t bytes = 0;
  for (size_t pos = lp_.begin(); pos < lp_.end();) {
    const size_t vpos = lp_.Next(pos);
    const std::string_view f = lp_.At(pos);
    const uint64_t h = HashKey(f);
    Entry* e = Entry::NewString(f, lp_.At(vpos), 0, false, 0);
    bytes += e->AllocatedBytes();
    // A put encoding may repeat a field: the last value wins, as with HSET.
    if (Table::Slot slot = t.FindSlot(f, h); slot != nullptr) {
      Entry* old = t.Replace(slot, e);
      bytes -= old->AllocatedBytes();
      Entry::Free(old);
    } else {
      t.Insert(e, h);
    }
    pos = lp_.Next(vpos);
  }
  table_ = std::make_unique<Table>(std::move(t));
  entry_bytes_ = bytes;
  lp_ = Listpack();
  table_mode_ = true;
}

bool HashValue::Set(std::string_view field, std::string_view value,
                    const EncodingLimits& limits) {
  if (!table_mode_) {
    if (!FitsListpack(field, value, limits)) {
      ConvertToTable();
    } else {
      const size_t pos = lp_.Find(field, 0, 2);
      if (pos != lp_.end()) {
        lp_.Replace(lp_.Next(pos), value);
        return false;
      }
      lp_.PushBack(field);
      lp_.PushBack(value);
      if (static_cast<int64_t>(size()) > limits.hash_max_listpack_entries) ConvertToTable();
      return true;
    }
  }
  const uint64_t h = HashKey(field);
  Entry* e = Entry::NewString(field, value, 0, false, 0);
  entry_bytes_ += e->AllocatedBytes();
  if (Table::Slot slot = table_->FindSlot(field, h); slot != nullptr) {
    Entry* old = table_->Replace(slot, e);
    entry_bytes_ -= old->AllocatedBytes();
    Entry::Free(old);
    return false;
  }
  table_->Insert(e, h);
  return true;
}

bool HashValue::Del(std::string_view field) {
  if (!table_mode_) {
    const size_t pos = lp_.Find(field, 0, 2);
    if (pos == lp_.end()) return false;
    lp_.Erase(pos, 2);
    return true;
  }
  Entry* e = table_->Remove(field, HashKey(field));
  if (e == nullptr) return false;
  entry_bytes_ -= e->AllocatedBytes();
  Entry::Free(e);
  // Nobody's cron migrates a hash's table: shrink it here, a bounded step per delete.
  if (table_->rehashing() || table_->size() * 8 < table_->bucket_bytes() / sizeof(Entry*)) {
    table_->MigrateFor(0);
  }
  return true;
}

Status HashValue::Apply(RedoOp op, std::string_view body, const EncodingLimits& limits) {
  uint64_t n;
  std::string_view field, value;
  if (!GetVarint64(&body, &n)) return Bad("truncated count");
  switch (op) {
    case RedoOp::kHashSet:
      if (n > body.size() / 2) return Bad("count past the body");
      for (uint64_t i = 0; i < n; ++i) {
        if (!GetLengthPrefixed(&body, &field) || !GetLengthPrefixed(&body, &value)) {
          return Bad("truncated field");
        }
        Set(field, value, limits);
      }
      break;
    case RedoOp::kHashDel:
      if (n > body.size()) return Bad("count past the body");
      for (uint64_t i = 0; i < n; ++i) {
        if (!GetLengthPrefixed(&body, &field)) return Bad("truncated field");
        Del(field);
      }
      break;
    default:
      return Bad("not a hash effect");
  }
  if (!body.empty()) return Bad("trailing bytes");
  return Status::Ok();
}

Status HashValue::Parse(std::string_view bytes, const EncodingLimits& limits,
                        std::unique_ptr<Value>* out) {
  uint64_t n;
  if (!GetVarint64(&bytes, &n)) return Status::Corruption("hash: truncated length");
  if (n == 0) return Status::Corruption("hash: empty");
  if (n > bytes.size() / 2) return Status::Corruption("hash: length past the value");
  std::string_view scan = bytes, field, value;
  bool fits = true;
  for (uint64_t i = 0; i < n; ++i) {
    if (!GetLengthPrefixed(&scan, &field) || !GetLengthPrefixed(&scan, &value)) {
      return Status::Corruption("hash: truncated field");
    }
    fits = fits && FitsListpack(field, value, limits);
  }
  if (!scan.empty()) return Status::Corruption("hash: trailing bytes");
  auto hash = std::make_unique<HashValue>();
  if (!fits || static_cast<int64_t>(n) > limits.hash_max_listpack_entries) hash->ConvertToTable();
  for (uint64_t i = 0; i < n; ++i) {
    (void)GetLengthPrefixed(&bytes, &field);
    (void)GetLengthPrefixed(&bytes, &value);
    hash->Set(field, value, limits);
  }
  *out = std::move(hash);
  return Status::Ok();
}

std::unique_ptr<Value> NewHash() { return std::make_unique<HashValue>(); }
Status ParseHash(std::string_view bytes, const EncodingLimits& limits,
                 std::unique_ptr<Value>* out) {
  return HashValue::Parse(bytes, limits, out);
}

}  // namespace strata::engine
