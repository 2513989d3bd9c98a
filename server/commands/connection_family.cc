// Connection commands: PING, ECHO, QUIT, HELLO, AUTH, SELECT, RESET, CLIENT.
#include <algorithm>

#include "base/string_util.h"
#include "server/net/client.h"
#include "server/commands/command.h"
#include "server/server.h"
#include "server/commands/errors.h"

namespace strata::server {
namespace {

void CmdPing(CommandContext& ctx) {
  if (ctx.args.size() > 2) return ReplyWrongArity(ctx);
  if (ctx.client.subscribed() && !ctx.reply.resp3()) {
    // RESP2 subscribed mode: ["pong", message], as Redis.
    ctx.reply.Array(2);
    ctx.reply.Bulk("pong");
    return ctx.reply.Bulk(ctx.args.size() == 2 ? ctx.args[1] : "");
  }
  if (ctx.args.size() == 2) return ctx.reply.Bulk(ctx.args[1]);
  ctx.reply.Simple("PONG");
}

void CmdEcho(CommandContext& ctx) { ctx.reply.Bulk(ctx.args[1]); }

void CmdQuit(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.client.close_after_reply = true;
}

void CmdAuth(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.reply.Error(Status::Syntax());
  std::string_view user = ctx.args.size() == 3 ? ctx.args[1] : "default";
  std::string_view pass = ctx.args.back();
  if (ctx.args.size() == 2 && ctx.server.acl().default_nopass()) {
    return ctx.reply.Error(err::kAuthWithoutPassword);
  }
  if (!ctx.server.Authenticate(ctx.client, user, pass)) return ctx.reply.Error(err::kWrongPass);
  ctx.reply.Ok();
}

void ReplyHello(CommandContext& ctx) {
  ReplyBuilder& r = ctx.reply;
  r.Map(7);
  r.Bulk("server");
  r.Bulk("redis");
  r.Bulk("version");
  r.Bulk("7.0.15");
  r.Bulk("proto");
  r.Int(ctx.client.resp.load());
  r.Bulk("id");
  r.Int(static_cast<int64_t>(ctx.client.id));
  r.Bulk("mode");
  r.Bulk("standalone");
  r.Bulk("role");
  r.Bulk("master");
  r.Bulk("modules");
  r.Array(0);
}

void CmdHello(CommandContext& ctx) {
  int64_t ver = 0;
  size_t i = 1;
  if (ctx.args.size() >= 2) {
    auto v = ParseInt64(ctx.args[1]);
    if (!v) return ctx.reply.Error(err::kProtocolVersion);
    ver = *v;
    i = 2;
    if (ver < 2 || ver > 3) return ctx.reply.Error(err::kNoProto);
  }
  std::string_view user, pass, name;
  bool has_auth = false, has_name = false;
  for (; i < ctx.args.size(); ++i) {
    size_t left = ctx.args.size() - i - 1;
    if (EqualsIgnoreCase(ctx.args[i], "AUTH") && left >= 2) {
      user = ctx.args[i + 1];
      pass = ctx.args[i + 2];
      has_auth = true;
      i += 2;
    } else if (EqualsIgnoreCase(ctx.args[i], "SETNAME") && left >= 1) {
      name = ctx.args[i + 1];
      has_name = true;
      i += 1;
    } else {
      return ctx.reply.Error(err::HelloSyntax(ctx.args[i]));
    }
  }
  if (has_auth && !ctx.server.Authenticate(ctx.client, user, pass)) {
    return ctx.reply.Error(err::kWrongPass);
  }
  if (!ctx.client.authenticated.load()) {
    return ctx.reply.Error(err::kHelloNoAuth);
  }
  if (has_name) {
    for (char c : name) {
      if (c < '!' || c > '~') {
        return ctx.reply.Error(
            err::kClientNameChars);
      }
    }
    ctx.server.clients().SetName(&ctx.client, std::string(name));
  }
  if (ver != 0) {
    ctx.client.resp = static_cast<int>(ver);
    ctx.reply.set_resp3(ver == 3);
  }
  ReplyHello(ctx);
}

void CmdSelect(CommandContext& ctx) {
  int64_t db;
  if (!ArgToInt(ctx, ctx.args[1], &db)) return;
  if (db < INT32_MIN || db > INT32_MAX) {
    return ctx.reply.Error(
        err::kNotInt32);
  }
  if (db < 0 || db >= ctx.keyspace().num_dbs()) return ctx.reply.Error(err::kDbIndexOutOfRange);
  ctx.client.db = static_cast<int>(db);
  ctx.reply.Ok();
}

void CmdReset(CommandContext& ctx) {
  ctx.client.in_multi = false;
  ctx.client.multi_error = false;
  ctx.client.queued.clear();
  ctx.server.watches().UnwatchAll(&ctx.client);
  ctx.server.pubsub().RemoveClient(&ctx.client);
  ctx.client.db = 0;
  ctx.client.resp = 2;
  ctx.reply.set_resp3(false);
  ctx.server.clients().SetName(&ctx.client, "");
  // As Redis: back to the default user, authenticated only if that needs no password.
  ctx.server.clients().SetUsername(&ctx.client, "default");
  ctx.client.user = nullptr;
  ctx.client.acl_version = 0;  // the next command looks "default" up
  ctx.client.authenticated = !ctx.server.acl().default_requires_auth();
  ctx.reply.Simple("RESET");
}

// ---- CLIENT ----

bool ValidClientName(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) { return c >= '!' && c <= '~'; });
}

void ClientList(CommandContext& ctx) {
  std::vector<uint64_t> ids;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (EqualsIgnoreCase(ctx.args[i], "TYPE") && i + 1 < ctx.args.size()) {
      std::string t = ToLower(ctx.args[++i]);
      if (t != "normal" && t != "master" && t != "replica" && t != "slave" && t != "pubsub") {
        return ctx.reply.Error(err::UnknownClientType(ctx.args[i]));
      }
      if (t != "normal") return ctx.reply.Verbatim("");
    } else if (EqualsIgnoreCase(ctx.args[i], "ID") && i + 1 < ctx.args.size()) {
      for (++i; i < ctx.args.size(); ++i) {
        auto id = ParseInt64(ctx.args[i]);
        // As Redis, any integer is an ID: one that no client has (0, negative) matches none.
        if (!id) return ctx.reply.Error(err::kInvalidClientId);
        ids.push_back(static_cast<uint64_t>(*id));
      }
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  std::string out;
  std::vector<std::pair<uint64_t, std::string>> lines;
  ctx.server.clients().ForEach([&](ClientState& c) {
    if (ids.empty() || std::find(ids.begin(), ids.end(), c.id) != ids.end()) {
      lines.emplace_back(c.id, ClientInfoLine(c, ctx.now_ms));
    }
  });
  std::sort(lines.begin(), lines.end());
  for (auto& [id, line] : lines) out += line;
  ctx.reply.Verbatim(out);
}

void ClientKill(CommandContext& ctx) {
  const auto& a = ctx.args;
  if (a.size() == 3) {  // old form: CLIENT KILL addr:port
    bool found = false, self = false;
    ctx.server.clients().ForEach([&](ClientState& c) {
      if (found || c.addr != a[2]) return;
      found = true;
      if (&c == &ctx.client) self = true;
      else ctx.server.clients().Kill(&c);
    });
    if (!found) return ctx.reply.Error(err::kNoSuchClient);
    if (self) ctx.client.close_after_reply = true;
    return ctx.reply.Ok();
  }
  if (a.size() % 2 != 0) return ctx.reply.Error(Status::Syntax());
  int64_t id = 0, maxage = 0;
  std::string addr, laddr, type, user;
  bool skipme = true;
  for (size_t i = 2; i + 1 < a.size(); i += 2) {
    std::string_view opt = a[i], val = a[i + 1];
    if (EqualsIgnoreCase(opt, "ID")) {
      auto v = ParseInt64(val);
      if (!v || *v <= 0) return ctx.reply.Error(err::kClientIdPositive);
      id = *v;
    } else if (EqualsIgnoreCase(opt, "ADDR")) {
      addr = val;
    } else if (EqualsIgnoreCase(opt, "LADDR")) {
      laddr = val;
    } else if (EqualsIgnoreCase(opt, "TYPE")) {
      type = ToLower(val);
      if (type != "normal" && type != "master" && type != "replica" && type != "slave" &&
          type != "pubsub") {
        return ctx.reply.Error(err::UnknownClientType(val));
      }
    } else if (EqualsIgnoreCase(opt, "USER")) {
      user = val;
      if (ctx.server.acl().Find(user) == nullptr) {
        return ctx.reply.Error(err::NoSuchUser(user));
      }
    } else if (EqualsIgnoreCase(opt, "SKIPME")) {
      if (EqualsIgnoreCase(val, "yes")) skipme = true;
      else if (EqualsIgnoreCase(val, "no")) skipme = false;
      else return ctx.reply.Error(Status::Syntax());
    } else if (EqualsIgnoreCase(opt, "MAXAGE")) {
      auto v = ParseInt64(val);
      if (!v) return ctx.reply.Error(Status::NotInteger());
      maxage = *v;
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  int64_t killed = 0;
  bool self = false;
  ctx.server.clients().ForEach([&](ClientState& c) {
    if (id && c.id != static_cast<uint64_t>(id)) return;
    if (!addr.empty() && c.addr != addr) return;
    if (!laddr.empty() && c.laddr != laddr) return;
    if (!type.empty() && type != "normal") return;
    if (!user.empty() && c.username != user) return;
    if (maxage && (ctx.now_ms - c.created_ms) / 1000 < maxage) return;
    if (&c == &ctx.client) {
      if (skipme) return;
      self = true;
    } else {
      ctx.server.clients().Kill(&c);
    }
    ++killed;
  });
  if (self) ctx.client.close_after_reply = true;
  ctx.reply.Int(killed);
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: the client's blocked command answers its time-out reply,
// or an UNBLOCKED error; 1 if it was blocked (and not being served), else 0.
void ClientUnblock(CommandContext& ctx) {
  if (ctx.args.size() > 4) {
    return ctx.reply.Error(err::UnknownSubcommandOrArgs(ctx.args[1], "CLIENT"));
  }
  bool error = false;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "error")) {
      error = true;
    } else if (!EqualsIgnoreCase(ctx.args[3], "timeout")) {
      return ctx.reply.Error(err::kUnblockReason);
    }
  }
  int64_t id;
  if (!ArgToInt(ctx, ctx.args[2], &id)) return;
  std::unique_ptr<Blocking::Waiter> w =
      id > 0 ? ctx.server.blocking().Unblock(static_cast<uint64_t>(id)) : nullptr;
  if (w == nullptr) return ctx.reply.Int(0);
  std::string out;
  ReplyBuilder reply(&out);
  reply.set_resp3(w->resp3);
  if (error) {
    reply.Error(err::kUnblockedByClient);
  } else {
    reply.NullArray();  // every blocking command's time-out reply
  }
  w->mailbox->DeliverServed(w->client_id, std::move(out), 0);
  ctx.reply.Int(1);
}

void CmdClient(CommandContext& ctx) {
  const CommandSpec* sub = CommandTable::FindSub(*ctx.server.commands().Find("client"), ctx.args[1]);
  if (sub == nullptr) return ReplyUnknownSubcommand(ctx);
  if (!CommandTable::ArityOk(*sub, ctx.args.size())) return ReplyWrongArity(ctx);
  std::string_view name = sub->name.substr(7);
  if (name == "id") return ctx.reply.Int(static_cast<int64_t>(ctx.client.id));
  if (name == "getname") {
    std::string n = ctx.server.clients().GetName(&ctx.client);
    return n.empty() ? ctx.reply.Null() : ctx.reply.Bulk(n);
  }
  if (name == "setname") {
    if (!ValidClientName(ctx.args[2])) {
      return ctx.reply.Error(
          err::kClientNameChars);
    }
    ctx.server.clients().SetName(&ctx.client, std::string(ctx.args[2]));
    return ctx.reply.Ok();
  }
  if (name == "list") return ClientList(ctx);
  if (name == "no-evict") {
    // Shown as Redis shows it (flag e); Strata never evicts clients (no maxmemory-clients).
    if (EqualsIgnoreCase(ctx.args[2], "on") || EqualsIgnoreCase(ctx.args[2], "off")) {
      ctx.client.no_evict = EqualsIgnoreCase(ctx.args[2], "on");
      return ctx.reply.Ok();
    }
    return ctx.reply.Error(Status::Syntax());
  }
  if (name == "reply") {
    // ON replies +OK; OFF and SKIP reply nothing (Server::Execute drops the replies).
    if (EqualsIgnoreCase(ctx.args[2], "on")) {
      ctx.client.reply_off = ctx.client.reply_skip = false;
      return ctx.reply.Ok();
    }
    if (EqualsIgnoreCase(ctx.args[2], "off")) {
      ctx.client.reply_off = true;
      return;
    }
    if (EqualsIgnoreCase(ctx.args[2], "skip")) {
      if (!ctx.client.reply_off) ctx.client.reply_skip_next = true;
      return;
    }
    return ctx.reply.Error(Status::Syntax());
  }
  if (name == "info") {
    std::string line;
    ctx.server.clients().ForEach([&](ClientState& c) {
      if (&c == &ctx.client) line = ClientInfoLine(c, ctx.now_ms);
    });
    return ctx.reply.Verbatim(line);
  }
  if (name == "kill") return ClientKill(ctx);
  if (name == "unblock") return ClientUnblock(ctx);
  if (name == "help") {
    static constexpr std::string_view kHelp[] = {
        "GETNAME", "    Return the name of the current connection.",
        "ID", "    Return the ID of the current connection.",
        "INFO", "    Return information about the current client connection.",
        "KILL <ip:port>", "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are: ID, ADDR, LADDR, TYPE, USER, SKIPME, MAXAGE.",
        "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID id ...]", "    Return client connections.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client."};
    return ReplyHelp(ctx, "CLIENT", kHelp);
  }
  ReplyUnknownSubcommand(ctx);
}

}  // namespace

std::vector<CommandSpec> ConnectionFamily() {
  constexpr uint32_t kConn = kNoScript | kLoading | kStale;
  return {
      {"ping", -1, kFast | kSentinel | kPubSubContext, 0, 0, 0, CmdPing, "connection", "Ping the server"},
      {"echo", 2, kFast, 0, 0, 0, CmdEcho, "connection", "Echo the given string"},
      {"quit", -1, kNoAuth | kFast | kConn | kMultiControl | kPubSubContext, 0, 0, 0, CmdQuit, "connection", "Close the connection"},
      {"auth", -2, kNoAuth | kFast | kConn, 0, 0, 0, CmdAuth, "connection",
       "Authenticate to the server"},
      {"hello", -1, kNoAuth | kFast | kConn, 0, 0, 0, CmdHello, "connection",
       "Handshake with Redis"},
      {"select", 2, kFast | kLoading | kStale, 0, 0, 0, CmdSelect, "connection",
       "Change the selected database for the current connection"},
      {"reset", 1, kNoAuth | kFast | kConn | kMultiControl | kPubSubContext, 0, 0, 0, CmdReset, "connection",
       "Reset the connection"},
      {"client", -2, kSentinel, 0, 0, 0, CmdClient, "connection", "A container for client connection commands",
       {
           {"client|id", 2, kConn, 0, 0, 0, CmdClient, "connection", "Returns the client ID for the current connection"},
           {"client|getname", 2, kConn, 0, 0, 0, CmdClient, "connection", "Get the current connection name"},
           {"client|setname", 3, kConn, 0, 0, 0, CmdClient, "connection", "Set the current connection name"},
           {"client|list", -2, kAdmin | kConn, 0, 0, 0, CmdClient, "connection", "Get the list of client connections"},
           {"client|info", 2, kConn, 0, 0, 0, CmdClient, "connection", "Returns information about the current client connection."},
           {"client|kill", -3, kAdmin | kConn, 0, 0, 0, CmdClient, "connection", "Kill the connection of a client"},
           {"client|no-evict", 3, kAdmin | kConn, 0, 0, 0, CmdClient, "connection", "Set client eviction mode for the current connection"},
           {"client|reply", 3, kConn, 0, 0, 0, CmdClient, "connection", "Instruct the server whether to reply to commands"},
           {"client|unblock", -3, kAdmin | kConn, 0, 0, 0, CmdClient, "connection", "Unblock a client blocked in a blocking command from a different connection"},
           {"client|help", 2, kLoading | kStale, 0, 0, 0, CmdClient, "connection", "Show helpful text about the different subcommands"},
       }, 0, 0},
  };
}

}  // namespace strata::server
