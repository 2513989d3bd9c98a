// SetValue: the value of a set key (Redis 7.2's three encodings).
//
//   intset     a sorted array of int64, while every member is a canonical integer (ParseInt64)
//              and size <= set-max-intset-entries;
//   listpack   members in insertion order in one Listpack, while size <=
//              set-max-listpack-entries and every member <= set-max-listpack-value bytes;
//   hashtable  an engine::Table of entries whose key is the member (empty value).
// Conversions only go upward (intset -> listpack -> hashtable, or intset -> hashtable).
//
// The only mutator is Apply() (set_add / set_rem bodies, engine/FORMAT.md), which is what both
// commands (through DbView::Apply) and WAL replay run. Not thread safe: the owning shard's lock
// guards a value like its entry.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/intset.h"
#include "engine/listpack.h"
#include "engine/table.h"
#include "engine/value.h"

namespace strata::engine {

class SetValue : public Value {
 public:
  static constexpr ValueType kType = ValueType::kSet;
  enum class Encoding : uint8_t { kIntset, kListpack, kHashtable };

  SetValue() = default;
  ~SetValue() override = default;
  SetValue(const SetValue&) = delete;
  SetValue& operator=(const SetValue&) = delete;

  ValueType type() const override { return ValueType::kSet; }
  size_t size() const override;
  size_t bytes() const override;
  const char* encoding() const override;
  void Serialize(std::string* out) const override;
  Status Apply(RedoOp op, std::string_view body, const EncodingLimits& limits) override;

  Encoding enc() const { return enc_; }
  bool Contains(std::string_view member) const;

  // Calls fn(std::string_view member) for every member, in encoding order (intset ascending,
  // listpack insertion order, table bucket order). The view is valid only during the call.
  // fn must not change the set.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    switch (enc_) {
      case Encoding::kIntset: {
        char buf[24];
        for (size_t i = 0; i < ints_.size(); ++i) fn(FormatInt(ints_.At(i), buf));
        break;
      }
      case Encoding::kListpack:
        for (size_t p = lp_.begin(); p < lp_.end(); p = lp_.Next(p)) fn(lp_.At(p));
        break;
      case Encoding::kHashtable: {
        size_t pos = 0;
        while (pos < table_->walk_end()) {
          pos = table_->Walk(pos, 64, [&](Entry* e) { fn(e->key()); });
        }
        break;
      }
    }
  }
  // All members (copies).
  std::vector<std::string> Members() const;
  // A pseudo-random member chosen with `rnd` (REQUIRES: size() > 0).
  std::string RandomMember(uint64_t rnd) const;
  // One SSCAN step: the small encodings return everything and cursor 0; the hashtable uses
  // Table::Scan, visiting buckets until about `count` members were seen. Returns the next cursor.
  uint64_t Scan(uint64_t cursor, size_t count, std::vector<std::string>* out) const;

 private:
  static std::string_view FormatInt(int64_t v, char* buf);
  // Chooses the first encoding for an empty set about to receive `n` members, `first` first
  // (Redis 7.2's setTypeCreate).
  void ChooseInitial(std::string_view first, uint64_t n, const EncodingLimits& limits);
  bool Add(std::string_view member, const EncodingLimits& limits);
  bool Remove(std::string_view member);
  void ToListpack();
  void ToHashtable();
  void TableInsert(std::string_view member, uint64_t hash);

  Encoding enc_ = Encoding::kIntset;
  IntSet ints_;                   // kIntset
  Listpack lp_;                   // kListpack
  std::unique_ptr<Table> table_;  // kHashtable, allocated at the conversion
  size_t table_entry_bytes_ = 0;  // bytes of the table's entries (Entry::StringSize)
};

// Body of a set_add / set_rem effect (engine/FORMAT.md): n, n x member.
std::string SetMembersBody(std::span<const std::string_view> members);
std::string SetMembersBody(std::span<const std::string> members);

}  // namespace strata::engine
