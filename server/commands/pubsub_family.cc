// Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB.
//
// The registry and cross-worker delivery are server/pubsub.h. Confirmations are pushes in
// RESP3 and arrays in RESP2, one per channel, each with the client's subscription count after
// it, as Redis sends them.
#include "base/string_util.h"
#include "server/commands/command.h"
#include "server/commands/errors.h"
#include "server/server.h"

namespace strata::server {
namespace {

// One confirmation: [kind, name, count], count being the client's channels and patterns, or
// for the shard kinds its shard channels, as Redis counts them.
void Confirm(CommandContext& ctx, PubSub::Kind kind, std::string_view confirm,
             const std::string_view* name) {
  ctx.reply.Push(3);
  ctx.reply.Bulk(confirm);
  name != nullptr ? ctx.reply.Bulk(*name) : ctx.reply.Null();
  ctx.reply.Int(kind == PubSub::kShard ? ctx.client.shard_channels.load()
                                       : ctx.client.channels.load() + ctx.client.patterns.load());
}

void SubscribeGeneric(CommandContext& ctx, PubSub::Kind kind, std::string_view confirm) {
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    ctx.server.pubsub().Subscribe(&ctx.client, kind, ctx.args[i]);
    Confirm(ctx, kind, confirm, &ctx.args[i]);
  }
}

void CmdSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, PubSub::kChannel, "subscribe"); }
void CmdPSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, PubSub::kPattern, "psubscribe"); }
void CmdSSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, PubSub::kShard, "ssubscribe"); }

// UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE: the named ones, or all; with none at all, one
// confirmation with a null name.
void UnsubscribeGeneric(CommandContext& ctx, PubSub::Kind kind, std::string_view confirm) {
  PubSub& ps = ctx.server.pubsub();
  std::vector<std::string> names;
  if (ctx.args.size() > 1) {
    names.assign(ctx.args.begin() + 1, ctx.args.end());
  } else {
    names = ps.NamesOf(&ctx.client, kind);
    if (names.empty()) return Confirm(ctx, kind, confirm, nullptr);
  }
  for (const std::string& n : names) {
    ps.Unsubscribe(&ctx.client, kind, n);
    const std::string_view name = n;
    Confirm(ctx, kind, confirm, &name);
  }
}

void CmdUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, PubSub::kChannel, "unsubscribe");
}
void CmdPUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, PubSub::kPattern, "punsubscribe");
}
void CmdSUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, PubSub::kShard, "sunsubscribe");
}

void CmdPublish(CommandContext& ctx) {
  ctx.reply.Int(static_cast<int64_t>(ctx.server.pubsub().Publish(ctx.args[1], ctx.args[2])));
}

void CmdSPublish(CommandContext& ctx) {
  ctx.reply.Int(static_cast<int64_t>(ctx.server.pubsub().PublishShard(ctx.args[1], ctx.args[2])));
}

void ReplyChannels(CommandContext& ctx, PubSub::Kind kind) {
  if (ctx.args.size() > 3) return ctx.reply.Error(err::UnknownSubcommandOrArgs(ctx.args[1], "PUBSUB"));
  std::vector<std::string> names =
      ctx.server.pubsub().ActiveChannels(kind, ctx.args.size() == 3 ? ctx.args[2] : "");
  ctx.reply.Array(names.size());
  for (const std::string& n : names) ctx.reply.Bulk(n);
}

void ReplyNumSub(CommandContext& ctx, PubSub::Kind kind) {
  ctx.reply.Map(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Bulk(ctx.args[i]);
    ctx.reply.Int(static_cast<int64_t>(ctx.server.pubsub().NumSubscribers(kind, ctx.args[i])));
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
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
  };
  ReplyHelp(ctx, "PUBSUB", kHelp);
}

void CmdPubSub(CommandContext& ctx) {
  const std::string sub = ToLower(ctx.args[1]);
  if (sub == "channels") return ReplyChannels(ctx, PubSub::kChannel);
  if (sub == "numsub") return ReplyNumSub(ctx, PubSub::kChannel);
  if (sub == "shardchannels") return ReplyChannels(ctx, PubSub::kShard);
  if (sub == "shardnumsub") return ReplyNumSub(ctx, PubSub::kShard);
  if (sub == "numpat" && ctx.args.size() == 2) return CmdPubSubNumPat(ctx);
  if (sub == "help" && ctx.args.size() == 2) return CmdPubSubHelp(ctx);
  ReplyUnknownSubcommand(ctx);
}

}  // namespace

std::span<const std::string_view> ChannelArgs(const CommandSpec& spec,
                                              std::span<const std::string_view> args,
                                              bool* patterns) {
  *patterns = spec.name == "psubscribe";
  if (spec.name == "publish" || spec.name == "spublish") return args.subspan(1, 1);
  if (spec.name == "subscribe" || spec.name == "psubscribe" || spec.name == "ssubscribe") {
    return args.subspan(1);
  }
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
      // Sharded pub/sub: the channels are in Redis's key positions, flagged not_key.
      {"ssubscribe", -2, kSub | kNotKey, 1, -1, 1, CmdSSubscribe, "pubsub",
       "Listen for messages published to the given shard channels"},
      {"sunsubscribe", -1, kSub | kNotKey, 1, -1, 1, CmdSUnsubscribe, "pubsub",
       "Stop listening for messages posted to the given shard channels"},
      {"spublish", 3, kPubSub | kLoading | kStale | kFast | kNotKey, 1, 1, 1, CmdSPublish,
       "pubsub", "Post a message to a shard channel"},
      {"pubsub", -2, 0, 0, 0, 0, CmdPubSub, "pubsub", "A container for Pub/Sub commands",
       {
           {"pubsub|channels", -2, kInfo, 0, 0, 0, CmdPubSub, "pubsub",
            "List active channels"},
           {"pubsub|numsub", -2, kInfo, 0, 0, 0, CmdPubSub, "pubsub",
            "Get the count of subscribers for channels"},
           {"pubsub|numpat", 2, kInfo, 0, 0, 0, CmdPubSub, "pubsub",
            "Get the count of unique patterns pattern subscriptions"},
           {"pubsub|shardchannels", -2, kInfo, 0, 0, 0, CmdPubSub, "pubsub",
            "List active shard channels"},
           {"pubsub|shardnumsub", -2, kInfo, 0, 0, 0, CmdPubSub, "pubsub",
            "Get the count of subscribers for shard channels"},
           {"pubsub|help", 2, kLoading | kStale, 0, 0, 0, CmdPubSub, "pubsub",
            "Show helpful text about the different subcommands"},
       }},
  };
}

}  // namespace strata::server
