// Connection commands: PING, ECHO, QUIT, HELLO, AUTH, SELECT, RESET, CLIENT.
#include <algorithm>

#include "base/string_util.h"
#include "base/version.h"
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
  r.Bulk(kRedisVersion);
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
  ctx.server.tracking().Disable(&ctx.client);
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

// ---- Client-side caching (server/tracking.h) ----

// CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP], with
// Redis 7.0's checks in its order.
void ClientTracking(CommandContext& ctx) {
  const auto& a = ctx.args;
  Tracking::Options o;
  for (size_t j = 3; j < a.size(); ++j) {
    const bool more = j + 1 < a.size();
    if (EqualsIgnoreCase(a[j], "redirect") && more) {
      if (o.redirect != 0) {
        return ctx.reply.Error("ERR A client can only redirect to a single other client");
      }
      int64_t id;
      if (!ArgToInt(ctx, a[++j], &id)) return;
      if (id <= 0 || !ctx.server.clients().WithClient(static_cast<uint64_t>(id), [](ClientState&) {})) {
        return ctx.reply.Error("ERR The client ID you want redirect to does not exist");
      }
      o.redirect = static_cast<uint64_t>(id);
    } else if (EqualsIgnoreCase(a[j], "bcast")) {
      o.bcast = true;
    } else if (EqualsIgnoreCase(a[j], "optin")) {
      o.optin = true;
    } else if (EqualsIgnoreCase(a[j], "optout")) {
      o.optout = true;
    } else if (EqualsIgnoreCase(a[j], "noloop")) {
      o.noloop = true;
    } else if (EqualsIgnoreCase(a[j], "prefix") && more) {
      o.prefixes.emplace_back(a[++j]);
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  ClientState& c = ctx.client;
  if (EqualsIgnoreCase(a[2], "off")) {
    ctx.server.tracking().Disable(&c);
    return ctx.reply.Ok();
  }
  if (!EqualsIgnoreCase(a[2], "on")) return ctx.reply.Error(Status::Syntax());
  if (!o.bcast && !o.prefixes.empty()) {
    return ctx.reply.Error("ERR PREFIX option requires BCAST mode to be enabled");
  }
  if (c.tracking && c.tracking_bcast != o.bcast) {
    return ctx.reply.Error(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
  }
  if (o.bcast && (o.optin || o.optout)) {
    return ctx.reply.Error("ERR OPTIN and OPTOUT are not compatible with BCAST");
  }
  if (o.optin && o.optout) {
    return ctx.reply.Error("ERR You can't specify both OPTIN mode and OPTOUT mode");
  }
  if ((o.optin && c.tracking_optout) || (o.optout && c.tracking_optin)) {
    return ctx.reply.Error(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
  }
  std::string error = ctx.server.tracking().Enable(&c, o);
  if (!error.empty()) return ctx.reply.Error(error);
  ctx.reply.Ok();
}

void ClientCaching(CommandContext& ctx) {
  ClientState& c = ctx.client;
  if (!c.tracking || !(c.tracking_optin || c.tracking_optout)) {
    return ctx.reply.Error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        "OPTOUT mode enabled");
  }
  if (EqualsIgnoreCase(ctx.args[2], "yes")) {
    if (!c.tracking_optin) {
      return ctx.reply.Error(
          "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
    }
  } else if (EqualsIgnoreCase(ctx.args[2], "no")) {
    if (!c.tracking_optout) {
      return ctx.reply.Error(
          "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
    }
  } else {
    return ctx.reply.Error(Status::Syntax());
  }
  c.tracking_caching = true;  // for the next command (Server::Execute)
  ctx.reply.Ok();
}

void ClientTrackingInfo(CommandContext& ctx) {
  const ClientState& c = ctx.client;
  std::vector<std::string_view> flags;
  if (!c.tracking) {
    flags.push_back("off");
  } else {
    flags.push_back("on");
    if (c.tracking_bcast) flags.push_back("bcast");
    if (c.tracking_optin) {
      flags.push_back("optin");
      if (c.tracking_caching) flags.push_back("caching-yes");
    }
    if (c.tracking_optout) {
      flags.push_back("optout");
      if (c.tracking_caching) flags.push_back("caching-no");
    }
    if (c.tracking_noloop) flags.push_back("noloop");
    if (c.tracking_broken) flags.push_back("broken_redirect");
  }
  ctx.reply.Map(3);
  ctx.reply.Bulk("flags");
  ctx.reply.Set(flags.size());
  for (std::string_view f : flags) ctx.reply.Bulk(f);
  ctx.reply.Bulk("redirect");
  ctx.reply.Int(c.tracking ? static_cast<int64_t>(c.tracking_redirect.load()) : -1);
  ctx.reply.Bulk("prefixes");
  std::vector<std::string> prefixes = ctx.server.tracking().PrefixesOf(&c);
  ctx.reply.Array(prefixes.size());
  for (const std::string& p : prefixes) ctx.reply.Bulk(p);
}

// CLIENT PAUSE timeout [WRITE|ALL] (server/client_pause.h).
void ClientPauseCommand(CommandContext& ctx) {
  if (ctx.args.size() > 4) {
    return ctx.reply.Error(err::UnknownSubcommandOrArgs(ctx.args[1], "CLIENT"));
  }
  auto timeout = ParseInt64(ctx.args[2]);
  if (!timeout) return ctx.reply.Error("ERR timeout is not an integer or out of range");
  if (*timeout < 0) return ctx.reply.Error("ERR timeout is negative");
  ClientPause::Mode mode = ClientPause::kAll;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "write")) {
      mode = ClientPause::kWrite;
    } else if (!EqualsIgnoreCase(ctx.args[3], "all")) {
      return ctx.reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
  }
  // A time past the clock's range pauses until UNPAUSE (Redis's sum would wrap and not pause).
  const int64_t end = *timeout > INT64_MAX - ctx.now_ms ? INT64_MAX : ctx.now_ms + *timeout;
  ctx.server.client_pause().Pause(ctx.now_ms, end, mode);
  ctx.reply.Ok();
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
  if (name == "tracking") return ClientTracking(ctx);
  if (name == "pause") return ClientPauseCommand(ctx);
  if (name == "unpause") {
    ctx.server.client_pause().Unpause();
    return ctx.reply.Ok();
  }
  if (name == "caching") return ClientCaching(ctx);
  if (name == "trackinginfo") return ClientTrackingInfo(ctx);
  if (name == "getredir") {
    return ctx.reply.Int(ctx.client.tracking ? static_cast<int64_t>(ctx.client.tracking_redirect.load()) : -1);
  }
  if (name == "unblock") return ClientUnblock(ctx);
  if (name == "help") {
    static constexpr std::string_view kHelp[] = {
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME", "    Return the name of the current connection.",
        "ID", "    Return the ID of the current connection.",
        "INFO", "    Return information about the current client connection.",
        "KILL <ip:port>", "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE", "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO", "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction."};
    return ReplyHelp(ctx, "CLIENT", kHelp);
  }
  ReplyUnknownSubcommand(ctx);
}

}  // namespace

std::vector<CommandSpec> ConnectionFamily() {
  constexpr uint32_t kConn = kNoScript | kLoading | kStale;
  return {
      {"ping", -1, kFast | kSentinel | kPubSubContext, 0, 0, 0, CmdPing, "connection", "Ping the server"},
      {"echo", 2, kLoading | kStale | kFast, 0, 0, 0, CmdEcho, "connection", "Echo the given string"},
      {"quit", -1, kNoAuth | kFast | kConn | kAllowBusy | kMultiControl | kPubSubContext, 0, 0, 0, CmdQuit, "connection", "Close the connection"},
      {"auth", -2, kNoAuth | kFast | kConn | kAllowBusy, 0, 0, 0, CmdAuth, "connection",
       "Authenticate to the server"},
      {"hello", -1, kNoAuth | kFast | kConn | kAllowBusy, 0, 0, 0, CmdHello, "connection",
       "Handshake with Redis"},
      {"select", 2, kFast | kLoading | kStale, 0, 0, 0, CmdSelect, "connection",
       "Change the selected database for the current connection"},
      {"reset", 1, kNoAuth | kFast | kConn | kAllowBusy | kMultiControl | kPubSubContext, 0, 0, 0, CmdReset, "connection",
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
           {"client|pause", -3, kAdmin | kConn, 0, 0, 0, CmdClient, "connection", "Stop processing commands from clients for some time"},
           {"client|unpause", 2, kAdmin | kConn, 0, 0, 0, CmdClient, "connection", "Resume processing of clients that were paused"},
           {"client|tracking", -3, kConn, 0, 0, 0, CmdClient, "connection", "Enable or disable server assisted client side caching support"},
           {"client|caching", 3, kConn, 0, 0, 0, CmdClient, "connection", "Instruct the server about tracking or not keys in the next request"},
           {"client|getredir", 2, kConn, 0, 0, 0, CmdClient, "connection", "Get tracking notifications redirection client ID if any"},
           {"client|trackinginfo", 2, kConn, 0, 0, 0, CmdClient, "connection", "Return information about server assisted client side caching for the current connection"},
           {"client|help", 2, kLoading | kStale, 0, 0, 0, CmdClient, "connection", "Show helpful text about the different subcommands"},
       }, 0, 0},
  };
}

}  // namespace strata::server
