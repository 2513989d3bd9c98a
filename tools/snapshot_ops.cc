// The key-level operations of inspect.h: ForEachKey, KeyJson, Get and Stats.
#include <algorithm>

#include <bit>
#include <cstring>

#include "base/clock.h"
#include "base/coding.h"
#include "base/string_util.h"
#include "engine/entry.h"
#include "engine/stream_value.h"
#include "tools/encoding.h"
#include "tools/inspect.h"
#include "tools/key_stats.h"
#include "tools/snapshot_scan.h"

namespace strata::tools {

namespace {

bool KnownType(const std::string& name) {
  for (engine::ValueType t :
       {engine::ValueType::kString, engine::ValueType::kList, engine::ValueType::kHash,
        engine::ValueType::kSet, engine::ValueType::kZSet, engine::ValueType::kStream}) {
    if (name == engine::TypeName(t)) return true;
  }
  return false;
}

bool Passes(const KeyFilter& f, const KeyRecord& k, int64_t now_ms) {
  if (f.db && k.db != *f.db) return false;
  if (f.type && *f.type != engine::TypeName(static_cast<engine::ValueType>(k.type))) return false;
  if (!f.include_expired && k.expire_ms != 0 && k.expire_ms <= now_ms) return false;
  // KEYS special-cases "*" as match-all (the matcher alone does not match an empty key).
  return f.match == "*" || GlobMatch(f.match, k.key);
}

// Scans the snapshot `path` resolves to, passing every key that passes filter to fn.
// *file: the snapshot file read.
Status ScanKeys(const std::string& path, const KeyFilter& filter, const Context& ctx,
                int64_t now_ms, const std::function<Status(const KeyRecord&)>& fn,
                std::string* file) {
  if (filter.type && !KnownType(*filter.type)) {
    return Status::InvalidArgument("unknown type " + *filter.type +
                                   " (string, list, hash, set or zset)");
  }
  ASSIGN_OR_RETURN(*file, SnapshotForKeys(path, ctx));
  SnapshotScanOptions options;
  options.on_key = [&](const KeyRecord& k) {
    return Passes(filter, k, now_ms) ? fn(k) : Status::Ok();
  };
  ASSIGN_OR_RETURN(SnapshotScan scan, ScanSnapshot(*file, options, ctx));
  if (!scan.faults.empty()) {
    const Fault& f = scan.faults.front();
    return Status::Corruption("snapshot corruption in " + f.file + " at offset " +
                              std::to_string(f.offset) + ": " + f.reason);
  }
  return Status::Ok();
}

}  // namespace

Status ForEachKey(const std::string& path, const KeyFilter& filter, const Context& ctx,
                  const std::function<Status(const KeyRecord&)>& fn) {
  std::string file;
  return ScanKeys(path, filter, ctx, ctx.now_ms != 0 ? ctx.now_ms : NowMs(), fn, &file);
}

namespace {

// A collection's put encoding (engine/FORMAT.md) as JSON: list and set: [member, ...]; hash:
// [[field, value], ...]; zset: [[member, score], ...]. Null if the bytes do not parse.
Json CollectionJson(engine::ValueType type, std::string_view in) {
  uint64_t n;
  if (!GetVarint64(&in, &n) || n > in.size()) return nullptr;
  Json out = Json::array();
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view a, b;
    if (type == engine::ValueType::kZSet) {
      if (in.size() < 8) return nullptr;
      double score = std::bit_cast<double>(DecodeFixed64(in.data()));
      in.remove_prefix(8);
      if (!GetLengthPrefixed(&in, &a)) return nullptr;
      out.push_back(Json::array({BytesJson(a), score}));
    } else if (type == engine::ValueType::kHash) {
      if (!GetLengthPrefixed(&in, &a) || !GetLengthPrefixed(&in, &b)) return nullptr;
      out.push_back(Json::array({BytesJson(a), BytesJson(b)}));
    } else {
      if (!GetLengthPrefixed(&in, &a)) return nullptr;
      out.push_back(BytesJson(a));
    }
  }
  return in.empty() ? out : Json(nullptr);
}

// A stream's put encoding as JSON: its IDs and counters, entries as [id, [field, value, ...]],
// groups with their consumers and pending entries. Null if the bytes do not parse.
Json StreamJson(std::string_view in) {
  std::unique_ptr<engine::Value> v;
  if (!engine::ParseStream(in, engine::EncodingLimits{}, &v).ok()) return nullptr;
  const auto& s = static_cast<const engine::StreamValue&>(*v);
  Json out;
  out["last_id"] = s.last_id().ToString();
  out["entries_added"] = s.entries_added();
  out["max_deleted_id"] = s.max_deleted_id().ToString();
  Json entries = Json::array();
  s.Range(engine::StreamId::Min(), engine::StreamId::Max(), false, [&](engine::StreamId id, auto fv) {
    Json pairs = Json::array();
    for (std::string_view f : fv) pairs.push_back(BytesJson(f));
    entries.push_back(Json::array({id.ToString(), pairs}));
    return true;
  });
  out["entries"] = entries;
  Json groups = Json::array();
  for (const auto& [name, g] : s.groups()) {
    Json consumers = Json::array();
    for (const auto& [cname, c] : g->consumers) {
      consumers.push_back({{"name", BytesJson(cname)}, {"seen_ms", c->seen_ms},
                           {"pending", c->pending.size()}});
    }
    Json pending = Json::array();
    for (const auto& [id, nack] : g->pel) {
      pending.push_back(Json::array({id.ToString(), BytesJson(nack.owner->name), nack.delivery_ms,
                                     nack.delivery_count}));
    }
    groups.push_back({{"name", BytesJson(name)},
                      {"last_id", g->last_id.ToString()},
                      {"entries_read", g->entries_read},
                      {"consumers", consumers},
                      {"pending", pending}});
  }
  out["groups"] = groups;
  return out;
}

}  // namespace

Json KeyJson(const KeyRecord& k, int64_t now_ms) {
  Json j;
  j["db"] = k.db;
  j["key"] = BytesJson(k.key);
  j["type"] = engine::TypeName(static_cast<engine::ValueType>(k.type));
  if (k.expire_ms == 0) {
    j["expire_ms"] = nullptr;
    j["pttl"] = -1;
  } else {
    j["expire_ms"] = k.expire_ms;
    j["pttl"] = std::max<int64_t>(k.expire_ms - now_ms, 0);
  }
  const auto type = static_cast<engine::ValueType>(k.type);
  if (k.in_tier) {
    // The value is in the overflow tier (tier-dir), which this tool does not open.
    j["tier"] = {{"id", k.tier_id}, {"bytes", k.tier_bytes}};
  } else if (type == engine::ValueType::kString) {
    j["value"] = BytesJson(k.value);
  } else {
    j["value"] = type == engine::ValueType::kStream ? StreamJson(k.value) : CollectionJson(type, k.value);
    if (j["value"].is_null()) j["value_bytes"] = BytesJson(k.value);  // malformed: as it is
  }
  return j;
}

Result<std::optional<KeyValue>> Get(const std::string& path, std::string_view key, int db,
                                    bool include_expired, const Context& ctx) {
  KeyFilter filter;
  filter.db = db;
  filter.include_expired = include_expired;
  std::optional<KeyValue> found;
  const Status kFound = Status::NotFound("found");  // stops the scan at the key
  Status st = ForEachKey(path, filter, ctx, [&](const KeyRecord& k) -> Status {
    if (k.key != key) return Status::Ok();
    found = KeyValue{k.db, std::string(k.key), k.type, k.raw, k.expire_ms, std::string(k.value)};
    return kFound;
  });
  if (!st.ok() && !found) return st;
  return found;
}

Json Stats(const std::string& path, const StatsOptions& options, const Context& ctx) {
  KeyStats stats(options.top);
  KeyFilter filter = options.filter;
  filter.include_expired = true;  // counted apart, as "expired"
  const int64_t now_ms = ctx.now_ms != 0 ? ctx.now_ms : NowMs();
  std::string file;
  Status st = ScanKeys(
      path, filter, ctx, now_ms,
      [&](const KeyRecord& k) {
        stats.Add(k, now_ms);
        return Status::Ok();
      },
      &file);
  if (!st.ok()) return {{"ok", false}, {"path", path}, {"error", st.message()}};
  Json out = {{"ok", true}, {"path", path}, {"snapshot", file}, {"now_ms", now_ms}};
  const Json full = stats.Full();
  for (const auto& [name, value] : full.items()) out[name] = value;
  return out;
}

}  // namespace strata::tools
