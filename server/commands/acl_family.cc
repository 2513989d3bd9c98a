// ACL commands: ACL SETUSER, DELUSER, GETUSER, LIST, USERS, WHOAMI, CAT, GENPASS, DRYRUN, LOG,
// HELP, LOAD and SAVE (the aclfile). Users and checks are
// server/acl.h.
#include <algorithm>

#include "base/clock.h"
#include "base/logging.h"
#include "base/string_util.h"
#include "server/acl.h"
#include "server/commands/command.h"
#include "server/server.h"
#include "server/commands/errors.h"

namespace strata::server {
namespace {

const CommandSpec& AclSpec(CommandContext& ctx) { return *ctx.server.commands().Find("acl"); }

// Runs the subcommand args[1].
void CmdAcl(CommandContext& ctx) {
  const CommandSpec* sub = CommandTable::FindSub(AclSpec(ctx), ctx.args[1]);
  if (sub == nullptr) return ReplyUnknownSubcommand(ctx);
  if (!CommandTable::ArityOk(*sub, ctx.args.size())) return ReplyWrongArity(ctx);
  sub->handler(ctx);
}

// Clients of `user` subscribed to a channel or pattern its rules no longer allow are
// disconnected, as Redis 7.0 does after ACL SETUSER.
void KillRevokedSubscribers(CommandContext& ctx, const AclUser& user) {
  if (user.all_channels()) return;
  ctx.server.clients().ForEach([&](ClientState& c) {
    if (c.username != user.name() || !c.subscribed()) return;
    bool revoked = false;
    for (PubSub::Kind kind : {PubSub::kChannel, PubSub::kPattern, PubSub::kShard}) {
      for (const std::string& name : ctx.server.pubsub().NamesOf(&c, kind)) {
        revoked = revoked || !user.CanAccessChannel(name, /*literal=*/kind == PubSub::kPattern);
      }
    }
    if (!revoked) return;
    if (&c == &ctx.client) {
      ctx.client.close_after_reply = true;
    } else {
      ctx.server.clients().Kill(&c);
    }
  });
}

void CmdSetUser(CommandContext& ctx) {
  Status st = ctx.server.acl().SetUser(ctx.args[2], ctx.args.subspan(3));
  if (!st.ok()) return ctx.reply.Error(st);
  if (auto user = ctx.server.acl().Find(ctx.args[2])) KillRevokedSubscribers(ctx, *user);
  ctx.reply.Ok();
}

void CmdDelUser(CommandContext& ctx) {
  Result<std::vector<std::string>> deleted = ctx.server.acl().DeleteUsers(ctx.args.subspan(2));
  if (!deleted.ok()) return ctx.reply.Error(deleted.status());
  // As Redis: the clients authenticated as a deleted user are disconnected (this one after
  // its reply).
  if (!deleted->empty()) {
    ctx.server.clients().ForEach([&](ClientState& c) {
      if (std::find(deleted->begin(), deleted->end(), c.username) == deleted->end()) return;
      if (&c == &ctx.client) {
        ctx.client.close_after_reply = true;
      } else {
        ctx.server.clients().Kill(&c);
      }
    });
  }
  ctx.reply.Int(static_cast<int64_t>(deleted->size()));
}

void CmdGetUser(CommandContext& ctx) {
  std::shared_ptr<const AclUser> user = ctx.server.acl().Find(ctx.args[2]);
  if (user == nullptr) return ctx.reply.Null();
  ReplyBuilder& r = ctx.reply;
  r.Map(6);
  r.Bulk("flags");
  std::vector<std::string_view> flags = user->Flags();
  r.Array(flags.size());
  for (std::string_view f : flags) r.Bulk(f);
  r.Bulk("passwords");
  r.Array(user->password_hashes().size());
  for (const std::string& h : user->password_hashes()) r.Bulk(h);
  r.Bulk("commands");
  r.Bulk(user->CommandRules());
  r.Bulk("keys");
  r.Bulk(user->KeyRules());
  r.Bulk("channels");
  r.Bulk(user->ChannelRules());
  r.Bulk("selectors");
  r.Array(0);
}

void CmdList(CommandContext& ctx) {
  std::vector<std::shared_ptr<const AclUser>> users = ctx.server.acl().Users();
  ctx.reply.Array(users.size());
  for (const auto& u : users) ctx.reply.Bulk(u->Describe());
}

void CmdUsers(CommandContext& ctx) {
  std::vector<std::shared_ptr<const AclUser>> users = ctx.server.acl().Users();
  ctx.reply.Array(users.size());
  for (const auto& u : users) ctx.reply.Bulk(u->name());
}

void CmdWhoAmI(CommandContext& ctx) {
  ctx.reply.Bulk(ctx.client.user ? ctx.client.user->name() : "default");
}

void CmdCat(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    return ctx.reply.Error(
        err::UnknownSubcommandOrArgs("CAT", "ACL"));
  }
  if (ctx.args.size() == 2) {
    ctx.reply.Array(AclCategoryNames().size());
    for (const AclCategoryName& c : AclCategoryNames()) ctx.reply.Bulk(c.name);
    return;
  }
  const uint32_t category = FindAclCategory(ctx.args[2]);
  if (category == 0) {
    return ctx.reply.Error(err::UnknownCategory(ctx.args[2]));
  }
  const CommandTable& table = ctx.server.commands();
  std::vector<std::string_view> names;
  for (uint32_t id = 0; id < table.num_ids(); ++id) {
    if (table.ById(id).acl_categories & category) names.push_back(table.ById(id).name);
  }
  ctx.reply.Array(names.size());
  for (std::string_view n : names) ctx.reply.Bulk(n);
}

void CmdGenPass(CommandContext& ctx) {
  int64_t bits = 256;
  if (ctx.args.size() > 3) {
    return ctx.reply.Error(
        err::UnknownSubcommandOrArgs("GENPASS", "ACL"));
  }
  if (ctx.args.size() == 3 && !ArgToInt(ctx, ctx.args[2], &bits)) return;
  if (bits <= 0 || bits > 4096) {
    return ctx.reply.Error(err::kAclGenpassBits);
  }
  std::string pass = AclGeneratePassword(static_cast<int>(bits));
  if (pass.empty()) return ctx.reply.Error(err::kRandomBytes);
  ctx.reply.Bulk(pass);
}

void CmdDryRun(CommandContext& ctx) {
  std::shared_ptr<const AclUser> user = ctx.server.acl().Find(ctx.args[2]);
  if (user == nullptr) {
    return ctx.reply.Error(err::UserNotFound(ctx.args[2]));
  }
  const std::span<const std::string_view> line = ctx.args.subspan(3);
  const CommandSpec* spec = ctx.server.commands().Find(line[0]);
  if (spec == nullptr) {
    return ctx.reply.Error(err::CommandNotFound(line[0]));
  }
  if (!CommandTable::ArityOk(*spec, line.size())) {
    return ctx.reply.Error(err::WrongArgs(spec->name));
  }
  spec = &CommandTable::Named(*spec, line);
  std::string_view object;
  switch (AclCheck(*user, *spec, line, &object)) {
    case AclDenial::kNone:
      return ctx.reply.Ok();
    case AclDenial::kCommand:
      return ctx.reply.Bulk("This user has no permissions to run the '" + std::string(object) +
                            "' command");
    case AclDenial::kKey:
      return ctx.reply.Bulk("This user has no permissions to access the '" + std::string(object) +
                            "' key");
    case AclDenial::kChannel:
      return ctx.reply.Bulk("This user has no permissions to access the '" + std::string(object) +
                            "' channel");
  }
}

void CmdLog(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    return ctx.reply.Error(
        err::UnknownSubcommandOrArgs("LOG", "ACL"));
  }
  int64_t count = 10;
  if (ctx.args.size() == 3) {
    if (EqualsIgnoreCase(ctx.args[2], "reset")) {
      ctx.server.acl().ResetLog();
      return ctx.reply.Ok();
    }
    std::optional<int64_t> n = ParseInt64(ctx.args[2]);
    if (!n) return ctx.reply.Error(Status::NotInteger());
    count = std::max<int64_t>(*n, 0);  // as Redis: a negative count shows nothing
  }
  const int64_t now = NowMs();
  std::vector<AclLogEntry> entries = ctx.server.acl().LogEntries(static_cast<size_t>(count));
  ReplyBuilder& r = ctx.reply;
  r.Array(entries.size());
  for (const AclLogEntry& e : entries) {
    r.Map(7);
    r.Bulk("count");
    r.Int(e.count);
    r.Bulk("reason");
    r.Bulk(e.reason);
    r.Bulk("context");
    r.Bulk(e.context);
    r.Bulk("object");
    r.Bulk(e.object);
    r.Bulk("username");
    r.Bulk(e.username);
    r.Bulk("age-seconds");
    r.Double(static_cast<double>(now - e.created_ms) / 1000.0);
    r.Bulk("client-info");
    r.Bulk(e.client_info);
  }
}

// ACL LOAD: the users become the aclfile's, all or nothing. As Redis 7.0, clients
// authenticated as any user but "default" are disconnected (this one after its reply).
void CmdLoad(CommandContext& ctx) {
  const std::string path = ctx.server.config().String(Param::kAclfile);
  if (path.empty()) return ctx.reply.Error(err::kNoAclFile);
  Status st = ctx.server.acl().LoadFile(path);
  if (!st.ok()) return ctx.reply.Error(st);
  ctx.server.clients().ForEach([&](ClientState& c) {
    if (c.username == "default") return;
    if (&c == &ctx.client) {
      ctx.client.close_after_reply = true;
    } else {
      ctx.server.clients().Kill(&c);
    }
  });
  ctx.reply.Ok();
}

void CmdSave(CommandContext& ctx) {
  const std::string path = ctx.server.config().String(Param::kAclfile);
  if (path.empty()) return ctx.reply.Error(err::kNoAclFile);
  Status st = ctx.server.acl().SaveFile(path);
  if (!st.ok()) {
    LOG_WARN("%s", st.message().c_str());
    return ctx.reply.Error(
        "ERR There was an error trying to save the ACLs. Please check the server logs for more "
        "information");
  }
  ctx.reply.Ok();
}

void CmdHelp(CommandContext& ctx) {
  static constexpr std::string_view kHelp[] = {
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the "
      "command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
  };
  ReplyHelp(ctx, "ACL", kHelp);
}

}  // namespace

std::vector<CommandSpec> AclFamily() {
  constexpr uint32_t kCtl = kNoScript | kLoading | kStale;
  constexpr uint32_t kAdm = kAdmin | kCtl;
  // clang-format off
  return {
      {"acl", -2, 0, 0, 0, 0, CmdAcl, "server", "A container for Access List Control commands",
       {
           {"acl|cat", -2, kCtl, 0, 0, 0, CmdCat, "server", "List the ACL categories or the commands inside a category"},
           {"acl|deluser", -3, kAdm, 0, 0, 0, CmdDelUser, "server", "Remove the specified ACL users and the associated rules"},
           {"acl|dryrun", -4, kAdm, 0, 0, 0, CmdDryRun, "server", "Returns whether the user can execute the given command without executing the command."},
           {"acl|genpass", -2, kCtl, 0, 0, 0, CmdGenPass, "server", "Generate a pseudorandom secure password to use for ACL users"},
           {"acl|getuser", 3, kAdm, 0, 0, 0, CmdGetUser, "server", "Get the rules for a specific ACL user"},
           {"acl|list", 2, kAdm, 0, 0, 0, CmdList, "server", "List the current ACL rules in ACL config file format"},
           {"acl|load", 2, kAdm, 0, 0, 0, CmdLoad, "server", "Reload the ACLs from the configured ACL file"},
           {"acl|log", -2, kAdm, 0, 0, 0, CmdLog, "server", "List latest events denied because of ACLs in place"},
           {"acl|save", 2, kAdm, 0, 0, 0, CmdSave, "server", "Save the current ACL rules in the configured ACL file"},
           {"acl|setuser", -3, kAdm, 0, 0, 0, CmdSetUser, "server", "Modify or create the rules for a specific ACL user"},
           {"acl|users", 2, kAdm, 0, 0, 0, CmdUsers, "server", "List the username of all the configured ACL rules"},
           {"acl|whoami", 2, kCtl, 0, 0, 0, CmdWhoAmI, "server", "Return the name of the user associated to the current connection"},
           {"acl|help", 2, kLoading | kStale, 0, 0, 0, CmdHelp, "server", "Show helpful text about the different subcommands"},
       }},
  };
  // clang-format on
}

}  // namespace strata::server
