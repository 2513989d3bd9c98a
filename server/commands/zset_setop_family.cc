// Sorted-set commands, part two: ZUNION, ZINTER, ZDIFF, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE,
// ZINTERCARD (sets count as sorted sets whose scores are 1, as in Redis).
//
// The inputs are combined in Redis's order (smallest first, except for ZDIFF), which decides
// the result where +inf and -inf meet in a sum. The STORE forms write a whole new value (a put)
// or delete the target when the result is empty.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "base/string_util.h"
#include "engine/set_value.h"
#include "engine/zset_value.h"
#include "server/commands/zset_family.h"
#include "server/commands/zset_range.h"
#include "server/commands/errors.h"
#include "server/notify.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::Entry;
using engine::SetValue;
using engine::ValueType;
using engine::ZSetValue;

// One input of a set operation: a sorted set, a set (scores 1) or nothing (a missing key).
struct Source {
  const ZSetValue* z = nullptr;
  const SetValue* s = nullptr;
  double weight = 1;

  size_t size() const { return z ? z->size() : s ? s->size() : 0; }
  const void* object() const { return z ? static_cast<const void*>(z) : s; }
  std::optional<double> Find(std::string_view m) const {
    if (z) return z->Score(m);
    if (s && s->Contains(m)) return 1.0;
    return std::nullopt;
  }
  // fn(std::string_view member, double score); views valid during the call only.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (z && z->size() > 0) {
      z->Walk(0, false, [&](std::string_view m, double sc) {
        fn(m, sc);
        return true;
      });
    } else if (s) {
      s->ForEach([&](std::string_view m) { fn(m, 1.0); });
    }
  }
};

enum class ZOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

void Combine(double* target, double v, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target += v;
      if (std::isnan(*target)) *target = 0;  // inf + -inf
      break;
    case Aggregate::kMin:
      *target = v < *target ? v : *target;
      break;
    case Aggregate::kMax:
      *target = v > *target ? v : *target;
      break;
  }
}

// ZUNION/ZINTER/ZDIFF (dst empty), their STORE forms, ZINTERCARD (card).
void SetOpGeneric(CommandContext& ctx, bool store, ZOp op, bool card) {
  const size_t nk_idx = store ? 2 : 1;
  auto numkeys = ParseInt64(ctx.args[nk_idx]);
  if (!numkeys) return ctx.reply.Error(Status::NotInteger());
  if (*numkeys < 1) {
    return ctx.reply.Error(err::AtLeastOneKey(ToLower(ctx.args[0])));
  }
  if (*numkeys > static_cast<int64_t>(ctx.args.size() - nk_idx - 1)) {
    return ctx.reply.Error(Status::Syntax());
  }
  const size_t n = static_cast<size_t>(*numkeys);
  auto keys = ctx.args.subspan(nk_idx + 1, n);
  std::vector<std::string_view> lock_keys(keys.begin(), keys.end());
  if (store) lock_keys.push_back(ctx.args[1]);
  auto lock = ctx.Lock(lock_keys);
  DbView db = ctx.db();
  std::vector<Source> src(n);
  for (size_t i = 0; i < n; ++i) {
    Entry* e = store ? db.Find(keys[i]) : db.FindRead(keys[i]);
    if (e == nullptr) continue;
    if (e->type() == ValueType::kZSet) {
      src[i].z = static_cast<const ZSetValue*>(e->value());
    } else if (e->type() == ValueType::kSet) {
      src[i].s = static_cast<const SetValue*>(e->value());
    } else {
      return ctx.reply.Error(Status::WrongType());
    }
  }
  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
  for (size_t j = nk_idx + 1 + n; j < ctx.args.size();) {
    const size_t remaining = ctx.args.size() - j;
    const std::string_view o = ctx.args[j];
    if (op != ZOp::kDiff && !card && remaining >= n + 1 && EqualsIgnoreCase(o, "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        auto w = ParseDouble(ctx.args[j], /*allow_inf=*/true);
        if (!w) return ctx.reply.Error(err::kWeightNotFloat);
        src[i].weight = *w;
      }
    } else if (op != ZOp::kDiff && !card && remaining >= 2 && EqualsIgnoreCase(o, "aggregate")) {
      const std::string_view a = ctx.args[j + 1];
      if (EqualsIgnoreCase(a, "sum"))
        agg = Aggregate::kSum;
      else if (EqualsIgnoreCase(a, "min"))
        agg = Aggregate::kMin;
      else if (EqualsIgnoreCase(a, "max"))
        agg = Aggregate::kMax;
      else
        return ctx.reply.Error(Status::Syntax());
      j += 2;
    } else if (!store && !card && EqualsIgnoreCase(o, "withscores")) {
      withscores = true;
      ++j;
    } else if (card && remaining >= 2 && EqualsIgnoreCase(o, "limit")) {
      auto l = ParseInt64(ctx.args[j + 1]);
      if (!l || *l < 0) return ctx.reply.Error(err::kLimitNegative);
      limit = *l;
      j += 2;
    } else {
      return ctx.reply.Error(Status::Syntax());
    }
  }
  if (op != ZOp::kDiff) {
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }

  std::vector<std::pair<std::string, double>> result;
  int64_t cardinality = 0;
  if (op == ZOp::kInter) {
    if (src[0].size() > 0) {
      bool done = false;
      src[0].ForEach([&](std::string_view m, double s0) {
        if (done) return;
        double score = src[0].weight * s0;
        if (std::isnan(score)) score = 0;
        for (size_t j = 1; j < n; ++j) {
          double value;
          if (src[j].object() == src[0].object()) {
            value = s0 * src[j].weight;
          } else if (auto f = src[j].Find(m)) {
            value = *f * src[j].weight;
          } else {
            return;
          }
          Combine(&score, value, agg);
        }
        if (card) {
          ++cardinality;
          if (limit > 0 && cardinality >= limit) done = true;
        } else {
          result.emplace_back(std::string(m), score);
        }
      });
    }
  } else if (op == ZOp::kUnion) {
    std::unordered_map<std::string, double> acc;
    for (const Source& s : src) {
      s.ForEach([&](std::string_view m, double sc) {
        double score = s.weight * sc;
        if (std::isnan(score)) score = 0;
        auto [it, added] = acc.try_emplace(std::string(m), score);
        if (!added) Combine(&it->second, score, agg);
      });
    }
    result.reserve(acc.size());
    for (auto& [m, s] : acc) result.emplace_back(m, s);
  } else {
    src[0].ForEach([&](std::string_view m, double s0) {
      for (size_t j = 1; j < n; ++j) {
        if (src[j].object() == src[0].object() || src[j].Find(m)) return;
      }
      result.emplace_back(std::string(m), s0);
    });
  }
  if (card) return ctx.reply.Int(cardinality);
  if (store) {
    std::vector<std::pair<std::string_view, double>> items(result.begin(), result.end());
    static constexpr std::string_view kEvents[] = {"zunionstore", "zinterstore", "zdiffstore"};
    StoreZSet(ctx, db, ctx.args[1], items, kEvents[static_cast<int>(op)]);
    return ctx.reply.Int(static_cast<int64_t>(items.size()));
  }
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  });
  ReplyScored(ctx.reply, result, withscores);
}

void CmdZUnion(CommandContext& ctx) { SetOpGeneric(ctx, false, ZOp::kUnion, false); }
void CmdZInter(CommandContext& ctx) { SetOpGeneric(ctx, false, ZOp::kInter, false); }
void CmdZDiff(CommandContext& ctx) { SetOpGeneric(ctx, false, ZOp::kDiff, false); }
void CmdZUnionStore(CommandContext& ctx) { SetOpGeneric(ctx, true, ZOp::kUnion, false); }
void CmdZInterStore(CommandContext& ctx) { SetOpGeneric(ctx, true, ZOp::kInter, false); }
void CmdZDiffStore(CommandContext& ctx) { SetOpGeneric(ctx, true, ZOp::kDiff, false); }
void CmdZInterCard(CommandContext& ctx) { SetOpGeneric(ctx, false, ZOp::kInter, true); }

}  // namespace

std::vector<CommandSpec> ZSetOpCommands() {
  constexpr uint32_t kR = kReadOnly;
  constexpr uint32_t kW = kWrite | kDenyOom;
  // numkeys commands: keys are found by parsing (Redis's movablekeys) and locked by the
  // handler; the STORE forms declare their destination.
  return {
      {"zunion",
       -3,
       kR | kMovableKeys,
       0,
       0,
       0,
       CmdZUnion,
       "sorted-set",
       "Add multiple sorted sets",
       {},
       1},
      {"zinter",
       -3,
       kR | kMovableKeys,
       0,
       0,
       0,
       CmdZInter,
       "sorted-set",
       "Intersect multiple sorted sets",
       {},
       1},
      {"zdiff",
       -3,
       kR | kMovableKeys,
       0,
       0,
       0,
       CmdZDiff,
       "sorted-set",
       "Subtract multiple sorted sets",
       {},
       1},
      {"zunionstore",
       -4,
       kW | kMovableKeys,
       1,
       1,
       1,
       CmdZUnionStore,
       "sorted-set",
       "Add multiple sorted sets and store the resulting sorted set in a new key",
       {},
       2},
      {"zinterstore",
       -4,
       kW | kMovableKeys,
       1,
       1,
       1,
       CmdZInterStore,
       "sorted-set",
       "Intersect multiple sorted sets and store the resulting sorted set in a new key",
       {},
       2},
      {"zdiffstore",
       -4,
       kW | kMovableKeys,
       1,
       1,
       1,
       CmdZDiffStore,
       "sorted-set",
       "Subtract multiple sorted sets and store the resulting sorted set in a new key",
       {},
       2},
      {"zintercard",
       -3,
       kR | kMovableKeys,
       0,
       0,
       0,
       CmdZInterCard,
       "sorted-set",
       "Intersect multiple sorted sets and return the cardinality of the result",
       {},
       1},
  };
}

}  // namespace strata::server
