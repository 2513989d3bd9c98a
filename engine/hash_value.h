// HashValue: a Redis hash (engine/value.h), and the encoders of its redo effects' bodies.
//
// Small hashes are one Listpack of field, value, field, value, ... ("listpack"); a hash that
// gets more than hash-max-listpack-entries fields, or a field or value longer than
// hash-max-listpack-value bytes, becomes a Table of string entries, each holding one field as
// its key and the value as its string ("hashtable"), and never converts back (as in Redis).
// Not thread safe (the shard lock guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <memory>
#include <string>
#include <string_view>

#include "engine/listpack.h"
#include "engine/table.h"
#include "engine/value.h"

namespace strata::engine {

// Effect body encoders (engine/FORMAT.md). Each clears *out first.
// `pairs`: field, value, field, value, ... (REQUIRES: even count).
void HashSetBody(std::string* out, std::span<const std::string_view> pairs);
void HashDelBody(std::string* out, std::span<const std::string_view> fields);

class HashValue final : public Value {
 public:
  static constexpr ValueType kType = ValueType::kHash;
  HashValue() = default;
  ~HashValue() override = default;

  ValueType type() const override { return ValueType::kHash; }
  size_t size() const override { return table_mode_ ? table_->size() : lp_.size() / 2; }
  size_t bytes() const override;
  const char* encoding() const override { return table_mode_ ? "hashtable" : "listpack"; }
  void Serialize(std::string* out) const override;
  Status Apply(RedoOp op, std::string_view body, const EncodingLimits& limits) override;

  // Parses a put encoding (n, n x (field, value)) into *out. Corruption if malformed or empty.
  static Status Parse(std::string_view bytes, const EncodingLimits& limits,
                      std::unique_ptr<Value>* out);

  // ---- Reads (views valid until the next change) ----
  std::optional<std::string_view> Get(std::string_view field) const;
  bool listpack() const { return !table_mode_; }
  // Calls fn(field, value) for every field, in storage order.
  template <typename Fn>
  void ForEach(Fn&& fn) const;
  // One step of HSCAN over a hashtable (the Table's reverse-binary cursor): calls fn(field,
  // value) for the entries of one or more buckets; returns the next cursor, 0 when done.
  // REQUIRES: !listpack().
  uint64_t Scan(uint64_t cursor,
                const std::function<void(std::string_view, std::string_view)>& fn) const;
  // A pseudo-random field and its value (REQUIRES: size() > 0). `rnd`: any random number.
  std::pair<std::string_view, std::string_view> Random(uint64_t rnd) const;

 private:
  // Sets field to value; returns whether the field is new.
  bool Set(std::string_view field, std::string_view value, const EncodingLimits& limits);
  bool Del(std::string_view field);
  void ConvertToTable();

  Listpack lp_;
  // The hashtable encoding's table, allocated at the conversion (a listpack hash does not pay
  // for an empty Table). Lookups may move buckets of a resize under way.
  std::unique_ptr<Table> table_;
  size_t entry_bytes_ = 0;  // allocated bytes of table_'s entries
  bool table_mode_ = false;
};

template <typename Fn>
void HashValue::ForEach(Fn&& fn) const {
  if (!table_mode_) {
    for (size_t pos = lp_.begin(); pos < lp_.end();) {
      const size_t vpos = lp_.Next(pos);
      fn(lp_.At(pos), lp_.At(vpos));
      pos = lp_.Next(vpos);
    }
    return;
  }
  table_->Walk(0, table_->walk_end(), [&](Entry* e) { fn(e->key(), e->str()); });
}

}  // namespace strata::engine
