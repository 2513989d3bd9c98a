// Redis's compact blobs, as RDB objects carry them (engine/rdb_value.h): the listpack (Redis 7's
// small hashes, sorted sets and quicklist nodes), the ziplist and the zipmap (older RDB files
// and payloads) and the intset. These are Redis's byte layouts, not Strata's own Listpack and
// IntSet (engine/listpack.h, engine/intset.h), which only share the ideas.
//
// The readers check the whole blob before they return anything: header fields against the
// blob's size, every entry's bounds, back lengths and previous-entry lengths, the element count,
// the terminator; intsets must be non-empty and strictly ascending. They never allocate by a
// length the blob has not been checked to hold. Pure functions, thread safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata::engine::rdb_blob {

// ---- Listpack ----

// Builds a Redis listpack element by element: canonical integers (ParseInt64) take Redis's
// integer encodings, other strings the shortest string encoding, as lpAppend writes them.
class ListpackWriter {
 public:
  void Append(std::string_view element);
  // What lpBytes() would say now: header, elements, terminator.
  size_t bytes() const { return 7 + body_.size(); }
  size_t count() const { return count_; }
  // The finished blob.
  std::string Finish() const;

 private:
  std::string body_;
  size_t count_ = 0;
};

// Appends the listpack's elements to *out (integers as their decimal form). False if malformed.
bool ReadListpack(std::string_view blob, std::vector<std::string>* out);

// ---- Ziplist and zipmap (read only: Redis 7.0 writes neither) ----

bool ReadZiplist(std::string_view blob, std::vector<std::string>* out);
// Appends field, value, field, value, ...
bool ReadZipmap(std::string_view blob, std::vector<std::string>* out);

// ---- Intset ----

// REQUIRES: values strictly ascending, at least one.
std::string WriteIntset(std::span<const int64_t> values);
// Appends the members (decimal). False if malformed, empty or not strictly ascending.
bool ReadIntset(std::string_view blob, std::vector<std::string>* out);

}  // namespace strata::engine::rdb_blob
