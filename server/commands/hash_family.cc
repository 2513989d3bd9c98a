// Hash commands: HSET and friends, reads, counters, HRANDFIELD and HSCAN.
//
// Every change is a hash effect applied through DbView::Apply (engine/hash_value.h has the body
// encoders); HINCRBY and HINCRBYFLOAT log the value they produced as a hash_set, so replay does
// not redo the arithmetic. Handlers reply before they change the hash, since views into it do
// not survive a change.
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <random>
#include <unordered_set>

#include "base/string_util.h"
#include "engine/hash_value.h"
#include "server/commands/command.h"
#include "server/commands/shapes.h"
#include "server/commands/errors.h"
#include "server/notify.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::Entry;
using engine::HashValue;
using engine::RedoOp;
using engine::ValueType;

std::string& Body() {
  thread_local std::string body;
  return body;
}

// The hash at key: null if missing; WrongType if another type.
Result<const HashValue*> GetHash(DbView& db, std::string_view key, bool read) {
  return FindCollection<HashValue>(db, key, read);
}

// Returns the entry after (never null: a set leaves at least one field).
Entry* ApplySet(DbView& db, std::string_view key, std::span<const std::string_view> pairs) {
  engine::HashSetBody(&Body(), pairs);
  return db.Apply(RedoOp::kHashSet, key, Body());
}

// HSET key field value [field value ...] (and HMSET, which replies +OK)
void SetFields(CommandContext& ctx, bool ok_reply) {
  if (ctx.args.size() % 2 == 1) return ReplyWrongArity(ctx);
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto hash = GetHash(db, key, false);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  const size_t before = *hash == nullptr ? 0 : (*hash)->size();
  // The fields new to the hash: its growth (a field repeated within the command counts once).
  const size_t added = ApplySet(db, key, ctx.args.subspan(2))->value()->size() - before;
  ctx.Notify(kNotifyHash, "hset", key);
  if (ok_reply) return ctx.reply.Ok();
  ctx.reply.Int(static_cast<int64_t>(added));
}
void CmdHSet(CommandContext& ctx) { SetFields(ctx, false); }
void CmdHMSet(CommandContext& ctx) { SetFields(ctx, true); }

void CmdHSetNx(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto hash = GetHash(db, key, false);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  if (*hash != nullptr && (*hash)->Get(ctx.args[2])) return ctx.reply.Int(0);
  ApplySet(db, key, ctx.args.subspan(2, 2));
  ctx.Notify(kNotifyHash, "hset", key);
  ctx.reply.Int(1);
}

void CmdHGet(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto hash = GetHash(db, ctx.args[1], true);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  if (*hash == nullptr) return ctx.reply.Null();
  auto v = (*hash)->Get(ctx.args[2]);
  v ? ctx.reply.Bulk(*v) : ctx.reply.Null();
}

void CmdHMGet(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto hash = GetHash(db, ctx.args[1], true);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    auto v = *hash == nullptr ? std::nullopt : (*hash)->Get(ctx.args[i]);
    v ? ctx.reply.Bulk(*v) : ctx.reply.Null();
  }
}

void CmdHDel(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto hash = GetHash(db, key, false);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  if (*hash == nullptr) return ctx.reply.Int(0);
  const size_t before = (*hash)->size();
  engine::HashDelBody(&Body(), ctx.args.subspan(2));
  Entry* e = db.Apply(RedoOp::kHashDel, key, Body());
  const size_t after = e == nullptr ? 0 : e->value()->size();
  if (after < before) ctx.Notify(kNotifyHash, "hdel", key);
  if (e == nullptr) ctx.Notify(kNotifyGeneric, "del", key);
  ctx.reply.Int(static_cast<int64_t>(before - after));
}

void CmdHLen(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto hash = GetHash(db, ctx.args[1], true);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  ctx.reply.Int(*hash == nullptr ? 0 : static_cast<int64_t>((*hash)->size()));
}

void CmdHStrLen(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto hash = GetHash(db, ctx.args[1], true);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  auto v = *hash == nullptr ? std::nullopt : (*hash)->Get(ctx.args[2]);
  ctx.reply.Int(v ? static_cast<int64_t>(v->size()) : 0);
}

void CmdHExists(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto hash = GetHash(db, ctx.args[1], true);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  ctx.reply.Int(*hash != nullptr && (*hash)->Get(ctx.args[2]) ? 1 : 0);
}

// HKEYS, HVALS, HGETALL
void GetAll(CommandContext& ctx, bool keys, bool values) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto hash = GetHash(db, ctx.args[1], true);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  const HashValue* h = *hash;
  const size_t n = h == nullptr ? 0 : h->size();
  if (keys && values) {
    ctx.reply.Map(n);
  } else {
    ctx.reply.Array(n);
  }
  if (h == nullptr) return;
  h->ForEach([&](std::string_view f, std::string_view v) {
    if (keys) ctx.reply.Bulk(f);
    if (values) ctx.reply.Bulk(v);
  });
}
void CmdHKeys(CommandContext& ctx) { GetAll(ctx, true, false); }
void CmdHVals(CommandContext& ctx) { GetAll(ctx, false, true); }
void CmdHGetAll(CommandContext& ctx) { GetAll(ctx, true, true); }

void CmdHIncrBy(CommandContext& ctx) {
  int64_t incr;
  if (!ArgToInt(ctx, ctx.args[3], &incr)) return;
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto hash = GetHash(db, key, false);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  int64_t value = 0;
  if (*hash != nullptr) {
    if (auto cur = (*hash)->Get(ctx.args[2])) {
      auto v = ParseInt64(*cur);
      if (!v) return ctx.reply.Error(err::kHashValueNotInteger);
      value = *v;
    }
  }
  if ((incr < 0 && value < 0 && incr < INT64_MIN - value) ||
      (incr > 0 && value > 0 && incr > INT64_MAX - value)) {
    return ctx.reply.Error(Status::Overflow());
  }
  value += incr;
  std::string text;
  AppendInt64(&text, value);
  const std::string_view pair[] = {ctx.args[2], text};
  ApplySet(db, key, pair);
  ctx.Notify(kNotifyHash, "hincrby", key);
  ctx.reply.Int(value);
}

void CmdHIncrByFloat(CommandContext& ctx) {
  auto incr = ParseLongDouble(ctx.args[3], /*allow_inf=*/true);
  if (!incr) return ctx.reply.Error(Status::NotFloat());
  if (std::isnan(*incr) || std::isinf(*incr)) {
    return ctx.reply.Error(err::kNanOrInfinity);
  }
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto hash = GetHash(db, key, false);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  long double value = 0;
  if (*hash != nullptr) {
    if (auto cur = (*hash)->Get(ctx.args[2])) {
      auto v = ParseLongDouble(*cur, /*allow_inf=*/true);
      if (!v) return ctx.reply.Error(err::kHashValueNotFloat);
      value = *v;
    }
  }
  value += *incr;
  auto text = std::isfinite(value) ? FormatLongDouble(value) : std::nullopt;
  if (!text) return ctx.reply.Error(err::kIncrNanOrInfinity);
  const std::string_view pair[] = {ctx.args[2], *text};
  ApplySet(db, key, pair);
  ctx.Notify(kNotifyHash, "hincrbyfloat", key);
  ctx.reply.Bulk(*text);
}

// HRANDFIELD key [count [WITHVALUES]]
void CmdHRandField(CommandContext& ctx) {
  RandomCount args;
  if (!ParseRandomCount(ctx, "withvalues", &args)) return;
  const bool with_count = args.with_count, withvalues = args.with_pairs;
  const int64_t l = args.count;
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto hash = GetHash(db, ctx.args[1], true);
  if (!hash.ok()) return ctx.reply.Error(hash.status());
  const HashValue* h = *hash;
  if (!with_count) {
    if (h == nullptr) return ctx.reply.Null();
    return ctx.reply.Bulk(h->Random(Random()).first);
  }
  if (h == nullptr) return ctx.reply.Array(0);
  const bool uniq = l >= 0;
  const uint64_t count = uniq ? static_cast<uint64_t>(l) : 0 - static_cast<uint64_t>(l);
  if (count == 0) return ctx.reply.Array(0);
  const bool resp3 = ctx.reply.resp3();
  auto emit = [&](std::string_view f, std::string_view v) {
    if (withvalues && resp3) ctx.reply.Array(2);
    ctx.reply.Bulk(f);
    if (withvalues) ctx.reply.Bulk(v);
  };
  const size_t header = withvalues && !resp3 ? 2 : 1;
  const size_t size = h->size();
  if (!uniq || count == 1) {
    // Repeats: bounded by proto-max-bulk-len (PicksBudget, shapes.h); a pick is at least one
    // empty bulk ("$0\r\n\r\n"), two with the values.
    PicksBudget budget;
    if (!budget.Admit(ctx, count, withvalues ? 12 : 6)) return;
    ctx.reply.Array(static_cast<size_t>(count) * header);
    for (uint64_t i = 0; i < count; ++i) {
      auto [f, v] = h->Random(Random());
      emit(f, v);
      if (!budget.Fits(ctx)) return;
    }
    return;
  }
  if (count >= size) {
    ctx.reply.Array(size * header);
    h->ForEach(emit);
    return;
  }
  // A subset of distinct fields: all of them with random ones dropped when count is close to
  // the size (Redis's case 3), else random picks until count distinct (case 4).
  std::vector<std::pair<std::string_view, std::string_view>> picked;
  if (count * 3 > size) {
    h->ForEach([&](std::string_view f, std::string_view v) { picked.emplace_back(f, v); });
    while (picked.size() > count) {
      const size_t i = Random() % picked.size();
      picked[i] = picked.back();
      picked.pop_back();
    }
  } else {
    std::unordered_set<std::string_view> seen;
    while (picked.size() < count) {
      auto fv = h->Random(Random());
      if (seen.insert(fv.first).second) picked.push_back(fv);
    }
  }
  ctx.reply.Array(picked.size() * header);
  for (auto& [f, v] : picked) emit(f, v);
}

void CmdHScan(CommandContext& ctx) {
  ScanCollection<HashValue>(ctx, [&](const HashValue& h, uint64_t cursor, int64_t count,
                                     std::optional<std::string_view> pattern) {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    auto collect = [&](std::string_view f, std::string_view v) {
      if (!pattern || GlobMatch(*pattern, f)) out.emplace_back(f, v);
    };
    uint64_t next = 0;
    if (h.listpack()) {
      h.ForEach(collect);
    } else {
      // Like Redis: stop after about `count` elements (fields and values both count) or
      // 10 * count buckets.
      int64_t budget = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
      size_t visited = 0;
      next = cursor;
      do {
        next = h.Scan(next, [&](std::string_view f, std::string_view v) {
          ++visited;
          collect(f, v);
        });
      } while (next != 0 && --budget > 0 && static_cast<int64_t>(2 * visited) < count);
    }
    ReplyScanPage(ctx.reply, next, 2 * out.size());
    for (auto& [f, v] : out) {
      ctx.reply.Bulk(f);
      ctx.reply.Bulk(v);
    }
  });
}

}  // namespace

std::vector<CommandSpec> HashFamily() {
  constexpr uint32_t kW = kWrite | kDenyOom;
  constexpr uint32_t kR = kReadOnly;
  return {
      {"hset", -4, kW | kFast, 1, 1, 1, CmdHSet, "hash", "Set the string value of a hash field"},
      {"hsetnx", 4, kW | kFast, 1, 1, 1, CmdHSetNx, "hash",
       "Set the value of a hash field, only if the field does not exist"},
      {"hmset", -4, kW | kFast, 1, 1, 1, CmdHMSet, "hash",
       "Set multiple hash fields to multiple values"},
      {"hget", 3, kR | kFast, 1, 1, 1, CmdHGet, "hash", "Get the value of a hash field"},
      {"hmget", -3, kR | kFast, 1, 1, 1, CmdHMGet, "hash",
       "Get the values of all the given hash fields"},
      {"hdel", -3, kWrite | kFast, 1, 1, 1, CmdHDel, "hash", "Delete one or more hash fields"},
      {"hlen", 2, kR | kFast, 1, 1, 1, CmdHLen, "hash", "Get the number of fields in a hash"},
      {"hstrlen", 3, kR | kFast, 1, 1, 1, CmdHStrLen, "hash",
       "Get the length of the value of a hash field"},
      {"hexists", 3, kR | kFast, 1, 1, 1, CmdHExists, "hash", "Determine if a hash field exists"},
      {"hkeys", 2, kR, 1, 1, 1, CmdHKeys, "hash", "Get all the fields in a hash"},
      {"hvals", 2, kR, 1, 1, 1, CmdHVals, "hash", "Get all the values in a hash"},
      {"hgetall", 2, kR, 1, 1, 1, CmdHGetAll, "hash", "Get all the fields and values in a hash"},
      {"hincrby", 4, kW | kFast, 1, 1, 1, CmdHIncrBy, "hash",
       "Increment the integer value of a hash field by the given number"},
      {"hincrbyfloat", 4, kW | kFast, 1, 1, 1, CmdHIncrByFloat, "hash",
       "Increment the float value of a hash field by the given amount"},
      {"hrandfield", -2, kR, 1, 1, 1, CmdHRandField, "hash",
       "Get one or multiple random fields from a hash"},
      {"hscan", -3, kR, 1, 1, 1, CmdHScan, "hash",
       "Incrementally iterate hash fields and associated values"},
  };
}

}  // namespace strata::server
