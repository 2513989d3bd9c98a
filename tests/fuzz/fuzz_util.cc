#include "tests/fuzz/fuzz_util.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "base/coding.h"
#include "engine/capture.h"
#include "engine/entry.h"
#include "engine/redo.h"
#include "engine/replay.h"
#include "engine/value.h"

namespace strata::fuzz {
namespace {

using engine::ValueType;

// Reads `n` length-prefixed strings; false if the bytes run out.
bool GetStrings(std::string_view* in, uint64_t n, std::vector<std::string_view>* out) {
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view s;
    if (!GetLengthPrefixed(in, &s)) return false;
    out->push_back(s);
  }
  return true;
}

// The put encoding `in` of a collection of `type` (engine/FORMAT.md) in canonical form: hash
// pairs and set members sorted; a stream as it serializes again (its encoding has one order).
// False if it does not decode exactly.
bool Canonical(uint8_t type, std::string_view in, std::string* out) {
  if (static_cast<ValueType>(type) == ValueType::kStream) {
    std::unique_ptr<engine::Value> v;
    if (!engine::ParseValue(ValueType::kStream, in, engine::EncodingLimits{}, &v).ok()) return false;
    out->clear();
    v->Serialize(out);
    return true;
  }
  uint64_t n = 0;
  if (!GetVarint64(&in, &n) || n > in.size()) return false;
  std::vector<std::string_view> items;
  switch (static_cast<ValueType>(type)) {
    case ValueType::kList:
    case ValueType::kSet:
      if (!GetStrings(&in, n, &items)) return false;
      if (static_cast<ValueType>(type) == ValueType::kSet) std::sort(items.begin(), items.end());
      break;
    case ValueType::kHash: {
      std::vector<std::pair<std::string_view, std::string_view>> pairs;
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view f, v;
        if (!GetLengthPrefixed(&in, &f) || !GetLengthPrefixed(&in, &v)) return false;
        pairs.emplace_back(f, v);
      }
      std::sort(pairs.begin(), pairs.end());
      for (auto& [f, v] : pairs) {
        items.push_back(f);
        items.push_back(v);
      }
      break;
    }
    case ValueType::kZSet:
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view m;
        if (in.size() < 8) return false;
        items.push_back(in.substr(0, 8));  // the score's bytes, kept as they are
        in.remove_prefix(8);
        if (!GetLengthPrefixed(&in, &m)) return false;
        items.push_back(m);
      }
      break;
    default:
      return false;
  }
  if (!in.empty()) return false;
  out->clear();
  PutVarint64(out, n);
  for (std::string_view s : items) PutLengthPrefixed(out, s);
  return true;
}

std::string Printable(std::string_view s, size_t max = 60) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 32 && c < 127 && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[5];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    }
  }
  if (s.size() > max) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

}  // namespace

void Die(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

Status Dump(engine::Keyspace& ks, std::vector<DumpEntry>* out) {
  out->clear();
  std::unique_ptr<engine::Capture> capture = engine::Capture::Begin(ks);
  if (capture == nullptr) return Status::InvalidArgument("a capture is under way");
  Status st = capture->Run([&](uint32_t, std::string_view batch, uint32_t entries) -> Status {
    engine::RedoReader reader(batch);
    engine::RedoEffect e;
    uint32_t seen = 0;
    while (reader.Next(&e)) {
      if (e.op != engine::RedoOp::kPut) return Status::Corruption("a batch holds a non-put");
      DumpEntry d{e.db, std::string(e.key), e.type, e.raw, e.expire_ms, std::string(e.value)};
      if (e.type != static_cast<uint8_t>(ValueType::kString) &&
          !Canonical(e.type, e.value, &d.value)) {
        return Status::Corruption("the put of " + Printable(e.key) +
                                  " holds a malformed value: " + Printable(e.value));
      }
      out->push_back(std::move(d));
      ++seen;
    }
    RETURN_IF_ERROR(reader.status());
    if (seen != entries) return Status::Corruption("a batch's entry count is wrong");
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  std::sort(out->begin(), out->end());
  for (size_t i = 1; i < out->size(); ++i) {
    if ((*out)[i - 1].db == (*out)[i].db && (*out)[i - 1].key == (*out)[i].key) {
      return Status::Corruption("key " + Printable((*out)[i].key) + " captured twice");
    }
  }
  return Status::Ok();
}

std::string Describe(const DumpEntry& e) {
  return "db " + std::to_string(e.db) + " key '" + Printable(e.key) + "' type " +
         std::to_string(e.type) + (e.raw ? " raw" : "") + " expire " +
         std::to_string(e.expire_ms) + " value '" + Printable(e.value) + "'";
}

std::string FirstDifference(const std::vector<DumpEntry>& a, const std::vector<DumpEntry>& b) {
  for (size_t i = 0; i < a.size() || i < b.size(); ++i) {
    if (i >= a.size()) return "only in the second: " + Describe(b[i]);
    if (i >= b.size()) return "only in the first: " + Describe(a[i]);
    if (!(a[i] == b[i])) return "first: " + Describe(a[i]) + "; second: " + Describe(b[i]);
  }
  return "";
}

void CheckSnapshotRoundTrip(engine::Keyspace& ks, std::string_view what) {
  std::vector<std::string> batches;
  {
    std::unique_ptr<engine::Capture> capture = engine::Capture::Begin(ks);
    if (capture == nullptr) Die("a capture is under way");
    Status st = capture->Run([&](uint32_t, std::string_view batch, uint32_t) {
      batches.emplace_back(batch);
      return Status::Ok();
    });
    if (!st.ok()) Die(std::string(what) + ": capture failed: " + st.message());
  }
  engine::KeyspaceOptions options;
  options.shards = ks.num_shards();
  options.databases = ks.num_dbs();
  engine::Keyspace loaded(options);
  for (const std::string& batch : batches) {
    Status st = engine::ApplyRedo(loaded, batch);
    if (!st.ok()) {
      Die(std::string(what) + ": a snapshot batch of it does not load: " + st.message() +
          "; batch: " + Printable(batch, 400));
    }
  }
  std::vector<DumpEntry> before, after;
  Status st = Dump(ks, &before);
  if (!st.ok()) Die(std::string(what) + ": " + st.message());
  st = Dump(loaded, &after);
  if (!st.ok()) Die(std::string(what) + " loaded from its snapshot: " + st.message());
  const std::string diff = FirstDifference(before, after);
  if (!diff.empty()) Die(std::string(what) + " differs after a snapshot round trip: " + diff);
}

}  // namespace strata::fuzz
