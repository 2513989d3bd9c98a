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

// The longest string SETRANGE, SETBIT, BITFIELD and APPEND may build: proto-max-bulk-len, and
// never past 4 GiB, the end a logged set_range may reach in replay (engine/FORMAT.md).
int64_t MaxStringLength(CommandContext& ctx);

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

// A negative RANDMEMBER count asks for -count picks with repeats, however few elements the
// collection holds: `HRANDFIELD h -2147483649` is a reply of 2^31 fields from a one-field hash,
// which Redis 7.0 builds in full (past 14 GB). Strata refuses such a reply rather than produce it
// incrementally (a handler's reply is built whole before it leaves, so back-pressure cannot
// bound it): no reply of repeated picks may pass proto-max-bulk-len (512 MB by default), the
// bound a client already has on one value. Refused up front when the picks cannot fit even at
// the smallest size an element takes in the reply, and while building once the reply passes the
// limit (its partial reply is then dropped): memory stays within the limit either way.
class PicksBudget {
 public:
  // Replies the error and returns false when `picks` of at least `min_bytes` each cannot fit.
  // The reply is measured from this call on.
  bool Admit(CommandContext& ctx, uint64_t picks, uint64_t min_bytes);
  // After each pick: false (the partial reply dropped and replaced by the error) once the reply
  // is past the limit.
  bool Fits(CommandContext& ctx);

 private:
  size_t start_ = 0;
  uint64_t limit_ = 0;
};

}  // namespace strata::server
