// COMMAND: the command table as Redis 7.0 shows it. COUNT counts the top-level commands; LIST
// names subcommands too ("config|get"); INFO and DOCS take a command or a subcommand; GETKEYS
// and GETKEYSANDFLAGS follow the key specs. Flags, arity, first/last/step and ACL categories
// are the spec's own; tips, key specs and documentation are Redis's (command_docs.h).
#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/string_util.h"
#include "server/commands/command.h"
#include "server/commands/command_docs.h"
#include "server/commands/errors.h"
#include "server/server.h"

namespace strata::server {
namespace {

void ReplyCommandInfo(ReplyBuilder& r, const CommandSpec& c) {
  r.Array(10);
  r.Bulk(c.name);
  r.Int(c.arity);
  const std::vector<std::string_view> flags = FlagNames(c.flags);
  r.Set(flags.size());
  for (std::string_view f : flags) r.Simple(f);
  r.Int(c.first_key);
  r.Int(c.last_key);
  r.Int(c.key_step);
  std::vector<std::string> cats;
  for (const AclCategoryName& cat : AclCategoryNames()) {
    if (c.acl_categories & cat.bit) cats.push_back("@" + std::string(cat.name));
  }
  r.Set(cats.size());
  for (const std::string& s : cats) r.Simple(s);
  // Tips and key specs: Redis's, none for a command of Strata's own.
  r.Set(c.docs != nullptr ? c.docs->tips.size() : 0);
  if (c.docs != nullptr) {
    for (const std::string& tip : c.docs->tips) r.Bulk(tip);
  }
  const nlohmann::ordered_json* specs = c.docs != nullptr ? c.docs->key_specs_json : nullptr;
  r.Set(specs != nullptr ? specs->size() : 0);
  if (specs != nullptr) {
    for (const nlohmann::ordered_json& ks : *specs) ReplyDocsValue(r, ks, "");
  }
  // As Redis: an empty set where there are no subcommands, else an array.
  c.subcommands.empty() ? r.Set(0) : r.Array(c.subcommands.size());
  for (const CommandSpec& s : c.subcommands) ReplyCommandInfo(r, s);
}

// The name and the documentation map of `c`: Redis's, with `c`'s own subcommands.
void ReplyCommandDocs(ReplyBuilder& r, const CommandSpec& c) {
  r.Bulk(c.name);
  const size_t subs = c.subcommands.empty() ? 0 : 1;
  if (c.docs != nullptr) {
    const auto& docs = c.docs->docs->get_ref<const nlohmann::ordered_json::object_t&>();
    r.Map(docs.size() + subs);
    for (const auto& [key, value] : docs) {
      r.Bulk(key);
      ReplyDocsValue(r, value, key);
    }
  } else {  // a command of Strata's own
    r.Map(3 + subs);
    r.Bulk("summary");
    r.Bulk(c.summary);
    r.Bulk("since");
    r.Bulk("1.0.0");
    r.Bulk("group");
    r.Bulk(c.group);
  }
  if (subs != 0) {
    r.Bulk("subcommands");
    r.Map(c.subcommands.size());
    for (const CommandSpec& s : c.subcommands) ReplyCommandDocs(r, s);
  }
}

// The command or subcommand COMMAND INFO and DOCS name: "get", "config|get" (any case).
const CommandSpec* FindByFullName(const CommandTable& table, std::string_view name) {
  const size_t bar = name.find('|');
  const CommandSpec* c = table.Find(name.substr(0, bar));
  if (c == nullptr || bar == std::string_view::npos) return c;
  const std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos) return nullptr;
  return CommandTable::FindSub(*c, sub);
}

// COMMAND LIST [FILTERBY MODULE name|ACLCAT category|PATTERN pattern]: every command and
// subcommand, or those the filter keeps; anything else after LIST is a syntax error.
void CommandList(CommandContext& ctx, const CommandTable& table) {
  if (ctx.args.size() != 2 &&
      (ctx.args.size() != 5 || !EqualsIgnoreCase(ctx.args[2], "filterby"))) {
    return ctx.reply.Error(Status::Syntax());
  }
  const std::string_view by = ctx.args.size() == 5 ? ctx.args[3] : "";
  const std::string_view arg = ctx.args.size() == 5 ? ctx.args[4] : "";
  if (!by.empty() && !EqualsIgnoreCase(by, "module") && !EqualsIgnoreCase(by, "aclcat") &&
      !EqualsIgnoreCase(by, "pattern")) {
    return ctx.reply.Error(Status::Syntax());
  }
  const uint32_t category = FindAclCategory(arg);
  auto keep = [&](const CommandSpec& c) {
    if (by.empty()) return true;
    if (EqualsIgnoreCase(by, "aclcat")) return category != 0 && (c.acl_categories & category);
    return EqualsIgnoreCase(by, "pattern") && GlobMatch(arg, c.name, /*nocase=*/true);
  };
  std::vector<std::string_view> names;
  for (const CommandSpec& c : table.all()) {
    if (keep(c)) names.push_back(c.name);
    for (const CommandSpec& sub : c.subcommands) {
      if (keep(sub)) names.push_back(sub.name);
    }
  }
  ctx.reply.Array(names.size());
  for (std::string_view n : names) ctx.reply.Bulk(n);
}

// The flags SET's key gets from its arguments (its key spec says variable_flags): with GET it
// reads the old value.
std::span<const std::string> VariableKeyFlags(const CommandSpec& c,
                                              std::span<const std::string_view> line,
                                              std::span<const std::string> declared) {
  static const std::array<std::string, 3> kReadWrite = {"RW", "access", "update"};
  static const std::array<std::string, 2> kOverwrite = {"OW", "update"};
  if (c.name != "set") return declared;
  for (size_t i = 3; i < line.size(); ++i) {
    if (EqualsIgnoreCase(line[i], "get")) return kReadWrite;
  }
  return kOverwrite;
}

// COMMAND GETKEYS|GETKEYSANDFLAGS command [arg ...].
void CommandGetKeys(CommandContext& ctx, const CommandTable& table, bool with_flags) {
  const std::span<const std::string_view> line = ctx.args.subspan(2);
  const CommandSpec* c = table.Lookup(line[0]);
  if (c != nullptr && !c->subcommands.empty() && line.size() >= 2) {
    c = CommandTable::FindSub(*c, line[1]);
  }
  if (c == nullptr) return ctx.reply.Error(err::kInvalidCommand);
  const bool by_specs = c->docs != nullptr;
  if ((c->flags & kNotKey) ||
      (by_specs ? c->docs->key_specs.empty() : c->first_key == 0 && c->numkeys_at == 0)) {
    return ctx.reply.Error(err::kNoKeyArguments);
  }
  if (!CommandTable::ArityOk(*c, line.size())) return ctx.reply.Error(err::kInvalidArgCount);
  std::vector<FoundKey> keys;
  if (!by_specs) {
    for (int pos : CommandTable::KeyPositions(*c, line)) keys.push_back({pos, {}});
  } else if (!KeysFromSpecs(c->docs->key_specs, line, &keys)) {
    keys.clear();
  }
  if (keys.empty()) {
    if (c->flags & kNoMandatoryKeys) return ctx.reply.Array(0);
    return ctx.reply.Error(err::kInvalidArgsForCommand);
  }
  ctx.reply.Array(keys.size());
  for (const FoundKey& k : keys) {
    if (!with_flags) {
      ctx.reply.Bulk(line[k.pos]);
      continue;
    }
    ctx.reply.Array(2);
    ctx.reply.Bulk(line[k.pos]);
    const bool variable =
        std::find(k.flags.begin(), k.flags.end(), "variable_flags") != k.flags.end();
    const std::span<const std::string> flags =
        variable ? VariableKeyFlags(*c, line, k.flags) : k.flags;
    ctx.reply.Set(flags.size());
    for (const std::string& f : flags) ctx.reply.Simple(f);
  }
}

void CmdCommand(CommandContext& ctx) {
  const CommandTable& table = ctx.server.commands();
  if (ctx.args.size() == 1) {
    ctx.reply.Array(table.all().size());
    for (const CommandSpec& c : table.all()) ReplyCommandInfo(ctx.reply, c);
    return;
  }
  const CommandSpec* sub = CommandTable::FindSub(*table.Find("command"), ctx.args[1]);
  if (sub == nullptr) return ReplyUnknownSubcommand(ctx);
  if (!CommandTable::ArityOk(*sub, ctx.args.size())) return ReplyWrongArity(ctx);
  const std::string_view name = sub->name.substr(sizeof("command|") - 1);
  if (name == "count") return ctx.reply.Int(static_cast<int64_t>(table.all().size()));
  if (name == "list") return CommandList(ctx, table);
  if (name == "getkeys") return CommandGetKeys(ctx, table, /*with_flags=*/false);
  if (name == "getkeysandflags") return CommandGetKeys(ctx, table, /*with_flags=*/true);
  if (name == "help") {
    static constexpr std::string_view kHelp[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
    };
    return ReplyHelp(ctx, "COMMAND", kHelp);
  }
  // INFO and DOCS: every command, or those named (INFO replies a null for an unknown name,
  // DOCS leaves it out).
  std::vector<const CommandSpec*> list;
  if (ctx.args.size() == 2) {
    for (const CommandSpec& c : table.all()) list.push_back(&c);
  } else {
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      const CommandSpec* c = FindByFullName(table, ctx.args[i]);
      if (c != nullptr || name == "info") list.push_back(c);
    }
  }
  if (name == "info") {
    ctx.reply.Array(list.size());
    for (const CommandSpec* c : list) c ? ReplyCommandInfo(ctx.reply, *c) : ctx.reply.Null();
    return;
  }
  ctx.reply.Map(list.size());
  for (const CommandSpec* c : list) ReplyCommandDocs(ctx.reply, *c);
}

}  // namespace

std::vector<CommandSpec> CommandFamily() {
  constexpr uint32_t kF = kLoading | kStale;
  constexpr uint32_t kConn = kAclConnection;
  // clang-format off
  return {
      {"command", -1, kF, 0, 0, 0, CmdCommand, "server", "Get array of Redis command details",
       {
           {"command|count", 2, kF, 0, 0, 0, CmdCommand, "server", "Get total number of Redis commands", {}, 0, kConn},
           {"command|list", -2, kF, 0, 0, 0, CmdCommand, "server", "Get an array of Redis command names", {}, 0, kConn},
           {"command|info", -2, kF, 0, 0, 0, CmdCommand, "server", "Get array of specific Redis command details, or all when no argument is given.", {}, 0, kConn},
           {"command|docs", -2, kF, 0, 0, 0, CmdCommand, "server", "Get array of specific Redis command documentation", {}, 0, kConn},
           {"command|getkeys", -4, kF, 0, 0, 0, CmdCommand, "server", "Extract keys given a full Redis command", {}, 0, kConn},
           {"command|getkeysandflags", -4, kF, 0, 0, 0, CmdCommand, "server", "Extract keys and access flags given a full Redis command", {}, 0, kConn},
           {"command|help", 2, kF, 0, 0, 0, CmdCommand, "server", "Show helpful text about the different subcommands", {}, 0, kConn},
       }, 0, kConn},
  };
  // clang-format on
}

}  // namespace strata::server
