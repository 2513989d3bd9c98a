#include "engine/set_value.h"

#include <algorithm>
#include <cstdint>

#include "base/coding.h"
#include "base/hash.h"
#include "base/string_util.h"

namespace strata::engine {
namespace {

size_t Limit(int64_t x) { return x < 0 ? 0 : static_cast<size_t>(x); }
size_t MaxIntset(const EncodingLimits& l) {
  return std::min<size_t>(Limit(l.set_max_intset_entries), 1u << 30);
}
size_t MaxListpackEntries(const EncodingLimits& l) { return Limit(l.set_max_listpack_entries); }
size_t MaxListpackValue(const EncodingLimits& l) { return Limit(l.set_max_listpack_value); }

// Decimal digits of v, sign included (Redis's sdigits10).
size_t Digits(int64_t v) {
  std::string s;
  AppendInt64(&s, v);
  return s.size();
}

template <typename S>
std::string MembersBody(std::span<const S> members) {
  size_t n = 10;
  for (const auto& m : members) n += m.size() + 5;
  std::string out;
  out.reserve(n);
  PutVarint64(&out, members.size());
  for (const auto& m : members) PutLengthPrefixed(&out, m);
  return out;
}

}  // namespace

std::string SetMembersBody(std::span<const std::string_view> members) {
  return MembersBody(members);
}
std::string SetMembersBody(std::span<const std::string> members) { return MembersBody(members); }

std::string_view SetValue::FormatInt(int64_t v, char* buf) {
  // buf holds 24 bytes; digits are written from the end.
  char* end = buf + 24;
  char* p = end;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0) *--p = '-';
  return {p, static_cast<size_t>(end - p)};
}

size_t SetValue::size() const {
  switch (enc_) {
    case Encoding::kIntset:
      return ints_.size();
    case Encoding::kListpack:
      return lp_.size();
    case Encoding::kHashtable:
      return table_->size();
  }
  return 0;
}

size_t SetValue::bytes() const {
  size_t n = sizeof(*this);
  switch (enc_) {
    case Encoding::kIntset:
      return n + ints_.bytes();
    case Encoding::kListpack:
      return n + lp_.bytes();
    case Encoding::kHashtable:
      return n + table_entry_bytes_ + sizeof(Table) + table_->bucket_bytes();
  }
  return n;
}

const char* SetValue::encoding() const {
  switch (enc_) {
    case Encoding::kIntset:
      return "intset";
    case Encoding::kListpack:
      return "listpack";
    case Encoding::kHashtable:
      return "hashtable";
  }
  return "?";
}

bool SetValue::Contains(std::string_view member) const {
  switch (enc_) {
    case Encoding::kIntset: {
      auto v = ParseInt64(member);
      return v && ints_.Contains(*v);
    }
    case Encoding::kListpack:
      return lp_.Find(member) != lp_.end();
    case Encoding::kHashtable:
      return table_->Find(member, HashKey(member)) != nullptr;
  }
  return false;
}

std::vector<std::string> SetValue::Members() const {
  std::vector<std::string> out;
  out.reserve(size());
  ForEach([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

std::string SetValue::RandomMember(uint64_t rnd) const {
  switch (enc_) {
    case Encoding::kIntset: {
      char buf[24];
      return std::string(FormatInt(ints_.At(rnd % ints_.size()), buf));
    }
    case Encoding::kListpack:
      return std::string(lp_.At(lp_.Seek(rnd % lp_.size())));
    case Encoding::kHashtable:
      return std::string(table_->FairRandomEntry(rnd)->key());
  }
  return {};
}

uint64_t SetValue::Scan(uint64_t cursor, size_t count, std::vector<std::string>* out) const {
  if (enc_ != Encoding::kHashtable) {
    ForEach([&](std::string_view m) { out->emplace_back(m); });
    return 0;
  }
  size_t budget = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;  // Redis's maxiterations
  const size_t start = out->size();
  do {
    cursor = table_->Scan(cursor, [&](Entry* e) { out->emplace_back(e->key()); });
  } while (cursor != 0 && --budget > 0 && out->size() - start < count);
  return cursor;
}

void SetValue::TableInsert(std::string_view member, uint64_t hash) {
  Entry* e = Entry::NewString(member, "", 0, false, 0);
  table_entry_bytes_ += Entry::StringSize(member, "", 0);
  table_->Insert(e, hash);
}

void SetValue::ToListpack() {
  char buf[24];
  for (size_t i = 0; i < ints_.size(); ++i) lp_.PushBack(FormatInt(ints_.At(i), buf));
  ints_.Clear();
  enc_ = Encoding::kListpack;
}

void SetValue::ToHashtable() {
  if (table_ == nullptr) table_ = std::make_unique<Table>();
  if (enc_ == Encoding::kIntset) {
    char buf[24];
    for (size_t i = 0; i < ints_.size(); ++i) {
      const std::string_view m = FormatInt(ints_.At(i), buf);
      TableInsert(m, HashKey(m));
    }
    ints_.Clear();
  } else if (enc_ == Encoding::kListpack) {
    for (size_t p = lp_.begin(); p < lp_.end(); p = lp_.Next(p)) {
      TableInsert(lp_.At(p), HashKey(lp_.At(p)));
    }
    lp_.Clear();
    lp_.Shrink();
  }
  enc_ = Encoding::kHashtable;
}

void SetValue::ChooseInitial(std::string_view first, uint64_t n, const EncodingLimits& limits) {
  if (ParseInt64(first) && n <= MaxIntset(limits)) {
    enc_ = Encoding::kIntset;
  } else if (n <= MaxListpackEntries(limits) && first.size() <= MaxListpackValue(limits)) {
    enc_ = Encoding::kListpack;
  } else {
    enc_ = Encoding::kHashtable;
    if (table_ == nullptr) table_ = std::make_unique<Table>();
  }
}

bool SetValue::Add(std::string_view member, const EncodingLimits& limits) {
  if (enc_ == Encoding::kIntset) {
    if (auto v = ParseInt64(member)) {
      if (!ints_.Insert(*v)) return false;
      if (ints_.size() > MaxIntset(limits)) ToHashtable();
      return true;
    }
    // A non-integer: listpack if everything fits, else the hashtable (Redis 7.2's rule).
    size_t longest = 0;
    if (!ints_.empty()) longest = std::max(Digits(ints_.At(0)), Digits(ints_.At(ints_.size() - 1)));
    if (ints_.size() < MaxListpackEntries(limits) && member.size() <= MaxListpackValue(limits) &&
        longest <= MaxListpackValue(limits)) {
      ToListpack();
    } else {
      ToHashtable();
    }
  }
  if (enc_ == Encoding::kListpack) {
    if (lp_.Find(member) != lp_.end()) return false;
    if (lp_.size() < MaxListpackEntries(limits) && member.size() <= MaxListpackValue(limits)) {
      lp_.PushBack(member);
      return true;
    }
    ToHashtable();
  }
  const uint64_t h = HashKey(member);
  if (table_->Find(member, h) != nullptr) return false;
  TableInsert(member, h);
  return true;
}

bool SetValue::Remove(std::string_view member) {
  switch (enc_) {
    case Encoding::kIntset: {
      auto v = ParseInt64(member);
      if (!v) return false;
      return ints_.Erase(*v);
    }
    case Encoding::kListpack: {
      size_t p = lp_.Find(member);
      if (p == lp_.end()) return false;
      lp_.Erase(p);
      return true;
    }
    case Encoding::kHashtable: {
      Entry* e = table_->Remove(member, HashKey(member));
      if (e == nullptr) return false;
      table_entry_bytes_ -= Entry::StringSize(member, "", 0);
      Entry::Free(e);
      return true;
    }
  }
  return false;
}

Status SetValue::Apply(RedoOp op, std::string_view body, const EncodingLimits& limits) {
  if (op != RedoOp::kSetAdd && op != RedoOp::kSetRem) {
    return Status::Corruption("effect " + std::to_string(static_cast<int>(op)) + " on a set");
  }
  uint64_t n;
  if (!GetVarint64(&body, &n) || n > body.size()) {
    return Status::Corruption("set effect: bad member count");
  }
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view m;
    if (!GetLengthPrefixed(&body, &m)) return Status::Corruption("set effect: truncated member");
    if (op == RedoOp::kSetAdd) {
      if (i == 0 && size() == 0) ChooseInitial(m, n, limits);
      Add(m, limits);
    } else {
      Remove(m);
    }
  }
  if (!body.empty()) return Status::Corruption("set effect: trailing bytes");
  return Status::Ok();
}

void SetValue::Serialize(std::string* out) const {
  PutVarint64(out, size());
  ForEach([&](std::string_view m) { PutLengthPrefixed(out, m); });
}

std::unique_ptr<Value> NewSet() { return std::make_unique<SetValue>(); }

Status ParseSet(std::string_view bytes, const EncodingLimits& limits, std::unique_ptr<Value>* out) {
  auto v = std::make_unique<SetValue>();
  RETURN_IF_ERROR(v->Apply(RedoOp::kSetAdd, bytes, limits));
  *out = std::move(v);
  return Status::Ok();
}

}  // namespace strata::engine
