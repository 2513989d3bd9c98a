// Sorted-set operations shared beyond the zset family: the pop at the heart of ZPOPMIN,
// ZPOPMAX and ZMPOP, which the blocking commands (BZPOPMIN, BZPOPMAX, BZMPOP) reuse, and the
// replies those commands send; the STORE helper of ZRANGESTORE, the set-operation stores and
// the geo searches that store.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/db_view.h"
#include "server/commands/command.h"
#include "server/net/reply_builder.h"

namespace strata::server {

// (member, score) pairs in the order they were popped.
using ScoredMembers = std::vector<std::pair<std::string, double>>;

// Pops up to `count` members with the lowest scores (the highest with `max`) from the sorted
// set at `key` and logs their removal as one zset_rem effect; a set left empty is deleted.
// Returns them in pop order (ascending for min, descending for max); empty when the key is
// missing or count is 0. WrongType if the key holds another type (nothing popped).
// REQUIRES: key's shard locked (ctx.Lock(key) / ctx.Lock(keys)), `db` built from the same
// context so the effect is logged with the command.
Result<ScoredMembers> OpZPop(CommandContext& ctx, engine::DbView& db, std::string_view key,
                             bool max, size_t count);

// ZPOPMIN / ZPOPMAX's reply: RESP2 a flat array (member, score, ...); RESP3 the same flat pair
// without a count argument, an array of [member, score] pairs with one (`nested`).
void ReplyZPop(ReplyBuilder& reply, const ScoredMembers& items, bool nested);
// ZMPOP / BZMPOP's reply when something was popped: [key, [[member, score], ...]] (scores as
// RESP3 doubles or RESP2 bulk strings). When nothing was popped they reply NullArray().
void ReplyZMPop(ReplyBuilder& reply, std::string_view key, const ScoredMembers& items);

// Parses ZMPOP's (and BZMPOP's) arguments from args[first] on: numkeys key... MIN|MAX
// [COUNT count]. Replies Redis's error and returns false on bad input.
struct ZMPopArgs {
  std::span<const std::string_view> keys;
  bool max = false;
  size_t count = 1;
};
bool ParseZMPopArgs(CommandContext& ctx, size_t first, ZMPopArgs* out);

// Replaces dst by a sorted set of `items` (a put) and notifies `event` (zunionstore,
// georadiusstore, ...), or deletes it when items is empty (notifying del if it existed).
// REQUIRES: dst's shard locked.
void StoreZSet(CommandContext& ctx, engine::DbView& db, std::string_view dst,
               const std::vector<std::pair<std::string_view, double>>& items,
               std::string_view event);

// Registration of the commands in zset_setop_family.cc (ZUNION, ZINTER, ZDIFF, their STORE
// forms, ZINTERCARD); ZSetFamily() includes them.
std::vector<CommandSpec> ZSetOpCommands();

}  // namespace strata::server
