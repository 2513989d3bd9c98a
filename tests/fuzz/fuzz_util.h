// Helpers shared by the fuzz targets (fuzz/README.md): reading structured choices from the
// fuzzer's bytes, and comparing keyspaces through the snapshot path.
//
// A finding is reported by Die(): it prints what broke to stderr and aborts, which libFuzzer
// turns into a crash artifact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/keyspace.h"

namespace strata::fuzz {

// Prints "FUZZ FINDING: <what>" and aborts.
[[noreturn]] void Die(const std::string& what);

// Hands out the fuzzer's bytes as choices; past the end every read returns 0 (or empty), so a
// short input still decodes to something.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : data_(reinterpret_cast<const char*>(data), size) {}
  explicit FuzzInput(std::string_view data) : data_(data) {}

  bool empty() const { return data_.empty(); }
  size_t remaining() const { return data_.size(); }
  uint8_t Byte() {
    if (data_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(data_[0]);
    data_.remove_prefix(1);
    return b;
  }
  uint16_t U16() { return static_cast<uint16_t>(Byte() | (Byte() << 8)); }
  // A value in [0, n), n > 0.
  size_t Below(size_t n) { return (n <= 256 ? Byte() : U16()) % n; }
  // Up to max_len bytes (fewer at the end of the input).
  std::string_view Bytes(size_t max_len) {
    const size_t n = std::min(max_len, data_.size());
    std::string_view out = data_.substr(0, n);
    data_.remove_prefix(n);
    return out;
  }

 private:
  std::string_view data_;
};

// One entry of a keyspace as a snapshot holds it, with its collection value in a canonical form
// (hash fields and set members sorted; list and sorted-set order is the value's own), so that
// two keyspaces that hold the same data compare equal whatever their history.
struct DumpEntry {
  int db = 0;
  std::string key;
  uint8_t type = 0;
  bool raw = false;
  int64_t expire_ms = 0;
  std::string value;
  bool operator==(const DumpEntry&) const = default;
  bool operator<(const DumpEntry& o) const {
    return db != o.db ? db < o.db : key < o.key;
  }
};

// Every entry of ks, sorted by (db, key), read through engine::Capture (the snapshot path).
// Corruption if a batch does not decode (a value serialized what it cannot describe).
Status Dump(engine::Keyspace& ks, std::vector<DumpEntry>* out);

// "<db> <key>: ..." for a finding's message (printable, cut short).
std::string Describe(const DumpEntry& e);
// The first difference between two dumps, or "" when they are equal.
std::string FirstDifference(const std::vector<DumpEntry>& a, const std::vector<DumpEntry>& b);

// The snapshot round trip every accepted state must survive: captures ks, loads the batches
// into a fresh keyspace of the same shape, and checks the two hold the same entries. Dies on a
// batch that does not load or on any difference; `what` names the state in the message.
void CheckSnapshotRoundTrip(engine::Keyspace& ks, std::string_view what);

}  // namespace strata::fuzz
