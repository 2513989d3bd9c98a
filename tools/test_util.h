// Shared by the strata-inspect tests: a fixed "now" and the Context that carries it, and the
// logs they inspect.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/entry.h"
#include "engine/redo.h"
#include "tools/inspect.h"
#include "wal/writer.h"

namespace strata::tools {

// "Now" for every test: TTLs are relative to it.
inline constexpr int64_t kNow = 1'800'000'000'000;
inline constexpr int64_t kMinute = 60'000;

// A Context at kNow; notes, when given, collects every note.
inline Context TestContext(std::vector<std::string>* notes = nullptr) {
  Context ctx;
  ctx.now_ms = kNow;
  if (notes != nullptr) ctx.note = [notes](const std::string& n) { notes->push_back(n); };
  return ctx;
}

// Adds a put of a string value (expire_ms: absolute, 0 = none), as SET logs it.
inline void PutString(engine::RedoRecord* r, int db, std::string_view key, std::string_view value,
                      int64_t expire_ms = 0) {
  engine::Entry* e = engine::Entry::NewString(key, value, expire_ms);
  r->Put(db, *e);
  engine::Entry::Free(e);
}

// Writes a log of `records` records in dir (created if missing) with segments of segment_bytes,
// synced: record i (from 0) is what fill(i, &record) builds.
inline void WriteLog(const std::string& dir, uint64_t segment_bytes, int records,
                     const std::function<void(int i, engine::RedoRecord* r)>& fill) {
  wal::WriterOptions wo;
  wo.dir = dir;
  wo.segment_bytes = segment_bytes;
  wo.sync = wal::SyncPolicy::kAlways;
  auto w = wal::Writer::Open(std::move(wo), wal::LogEnd{});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (int i = 0; i < records; ++i) {
    engine::RedoRecord r;
    fill(i, &r);
    (*w)->Append(r.bytes());
  }
  ASSERT_TRUE((*w)->Flush().ok());
}

}  // namespace strata::tools
