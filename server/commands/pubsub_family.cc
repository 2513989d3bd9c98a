// Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB.
//
// The registry and cross-worker delivery are server/pubsub.h. Confirmations are pushes in
// RESP3 and arrays in RESP2, one per channel, each with the client's subscription count after
// it, as Redis sends them.
#include "base/string_util.h"
#include "server/commands/command.h"
#include "server/server.h"

namespace strata::server {
namespace {

void Confirm(CommandContext& ctx, std::string_view kind, const std::string_view* name) {
  ctx.reply.Push(3);
  ctx.reply.Bulk(kind);
  name != nullptr ? ctx.reply.Bulk(*name) : ctx.reply.Null();
  ctx.reply.Int(ctx.client.channels.load() + ctx.client.patterns.load());
}

void CmdSubscribe(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    ctx.server.pubsub().Subscribe(&ctx.client, ctx.args[i]);
    Confirm(ctx, "subscribe", &ctx.args[i]);
  }
}

void CmdPSubscribe(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    ctx.server.pubsub().PSubscribe(&ctx.client, ctx.args[i]);
    Confirm(ctx, "psubscribe", &ctx.args[i]);
  }
}

// UNSUBSCRIBE / PUNSUBSCRIBE: the named ones, or all; with none at all, one confirmation with
// a null name.
void UnsubscribeGeneric(CommandContext& ctx, bool patterns) {
  PubSub& ps = ctx.server.pubsub();
  const std::string_view kind = patterns ? "punsubscribe" : "unsubscribe";
  std::vector<std::string> names;
  if (ctx.args.size() > 1) {
    names.assign(ctx.args.begin() + 1, ctx.args.end());
  } else {
    names = patterns ? ps.PatternsOf(&ctx.client) : ps.ChannelsOf(&ctx.client);
    if (names.empty()) return Confirm(ctx, kind, nullptr);
  }
  for (const std::string& n : names) {
    patterns ? ps.PUnsubscribe(&ctx.client, n) : ps.Unsubscribe(&ctx.client, n);
    const std::string_view name = n;
    Confirm(ctx, kind, &name);
  }
}

void CmdUnsubscribe(CommandContext& ctx) { UnsubscribeGeneric(ctx, /*patterns=*/false); }
void CmdPUnsubscribe(CommandContext& ctx) { UnsubscribeGeneric(ctx, /*patterns=*/true); }

void CmdPublish(CommandContext& ctx) {
  ctx.reply.Int(static_cast<int64_t>(ctx.server.pubsub().Publish(ctx.args[1], ctx.args[2])));
}

void CmdPubSubChannels(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ReplyWrongArity(ctx);
  std::vector<std::string> names =
      ctx.server.pubsub().ActiveChannels(ctx.args.size() == 3 ? ctx.args[2] : "");
  ctx.reply.Array(names.size());
  for (const std::string& n : names) ctx.reply.Bulk(n);
}

void CmdPubSubNumSub(CommandContext& ctx) {
  ctx.reply.Map(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Bulk(ctx.args[i]);
    ctx.reply.Int(static_cast<int64_t>(ctx.server.pubsub().NumSubscribers(ctx.args[i])));
  }
}

void CmdPubSubNumPat(CommandContext& ctx) {
  ctx.reply.Int(static_cast<int64_t>(ctx.server.pubsub().NumPatterns()));
}

void CmdPubSubHelp(CommandContext& ctx) {
  static constexpr std::string_view kHelp[] = {
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
  };
  ReplyHelp(ctx, "PUBSUB", kHelp);
}

void CmdPubSub(CommandContext& ctx) {
  const std::string sub = ToLower(ctx.args[1]);
  if (sub == "channels") return CmdPubSubChannels(ctx);
  if (sub == "numsub") return CmdPubSubNumSub(ctx);
  if (sub == "numpat" && ctx.args.size() == 2) return CmdPubSubNumPat(ctx);
  if (sub == "help" && ctx.args.size() == 2) return CmdPubSubHelp(ctx);
  ReplyUnknownSubcommand(ctx);
}

}  // namespace

std::span<const std::string_view> ChannelArgs(const CommandSpec& spec,
                                              std::span<const std::string_view> args,
                                              bool* patterns) {
  *patterns = spec.name == "psubscribe";
  if (spec.name == "publish") return args.subspan(1, 1);
  if (spec.name == "subscribe" || spec.name == "psubscribe") return args.subspan(1);
  return {};
}

std::vector<CommandSpec> PubSubFamily() {
  constexpr uint32_t kSub = kPubSub | kNoScript | kLoading | kStale | kPubSubContext;
  constexpr uint32_t kInfo = kPubSub | kLoading | kStale;
  return {
      {"subscribe", -2, kSub, 0, 0, 0, CmdSubscribe, "pubsub",
       "Listen for messages published to the given channels"},
      {"unsubscribe", -1, kSub, 0, 0, 0, CmdUnsubscribe, "pubsub",
       "Stop listening for messages posted to the given channels"},
      {"psubscribe", -2, kSub, 0, 0, 0, CmdPSubscribe, "pubsub",
       "Listen for messages published to channels matching the given patterns"},
      {"punsubscribe", -1, kSub, 0, 0, 0, CmdPUnsubscribe, "pubsub",
       "Stop listening for messages posted to channels matching the given patterns"},
      {"publish", 3, kPubSub | kLoading | kStale | kFast, 0, 0, 0, CmdPublish, "pubsub",
       "Post a message to a channel"},
      {"pubsub", -2, 0, 0, 0, 0, CmdPubSub, "pubsub", "A container for Pub/Sub commands",
       {
           {"pubsub|channels", -2, kInfo, 0, 0, 0, CmdPubSub, "pubsub",
            "List active channels"},
           {"pubsub|numsub", -2, kInfo, 0, 0, 0, CmdPubSub, "pubsub",
            "Get the count of subscribers for channels"},
           {"pubsub|numpat", 2, kInfo, 0, 0, 0, CmdPubSub, "pubsub",
            "Get the count of unique patterns pattern subscriptions"},
           {"pubsub|help", 2, kLoading | kStale, 0, 0, 0, CmdPubSub, "pubsub",
            "Show helpful text about the different subcommands"},
       }},
  };
}

}  // namespace strata::server
