// Stream commands without consumer groups: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID,
// XINFO (stream_group_family.cc has XREAD and the group commands).
//
// Every change is a stream effect applied through DbView::Apply (engine/stream_value.h has the
// body encoders): XADD logs the ID it chose, trimming logs how many entries it removed from the
// head. Arguments are parsed whole before the key is looked at, as Redis does.
#include "server/commands/stream_family.h"

#include <algorithm>
#include <charconv>

#include "server/commands/errors.h"
#include "server/notify.h"

namespace strata::server {

using engine::DbView;
using engine::Entry;
using engine::RedoOp;
using engine::StreamId;
using engine::StreamValue;

Result<const StreamValue*> GetStream(DbView& db, std::string_view key, bool read) {
  return FindCollection<StreamValue>(db, key, read);
}

bool ParseIdArg(CommandContext& ctx, std::string_view arg, uint64_t missing_seq, bool strict,
                StreamId* id) {
  if (!strict && arg == "-") {
    *id = StreamId::Min();
    return true;
  }
  if (!strict && arg == "+") {
    *id = StreamId::Max();
    return true;
  }
  if (engine::ParseStreamId(arg, missing_seq, id)) return true;  // a bare "-" or "+" fails it
  ctx.reply.Error(err::kInvalidStreamId);
  return false;
}

void ReplyId(ReplyBuilder& reply, StreamId id) {
  char buf[48];
  char* p = std::to_chars(buf, buf + 20, id.ms).ptr;
  *p++ = '-';
  p = std::to_chars(p, buf + sizeof(buf), id.seq).ptr;
  reply.Bulk(std::string_view(buf, static_cast<size_t>(p - buf)));
}

void ReplyEntry(ReplyBuilder& reply, StreamId id, std::span<const std::string_view> fv) {
  reply.Array(2);
  ReplyId(reply, id);
  reply.Array(fv.size());
  for (std::string_view s : fv) reply.Bulk(s);
}

size_t ReplyRange(ReplyBuilder& reply, const StreamValue& s, StreamId start, StreamId end,
                  size_t count, bool reverse) {
  const size_t mark = reply.DeferArray();
  size_t n = 0;
  s.Range(start, end, reverse, [&](StreamId id, std::span<const std::string_view> fv) {
    ReplyEntry(reply, id, fv);
    ++n;
    return count == 0 || n < count;
  });
  reply.SetArrayLength(mark, n);
  return n;
}

namespace {

std::string& Body() {
  thread_local std::string body;
  return body;
}

// MAXLEN|MINID [=|~] threshold [LIMIT count] of XADD and XTRIM.
struct TrimArgs {
  bool given = false;
  bool by_id = false;  // MINID
  bool approx = false;
  uint64_t maxlen = 0;
  StreamId minid;
  int64_t limit = -1;  // -1: not given
};

// Parses a trim strategy at args[*i] (which names MAXLEN or MINID) and advances *i past it.
bool ParseTrimStrategy(CommandContext& ctx, size_t* i, TrimArgs* t) {
  const auto& a = ctx.args;
  const bool by_id = EqualsIgnoreCase(a[*i], "minid");
  if (t->given && t->by_id != by_id) {
    ctx.reply.Error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
    return false;
  }
  t->given = true;
  t->by_id = by_id;
  size_t j = *i + 1;
  if (j + 1 < a.size() && (a[j] == "~" || a[j] == "=")) {
    t->approx = a[j] == "~";
    ++j;
  }
  if (j >= a.size()) {
    ctx.reply.Error(Status::Syntax());
    return false;
  }
  if (by_id) {
    if (!ParseIdArg(ctx, a[j], 0, true, &t->minid)) return false;
  } else {
    int64_t v;
    if (!ArgToInt(ctx, a[j], &v)) return false;
    if (v < 0) {
      ctx.reply.Error("ERR The MAXLEN argument must be >= 0.");
      return false;
    }
    t->maxlen = static_cast<uint64_t>(v);
  }
  *i = j + 1;
  return true;
}

// LIMIT count after a strategy.
bool ParseTrimLimit(CommandContext& ctx, size_t* i, TrimArgs* t) {
  int64_t v;
  if (!ArgToInt(ctx, ctx.args[*i + 1], &v)) return false;
  if (v < 0) {
    ctx.reply.Error("ERR The LIMIT argument must be >= 0.");
    return false;
  }
  t->limit = v;
  *i += 2;
  return true;
}

// The checks Redis makes once every option is read.
bool CheckTrimArgs(CommandContext& ctx, TrimArgs* t) {
  if (t->limit >= 0 && !t->given) {
    ctx.reply.Error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return false;
  }
  if (t->limit >= 0 && !t->approx) {
    ctx.reply.Error("ERR syntax error, LIMIT cannot be used without the special ~ option");
    return false;
  }
  return true;
}

// Trims as `t` says and logs it; returns how many entries went.
size_t Trim(CommandContext& ctx, DbView& db, std::string_view key, const StreamValue& s,
            const TrimArgs& t) {
  uint64_t limit = 0;
  if (t.approx) {
    const int64_t per_node = ctx.keyspace().encoding_limits().stream_node_max_entries;
    limit = t.limit >= 0 ? static_cast<uint64_t>(t.limit)
                         : (per_node > 0 ? 100 * static_cast<uint64_t>(per_node) : 10000);
  }
  const size_t n = s.TrimCount(t.by_id, t.maxlen, t.minid, t.approx, limit);
  if (n == 0) return 0;
  engine::StreamTrimBody(&Body(), n);
  db.Apply(RedoOp::kStreamTrim, key, Body());
  return n;
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value ...
void CmdXAdd(CommandContext& ctx) {
  const auto& a = ctx.args;
  std::string_view key = a[1];
  bool nomkstream = false;
  TrimArgs trim;
  size_t i = 2;
  for (; i < a.size(); ) {
    const size_t left = a.size() - i;
    if (EqualsIgnoreCase(a[i], "nomkstream")) {
      nomkstream = true;
      ++i;
    } else if (left >= 2 && (EqualsIgnoreCase(a[i], "maxlen") || EqualsIgnoreCase(a[i], "minid"))) {
      if (!ParseTrimStrategy(ctx, &i, &trim)) return;
    } else if (left >= 2 && EqualsIgnoreCase(a[i], "limit")) {
      if (!ParseTrimLimit(ctx, &i, &trim)) return;
    } else {
      break;
    }
  }
  if (!CheckTrimArgs(ctx, &trim)) return;
  // The ID, then an even number of field/value arguments.
  if (i >= a.size() || (a.size() - i - 1) < 2 || (a.size() - i - 1) % 2 != 0) {
    return ReplyWrongArity(ctx);
  }
  StreamId id;
  bool auto_id = a[i] == "*";
  bool auto_seq = false;
  if (!auto_id) {
    std::string_view arg = a[i];
    if (arg.size() > 2 && arg.ends_with("-*")) {
      auto_seq = true;
      if (!ParseIdArg(ctx, arg.substr(0, arg.size() - 2), 0, true, &id)) return;
    } else if (!ParseIdArg(ctx, arg, 0, true, &id)) {
      return;
    }
    if (!auto_seq && id.zero()) {
      return ctx.reply.Error("ERR The ID specified in XADD must be greater than 0-0");
    }
  }
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto found = GetStream(db, key, false);
  if (!found.ok()) return ctx.reply.Error(found.status());
  const StreamValue* s = *found;
  if (s == nullptr && nomkstream) return ctx.reply.Null();
  const StreamId last = s == nullptr ? StreamId{} : s->last_id();
  if (last == StreamId::Max()) {
    return ctx.reply.Error(
        "ERR The stream has exhausted the last possible ID, unable to add more items");
  }
  if (auto_id) {
    const auto now = static_cast<uint64_t>(ctx.now_ms);
    if (now > last.ms) {
      id = {now, 0};
    } else {
      id = last;
      id.Incr();
    }
  } else if (auto_seq) {
    if (id.ms == last.ms) {
      if (last.seq == UINT64_MAX) {
        return ctx.reply.Error(
            "ERR The stream has exhausted the last possible ID, unable to add more items");
      }
      id.seq = last.seq + 1;
    }
  }
  if (id <= last) {
    return ctx.reply.Error(
        "ERR The ID specified in XADD is equal or smaller than the target stream top item");
  }
  engine::StreamAddBody(&Body(), id, a.subspan(i + 1));
  Entry* e = db.Apply(RedoOp::kStreamAdd, key, Body());
  ReplyId(ctx.reply, id);
  ctx.Notify(kNotifyStream, "xadd", key);
  if (trim.given && Trim(ctx, db, key, *static_cast<const StreamValue*>(e->value()), trim) > 0) {
    ctx.Notify(kNotifyStream, "xtrim", key);
  }
}

// XRANGE / XREVRANGE key start end [COUNT count]
void RangeCommand(CommandContext& ctx, bool reverse) {
  const auto& a = ctx.args;
  std::string_view lo_arg = reverse ? a[3] : a[2], hi_arg = reverse ? a[2] : a[3];
  StreamId lo, hi;
  const bool lo_ex = lo_arg.starts_with('('), hi_ex = hi_arg.starts_with('(');
  if (lo_ex) lo_arg.remove_prefix(1);
  if (hi_ex) hi_arg.remove_prefix(1);
  if (!ParseIdArg(ctx, lo_arg, 0, lo_ex, &lo)) return;
  if (lo_ex && !lo.Incr()) return ctx.reply.Error("ERR invalid start ID for the interval");
  if (!ParseIdArg(ctx, hi_arg, UINT64_MAX, hi_ex, &hi)) return;
  if (hi_ex && !hi.Decr()) return ctx.reply.Error("ERR invalid end ID for the interval");
  int64_t count = -1;
  for (size_t i = 4; i < a.size(); i += 2) {
    if (EqualsIgnoreCase(a[i], "count") && i + 1 < a.size()) {
      if (!ArgToInt(ctx, a[i + 1], &count)) return;
      if (count < 0) count = 0;
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  auto lock = ctx.Lock(a[1]);
  DbView db = ctx.db();
  auto s = GetStream(db, a[1], true);
  if (!s.ok()) return ctx.reply.Error(s.status());
  if (*s == nullptr) return ctx.reply.Array(0);
  if (count == 0) return ctx.reply.NullArray();  // COUNT 0 (or below): Redis's null reply
  ReplyRange(ctx.reply, **s, lo, hi, count < 0 ? 0 : static_cast<size_t>(count), reverse);
}
void CmdXRange(CommandContext& ctx) { RangeCommand(ctx, false); }
void CmdXRevRange(CommandContext& ctx) { RangeCommand(ctx, true); }

void CmdXLen(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  auto s = GetStream(db, ctx.args[1], true);
  if (!s.ok()) return ctx.reply.Error(s.status());
  ctx.reply.Int(*s == nullptr ? 0 : static_cast<int64_t>((*s)->size()));
}

// XDEL key id [id ...]
void CmdXDel(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto s = GetStream(db, key, false);
  if (!s.ok()) return ctx.reply.Error(s.status());
  if (*s == nullptr) return ctx.reply.Int(0);
  // Then every ID parses, or nothing is deleted (Redis's order).
  std::vector<StreamId> ids(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (!ParseIdArg(ctx, ctx.args[i], 0, true, &ids[i - 2])) return;
  }
  // Only the IDs present are logged (each once): replay then needs no lookups that fail.
  std::vector<StreamId> present;
  for (StreamId id : ids) {
    if ((*s)->Contains(id) && std::find(present.begin(), present.end(), id) == present.end()) {
      present.push_back(id);
    }
  }
  if (!present.empty()) {
    engine::StreamDelBody(&Body(), present);
    db.Apply(RedoOp::kStreamDel, key, Body());
    ctx.Notify(kNotifyStream, "xdel", key);
  }
  ctx.reply.Int(static_cast<int64_t>(present.size()));
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
void CmdXTrim(CommandContext& ctx) {
  const auto& a = ctx.args;
  TrimArgs trim;
  for (size_t i = 2; i < a.size();) {
    const size_t left = a.size() - i;
    if (left >= 2 && (EqualsIgnoreCase(a[i], "maxlen") || EqualsIgnoreCase(a[i], "minid"))) {
      if (!ParseTrimStrategy(ctx, &i, &trim)) return;
    } else if (left >= 2 && EqualsIgnoreCase(a[i], "limit")) {
      if (!ParseTrimLimit(ctx, &i, &trim)) return;
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  if (!trim.given) return ctx.reply.Error(Status::Syntax());
  if (!CheckTrimArgs(ctx, &trim)) return;
  std::string_view key = a[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto s = GetStream(db, key, false);
  if (!s.ok()) return ctx.reply.Error(s.status());
  if (*s == nullptr) return ctx.reply.Int(0);
  const size_t n = Trim(ctx, db, key, **s, trim);
  if (n > 0) ctx.Notify(kNotifyStream, "xtrim", key);
  ctx.reply.Int(static_cast<int64_t>(n));
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
void CmdXSetId(CommandContext& ctx) {
  const auto& a = ctx.args;
  StreamId id, max_deleted;
  int64_t added = -1;
  bool max_deleted_given = false;
  if (!ParseIdArg(ctx, a[2], 0, true, &id)) return;
  for (size_t i = 3; i < a.size(); i += 2) {
    if (i + 1 >= a.size()) return ctx.reply.Error(Status::Syntax());
    if (EqualsIgnoreCase(a[i], "entriesadded")) {
      if (!ArgToInt(ctx, a[i + 1], &added)) return;
      if (added < 0) return ctx.reply.Error("ERR entries_added must be positive");
    } else if (EqualsIgnoreCase(a[i], "maxdeletedid")) {
      if (!ParseIdArg(ctx, a[i + 1], 0, true, &max_deleted)) return;
      if (id < max_deleted) {
        return ctx.reply.Error(
            "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
      max_deleted_given = true;
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  std::string_view key = a[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  auto found = GetStream(db, key, false);
  if (!found.ok()) return ctx.reply.Error(found.status());
  if (*found == nullptr) return ctx.reply.Error(Status::NoSuchKey());
  const StreamValue& s = **found;
  if (added >= 0 && static_cast<uint64_t>(added) < s.size()) {
    return ctx.reply.Error(
        "ERR The entries_added specified in XSETID is smaller than the target stream length");
  }
  if (s.size() > 0 && id < s.top_id()) {
    return ctx.reply.Error("ERR The ID specified in XSETID is smaller than the target stream top item");
  }
  engine::StreamSetIdBody(&Body(), id, added >= 0 ? static_cast<uint64_t>(added) : s.entries_added(),
                          max_deleted_given ? max_deleted : s.max_deleted_id());
  db.Apply(RedoOp::kStreamSetId, key, Body());
  ctx.Notify(kNotifyStream, "xsetid", key);
  ctx.reply.Ok();
}

// ---- XINFO ----

// Redis replies "no such key" / NOGROUP for XINFO on a missing stream or group.
Result<const StreamValue*> InfoStream(CommandContext& ctx, DbView& db) {
  auto s = GetStream(db, ctx.args[2], true);
  if (s.ok() && *s == nullptr) return Status::NoSuchKey();
  return s;
}

void ReplyEntryOrNull(ReplyBuilder& reply, const StreamValue& s, bool last) {
  bool found = false;
  s.Range(StreamId::Min(), StreamId::Max(), last, [&](StreamId id, auto fv) {
    ReplyEntry(reply, id, fv);
    found = true;
    return false;
  });
  if (!found) reply.Null();
}

void ReplyEntriesRead(ReplyBuilder& reply, int64_t v) {
  v == engine::kInvalidEntriesRead ? reply.Null() : reply.Int(v);
}

void ReplyLag(ReplyBuilder& reply, const StreamValue& s, const StreamValue::Group& g) {
  auto lag = s.Lag(g);
  lag ? reply.Int(*lag) : reply.Null();
}

// XINFO STREAM key [FULL [COUNT count]]
void CmdXInfoStream(CommandContext& ctx) {
  const auto& a = ctx.args;
  bool full = false;
  int64_t count = 10;
  if (a.size() > 3) {
    full = EqualsIgnoreCase(a[3], "full");
    if (full && a.size() == 6 && EqualsIgnoreCase(a[4], "count")) {
      if (!ArgToInt(ctx, a[5], &count)) return;
      if (count < 0) count = 0;
    } else if (!full || a.size() != 4) {
      return ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                             std::string(a[1]) + "'. Try XINFO HELP.");
    }
  }
  auto lock = ctx.Lock(a[2]);
  DbView db = ctx.db();
  auto found = InfoStream(ctx, db);
  if (!found.ok()) return ctx.reply.Error(found.status());
  const StreamValue& s = **found;
  ReplyBuilder& r = ctx.reply;
  r.Map(full ? 9 : 10);
  r.Bulk("length");
  r.Int(static_cast<int64_t>(s.size()));
  r.Bulk("radix-tree-keys");
  r.Int(static_cast<int64_t>(s.num_nodes()));
  // Redis counts its radix tree's nodes: a root, and about one per key. An estimate here.
  r.Bulk("radix-tree-nodes");
  r.Int(static_cast<int64_t>(s.num_nodes() + 1));
  r.Bulk("last-generated-id");
  ReplyId(r, s.last_id());
  r.Bulk("max-deleted-entry-id");
  ReplyId(r, s.max_deleted_id());
  r.Bulk("entries-added");
  r.Int(static_cast<int64_t>(s.entries_added()));
  r.Bulk("recorded-first-entry-id");
  ReplyId(r, s.first_id());
  if (!full) {
    r.Bulk("groups");
    r.Int(static_cast<int64_t>(s.groups().size()));
    r.Bulk("first-entry");
    ReplyEntryOrNull(r, s, false);
    r.Bulk("last-entry");
    ReplyEntryOrNull(r, s, true);
    return;
  }
  const auto limit = static_cast<size_t>(count);
  r.Bulk("entries");
  ReplyRange(r, s, StreamId::Min(), StreamId::Max(), limit, false);
  r.Bulk("groups");
  r.Array(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    r.Map(7);
    r.Bulk("name");
    r.Bulk(name);
    r.Bulk("last-delivered-id");
    ReplyId(r, g->last_id);
    r.Bulk("entries-read");
    ReplyEntriesRead(r, g->entries_read);
    r.Bulk("lag");
    ReplyLag(r, s, *g);
    r.Bulk("pel-count");
    r.Int(static_cast<int64_t>(g->pel.size()));
    r.Bulk("pending");
    const size_t np = limit == 0 ? g->pel.size() : std::min(limit, g->pel.size());
    r.Array(np);
    size_t i = 0;
    for (auto it = g->pel.begin(); i < np; ++it, ++i) {
      r.Array(4);
      ReplyId(r, it->first);
      r.Bulk(it->second.owner->name);
      r.Int(it->second.delivery_ms);
      r.Int(static_cast<int64_t>(it->second.delivery_count));
    }
    r.Bulk("consumers");
    r.Array(g->consumers.size());
    for (const auto& [cname, c] : g->consumers) {
      r.Map(4);
      r.Bulk("name");
      r.Bulk(cname);
      r.Bulk("seen-time");
      r.Int(c->seen_ms);
      r.Bulk("pel-count");
      r.Int(static_cast<int64_t>(c->pending.size()));
      r.Bulk("pending");
      const size_t cp = limit == 0 ? c->pending.size() : std::min(limit, c->pending.size());
      r.Array(cp);
      size_t j = 0;
      for (auto it = c->pending.begin(); j < cp; ++it, ++j) {
        const auto& nack = g->pel.at(*it);
        r.Array(3);
        ReplyId(r, *it);
        r.Int(nack.delivery_ms);
        r.Int(static_cast<int64_t>(nack.delivery_count));
      }
    }
  }
}

// XINFO GROUPS key
void CmdXInfoGroups(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[2]);
  DbView db = ctx.db();
  auto found = InfoStream(ctx, db);
  if (!found.ok()) return ctx.reply.Error(found.status());
  const StreamValue& s = **found;
  ReplyBuilder& r = ctx.reply;
  r.Array(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    r.Map(6);
    r.Bulk("name");
    r.Bulk(name);
    r.Bulk("consumers");
    r.Int(static_cast<int64_t>(g->consumers.size()));
    r.Bulk("pending");
    r.Int(static_cast<int64_t>(g->pel.size()));
    r.Bulk("last-delivered-id");
    ReplyId(r, g->last_id);
    r.Bulk("entries-read");
    ReplyEntriesRead(r, g->entries_read);
    r.Bulk("lag");
    ReplyLag(r, s, *g);
  }
}

// XINFO CONSUMERS key group
void CmdXInfoConsumers(CommandContext& ctx) {
  auto lock = ctx.Lock(ctx.args[2]);
  DbView db = ctx.db();
  auto found = InfoStream(ctx, db);
  if (!found.ok()) return ctx.reply.Error(found.status());
  const StreamValue::Group* g = (*found)->FindGroup(ctx.args[3]);
  if (g == nullptr) {
    return ctx.reply.Error("NOGROUP No such consumer group '" + std::string(ctx.args[3]) +
                           "' for key name '" + std::string(ctx.args[2]) + "'");
  }
  ReplyBuilder& r = ctx.reply;
  r.Array(g->consumers.size());
  for (const auto& [cname, c] : g->consumers) {
    r.Map(3);
    r.Bulk("name");
    r.Bulk(cname);
    r.Bulk("pending");
    r.Int(static_cast<int64_t>(c->pending.size()));
    r.Bulk("idle");
    r.Int(std::max<int64_t>(0, ctx.now_ms - c->seen_ms));
  }
}

void CmdXInfoHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CONSUMERS <key> <groupname>",
      "    Show consumers of <groupname>.",
      "GROUPS <key>",
      "    Show the stream consumer groups.",
      "STREAM <key> [FULL [COUNT <count>]",
      "    Show information about the stream.",
  };
  ReplyHelp(ctx, "XINFO", kLines);
}

}  // namespace

std::vector<CommandSpec> StreamFamily() {
  constexpr uint32_t kR = kReadOnly;
  std::vector<CommandSpec> specs = {
      {"xadd", -5, kWrite | kDenyOom | kFast, 1, 1, 1, CmdXAdd, "stream",
       "Appends a new entry to a stream"},
      {"xrange", -4, kR, 1, 1, 1, CmdXRange, "stream",
       "Return a range of elements in a stream, with IDs matching the specified IDs interval"},
      {"xrevrange", -4, kR, 1, 1, 1, CmdXRevRange, "stream",
       "Return a range of elements in a stream, with IDs matching the specified IDs interval, "
       "in reverse order (from greater to smaller IDs) compared to XRANGE"},
      {"xlen", 2, kR | kFast, 1, 1, 1, CmdXLen, "stream",
       "Return the number of entries in a stream"},
      {"xdel", -3, kWrite | kFast, 1, 1, 1, CmdXDel, "stream",
       "Removes the specified entries from the stream. Returns the number of items actually "
       "deleted, that may be different from the number of IDs passed in case certain IDs do "
       "not exist."},
      {"xtrim", -4, kWrite, 1, 1, 1, CmdXTrim, "stream",
       "Trims the stream to (approximately if '~' is passed) a certain size"},
      {"xsetid", -3, kWrite | kDenyOom | kFast, 1, 1, 1, CmdXSetId, "stream",
       "An internal command for replicating stream values"},
      {"xinfo", -2, 0, 0, 0, 0, DispatchSubcommand, "stream",
       "A container for stream introspection commands",
       {
           {"xinfo|consumers", 4, kR, 2, 2, 1, CmdXInfoConsumers, "stream",
            "List the consumers in a consumer group"},
           {"xinfo|groups", 3, kR, 2, 2, 1, CmdXInfoGroups, "stream",
            "List the consumer groups of a stream"},
           {"xinfo|stream", -3, kR, 2, 2, 1, CmdXInfoStream, "stream",
            "Get information about a stream"},
           {"xinfo|help", 2, kLoading | kStale, 0, 0, 0, CmdXInfoHelp, "stream",
            "Show helpful text about the different subcommands"},
       }, 0, 0},
  };
  for (CommandSpec& s : StreamGroupCommands()) specs.push_back(std::move(s));
  for (CommandSpec& s : StreamReadCommands()) specs.push_back(std::move(s));
  return specs;
}

}  // namespace strata::server
