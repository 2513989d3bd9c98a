// Consumer groups: XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM (XREADGROUP is in
// stream_read_family.cc).
//
// Every change to a group is a stream effect (engine/stream_value.h) carrying the times it
// set, so replay needs no clock: XREADGROUP logs what it delivered (stream_deliver), XACK what
// left the pending list, XCLAIM and XAUTOCLAIM the owner, time and count each claimed entry ends
// with (stream_claim) and the deleted entries they dropped (stream_ack).

#include <algorithm>

#include "server/commands/errors.h"
#include "server/commands/stream_family.h"
#include "server/notify.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::RedoOp;
using engine::StreamClaim;
using engine::StreamId;
using engine::StreamValue;

std::string& Body() {
  thread_local std::string body;
  return body;
}

constexpr std::string_view kKeyMustExist =
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to "
    "use the MKSTREAM option to create an empty stream automatically.";

std::string NoGroupForKey(std::string_view key, std::string_view group) {
  return "NOGROUP No such consumer group '" + std::string(group) + "' for key name '" +
         std::string(key) + "'";
}

// A start or end of an interval: "-", "+", an ID, or "(ID" (exclusive). Replies the error.
bool ParseIntervalId(CommandContext& ctx, std::string_view arg, bool start, StreamId* id) {
  const bool exclusive = arg.starts_with('(');
  if (exclusive) arg.remove_prefix(1);
  if (!ParseIdArg(ctx, arg, start ? 0 : UINT64_MAX, exclusive, id)) return false;
  if (exclusive && !(start ? id->Incr() : id->Decr())) {
    ctx.reply.Error(start ? "ERR invalid start ID for the interval"
                          : "ERR invalid end ID for the interval");
    return false;
  }
  return true;
}

// ---- XGROUP ----

// The stream XGROUP works on. Replies the error and returns false when the key holds another
// type, or nothing and `may_be_missing` is false; *s is null for a missing key.
bool GroupStream(CommandContext& ctx, DbView& db, bool may_be_missing, const StreamValue** s) {
  auto found = GetStream(db, ctx.args[2], false);
  if (!found.ok()) {
    ctx.reply.Error(found.status());
    return false;
  }
  *s = *found;
  if (*s != nullptr || may_be_missing) return true;
  ctx.reply.Error(kKeyMustExist);
  return false;
}

// ENTRIESREAD n: -1 or more.
bool ParseEntriesRead(CommandContext& ctx, std::string_view arg, int64_t* v) {
  if (!ArgToInt(ctx, arg, v)) return false;
  if (*v < 0 && *v != engine::kInvalidEntriesRead) {
    ctx.reply.Error("ERR value for ENTRIESREAD must be positive or -1");
    return false;
  }
  return true;
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n] and
// XGROUP SETID key group id|$ [ENTRIESREAD n]
void CreateOrSetId(CommandContext& ctx, bool create) {
  const auto& a = ctx.args;
  bool mkstream = false;
  int64_t read = engine::kInvalidEntriesRead;
  for (size_t i = 5; i < a.size(); ++i) {
    if (create && EqualsIgnoreCase(a[i], "mkstream")) {
      mkstream = true;
    } else if (EqualsIgnoreCase(a[i], "entriesread") && i + 1 < a.size()) {
      if (!ParseEntriesRead(ctx, a[++i], &read)) return;
    } else {
      return ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                             std::string(a[1]) + "'. Try XGROUP HELP.");
    }
  }
  std::string_view key = a[2], group = a[3];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  const StreamValue* s;
  if (!GroupStream(ctx, db, create && mkstream, &s)) return;
  if (!create && s->FindGroup(group) == nullptr) return ctx.reply.Error(NoGroupForKey(key, group));
  StreamId id;
  if (a[4] == "$") {
    if (s != nullptr) id = s->last_id();
  } else if (!ParseIdArg(ctx, a[4], 0, true, &id)) {
    return;
  }
  if (s == nullptr) {  // MKSTREAM, now that nothing can fail
    db.Put(engine::Entry::NewObject(key, engine::NewStream().release(), 0));
    s = static_cast<const StreamValue*>(db.Find(key)->value());
  }
  if (create && s->FindGroup(group) != nullptr) {
    return ctx.reply.Error("BUSYGROUP Consumer Group name already exists");
  }
  engine::StreamGroupBody(&Body(), create ? engine::StreamGroupOp::kCreate : engine::StreamGroupOp::kSetId,
                          group, {}, id, read, 0);
  db.Apply(RedoOp::kStreamGroup, key, Body());
  ctx.Notify(kNotifyStream, create ? "xgroup-create" : "xgroup-setid", key);
  ctx.reply.Ok();
}
void CmdXGroupCreate(CommandContext& ctx) { CreateOrSetId(ctx, true); }
void CmdXGroupSetId(CommandContext& ctx) { CreateOrSetId(ctx, false); }

void CmdXGroupDestroy(CommandContext& ctx) {
  std::string_view key = ctx.args[2], group = ctx.args[3];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  const StreamValue* s;
  if (!GroupStream(ctx, db, false, &s)) return;
  if (s->FindGroup(group) == nullptr) return ctx.reply.Int(0);
  engine::StreamGroupBody(&Body(), engine::StreamGroupOp::kDestroy, group, {}, {}, 0, 0);
  db.Apply(RedoOp::kStreamGroup, key, Body());
  ctx.Notify(kNotifyStream, "xgroup-destroy", key);
  ctx.reply.Int(1);
}

// XGROUP CREATECONSUMER / DELCONSUMER key group consumer
void ConsumerCommand(CommandContext& ctx, bool create) {
  std::string_view key = ctx.args[2], group = ctx.args[3], consumer = ctx.args[4];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  const StreamValue* s;
  if (!GroupStream(ctx, db, false, &s)) return;
  const StreamValue::Group* g = s->FindGroup(group);
  if (g == nullptr) return ctx.reply.Error(NoGroupForKey(key, group));
  auto it = g->consumers.find(consumer);
  if (create) {
    if (it != g->consumers.end()) return ctx.reply.Int(0);
    engine::StreamGroupBody(&Body(), engine::StreamGroupOp::kCreateConsumer, group, consumer, {}, 0,
                            ctx.now_ms);
    db.Apply(RedoOp::kStreamGroup, key, Body());
    ctx.Notify(kNotifyStream, "xgroup-createconsumer", key);
    return ctx.reply.Int(1);
  }
  if (it == g->consumers.end()) return ctx.reply.Int(0);
  const auto pending = static_cast<int64_t>(it->second->pending.size());
  engine::StreamGroupBody(&Body(), engine::StreamGroupOp::kDelConsumer, group, consumer, {}, 0, 0);
  db.Apply(RedoOp::kStreamGroup, key, Body());
  ctx.Notify(kNotifyStream, "xgroup-delconsumer", key);
  ctx.reply.Int(pending);
}
void CmdXGroupCreateConsumer(CommandContext& ctx) { ConsumerCommand(ctx, true); }
void CmdXGroupDelConsumer(CommandContext& ctx) { ConsumerCommand(ctx, false); }

void CmdXGroupHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CREATE <key> <groupname> <id|$> [option]",
      "    Create a new consumer group. Options are:",
      "    * MKSTREAM",
      "      Create the empty stream if it does not exist.",
      "    * ENTRIESREAD entries_read",
      "      Set the group's entries_read counter (internal use).",
      "CREATECONSUMER <key> <groupname> <consumer>",
      "    Create a new consumer in the specified group.",
      "DELCONSUMER <key> <groupname> <consumer>",
      "    Remove the specified consumer.",
      "DESTROY <key> <groupname>",
      "    Remove the specified group.",
      "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
      "    Set the current group ID and entries_read counter.",
  };
  ReplyHelp(ctx, "XGROUP", kLines);
}

// ---- XACK, XPENDING ----

// The group named args[2] of the stream at args[1], or null (missing key or group), with the
// stream in *s. Replies WRONGTYPE and sets *wrong_type for a key of another type.
const StreamValue::Group* FindGroupOf(CommandContext& ctx, DbView& db, const StreamValue** s,
                                      bool* wrong_type) {
  auto found = GetStream(db, ctx.args[1], false);
  *wrong_type = !found.ok();
  if (*wrong_type) {
    ctx.reply.Error(found.status());
    return nullptr;
  }
  *s = *found;
  return *s == nullptr ? nullptr : (*s)->FindGroup(ctx.args[2]);
}

// As FindGroupOf, replying NOGROUP when the key or the group is missing.
const StreamValue::Group* RequireGroup(CommandContext& ctx, DbView& db, const StreamValue** s) {
  bool wrong_type;
  const StreamValue::Group* g = FindGroupOf(ctx, db, s, &wrong_type);
  if (g == nullptr && !wrong_type) ctx.reply.Error(NoGroupError(ctx.args[1], ctx.args[2]));
  return g;
}

// XACK key group id [id ...]
void CmdXAck(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  const StreamValue* s = nullptr;
  bool wrong_type;
  const StreamValue::Group* g = FindGroupOf(ctx, db, &s, &wrong_type);
  if (wrong_type) return;
  if (g == nullptr) return ctx.reply.Int(0);
  // All or nothing: every ID parses before any is acknowledged.
  std::vector<StreamId> ids(ctx.args.size() - 3);
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    if (!ParseIdArg(ctx, ctx.args[i], 0, true, &ids[i - 3])) return;
  }
  std::vector<StreamId> acked;
  for (StreamId id : ids) {
    if (g->pel.contains(id) && std::find(acked.begin(), acked.end(), id) == acked.end()) {
      acked.push_back(id);
    }
  }
  if (!acked.empty()) {
    engine::StreamAckBody(&Body(), ctx.args[2], acked);
    db.Apply(RedoOp::kStreamAck, ctx.args[1], Body());
  }
  ctx.reply.Int(static_cast<int64_t>(acked.size()));
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
void CmdXPending(CommandContext& ctx) {
  const auto& a = ctx.args;
  const bool summary = a.size() == 3;
  int64_t min_idle = 0, count = 0;
  StreamId start, end;
  std::string_view consumer;
  bool has_consumer = false;
  if (!summary && (a.size() < 6 || a.size() > 9)) return ctx.reply.Error(Status::Syntax());
  if (!summary) {
    // Redis's order: IDLE, the count, then the interval.
    size_t i = 3;
    if (EqualsIgnoreCase(a[3], "idle")) {
      if (!ArgToInt(ctx, a[4], &min_idle)) return;
      if (a.size() < 8) return ctx.reply.Error(Status::Syntax());
      i = 5;
    }
    if (!ArgToInt(ctx, a[i + 2], &count)) return;
    if (count < 0) count = 0;
    if (!ParseIntervalId(ctx, a[i], true, &start) || !ParseIntervalId(ctx, a[i + 1], false, &end)) {
      return;
    }
    has_consumer = a.size() > i + 3;
    if (has_consumer) consumer = a[i + 3];
  }
  auto lock = ctx.Lock(a[1]);
  DbView db = ctx.db();
  const StreamValue* s = nullptr;
  const StreamValue::Group* g = RequireGroup(ctx, db, &s);
  if (g == nullptr) return;
  ReplyBuilder& r = ctx.reply;
  if (summary) {
    r.Array(4);
    r.Int(static_cast<int64_t>(g->pel.size()));
    if (g->pel.empty()) {
      r.Null();
      r.Null();
      return r.NullArray();
    }
    ReplyId(r, g->pel.begin()->first);
    ReplyId(r, g->pel.rbegin()->first);
    size_t n = 0;
    for (const auto& [name, c] : g->consumers) n += c->pending.empty() ? 0 : 1;
    r.Array(n);
    for (const auto& [name, c] : g->consumers) {
      if (c->pending.empty()) continue;
      r.Array(2);
      r.Bulk(name);
      r.Bulk(std::to_string(c->pending.size()));
    }
    return;
  }
  const StreamValue::Consumer* only = nullptr;
  if (has_consumer) {
    auto it = g->consumers.find(consumer);
    if (it == g->consumers.end()) return r.Array(0);
    only = it->second.get();
  }
  const size_t mark = r.DeferArray();
  size_t n = 0;
  for (auto it = g->pel.lower_bound(start);
       it != g->pel.end() && it->first <= end && n < static_cast<size_t>(count); ++it) {
    const StreamValue::Nack& nack = it->second;
    if (only != nullptr && nack.owner != only) continue;
    const int64_t idle = std::max<int64_t>(0, ctx.now_ms - nack.delivery_ms);
    if (min_idle > 0 && idle < min_idle) continue;
    r.Array(4);
    ReplyId(r, it->first);
    r.Bulk(nack.owner->name);
    r.Int(idle);
    r.Int(static_cast<int64_t>(nack.delivery_count));
    ++n;
  }
  r.SetArrayLength(mark, n);
}

// ---- XCLAIM, XAUTOCLAIM ----

// What a claim of one pending entry leaves: Redis's rules for the time and the count.
struct ClaimRule {
  int64_t delivery_ms;
  int64_t retrycount = -1;  // -1: keep counting
  bool justid = false;
};
StreamClaim Claimed(StreamId id, const StreamValue::Nack* nack, const ClaimRule& rule) {
  // A pending entry FORCE creates starts as a first delivery.
  const uint64_t before = nack == nullptr ? 1 : nack->delivery_count;
  uint64_t count = before;
  if (rule.retrycount >= 0) {
    count = static_cast<uint64_t>(rule.retrycount);
  } else if (!rule.justid) {
    ++count;
  }
  return {id, rule.delivery_ms, count};
}

// The claimed entries (or their IDs only, JUSTID).
void ReplyClaimed(ReplyBuilder& reply, const StreamValue& s, std::span<const StreamClaim> claims,
                  bool justid) {
  reply.Array(claims.size());
  for (const StreamClaim& c : claims) {
    if (justid) {
      ReplyId(reply, c.id);
      continue;
    }
    s.Range(c.id, c.id, false, [&](StreamId id, auto fv) {
      ReplyEntry(reply, id, fv);
      return false;
    });
  }
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-ms]
// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
void CmdXClaim(CommandContext& ctx) {
  const auto& a = ctx.args;
  // Redis's order: the key and group, then the arguments.
  std::string_view key = a[1], group = a[2], consumer = a[3];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  const StreamValue* s = nullptr;
  const StreamValue::Group* g = RequireGroup(ctx, db, &s);
  if (g == nullptr) return;
  int64_t min_idle;
  if (auto v = ParseInt64(a[4])) {
    min_idle = std::max<int64_t>(0, *v);
  } else {
    return ctx.reply.Error("ERR Invalid min-idle-time argument for XCLAIM");
  }
  std::vector<StreamId> ids;
  size_t i = 5;
  for (StreamId id; i < a.size() && engine::ParseStreamId(a[i], 0, &id); ++i) ids.push_back(id);
  ClaimRule rule;
  int64_t time_ms = -1;
  bool force = false;
  StreamId last_id;
  for (; i < a.size(); ++i) {
    const bool more = i + 1 < a.size();
    if (EqualsIgnoreCase(a[i], "force")) {
      force = true;
    } else if (EqualsIgnoreCase(a[i], "justid")) {
      rule.justid = true;
    } else if (EqualsIgnoreCase(a[i], "idle") && more) {
      auto v = ParseInt64(a[++i]);
      if (!v) return ctx.reply.Error("ERR Invalid IDLE option argument for XCLAIM");
      // A time that does not fit is bogus, and so now (below).
      if (__builtin_sub_overflow(ctx.now_ms, *v, &time_ms)) time_ms = -1;
    } else if (EqualsIgnoreCase(a[i], "time") && more) {
      auto v = ParseInt64(a[++i]);
      if (!v) return ctx.reply.Error("ERR Invalid TIME option argument for XCLAIM");
      time_ms = *v;
    } else if (EqualsIgnoreCase(a[i], "retrycount") && more) {
      auto v = ParseInt64(a[++i]);
      if (!v) return ctx.reply.Error("ERR Invalid RETRYCOUNT option argument for XCLAIM");
      rule.retrycount = *v;
    } else if (EqualsIgnoreCase(a[i], "lastid") && more) {
      if (!ParseIdArg(ctx, a[++i], 0, true, &last_id)) return;
    } else {
      return ctx.reply.Error("ERR Unrecognized XCLAIM option '" + std::string(a[i]) + "'");
    }
  }
  // A bogus time (negative, or in the future) is now, as in Redis.
  rule.delivery_ms = time_ms < 0 || time_ms > ctx.now_ms ? ctx.now_ms : time_ms;
  std::vector<StreamClaim> claims;
  std::vector<StreamId> gone;  // pending, but deleted from the stream: dropped
  for (StreamId id : ids) {
    auto it = g->pel.find(id);
    const StreamValue::Nack* nack = it == g->pel.end() ? nullptr : &it->second;
    if (!s->Contains(id)) {
      if (nack != nullptr && std::find(gone.begin(), gone.end(), id) == gone.end()) {
        gone.push_back(id);
      }
      continue;
    }
    if (nack == nullptr && !force) continue;
    if (nack != nullptr && min_idle > 0 && ctx.now_ms - nack->delivery_ms < min_idle) continue;
    // A repeated ID is claimed again on top of its first claim, as Redis would.
    auto prev = std::find_if(claims.begin(), claims.end(), [&](auto& c) { return c.id == id; });
    if (prev != claims.end()) {
      if (min_idle > 0 && ctx.now_ms - prev->delivery_ms < min_idle) continue;
      StreamValue::Nack again{nullptr, prev->delivery_ms, prev->delivery_count};
      *prev = Claimed(id, &again, rule);
      claims.push_back(*prev);
      continue;
    }
    claims.push_back(Claimed(id, nack, rule));
  }
  if (!gone.empty()) {
    engine::StreamAckBody(&Body(), group, gone);
    db.Apply(RedoOp::kStreamAck, key, Body());
  }
  const bool new_consumer = !claims.empty() && !g->consumers.contains(consumer);
  if (!claims.empty() || last_id > g->last_id) {
    engine::StreamClaimBody(&Body(), group, consumer, ctx.now_ms, !claims.empty(), last_id, claims);
    db.Apply(RedoOp::kStreamClaim, key, Body());
  }
  if (new_consumer) ctx.Notify(kNotifyStream, "xgroup-createconsumer", key);
  ReplyClaimed(ctx.reply, *s, claims, rule.justid);
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
void CmdXAutoClaim(CommandContext& ctx) {
  const auto& a = ctx.args;
  int64_t min_idle;
  if (auto v = ParseInt64(a[4])) {
    min_idle = std::max<int64_t>(0, *v);
  } else {
    return ctx.reply.Error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
  }
  StreamId start;
  if (!ParseIntervalId(ctx, a[5], true, &start)) return;
  int64_t count = 100;
  constexpr int64_t kAttemptsFactor = 10;
  ClaimRule rule;
  for (size_t i = 6; i < a.size(); ++i) {
    if (EqualsIgnoreCase(a[i], "count") && i + 1 < a.size()) {
      auto v = ParseInt64(a[++i]);
      // Redis 7.0's bound: what its ID array for the reply could hold (2^63 / 16 bytes). Past
      // a few million it then fails to allocate that array ("Insufficient memory ..."); Strata
      // allocates nothing up front and serves any COUNT within the bound.
      if (!v || *v < 1 || *v > INT64_MAX / 16) {
        return ctx.reply.Error("ERR COUNT must be > 0");
      }
      count = *v;
    } else if (EqualsIgnoreCase(a[i], "justid")) {
      rule.justid = true;
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  rule.delivery_ms = ctx.now_ms;
  // Redis's order: the arguments, then the key's type, then the group.
  std::string_view key = a[1], group = a[2], consumer = a[3];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  const StreamValue* s = nullptr;
  const StreamValue::Group* g = RequireGroup(ctx, db, &s);
  if (g == nullptr) return;
  std::vector<StreamClaim> claims;
  std::vector<StreamId> gone;
  int64_t attempts = count * kAttemptsFactor;
  auto it = g->pel.lower_bound(start);
  for (; attempts > 0 && count > 0 && it != g->pel.end(); ++it) {
    --attempts;
    if (!s->Contains(it->first)) {
      gone.push_back(it->first);
      --count;  // as in Redis: COUNT bounds the reply, deleted IDs included
      continue;
    }
    if (min_idle > 0 && ctx.now_ms - it->second.delivery_ms < min_idle) continue;
    claims.push_back(Claimed(it->first, &it->second, rule));
    --count;
  }
  const StreamId next = it == g->pel.end() ? StreamId{} : it->first;
  if (!gone.empty()) {
    engine::StreamAckBody(&Body(), group, gone);
    db.Apply(RedoOp::kStreamAck, key, Body());
  }
  if (!claims.empty()) {
    const bool new_consumer = !g->consumers.contains(consumer);
    engine::StreamClaimBody(&Body(), group, consumer, ctx.now_ms, true, {}, claims);
    db.Apply(RedoOp::kStreamClaim, key, Body());
    if (new_consumer) ctx.Notify(kNotifyStream, "xgroup-createconsumer", key);
  }
  ReplyBuilder& r = ctx.reply;
  r.Array(3);
  ReplyId(r, next);
  ReplyClaimed(r, *s, claims, rule.justid);
  r.Array(gone.size());
  for (StreamId id : gone) ReplyId(r, id);
}

}  // namespace

std::string NoGroupError(std::string_view key, std::string_view group) {
  return "NOGROUP No such key '" + std::string(key) + "' or consumer group '" +
         std::string(group) + "'";
}

std::vector<CommandSpec> StreamGroupCommands() {
  constexpr uint32_t kW = kWrite;
  return {
      {"xgroup", -2, 0, 0, 0, 0, DispatchSubcommand, "stream",
       "A container for consumer groups commands",
       {
           {"xgroup|create", -5, kW | kDenyOom, 2, 2, 1, CmdXGroupCreate, "stream",
            "Create a consumer group."},
           {"xgroup|createconsumer", 5, kW | kDenyOom, 2, 2, 1, CmdXGroupCreateConsumer, "stream",
            "Create a consumer in a consumer group."},
           {"xgroup|delconsumer", 5, kW, 2, 2, 1, CmdXGroupDelConsumer, "stream",
            "Delete a consumer from a consumer group."},
           {"xgroup|destroy", 4, kW, 2, 2, 1, CmdXGroupDestroy, "stream",
            "Destroy a consumer group."},
           {"xgroup|setid", -5, kW, 2, 2, 1, CmdXGroupSetId, "stream",
            "Set a consumer group to an arbitrary last delivered ID value."},
           {"xgroup|help", 2, kLoading | kStale, 0, 0, 0, CmdXGroupHelp, "stream",
            "Show helpful text about the different subcommands"},
       }, 0, 0},
      {"xack", -4, kW | kFast, 1, 1, 1, CmdXAck, "stream",
       "Marks a pending message as correctly processed, effectively removing it from the pending "
       "entries list of the consumer group. Return value of the command is the number of "
       "messages successfully acknowledged, that is, the IDs we were actually able to resolve "
       "in the PEL."},
      {"xpending", -3, kReadOnly, 1, 1, 1, CmdXPending, "stream",
       "Return information and entries from a stream consumer group pending entries list, that "
       "are messages fetched but never acknowledged."},
      {"xclaim", -6, kW | kFast, 1, 1, 1, CmdXClaim, "stream",
       "Changes (or acquires) ownership of a message in a consumer group, as if the message was "
       "delivered to the specified consumer."},
      {"xautoclaim", -6, kW | kFast, 1, 1, 1, CmdXAutoClaim, "stream",
       "Changes (or acquires) ownership of messages in a consumer group, as if the messages "
       "were delivered to the specified consumer."},
  };
}

}  // namespace strata::server
