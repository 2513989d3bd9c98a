// The zset family's internals shared by zset_family.cc and zset_setop_family.cc: lookups,
// score and lex ranges with Redis's parsing and walking rules, replies.
// Not for other families (zset_family.h is the public part).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/db_view.h"
#include "engine/zset_value.h"
#include "server/commands/command.h"

namespace strata::server {

// The sorted set at key, null if missing; WrongType if the key holds another type.
Result<const engine::ZSetValue*> GetZSet(engine::DbView& db, std::string_view key, bool read);

struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
};
// One end of a lex range: inf -1 for "-", +1 for "+", else 0 and the string.
struct LexItem {
  int inf = 0;
  std::string_view s;
};
struct LexRange {
  LexItem min, max;
  bool minex = false, maxex = false;
};
// Redis's zslParseRange ("(" exclusive, strtod over the rest, NaN refused) and
// zslParseLexRange ("[a", "(a", "-", "+"). False on a malformed bound.
bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* out);
bool ParseLexRange(std::string_view min, std::string_view max, LexRange* out);

inline bool GteMin(double v, const ScoreRange& r) { return r.minex ? v > r.min : v >= r.min; }
inline bool LteMax(double v, const ScoreRange& r) { return r.maxex ? v < r.max : v <= r.max; }
// Redis's sdscmplex: "-" below everything, "+" above everything, else bytes (memcmp).
inline int CmpLex(const LexItem& a, const LexItem& b) {
  if (a.inf != 0 && a.inf == b.inf) return 0;
  if (a.inf < 0 || b.inf > 0) return -1;
  if (a.inf > 0 || b.inf < 0) return 1;
  return a.s.compare(b.s) < 0 ? -1 : (a.s == b.s ? 0 : 1);
}
inline bool LexGteMin(std::string_view m, const LexRange& r) {
  const int c = CmpLex(LexItem{0, m}, r.min);
  return r.minex ? c > 0 : c >= 0;
}
inline bool LexLteMax(std::string_view m, const LexRange& r) {
  const int c = CmpLex(LexItem{0, m}, r.max);
  return r.maxex ? c < 0 : c <= 0;
}

// What a range command selects.
struct RangeSpec {
  enum Type { kAuto, kRank, kScore, kLex };
  Type type = kRank;
  bool rev = false;
  ScoreRange score;             // kScore
  LexRange lex;                 // kLex
  int64_t offset = 0;           // kScore / kLex: LIMIT offset (negative selects nothing)
  int64_t limit = -1;           // kScore / kLex: LIMIT count (negative: no limit)
  int64_t start = 0, stop = 0;  // kRank: indexes as given (negative from the end)
};

inline constexpr size_t kNoRank = static_cast<size_t>(-1);
// The rank where a forward (rev: reverse) walk of the range starts, kNoRank if the range is
// empty; as Redis's zzl/zsl First/LastIn(Lex)Range.
size_t RangeStart(const engine::ZSetValue& z, const RangeSpec& spec);

// Calls emit(member, score) for each member the range selects, in reply order. Views are valid
// until the value changes.
template <typename Fn>
void CollectRange(const engine::ZSetValue& z, const RangeSpec& spec, Fn&& emit) {
  const size_t n = z.size();
  if (n == 0) return;
  if (spec.type == RangeSpec::kRank || spec.type == RangeSpec::kAuto) {
    const int64_t llen = static_cast<int64_t>(n);
    int64_t start = spec.start, end = spec.stop;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return;
    if (end >= llen) end = llen - 1;
    size_t count = static_cast<size_t>(end - start + 1);
    const size_t first = static_cast<size_t>(spec.rev ? llen - 1 - start : start);
    z.Walk(first, spec.rev, [&](std::string_view m, double s) {
      emit(m, s);
      return --count > 0;
    });
    return;
  }
  const size_t first = RangeStart(z, spec);
  if (first == kNoRank || spec.offset < 0) return;
  const uint64_t offset = static_cast<uint64_t>(spec.offset);
  size_t pos;
  if (spec.rev) {
    if (offset > first) return;
    pos = first - offset;
  } else {
    if (offset >= n - first) return;
    pos = first + offset;
  }
  int64_t limit = spec.limit;
  z.Walk(pos, spec.rev, [&](std::string_view m, double s) {
    if (limit == 0) return false;
    const bool in = spec.type == RangeSpec::kScore
                        ? (spec.rev ? GteMin(s, spec.score) : LteMax(s, spec.score))
                        : (spec.rev ? LexGteMin(m, spec.lex) : LexLteMax(m, spec.lex));
    if (!in) return false;
    emit(m, s);
    if (limit > 0) --limit;
    return true;
  });
}

// Members with or without scores: RESP2 a flat array; RESP3 with scores [member, score] pairs.
template <typename S>
void ReplyScored(ReplyBuilder& reply, const std::vector<std::pair<S, double>>& items,
                 bool withscores) {
  if (withscores && reply.resp3()) {
    reply.Array(items.size());
    for (const auto& [m, s] : items) {
      reply.Array(2);
      reply.Bulk(m);
      reply.Double(s);
    }
    return;
  }
  reply.Array(items.size() * (withscores ? 2 : 1));
  for (const auto& [m, s] : items) {
    reply.Bulk(m);
    if (withscores) reply.Double(s);
  }
}

}  // namespace strata::server
