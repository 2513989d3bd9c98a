#include "server/commands/shapes.h"

#include <algorithm>
#include <random>
#include <string>

#include "base/string_util.h"
#include "server/commands/errors.h"
#include "server/server.h"

namespace strata::server {

uint64_t Random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

void ReplyScanPage(ReplyBuilder& reply, uint64_t next, size_t n) {
  reply.Array(2);
  reply.Bulk(std::to_string(next));
  reply.Array(n);
}

bool ParseRandomCount(CommandContext& ctx, std::string_view pairs_word, RandomCount* out) {
  const size_t max_args = pairs_word.empty() ? 3 : 4;
  if (pairs_word.empty() && ctx.args.size() > max_args) {
    ctx.reply.Error(Status::Syntax());
    return false;
  }
  out->with_count = ctx.args.size() >= 3;
  if (!out->with_count) return true;
  if (!ArgToInt(ctx, ctx.args[2], &out->count)) return false;
  if (out->count == INT64_MIN) {
    ctx.reply.Error(err::kNotInt64);
    return false;
  }
  if (ctx.args.size() > max_args ||
      (ctx.args.size() == 4 && !EqualsIgnoreCase(ctx.args[3], pairs_word))) {
    ctx.reply.Error(Status::Syntax());
    return false;
  }
  out->with_pairs = ctx.args.size() == 4;
  if (out->with_pairs && (out->count < -INT64_MAX / 2 || out->count > INT64_MAX / 2)) {
    ctx.reply.Error(err::kOutOfRange);
    return false;
  }
  return true;
}

int64_t MaxStringLength(CommandContext& ctx) {
  return std::min<int64_t>(ctx.server.config().Int(Param::kProtoMaxBulkLen), int64_t{1} << 32);
}

bool PicksBudget::Admit(CommandContext& ctx, uint64_t picks, uint64_t min_bytes) {
  start_ = ctx.reply.buffer()->size();
  limit_ = static_cast<uint64_t>(ctx.server.config().Int(Param::kProtoMaxBulkLen));
  if (min_bytes != 0 && picks > limit_ / min_bytes) {
    ctx.reply.Error(err::kReplyTooLong);
    return false;
  }
  return true;
}

bool PicksBudget::Fits(CommandContext& ctx) {
  std::string* out = ctx.reply.buffer();
  if (out->size() - start_ <= limit_) return true;
  out->resize(start_);
  ctx.reply.Error(err::kReplyTooLong);
  return false;
}

}  // namespace strata::server
