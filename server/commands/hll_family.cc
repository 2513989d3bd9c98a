// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST, over HLL strings in
// Redis 7.0's byte format (engine/hyperloglog.h).
//
// An HLL is a string value, so a key's TTL and type are a string's. What each command logs:
// PFADD on a dense HLL patches the register bytes it raises and the cache's validity byte in
// place (DbView::SetRange: a few bytes in the WAL, not 12 KB); on a sparse one, or when it
// creates or promotes the HLL, it writes the whole (small, or just promoted) string. PFCOUNT of
// one key writes the 8 bytes of the cached cardinality when it recomputes it, as Redis
// propagates that change. PFMERGE and PFDEBUG's conversions write the whole string. Everything
// happens under the keys' locks; the record is committed when they are released.
#include <cstdint>
#include <random>
#include <string>

#include "engine/hyperloglog.h"
#include "server/commands/command.h"
#include "server/commands/errors.h"
#include "server/config.h"
#include "server/notify.h"
#include "server/server.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::Entry;
using engine::ValueType;
namespace hll = engine::hll;

int64_t SparseMaxBytes(CommandContext& ctx) {
  return ctx.server.config().Int(Param::kHllSparseMaxBytes);
}

// The HLL at key into *out (null if missing), found as a read (hit/miss counted) or a write.
// Replies Redis's WRONGTYPE for another type or a string that is not an HLL, and returns false.
bool FindHll(CommandContext& ctx, DbView& db, std::string_view key, bool read, Entry** out) {
  Entry* e = read ? db.FindRead(key) : db.Find(key);
  *out = e;
  if (e == nullptr) return true;
  if (e->type() != ValueType::kString) {
    ctx.reply.Error(Status::WrongType());
    return false;
  }
  if (!hll::IsHll(e->str())) {
    ctx.reply.Error(err::kHllNotHll);
    return false;
  }
  return true;
}

// PFADD on a dense HLL: each raised register's bytes patched in place, then the cache marked
// invalid. Returns how many registers were raised.
int64_t AddDense(DbView& db, std::string_view key, Entry* e,
                 std::span<const std::string_view> elements) {
  int64_t updated = 0;
  for (std::string_view element : elements) {
    hll::DensePatch patch;
    if (!hll::DenseRaise(e->str(), hll::PatternOf(element), &patch)) continue;
    db.SetRange(key, patch.offset, std::string_view(patch.bytes.data(), patch.len));
    e = db.Find(key);  // the same entry, patched in place; found again rather than assumed
    ++updated;
  }
  if (updated != 0 && hll::CacheValid(e->str())) {
    const char flag = static_cast<char>(e->str()[15] | 0x80);
    db.SetRange(key, 15, std::string_view(&flag, 1));
  }
  return updated;
}

// PFADD key [element ...]
void CmdPfAdd(CommandContext& ctx) {
  const std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  Entry* e;
  if (!FindHll(ctx, db, key, /*read=*/false, &e)) return;
  const auto elements = ctx.args.subspan(2);
  int64_t updated = 0;
  bool corrupt = false;
  if (e != nullptr && hll::EncodingOf(e->str()) == hll::kDense) {
    updated = AddDense(db, key, e, elements);
  } else {
    // Sparse: at most hll-sparse-max-bytes (or a dense string just promoted), rewritten whole.
    std::string s = e != nullptr ? std::string(e->str()) : hll::NewSparse();
    if (e == nullptr) ++updated;
    const int64_t max_bytes = SparseMaxBytes(ctx);
    for (std::string_view element : elements) {
      const hll::Pattern p = hll::PatternOf(element);
      const hll::SetResult r = hll::Set(&s, p.index, p.count, max_bytes);
      if (r == hll::SetResult::kCorrupt) {
        corrupt = true;  // what was added before stays, as in Redis
        break;
      }
      if (r == hll::SetResult::kUpdated) ++updated;
    }
    if (updated != 0) {
      if (!corrupt) hll::InvalidateCache(&s);
      db.SetString(key, s, e != nullptr ? e->expire_ms() : 0, /*raw=*/true);
    }
  }
  if (corrupt) return ctx.reply.Error(err::kHllCorrupt);
  if (updated != 0) ctx.Notify(kNotifyString, "pfadd", key);
  ctx.reply.Int(updated != 0 ? 1 : 0);
}

// PFCOUNT key: the cached cardinality, or a new count that is cached.
void CountOne(CommandContext& ctx) {
  const std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  Entry* e;
  if (!FindHll(ctx, db, key, /*read=*/true, &e)) return;
  if (e == nullptr) return ctx.reply.Int(0);
  if (hll::CacheValid(e->str())) {
    return ctx.reply.Int(static_cast<int64_t>(hll::CachedCard(e->str())));
  }
  hll::Histogram histogram;
  if (!hll::HistogramOf(e->str(), &histogram)) return ctx.reply.Error(err::kHllCorrupt);
  const uint64_t card = hll::Estimate(histogram);
  const std::array<char, 8> bytes = hll::EncodeCard(card);
  db.SetRange(key, hll::kCardOffset, std::string_view(bytes.data(), bytes.size()));
  ctx.reply.Int(static_cast<int64_t>(card));
}

// Merges the HLLs of `keys` into *max (missing keys count as empty). Replies the error and
// returns false on a key that is not a valid HLL. *any_dense: whether one of them is dense.
bool MergeKeys(CommandContext& ctx, DbView& db, std::span<const std::string_view> keys,
               hll::Registers* max, bool* any_dense) {
  *any_dense = false;
  for (std::string_view key : keys) {
    Entry* e;
    if (!FindHll(ctx, db, key, /*read=*/true, &e)) return false;
    if (e == nullptr) continue;
    if (hll::EncodingOf(e->str()) == hll::kDense) *any_dense = true;
    if (!hll::MergeInto(e->str(), max)) {
      ctx.reply.Error(err::kHllCorrupt);
      return false;
    }
  }
  return true;
}

// PFCOUNT key [key ...]: several keys are counted as their union, nothing written.
void CmdPfCount(CommandContext& ctx) {
  if (ctx.args.size() == 2) return CountOne(ctx);
  const auto keys = ctx.args.subspan(1);
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  hll::Registers max{};
  bool any_dense;
  if (!MergeKeys(ctx, db, keys, &max, &any_dense)) return;
  ctx.reply.Int(static_cast<int64_t>(hll::CountRegisters(max)));
}

// PFMERGE destkey [sourcekey ...]: destkey (one of the sources) gets the union. Redis 7.0 keeps
// it sparse while every input is sparse (promoting as PFADD would), dense otherwise.
void CmdPfMerge(CommandContext& ctx) {
  const auto keys = ctx.args.subspan(1);
  const std::string_view dest = keys[0];
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  hll::Registers max{};
  bool any_dense;
  if (!MergeKeys(ctx, db, keys, &max, &any_dense)) return;
  Entry* e = db.Find(dest);
  std::string s = e != nullptr ? std::string(e->str()) : hll::NewSparse();
  if (any_dense && !hll::ToDense(&s)) return ctx.reply.Error(err::kHllCorrupt);
  const int64_t max_bytes = SparseMaxBytes(ctx);
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    if (max[i] != 0) (void)hll::Set(&s, i, max[i], max_bytes);  // dest was checked above
  }
  hll::InvalidateCache(&s);
  db.SetString(dest, s, e != nullptr ? e->expire_ms() : 0, /*raw=*/true);
  ctx.Notify(kNotifyString, "pfadd", dest);
  ctx.reply.Ok();
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. The key is checked before the subcommand, as in
// Redis.
void CmdPfDebug(CommandContext& ctx) {
  const std::string_view sub = ctx.args[1], key = ctx.args[2];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  Entry* e;
  if (!FindHll(ctx, db, key, /*read=*/false, &e)) return;
  if (e == nullptr) return ctx.reply.Error(err::kHllKeyMissing);
  const bool sparse = hll::EncodingOf(e->str()) == hll::kSparse;
  // GETREG and TODENSE leave a sparse HLL dense.
  auto to_dense = [&]() -> bool {
    std::string s(e->str());
    if (!hll::ToDense(&s)) {
      ctx.reply.Error(err::kHllCorrupt);
      return false;
    }
    db.SetString(key, s, e->expire_ms(), /*raw=*/true);
    e = db.Find(key);
    return true;
  };
  if (EqualsIgnoreCase(sub, "getreg")) {
    if (sparse && !to_dense()) return;
    const auto* regs = reinterpret_cast<const uint8_t*>(e->str().data()) + hll::kHeaderSize;
    ctx.reply.Array(hll::kRegisters);
    for (uint32_t i = 0; i < hll::kRegisters; ++i) ctx.reply.Int(hll::DenseGet(regs, i));
  } else if (EqualsIgnoreCase(sub, "decode")) {
    if (!sparse) return ctx.reply.Error(err::kHllNotSparse);
    ctx.reply.Bulk(hll::DecodeSparse(e->str()));
  } else if (EqualsIgnoreCase(sub, "encoding")) {
    ctx.reply.Simple(sparse ? "sparse" : "dense");
  } else if (EqualsIgnoreCase(sub, "todense")) {
    if (sparse && !to_dense()) return;
    ctx.reply.Int(sparse ? 1 : 0);
  } else {
    ctx.reply.Error("ERR Unknown PFDEBUG subcommand '" + std::string(sub) + "'");
  }
}

// PFSELFTEST: blocks its worker for the test's second or so, as it blocks Redis.
void CmdPfSelfTest(CommandContext& ctx) {
  const std::string failure = hll::SelfTest(SparseMaxBytes(ctx), std::random_device()());
  if (!failure.empty()) return ctx.reply.Error(failure);
  ctx.reply.Ok();
}

}  // namespace

std::vector<CommandSpec> HllFamily() {
  constexpr uint32_t kW = kWrite | kDenyOom;
  return {
      {"pfadd", -2, kW | kFast, 1, 1, 1, CmdPfAdd, "hyperloglog",
       "Adds the specified elements to the specified HyperLogLog."},
      {"pfcount", -2, kReadOnly, 1, -1, 1, CmdPfCount, "hyperloglog",
       "Return the approximated cardinality of the set(s) observed by the HyperLogLog at "
       "key(s)."},
      {"pfmerge", -2, kW, 1, -1, 1, CmdPfMerge, "hyperloglog",
       "Merge N different HyperLogLogs into a single one."},
      {"pfdebug", 3, kW | kAdmin, 2, 2, 1, CmdPfDebug, "hyperloglog",
       "Internal commands for debugging HyperLogLog values"},
      {"pfselftest", 1, kAdmin, 0, 0, 0, CmdPfSelfTest, "hyperloglog",
       "An internal command for testing HyperLogLog values"},
  };
}

}  // namespace strata::server
