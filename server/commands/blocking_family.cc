// Blocking commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP.
//
// Each is its non-blocking twin's core (server/list_family.h, server/zset_family.h) run with
// the keys' shards locked; when that finds nothing, BlockClient (server/blocking.h) registers
// the client on the keys under those same locks, and the command runs again to serve it when
// one of them becomes ready (ctx.serve_key: that key alone); when the time is up the server
// answers for it (Server::TimeOut). Inside EXEC nothing blocks: the command answers a null at
// once, as in Redis (a null bulk for BLMOVE and BRPOPLPUSH, else a null array).
#include "server/blocking.h"
#include "server/commands/command.h"
#include "server/commands/list_family.h"
#include "server/server.h"
#include "server/commands/zset_family.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::ValueType;

// The keys a blocking command looks at: `keys`, or only the key it is being served from.
std::span<const std::string_view> KeysToPop(const CommandContext& ctx,
                                            std::span<const std::string_view> keys,
                                            std::string_view* one) {
  if (ctx.serve_key == nullptr) return keys;
  *one = *ctx.serve_key;
  return std::span<const std::string_view>(one, 1);
}

// BLPOP / BRPOP key [key ...] timeout
void BlockingPop(CommandContext& ctx, ListEnd where) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.args.back(), &timeout)) return;
  std::string_view one;
  const auto keys = KeysToPop(ctx, ctx.args.subspan(1, ctx.args.size() - 2), &one);
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  for (std::string_view key : keys) {
    auto popped = OpListPop(ctx, db, key, where, 1);
    if (!popped.ok()) return ctx.reply.Error(popped.status());
    if (popped->empty()) continue;
    ctx.reply.Array(2);
    ctx.reply.Bulk(key);
    return ctx.reply.Bulk(popped->front());
  }
  if (!BlockClient(ctx, keys, timeout, ValueType::kList)) ctx.reply.NullArray();
}

void CmdBLPop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kHead); }
void CmdBRPop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kTail); }

// BLMOVE / BRPOPLPUSH: waits on the source only.
void BlockingMove(CommandContext& ctx, ListEnd from, ListEnd to, std::string_view timeout_arg) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, timeout_arg, &timeout)) return;
  const std::string_view keys[] = {ctx.args[1], ctx.args[2]};
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  auto moved = OpListMove(ctx, db, keys[0], keys[1], from, to);
  if (!moved.ok()) return ctx.reply.Error(moved.status());
  if (moved->has_value()) return ctx.reply.Bulk(**moved);
  if (!BlockClient(ctx, std::span(keys, 1), timeout, ValueType::kList)) ctx.reply.Null();
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
void CmdBLMove(CommandContext& ctx) {
  ListEnd from, to;
  if (!ParseListEnd(ctx, ctx.args[3], &from) || !ParseListEnd(ctx, ctx.args[4], &to)) return;
  BlockingMove(ctx, from, to, ctx.args[5]);
}

// BRPOPLPUSH source destination timeout
void CmdBRPopLPush(CommandContext& ctx) {
  BlockingMove(ctx, ListEnd::kTail, ListEnd::kHead, ctx.args[3]);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
void CmdBLMPop(CommandContext& ctx) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.args[1], &timeout)) return;
  ListMPopArgs args;
  if (!ParseListMPopArgs(ctx, 2, &args)) return;
  std::string_view one;
  const auto keys = KeysToPop(ctx, args.keys, &one);
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  auto popped = OpListMPop(ctx, db, keys, args.where, args.count);
  if (!popped.ok()) return ctx.reply.Error(popped.status());
  if (popped->has_value() || !BlockClient(ctx, keys, timeout, ValueType::kList)) {
    ReplyListMPop(ctx.reply, *popped);
  }
}

// BZPOPMIN / BZPOPMAX key [key ...] timeout: [key, member, score].
void BlockingZPop(CommandContext& ctx, bool max) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.args.back(), &timeout)) return;
  std::string_view one;
  const auto keys = KeysToPop(ctx, ctx.args.subspan(1, ctx.args.size() - 2), &one);
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  for (std::string_view key : keys) {
    auto popped = OpZPop(ctx, db, key, max, 1);
    if (!popped.ok()) return ctx.reply.Error(popped.status());
    if (popped->empty()) continue;
    ctx.reply.Array(3);
    ctx.reply.Bulk(key);
    ctx.reply.Bulk(popped->front().first);
    return ctx.reply.Double(popped->front().second);
  }
  if (!BlockClient(ctx, keys, timeout, ValueType::kZSet)) ctx.reply.NullArray();
}

void CmdBZPopMin(CommandContext& ctx) { BlockingZPop(ctx, /*max=*/false); }
void CmdBZPopMax(CommandContext& ctx) { BlockingZPop(ctx, /*max=*/true); }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
void CmdBZMPop(CommandContext& ctx) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.args[1], &timeout)) return;
  ZMPopArgs args;
  if (!ParseZMPopArgs(ctx, 2, &args)) return;
  std::string_view one;
  const auto keys = KeysToPop(ctx, args.keys, &one);
  auto lock = ctx.Lock(keys);
  DbView db = ctx.db();
  for (std::string_view key : keys) {
    auto popped = OpZPop(ctx, db, key, args.max, args.count);
    if (!popped.ok()) return ctx.reply.Error(popped.status());
    if (!popped->empty()) return ReplyZMPop(ctx.reply, key, *popped);
  }
  if (!BlockClient(ctx, keys, timeout, ValueType::kZSet)) ctx.reply.NullArray();
}

}  // namespace

std::vector<CommandSpec> BlockingFamily() {
  constexpr uint32_t kB = kWrite | kNoScript | kBlocking;
  return {
      {"blpop", -3, kB, 1, -2, 1, CmdBLPop, "list",
       "Remove and get the first element in a list, or block until one is available"},
      {"brpop", -3, kB, 1, -2, 1, CmdBRPop, "list",
       "Remove and get the last element in a list, or block until one is available"},
      {"blmove", 6, kB | kDenyOom, 1, 2, 1, CmdBLMove, "list",
       "Pop an element from a list, push it to another list and return it; or block until one "
       "is available"},
      {"brpoplpush", 4, kB | kDenyOom, 1, 2, 1, CmdBRPopLPush, "list",
       "Pop an element from a list, push it to another list and return it; or block until one "
       "is available"},
      // Keys are numkeys-based (Redis: movablekeys); the handlers lock what they parse.
      {"blmpop", -5, kWrite | kBlocking | kMovableKeys, 0, 0, 0, CmdBLMPop, "list",
       "Pop elements from a list, or block until one is available", {}, 2},
      {"bzpopmin", -3, kB | kFast, 1, -2, 1, CmdBZPopMin, "sorted-set",
       "Remove and return the member with the lowest score from one or more sorted sets, or "
       "block until one is available"},
      {"bzpopmax", -3, kB | kFast, 1, -2, 1, CmdBZPopMax, "sorted-set",
       "Remove and return the member with the highest score from one or more sorted sets, or "
       "block until one is available"},
      {"bzmpop", -5, kWrite | kBlocking | kMovableKeys, 0, 0, 0, CmdBZMPop, "sorted-set",
       "Remove and return members with scores in a sorted set or block until one is available",
       {}, 2},
  };
}

}  // namespace strata::server
