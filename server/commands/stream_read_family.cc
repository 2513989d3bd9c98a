// Stream reads: XREAD and XREADGROUP.
//
// XREADGROUP logs what it delivered (stream_deliver, with the time), so replay needs no clock.
//
// XREAD and XREADGROUP block as the list commands do (server/blocking.h): registered on their
// keys under the keys' locks, run again for the key that became ready (ctx.serve_key), XREAD
// with each `$` already replaced by the ID it stood for. A reader served nothing waits on, and
// the next one on the key is tried: reads do not consume, and XREADGROUP's `>` hands each new
// entry to one consumer. A stream deleted (or a group destroyed) under a blocked XREADGROUP ends
// it with Redis's errors.
#include <algorithm>

#include "server/blocking.h"
#include "server/commands/errors.h"
#include "server/commands/stream_family.h"
#include "server/notify.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::RedoOp;
using engine::StreamId;
using engine::StreamValue;

std::string& Body() {
  thread_local std::string body;
  return body;
}

// ---- XREAD / XREADGROUP ----

struct ReadArgs {
  bool group = false;
  std::string_view group_name, consumer;
  int64_t count = 0;  // 0: no limit
  bool block = false;
  int64_t timeout_ms = 0;
  bool noack = false;
  std::span<const std::string_view> keys;
  std::span<const std::string_view> ids;
};

bool ParseRead(CommandContext& ctx, bool xreadgroup, ReadArgs* r) {
  const auto& a = ctx.args;
  size_t streams = 0;
  for (size_t i = 1; i < a.size(); ++i) {
    const size_t more = a.size() - i - 1;
    if (EqualsIgnoreCase(a[i], "block") && more > 0) {
      if (ctx.client.in_script) {
        ctx.reply.Error(std::string(xreadgroup ? "ERR XREADGROUP" : "ERR XREAD") +
                        " command is not allowed with BLOCK option from scripts");
        return false;
      }
      // Redis's getTimeoutFromObjectOrReply in milliseconds.
      auto v = ParseInt64(a[++i]);
      if (!v) return ctx.reply.Error(err::kTimeoutNotInteger), false;
      if (*v < 0) return ctx.reply.Error(err::kTimeoutNegative), false;
      r->block = true;
      r->timeout_ms = *v;
    } else if (EqualsIgnoreCase(a[i], "count") && more > 0) {
      if (!ArgToInt(ctx, a[++i], &r->count)) return false;
      if (r->count < 0) r->count = 0;
    } else if (EqualsIgnoreCase(a[i], "streams") && more > 0) {
      streams = i;
      break;
    } else if (EqualsIgnoreCase(a[i], "group") && more > 1 && xreadgroup) {
      r->group = true;
      r->group_name = a[i + 1];
      r->consumer = a[i + 2];
      i += 2;
    } else if (EqualsIgnoreCase(a[i], "noack") && xreadgroup) {
      r->noack = true;
    } else {
      ctx.reply.Error(Status::Syntax());
      return false;
    }
  }
  if (streams == 0) {
    ctx.reply.Error(Status::Syntax());
    return false;
  }
  const size_t n = a.size() - streams - 1;
  if (n % 2 != 0) {
    ctx.reply.Error(std::string("ERR Unbalanced ") + (xreadgroup ? "XREADGROUP" : "XREAD") +
                    " list of streams: for each stream key an ID or '$' must be specified.");
    return false;
  }
  if (xreadgroup && !r->group) {
    ctx.reply.Error("ERR Missing GROUP option for XREADGROUP");
    return false;
  }
  r->keys = a.subspan(streams + 1, n / 2);
  r->ids = a.subspan(streams + 1 + n / 2, n / 2);
  return true;
}

// The reply head for the keys that have something: RESP3 a map, RESP2 an array of pairs.
void ReplyKeysHead(ReplyBuilder& reply, size_t n) {
  reply.resp3() ? reply.Map(n) : reply.Array(n);
}
void ReplyKeyEntry(ReplyBuilder& reply, std::string_view key) {
  if (!reply.resp3()) reply.Array(2);
  reply.Bulk(key);
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
void CmdXRead(CommandContext& ctx) {
  ReadArgs r;
  if (!ParseRead(ctx, false, &r)) return;
  std::vector<std::string_view> keys(r.keys.begin(), r.keys.end());
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  // Each ID as it stands now: `$` is the stream's last ID (0-0 when missing).
  std::vector<StreamId> from(keys.size());
  std::vector<const StreamValue*> streams(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    auto s = GetStream(db, keys[i], true);
    if (!s.ok()) return ctx.reply.Error(s.status());
    streams[i] = *s;
    if (r.ids[i] == "$") {
      from[i] = *s == nullptr ? StreamId{} : (*s)->last_id();
    } else if (r.ids[i] == ">") {
      return ctx.reply.Error(
          "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
          "<consumer> option.");
    } else if (!ParseIdArg(ctx, r.ids[i], 0, true, &from[i])) {
      return;
    }
  }
  // Keys with entries past their ID, in argument order (only the served key when serving).
  std::vector<size_t> ready;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (ctx.serve_key != nullptr && keys[i] != *ctx.serve_key) continue;
    if (streams[i] != nullptr && streams[i]->size() > 0 && streams[i]->last_id() > from[i]) {
      StreamId after = from[i];
      bool any = false;
      if (after.Incr()) {
        streams[i]->Range(after, StreamId::Max(), false, [&](StreamId, auto) {
          any = true;
          return false;
        });
      }
      if (any) ready.push_back(i);
    }
  }
  if (!ready.empty()) {
    ReplyKeysHead(ctx.reply, ready.size());
    for (size_t i : ready) {
      ReplyKeyEntry(ctx.reply, keys[i]);
      StreamId after = from[i];
      after.Incr();
      ReplyRange(ctx.reply, *streams[i], after, StreamId::Max(), static_cast<size_t>(r.count),
                 false);
    }
    return;
  }
  if (!r.block) return ctx.reply.NullArray();
  // Waits with every `$` resolved, so that entries added meanwhile are seen when it is served.
  std::vector<std::string> owned(ctx.args.begin(), ctx.args.end());
  const size_t first_id = static_cast<size_t>(r.ids.data() - ctx.args.data());
  for (size_t i = 0; i < keys.size(); ++i) owned[first_id + i] = from[i].ToString();
  std::vector<std::string_view> argv(owned.begin(), owned.end());
  if (!BlockClient(ctx, keys, r.timeout_ms, engine::ValueType::kStream, argv)) {
    ctx.reply.NullArray();
  }
}

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key
// [key ...] id [id ...]
void CmdXReadGroup(CommandContext& ctx) {
  ReadArgs r;
  if (!ParseRead(ctx, true, &r)) return;
  std::vector<std::string_view> keys(r.keys.begin(), r.keys.end());
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  const bool serving = ctx.serve_key != nullptr;
  std::vector<StreamId> from(keys.size());
  std::vector<bool> fresh(keys.size());  // `>`: entries never delivered
  // Each key's stream as the checks found it: applying a delivery changes the value in place.
  std::vector<const StreamValue*> streams(keys.size());
  bool all_fresh = true;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (serving && keys[i] != *ctx.serve_key) continue;
    auto s = GetStream(db, keys[i], false);
    if (serving && (!s.ok() || *s == nullptr)) {
      return ctx.reply.Error("UNBLOCKED the stream key no longer exists");
    }
    if (!s.ok()) return ctx.reply.Error(s.status());
    if (*s == nullptr || (*s)->FindGroup(r.group_name) == nullptr) {
      if (serving) {
        return ctx.reply.Error(
            "NOGROUP the consumer group this client was blocked on no longer exists");
      }
      return ctx.reply.Error(NoGroupError(keys[i], r.group_name) +
                             " in XREADGROUP with GROUP option");
    }
    streams[i] = *s;
    if (r.ids[i] == ">") {
      fresh[i] = true;
    } else if (r.ids[i] == "$") {
      return ctx.reply.Error(
          "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
          "history of this consumer by specifying a proper ID, or use the > ID to get new "
          "messages. The $ ID would just return an empty result set.");
    } else {
      if (!ParseIdArg(ctx, r.ids[i], 0, true, &from[i])) return;
      all_fresh = false;
    }
  }
  // Serve each key: what it delivers is logged with the time, and the reply built as it goes.
  std::string out;
  ReplyBuilder reply(&out);
  reply.set_resp3(ctx.reply.resp3());
  size_t served = 0;
  const size_t count = static_cast<size_t>(r.count);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (serving && keys[i] != *ctx.serve_key) continue;
    const StreamValue* s = streams[i];
    const StreamValue::Group* g = s->FindGroup(r.group_name);
    const bool new_consumer = g->consumers.find(r.consumer) == g->consumers.end();
    bool served_key = true;  // whether this key replies (and so creates its consumer)
    std::vector<StreamId> ids;
    if (fresh[i]) {
      StreamId after = g->last_id, last = g->last_id;
      int64_t read = g->entries_read;
      const size_t key_mark = out.size();
      ReplyKeyEntry(reply, keys[i]);
      const size_t mark = reply.DeferArray();
      size_t n = 0;
      if (after.Incr()) {
        s->Range(after, StreamId::Max(), false, [&](StreamId id, auto fv) {
          ReplyEntry(reply, id, fv);
          read = s->EntriesReadAfter(read, id);  // the counter as Redis advances it
          last = id;
          if (!r.noack) ids.push_back(id);
          ++n;
          return count == 0 || n < count;
        });
      }
      if (n > 0) {
        reply.SetArrayLength(mark, n);
        ++served;
      } else {
        out.resize(key_mark);
        served_key = false;
      }
      // As Redis 7.0: a consumer is created (and seen) only when it is served something.
      if (n > 0) {
        engine::StreamDeliverBody(&Body(), r.group_name, r.consumer, ctx.now_ms, n > 0, last, read,
                                  false, ids);
        db.Apply(RedoOp::kStreamDeliver, keys[i], Body());
      }
    } else {
      // The consumer's own pending entries after the ID, deleted ones as [id, nil].
      ReplyKeyEntry(reply, keys[i]);
      const StreamValue::Consumer* c =
          new_consumer ? nullptr : g->consumers.find(r.consumer)->second.get();
      std::vector<StreamId> pending;
      if (c != nullptr) {
        for (auto it = c->pending.upper_bound(from[i]);
             it != c->pending.end() && (count == 0 || pending.size() < count); ++it) {
          pending.push_back(*it);
        }
      }
      reply.Array(pending.size());
      for (StreamId id : pending) {
        bool found = false;
        s->Range(id, id, false, [&](StreamId e, auto fv) {
          ReplyEntry(reply, e, fv);
          found = true;
          return false;
        });
        if (found) {
          ids.push_back(id);
        } else {
          reply.Array(2);
          ReplyId(reply, id);
          reply.NullArray();
        }
      }
      ++served;
      engine::StreamDeliverBody(&Body(), r.group_name, r.consumer, ctx.now_ms, false, {}, 0, true,
                                ids);
      db.Apply(RedoOp::kStreamDeliver, keys[i], Body());
    }
    if (new_consumer && served_key) {
      ctx.Notify(kNotifyStream, "xgroup-createconsumer", keys[i]);
    }
  }
  if (served > 0) {
    ReplyKeysHead(ctx.reply, served);
    ctx.reply.buffer()->append(out);
    return;
  }
  if (!r.block || !all_fresh) return ctx.reply.NullArray();
  if (!BlockClient(ctx, keys, r.timeout_ms, engine::ValueType::kStream)) ctx.reply.NullArray();
}

}  // namespace

std::vector<CommandSpec> StreamReadCommands() {
  CommandSpec xread{"xread", -4, kReadOnly | kBlocking | kMovableKeys, 0, 0, 0, CmdXRead,
                    "stream",
                    "Return never seen elements in multiple streams, with IDs greater than the "
                    "ones reported by the caller for each stream. Can block."};
  xread.keys_keyword = "streams";
  xread.keys_keyword_from = 1;
  CommandSpec xreadgroup{"xreadgroup", -7, kWrite | kBlocking | kMovableKeys, 0, 0, 0,
                         CmdXReadGroup, "stream",
                         "Return new entries from a stream using a consumer group, or access the "
                         "history of the pending entries for a given consumer. Can block."};
  xreadgroup.keys_keyword = "streams";
  xreadgroup.keys_keyword_from = 4;
  return {xread, xreadgroup};
}

}  // namespace strata::server
