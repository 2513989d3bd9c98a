// Sorted-set commands, part one: ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK,
// ZCOUNT, ZLEXCOUNT, the ZRANGE family (ZRANGE, ZRANGESTORE, ZREVRANGE, ZRANGEBYSCORE,
// ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX), ZREMRANGEBY*, ZPOPMIN, ZPOPMAX, ZMPOP,
// ZRANDMEMBER, ZSCAN.
// zset_setop_family.cc has the rest.
//
// Every change goes through DbView::Apply with a zset_add / zset_rem body
// (engine/zset_value.h) that says what was done: ZINCRBY and ZADD INCR log the resulting
// score, the pops and ZREMRANGEBY* the members removed. ZRANGESTORE writes a whole new value
// (a put). Ranges follow Redis's walk exactly: the first member in range, then `offset` members
// skipped unchecked, then members emitted while in range.
#include "server/commands/zset_family.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "base/string_util.h"
#include "engine/zset_value.h"
#include "server/commands/shapes.h"
#include "server/commands/zset_range.h"
#include "server/commands/errors.h"
#include "server/notify.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::Entry;
using engine::RedoOp;
using engine::ValueType;
using engine::ZSetValue;

// ---- ZADD, ZINCRBY, ZREM ----

struct ZAddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

// Adds (score, member) pairs (args[first], args[first+1], ...) with Redis's ZADD rules.
void ZAddGeneric(CommandContext& ctx, std::string_view key, const ZAddFlags& f, size_t first,
                 bool zincrby) {
  const size_t elements = (ctx.args.size() - first) / 2;
  std::vector<double> scores(elements);
  for (size_t j = 0; j < elements; ++j) {
    auto v = ParseDouble(ctx.args[first + 2 * j], /*allow_inf=*/true);
    if (!v) return ctx.reply.Error(Status::NotFloat());
    scores[j] = *v;
  }
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto zr = GetZSet(db, key, false);
  if (!zr.ok()) return ctx.reply.Error(zr.status());
  const ZSetValue* z = *zr;
  const bool incr = f.incr || zincrby;
  size_t added = 0, updated = 0, processed = 0;
  double last_score = 0;
  std::vector<std::pair<std::string_view, double>> changes;
  if (z != nullptr || !f.xx) {
    // Scores this command already set, for members named twice.
    std::unordered_map<std::string_view, double> pending;
    for (size_t j = 0; j < elements; ++j) {
      const std::string_view member = ctx.args[first + 2 * j + 1];
      std::optional<double> cur;
      if (elements > 1) {
        auto it = pending.find(member);
        if (it != pending.end()) cur = it->second;
      }
      if (!cur && z != nullptr) cur = z->Score(member);
      double score = scores[j];
      if (cur) {
        if (f.nx) continue;
        if (incr) {
          score += *cur;
          if (std::isnan(score)) return ctx.reply.Error(err::kScoreNan);
        }
        if ((f.lt && score >= *cur) || (f.gt && score <= *cur)) continue;
        ++processed;
        last_score = score;
        if (score != *cur) {
          ++updated;
          changes.emplace_back(member, score);
          if (elements > 1) pending[member] = score;
        }
      } else {
        if (f.xx) continue;
        ++processed;
        ++added;
        last_score = score;
        changes.emplace_back(member, score);
        if (elements > 1) pending[member] = score;
      }
    }
  }
  if (!changes.empty()) {
    db.Apply(RedoOp::kZSetAdd, key, engine::ZAddBody(changes));
    ctx.Notify(kNotifyZset, incr ? "zincr" : "zadd", key);
  }
  if (incr) return processed > 0 ? ctx.reply.Double(last_score) : ctx.reply.Null();
  ctx.reply.Int(static_cast<int64_t>(f.ch ? added + updated : added));
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
void CmdZAdd(CommandContext& ctx) {
  ZAddFlags f;
  size_t i = 2;
  for (; i < ctx.args.size(); ++i) {
    const std::string_view o = ctx.args[i];
    if (EqualsIgnoreCase(o, "nx"))
      f.nx = true;
    else if (EqualsIgnoreCase(o, "xx"))
      f.xx = true;
    else if (EqualsIgnoreCase(o, "ch"))
      f.ch = true;
    else if (EqualsIgnoreCase(o, "incr"))
      f.incr = true;
    else if (EqualsIgnoreCase(o, "gt"))
      f.gt = true;
    else if (EqualsIgnoreCase(o, "lt"))
      f.lt = true;
    else
      break;
  }
  const size_t rest = ctx.args.size() - i;
  if (rest == 0 || rest % 2 != 0) return ctx.reply.Error(Status::Syntax());
  if (f.nx && f.xx) {
    return ctx.reply.Error(err::kXxAndNx);
  }
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    return ctx.reply.Error(err::kGtLtNx);
  }
  if (f.incr && rest > 2) {
    return ctx.reply.Error(err::kZaddIncrPair);
  }
  ZAddGeneric(ctx, ctx.args[1], f, i, false);
}

// ZINCRBY key increment member
void CmdZIncrBy(CommandContext& ctx) { ZAddGeneric(ctx, ctx.args[1], ZAddFlags{}, 2, true); }

void CmdZRem(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto z = GetZSet(db, key, false);
  if (!z.ok()) return ctx.reply.Error(z.status());
  if (*z == nullptr) return ctx.reply.Int(0);
  const size_t before = (*z)->size();
  const Entry* e = db.Apply(RedoOp::kZSetRem, key, engine::ZRemBody(ctx.args.subspan(2)));
  const size_t after = e == nullptr ? 0 : e->value()->size();
  if (after < before) ctx.Notify(kNotifyZset, "zrem", key);
  if (e == nullptr) ctx.Notify(kNotifyGeneric, "del", key);
  ctx.reply.Int(static_cast<int64_t>(before - after));
}

// ---- Point reads ----

void CmdZCard(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto z = GetZSet(db, ctx.args[1], true);
  if (!z.ok()) return ctx.reply.Error(z.status());
  ctx.reply.Int(*z ? static_cast<int64_t>((*z)->size()) : 0);
}

void ReplyScore(CommandContext& ctx, const ZSetValue* z, std::string_view member) {
  std::optional<double> s = z ? z->Score(member) : std::nullopt;
  s ? ctx.reply.Double(*s) : ctx.reply.Null();
}

void CmdZScore(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto z = GetZSet(db, ctx.args[1], true);
  if (!z.ok()) return ctx.reply.Error(z.status());
  ReplyScore(ctx, *z, ctx.args[2]);
}

void CmdZMScore(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto z = GetZSet(db, ctx.args[1], true);
  if (!z.ok()) return ctx.reply.Error(z.status());
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) ReplyScore(ctx, *z, ctx.args[i]);
}

void RankCommand(CommandContext& ctx, bool reverse) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto z = GetZSet(db, ctx.args[1], true);
  if (!z.ok()) return ctx.reply.Error(z.status());
  std::optional<size_t> r = *z ? (*z)->Rank(ctx.args[2]) : std::nullopt;
  if (!r) return ctx.reply.Null();
  ctx.reply.Int(static_cast<int64_t>(reverse ? (*z)->size() - 1 - *r : *r));
}
void CmdZRank(CommandContext& ctx) { RankCommand(ctx, false); }
void CmdZRevRank(CommandContext& ctx) { RankCommand(ctx, true); }

// ZCOUNT key min max
void CmdZCount(CommandContext& ctx) {
  ScoreRange r;
  if (!ParseScoreRange(ctx.args[2], ctx.args[3], &r)) {
    return ctx.reply.Error(err::kMinMaxNotFloat);
  }
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto z = GetZSet(db, ctx.args[1], true);
  if (!z.ok()) return ctx.reply.Error(z.status());
  if (*z == nullptr) return ctx.reply.Int(0);
  const size_t lo = (*z)->CountBelow(r.min, r.minex);
  const size_t hi = (*z)->CountBelow(r.max, !r.maxex);
  ctx.reply.Int(hi > lo ? static_cast<int64_t>(hi - lo) : 0);
}

// ZLEXCOUNT key min max
void CmdZLexCount(CommandContext& ctx) {
  LexRange r;
  if (!ParseLexRange(ctx.args[2], ctx.args[3], &r)) {
    return ctx.reply.Error(err::kMinMaxNotLexRange);
  }
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto z = GetZSet(db, ctx.args[1], true);
  if (!z.ok()) return ctx.reply.Error(z.status());
  if (*z == nullptr) return ctx.reply.Int(0);
  int64_t n = 0;
  CollectRange(**z, RangeSpec{RangeSpec::kLex, false, {}, r, 0, -1},
               [&](std::string_view, double) { ++n; });
  ctx.reply.Int(n);
}

// ---- The ZRANGE family ----

// ZRANGE and its older forms; `dst` set for ZRANGESTORE. `type` / `rev` preset by the older
// commands (kAuto / false for ZRANGE and ZRANGESTORE). args: [cmd, (dst,) src, min, max, opts].
void RangeCommand(CommandContext& ctx, RangeSpec::Type preset, bool preset_rev, bool store) {
  const size_t base = store ? 2 : 1;
  std::string_view src = ctx.args[base];
  bool withscores = false, rev = preset_rev, rev_given = preset_rev;
  RangeSpec::Type type = preset;
  int64_t offset = 0, limit = -1;
  bool has_limit = false;
  for (size_t j = base + 3; j < ctx.args.size(); ++j) {
    const std::string_view o = ctx.args[j];
    const size_t left = ctx.args.size() - j - 1;
    if (!store && EqualsIgnoreCase(o, "withscores")) {
      withscores = true;
    } else if (EqualsIgnoreCase(o, "limit") && left >= 2) {
      if (!ArgToInt(ctx, ctx.args[j + 1], &offset) || !ArgToInt(ctx, ctx.args[j + 2], &limit)) {
        return;
      }
      has_limit = true;
      j += 2;
    } else if (!rev_given && preset == RangeSpec::kAuto && EqualsIgnoreCase(o, "rev")) {
      rev = rev_given = true;
    } else if (type == RangeSpec::kAuto && EqualsIgnoreCase(o, "bylex")) {
      type = RangeSpec::kLex;
    } else if (type == RangeSpec::kAuto && EqualsIgnoreCase(o, "byscore")) {
      type = RangeSpec::kScore;
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  if (type == RangeSpec::kAuto) type = RangeSpec::kRank;
  if (has_limit && limit != -1 && type == RangeSpec::kRank) {
    return ctx.reply.Error(
        err::kLimitNeedsByScoreOrLex);
  }
  if (withscores && type == RangeSpec::kLex) {
    return ctx.reply.Error(err::kWithscoresByLex);
  }
  std::string_view min = ctx.args[base + 1], max = ctx.args[base + 2];
  if (rev && type != RangeSpec::kRank) std::swap(min, max);
  RangeSpec spec{type, rev, {}, {}, offset, limit};
  if (type == RangeSpec::kRank) {
    if (!ArgToInt(ctx, min, &spec.start) || !ArgToInt(ctx, max, &spec.stop)) return;
  } else if (type == RangeSpec::kScore) {
    if (!ParseScoreRange(min, max, &spec.score)) {
      return ctx.reply.Error(err::kMinMaxNotFloat);
    }
  } else if (!ParseLexRange(min, max, &spec.lex)) {
    return ctx.reply.Error(err::kMinMaxNotLexRange);
  }

  auto lock = store ? ctx.Lock(ctx.args.subspan(1, 2)) : ctx.Lock(src);
  DbView db = ctx.db();
  auto z = GetZSet(db, src, !store);
  if (!z.ok()) return ctx.reply.Error(z.status());
  std::vector<std::pair<std::string_view, double>> items;
  if (*z != nullptr) {
    CollectRange(**z, spec, [&](std::string_view m, double s) { items.emplace_back(m, s); });
  }
  if (store) {
    StoreZSet(ctx, db, ctx.args[1], items, "zrangestore");
    return ctx.reply.Int(static_cast<int64_t>(items.size()));
  }
  ReplyScored(ctx.reply, items, withscores);
}

void CmdZRange(CommandContext& ctx) { RangeCommand(ctx, RangeSpec::kAuto, false, false); }
void CmdZRangeStore(CommandContext& ctx) { RangeCommand(ctx, RangeSpec::kAuto, false, true); }
void CmdZRevRange(CommandContext& ctx) { RangeCommand(ctx, RangeSpec::kRank, true, false); }
void CmdZRangeByScore(CommandContext& ctx) { RangeCommand(ctx, RangeSpec::kScore, false, false); }
void CmdZRevRangeByScore(CommandContext& ctx) { RangeCommand(ctx, RangeSpec::kScore, true, false); }
void CmdZRangeByLex(CommandContext& ctx) { RangeCommand(ctx, RangeSpec::kLex, false, false); }
void CmdZRevRangeByLex(CommandContext& ctx) { RangeCommand(ctx, RangeSpec::kLex, true, false); }

// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX key min max
void RemRangeCommand(CommandContext& ctx, RangeSpec::Type type) {
  RangeSpec spec{type, false, {}, {}, 0, -1};
  if (type == RangeSpec::kRank) {
    if (!ArgToInt(ctx, ctx.args[2], &spec.start) || !ArgToInt(ctx, ctx.args[3], &spec.stop)) {
      return;
    }
  } else if (type == RangeSpec::kScore) {
    if (!ParseScoreRange(ctx.args[2], ctx.args[3], &spec.score)) {
      return ctx.reply.Error(err::kMinMaxNotFloat);
    }
  } else if (!ParseLexRange(ctx.args[2], ctx.args[3], &spec.lex)) {
    return ctx.reply.Error(err::kMinMaxNotLexRange);
  }
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto z = GetZSet(db, key, false);
  if (!z.ok()) return ctx.reply.Error(z.status());
  if (*z == nullptr) return ctx.reply.Int(0);
  std::vector<std::string_view> members;
  CollectRange(**z, spec, [&](std::string_view m, double) { members.push_back(m); });
  if (!members.empty()) {
    // The body copies the members before the value changes under their views.
    const bool emptied = db.Apply(RedoOp::kZSetRem, key, engine::ZRemBody(members)) == nullptr;
    static constexpr std::string_view kEvents[] = {"zremrangebyrank", "zremrangebyscore",
                                                   "zremrangebylex"};
    ctx.Notify(kNotifyZset,
               kEvents[type == RangeSpec::kRank ? 0 : type == RangeSpec::kScore ? 1 : 2], key);
    if (emptied) ctx.Notify(kNotifyGeneric, "del", key);
  }
  ctx.reply.Int(static_cast<int64_t>(members.size()));
}
void CmdZRemRangeByRank(CommandContext& ctx) { RemRangeCommand(ctx, RangeSpec::kRank); }
void CmdZRemRangeByScore(CommandContext& ctx) { RemRangeCommand(ctx, RangeSpec::kScore); }
void CmdZRemRangeByLex(CommandContext& ctx) { RemRangeCommand(ctx, RangeSpec::kLex); }

// ---- Pops ----

// ZPOPMIN / ZPOPMAX key [count]
void PopCommand(CommandContext& ctx, bool max) {
  if (ctx.args.size() > 3) return ctx.reply.Error(Status::Syntax());
  int64_t count = 1;
  if (ctx.args.size() == 3) {
    auto v = ParseInt64(ctx.args[2]);
    if (!v || *v < 0) return ctx.reply.Error(err::kMustBePositive);
    count = *v;
  }
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto r = OpZPop(ctx, db, ctx.args[1], max, static_cast<size_t>(count));
  if (!r.ok()) return ctx.reply.Error(r.status());
  ReplyZPop(ctx.reply, *r, ctx.args.size() == 3);
}
void CmdZPopMin(CommandContext& ctx) { PopCommand(ctx, false); }
void CmdZPopMax(CommandContext& ctx) { PopCommand(ctx, true); }

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
void CmdZMPop(CommandContext& ctx) {
  ZMPopArgs a;
  if (!ParseZMPopArgs(ctx, 1, &a)) return;
  auto lock = ctx.Lock(a.keys);
  DbView db = ctx.db();
  for (std::string_view key : a.keys) {
    auto r = OpZPop(ctx, db, key, a.max, a.count);
    if (!r.ok()) return ctx.reply.Error(r.status());
    if (!r->empty()) return ReplyZMPop(ctx.reply, key, *r);
  }
  ctx.reply.NullArray();
}

// ZRANDMEMBER key [count [WITHSCORES]]
void CmdZRandMember(CommandContext& ctx) {
  RandomCount args;
  if (!ParseRandomCount(ctx, "withscores", &args)) return;
  const bool with_count = args.with_count, withscores = args.with_pairs;
  const int64_t count = args.count;
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto zr = GetZSet(db, ctx.args[1], true);
  if (!zr.ok()) return ctx.reply.Error(zr.status());
  const ZSetValue* z = *zr;
  auto at = [&](size_t rank) {
    std::pair<std::string_view, double> out;
    z->Walk(rank, false, [&](std::string_view m, double s) {
      out = {m, s};
      return false;
    });
    return out;
  };
  if (!with_count) {
    if (z == nullptr) return ctx.reply.Null();
    return ctx.reply.Bulk(at(Random() % z->size()).first);
  }
  std::vector<std::pair<std::string_view, double>> items;
  if (z == nullptr || count == 0) return ctx.reply.Array(0);
  const size_t size = z->size();
  if (count < 0) {
    // Repeats, replied as picked: bounded by proto-max-bulk-len (PicksBudget, shapes.h); a pick
    // is at least one empty bulk ("$0\r\n\r\n"), and a one-digit score with WITHSCORES.
    const uint64_t k = 0 - static_cast<uint64_t>(count);
    PicksBudget budget;
    if (!budget.Admit(ctx, k, withscores ? 13 : 6)) return;
    const bool pairs = withscores && ctx.reply.resp3();
    ctx.reply.Array(withscores && !pairs ? k * 2 : k);
    for (uint64_t i = 0; i < k; ++i) {
      const auto [m, s] = at(Random() % size);
      if (pairs) ctx.reply.Array(2);
      ctx.reply.Bulk(m);
      if (withscores) ctx.reply.Double(s);
      if (!budget.Fits(ctx)) return;
    }
    return;
  } else if (static_cast<uint64_t>(count) >= size) {
    z->Walk(0, false, [&](std::string_view m, double s) {
      items.emplace_back(m, s);
      return true;
    });
  } else {
    std::unordered_set<size_t> picked;
    while (picked.size() < static_cast<size_t>(count)) {
      const size_t r = Random() % size;
      if (picked.insert(r).second) items.push_back(at(r));
    }
  }
  ReplyScored(ctx.reply, items, withscores);
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
void CmdZScan(CommandContext& ctx) {
  ScanCollection<ZSetValue>(ctx, [&](const ZSetValue& z, uint64_t cursor, int64_t count,
                                     std::optional<std::string_view> pattern) {
    std::vector<std::pair<std::string, double>> items;
    const uint64_t next = z.Scan(cursor, static_cast<size_t>(count), &items);
    if (pattern) {
      std::erase_if(items, [&](const auto& it) { return !GlobMatch(*pattern, it.first); });
    }
    ReplyScanPage(ctx.reply, next, items.size() * 2);
    for (const auto& [m, s] : items) {
      ctx.reply.Bulk(m);
      ctx.reply.Bulk(FormatDouble(s));
    }
  });
}

}  // namespace

Result<const ZSetValue*> GetZSet(DbView& db, std::string_view key, bool read) {
  return FindCollection<ZSetValue>(db, key, read);
}

namespace {

bool ParseScoreBound(std::string_view arg, double* v, bool* ex) {
  *ex = !arg.empty() && arg[0] == '(';
  const std::string text(*ex ? arg.substr(1) : arg);
  char* end = nullptr;
  *v = std::strtod(text.c_str(), &end);
  return *end == '\0' && !std::isnan(*v);
}

bool ParseLexItem(std::string_view arg, LexItem* item, bool* ex) {
  if (arg.empty()) return false;
  switch (arg[0]) {
    case '+':
    case '-':
      if (arg.size() != 1) return false;
      *ex = true;
      *item = LexItem{arg[0] == '+' ? 1 : -1, {}};
      return true;
    case '(':
    case '[':
      *ex = arg[0] == '(';
      *item = LexItem{0, arg.substr(1)};
      return true;
    default:
      return false;
  }
}

std::pair<std::string_view, double> At(const ZSetValue& z, size_t rank) {
  std::pair<std::string_view, double> out;
  z.Walk(rank, false, [&](std::string_view m, double s) {
    out = {m, s};
    return false;
  });
  return out;
}

}  // namespace

bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* out) {
  return ParseScoreBound(min, &out->min, &out->minex) &&
         ParseScoreBound(max, &out->max, &out->maxex);
}

bool ParseLexRange(std::string_view min, std::string_view max, LexRange* out) {
  return ParseLexItem(min, &out->min, &out->minex) && ParseLexItem(max, &out->max, &out->maxex);
}

size_t RangeStart(const ZSetValue& z, const RangeSpec& spec) {
  const size_t n = z.size();
  if (n == 0) return kNoRank;
  if (spec.type == RangeSpec::kScore) {
    const ScoreRange& r = spec.score;
    if (r.min > r.max || (r.min == r.max && (r.minex || r.maxex))) return kNoRank;
    if (!spec.rev) {
      const size_t rank = z.CountBelow(r.min, r.minex);
      if (rank >= n || !LteMax(At(z, rank).second, r)) return kNoRank;
      return rank;
    }
    const size_t below = z.CountBelow(r.max, !r.maxex);
    if (below == 0 || !GteMin(At(z, below - 1).second, r)) return kNoRank;
    return below - 1;
  }
  const LexRange& r = spec.lex;
  const int c = CmpLex(r.min, r.max);
  if (c > 0 || (c == 0 && (r.minex || r.maxex))) return kNoRank;
  if (!LexGteMin(At(z, n - 1).first, r) || !LexLteMax(At(z, 0).first, r)) return kNoRank;
  size_t rank;
  if (!spec.rev) {
    rank = z.FirstWhere([&](std::string_view m) { return LexGteMin(m, r); });
    if (rank >= n || !LexLteMax(At(z, rank).first, r)) return kNoRank;
  } else {
    rank = z.LastWhere([&](std::string_view m) { return LexLteMax(m, r); });
    if (rank >= n || !LexGteMin(At(z, rank).first, r)) return kNoRank;
  }
  return rank;
}

void StoreZSet(CommandContext& ctx, DbView& db, std::string_view dst,
               const std::vector<std::pair<std::string_view, double>>& items,
               std::string_view event) {
  if (items.empty()) {
    if (db.Delete(dst)) ctx.Notify(kNotifyGeneric, "del", dst);
    return;
  }
  std::unique_ptr<engine::Value> v = engine::NewZSet();
  v->Apply(RedoOp::kZSetAdd, engine::ZAddBody(items), ctx.keyspace().encoding_limits())
      .PermitUnchecked();  // always well formed
  db.Put(Entry::NewObject(dst, v.release(), 0, ctx.keyspace().NewAccessClock(ctx.now_ms)));
  ctx.Notify(kNotifyZset, event, dst);
}

Result<ScoredMembers> OpZPop(CommandContext& ctx, DbView& db, std::string_view key, bool max,
                             size_t count) {
  auto z = GetZSet(db, key, false);
  if (!z.ok()) return z.status();
  ScoredMembers out;
  if (*z == nullptr || count == 0) return out;
  const size_t n = std::min(count, (*z)->size());
  out.reserve(n);
  (*z)->Walk(max ? (*z)->size() - 1 : 0, max, [&](std::string_view m, double s) {
    out.emplace_back(std::string(m), s);
    return out.size() < n;
  });
  std::vector<std::string_view> members;
  members.reserve(out.size());
  for (const auto& [m, s] : out) members.push_back(m);
  const bool emptied = db.Apply(RedoOp::kZSetRem, key, engine::ZRemBody(members)) == nullptr;
  ctx.Notify(kNotifyZset, max ? "zpopmax" : "zpopmin", key);
  if (emptied) ctx.Notify(kNotifyGeneric, "del", key);
  return out;
}

void ReplyZPop(ReplyBuilder& reply, const ScoredMembers& items, bool nested) {
  if (nested) return ReplyScored(reply, items, /*withscores=*/true);
  reply.Array(items.size() * 2);
  for (const auto& [m, s] : items) {
    reply.Bulk(m);
    reply.Double(s);
  }
}

void ReplyZMPop(ReplyBuilder& reply, std::string_view key, const ScoredMembers& items) {
  reply.Array(2);
  reply.Bulk(key);
  reply.Array(items.size());
  for (const auto& [m, s] : items) {
    reply.Array(2);
    reply.Bulk(m);
    reply.Double(s);
  }
}

bool ParseZMPopArgs(CommandContext& ctx, size_t first, ZMPopArgs* out) {
  auto numkeys = ParseInt64(ctx.args[first]);
  if (!numkeys || *numkeys < 1) {
    ctx.reply.Error(err::kNumkeysPositive);
    return false;
  }
  const size_t where = first + 1 + static_cast<size_t>(std::min<int64_t>(*numkeys, INT32_MAX));
  if (where >= ctx.args.size()) {
    ctx.reply.Error(Status::Syntax());
    return false;
  }
  if (EqualsIgnoreCase(ctx.args[where], "min")) {
    out->max = false;
  } else if (EqualsIgnoreCase(ctx.args[where], "max")) {
    out->max = true;
  } else {
    ctx.reply.Error(Status::Syntax());
    return false;
  }
  bool has_count = false;
  for (size_t j = where + 1; j < ctx.args.size(); ++j) {
    if (!has_count && EqualsIgnoreCase(ctx.args[j], "count") && j + 1 < ctx.args.size()) {
      auto c = ParseInt64(ctx.args[++j]);
      if (!c || *c < 1) {
        ctx.reply.Error(err::kCountPositive);
        return false;
      }
      out->count = static_cast<size_t>(*c);
      has_count = true;
    } else {
      ctx.reply.Error(Status::Syntax());
      return false;
    }
  }
  out->keys = ctx.args.subspan(first + 1, where - first - 1);
  return true;
}

std::vector<CommandSpec> ZSetFamily() {
  constexpr uint32_t kR = kReadOnly;
  constexpr uint32_t kW = kWrite | kDenyOom;
  std::vector<CommandSpec> specs = {
      {"zadd", -4, kW | kFast, 1, 1, 1, CmdZAdd, "sorted-set",
       "Add one or more members to a sorted set, or update its score if it already exists"},
      {"zincrby", 4, kW | kFast, 1, 1, 1, CmdZIncrBy, "sorted-set",
       "Increment the score of a member in a sorted set"},
      {"zrem", -3, kWrite | kFast, 1, 1, 1, CmdZRem, "sorted-set",
       "Remove one or more members from a sorted set"},
      {"zcard", 2, kR | kFast, 1, 1, 1, CmdZCard, "sorted-set",
       "Get the number of members in a sorted set"},
      {"zscore", 3, kR | kFast, 1, 1, 1, CmdZScore, "sorted-set",
       "Get the score associated with the given member in a sorted set"},
      {"zmscore", -3, kR | kFast, 1, 1, 1, CmdZMScore, "sorted-set",
       "Get the score associated with the given members in a sorted set"},
      {"zrank", 3, kR | kFast, 1, 1, 1, CmdZRank, "sorted-set",
       "Determine the index of a member in a sorted set"},
      {"zrevrank", 3, kR | kFast, 1, 1, 1, CmdZRevRank, "sorted-set",
       "Determine the index of a member in a sorted set, with scores ordered from high to low"},
      {"zcount", 4, kR | kFast, 1, 1, 1, CmdZCount, "sorted-set",
       "Count the members in a sorted set with scores within the given values"},
      {"zlexcount", 4, kR | kFast, 1, 1, 1, CmdZLexCount, "sorted-set",
       "Count the number of members in a sorted set between a given lexicographical range"},
      {"zrange", -4, kR, 1, 1, 1, CmdZRange, "sorted-set",
       "Return a range of members in a sorted set"},
      {"zrangestore", -5, kW, 1, 2, 1, CmdZRangeStore, "sorted-set",
       "Store a range of members from sorted set into another key"},
      {"zrevrange", -4, kR, 1, 1, 1, CmdZRevRange, "sorted-set",
       "Return a range of members in a sorted set, by index, with scores ordered from high to "
       "low"},
      {"zrangebyscore", -4, kR, 1, 1, 1, CmdZRangeByScore, "sorted-set",
       "Return a range of members in a sorted set, by score"},
      {"zrevrangebyscore", -4, kR, 1, 1, 1, CmdZRevRangeByScore, "sorted-set",
       "Return a range of members in a sorted set, by score, with scores ordered from high to "
       "low"},
      {"zrangebylex", -4, kR, 1, 1, 1, CmdZRangeByLex, "sorted-set",
       "Return a range of members in a sorted set, by lexicographical range"},
      {"zrevrangebylex", -4, kR, 1, 1, 1, CmdZRevRangeByLex, "sorted-set",
       "Return a range of members in a sorted set, by lexicographical range, ordered from "
       "higher to lower strings."},
      {"zremrangebyrank", 4, kWrite, 1, 1, 1, CmdZRemRangeByRank, "sorted-set",
       "Remove all members in a sorted set within the given indexes"},
      {"zremrangebyscore", 4, kWrite, 1, 1, 1, CmdZRemRangeByScore, "sorted-set",
       "Remove all members in a sorted set within the given scores"},
      {"zremrangebylex", 4, kWrite, 1, 1, 1, CmdZRemRangeByLex, "sorted-set",
       "Remove all members in a sorted set between the given lexicographical range"},
      {"zpopmin", -2, kWrite | kFast, 1, 1, 1, CmdZPopMin, "sorted-set",
       "Remove and return members with the lowest scores in a sorted set"},
      {"zpopmax", -2, kWrite | kFast, 1, 1, 1, CmdZPopMax, "sorted-set",
       "Remove and return members with the highest scores in a sorted set"},
      // numkeys: keys are found by parsing (Redis's movablekeys), locked by the handler.
      {"zmpop",
       -4,
       kWrite | kMovableKeys,
       0,
       0,
       0,
       CmdZMPop,
       "sorted-set",
       "Remove and return members with scores in a sorted set",
       {},
       1},
      {"zrandmember", -2, kR, 1, 1, 1, CmdZRandMember, "sorted-set",
       "Get one or multiple random elements from a sorted set"},
      {"zscan", -3, kR, 1, 1, 1, CmdZScan, "sorted-set",
       "Incrementally iterate sorted sets elements and associated scores"},
  };
  for (CommandSpec& s : ZSetOpCommands()) specs.push_back(std::move(s));
  return specs;
}

}  // namespace strata::server
