// Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (server/scripting.h).
//
// A script runs as EXEC runs a transaction: every shard locked (and held, so the commands it
// calls lock nothing more and their effects are one WAL record), the client flagged in_exec so
// that what it calls neither queues, blocks nor waits. redis.call runs a command line through
// Server::Execute into a buffer of its own, after the checks a script adds (commands not
// allowed from scripts, writes from EVAL_RO).
#include <functional>
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
// arguments, a command scripts may not call, an ACL denial, a write from a read-only script
// (`read_only`), a deny-oom command while memory was over maxmemory when the script began
// (unless `allow_oom`), a write once SCRIPT KILL came first. "" when it may run. A refusal
// counts as in Redis: in errorstats, and in the rejected_calls of the command (the
// subcommand) it names, when there is one.
std::string ScriptCallRefusal(CommandContext& ctx, std::span<const std::string_view> line,
                              bool read_only, bool allow_oom) {
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
  } else if (refusal.empty() && (spec->flags & kDenyOom) && ctx.client.oom && !allow_oom) {
    refusal = err::kOom;  // as Redis: memory was over maxmemory when the script began
  } else if (refusal.empty() && (spec->flags & kWrite) && !ctx.server.scripting().NoteWrite()) {
    refusal = err::kScriptKilled;  // the kill came first
  }
  if (refusal.empty()) return {};
  stats.Rejected(ctx.client.worker_index, spec->id);
  stats.Error(refusal);
  return std::string(refusal);
}

// EVAL's and FCALL's line for MONITOR (they are skip_monitor): as Redis, before anything is
// checked, so that the commands the script calls follow it.
void FeedMonitors(CommandContext& ctx) {
  if (ctx.server.monitors().any()) {
    ctx.server.monitors().Feed(ctx.client, ctx.client.db.load(std::memory_order_relaxed),
                               ctx.args);
  }
}

// Runs a script or function as EXEC runs a transaction, `run_lua` doing the Lua part with the
// RunContext built here. `read_only`: its commands may not write (EVAL_RO, FCALL_RO, a
// function flagged no-writes). Returns what run_lua returned, its reply's errors counted as
// Redis counts them.
Scripting::RunResult RunLocked(
    CommandContext& ctx, bool read_only, bool allow_oom,
    const std::function<Scripting::RunResult(const Scripting::RunContext&)>& run_lua) {
  engine::ShardLocks all = ctx.LockAll();  // with the redo record: one commit at the end
  engine::ShardLocks::HoldAll hold(&ctx.keyspace());
  ClientState& c = ctx.client;
  const bool was_in_exec = c.in_exec;
  c.in_exec = true;
  c.in_script = true;
  // CLIENT LIST's cmd= names the script's command afterwards, not the last one it called.
  const char* const command = c.last_command.load(std::memory_order_relaxed);
  Scripting::RunContext run;
  run.busy_after_ms = ctx.server.config().Int(Param::kBusyReplyThreshold);
  // Past the threshold this thread answers its other clients (-BUSY, SCRIPT KILL, SHUTDOWN
  // NOSAVE) between Lua instructions; a shutdown stops the script.
  run.while_busy = [&ctx] {
    ctx.server.ServeWhileBusy();
    return ctx.server.shutting_down();
  };
  run.call = [&](std::span<const std::string_view> line, bool resp3) {
    std::string out;
    ReplyBuilder reply(&out);
    reply.set_resp3(resp3);
    if (std::string refusal = ScriptCallRefusal(ctx, line, read_only, allow_oom);
        !refusal.empty()) {
      reply.Error(refusal);
    } else {
      ctx.server.Execute(c, line, reply, ctx.redo);
    }
    return out;
  };
  run.acl_check = [&](std::span<const std::string_view> line) -> std::optional<bool> {
    const CommandSpec* spec = FindScriptCommand(ctx.server.commands(), line);
    if (spec == nullptr) return std::nullopt;
    std::string_view denied;
    return AclCheck(*c.user, *spec, line, &denied) == AclDenial::kNone;
  };
  Scripting::RunResult result = run_lua(run);
  // Stopped by a shutdown (SHUTDOWN NOSAVE): none of its effects may reach the log, so that a
  // restart has all of the script or none of it.
  if (result.aborted) ctx.redo->Clear();
  c.in_exec = was_in_exec;
  c.in_script = false;
  c.last_command.store(command, std::memory_order_relaxed);
  if (result.found) {
    // As Redis: each error in the reply counts once in errorstats (an error a command replied
    // was counted then), and the call fails if its reply holds one anywhere.
    ctx.errors_counted = true;
    ctx.failed = result.failed;
    for (const std::string& error : result.uncounted_errors) {
      ctx.server.command_stats().Error(error);
    }
  }
  return result;
}

// The numkeys argument at args[2] of EVAL and FCALL, checked as Redis does.
bool ParseNumKeys(CommandContext& ctx, size_t* numkeys) {
  int64_t n;
  if (!ArgToInt(ctx, ctx.args[2], &n)) return false;
  if (n < 0) {
    ctx.reply.Error("ERR Number of keys can't be negative");
    return false;
  }
  if (n > static_cast<int64_t>(ctx.args.size()) - 3) {
    ctx.reply.Error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  *numkeys = static_cast<size_t>(n);
  return true;
}

// What a function's or a shebang script's flags allow, checked before it runs as Redis does:
// *_RO needs no-writes; over maxmemory one that may write needs allow-oom. Sets how it runs.
bool CheckFlags(CommandContext& ctx, uint32_t flags, bool read_only, bool* no_writes,
                bool* allow_oom) {
  *no_writes = flags & Scripting::kNoWrites;
  *allow_oom = flags & Scripting::kAllowOom;
  if (read_only && !*no_writes) {
    ctx.reply.Error("ERR Can not execute a script with write flag using *_ro command.");
    return false;
  }
  if (ctx.client.oom && !*no_writes && !*allow_oom) {
    ctx.reply.Error(err::kOom);
    return false;
  }
  return true;
}

// EVAL script numkeys key... arg... (or EVALSHA sha ...): runs the script; `by_sha` names it
// by its SHA1. `read_only`: EVAL_RO/EVALSHA_RO, whose scripts may not write.
void RunScript(CommandContext& ctx, bool by_sha, bool read_only) {
  FeedMonitors(ctx);
  // As Redis: a name that is no SHA1 matches nothing, before the arguments are looked at.
  if (by_sha && ctx.args[1].size() != 40) {
    return ctx.reply.Error("NOSCRIPT No matching script. Please use EVAL.");
  }
  size_t numkeys;
  if (!ParseNumKeys(ctx, &numkeys)) return;
  Scripting& scripting = ctx.server.scripting();
  std::string sha;
  if (by_sha) {
    sha = ToLower(ctx.args[1]);
  } else {
    std::string error = scripting.Load(ctx.args[1], &sha, /*by_eval=*/true);
    if (!error.empty()) return ctx.reply.Error(error);
  }
  // A script with a shebang line runs by its flags; one without, as before Redis 7.0.
  uint32_t flags = 0;
  if (!scripting.ScriptFlags(sha, &flags)) {
    return ctx.reply.Error("NOSCRIPT No matching script. Please use EVAL.");
  }
  bool no_writes = read_only, allow_oom = false;
  if ((flags & Scripting::kShebang) && !CheckFlags(ctx, flags, read_only, &no_writes, &allow_oom)) {
    return;
  }
  const auto keys = ctx.args.subspan(3, numkeys);
  const auto argv = ctx.args.subspan(3 + numkeys);
  const bool found = RunLocked(ctx, no_writes, allow_oom, [&](const Scripting::RunContext& run) {
    return scripting.Run(sha, keys, argv, run, ctx.reply);
  }).found;
  if (!found) ctx.reply.Error("NOSCRIPT No matching script. Please use EVAL.");
}

// FCALL function numkeys key... arg... and FCALL_RO.
void RunFunction(CommandContext& ctx, bool read_only) {
  FeedMonitors(ctx);
  // As Redis: the function is looked up first, then numkeys is read.
  Scripting& scripting = ctx.server.scripting();
  uint32_t flags;
  if (!scripting.FunctionFlags(ctx.args[1], &flags)) return ctx.reply.Error("ERR Function not found");
  size_t numkeys;
  if (!ParseInt64(ctx.args[2])) return ctx.reply.Error("ERR Bad number of keys provided");
  if (!ParseNumKeys(ctx, &numkeys)) return;
  bool no_writes, allow_oom;
  if (!CheckFlags(ctx, flags, read_only, &no_writes, &allow_oom)) return;
  const auto keys = ctx.args.subspan(3, numkeys);
  const auto args = ctx.args.subspan(3 + numkeys);
  const bool found = RunLocked(ctx, no_writes, allow_oom, [&](const Scripting::RunContext& run) {
    return scripting.RunFunction(ctx.args[1], keys, args, ctx.args, run, ctx.reply);
  }).found;
  if (!found) ctx.reply.Error("ERR Function not found");  // deleted in between
}

void CmdFcall(CommandContext& ctx) { RunFunction(ctx, false); }
void CmdFcallRo(CommandContext& ctx) { RunFunction(ctx, true); }

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
  if (name == "kill") {
    const std::string error = scripting.Kill(Scripting::Kind::kEval);
    return error.empty() ? ctx.reply.Ok() : ctx.reply.Error(error);
  }
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

// FUNCTION LOAD/DELETE/FLUSH/LIST/STATS/KILL/DUMP/RESTORE/HELP.
void CmdFunction(CommandContext& ctx) {
  const CommandSpec* sub =
      CommandTable::FindSub(*ctx.server.commands().Find("function"), ctx.args[1]);
  if (sub == nullptr) return ReplyUnknownSubcommand(ctx);
  const std::string_view name = sub->name.substr(9);
  Scripting& scripting = ctx.server.scripting();
  if (name == "load") {
    bool replace = false;
    for (size_t i = 2; i + 1 < ctx.args.size(); ++i) {
      if (!EqualsIgnoreCase(ctx.args[i], "replace")) {
        return ctx.reply.Error("ERR Unknown option given: " + std::string(ctx.args[i]));
      }
      replace = true;
    }
    std::string library;
    auto lock = ctx.LockAll();  // a change of the libraries is logged as the keys' are
    const std::string error = scripting.LoadLibrary(ctx.args.back(), replace, &library);
    if (!error.empty()) return ctx.reply.Error(error);
    ctx.server.LogFunctions(*ctx.redo);
    return ctx.reply.Bulk(library);
  }
  if (name == "delete") {
    auto lock = ctx.LockAll();
    if (!scripting.DeleteLibrary(ctx.args[2])) return ctx.reply.Error("ERR Library not found");
    ctx.server.LogFunctions(*ctx.redo);
    return ctx.reply.Ok();
  }
  if (name == "flush") {
    if (ctx.args.size() > 3) return ReplyWrongArity(ctx);
    if (ctx.args.size() == 3 && !EqualsIgnoreCase(ctx.args[2], "async") &&
        !EqualsIgnoreCase(ctx.args[2], "sync")) {
      return ctx.reply.Error(err::kFunctionFlushMode);
    }
    auto lock = ctx.LockAll();
    scripting.FlushLibraries();
    ctx.server.LogFunctions(*ctx.redo);
    return ctx.reply.Ok();
  }
  if (name == "list") {
    bool with_code = false;
    std::string_view pattern;
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      if (EqualsIgnoreCase(ctx.args[i], "withcode")) {
        with_code = true;
      } else if (EqualsIgnoreCase(ctx.args[i], "libraryname") && i + 1 < ctx.args.size()) {
        pattern = ctx.args[++i];
      } else {
        return ctx.reply.Error(err::UnknownArgument(ctx.args[i]));
      }
    }
    return scripting.ListLibraries(pattern, with_code, ctx.reply);
  }
  if (name == "stats") return scripting.Stats(ctx.reply);
  if (name == "kill") {
    const std::string error = scripting.Kill(Scripting::Kind::kFunction);
    return error.empty() ? ctx.reply.Ok() : ctx.reply.Error(error);
  }
  if (name == "dump") return ctx.reply.Bulk(Scripting::DumpPayload(scripting.LibraryCodes()));
  if (name == "restore") {
    bool flush = false, replace = false;
    if (ctx.args.size() == 4) {
      const std::string policy = ToLower(ctx.args[3]);
      flush = policy == "flush";
      replace = policy == "replace";
      if (!flush && !replace && policy != "append") {
        return ctx.reply.Error("ERR Wrong restore policy given, value should be either FLUSH, "
                               "APPEND or REPLACE.");
      }
    } else if (ctx.args.size() > 4) {
      return ctx.reply.Error(err::UnknownSubcommandOrArgs(ctx.args[1], "FUNCTION"));
    }
    std::vector<std::string> codes;
    if (std::string error = Scripting::ParsePayload(ctx.args[2], &codes); !error.empty()) {
      return ctx.reply.Error(error);
    }
    auto lock = ctx.LockAll();
    if (std::string error = scripting.RestoreLibraries(codes, flush, replace); !error.empty()) {
      return ctx.reply.Error(error);
    }
    ctx.server.LogFunctions(*ctx.redo);
    return ctx.reply.Ok();
  }
  static constexpr std::string_view kHelp[] = {
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
      "      libraries with the new libraries (notice that even on this option there is a chance of failure",
      "      in case of functions name collision with another library).",
  };
  ReplyHelp(ctx, "FUNCTION", kHelp);
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
      {"fcall", -3, kEval, 0, 0, 0, CmdFcall, "scripting",
       "Invoke a function", {}, 2},
      {"fcall_ro", -3, kEvalRo, 0, 0, 0, CmdFcallRo, "scripting",
       "Invoke a read-only function", {}, 2},
      {"function", -2, 0, 0, 0, 0, CmdFunction, "scripting", "A container for function commands",
       {
           {"function|load", -3, kWrite | kDenyOom | kNoScript, 0, 0, 0, CmdFunction,
            "scripting", "Create a function with the given arguments (name, code, description)"},
           {"function|delete", 3, kWrite | kNoScript, 0, 0, 0, CmdFunction, "scripting",
            "Delete a function by name"},
           {"function|flush", -2, kWrite | kNoScript, 0, 0, 0, CmdFunction, "scripting",
            "Deleting all functions"},
           {"function|list", -2, kNoScript, 0, 0, 0, CmdFunction, "scripting",
            "List information about all the functions"},
           {"function|stats", 2, kNoScript | kAllowBusy, 0, 0, 0, CmdFunction, "scripting",
            "Return information about the function currently running (name, description, duration)"},
           {"function|kill", 2, kNoScript | kAllowBusy, 0, 0, 0, CmdFunction, "scripting",
            "Kill the function currently in execution."},
           {"function|dump", 2, kNoScript, 0, 0, 0, CmdFunction, "scripting",
            "Dump all functions into a serialized binary payload"},
           {"function|restore", -3, kWrite | kDenyOom | kNoScript, 0, 0, 0, CmdFunction,
            "scripting", "Restore all the functions on the given payload"},
           {"function|help", 2, kLoading | kStale, 0, 0, 0, CmdFunction, "scripting",
            "Show helpful text about the different subcommands"},
       }, 0, 0},
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
