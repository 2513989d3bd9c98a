#include "server/commands/command.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "base/string_util.h"
#include "server/net/client.h"
#include "server/server.h"
#include "server/commands/command_docs.h"
#include "server/commands/errors.h"

namespace strata::server {

engine::Keyspace& CommandContext::keyspace() { return server.keyspace(); }

void CommandContext::Notify(uint32_t cls, std::string_view event, std::string_view key) {
  Notify(cls, event, key, client.db.load(std::memory_order_relaxed));
}

void CommandContext::Notify(uint32_t cls, std::string_view event, std::string_view key, int db) {
  server.notifier().Notify(cls, event, key, db);
}

engine::DbView CommandContext::db() { return db(client.db.load(std::memory_order_relaxed)); }

engine::DbView CommandContext::db(int index) {
  return engine::DbView(server.keyspace(), index, now_ms, redo);
}

std::vector<std::string_view> FlagNames(uint32_t flags) {
  static const std::pair<uint32_t, std::string_view> kNames[] = {
      {kWrite, "write"},
      {kReadOnly, "readonly"},
      {kDenyOom, "denyoom"},
      {kAdmin, "admin"},
      {kPubSub, "pubsub"},
      {kNoScript, "noscript"},
      {kBlocking, "blocking"},
      {kLoading, "loading"},
      {kStale, "stale"},
      {kSkipMonitor, "skip_monitor"},
      {kSkipSlowlog, "skip_slowlog"},
      {kFast, "fast"},
      {kNoAuth, "no_auth"},
      {kMayReplicate, "may_replicate"},
      {kNoMandatoryKeys, "no_mandatory_keys"},
      {kNoAsyncLoading, "no_async_loading"},
      {kNoMulti, "no_multi"},
      {kMovableKeys, "movablekeys"},
      {kAllowBusy, "allow_busy"},
  };
  std::vector<std::string_view> out;
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) out.push_back(name);
  }
  return out;
}

std::span<const AclCategoryName> AclCategoryNames() {
  static constexpr AclCategoryName kNames[] = {
      {kAclKeyspace, "keyspace"},       {kAclRead, "read"},
      {kAclWrite, "write"},             {kAclSet, "set"},
      {kAclSortedSet, "sortedset"},     {kAclList, "list"},
      {kAclHash, "hash"},               {kAclString, "string"},
      {kAclBitmap, "bitmap"},           {kAclHyperLogLog, "hyperloglog"},
      {kAclGeo, "geo"},                 {kAclStream, "stream"},
      {kAclPubSub, "pubsub"},           {kAclAdmin, "admin"},
      {kAclFast, "fast"},               {kAclSlow, "slow"},
      {kAclBlocking, "blocking"},       {kAclDangerous, "dangerous"},
      {kAclConnection, "connection"},   {kAclTransaction, "transaction"},
      {kAclScripting, "scripting"},
  };
  return kNames;
}

uint32_t FindAclCategory(std::string_view name) {
  for (const AclCategoryName& c : AclCategoryNames()) {
    if (EqualsIgnoreCase(c.name, name)) return c.bit;
  }
  return 0;
}

uint32_t ResolveAclCategories(uint32_t declared, uint32_t flags, std::string_view group) {
  uint32_t cats = declared & ~kAclGroupCategory;
  if (declared & kAclGroupCategory) {
    static const std::pair<std::string_view, AclCategory> kGroups[] = {
        {"generic", kAclKeyspace},   {"string", kAclString},
        {"list", kAclList},          {"hash", kAclHash},
        {"set", kAclSet},            {"sorted-set", kAclSortedSet},
        {"bitmap", kAclBitmap},      {"hyperloglog", kAclHyperLogLog},
        {"geo", kAclGeo},            {"stream", kAclStream},
        {"connection", kAclConnection}, {"transactions", kAclTransaction},
        {"scripting", kAclScripting},
    };
    for (const auto& [name, bit] : kGroups) {
      if (group == name) cats |= bit;
    }
  }
  if (flags & kWrite) cats |= kAclWrite;
  if ((flags & kReadOnly) && !(cats & kAclScripting)) cats |= kAclRead;  // as Redis
  if (flags & kAdmin) cats |= kAclAdmin | kAclDangerous;
  if (flags & kPubSub) cats |= kAclPubSub;
  if (flags & kFast) cats |= kAclFast;
  if (flags & kBlocking) cats |= kAclBlocking;
  if (!(cats & kAclFast)) cats |= kAclSlow;
  return cats;
}

CommandTable::CommandTable() {
  Register(ConnectionFamily());
  Register(StringFamily());
  Register(BitmapFamily());
  Register(SortFamily());
  Register(GenericFamily());
  Register(ServerFamily());
  Register(CommandFamily());
  Register(DiagnosticsFamily());
  Register(ListFamily());
  Register(HashFamily());
  Register(SetFamily());
  Register(ZSetFamily());
  Register(TransactionFamily());
  Register(ScriptingFamily());
  Register(PubSubFamily());
  Register(BlockingFamily());
  Register(AclFamily());
  Register(StreamFamily());
  Register(GeoFamily());
  Register(HllFamily());
  Register(DumpFamily());
}

void CommandTable::Register(std::vector<CommandSpec> specs) {
  for (CommandSpec& s : specs) {
    s.acl_categories = ResolveAclCategories(s.acl_categories, s.flags, s.group);
    s.docs = FindCommandDocs(s.name);
    for (CommandSpec& sub : s.subcommands) {
      sub.acl_categories = ResolveAclCategories(sub.acl_categories, sub.flags, sub.group);
      sub.docs = FindCommandDocs(sub.name);
    }
    index_[std::string(s.name)] = commands_.size();
    commands_.push_back(std::move(s));
  }
  // Number every command and subcommand again: commands_ may have moved.
  by_id_.clear();
  for (CommandSpec& s : commands_) {
    s.id = static_cast<uint32_t>(by_id_.size());
    by_id_.push_back(&s);
    for (CommandSpec& sub : s.subcommands) {
      sub.id = static_cast<uint32_t>(by_id_.size());
      by_id_.push_back(&sub);
    }
  }
}

Status CommandTable::Rename(std::string_view name, std::string_view new_name) {
  if (client_index_.empty()) client_index_ = index_;
  auto it = client_index_.find(ToLower(name));
  if (it == client_index_.end()) return Status::InvalidArgument("No such command in rename-command");
  const size_t spec = it->second;
  if (!new_name.empty() && client_index_.count(ToLower(new_name)) != 0) {
    return Status::InvalidArgument("Target command name already exists");
  }
  client_index_.erase(it);
  if (!new_name.empty()) client_index_[ToLower(new_name)] = spec;
  return Status::Ok();
}

const CommandSpec* CommandTable::LookupRenamed(std::string_view name) const {
  auto it = client_index_.find(ToLower(name));
  return it == client_index_.end() ? nullptr : &commands_[it->second];
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buf[32];
  if (name.size() >= sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) {  // ASCII only, inline: libc's tolower is a call
    const char c = name[i];
    buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
  }
  auto it = index_.find(std::string(buf, name.size()));
  return it == index_.end() ? nullptr : &commands_[it->second];
}

const CommandSpec* CommandTable::FindSub(const CommandSpec& parent, std::string_view sub) {
  for (const CommandSpec& s : parent.subcommands) {
    std::string_view n = s.name.substr(s.name.find('|') + 1);
    if (EqualsIgnoreCase(n, sub)) return &s;
  }
  return nullptr;
}

std::vector<int> CommandTable::KeyPositions(const CommandSpec& spec,
                                            std::span<const std::string_view> args) {
  std::vector<int> out;
  ForEachKeyPosition(spec, args, [&](int pos) {
    out.push_back(pos);
    return true;
  });
  return out;
}

bool ArgToInt(CommandContext& ctx, std::string_view arg, int64_t* out) {
  auto v = ParseInt64(arg);
  if (!v) {
    ctx.reply.Error(Status::NotInteger());
    return false;
  }
  *out = *v;
  return true;
}

void DispatchSubcommand(CommandContext& ctx) {
  const CommandSpec* parent = ctx.server.commands().Find(ctx.args[0]);
  const CommandSpec* sub = parent ? CommandTable::FindSub(*parent, ctx.args[1]) : nullptr;
  if (sub == nullptr) return ReplyUnknownSubcommand(ctx);
  if (!CommandTable::ArityOk(*sub, ctx.args.size())) return ReplyWrongArity(ctx);
  sub->handler(ctx);
}

void ReplyWrongArity(CommandContext& ctx) {
  std::string name = ToLower(ctx.args[0]);
  const CommandSpec* spec = ctx.server.commands().Find(ctx.args[0]);
  if (ctx.args.size() > 1 && spec != nullptr && !spec->subcommands.empty()) {
    name += "|" + ToLower(ctx.args[1]);
  }
  ctx.reply.Error(err::WrongArgs(name));
}

void ReplyHelp(CommandContext& ctx, std::string_view command,
               std::span<const std::string_view> lines) {
  ctx.reply.Array(lines.size() + 3);
  ctx.reply.Simple(std::string(command) +
                   " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) ctx.reply.Simple(line);
  ctx.reply.Simple("HELP");
  ctx.reply.Simple("    Prints this help.");
}

std::string UnknownSubcommandError(std::span<const std::string_view> args) {
  std::string cmd(args[0]);
  for (char& c : cmd) c = static_cast<char>(toupper(c));
  // As Redis: the name as sent, cut at 128 bytes and at a NUL byte.
  std::string_view sub = args[1].substr(0, 128);
  sub = sub.substr(0, sub.find('\0'));
  return err::UnknownSubcommand(sub, cmd);
}

void ReplyUnknownSubcommand(CommandContext& ctx) {
  ctx.reply.Error(UnknownSubcommandError(ctx.args));
}

bool ParseScanCursor(CommandContext& ctx, std::string_view arg, uint64_t* cursor) {
  const std::string text(arg);
  char* end = nullptr;
  errno = 0;
  *cursor = std::strtoull(text.c_str(), &end, 10);
  if (std::isspace(static_cast<unsigned char>(text[0])) || *end != '\0' || errno == ERANGE) {
    ctx.reply.Error(err::kInvalidCursor);
    return false;
  }
  return true;
}

bool ParseScanOptions(CommandContext& ctx, size_t first, int64_t* count,
                      std::optional<std::string_view>* pattern) {
  *count = 10;
  pattern->reset();
  for (size_t i = first; i < ctx.args.size(); i += 2) {
    const bool has_value = i + 1 < ctx.args.size();
    if (has_value && EqualsIgnoreCase(ctx.args[i], "count")) {
      if (!ArgToInt(ctx, ctx.args[i + 1], count)) return false;
      if (*count < 1) {
        ctx.reply.Error(Status::Syntax());
        return false;
      }
    } else if (has_value && EqualsIgnoreCase(ctx.args[i], "match")) {
      *pattern = ctx.args[i + 1];
      if (**pattern == "*") pattern->reset();
    } else {
      ctx.reply.Error(Status::Syntax());
      return false;
    }
  }
  return true;
}

}  // namespace strata::server
