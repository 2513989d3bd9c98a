#include "tools/inspect.h"

#include "engine/entry.h"
#include "engine/redo.h"
#include "wal/reader.h"

namespace strata::tools {

namespace {

using nlohmann::json;

const char* OpName(engine::RedoOp op) {
  switch (op) {
    case engine::RedoOp::kPut:
      return "put";
    case engine::RedoOp::kDel:
      return "del";
    case engine::RedoOp::kExpire:
      return "expire";
    case engine::RedoOp::kAppend:
      return "append";
    case engine::RedoOp::kFlushDb:
      return "flushdb";
    case engine::RedoOp::kFlushAll:
      return "flushall";
    case engine::RedoOp::kSwapDb:
      return "swapdb";
  }
  return "?";
}

// The effects of one redo record, or the error that stops decoding it.
Status DescribeEffects(std::string_view record, json* out) {
  engine::RedoReader reader(record);
  engine::RedoEffect e;
  *out = json::array();
  while (reader.Next(&e)) {
    json x = {{"op", OpName(e.op)}};
    switch (e.op) {
      case engine::RedoOp::kPut:
        x["db"] = e.db;
        x["key"] = std::string(e.key);
        x["type"] = engine::TypeName(static_cast<engine::ValueType>(e.type));
        x["expire_ms"] = e.expire_ms;
        x["value_bytes"] = e.value.size();
        break;
      case engine::RedoOp::kDel:
        x["db"] = e.db;
        x["key"] = std::string(e.key);
        break;
      case engine::RedoOp::kExpire:
        x["db"] = e.db;
        x["key"] = std::string(e.key);
        x["expire_ms"] = e.expire_ms;
        break;
      case engine::RedoOp::kAppend:
        x["db"] = e.db;
        x["key"] = std::string(e.key);
        x["value_bytes"] = e.value.size();
        break;
      case engine::RedoOp::kFlushDb:
        x["db"] = e.db;
        break;
      case engine::RedoOp::kFlushAll:
        break;
      case engine::RedoOp::kSwapDb:
        x["db"] = e.db;
        x["db2"] = e.db2;
        break;
    }
    out->push_back(std::move(x));
  }
  return reader.status();
}

json TornTail(const wal::ReplayResult& r) {
  return {{"file", r.dropped_file},
          {"offset", r.dropped_offset},
          {"records", r.dropped_records},
          {"bytes", r.dropped_bytes}};
}

}  // namespace

json VerifyWal(const std::string& dir) {
  wal::ReplayOptions ro;
  ro.dir = dir;
  ro.truncate_torn_tail = false;
  uint64_t bad_effects = 0;
  Status first_bad;
  Result<wal::ReplayResult> r = wal::Replay(ro, [&](uint64_t lsn, std::string_view payload) {
    json effects;
    Status st = DescribeEffects(payload, &effects);
    if (!st.ok() && bad_effects++ == 0) {
      first_bad = Status::Corruption("record " + std::to_string(lsn) + ": " + st.message());
    }
    return Status::Ok();
  });
  if (!r.ok()) return {{"ok", false}, {"error", r.status().message()}};
  json out = {{"ok", bad_effects == 0},
              {"segments", r->segments},
              {"records", r->records},
              {"bytes", r->bytes},
              {"next_lsn", r->end.next_lsn}};
  if (r->dropped_bytes > 0) out["torn_tail"] = TornTail(*r);
  if (bad_effects > 0) {
    out["undecodable_records"] = bad_effects;
    out["error"] = first_bad.message();
  }
  return out;
}

json RepairWal(const std::string& dir) {
  Result<wal::ReplayResult> r = wal::Repair(dir);
  if (!r.ok()) return {{"ok", false}, {"error", r.status().message()}};
  return {{"ok", true},
          {"dropped_records", r->dropped_records},
          {"dropped_bytes", r->dropped_bytes},
          {"dropped_file", r->dropped_file},
          {"dropped_offset", r->dropped_offset},
          {"records", r->records},
          {"next_lsn", r->end.next_lsn}};
}

json DumpWal(const std::string& dir, uint64_t from_lsn, uint64_t limit) {
  wal::ReplayOptions ro;
  ro.dir = dir;
  ro.truncate_torn_tail = false;
  ro.from_lsn = from_lsn;
  json records = json::array();
  Result<wal::ReplayResult> r = wal::Replay(ro, [&](uint64_t lsn, std::string_view payload) {
    if (limit != 0 && records.size() >= limit) return Status::Ok();
    json effects;
    Status st = DescribeEffects(payload, &effects);
    json rec = {{"lsn", lsn}, {"bytes", payload.size()}, {"effects", std::move(effects)}};
    if (!st.ok()) rec["error"] = st.message();
    records.push_back(std::move(rec));
    return Status::Ok();
  });
  json out = {{"ok", r.ok()}, {"records", std::move(records)}};
  if (!r.ok()) out["error"] = r.status().message();
  return out;
}

}  // namespace strata::tools
