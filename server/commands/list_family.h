// List operations shared with the blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP):
// the pop and move cores of LPOP/RPOP, LMOVE/RPOPLPUSH and LMPOP, usable with the shards
// already locked. Each change goes through DbView::Apply, so it is logged like the
// non-blocking command's, and sends the keyspace notifications Redis sends for it (ctx).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/db_view.h"
#include "engine/list_value.h"
#include "server/commands/command.h"
#include "server/net/reply_builder.h"

namespace strata::server {

using engine::ListEnd;

// REQUIRES: key's shard locked. Pops up to `count` elements from `where` (in pop order) and
// returns them; empty if there is no key (a list is never empty). WrongType if key holds
// another type. The key is deleted when emptied.
Result<std::vector<std::string>> OpListPop(CommandContext& ctx, engine::DbView& db,
                                           std::string_view key, ListEnd where, size_t count);

// REQUIRES: the shards of src and dst locked. LMOVE: pops one element from src's `from` end and
// pushes it at dst's `to` end; returns it, or nullopt if src does not exist (nothing changes).
// WrongType (and nothing changes) if src or dst holds another type. src == dst rotates the
// list.
Result<std::optional<std::string>> OpListMove(CommandContext& ctx, engine::DbView& db,
                                              std::string_view src, std::string_view dst,
                                              ListEnd from, ListEnd to);

// What LMPOP pops: the key it popped from and the elements, in pop order.
using ListMPopResult = std::optional<std::pair<std::string, std::vector<std::string>>>;

// REQUIRES: the shards of all keys locked. LMPOP's core: pops up to `count` elements from
// `where` of the first key of `keys` that holds a list; nullopt if none does. WrongType if a
// key met before such a list holds another type (nothing changes then).
Result<ListMPopResult> OpListMPop(CommandContext& ctx, engine::DbView& db,
                                  std::span<const std::string_view> keys, ListEnd where,
                                  size_t count);

// Parses LEFT|RIGHT; replies a syntax error and returns false otherwise.
bool ParseListEnd(CommandContext& ctx, std::string_view arg, ListEnd* out);

// LMPOP's (and BLMPOP's) arguments from args[first] on: numkeys key... LEFT|RIGHT
// [COUNT count]. Replies Redis's error and returns false on bad input.
struct ListMPopArgs {
  std::span<const std::string_view> keys;
  ListEnd where = ListEnd::kHead;
  size_t count = 1;
};
bool ParseListMPopArgs(CommandContext& ctx, size_t first, ListMPopArgs* out);

// LMPOP's (and BLMPOP's) reply: [key, [elements...]], or a null array when nothing was popped.
void ReplyListMPop(ReplyBuilder& reply, const ListMPopResult& result);

}  // namespace strata::server
