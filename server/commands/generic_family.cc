// The generic (keyspace) family: commands that act on keys whatever their type (DEL, EXISTS,
// EXPIRE, RENAME, SCAN, ...), on whole databases (DBSIZE, FLUSHDB, SWAPDB) and the OBJECT and
// MEMORY USAGE introspection commands. Replies and error texts are redis-server 7.0's.
//
// Locking: every handler holds a ShardLocks covering each key it touches through a DbView, taken
// at once for multi-key commands so that they are atomic. Commands that walk a whole database
// (KEYS, SCAN, RANDOMKEY) lock one shard at a time; FLUSHDB, FLUSHALL and SWAPDB lock every
// shard, so that no command sees them half done.
#include <bit>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "base/status.h"
#include "base/string_util.h"
#include "engine/db_view.h"
#include "engine/entry.h"
#include "engine/table.h"
#include "engine/value.h"
#include "server/net/client.h"
#include "server/commands/command.h"
#include "server/net/reply_builder.h"
#include "server/server.h"
#include "server/commands/errors.h"
#include "server/notify.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::Entry;
using engine::Keyspace;
using engine::Shard;
using engine::ValueType;

// ---- Shared helpers ----

int ClientDb(const CommandContext& ctx) { return ctx.client.db.load(std::memory_order_relaxed); }

// The arguments from index `first` to the end (the keys of DEL, EXISTS, ...).
std::span<const std::string_view> ArgsFrom(const CommandContext& ctx, size_t first) {
  return ctx.args.subspan(first);
}

// The live entry for key in the client's db or null, without touching its access clock
// (DbView::Peek). An expired key met here is deleted, and the delete logged through ctx.redo
// like every other lazy expiry (a delete missing from the log left replay with a key the live
// server no longer had). REQUIRES: the key's shard locked.
Entry* PeekRead(CommandContext& ctx, std::string_view key) { return ctx.db().Peek(key); }

// Parses a database index as Redis's getIntFromObjectOrReply plus the range check of SELECT:
// not an int64 -> "value is not an integer", not an int -> "value is out of range", outside
// [0, num_dbs) -> "DB index is out of range".
// Replies and returns false on bad input.
bool ParseDbIndex(CommandContext& ctx, std::string_view arg, int* out) {
  int64_t v;
  if (!ArgToInt(ctx, arg, &v)) return false;
  if (v < INT_MIN || v > INT_MAX) {
    ctx.reply.Error(err::kNotInt32);
    return false;
  }
  if (v < 0 || v >= ctx.keyspace().num_dbs()) {
    ctx.reply.Error(err::kDbIndexOutOfRange);
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

// A new entry holding a copy of e's value and TTL under `key` (the caller owns it). The copy's
// access clock is "now", as a new Redis object's.
Entry* CloneAs(const Entry& e, std::string_view key, uint32_t clock,
               const engine::EncodingLimits& limits) {
  if (e.type() == ValueType::kString) {
    return Entry::NewString(key, e.str(), e.expire_ms(), e.raw(), clock);
  }
  return Entry::NewObject(key, engine::CloneValue(*e.value(), limits).release(), e.expire_ms(),
                          clock);
}


// ---- DEL, UNLINK, EXISTS, TOUCH, TYPE ----

// Deletes each key; returns how many existed (a repeated key counts once).
// DEL and UNLINK: UNLINK frees large values on the lazy-free thread, DEL too with
// lazyfree-lazy-user-del (engine/lazy_free.h).
void CmdDel(CommandContext& ctx) {
  auto keys = ArgsFrom(ctx, 1);
  const uint32_t lazy = EqualsIgnoreCase(ctx.args[0], "unlink") ? engine::kLazyAlways
                                                                : engine::kLazyUserDel;
  engine::ShardLocks locks = ctx.Lock(keys);
  DbView db = ctx.db();
  int64_t n = 0;
  for (std::string_view k : keys) {
    if (!db.Delete(k, lazy)) continue;
    ++n;
    ctx.Notify(kNotifyGeneric, "del", k);
  }
  ctx.reply.Int(n);
}

void CmdExists(CommandContext& ctx) {
  auto keys = ArgsFrom(ctx, 1);
  engine::ShardLocks locks = ctx.Lock(keys);
  int64_t n = 0;  // a repeated key counts each time, as in Redis
  for (std::string_view k : keys) {
    n += PeekRead(ctx, k) != nullptr ? 1 : 0;
  }
  ctx.reply.Int(n);
}

void CmdTouch(CommandContext& ctx) {
  auto keys = ArgsFrom(ctx, 1);
  engine::ShardLocks locks = ctx.Lock(keys);
  DbView db = ctx.db();
  int64_t n = 0;
  for (std::string_view k : keys) n += db.FindRead(k) != nullptr ? 1 : 0;
  ctx.reply.Int(n);
}

void CmdType(CommandContext& ctx) {
  engine::ShardLocks locks = ctx.Lock(ctx.args[1]);
  Entry* e = PeekRead(ctx, ctx.args[1]);
  ctx.reply.Simple(e != nullptr ? engine::TypeName(e->type()) : "none");
}

// ---- EXPIRE family, TTL family, PERSIST ----

enum ExpireFlag : unsigned { kExpireNx = 1, kExpireXx = 2, kExpireGt = 4, kExpireLt = 8 };

// Parses the NX/XX/GT/LT options after `key time`. Replies and returns false on bad input.
bool ParseExpireFlags(CommandContext& ctx, unsigned* flags) {
  *flags = 0;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    std::string_view opt = ctx.args[i];
    if (EqualsIgnoreCase(opt, "nx")) {
      *flags |= kExpireNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      *flags |= kExpireXx;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      *flags |= kExpireGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      *flags |= kExpireLt;
    } else {
      // Redis formats the option with %s, so the text stops at a NUL byte.
      ctx.reply.Error(err::UnsupportedOption(opt.substr(0, opt.find('\0'))));
      return false;
    }
  }
  if ((*flags & kExpireNx) && (*flags & (kExpireXx | kExpireGt | kExpireLt))) {
    ctx.reply.Error(err::kNxWithXxGtLt);
    return false;
  }
  if ((*flags & kExpireGt) && (*flags & kExpireLt)) {
    ctx.reply.Error(err::kGtAndLt);
    return false;
  }
  return true;
}

// Gives key the absolute expiry when_ms, subject to flags (a key without TTL counts as an
// infinite TTL for GT and LT). A time not in the future deletes the key. Returns whether the
// key's TTL changed (or it was deleted), and the event that names what happened ("expire" or
// "del") in *event. REQUIRES: the key's shard locked.
bool OpExpire(DbView& db, std::string_view key, int64_t when_ms, unsigned flags,
              const char** event) {
  Entry* e = db.FindKey(key);
  if (e == nullptr) return false;
  const int64_t current = e->expire_ms();  // 0: no TTL
  if ((flags & kExpireNx) && current != 0) return false;
  if ((flags & kExpireXx) && current == 0) return false;
  if ((flags & kExpireGt) && (current == 0 || when_ms <= current)) return false;
  if ((flags & kExpireLt) && current != 0 && when_ms >= current) return false;
  *event = when_ms <= db.now_ms() ? "del" : "expire";
  if (when_ms <= db.now_ms()) return db.Delete(key);
  return db.SetExpire(key, when_ms);
}

// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: `key time` in unit_ms (1000 or 1), added to base_ms.
void ExpireGeneric(CommandContext& ctx, int64_t base_ms, int64_t unit_ms) {
  unsigned flags;
  if (!ParseExpireFlags(ctx, &flags)) return;
  int64_t when;
  if (!ArgToInt(ctx, ctx.args[2], &when)) return;
  const std::string bad_time = err::InvalidExpireTime(ToLower(ctx.args[0]));
  if (when > INT64_MAX / unit_ms || when < INT64_MIN / unit_ms) return ctx.reply.Error(bad_time);
  when *= unit_ms;
  if (when > INT64_MAX - base_ms) return ctx.reply.Error(bad_time);
  when += base_ms;
  engine::ShardLocks locks = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  const char* event = nullptr;
  const bool changed = OpExpire(db, ctx.args[1], when, flags, &event);
  if (changed) ctx.Notify(kNotifyGeneric, event, ctx.args[1]);
  ctx.reply.Int(changed ? 1 : 0);
}

void CmdExpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.now_ms, 1000); }
void CmdPExpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.now_ms, 1); }
void CmdExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, 1000); }
void CmdPExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, 1); }

enum class TtlForm { kRemainingSec, kRemainingMs, kAbsoluteSec, kAbsoluteMs };

// Redis's TTL reply: -2 for a missing key, -1 for no TTL, else the remaining (or absolute) time,
// never negative, seconds rounded to nearest. REQUIRES: the key's shard locked.
int64_t OpTtl(CommandContext& ctx, std::string_view key, TtlForm form) {
  const int64_t now_ms = ctx.now_ms;
  Entry* e = PeekRead(ctx, key);
  if (e == nullptr) return -2;
  const int64_t expire = e->expire_ms();
  if (expire == 0) return -1;
  const bool absolute = form == TtlForm::kAbsoluteSec || form == TtlForm::kAbsoluteMs;
  int64_t ttl = absolute ? expire : expire - now_ms;
  if (ttl < 0) ttl = 0;
  const bool millis = form == TtlForm::kRemainingMs || form == TtlForm::kAbsoluteMs;
  return millis ? ttl : (ttl + 500) / 1000;
}

void TtlGeneric(CommandContext& ctx, TtlForm form) {
  engine::ShardLocks locks = ctx.Lock(ctx.args[1]);
  ctx.reply.Int(OpTtl(ctx, ctx.args[1], form));
}

void CmdTtl(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kRemainingSec); }
void CmdPTtl(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kRemainingMs); }
void CmdExpireTime(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kAbsoluteSec); }
void CmdPExpireTime(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kAbsoluteMs); }

void CmdPersist(CommandContext& ctx) {
  engine::ShardLocks locks = ctx.Lock(ctx.args[1]);
  DbView db = ctx.db();
  Entry* e = db.FindKey(ctx.args[1]);
  const bool had_ttl = e != nullptr && e->expire_ms() != 0;
  if (had_ttl) {
    db.SetExpire(ctx.args[1], 0);
    ctx.Notify(kNotifyGeneric, "persist", ctx.args[1]);
  }
  ctx.reply.Int(had_ttl ? 1 : 0);
}

// ---- KEYS, SCAN, RANDOMKEY, DBSIZE ----

// Every live key of db matching pattern. Expired keys are skipped, not deleted, as in Redis.
// Locks one shard at a time, so the result is not a snapshot across shards.
std::vector<std::string> OpKeys(Keyspace& ks, int db, std::string_view pattern, int64_t now_ms,
                                engine::RedoRecord* redo) {
  const bool all = pattern == "*";
  std::vector<std::string> out;
  for (int i = 0; i < ks.num_shards(); ++i) {
    Shard& shard = ks.shard(i);
    engine::ShardLocks lock(&ks, static_cast<uint32_t>(i), redo);  // notes what the reply shows
    const engine::Table& table = shard.table(db);
    uint64_t cursor = 0;
    do {
      cursor = table.Scan(cursor, [&](Entry* e) {
        const int64_t exp = e->expire_ms();
        if (exp != 0 && exp <= now_ms) return;
        if (all || GlobMatch(pattern, e->key())) out.emplace_back(e->key());
      });
    } while (cursor != 0);
  }
  return out;
}

void CmdKeys(CommandContext& ctx) {
  std::vector<std::string> keys =
      OpKeys(ctx.keyspace(), ClientDb(ctx), ctx.args[1], ctx.now_ms, ctx.redo);
  ctx.reply.Array(keys.size());
  for (const std::string& k : keys) ctx.reply.Bulk(k);
}

struct ScanOptions {
  int64_t count = 10;
  std::optional<std::string_view> pattern;  // unset: every key ("*" is treated as unset)
  std::optional<std::string_view> type;     // unset: every type
};

// One step of SCAN over db from `cursor`. The cursor is (table cursor << shard_bits) | shard:
// the walk covers shard 0's table, then shard 1's, and so on, each with its table's
// reverse-binary cursor, so every key present for the whole scan is returned at least once.
// Like Redis, the step stops after about count keys were visited (before filtering) or 10 *
// count buckets. Expired keys met are deleted. Returns the next cursor, 0 when done.
uint64_t OpScan(Keyspace& ks, int db, uint64_t cursor, const ScanOptions& opts, int64_t now_ms,
                engine::RedoRecord* redo, std::vector<std::string>* out) {
  const uint32_t num_shards = static_cast<uint32_t>(ks.num_shards());
  const int shard_bits = std::countr_zero(num_shards);
  uint32_t shard_id = static_cast<uint32_t>(cursor & (num_shards - 1));
  uint64_t table_cursor = cursor >> shard_bits;
  int64_t budget = opts.count > INT64_MAX / 10 ? INT64_MAX : opts.count * 10;  // maxiterations
  int64_t visited = 0;
  std::vector<std::string> batch;
  for (;;) {
    Shard& shard = ks.shard(shard_id);
    {
      engine::ShardLocks lock(&ks, shard_id, redo);
      const engine::Table& table = shard.table(db);
      batch.clear();
      if (table.size() == 0) {
        table_cursor = 0;  // an empty table costs no budget
      } else {
        do {
          table_cursor = table.Scan(table_cursor, [&](Entry* e) { batch.emplace_back(e->key()); });
        } while (table_cursor != 0 && --budget > 0 &&
                 visited + static_cast<int64_t>(batch.size()) < opts.count);
      }
      visited += static_cast<int64_t>(batch.size());
      for (std::string& key : batch) {
        if (opts.pattern && !GlobMatch(*opts.pattern, key)) continue;
        Entry* e = shard.Find(db, key, HashKey(key), now_ms, redo);  // deletes an expired key
        if (e == nullptr) continue;
        if (opts.type && !EqualsIgnoreCase(engine::TypeName(e->type()), *opts.type)) continue;
        out->push_back(std::move(key));
      }
    }
    if (table_cursor != 0) return (table_cursor << shard_bits) | shard_id;
    if (++shard_id == num_shards) return 0;
    // Next shard from its start: the cursor is the shard index, never 0 here.
    if (visited >= opts.count || budget <= 0) return shard_id;
  }
}

void CmdScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx, ctx.args[1], &cursor)) return;
  ScanOptions opts;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    const std::string_view opt = ctx.args[i];
    const bool has_value = i + 1 < ctx.args.size();
    if (has_value && EqualsIgnoreCase(opt, "count")) {
      if (!ArgToInt(ctx, ctx.args[i + 1], &opts.count)) return;
      if (opts.count < 1) return ctx.reply.Error(Status::Syntax());
    } else if (has_value && EqualsIgnoreCase(opt, "match")) {
      opts.pattern = ctx.args[i + 1];
      if (*opts.pattern == "*") opts.pattern.reset();
    } else if (has_value && EqualsIgnoreCase(opt, "type")) {
      opts.type = ctx.args[i + 1];
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  std::vector<std::string> keys;
  const uint64_t next =
      OpScan(ctx.keyspace(), ClientDb(ctx), cursor, opts, ctx.now_ms, ctx.redo, &keys);
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.Array(keys.size());
  for (const std::string& k : keys) ctx.reply.Bulk(k);
}

// A random live key of db, or nullopt if db has none. Each shard is picked with a probability
// proportional to its key count. Expired keys met on the way are deleted, so the loop ends.
std::optional<std::string> OpRandomKey(Keyspace& ks, int db, int64_t now_ms,
                                       engine::RedoRecord* redo) {
  std::random_device device;
  uint64_t rng = (static_cast<uint64_t>(device()) << 32) ^ device();
  std::vector<size_t> sizes(ks.num_shards());
  for (;;) {
    size_t total = 0;
    for (int i = 0; i < ks.num_shards(); ++i) {
      engine::ShardLocks lock(&ks, static_cast<uint32_t>(i));
      sizes[i] = ks.shard(i).table(db).size();
      total += sizes[i];
    }
    if (total == 0) return std::nullopt;
    size_t pick = SplitMix64(&rng) % total;
    int i = 0;
    while (pick >= sizes[i]) pick -= sizes[i++];
    Shard& shard = ks.shard(i);
    engine::ShardLocks lock(&ks, static_cast<uint32_t>(i), redo);
    Entry* e = shard.table(db).FairRandomEntry(SplitMix64(&rng));
    if (e == nullptr) continue;  // emptied since it was counted
    std::string key(e->key());
    if (shard.Find(db, key, HashKey(key), now_ms, redo) == nullptr) continue;  // expired: deleted
    return key;
  }
}

void CmdRandomKey(CommandContext& ctx) {
  std::optional<std::string> key = OpRandomKey(ctx.keyspace(), ClientDb(ctx), ctx.now_ms, ctx.redo);
  if (!key) return ctx.reply.Null();
  ctx.reply.Bulk(*key);
}

void CmdDbSize(CommandContext& ctx) {
  ctx.reply.Int(static_cast<int64_t>(ctx.keyspace().DbSize(ClientDb(ctx))));
}

// ---- RENAME, RENAMENX, COPY, MOVE ----

// Renames src to dst (replacing dst unless nx), keeping the TTL and access clock. Returns
// NoSuchKey if src is missing, else whether it renamed (false: nx and dst exists, or src is
// dst with nx). REQUIRES: the shards of src and dst locked.
Result<bool> OpRename(DbView& db, std::string_view src, std::string_view dst, bool nx) {
  Entry* e = db.Find(src);
  if (e == nullptr) return Status::NoSuchKey();
  if (src == dst) return !nx;
  if (nx && db.Find(dst) != nullptr) return false;
  // The value moves to the new entry; a collection is not copied.
  Entry* old = db.Take(src);
  Entry* renamed =
      old->type() == ValueType::kString
          ? Entry::NewString(dst, old->str(), old->expire_ms(), old->raw(), old->access_clock())
          : Entry::NewObject(dst, old->ReleaseValue(), old->expire_ms(), old->access_clock());
  Entry::Free(old);
  db.Put(renamed);
  return true;
}

void RenameGeneric(CommandContext& ctx, bool nx) {
  engine::ShardLocks locks = ctx.Lock(ctx.args.subspan(1, 2));
  DbView db = ctx.db();
  Result<bool> renamed = OpRename(db, ctx.args[1], ctx.args[2], nx);
  if (!renamed.ok()) return ctx.reply.Error(renamed.status());
  if (*renamed && ctx.args[1] != ctx.args[2]) {
    ctx.Notify(kNotifyGeneric, "rename_from", ctx.args[1]);
    ctx.Notify(kNotifyGeneric, "rename_to", ctx.args[2]);
  }
  if (nx) return ctx.reply.Int(*renamed ? 1 : 0);
  ctx.reply.Ok();
}

void CmdRename(CommandContext& ctx) { RenameGeneric(ctx, /*nx=*/false); }
void CmdRenameNx(CommandContext& ctx) { RenameGeneric(ctx, /*nx=*/true); }

// Copies src (in from) to dst (in to), with its TTL. Returns whether it copied: false if src is
// missing, or dst exists and !replace. REQUIRES: the shards of src and dst locked, and src and
// dst not the same key of the same db.
Result<bool> OpCopy(DbView& from, DbView& to, std::string_view src, std::string_view dst,
                    bool replace) {
  Entry* e = from.FindRead(src);
  if (e == nullptr) return false;
  if (!replace && to.Find(dst) != nullptr) return false;
  to.Put(CloneAs(*e, dst, to.keyspace().NewAccessClock(to.now_ms()),
                 to.keyspace().encoding_limits()));
  return true;
}

void CmdCopy(CommandContext& ctx) {
  const int src_db = ClientDb(ctx);
  int dst_db = src_db;
  bool replace = false;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    if (EqualsIgnoreCase(ctx.args[i], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.args[i], "db") && i + 1 < ctx.args.size()) {
      if (!ParseDbIndex(ctx, ctx.args[++i], &dst_db)) return;
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  const std::string_view src = ctx.args[1], dst = ctx.args[2];
  if (src_db == dst_db && src == dst) return ctx.reply.Error(err::kSameObject);
  engine::ShardLocks locks = ctx.Lock(ctx.args.subspan(1, 2));
  DbView from = ctx.db();
  DbView to = ctx.db(dst_db);
  Result<bool> copied = OpCopy(from, to, src, dst, replace);
  if (!copied.ok()) return ctx.reply.Error(copied.status());
  if (*copied) ctx.Notify(kNotifyGeneric, "copy_to", dst, dst_db);
  ctx.reply.Int(*copied ? 1 : 0);
}

// Moves key from one db to another (different) db, with its TTL. Returns false if the key is
// missing from `from` or already in `to`. REQUIRES: the key's shard locked.
bool OpMove(DbView& from, DbView& to, std::string_view key) {
  if (from.Find(key) == nullptr || to.Find(key) != nullptr) return false;
  to.Put(from.Take(key));
  return true;
}

void CmdMove(CommandContext& ctx) {
  int dst_db;
  if (!ParseDbIndex(ctx, ctx.args[2], &dst_db)) return;
  if (dst_db == ClientDb(ctx)) return ctx.reply.Error(err::kSameObject);
  engine::ShardLocks locks = ctx.Lock(ctx.args[1]);
  DbView from = ctx.db();
  DbView to = ctx.db(dst_db);
  const bool moved = OpMove(from, to, ctx.args[1]);
  if (moved) {
    ctx.Notify(kNotifyGeneric, "move_from", ctx.args[1]);
    ctx.Notify(kNotifyGeneric, "move_to", ctx.args[1], dst_db);
  }
  ctx.reply.Int(moved ? 1 : 0);
}

// ---- SWAPDB, FLUSHDB, FLUSHALL ----

// Parses a SWAPDB index (an int, else `error`). Range is checked by the caller.
// Whether a database holds key, expired or not (Redis's test for the WATCH marks of FLUSHALL,
// FLUSHDB and SWAPDB). REQUIRES: every shard locked.
auto KeyHeld(Keyspace& ks) {
  return [&ks](int db, std::string_view key) {
    const uint64_t h = HashKey(key);
    return ks.shard(ks.ShardOf(h)).table(db).Find(key, h) != nullptr;
  };
}

bool ParseSwapIndex(CommandContext& ctx, std::string_view arg, std::string_view error, int* out) {
  std::optional<int64_t> v = ParseInt64(arg);
  if (!v || *v < INT_MIN || *v > INT_MAX) {
    ctx.reply.Error(error);
    return false;
  }
  *out = static_cast<int>(*v);
  return true;
}

void CmdSwapDb(CommandContext& ctx) {
  int a, b;
  if (!ParseSwapIndex(ctx, ctx.args[1], err::kInvalidFirstDb, &a)) return;
  if (!ParseSwapIndex(ctx, ctx.args[2], err::kInvalidSecondDb, &b)) return;
  Keyspace& ks = ctx.keyspace();
  if (a < 0 || a >= ks.num_dbs() || b < 0 || b >= ks.num_dbs()) {
    return ctx.reply.Error(err::kDbIndexOutOfRange);
  }
  if (a != b) {
    engine::ShardLocks locks = ctx.LockAll();
    ctx.server.watches().TouchForFlushOrSwap(a, b, KeyHeld(ks));
    for (int i = 0; i < ks.num_shards(); ++i) ks.shard(i).Swap(a, b);
    if (ctx.redo != nullptr) ctx.redo->SwapDb(a, b);
  }
  ctx.reply.Ok();
}

// FLUSHDB/FLUSHALL's optional ASYNC|SYNC: *lazy says whether the values are freed on the
// lazy-free thread (ASYNC, or no mode with lazyfree-lazy-user-flush). Replies and returns
// false on bad input.
bool ParseFlushMode(CommandContext& ctx, bool* lazy) {
  *lazy = ctx.keyspace().lazy_free().lazy(engine::kLazyUserFlush);
  if (ctx.args.size() == 1) return true;
  if (ctx.args.size() == 2 &&
      (EqualsIgnoreCase(ctx.args[1], "sync") || EqualsIgnoreCase(ctx.args[1], "async"))) {
    *lazy = EqualsIgnoreCase(ctx.args[1], "async");
    return true;
  }
  ctx.reply.Error(Status::Syntax());
  return false;
}

// Empties db (or every db if db < 0) under every shard's lock, so no command sees it half done.
// With `lazy` the tables are handed whole to the lazy-free thread: the command's cost no longer
// grows with the number of keys.
void OpFlush(CommandContext& ctx, int db, bool lazy) {
  Keyspace& ks = ctx.keyspace();
  engine::ShardLocks locks = ctx.LockAll();
  ctx.server.watches().TouchForFlushOrSwap(db, -1, KeyHeld(ks));
  if (ctx.redo != nullptr) {
    if (db >= 0) {
      ctx.redo->FlushDb(db);
    } else {
      ctx.redo->FlushAll();
    }
  }
  for (int i = 0; i < ks.num_shards(); ++i) {
    if (db >= 0) {
      ks.shard(i).Clear(db, lazy);
    } else {
      for (int d = 0; d < ks.num_dbs(); ++d) ks.shard(i).Clear(d, lazy);
    }
  }
}

void CmdFlushDb(CommandContext& ctx) {
  bool lazy;
  if (!ParseFlushMode(ctx, &lazy)) return;
  OpFlush(ctx, ClientDb(ctx), lazy);
  ctx.reply.Ok();
}

void CmdFlushAll(CommandContext& ctx) {
  bool lazy;
  if (!ParseFlushMode(ctx, &lazy)) return;
  OpFlush(ctx, -1, lazy);
  ctx.reply.Ok();
}

// ---- OBJECT ----

// Redis's encoding name for a value. Strings follow Redis's rules ("int" for a canonical
// integer, "embstr" up to 44 bytes, unless a change in place such as APPEND made it "raw").
// Collections report their value's encoding (engine/value.h).
const char* EncodingName(const Entry& e) {
  if (e.type() != ValueType::kString) return e.value()->encoding();
  const std::string_view v = e.str();
  if (e.raw()) return "raw";
  if (v.size() <= 20 && ParseInt64(v)) return "int";
  return v.size() <= 44 ? "embstr" : "raw";
}

// Redis's OBJECT REFCOUNT: integers 0..9999 are shared objects (refcount INT_MAX) unless
// maxmemory is set with an LRU or LFU policy (whose per-key access field forbids sharing); every
// other value is 1. Redis decides when the value is written; Strata, keeping no such bit, by
// the settings at the time of the question.
int64_t RefCount(const Entry& e, bool sharing) {
  if (!sharing) return 1;
  if (e.type() != ValueType::kString || std::string_view(EncodingName(e)) != "int") return 1;
  const int64_t v = *ParseInt64(e.str());
  return v >= 0 && v < 10000 ? INT_MAX : 1;
}

// Runs fn(entry) for OBJECT's key (args[2]) under its shard's lock, or replies null if missing.
template <typename Fn>
void WithObject(CommandContext& ctx, Fn fn) {
  engine::ShardLocks locks = ctx.Lock(ctx.args[2]);
  Entry* e = ctx.db().PeekValue(ctx.args[2]);
  if (e == nullptr) return ctx.reply.Null();
  fn(*e);
}

void CmdObjectEncoding(CommandContext& ctx) {
  WithObject(ctx, [&](const Entry& e) { ctx.reply.Bulk(EncodingName(e)); });
}

void CmdObjectRefCount(CommandContext& ctx) {
  const engine::EvictionPolicy policy = ctx.keyspace().eviction_policy();
  const bool sharing = ctx.server.config().Int(Param::kMaxmemory) == 0 ||
                       engine::IsRandom(policy) || policy == engine::EvictionPolicy::kVolatileTtl ||
                       policy == engine::EvictionPolicy::kNoEviction;
  WithObject(ctx, [&](const Entry& e) { ctx.reply.Int(RefCount(e, sharing)); });
}

// The access field holds an LRU clock or an LFU counter depending on the policy
// (engine/evict.h); each subcommand answers only for its own kind, with Redis's errors.
void CmdObjectIdleTime(CommandContext& ctx) {
  WithObject(ctx, [&](const Entry& e) {
    if (engine::IsLfu(ctx.keyspace().eviction_policy())) {
      return ctx.reply.Error(err::kLfuSelected);
    }
    ctx.reply.Int(engine::IdleSeconds(&e));
  });
}

void CmdObjectFreq(CommandContext& ctx) {
  WithObject(ctx, [&](const Entry& e) {
    const engine::EvictionConfig cfg = ctx.keyspace().eviction();
    if (!engine::IsLfu(cfg.policy)) {
      return ctx.reply.Error(err::kLfuNotSelected);
    }
    ctx.reply.Int(engine::LfuDecayed(e.access_clock(), cfg.lfu_decay_time, ctx.now_ms));
  });
}

void CmdObjectHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
  };
  ReplyHelp(ctx, "OBJECT", kLines);
}

// ---- MEMORY ----

void CmdMemoryUsage(CommandContext& ctx) {
  // SAMPLES is validated as Redis does; every value is measured whole, so it has no effect.
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    if (EqualsIgnoreCase(ctx.args[i], "samples") && i + 1 < ctx.args.size()) {
      int64_t samples;
      if (!ArgToInt(ctx, ctx.args[++i], &samples)) return;
      if (samples < 0) return ctx.reply.Error(Status::Syntax());
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  const std::string_view key = ctx.args[2];
  Keyspace& ks = ctx.keyspace();
  engine::ShardLocks locks = ks.Lock(key);
  const uint64_t hash = HashKey(key);
  // As Redis's dictFind: an expired key not yet reclaimed is still measured.
  const Entry* e = ks.shard(ks.ShardOf(hash)).table(ClientDb(ctx)).Find(key, hash);
  if (e == nullptr) return ctx.reply.Null();
  // The entry's allocation, its collection's, and its bucket slot in the index.
  ctx.reply.Int(static_cast<int64_t>(e->MemoryBytes() + sizeof(Entry*)));
}

void CmdMemoryHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
  };
  ReplyHelp(ctx, "MEMORY", kLines);
}

}  // namespace

std::vector<CommandSpec> GenericFamily() {
  constexpr uint32_t kW = kWrite, kR = kReadOnly, kF = kFast;
  // clang-format off
  return {
      {"del", -2, kW | kKeysOnly, 1, -1, 1, CmdDel, "generic", "Delete a key"},
      {"unlink", -2, kW | kF | kKeysOnly, 1, -1, 1, CmdDel, "generic",
       "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non "
       "blocking."},
      {"exists", -2, kR | kF | kKeysOnly, 1, -1, 1, CmdExists, "generic", "Determine if a key exists"},
      {"touch", -2, kR | kF, 1, -1, 1, CmdTouch, "generic",
       "Alters the last access time of a key(s). Returns the number of existing keys specified."},
      {"type", 2, kR | kF | kKeysOnly, 1, 1, 1, CmdType, "generic", "Determine the type stored at key"},
      {"expire", -3, kW | kF | kKeysOnly, 1, 1, 1, CmdExpire, "generic", "Set a key's time to live in seconds"},
      {"pexpire", -3, kW | kF | kKeysOnly, 1, 1, 1, CmdPExpire, "generic",
       "Set a key's time to live in milliseconds"},
      {"expireat", -3, kW | kF | kKeysOnly, 1, 1, 1, CmdExpireAt, "generic",
       "Set the expiration for a key as a UNIX timestamp"},
      {"pexpireat", -3, kW | kF | kKeysOnly, 1, 1, 1, CmdPExpireAt, "generic",
       "Set the expiration for a key as a UNIX timestamp specified in milliseconds"},
      {"ttl", 2, kR | kF | kKeysOnly, 1, 1, 1, CmdTtl, "generic", "Get the time to live for a key in seconds"},
      {"pttl", 2, kR | kF | kKeysOnly, 1, 1, 1, CmdPTtl, "generic",
       "Get the time to live for a key in milliseconds"},
      {"expiretime", 2, kR | kF | kKeysOnly, 1, 1, 1, CmdExpireTime, "generic",
       "Get the expiration Unix timestamp for a key"},
      {"pexpiretime", 2, kR | kF | kKeysOnly, 1, 1, 1, CmdPExpireTime, "generic",
       "Get the expiration Unix timestamp for a key in milliseconds"},
      {"persist", 2, kW | kF | kKeysOnly, 1, 1, 1, CmdPersist, "generic", "Remove the expiration from a key"},
      {"keys", 2, kR, 0, 0, 0, CmdKeys, "generic", "Find all keys matching the given pattern", {}, 0,
       kAclGroupCategory | kAclDangerous},
      {"scan", -2, kR, 0, 0, 0, CmdScan, "generic", "Incrementally iterate the keys space"},
      {"randomkey", 1, kR, 0, 0, 0, CmdRandomKey, "generic",
       "Return a random key from the keyspace"},
      {"dbsize", 1, kR | kF, 0, 0, 0, CmdDbSize, "generic",
       "Return the number of keys in the selected database"},
      {"rename", 3, kW, 1, 2, 1, CmdRename, "generic", "Rename a key"},
      {"renamenx", 3, kW | kF, 1, 2, 1, CmdRenameNx, "generic",
       "Rename a key, only if the new key does not exist"},
      {"copy", -3, kW | kDenyOom, 1, 2, 1, CmdCopy, "generic", "Copy a key"},
      {"move", 3, kW | kF, 1, 1, 1, CmdMove, "generic", "Move a key to another database"},
      {"swapdb", 3, kW | kF, 0, 0, 0, CmdSwapDb, "generic", "Swaps two Redis databases", {}, 0,
       kAclGroupCategory | kAclDangerous},
      {"flushdb", -1, kW, 0, 0, 0, CmdFlushDb, "generic",
       "Remove all keys from the current database", {}, 0, kAclGroupCategory | kAclDangerous},
      {"flushall", -1, kW, 0, 0, 0, CmdFlushAll, "generic", "Remove all keys from all databases",
       {}, 0, kAclGroupCategory | kAclDangerous},
      {"object", -2, 0, 0, 0, 0, DispatchSubcommand, "generic",
       "A container for object introspection commands",
       {
           {"object|encoding", 3, kR, 2, 2, 1, CmdObjectEncoding, "generic",
            "Inspect the internal encoding of a Redis object"},
           {"object|freq", 3, kR, 2, 2, 1, CmdObjectFreq, "generic",
            "Get the logarithmic access frequency counter of a Redis object"},
           {"object|idletime", 3, kR, 2, 2, 1, CmdObjectIdleTime, "generic",
            "Get the time since a Redis object was last accessed"},
           {"object|refcount", 3, kR, 2, 2, 1, CmdObjectRefCount, "generic",
            "Get the number of references to the value of the key"},
           {"object|help", 2, kLoading | kStale, 0, 0, 0, CmdObjectHelp, "generic",
            "Show helpful text about the different subcommands"},
       }, 0, 0},
      {"memory", -2, 0, 0, 0, 0, DispatchSubcommand, "generic",
       "A container for memory diagnostics commands",
       {
           {"memory|usage", -3, kR, 2, 2, 1, CmdMemoryUsage, "generic",
            "Estimate the memory usage of a key", {}, 0, 0},
           {"memory|help", 2, kLoading | kStale, 0, 0, 0, CmdMemoryHelp, "generic",
            "Show helpful text about the different subcommands", {}, 0, 0},
       }, 0, 0},
  };
  // clang-format on
}

}  // namespace strata::server
