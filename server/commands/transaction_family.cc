// Transaction commands: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//
// While a client is in MULTI, Server::Execute queues its commands (checking only their name
// and arity, as Redis does). EXEC takes every shard lock at once and runs the queue under them
// (engine::ShardLocks::HoldAll makes the commands' own locking a no-op), so no other client
// sees part of a transaction, and all its effects are one WAL record, committed when EXEC
// releases the locks. WATCH is optimistic: server/watches.h marks a watcher dirty when a
// watched key changes, and EXEC then answers nil without running anything.
#include "server/commands/command.h"
#include "server/server.h"
#include "server/commands/errors.h"

namespace strata::server {
namespace {

void EndMulti(ClientState& c) {
  c.in_multi = false;
  c.multi_error = false;
  c.queued.clear();
}

void CmdMulti(CommandContext& ctx) {
  if (ctx.client.in_multi) return ctx.reply.Error(err::kMultiNested);
  ctx.client.in_multi = true;
  ctx.client.queued_count = 0;
  ctx.client.queued_bytes = 0;
  ctx.reply.Ok();
}

void CmdDiscard(CommandContext& ctx) {
  if (!ctx.client.in_multi) return ctx.reply.Error(err::kDiscardWithoutMulti);
  EndMulti(ctx.client);
  ctx.server.watches().UnwatchAll(&ctx.client);
  ctx.reply.Ok();
}

void CmdExec(CommandContext& ctx) {
  ClientState& c = ctx.client;
  if (!c.in_multi) return ctx.reply.Error(err::kExecWithoutMulti);
  std::vector<std::vector<std::string>> queued = std::move(c.queued);
  const bool aborted = c.multi_error;
  EndMulti(c);
  if (aborted) {
    ctx.server.watches().UnwatchAll(&c);
    return ctx.reply.Error(err::kExecAbort);
  }
  engine::ShardLocks all = ctx.LockAll();  // with the redo record: one commit at the end
  const bool dirty = c.watch_dirty.load();
  ctx.server.watches().UnwatchAll(&c);
  if (dirty) return ctx.reply.NullArray();
  engine::ShardLocks::HoldAll hold(&ctx.keyspace());
  c.in_exec = true;
  ctx.reply.Array(queued.size());
  std::vector<std::string_view> args;
  for (const std::vector<std::string>& argv : queued) {
    args.assign(argv.begin(), argv.end());
    ctx.server.Execute(c, args, ctx.reply, ctx.redo);
  }
  c.in_exec = false;
}

void CmdWatch(CommandContext& ctx) {
  if (ctx.client.in_multi) return ctx.reply.Error(err::kWatchInMulti);
  const int db = ctx.client.db.load();
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    // Under the key's shard lock: a change committed after this is seen (server/watches.h).
    engine::ShardLocks lock = ctx.Lock(ctx.args[i]);
    ctx.server.watches().Watch(&ctx.client, db, ctx.args[i]);
  }
  ctx.reply.Ok();
}

void CmdUnwatch(CommandContext& ctx) {
  ctx.server.watches().UnwatchAll(&ctx.client);
  ctx.reply.Ok();
}

}  // namespace

std::vector<CommandSpec> TransactionFamily() {
  constexpr uint32_t kCtl = kNoScript | kLoading | kStale | kMultiControl;
  return {
      {"multi", 1, kCtl | kFast | kAllowBusy, 0, 0, 0, CmdMulti, "transactions",
       "Mark the start of a transaction block"},
      {"exec", 1, kCtl | kSkipSlowlog, 0, 0, 0, CmdExec, "transactions",
       "Execute all commands issued after MULTI"},
      {"discard", 1, kCtl | kFast | kAllowBusy, 0, 0, 0, CmdDiscard, "transactions",
       "Discard all commands issued after MULTI"},
      {"watch", -2, kCtl | kFast | kAllowBusy, 1, -1, 1, CmdWatch, "transactions",
       "Watch the given keys to determine execution of the MULTI/EXEC block"},
      {"unwatch", 1, kNoScript | kLoading | kStale | kFast | kAllowBusy, 0, 0, 0, CmdUnwatch, "transactions",
       "Forget about all watched keys"},
  };
}

}  // namespace strata::server
