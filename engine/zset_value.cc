#include "engine/zset_value.h"

#include <algorithm>
#include <cstdint>
#include <cmath>

#include "base/coding.h"
#include "base/hash.h"

namespace strata::engine {
namespace {

size_t Limit(int64_t x) { return x < 0 ? 0 : static_cast<size_t>(x); }
size_t MaxEntries(const EncodingLimits& l) { return Limit(l.zset_max_listpack_entries); }
size_t MaxValue(const EncodingLimits& l) { return Limit(l.zset_max_listpack_value); }

void PutScore(std::string* out, double d) {
  char buf[8];
  ZSetValue::EncodeScore(d, buf);
  out->append(buf, 8);
}

template <typename S>
std::string AddBody(std::span<const std::pair<S, double>> items) {
  size_t n = 10;
  for (const auto& it : items) n += it.first.size() + 13;
  std::string out;
  out.reserve(n);
  PutVarint64(&out, items.size());
  for (const auto& [m, s] : items) {
    PutScore(&out, s);
    PutLengthPrefixed(&out, m);
  }
  return out;
}

template <typename S>
std::string RemBody(std::span<const S> members) {
  std::string out;
  PutVarint64(&out, members.size());
  for (const auto& m : members) PutLengthPrefixed(&out, m);
  return out;
}

}  // namespace

std::string ZAddBody(std::span<const std::pair<std::string_view, double>> items) {
  return AddBody(items);
}
std::string ZAddBody(std::span<const std::pair<std::string, double>> items) {
  return AddBody(items);
}
std::string ZRemBody(std::span<const std::string_view> members) { return RemBody(members); }
std::string ZRemBody(std::span<const std::string> members) { return RemBody(members); }

ZSetValue::~ZSetValue() {
  if (skip_ != nullptr) skip_->tree.clear();  // views into the dict's entries: gone first
}

size_t ZSetValue::size() const {
  return enc_ == Encoding::kListpack ? lp_.size() / 2 : skip_->dict.size();
}

size_t ZSetValue::bytes() const {
  if (enc_ == Encoding::kListpack) return sizeof(*this) + lp_.bytes();
  return sizeof(*this) + sizeof(Skip) + dict_entry_bytes_ + skip_->dict.bucket_bytes() +
         skip_->tree.size() * kTreeNodeBytes;
}

const char* ZSetValue::encoding() const {
  return enc_ == Encoding::kListpack ? "listpack" : "skiplist";
}

size_t ZSetValue::LpFind(std::string_view member) const {
  for (size_t p = lp_.begin(); p < lp_.end(); p = lp_.Next(lp_.Next(p))) {
    if (lp_.At(p) == member) return p;
  }
  return lp_.end();
}

std::optional<double> ZSetValue::Score(std::string_view member) const {
  if (enc_ == Encoding::kListpack) {
    const size_t p = LpFind(member);
    if (p == lp_.end()) return std::nullopt;
    return DecodeLpScore(lp_.At(lp_.Next(p)));
  }
  const Entry* e = skip_->dict.Find(member, HashKey(member));
  if (e == nullptr) return std::nullopt;
  return DecodeScore(e->str());
}

std::optional<size_t> ZSetValue::Rank(std::string_view member) const {
  if (enc_ == Encoding::kListpack) {
    size_t r = 0;
    for (size_t p = lp_.begin(); p < lp_.end(); p = lp_.Next(lp_.Next(p)), ++r) {
      if (lp_.At(p) == member) return r;
    }
    return std::nullopt;
  }
  const Entry* e = skip_->dict.Find(member, HashKey(member));
  if (e == nullptr) return std::nullopt;
  return skip_->tree.order_of_key(Key{DecodeScore(e->str()), e->key(), 0});
}

size_t ZSetValue::CountBelow(double v, bool inclusive) const {
  if (enc_ == Encoding::kListpack) {
    size_t r = 0;
    for (size_t p = lp_.begin(); p < lp_.end(); p = lp_.Next(lp_.Next(p)), ++r) {
      const double s = DecodeLpScore(lp_.At(lp_.Next(p)));
      if (inclusive ? s > v : s >= v) break;
    }
    return r;
  }
  return skip_->tree.order_of_key(Key{v, {}, static_cast<int8_t>(inclusive ? 1 : -1)});
}

uint64_t ZSetValue::Scan(uint64_t cursor, size_t count,
                         std::vector<std::pair<std::string, double>>* out) const {
  if (enc_ == Encoding::kListpack) {
    Walk(0, false, [&](std::string_view m, double s) {
      out->emplace_back(std::string(m), s);
      return true;
    });
    return 0;
  }
  size_t budget = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
  const size_t start = out->size();
  do {
    cursor = skip_->dict.Scan(
        cursor, [&](Entry* e) { out->emplace_back(std::string(e->key()), DecodeScore(e->str())); });
  } while (cursor != 0 && --budget > 0 && out->size() - start < count);
  return cursor;
}

void ZSetValue::LpInsert(std::string_view member, double score) {
  if (score == 0) score = 0;  // -0 becomes 0, as in Redis's listpack
  size_t p = lp_.begin();
  for (; p < lp_.end(); p = lp_.Next(lp_.Next(p))) {
    const double s = DecodeLpScore(lp_.At(lp_.Next(p)));
    if (s > score || (s == score && lp_.At(p) > member)) break;
  }
  char buf[8];
  const std::string_view encoded = EncodeLpScore(score, buf);
  p = lp_.Insert(p, member);
  lp_.Insert(lp_.Next(p), encoded);
}

void ZSetValue::SkipInsert(std::string_view member, double score, uint64_t hash) {
  char buf[8];
  EncodeScore(score, buf);
  const std::string_view value(buf, 8);
  Entry* e = Entry::NewString(member, value, 0, false, 0);
  dict_entry_bytes_ += Entry::StringSize(member, value, 0);
  skip_->dict.Insert(e, hash);
  skip_->tree.insert(Key{score, e->key(), 0});
}

void ZSetValue::ToSkiplist() {
  skip_ = std::make_unique<Skip>();
  for (size_t p = lp_.begin(); p < lp_.end(); p = lp_.Next(lp_.Next(p))) {
    const std::string_view m = lp_.At(p);
    SkipInsert(m, DecodeLpScore(lp_.At(lp_.Next(p))), HashKey(m));
  }
  lp_.Clear();
  lp_.Shrink();
  enc_ = Encoding::kSkiplist;
}

void ZSetValue::Set(std::string_view member, double score, const EncodingLimits& limits) {
  if (enc_ == Encoding::kListpack) {
    const size_t p = LpFind(member);
    if (p != lp_.end()) {
      const double old = DecodeLpScore(lp_.At(lp_.Next(p)));
      if (old == score) return;
      lp_.Erase(p, 2);
      LpInsert(member, score);
      return;
    }
    if (lp_.size() / 2 + 1 <= MaxEntries(limits) && member.size() <= MaxValue(limits)) {
      LpInsert(member, score);
      return;
    }
    ToSkiplist();
  }
  const uint64_t h = HashKey(member);
  Entry* e = skip_->dict.Find(member, h);
  if (e == nullptr) {
    SkipInsert(member, score, h);
    return;
  }
  const double old = DecodeScore(e->str());
  if (old == score) return;  // as Redis: -0 does not replace 0
  skip_->tree.erase(Key{old, e->key(), 0});
  // The score is 8 bytes before and after: rewritten in place, the entry does not move.
  EncodeScore(score, const_cast<char*>(e->str().data()));
  skip_->tree.insert(Key{score, e->key(), 0});
}

void ZSetValue::Remove(std::string_view member) {
  if (enc_ == Encoding::kListpack) {
    const size_t p = LpFind(member);
    if (p != lp_.end()) lp_.Erase(p, 2);
    return;
  }
  const uint64_t h = HashKey(member);
  Table::Slot slot = skip_->dict.FindSlot(member, h);
  if (slot == nullptr) return;
  Entry* e = *slot;
  skip_->tree.erase(Key{DecodeScore(e->str()), e->key(), 0});
  skip_->dict.Unlink(slot);
  dict_entry_bytes_ -= Entry::StringSize(e->key(), e->str(), 0);
  Entry::Free(e);
}

Status ZSetValue::Apply(RedoOp op, std::string_view body, const EncodingLimits& limits) {
  if (op != RedoOp::kZSetAdd && op != RedoOp::kZSetRem) {
    return Status::Corruption("effect " + std::to_string(static_cast<int>(op)) +
                              " on a sorted set");
  }
  const bool add = op == RedoOp::kZSetAdd;
  uint64_t n;
  if (!GetVarint64(&body, &n) || n > body.size()) {
    return Status::Corruption("zset effect: bad member count");
  }
  // Validate everything first, so a malformed body changes nothing.
  std::string_view check = body;
  size_t longest = 0;
  for (uint64_t i = 0; i < n; ++i) {
    if (add) {
      if (check.size() < 8) return Status::Corruption("zset effect: truncated score");
      if (std::isnan(DecodeScore(check))) return Status::Corruption("zset effect: NaN score");
      check.remove_prefix(8);
    }
    std::string_view m;
    if (!GetLengthPrefixed(&check, &m)) return Status::Corruption("zset effect: truncated member");
    longest = std::max(longest, m.size());
  }
  if (!check.empty()) return Status::Corruption("zset effect: trailing bytes");
  if (add && size() == 0 && (n > MaxEntries(limits) || longest > MaxValue(limits))) {
    // A new value too big for a listpack starts as a skiplist (Redis 7.2's zsetTypeCreate).
    enc_ = Encoding::kSkiplist;
    if (skip_ == nullptr) skip_ = std::make_unique<Skip>();
  }
  for (uint64_t i = 0; i < n; ++i) {
    double score = 0;
    if (add) {
      score = DecodeScore(body);
      body.remove_prefix(8);
    }
    std::string_view m;
    (void)GetLengthPrefixed(&body, &m);
    if (add)
      Set(m, score, limits);
    else
      Remove(m);
  }
  return Status::Ok();
}

void ZSetValue::Serialize(std::string* out) const {
  PutVarint64(out, size());
  if (size() == 0) return;
  Walk(0, false, [&](std::string_view m, double s) {
    PutScore(out, s);
    PutLengthPrefixed(out, m);
    return true;
  });
}

std::unique_ptr<Value> NewZSet() { return std::make_unique<ZSetValue>(); }

Status ParseZSet(std::string_view bytes, const EncodingLimits& limits,
                 std::unique_ptr<Value>* out) {
  auto v = std::make_unique<ZSetValue>();
  RETURN_IF_ERROR(v->Apply(RedoOp::kZSetAdd, bytes, limits));
  *out = std::move(v);
  return Status::Ok();
}

}  // namespace strata::engine
