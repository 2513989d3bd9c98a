// DUMP and RESTORE: a key's value in redis-server 7.0's serialization (engine/rdb_value.h), so
// that a payload DUMPed by either server RESTOREs in the other. Replies, argument checks and
// error texts are Redis 7.0's.
//
// RESTORE validates the whole payload (trailer, checksum, and every part of the object) before
// it changes anything, whatever sanitize-dump-payload says: a corrupt payload gets Redis's
// error and the keyspace is left alone. The new value is logged as one put (DbView::Put).
// Streams are neither dumped nor restored yet (err::kDumpStream).
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/string_util.h"
#include "engine/db_view.h"
#include "engine/entry.h"
#include "engine/evict.h"
#include "engine/rdb_value.h"
#include "engine/value.h"
#include "server/commands/command.h"
#include "server/commands/errors.h"
#include "server/notify.h"

namespace strata::server {
namespace {

using engine::Entry;
using engine::ValueType;

void CmdDump(CommandContext& ctx) {
  const std::string_view key = ctx.args[1];
  engine::ShardLocks locks = ctx.Lock(key);
  engine::DbView db = ctx.db();
  const Entry* e = db.FindRead(key);
  if (e == nullptr) return ctx.reply.Null();
  if (e->type() == ValueType::kString) return ctx.reply.Bulk(engine::DumpString(e->str()));
  std::string payload;
  if (!engine::DumpValue(*e->value(), ctx.keyspace().encoding_limits(), &payload).ok()) {
    return ctx.reply.Error(err::kDumpStream);
  }
  ctx.reply.Bulk(payload);
}

// RESTORE's options (Redis's restoreCommand): IDLETIME and FREQ exclude each other (the second
// one is a syntax error).
struct RestoreOptions {
  bool replace = false;
  bool absttl = false;
  int64_t idle = -1;  // seconds
  int64_t freq = -1;
};

bool ParseRestoreOptions(CommandContext& ctx, RestoreOptions* o) {
  for (size_t j = 4; j < ctx.args.size(); ++j) {
    const std::string_view a = ctx.args[j];
    const bool more = j + 1 < ctx.args.size();
    if (EqualsIgnoreCase(a, "replace")) {
      o->replace = true;
    } else if (EqualsIgnoreCase(a, "absttl")) {
      o->absttl = true;
    } else if (EqualsIgnoreCase(a, "idletime") && more && o->freq == -1) {
      if (!ArgToInt(ctx, ctx.args[++j], &o->idle)) return false;
      if (o->idle < 0) {
        ctx.reply.Error(err::kInvalidIdleTime);
        return false;
      }
    } else if (EqualsIgnoreCase(a, "freq") && more && o->idle == -1) {
      if (!ArgToInt(ctx, ctx.args[++j], &o->freq)) return false;
      if (o->freq < 0 || o->freq > 255) {
        ctx.reply.Error(err::kInvalidFreq);
        return false;
      }
    } else {
      ctx.reply.Error(Status::Syntax());
      return false;
    }
  }
  return true;
}

// The access field of a restored key (Redis's objectSetLRUOrLFU): FREQ under an LFU policy,
// IDLETIME under any other; else a new key's.
uint32_t RestoredClock(CommandContext& ctx, const RestoreOptions& o) {
  const engine::EvictionPolicy policy = ctx.keyspace().eviction_policy();
  if (engine::IsLfu(policy)) {
    if (o.freq >= 0) {
      return (engine::LfuMinutes(ctx.now_ms) << 8) | static_cast<uint32_t>(o.freq);
    }
  } else if (o.idle >= 0) {
    constexpr int64_t kClockMax = (1 << 24) - 1;  // Redis's LRU_CLOCK_MAX
    const int64_t clock = engine::AccessClockAt(ctx.now_ms);
    int64_t abs = clock - o.idle;  // idle >= 0 and clock < 2^24: no overflow
    // An access time before the clock's wrap: half-way round it, so the key stays idle long.
    if (abs < 0) abs = (clock + kClockMax / 2) % kClockMax;
    return static_cast<uint32_t>(abs);
  }
  return ctx.keyspace().NewAccessClock(ctx.now_ms);
}

void CmdRestore(CommandContext& ctx) {
  RestoreOptions o;
  if (!ParseRestoreOptions(ctx, &o)) return;
  const std::string_view key = ctx.args[1];
  engine::ShardLocks locks = ctx.Lock(key);
  engine::DbView db = ctx.db();
  if (!o.replace && db.Find(key) != nullptr) return ctx.reply.Error(err::kBusyKey);
  int64_t ttl;
  if (!ArgToInt(ctx, ctx.args[2], &ttl)) return;
  if (ttl < 0) return ctx.reply.Error(err::kInvalidTtl);

  engine::RdbObject obj;
  const Status st = engine::DecodeDump(ctx.args[3], ctx.keyspace().encoding_limits(), &obj);
  if (st.code() == Code::kInvalidArgument) return ctx.reply.Error(err::kDumpChecksum);
  if (st.code() == Code::kNotFound) return ctx.reply.Error(err::kDumpStream);
  if (!st.ok()) return ctx.reply.Error(err::kBadDataFormat);

  // A relative TTL from now; an addition past int64 wraps, as Redis's does (and then counts
  // as expired).
  if (ttl != 0 && !o.absttl) {
    ttl = static_cast<int64_t>(static_cast<uint64_t>(ttl) + static_cast<uint64_t>(ctx.now_ms));
  }
  if (ttl != 0 && ttl <= ctx.now_ms) {
    // Already expired: the key ends up absent (REPLACE deletes the old one).
    if (o.replace && db.Delete(key)) ctx.Notify(kNotifyGeneric, "del", key);
    return ctx.reply.Ok();
  }
  const uint32_t clock = RestoredClock(ctx, o);
  Entry* e = obj.type == ValueType::kString
                 ? Entry::NewString(key, obj.str, ttl, /*raw=*/false, clock)
                 : Entry::NewObject(key, obj.value.release(), ttl, clock);
  db.Put(e);  // replaces the old value, if any (REPLACE); logged as one put
  ctx.Notify(kNotifyGeneric, "restore", key);
  ctx.reply.Ok();
}

}  // namespace

std::vector<CommandSpec> DumpFamily() {
  // clang-format off
  return {
      {"dump", 2, kReadOnly, 1, 1, 1, CmdDump, "generic",
       "Return a serialized version of the value stored at the specified key."},
      {"restore", -4, kWrite | kDenyOom, 1, 1, 1, CmdRestore, "generic",
       "Create a key using the provided serialized value, previously obtained using DUMP.", {}, 0,
       kAclGroupCategory | kAclDangerous},
  };
  // clang-format on
}

}  // namespace strata::server
