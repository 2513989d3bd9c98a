// List commands: pushes, pops, ranges, LSET/LINSERT/LREM/LTRIM, LPOS, LMOVE and LMPOP.
//
// Every change is a list effect applied through DbView::Apply (engine/list_value.h has the body
// encoders); handlers read through ListValue's interface and reply before they change the list,
// since views into it do not survive a change. Indexes are normalized here, as Redis does,
// before they reach an effect body.
#include "server/commands/list_family.h"

#include <climits>

#include "base/string_util.h"
#include "server/commands/command.h"
#include "server/commands/errors.h"
#include "server/notify.h"

namespace strata::server {

using engine::DbView;
using engine::Entry;
using engine::ListValue;
using engine::RedoOp;
using engine::ValueType;

namespace {

// The effect body buffer, reused by every command on this thread (no allocation per push).
std::string& Body() {
  thread_local std::string body;
  return body;
}

// The list at key: null if missing; WrongType if another type.
Result<const ListValue*> GetList(DbView& db, std::string_view key, bool read) {
  return FindCollection<ListValue>(db, key, read);
}

// Pops count elements and sends Redis's events: lpop or rpop, then del if the list is gone.
size_t ApplyPop(CommandContext& ctx, DbView& db, std::string_view key, ListEnd where,
                uint64_t count) {
  engine::ListPopBody(&Body(), where, count);
  Entry* e = db.Apply(RedoOp::kListPop, key, Body());
  ctx.Notify(kNotifyList, where == ListEnd::kHead ? "lpop" : "rpop", key);
  if (e == nullptr) ctx.Notify(kNotifyGeneric, "del", key);
  return e == nullptr ? 0 : e->value()->size();
}

// Pushes and sends lpush or rpush.
size_t ApplyPush(CommandContext& ctx, DbView& db, std::string_view key, ListEnd where,
                 std::span<const std::string_view> elements) {
  engine::ListPushBody(&Body(), where, elements);
  Entry* e = db.Apply(RedoOp::kListPush, key, Body());
  ctx.Notify(kNotifyList, where == ListEnd::kHead ? "lpush" : "rpush", key);
  return e == nullptr ? 0 : e->value()->size();
}

// Redis's getRangeLongFromObjectOrReply: an integer in [lo, hi], else `msg` (or Redis's
// default texts when msg is empty).
bool ArgInRange(CommandContext& ctx, std::string_view arg, int64_t lo, int64_t hi,
                std::string_view msg, int64_t* out) {
  auto v = ParseInt64(arg);
  if (!v || *v < lo || *v > hi) {
    if (!msg.empty()) {
      ctx.reply.Error(msg);
    } else if (!v) {
      ctx.reply.Error(Status::NotInteger());
    } else {
      ctx.reply.Error(err::NotBetween(lo, hi));
    }
    return false;
  }
  *out = *v;
  return true;
}

// LPUSH/RPUSH/LPUSHX/RPUSHX key element [element ...]
void Push(CommandContext& ctx, ListEnd where, bool only_existing) {
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto list = GetList(db, key, false);
  if (!list.ok()) return ctx.reply.Error(list.status());
  if (*list == nullptr && only_existing) return ctx.reply.Int(0);
  ctx.reply.Int(static_cast<int64_t>(ApplyPush(ctx, db, key, where, ctx.args.subspan(2))));
}
void CmdLPush(CommandContext& ctx) { Push(ctx, ListEnd::kHead, false); }
void CmdRPush(CommandContext& ctx) { Push(ctx, ListEnd::kTail, false); }
void CmdLPushX(CommandContext& ctx) { Push(ctx, ListEnd::kHead, true); }
void CmdRPushX(CommandContext& ctx) { Push(ctx, ListEnd::kTail, true); }

// LPOP/RPOP key [count]
void Pop(CommandContext& ctx, ListEnd where) {
  if (ctx.args.size() > 3) return ReplyWrongArity(ctx);
  const bool has_count = ctx.args.size() == 3;
  int64_t count = 1;
  if (has_count && !ArgInRange(ctx, ctx.args[2], 0, LONG_MAX,
                               err::kMustBePositive, &count)) {
    return;
  }
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto list = GetList(db, key, false);
  if (!list.ok()) return ctx.reply.Error(list.status());
  const ListValue* l = *list;
  if (l == nullptr) return has_count ? ctx.reply.NullArray() : ctx.reply.Null();
  if (has_count && count == 0) return ctx.reply.Array(0);
  const size_t n = std::min<uint64_t>(static_cast<uint64_t>(count), l->size());
  if (!has_count) {
    ctx.reply.Bulk(l->At(where == ListEnd::kHead ? 0 : l->size() - 1));
  } else {
    ctx.reply.Array(n);
    size_t left = n;
    l->Walk(where == ListEnd::kTail, [&](size_t, std::string_view v) {
      ctx.reply.Bulk(v);
      return --left > 0;
    });
  }
  ApplyPop(ctx, db, key, where, n);
}
void CmdLPop(CommandContext& ctx) { Pop(ctx, ListEnd::kHead); }
void CmdRPop(CommandContext& ctx) { Pop(ctx, ListEnd::kTail); }

void CmdLLen(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto list = GetList(db, ctx.args[1], true);
  if (!list.ok()) return ctx.reply.Error(list.status());
  ctx.reply.Int(*list == nullptr ? 0 : static_cast<int64_t>((*list)->size()));
}

// Normalizes a Redis range [start, stop] over len elements (LRANGE, LTRIM); false if empty.
bool NormalizeRange(int64_t len, int64_t* start, int64_t* stop) {
  if (*start < 0) *start += len;
  if (*stop < 0) *stop += len;
  if (*start < 0) *start = 0;
  if (*start > *stop || *start >= len) return false;
  if (*stop >= len) *stop = len - 1;
  return true;
}

void CmdLRange(CommandContext& ctx) {
  int64_t start, stop;
  if (!ArgToInt(ctx, ctx.args[2], &start) || !ArgToInt(ctx, ctx.args[3], &stop)) return;
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto list = GetList(db, ctx.args[1], true);
  if (!list.ok()) return ctx.reply.Error(list.status());
  const ListValue* l = *list;
  if (l == nullptr || !NormalizeRange(static_cast<int64_t>(l->size()), &start, &stop)) {
    return ctx.reply.Array(0);
  }
  ctx.reply.Array(static_cast<size_t>(stop - start + 1));
  l->ForRange(static_cast<size_t>(start), static_cast<size_t>(stop),
              [&](std::string_view v) { ctx.reply.Bulk(v); });
}

// A Redis index (negative from the tail) as a position, or -1 if out of range.
int64_t NormalizeIndex(int64_t index, size_t len) {
  if (index < 0) index += static_cast<int64_t>(len);
  return index < 0 || index >= static_cast<int64_t>(len) ? -1 : index;
}

// Redis looks the key up before it parses the index (LSET too).
void CmdLIndex(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto list = GetList(db, ctx.args[1], true);
  if (!list.ok()) return ctx.reply.Error(list.status());
  if (*list == nullptr) return ctx.reply.Null();
  int64_t index;
  if (!ArgToInt(ctx, ctx.args[2], &index)) return;
  const int64_t pos = NormalizeIndex(index, (*list)->size());
  if (pos < 0) return ctx.reply.Null();
  ctx.reply.Bulk((*list)->At(static_cast<size_t>(pos)));
}

void CmdLSet(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto list = GetList(db, key, false);
  if (!list.ok()) return ctx.reply.Error(list.status());
  if (*list == nullptr) return ctx.reply.Error(Status::NoSuchKey());
  int64_t index;
  if (!ArgToInt(ctx, ctx.args[2], &index)) return;
  const int64_t pos = NormalizeIndex(index, (*list)->size());
  if (pos < 0) return ctx.reply.Error(err::kIndexOutOfRange);
  engine::ListSetBody(&Body(), static_cast<uint64_t>(pos), ctx.args[3]);
  db.Apply(RedoOp::kListSet, key, Body());
  ctx.Notify(kNotifyList, "lset", key);
  ctx.reply.Ok();
}

// LINSERT key BEFORE|AFTER pivot element
void CmdLInsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.args[2], "after")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.args[2], "before")) {
    after = false;
  } else {
    return ctx.reply.Error(Status::Syntax());
  }
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto list = GetList(db, key, false);
  if (!list.ok()) return ctx.reply.Error(list.status());
  if (*list == nullptr) return ctx.reply.Int(0);
  int64_t found = -1;
  (*list)->Walk(false, [&](size_t i, std::string_view v) {
    if (v != ctx.args[3]) return true;
    found = static_cast<int64_t>(i);
    return false;
  });
  if (found < 0) return ctx.reply.Int(-1);
  engine::ListInsertBody(&Body(), static_cast<uint64_t>(found + (after ? 1 : 0)), ctx.args[4]);
  Entry* e = db.Apply(RedoOp::kListInsert, key, Body());
  ctx.Notify(kNotifyList, "linsert", key);
  ctx.reply.Int(static_cast<int64_t>(e->value()->size()));
}

// LREM key count element
void CmdLRem(CommandContext& ctx) {
  int64_t count;
  if (!ArgToInt(ctx, ctx.args[2], &count)) return;
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto list = GetList(db, key, false);
  if (!list.ok()) return ctx.reply.Error(list.status());
  if (*list == nullptr) return ctx.reply.Int(0);
  const ListEnd where = count < 0 ? ListEnd::kTail : ListEnd::kHead;
  const uint64_t limit = count < 0 ? 0 - static_cast<uint64_t>(count) : count;
  uint64_t matches = 0;
  (*list)->Walk(where == ListEnd::kTail, [&](size_t, std::string_view v) {
    if (v == ctx.args[3]) ++matches;
    return limit == 0 || matches < limit;
  });
  if (matches > 0) {
    engine::ListRemBody(&Body(), where, limit, ctx.args[3]);
    const bool emptied = db.Apply(RedoOp::kListRem, key, Body()) == nullptr;
    ctx.Notify(kNotifyList, "lrem", key);
    if (emptied) ctx.Notify(kNotifyGeneric, "del", key);
  }
  ctx.reply.Int(static_cast<int64_t>(matches));
}

// LTRIM key start stop
void CmdLTrim(CommandContext& ctx) {
  int64_t start, stop;
  if (!ArgToInt(ctx, ctx.args[2], &start) || !ArgToInt(ctx, ctx.args[3], &stop)) return;
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto list = GetList(db, key, false);
  if (!list.ok()) return ctx.reply.Error(list.status());
  if (*list == nullptr) return ctx.reply.Ok();
  const int64_t len = static_cast<int64_t>((*list)->size());
  // As Redis: ltrim even when nothing was cut, then del if the list went.
  if (!NormalizeRange(len, &start, &stop)) {
    db.Delete(key);
    ctx.Notify(kNotifyList, "ltrim", key);
    ctx.Notify(kNotifyGeneric, "del", key);
  } else {
    if (start > 0 || stop < len - 1) {
      engine::ListTrimBody(&Body(), static_cast<uint64_t>(start), static_cast<uint64_t>(stop));
      db.Apply(RedoOp::kListTrim, key, Body());
    }
    ctx.Notify(kNotifyList, "ltrim", key);
  }
  ctx.reply.Ok();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void CmdLPos(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    const std::string_view opt = ctx.args[i];
    const bool more = i + 1 < ctx.args.size();
    if (more && EqualsIgnoreCase(opt, "rank")) {
      // Redis 7.0 takes any long here; RANK LONG_MIN then behaves as "from the tail, every
      // match" (its negation overflows), which the wrapping arithmetic below reproduces.
      if (!ArgToInt(ctx, ctx.args[++i], &rank)) return;
      if (rank == 0) {
        return ctx.reply.Error(err::kRankZero);
      }
    } else if (more && EqualsIgnoreCase(opt, "count")) {
      if (!ArgInRange(ctx, ctx.args[++i], 0, LONG_MAX, err::kCountNegative, &count)) {
        return;
      }
    } else if (more && EqualsIgnoreCase(opt, "maxlen")) {
      if (!ArgInRange(ctx, ctx.args[++i], 0, LONG_MAX, err::kMaxlenNegative, &maxlen)) {
        return;
      }
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  const bool reverse = rank < 0;
  if (reverse) rank = static_cast<int64_t>(0 - static_cast<uint64_t>(rank));
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto list = GetList(db, ctx.args[1], true);
  if (!list.ok()) return ctx.reply.Error(list.status());
  if (*list == nullptr) return count != -1 ? ctx.reply.Array(0) : ctx.reply.Null();
  std::vector<int64_t> found;
  int64_t matches = 0, seen = 0;
  (*list)->Walk(reverse, [&](size_t index, std::string_view v) {
    if (maxlen != 0 && seen >= maxlen) return false;
    ++seen;
    if (v != ctx.args[2]) return true;
    if (++matches < rank) return true;
    found.push_back(static_cast<int64_t>(index));
    if (count == -1) return false;
    const int64_t taken =
        static_cast<int64_t>(static_cast<uint64_t>(matches) - static_cast<uint64_t>(rank) + 1);
    return count == 0 || taken < count;
  });
  if (count == -1) return found.empty() ? ctx.reply.Null() : ctx.reply.Int(found[0]);
  ctx.reply.Array(found.size());
  for (int64_t i : found) ctx.reply.Int(i);
}

void Move(CommandContext& ctx, ListEnd from, ListEnd to) {
  std::string_view src = ctx.args[1], dst = ctx.args[2];
  const std::string_view keys[] = {src, dst};
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  auto moved = OpListMove(ctx, db, src, dst, from, to);
  if (!moved.ok()) return ctx.reply.Error(moved.status());
  if (!moved->has_value()) return ctx.reply.Null();
  ctx.reply.Bulk(**moved);
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
void CmdLMove(CommandContext& ctx) {
  ListEnd from, to;
  if (!ParseListEnd(ctx, ctx.args[3], &from) || !ParseListEnd(ctx, ctx.args[4], &to)) return;
  Move(ctx, from, to);
}
void CmdRPopLPush(CommandContext& ctx) { Move(ctx, ListEnd::kTail, ListEnd::kHead); }

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
void CmdLMPop(CommandContext& ctx) {
  ListMPopArgs args;
  if (!ParseListMPopArgs(ctx, 1, &args)) return;
  auto lock = ctx.Lock(args.keys);
  DbView db = ctx.db();
  auto popped = OpListMPop(ctx, db, args.keys, args.where, args.count);
  if (!popped.ok()) return ctx.reply.Error(popped.status());
  ReplyListMPop(ctx.reply, *popped);
}

}  // namespace

Result<std::vector<std::string>> OpListPop(CommandContext& ctx, DbView& db, std::string_view key,
                                           ListEnd where, size_t count) {
  auto list = GetList(db, key, false);
  if (!list.ok()) return list.status();
  std::vector<std::string> out;
  const ListValue* l = *list;
  if (l == nullptr || count == 0) return out;
  const size_t n = std::min(count, l->size());
  out.reserve(n);
  l->Walk(where == ListEnd::kTail, [&](size_t, std::string_view v) {
    out.emplace_back(v);
    return out.size() < n;
  });
  ApplyPop(ctx, db, key, where, n);
  return out;
}

Result<std::optional<std::string>> OpListMove(CommandContext& ctx, DbView& db,
                                              std::string_view src, std::string_view dst,
                                              ListEnd from, ListEnd to) {
  auto source = GetList(db, src, false);
  if (!source.ok()) return source.status();
  if (*source == nullptr) return std::optional<std::string>();
  auto target = GetList(db, dst, false);
  if (!target.ok()) return target.status();
  const ListValue* l = *source;
  std::string value(l->At(from == ListEnd::kHead ? 0 : l->size() - 1));
  // A one-element list moved onto itself stays as it is (popping it first would delete the
  // key, and its TTL with it).
  if (src == dst && l->size() == 1) {
    ctx.Notify(kNotifyList, to == ListEnd::kHead ? "lpush" : "rpush", dst);
    ctx.Notify(kNotifyList, from == ListEnd::kHead ? "lpop" : "rpop", src);
    return std::optional<std::string>(std::move(value));
  }
  // Redis's order: the push's event on dst, then the pop's on src (and del if it emptied).
  engine::ListPopBody(&Body(), from, 1);
  const bool emptied = db.Apply(RedoOp::kListPop, src, Body()) == nullptr;
  const std::string_view one[] = {value};
  ApplyPush(ctx, db, dst, to, one);
  ctx.Notify(kNotifyList, from == ListEnd::kHead ? "lpop" : "rpop", src);
  if (emptied) ctx.Notify(kNotifyGeneric, "del", src);
  return std::optional<std::string>(std::move(value));
}

// Parses LEFT|RIGHT (Redis's getListPositionFromObjectOrReply).
bool ParseListEnd(CommandContext& ctx, std::string_view arg, ListEnd* out) {
  if (EqualsIgnoreCase(arg, "left")) {
    *out = ListEnd::kHead;
  } else if (EqualsIgnoreCase(arg, "right")) {
    *out = ListEnd::kTail;
  } else {
    ctx.reply.Error(Status::Syntax());
    return false;
  }
  return true;
}

bool ParseListMPopArgs(CommandContext& ctx, size_t first, ListMPopArgs* out) {
  const auto args = ctx.args;
  int64_t numkeys;
  if (!ArgInRange(ctx, args[first], 1, LONG_MAX, err::kNumkeysPositive,
                  &numkeys)) {
    return false;
  }
  if (numkeys >= static_cast<int64_t>(args.size() - first) - 1) {
    ctx.reply.Error(Status::Syntax());
    return false;
  }
  const size_t where_idx = first + 1 + static_cast<size_t>(numkeys);
  if (!ParseListEnd(ctx, args[where_idx], &out->where)) return false;
  int64_t count = -1;
  for (size_t i = where_idx + 1; i < args.size(); ++i) {
    if (count == -1 && EqualsIgnoreCase(args[i], "count") && i + 1 < args.size()) {
      if (!ArgInRange(ctx, args[++i], 1, LONG_MAX, err::kCountPositive,
                      &count)) {
        return false;
      }
    } else {
      ctx.reply.Error(Status::Syntax());
      return false;
    }
  }
  out->count = count == -1 ? 1 : static_cast<size_t>(count);
  out->keys = args.subspan(first + 1, static_cast<size_t>(numkeys));
  return true;
}

Result<ListMPopResult> OpListMPop(CommandContext& ctx, DbView& db,
                                  std::span<const std::string_view> keys, ListEnd where,
                                  size_t count) {
  for (std::string_view key : keys) {
    auto list = GetList(db, key, false);
    if (!list.ok()) return list.status();
    if (*list == nullptr) continue;
    auto popped = OpListPop(ctx, db, key, where, count);
    if (!popped.ok()) return popped.status();
    return ListMPopResult(std::in_place, std::string(key), std::move(*popped));
  }
  return ListMPopResult();
}

void ReplyListMPop(ReplyBuilder& reply, const ListMPopResult& result) {
  if (!result) return reply.NullArray();
  reply.Array(2);
  reply.Bulk(result->first);
  reply.Array(result->second.size());
  for (const std::string& v : result->second) reply.Bulk(v);
}

std::vector<CommandSpec> ListFamily() {
  constexpr uint32_t kW = kWrite | kDenyOom;
  constexpr uint32_t kR = kReadOnly;
  return {
      {"lpush", -3, kW | kFast, 1, 1, 1, CmdLPush, "list",
       "Prepend one or more elements to a list"},
      {"rpush", -3, kW | kFast, 1, 1, 1, CmdRPush, "list", "Append one or more elements to a list"},
      {"lpushx", -3, kW | kFast, 1, 1, 1, CmdLPushX, "list",
       "Prepend an element to a list, only if the list exists"},
      {"rpushx", -3, kW | kFast, 1, 1, 1, CmdRPushX, "list",
       "Append an element to a list, only if the list exists"},
      {"lpop", -2, kWrite | kFast, 1, 1, 1, CmdLPop, "list",
       "Remove and get the first elements in a list"},
      {"rpop", -2, kWrite | kFast, 1, 1, 1, CmdRPop, "list",
       "Remove and get the last elements in a list"},
      {"llen", 2, kR | kFast, 1, 1, 1, CmdLLen, "list", "Get the length of a list"},
      {"lrange", 4, kR, 1, 1, 1, CmdLRange, "list", "Get a range of elements from a list"},
      {"lindex", 3, kR, 1, 1, 1, CmdLIndex, "list", "Get an element from a list by its index"},
      {"lset", 4, kW, 1, 1, 1, CmdLSet, "list",
       "Set the value of an element in a list by its index"},
      {"linsert", 5, kW, 1, 1, 1, CmdLInsert, "list",
       "Insert an element before or after another element in a list"},
      {"lrem", 4, kWrite, 1, 1, 1, CmdLRem, "list", "Remove elements from a list"},
      {"ltrim", 4, kWrite, 1, 1, 1, CmdLTrim, "list", "Trim a list to the specified range"},
      {"lpos", -3, kR, 1, 1, 1, CmdLPos, "list", "Return the index of matching elements on a list"},
      {"lmove", 5, kW, 1, 2, 1, CmdLMove, "list",
       "Pop an element from a list, push it to another list and return it"},
      {"rpoplpush", 3, kW, 1, 2, 1, CmdRPopLPush, "list",
       "Remove the last element in a list, prepend it to another list and return it"},
      // Keys are numkeys-based (Redis: movablekeys, first/last/step 0); the handler locks them.
      {"lmpop", -4, kWrite | kMovableKeys, 0, 0, 0, CmdLMPop, "list", "Pop elements from a list",
       {}, 1},
  };
}

}  // namespace strata::server
