// Set commands: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SPOP, SRANDMEMBER, SMOVE,
// SINTER, SINTERCARD, SUNION, SDIFF and their STORE forms, SSCAN.
//
// Every change goes through DbView::Apply with a set_add / set_rem body (engine/set_value.h),
// so what is logged is what was done: SPOP logs the members it chose. The STORE forms build a
// whole new value and install it with DbView::Put (a put in the log), or delete the target when
// the result is empty. Handlers lock every key they touch for the whole command.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <optional>
#include <random>
#include <unordered_set>

#include "base/string_util.h"
#include "engine/set_value.h"
#include "server/commands/command.h"
#include "server/commands/shapes.h"
#include "server/commands/errors.h"
#include "server/notify.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::Entry;
using engine::RedoOp;
using engine::SetValue;
using engine::ValueType;

// The set at key, null if missing; WrongType if the key holds another type.
Result<const SetValue*> GetSet(DbView& db, std::string_view key, bool read) {
  return FindCollection<SetValue>(db, key, read);
}

size_t SizeOf(const Entry* e) { return e == nullptr ? 0 : e->value()->size(); }

// Parses a count as Redis's getPositiveLongFromObjectOrReply (same text for non-integers).
bool ArgToPositive(CommandContext& ctx, std::string_view arg, int64_t* out,
                   std::string_view msg = err::kMustBePositive) {
  auto v = ParseInt64(arg);
  if (!v || *v < 0) {
    ctx.reply.Error(msg);
    return false;
  }
  *out = *v;
  return true;
}

void CmdSAdd(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto s = GetSet(db, key, false);
  if (!s.ok()) return ctx.reply.Error(s.status());
  const size_t before = *s ? (*s)->size() : 0;
  // Members all there already: nothing changes, so nothing is logged (as Redis propagates
  // nothing then).
  const auto members = ctx.args.subspan(2);
  if (*s != nullptr && std::all_of(members.begin(), members.end(), [&](std::string_view m) {
        return (*s)->Contains(m);
      })) {
    return ctx.reply.Int(0);
  }
  const Entry* e = db.Apply(RedoOp::kSetAdd, key, engine::SetMembersBody(members));
  ctx.Notify(kNotifySet, "sadd", key);
  ctx.reply.Int(static_cast<int64_t>(SizeOf(e) - before));
}

void CmdSRem(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto s = GetSet(db, key, false);
  if (!s.ok()) return ctx.reply.Error(s.status());
  if (*s == nullptr) return ctx.reply.Int(0);
  const size_t before = (*s)->size();
  const Entry* e = db.Apply(RedoOp::kSetRem, key, engine::SetMembersBody(ctx.args.subspan(2)));
  if (SizeOf(e) < before) ctx.Notify(kNotifySet, "srem", key);
  if (e == nullptr) ctx.Notify(kNotifyGeneric, "del", key);
  ctx.reply.Int(static_cast<int64_t>(before - SizeOf(e)));
}

void CmdSCard(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto s = GetSet(db, ctx.args[1], true);
  if (!s.ok()) return ctx.reply.Error(s.status());
  ctx.reply.Int(*s ? static_cast<int64_t>((*s)->size()) : 0);
}

void CmdSIsMember(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto s = GetSet(db, ctx.args[1], true);
  if (!s.ok()) return ctx.reply.Error(s.status());
  ctx.reply.Int(*s && (*s)->Contains(ctx.args[2]) ? 1 : 0);
}

void CmdSMIsMember(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto s = GetSet(db, ctx.args[1], true);
  if (!s.ok()) return ctx.reply.Error(s.status());
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Int(*s && (*s)->Contains(ctx.args[i]) ? 1 : 0);
  }
}

void ReplyMembers(CommandContext& ctx, const std::vector<std::string>& members) {
  ctx.reply.Set(members.size());
  for (const std::string& m : members) ctx.reply.Bulk(m);
}

void CmdSMembers(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto s = GetSet(db, ctx.args[1], true);
  if (!s.ok()) return ctx.reply.Error(s.status());
  if (*s == nullptr) return ctx.reply.Set(0);
  ctx.reply.Set((*s)->size());
  (*s)->ForEach([&](std::string_view m) { ctx.reply.Bulk(m); });
}

// Up to `count` distinct random members of s.
std::vector<std::string> PickDistinct(const SetValue& s, size_t count) {
  if (count < s.size() / 3) {
    // Few of many: draw until `count` distinct (no copy of the whole set).
    std::unordered_set<std::string> picked;
    std::vector<std::string> out;
    while (out.size() < count) {
      std::string m = s.RandomMember(Random());
      if (picked.insert(m).second) out.push_back(std::move(m));
    }
    return out;
  }
  std::vector<std::string> all = s.Members();
  if (count >= all.size()) return all;
  // A partial Fisher-Yates shuffle.
  for (size_t i = 0; i < count; ++i) {
    const size_t j = i + Random() % (all.size() - i);
    std::swap(all[i], all[j]);
  }
  all.resize(count);
  return all;
}

// SPOP key [count]
void CmdSPop(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.reply.Error(Status::Syntax());
  const bool with_count = ctx.args.size() == 3;
  int64_t count = 1;
  if (with_count && !ArgToPositive(ctx, ctx.args[2], &count)) return;
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto s = GetSet(db, key, false);
  if (!s.ok()) return ctx.reply.Error(s.status());
  if (*s == nullptr) return with_count ? ctx.reply.Set(0) : ctx.reply.Null();
  if (count == 0) return ctx.reply.Set(0);
  std::vector<std::string> chosen;
  if (with_count) {
    chosen = PickDistinct(**s, static_cast<size_t>(count));
  } else {
    chosen.push_back((*s)->RandomMember(Random()));
  }
  const bool emptied = db.Apply(RedoOp::kSetRem, key, engine::SetMembersBody(chosen)) == nullptr;
  ctx.Notify(kNotifySet, "spop", key);
  if (emptied) ctx.Notify(kNotifyGeneric, "del", key);
  if (!with_count) return ctx.reply.Bulk(chosen[0]);
  ReplyMembers(ctx, chosen);
}

// SRANDMEMBER key [count]: a negative count allows repeats.
void CmdSRandMember(CommandContext& ctx) {
  RandomCount args;
  if (!ParseRandomCount(ctx, {}, &args)) return;
  const bool with_count = args.with_count;
  const int64_t count = args.count;
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto s = GetSet(db, ctx.args[1], true);
  if (!s.ok()) return ctx.reply.Error(s.status());
  if (!with_count) {
    if (*s == nullptr) return ctx.reply.Null();
    return ctx.reply.Bulk((*s)->RandomMember(Random()));
  }
  if (*s == nullptr || count == 0) return ctx.reply.Array(0);
  if (count > 0) {
    std::vector<std::string> chosen = PickDistinct(**s, static_cast<size_t>(count));
    ctx.reply.Array(chosen.size());
    for (const std::string& m : chosen) ctx.reply.Bulk(m);
    return;
  }
  const uint64_t n = 0 - static_cast<uint64_t>(count);
  // Repeats: bounded by proto-max-bulk-len (PicksBudget, shapes.h); a pick is at least one
  // empty bulk ("$0\r\n\r\n").
  PicksBudget budget;
  if (!budget.Admit(ctx, n, 6)) return;
  ctx.reply.Array(n);
  for (uint64_t i = 0; i < n; ++i) {
    ctx.reply.Bulk((*s)->RandomMember(Random()));
    if (!budget.Fits(ctx)) return;
  }
}

void CmdSMove(CommandContext& ctx) {
  std::string_view src = ctx.args[1], dst = ctx.args[2], member = ctx.args[3];
  const std::string_view keys[] = {src, dst};
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  Entry* se = db.Find(src);
  Entry* de = db.Find(dst);
  if (se == nullptr) return ctx.reply.Int(0);
  if (se->type() != ValueType::kSet || (de != nullptr && de->type() != ValueType::kSet)) {
    return ctx.reply.Error(Status::WrongType());
  }
  const auto* s = static_cast<const SetValue*>(se->value());
  if (src == dst) return ctx.reply.Int(s->Contains(member) ? 1 : 0);
  if (!s->Contains(member)) return ctx.reply.Int(0);
  const std::string_view one[] = {member};
  const std::string body = engine::SetMembersBody(one);
  const bool had = de != nullptr && static_cast<const SetValue*>(de->value())->Contains(member);
  const bool emptied = db.Apply(RedoOp::kSetRem, src, body) == nullptr;
  ctx.Notify(kNotifySet, "srem", src);
  if (emptied) ctx.Notify(kNotifyGeneric, "del", src);
  db.Apply(RedoOp::kSetAdd, dst, body);
  if (!had) ctx.Notify(kNotifySet, "sadd", dst);
  ctx.reply.Int(1);
}

enum class SetOp { kInter, kUnion, kDiff };

// Looks up every key as a set (missing keys are null); WrongType if any holds another type.
Result<std::vector<const SetValue*>> GetSets(DbView& db, std::span<const std::string_view> keys,
                                             bool read) {
  std::vector<const SetValue*> sets;
  sets.reserve(keys.size());
  for (std::string_view k : keys) {
    auto s = GetSet(db, k, read);
    if (!s.ok()) return s.status();
    sets.push_back(*s);
  }
  return sets;
}

// The members of the intersection / union / difference of `sets` (null = empty). For kInter,
// stops after `limit` members when limit > 0.
std::vector<std::string> Combine(SetOp op, std::vector<const SetValue*> sets, size_t limit = 0) {
  std::vector<std::string> out;
  if (sets.empty()) return out;
  switch (op) {
    case SetOp::kInter: {
      for (const SetValue* s : sets) {
        if (s == nullptr) return out;
      }
      std::stable_sort(sets.begin(), sets.end(),
                       [](const SetValue* a, const SetValue* b) { return a->size() < b->size(); });
      bool done = false;
      sets[0]->ForEach([&](std::string_view m) {
        if (done) return;
        for (size_t i = 1; i < sets.size(); ++i) {
          if (sets[i] != sets[0] && !sets[i]->Contains(m)) return;
        }
        out.emplace_back(m);
        if (limit > 0 && out.size() >= limit) done = true;
      });
      break;
    }
    case SetOp::kUnion: {
      std::unordered_set<std::string> seen;
      for (const SetValue* s : sets) {
        if (s == nullptr) continue;
        s->ForEach([&](std::string_view m) {
          if (seen.emplace(m).second) out.emplace_back(m);
        });
      }
      break;
    }
    case SetOp::kDiff: {
      if (sets[0] == nullptr) return out;
      sets[0]->ForEach([&](std::string_view m) {
        for (size_t i = 1; i < sets.size(); ++i) {
          // The same set again: everything is excluded (and no lookup runs in the table being
          // walked, which a lookup's rehash step could change).
          if (sets[i] == sets[0] || (sets[i] != nullptr && sets[i]->Contains(m))) return;
        }
        out.emplace_back(m);
      });
      break;
    }
  }
  return out;
}

// SINTER / SUNION / SDIFF key [key ...]
void SetOpCommand(CommandContext& ctx, SetOp op) {
  auto keys = ctx.args.subspan(1);
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  auto sets = GetSets(db, keys, true);
  if (!sets.ok()) return ctx.reply.Error(sets.status());
  ReplyMembers(ctx, Combine(op, std::move(*sets)));
}
void CmdSInter(CommandContext& ctx) { SetOpCommand(ctx, SetOp::kInter); }
void CmdSUnion(CommandContext& ctx) { SetOpCommand(ctx, SetOp::kUnion); }
void CmdSDiff(CommandContext& ctx) { SetOpCommand(ctx, SetOp::kDiff); }

// SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]
void SetOpStoreCommand(CommandContext& ctx, SetOp op) {
  std::string_view dst = ctx.args[1];
  auto lock = ctx.Lock(ctx.args.subspan(1));
  DbView db = ctx.db();
  auto sets = GetSets(db, ctx.args.subspan(2), false);
  if (!sets.ok()) return ctx.reply.Error(sets.status());
  std::vector<std::string> members = Combine(op, std::move(*sets));
  if (members.empty()) {
    if (db.Delete(dst)) ctx.Notify(kNotifyGeneric, "del", dst);
    return ctx.reply.Int(0);
  }
  std::unique_ptr<engine::Value> v = engine::NewSet();
  Status st =
      v->Apply(RedoOp::kSetAdd, engine::SetMembersBody(members), ctx.keyspace().encoding_limits());
  st.PermitUnchecked();  // a body SetMembersBody built always applies
  const size_t n = v->size();
  db.Put(Entry::NewObject(dst, v.release(), 0, ctx.keyspace().NewAccessClock(ctx.now_ms)));
  static constexpr const char* kEvents[] = {"sinterstore", "sunionstore", "sdiffstore"};
  ctx.Notify(kNotifySet, kEvents[static_cast<int>(op)], dst);
  ctx.reply.Int(static_cast<int64_t>(n));
}
void CmdSInterStore(CommandContext& ctx) { SetOpStoreCommand(ctx, SetOp::kInter); }
void CmdSUnionStore(CommandContext& ctx) { SetOpStoreCommand(ctx, SetOp::kUnion); }
void CmdSDiffStore(CommandContext& ctx) { SetOpStoreCommand(ctx, SetOp::kDiff); }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void CmdSInterCard(CommandContext& ctx) {
  auto numkeys = ParseInt64(ctx.args[1]);
  if (!numkeys || *numkeys < 1) return ctx.reply.Error(err::kNumkeysPositive);
  if (*numkeys > static_cast<int64_t>(ctx.args.size()) - 2) {
    return ctx.reply.Error(err::kTooManyKeys);
  }
  const size_t n = static_cast<size_t>(*numkeys);
  int64_t limit = 0;
  for (size_t i = 2 + n; i < ctx.args.size(); ++i) {
    if (EqualsIgnoreCase(ctx.args[i], "LIMIT") && i + 1 < ctx.args.size()) {
      if (!ArgToPositive(ctx, ctx.args[++i], &limit, err::kLimitNegative)) return;
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  auto keys = ctx.args.subspan(2, n);
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  auto sets = GetSets(db, keys, true);
  if (!sets.ok()) return ctx.reply.Error(sets.status());
  ctx.reply.Int(static_cast<int64_t>(
      Combine(SetOp::kInter, std::move(*sets), static_cast<size_t>(limit)).size()));
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
void CmdSScan(CommandContext& ctx) {
  ScanCollection<SetValue>(ctx, [&](const SetValue& s, uint64_t cursor, int64_t count,
                                    std::optional<std::string_view> pattern) {
    std::vector<std::string> members;
    const uint64_t next = s.Scan(cursor, static_cast<size_t>(count), &members);
    if (pattern) {
      std::erase_if(members, [&](const std::string& m) { return !GlobMatch(*pattern, m); });
    }
    ReplyScanPage(ctx.reply, next, members.size());
    for (const std::string& m : members) ctx.reply.Bulk(m);
  });
}

}  // namespace

std::vector<CommandSpec> SetFamily() {
  constexpr uint32_t kR = kReadOnly;
  constexpr uint32_t kW = kWrite | kDenyOom;
  return {
      {"sadd", -3, kW | kFast, 1, 1, 1, CmdSAdd, "set", "Add one or more members to a set"},
      {"srem", -3, kWrite | kFast, 1, 1, 1, CmdSRem, "set",
       "Remove one or more members from a set"},
      {"scard", 2, kR | kFast, 1, 1, 1, CmdSCard, "set", "Get the number of members in a set"},
      {"sismember", 3, kR | kFast, 1, 1, 1, CmdSIsMember, "set",
       "Determine if a given value is a member of a set"},
      {"smismember", -3, kR | kFast, 1, 1, 1, CmdSMIsMember, "set",
       "Returns the membership associated with the given elements for a set"},
      {"smembers", 2, kR, 1, 1, 1, CmdSMembers, "set", "Get all the members in a set"},
      {"spop", -2, kWrite | kFast, 1, 1, 1, CmdSPop, "set",
       "Remove and return one or multiple random members from a set"},
      {"srandmember", -2, kR, 1, 1, 1, CmdSRandMember, "set",
       "Get one or multiple random members from a set"},
      {"smove", 4, kWrite | kFast, 1, 2, 1, CmdSMove, "set",
       "Move a member from one set to another"},
      {"sinter", -2, kR, 1, -1, 1, CmdSInter, "set", "Intersect multiple sets"},
      // numkeys: keys are found by parsing (Redis's movablekeys), locked by the handler.
      {"sintercard",
       -3,
       kR | kMovableKeys,
       0,
       0,
       0,
       CmdSInterCard,
       "set",
       "Intersect multiple sets and return the cardinality of the result",
       {},
       1},
      {"sunion", -2, kR, 1, -1, 1, CmdSUnion, "set", "Add multiple sets"},
      {"sdiff", -2, kR, 1, -1, 1, CmdSDiff, "set", "Subtract multiple sets"},
      {"sinterstore", -3, kW, 1, -1, 1, CmdSInterStore, "set",
       "Intersect multiple sets and store the resulting set in a key"},
      {"sunionstore", -3, kW, 1, -1, 1, CmdSUnionStore, "set",
       "Add multiple sets and store the resulting set in a key"},
      {"sdiffstore", -3, kW, 1, -1, 1, CmdSDiffStore, "set",
       "Subtract multiple sets and store the resulting set in a key"},
      {"sscan", -3, kR, 1, 1, 1, CmdSScan, "set", "Incrementally iterate Set elements"},
  };
}

}  // namespace strata::server
