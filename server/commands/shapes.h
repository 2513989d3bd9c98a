// Argument and reply shapes several families share: the page of a collection SCAN (HSCAN,
// SSCAN, ZSCAN) and the count of a RANDMEMBER (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "server/commands/command.h"

namespace strata::server {

// Randomness for the random-element commands (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER,
// ...): one generator per worker thread, never logged (the effects the commands log are).
uint64_t Random();

// A SCAN reply's head: the next cursor, then an array of n elements (the caller replies them).
void ReplyScanPage(ReplyBuilder& reply, uint64_t next, size_t n);

// HSCAN/SSCAN/ZSCAN key cursor [MATCH pattern] [COUNT count], as Redis checks them: the cursor,
// then the key's type (a missing key is an empty last page), then the options. Calls
// scan(value, cursor, count, pattern) with the key's shard locked; it replies the page.
template <typename T, typename ScanFn>
void ScanCollection(CommandContext& ctx, ScanFn&& scan) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx, ctx.args[2], &cursor)) return;
  auto lock = ctx.Lock(ctx.args[1]);
  engine::DbView db = ctx.db();
  Result<const T*> found = FindCollection<T>(db, ctx.args[1], true);
  if (!found.ok()) return ctx.reply.Error(found.status());
  if (*found == nullptr) return ReplyScanPage(ctx.reply, 0, 0);
  int64_t count;
  std::optional<std::string_view> pattern;
  if (!ParseScanOptions(ctx, 3, &count, &pattern)) return;
  scan(**found, cursor, count, pattern);
}

// HRANDFIELD/SRANDMEMBER/ZRANDMEMBER key [count [WITH...]].
struct RandomCount {
  bool with_count = false;  // a count was given: the reply is an array
  int64_t count = 1;        // < 0: -count picks, repeats allowed; >= 0: distinct elements
  bool with_pairs = false;  // WITHVALUES / WITHSCORES
};
// Parses args[2..] as Redis does: count within +-(2^63-1); `pairs_word` ("withvalues",
// "withscores"), or empty for a command that takes none (then more than one argument after the
// key is a syntax error, before the count is read). With pairs, |count| at most 2^62 - 1.
// Replies Redis's error and returns false on bad input.
bool ParseRandomCount(CommandContext& ctx, std::string_view pairs_word, RandomCount* out);

}  // namespace strata::server
