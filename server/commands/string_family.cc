// String commands: GET, SET and friends, counters, ranges.
//
// Every handler locks the shards of its keys for the whole command, so each command is atomic
// with respect to every other. A string mutation that changes the value's length builds a new
// entry (Entry is immutable in size); TTLs survive APPEND, SETRANGE and the INCR family, as in
// Redis.
#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <vector>

#include "base/string_util.h"
#include "server/commands/command.h"
#include "server/server.h"
#include "server/commands/errors.h"
#include "server/commands/shapes.h"
#include "server/notify.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::Entry;
using engine::ValueType;

// The string value at key: nullopt if missing; WrongType if another type.
Result<std::optional<std::string_view>> GetString(DbView& db, std::string_view key, bool read) {
  Entry* e = read ? db.FindRead(key) : db.Find(key);
  if (e == nullptr) return std::optional<std::string_view>();
  if (e->type() != ValueType::kString) return Status::WrongType();
  return std::optional<std::string_view>(e->str());
}

// Expiry options shared by SET and GETEX.
struct ExpireArg {
  enum Unit { kNone, kEx, kPx, kExAt, kPxAt } unit = kNone;
  std::string_view text;  // the number as sent, parsed after the option syntax is checked
};

// Converts an EX/PX/EXAT/PXAT argument to absolute ms, Redis's rules and error text.
bool ResolveExpire(CommandContext& ctx, const ExpireArg& arg, const char* cmd, int64_t* out) {
  int64_t v;
  if (!ArgToInt(ctx, arg.text, &v)) return false;
  bool seconds = arg.unit == ExpireArg::kEx || arg.unit == ExpireArg::kExAt;
  bool relative = arg.unit == ExpireArg::kEx || arg.unit == ExpireArg::kPx;
  bool bad = v <= 0 || (seconds && v > LLONG_MAX / 1000);
  if (!bad) {
    if (seconds) v *= 1000;
    if (relative) {
      if (v > LLONG_MAX - ctx.now_ms) {
        bad = true;
      } else {
        v += ctx.now_ms;
      }
    }
  }
  if (bad || v <= 0) {
    ctx.reply.Error(err::InvalidExpireTime(cmd));
    return false;
  }
  *out = v;
  return true;
}

// Recognizes one EX/PX/EXAT/PXAT at args[*i], advancing past its value. Returns whether it was
// such an option; its number is checked later by ResolveExpire, as Redis checks syntax first.
bool ParseExpireOption(CommandContext& ctx, size_t* i, ExpireArg* arg) {
  std::string_view opt = ctx.args[*i];
  ExpireArg::Unit unit = ExpireArg::kNone;
  if (EqualsIgnoreCase(opt, "EX"))
    unit = ExpireArg::kEx;
  else if (EqualsIgnoreCase(opt, "PX"))
    unit = ExpireArg::kPx;
  else if (EqualsIgnoreCase(opt, "EXAT"))
    unit = ExpireArg::kExAt;
  else if (EqualsIgnoreCase(opt, "PXAT"))
    unit = ExpireArg::kPxAt;
  if (unit == ExpireArg::kNone || *i + 1 >= ctx.args.size()) return false;
  // A second, different time unit is a syntax error; the same one again replaces the value.
  if (arg->unit != ExpireArg::kNone && arg->unit != unit) return false;
  arg->unit = unit;
  arg->text = ctx.args[++*i];
  return true;
}

void ReplyResult(CommandContext& ctx, const Result<std::optional<std::string_view>>& r) {
  if (!r.ok()) return ctx.reply.Error(r.status());
  if (!r->has_value()) return ctx.reply.Null();
  ctx.reply.Bulk(**r);
}

void CmdGet(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  ReplyResult(ctx, GetString(db, ctx.args[1], true));
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]
void CmdSet(CommandContext& ctx) {
  bool nx = false, xx = false, get = false, keepttl = false;
  ExpireArg exp;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    std::string_view a = ctx.args[i];
    if (EqualsIgnoreCase(a, "NX") && !xx) {
      nx = true;
    } else if (EqualsIgnoreCase(a, "XX") && !nx) {
      xx = true;
    } else if (EqualsIgnoreCase(a, "GET")) {
      get = true;
    } else if (EqualsIgnoreCase(a, "KEEPTTL") && exp.unit == ExpireArg::kNone) {
      keepttl = true;
    } else if (keepttl || !ParseExpireOption(ctx, &i, &exp)) {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  int64_t expire_ms = 0;
  if (exp.unit != ExpireArg::kNone && !ResolveExpire(ctx, exp, "set", &expire_ms)) return;

  std::string_view key = ctx.args[1], value = ctx.args[2];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  Entry* old = db.Find(key);
  if (get && old != nullptr && old->type() != ValueType::kString) {
    return ctx.reply.Error(Status::WrongType());
  }
  std::optional<std::string> old_value;
  if (get && old != nullptr) old_value.emplace(old->str());
  if ((nx && old != nullptr) || (xx && old == nullptr)) {
    return get ? (old_value ? ctx.reply.Bulk(*old_value) : ctx.reply.Null()) : ctx.reply.Null();
  }
  if (keepttl && old != nullptr) expire_ms = old->expire_ms();
  db.SetString(key, value, expire_ms);
  ctx.Notify(kNotifyString, "set", key);
  if (exp.unit != ExpireArg::kNone) ctx.Notify(kNotifyGeneric, "expire", key);
  if (get) return old_value ? ctx.reply.Bulk(*old_value) : ctx.reply.Null();
  ctx.reply.Ok();
}

void CmdSetNx(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  if (db.Find(ctx.args[1]) != nullptr) return ctx.reply.Int(0);
  db.SetString(ctx.args[1], ctx.args[2], 0);
  ctx.Notify(kNotifyString, "set", ctx.args[1]);
  ctx.reply.Int(1);
}

// SETEX key seconds value / PSETEX key ms value
void SetWithTtl(CommandContext& ctx, ExpireArg::Unit unit, const char* name) {
  ExpireArg exp{unit, ctx.args[2]};
  int64_t expire_ms;
  if (!ResolveExpire(ctx, exp, name, &expire_ms)) return;
  auto lock = ctx.Lock(ctx.args[1]);
  ctx.db().SetString(ctx.args[1], ctx.args[3], expire_ms);
  ctx.Notify(kNotifyString, "set", ctx.args[1]);
  ctx.Notify(kNotifyGeneric, "expire", ctx.args[1]);
  ctx.reply.Ok();
}
void CmdSetEx(CommandContext& ctx) { SetWithTtl(ctx, ExpireArg::kEx, "setex"); }
void CmdPSetEx(CommandContext& ctx) { SetWithTtl(ctx, ExpireArg::kPx, "psetex"); }

void CmdGetSet(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto r = GetString(db, ctx.args[1], true);
  if (!r.ok()) return ctx.reply.Error(r.status());
  std::optional<std::string> old;
  if (r->has_value()) old.emplace(**r);
  db.SetString(ctx.args[1], ctx.args[2], 0);
  ctx.Notify(kNotifyString, "set", ctx.args[1]);
  old ? ctx.reply.Bulk(*old) : ctx.reply.Null();
}

void CmdGetDel(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto r = GetString(db, ctx.args[1], true);
  if (!r.ok() || !r->has_value()) return ReplyResult(ctx, r);
  ctx.reply.Bulk(**r);
  db.Delete(ctx.args[1]);
  ctx.Notify(kNotifyGeneric, "del", ctx.args[1]);
}

// GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]
void CmdGetEx(CommandContext& ctx) {
  ExpireArg exp;
  bool persist = false;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (EqualsIgnoreCase(ctx.args[i], "PERSIST") && exp.unit == ExpireArg::kNone) {
      persist = true;
    } else if (persist || !ParseExpireOption(ctx, &i, &exp)) {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto r = GetString(db, ctx.args[1], true);
  if (!r.ok() || !r->has_value()) return ReplyResult(ctx, r);
  // As Redis, the time is checked only once the key is known to hold a string.
  int64_t expire_ms = 0;
  if (exp.unit != ExpireArg::kNone && !ResolveExpire(ctx, exp, "getex", &expire_ms)) return;
  ctx.reply.Bulk(**r);
  if (exp.unit != ExpireArg::kNone) {
    if (expire_ms <= ctx.now_ms) {
      db.Delete(ctx.args[1]);
      ctx.Notify(kNotifyGeneric, "del", ctx.args[1]);
    } else {
      db.SetExpire(ctx.args[1], expire_ms);
      ctx.Notify(kNotifyGeneric, "expire", ctx.args[1]);
    }
  } else if (persist && db.Find(ctx.args[1])->expire_ms() != 0) {
    db.SetExpire(ctx.args[1], 0);
    ctx.Notify(kNotifyGeneric, "persist", ctx.args[1]);
  }
}

void CmdMGet(CommandContext& ctx) {
  auto keys = ctx.args.subspan(1);
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  ctx.reply.Array(keys.size());
  for (std::string_view k : keys) {
    Entry* e = db.FindRead(k);
    if (e == nullptr || e->type() != ValueType::kString) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(e->str());
    }
  }
}

std::vector<std::string_view> EveryOther(std::span<const std::string_view> args) {
  std::vector<std::string_view> keys;
  for (size_t i = 1; i < args.size(); i += 2) keys.push_back(args[i]);
  return keys;
}

void CmdMSet(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) return ReplyWrongArity(ctx);
  auto keys = EveryOther(ctx.args);
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    db.SetString(ctx.args[i], ctx.args[i + 1], 0);
    ctx.Notify(kNotifyString, "set", ctx.args[i]);
  }
  ctx.reply.Ok();
}

void CmdMSetNx(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) return ReplyWrongArity(ctx);
  auto keys = EveryOther(ctx.args);
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  for (std::string_view k : keys) {
    if (db.Find(k) != nullptr) return ctx.reply.Int(0);
  }
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    db.SetString(ctx.args[i], ctx.args[i + 1], 0);
    ctx.Notify(kNotifyString, "set", ctx.args[i]);
  }
  ctx.reply.Int(1);
}

void CmdAppend(CommandContext& ctx) {
  std::string_view key = ctx.args[1], add = ctx.args[2];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  Entry* e = db.Find(key);
  if (e != nullptr && e->type() != ValueType::kString) {
    return ctx.reply.Error(Status::WrongType());
  }
  if (e != nullptr && static_cast<int64_t>(e->str().size() + add.size()) > MaxStringLength(ctx)) {
    return ctx.reply.Error(Status::TooLarge());
  }
  ctx.reply.Int(static_cast<int64_t>(db.Append(key, add)));
  ctx.Notify(kNotifyString, "append", key);
}

void CmdStrLen(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto r = GetString(db, ctx.args[1], true);
  if (!r.ok()) return ctx.reply.Error(r.status());
  ctx.reply.Int(r->has_value() ? static_cast<int64_t>((*r)->size()) : 0);
}

void CmdGetRange(CommandContext& ctx) {
  int64_t start, end;
  if (!ArgToInt(ctx, ctx.args[2], &start) || !ArgToInt(ctx, ctx.args[3], &end)) return;
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto r = GetString(db, ctx.args[1], true);
  if (!r.ok()) return ctx.reply.Error(r.status());
  std::string_view s = r->value_or(std::string_view());
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) return ctx.reply.Bulk("");
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return ctx.reply.Bulk("");
  ctx.reply.Bulk(s.substr(start, end - start + 1));
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence
// by the classic dynamic program, walked back from the end as Redis walks it (on a tie it moves
// along key2), so that the string and the matched ranges are Redis's.
void CmdLcs(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args.subspan(1, 2));
  DbView db = ctx.db();
  const Entry* ea = db.FindRead(ctx.args[1]);
  const Entry* eb = db.FindRead(ctx.args[2]);
  if ((ea != nullptr && ea->type() != ValueType::kString) ||
      (eb != nullptr && eb->type() != ValueType::kString)) {
    return ctx.reply.Error("ERR The specified keys must contain string values");
  }
  const std::string_view a = ea ? ea->str() : std::string_view(), b = eb ? eb->str() : std::string_view();
  bool len_only = false, idx = false, with_len = false;
  int64_t min_len = 0;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    std::string_view opt = ctx.args[j];
    if (EqualsIgnoreCase(opt, "idx")) {
      idx = true;
    } else if (EqualsIgnoreCase(opt, "len")) {
      len_only = true;
    } else if (EqualsIgnoreCase(opt, "withmatchlen")) {
      with_len = true;
    } else if (EqualsIgnoreCase(opt, "minmatchlen") && j + 1 < ctx.args.size()) {
      if (!ArgToInt(ctx, ctx.args[++j], &min_len)) return;
      min_len = std::max<int64_t>(min_len, 0);
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  if (idx && len_only) {
    return ctx.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
  }
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    return ctx.reply.Error("ERR String too long for LCS");
  }
  const uint64_t cells = (a.size() + 1) * (b.size() + 1);
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(MaxStringLength(ctx))) {
    return ctx.reply.Error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  // table[i][j]: the length of the LCS of a[0..i) and b[0..j).
  const size_t w = b.size() + 1;
  std::vector<uint32_t> table(cells, 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return table[i * w + j]; };
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  const uint32_t total = at(a.size(), b.size());
  if (len_only) return ctx.reply.Int(total);
  std::string common(total, '\0');
  size_t mark = 0, ranges = 0;
  if (idx) {
    ctx.reply.Map(2);
    ctx.reply.Bulk("matches");
    mark = ctx.reply.DeferArray();
  }
  // The current run of matches, as [start, end] in each string; none while a_start == npos.
  constexpr size_t kNone = SIZE_MAX;
  size_t a_start = kNone, a_end = 0, b_start = 0, b_end = 0;
  size_t i = a.size(), j = b.size(), k = total;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      common[--k] = a[i - 1];
      if (a_start == kNone) {
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
      } else {  // the run goes on backwards
        --a_start;
        --b_start;
      }
      emit = a_start == 0 || b_start == 0;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      emit = a_start != kNone;
    }
    if (!emit) continue;
    const uint64_t run = a_end - a_start + 1;
    if (idx && (min_len == 0 || run >= static_cast<uint64_t>(min_len))) {
      ctx.reply.Array(with_len ? 3 : 2);
      ctx.reply.Array(2);
      ctx.reply.Int(static_cast<int64_t>(a_start));
      ctx.reply.Int(static_cast<int64_t>(a_end));
      ctx.reply.Array(2);
      ctx.reply.Int(static_cast<int64_t>(b_start));
      ctx.reply.Int(static_cast<int64_t>(b_end));
      if (with_len) ctx.reply.Int(static_cast<int64_t>(run));
      ++ranges;
    }
    a_start = kNone;
  }
  if (!idx) return ctx.reply.Bulk(common);
  ctx.reply.SetArrayLength(mark, ranges);
  ctx.reply.Bulk("len");
  ctx.reply.Int(total);
}

void CmdSetRange(CommandContext& ctx) {
  int64_t offset;
  if (!ArgToInt(ctx, ctx.args[2], &offset)) return;
  if (offset < 0) return ctx.reply.Error(err::kOffsetOutOfRange);
  std::string_view key = ctx.args[1], patch = ctx.args[3];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  Entry* e = db.Find(key);
  if (e != nullptr && e->type() != ValueType::kString) return ctx.reply.Error(Status::WrongType());
  int64_t cur = e ? static_cast<int64_t>(e->str().size()) : 0;
  if (patch.empty()) return ctx.reply.Int(cur);
  // offset + patch.size() > proto-max-bulk-len, without overflowing for an offset near 2^63.
  if (offset > MaxStringLength(ctx) - static_cast<int64_t>(patch.size())) {
    return ctx.reply.Error(Status::TooLarge());
  }
  const size_t len = db.SetRange(key, static_cast<uint64_t>(offset), patch);
  ctx.Notify(kNotifyString, "setrange", key);
  ctx.reply.Int(static_cast<int64_t>(len));
}

// INCR/DECR/INCRBY/DECRBY: adds delta to the integer at key, keeping its TTL.
void IncrBy(CommandContext& ctx, int64_t delta) {
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  Entry* e = db.Find(key);
  int64_t cur = 0;
  if (e != nullptr) {
    if (e->type() != ValueType::kString) return ctx.reply.Error(Status::WrongType());
    auto v = ParseInt64(e->str());
    if (!v) return ctx.reply.Error(Status::NotInteger());
    cur = *v;
  }
  int64_t result;
  if (__builtin_add_overflow(cur, delta, &result)) {
    return ctx.reply.Error(Status::Overflow());
  }
  std::string text;
  AppendInt64(&text, result);
  db.SetString(key, text, e ? e->expire_ms() : 0);
  ctx.Notify(kNotifyString, "incrby", key);
  ctx.reply.Int(result);
}

void CmdIncr(CommandContext& ctx) { IncrBy(ctx, 1); }
void CmdDecr(CommandContext& ctx) { IncrBy(ctx, -1); }
void CmdIncrBy(CommandContext& ctx) {
  int64_t d;
  if (ArgToInt(ctx, ctx.args[2], &d)) IncrBy(ctx, d);
}
void CmdDecrBy(CommandContext& ctx) {
  int64_t d;
  if (!ArgToInt(ctx, ctx.args[2], &d)) return;
  if (d == INT64_MIN) return ctx.reply.Error(err::kDecrOverflow);
  IncrBy(ctx, -d);
}

void CmdIncrByFloat(CommandContext& ctx) {
  // Redis's order: the key's type, then its value, then the increment.
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  Entry* e = db.Find(key);
  long double cur = 0;
  if (e != nullptr) {
    if (e->type() != ValueType::kString) return ctx.reply.Error(Status::WrongType());
    auto v = ParseLongDouble(e->str(), /*allow_inf=*/true);
    if (!v) return ctx.reply.Error(Status::NotFloat());
    cur = *v;
  }
  auto incr = ParseLongDouble(ctx.args[2], /*allow_inf=*/true);
  if (!incr) return ctx.reply.Error(Status::NotFloat());
  long double result = cur + *incr;
  auto text = std::isfinite(result) ? FormatLongDouble(result) : std::nullopt;
  if (!text) return ctx.reply.Error(err::kIncrNanOrInfinity);
  db.SetString(key, *text, e ? e->expire_ms() : 0);
  ctx.Notify(kNotifyString, "incrbyfloat", key);
  ctx.reply.Bulk(*text);
}

}  // namespace

std::vector<CommandSpec> StringFamily() {
  constexpr uint32_t kW = kWrite | kDenyOom;
  return {
      {"get", 2, kReadOnly | kFast, 1, 1, 1, CmdGet, "string", "Get the value of a key"},
      {"set", -3, kW, 1, 1, 1, CmdSet, "string", "Set the string value of a key"},
      {"setnx", 3, kW | kFast, 1, 1, 1, CmdSetNx, "string",
       "Set the value of a key, only if the key does not exist"},
      {"setex", 4, kW, 1, 1, 1, CmdSetEx, "string", "Set the value and expiration of a key"},
      {"psetex", 4, kW, 1, 1, 1, CmdPSetEx, "string",
       "Set the value and expiration in milliseconds of a key"},
      {"getset", 3, kW | kFast, 1, 1, 1, CmdGetSet, "string",
       "Set the string value of a key and return its old value"},
      {"getdel", 2, kWrite | kFast, 1, 1, 1, CmdGetDel, "string",
       "Get the value of a key and delete the key"},
      {"getex", -2, kWrite | kFast, 1, 1, 1, CmdGetEx, "string",
       "Get the value of a key and optionally set its expiration"},
      {"mget", -2, kReadOnly | kFast, 1, -1, 1, CmdMGet, "string",
       "Get the values of all the given keys"},
      {"mset", -3, kW, 1, -1, 2, CmdMSet, "string", "Set multiple keys to multiple values"},
      {"msetnx", -3, kW, 1, -1, 2, CmdMSetNx, "string",
       "Set multiple keys to multiple values, only if none of the keys exist"},
      {"append", 3, kW | kFast, 1, 1, 1, CmdAppend, "string", "Append a value to a key"},
      {"strlen", 2, kReadOnly | kFast, 1, 1, 1, CmdStrLen, "string",
       "Get the length of the value stored in a key"},
      {"getrange", 4, kReadOnly, 1, 1, 1, CmdGetRange, "string",
       "Get a substring of the string stored at a key"},
      {"substr", 4, kReadOnly, 1, 1, 1, CmdGetRange, "string",
       "Get a substring of the string stored at a key"},
      {"lcs", -3, kReadOnly, 1, 2, 1, CmdLcs, "string", "Find longest common substring"},
      {"setrange", 4, kW, 1, 1, 1, CmdSetRange, "string",
       "Overwrite part of a string at key starting at the specified offset"},
      {"incr", 2, kW | kFast, 1, 1, 1, CmdIncr, "string",
       "Increment the integer value of a key by one"},
      {"decr", 2, kW | kFast, 1, 1, 1, CmdDecr, "string",
       "Decrement the integer value of a key by one"},
      {"incrby", 3, kW | kFast, 1, 1, 1, CmdIncrBy, "string",
       "Increment the integer value of a key by the given amount"},
      {"decrby", 3, kW | kFast, 1, 1, 1, CmdDecrBy, "string",
       "Decrement the integer value of a key by the given number"},
      {"incrbyfloat", 3, kW | kFast, 1, 1, 1, CmdIncrByFloat, "string",
       "Increment the float value of a key by the given amount"},
  };
}

}  // namespace strata::server
