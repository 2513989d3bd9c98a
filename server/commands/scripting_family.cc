// Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (server/scripting.h).
//
// A script runs as EXEC runs a transaction: every shard locked (and held, so the commands it
// calls lock nothing more and their effects are one WAL record), the client flagged in_exec so
// that what it calls neither queues, blocks nor waits. redis.call runs a command line through
// Server::Execute into a buffer of its own, after the checks a script adds (commands not
// allowed from scripts, writes from EVAL_RO).
#include <optional>
#include <string>
#include <vector>

#include "base/string_util.h"
#include "server/commands/command.h"
#include "server/acl.h"
#include "server/commands/errors.h"
#include "server/scripting.h"
#include "server/server.h"

namespace strata::server {
namespace {

// The command a script's command line names, as Redis's lookupCommand finds it: a container's
// subcommand (null when line[1] names none of them), else the command itself, or null.
const CommandSpec* FindScriptCommand(const CommandTable& table,
                                     std::span<const std::string_view> line) {
  const CommandSpec* spec = table.Find(line[0]);
  if (spec != nullptr && !spec->subcommands.empty() && line.size() > 1) {
    spec = CommandTable::FindSub(*spec, line[1]);
  }
  return spec;
}

// Why a script's redis.call may not run `line`, checked as Redis's scriptCall does, in its
// order: no such command (a container's unknown subcommand included), a wrong number of
// arguments, a command scripts may not call, an ACL denial, a write from a read-only script.
// "" when it may run. A refusal counts as in Redis: in errorstats, and in the rejected_calls
// of the command (the subcommand) it names, when there is one.
std::string ScriptCallRefusal(CommandContext& ctx, std::span<const std::string_view> line,
                              bool read_only) {
  CommandStats& stats = ctx.server.command_stats();
  const CommandSpec* spec = FindScriptCommand(ctx.server.commands(), line);
  if (spec == nullptr) {
    stats.Error(err::kScriptUnknownCommand);
    return std::string(err::kScriptUnknownCommand);
  }
  std::string_view refusal;
  if (!CommandTable::ArityOk(*spec, line.size())) {
    refusal = err::kScriptWrongArgs;
  } else if (spec->flags & kNoScript) {
    refusal = err::kScriptNotAllowed;
  } else {
    refusal = ctx.server.ScriptAclDenial(ctx.client, *spec, line);
  }
  if (refusal.empty() && read_only && (spec->flags & kWrite)) {
    refusal = err::kScriptWriteInReadOnly;
  }
  if (refusal.empty()) return {};
  stats.Rejected(ctx.client.worker_index, spec->id);
  stats.Error(refusal);
  return std::string(refusal);
}

// EVAL script numkeys key... arg... (or EVALSHA sha ...): runs the script; `by_sha` names it
// by its SHA1. `read_only`: EVAL_RO/EVALSHA_RO, whose scripts may not write.
void RunScript(CommandContext& ctx, bool by_sha, bool read_only) {
  // As Redis, MONITOR shows the script's command first, then the commands it calls.
  if (ctx.server.monitors().any()) {
    ctx.server.monitors().Feed(ctx.client, ctx.client.db.load(std::memory_order_relaxed),
                               ctx.args);
  }
  // As Redis: a name that is no SHA1 matches nothing, before the arguments are looked at.
  if (by_sha && ctx.args[1].size() != 40) {
    return ctx.reply.Error("NOSCRIPT No matching script. Please use EVAL.");
  }
  int64_t numkeys;
  if (!ArgToInt(ctx, ctx.args[2], &numkeys)) return;
  if (numkeys < 0) return ctx.reply.Error("ERR Number of keys can't be negative");
  if (numkeys > static_cast<int64_t>(ctx.args.size()) - 3) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  Scripting& scripting = ctx.server.scripting();
  std::string sha;
  if (by_sha) {
    sha = ToLower(ctx.args[1]);
  } else {
    std::string error = scripting.Load(ctx.args[1], &sha, /*by_eval=*/true);
    if (!error.empty()) return ctx.reply.Error(error);
  }
  const auto keys = ctx.args.subspan(3, static_cast<size_t>(numkeys));
  const auto argv = ctx.args.subspan(3 + static_cast<size_t>(numkeys));
  engine::ShardLocks all = ctx.LockAll();  // with the redo record: one commit at the end
  engine::ShardLocks::HoldAll hold(&ctx.keyspace());
  ClientState& c = ctx.client;
  const bool was_in_exec = c.in_exec;
  c.in_exec = true;
  c.in_script = true;
  // CLIENT LIST's cmd= names the script's command afterwards, not the last one it called.
  const char* const command = c.last_command.load(std::memory_order_relaxed);
  Scripting::Host host;
  host.call = [&](std::span<const std::string_view> line, bool resp3) {
    std::string out;
    ReplyBuilder reply(&out);
    reply.set_resp3(resp3);
    if (std::string refusal = ScriptCallRefusal(ctx, line, read_only); !refusal.empty()) {
      reply.Error(refusal);
    } else {
      ctx.server.Execute(c, line, reply, ctx.redo);
    }
    return out;
  };
  host.acl_check = [&](std::span<const std::string_view> line) -> std::optional<bool> {
    const CommandSpec* spec = FindScriptCommand(ctx.server.commands(), line);
    if (spec == nullptr) return std::nullopt;
    std::string_view denied;
    return AclCheck(*c.user, *spec, line, &denied) == AclDenial::kNone;
  };
  Scripting::RunResult result = scripting.Run(sha, keys, argv, host, ctx.reply);
  c.in_exec = was_in_exec;
  c.in_script = false;
  c.last_command.store(command, std::memory_order_relaxed);
  if (!result.found) return ctx.reply.Error("NOSCRIPT No matching script. Please use EVAL.");
  // As Redis: each error in the script's reply counts once in errorstats (an error a command
  // replied was counted then), and the call fails if its reply holds one anywhere.
  ctx.errors_counted = true;
  ctx.failed = result.failed;
  for (const std::string& error : result.uncounted_errors) ctx.server.command_stats().Error(error);
}

void CmdEval(CommandContext& ctx) { RunScript(ctx, false, false); }
void CmdEvalSha(CommandContext& ctx) { RunScript(ctx, true, false); }
void CmdEvalRo(CommandContext& ctx) { RunScript(ctx, false, true); }
void CmdEvalShaRo(CommandContext& ctx) { RunScript(ctx, true, true); }

void CmdScript(CommandContext& ctx) {
  const CommandSpec* sub = CommandTable::FindSub(*ctx.server.commands().Find("script"), ctx.args[1]);
  if (sub == nullptr) return ReplyUnknownSubcommand(ctx);
  const std::string_view name = sub->name.substr(7);
  Scripting& scripting = ctx.server.scripting();
  if (name == "load") {
    std::string sha;
    std::string error = scripting.Load(ctx.args[2], &sha, /*by_eval=*/false);
    return error.empty() ? ctx.reply.Bulk(sha) : ctx.reply.Error(error);
  }
  if (name == "exists") {
    ctx.reply.Array(ctx.args.size() - 2);
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      ctx.reply.Int(scripting.Exists(ToLower(ctx.args[i])) ? 1 : 0);
    }
    return;
  }
  if (name == "flush") {
    if (ctx.args.size() > 3 ||
        (ctx.args.size() == 3 && !EqualsIgnoreCase(ctx.args[2], "sync") &&
         !EqualsIgnoreCase(ctx.args[2], "async"))) {
      return ctx.reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    scripting.Flush();
    return ctx.reply.Ok();
  }
  if (name == "kill") return ctx.reply.Error("NOTBUSY No scripts in execution right now.");
  static constexpr std::string_view kHelp[] = {
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it."};
  ReplyHelp(ctx, "SCRIPT", kHelp);
}

}  // namespace

std::vector<CommandSpec> ScriptingFamily() {
  constexpr uint32_t kEval = kNoScript | kStale | kSkipMonitor | kNoMandatoryKeys |
                             kMovableKeys;
  constexpr uint32_t kEvalRo = kNoScript | kStale | kSkipMonitor | kNoMandatoryKeys | kMovableKeys |
                               kReadOnly;
  return {
      {"eval", -3, kEval, 0, 0, 0, CmdEval, "scripting", "Execute a Lua script server side", {}, 2},
      {"evalsha", -3, kEval, 0, 0, 0, CmdEvalSha, "scripting",
       "Execute a Lua script server side", {}, 2},
      {"eval_ro", -3, kEvalRo, 0, 0, 0, CmdEvalRo, "scripting",
       "Execute a read-only Lua script server side", {}, 2},
      {"evalsha_ro", -3, kEvalRo, 0, 0, 0, CmdEvalShaRo, "scripting",
       "Execute a read-only Lua script server side", {}, 2},
      {"script", -2, 0, 0, 0, 0, CmdScript, "scripting", "A container for Lua scripts management commands",
       {
           {"script|load", 3, kNoScript | kStale, 0, 0, 0, CmdScript, "scripting",
            "Load the specified Lua script into the script cache"},
           {"script|exists", -3, kNoScript, 0, 0, 0, CmdScript, "scripting",
            "Check existence of scripts in the script cache"},
           {"script|flush", -2, kNoScript, 0, 0, 0, CmdScript, "scripting",
            "Remove all the scripts from the script cache"},
           {"script|kill", 2, kNoScript | kAllowBusy, 0, 0, 0, CmdScript, "scripting",
            "Kill the script currently in execution"},
           {"script|help", 2, kLoading | kStale, 0, 0, 0, CmdScript, "scripting",
            "Show helpful text about the different subcommands"},
       }, 0, 0},
  };
}

}  // namespace strata::server
