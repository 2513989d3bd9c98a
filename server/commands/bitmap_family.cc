// Bitmap commands on strings: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
//
// Bits are numbered from the most significant bit of the first byte, as in Redis. Writes go
// through DbView::SetRange: a SETBIT or a BITFIELD SET logs the bytes it changed, never the
// whole string, and changes the string in place when it is long enough. As Redis 7.0, a write
// that changes no bit and does not grow the string is neither logged nor notified.
#include <algorithm>
#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "base/string_util.h"
#include "server/commands/command.h"
#include "server/commands/errors.h"
#include "server/commands/shapes.h"
#include "server/notify.h"
#include "server/server.h"

namespace strata::server {
namespace {

using engine::DbView;
using engine::Entry;
using engine::ValueType;

constexpr std::string_view kBitOffsetError = "ERR bit offset is not an integer or out of range";
constexpr std::string_view kBitValueError = "ERR bit is not an integer or out of range";

// A bit offset argument as Redis reads one: an integer (with `bits` > 0, "#n" means n * bits)
// from 0 to below proto-max-bulk-len bytes.
bool ParseBitOffset(CommandContext& ctx, std::string_view arg, int bits, uint64_t* out) {
  const bool hash = bits > 0 && !arg.empty() && arg[0] == '#';
  std::optional<int64_t> v = ParseInt64(hash ? arg.substr(1) : arg);
  if (!v) {
    ctx.reply.Error(kBitOffsetError);
    return false;
  }
  // Redis multiplies in 64 bits and lets it wrap; the range check below catches the rest.
  int64_t offset = hash ? static_cast<int64_t>(static_cast<uint64_t>(*v) * bits) : *v;
  if (offset < 0 || (offset >> 3) >= MaxStringLength(ctx)) {
    ctx.reply.Error(kBitOffsetError);
    return false;
  }
  *out = static_cast<uint64_t>(offset);
  return true;
}

// The string at key for a read: false (after replying WRONGTYPE) if key holds another type.
bool ReadString(CommandContext& ctx, DbView& db, std::string_view key, const Entry** out) {
  const Entry* e = db.FindRead(key);
  if (e != nullptr && e->type() != ValueType::kString) {
    ctx.reply.Error(Status::WrongType());
    return false;
  }
  *out = e;
  return true;
}

void CmdSetBit(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.args[2], 0, &offset)) return;
  std::optional<int64_t> on = ParseInt64(ctx.args[3]);
  if (!on || (*on & ~int64_t{1}) != 0) return ctx.reply.Error(kBitValueError);
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  Entry* e = db.Find(key);
  if (e != nullptr && e->type() != ValueType::kString) return ctx.reply.Error(Status::WrongType());
  const uint64_t byte = offset >> 3;
  const int shift = 7 - static_cast<int>(offset & 7);
  const bool grows = e == nullptr || byte >= e->str().size();
  const uint8_t old = grows ? 0 : static_cast<uint8_t>(e->str()[byte]);
  const uint8_t now = static_cast<uint8_t>((old & ~(1u << shift)) | (*on << shift));
  // As Redis, a string written by a bit command is raw bytes afterwards, even unchanged.
  if (grows || now != old || !e->raw()) {
    const char c = static_cast<char>(now);
    db.SetRange(key, byte, std::string_view(&c, 1));
  }
  if (grows || now != old) ctx.Notify(kNotifyString, "setbit", key);
  ctx.reply.Int((old >> shift) & 1);
}

void CmdGetBit(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.args[2], 0, &offset)) return;
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  const Entry* e;
  if (!ReadString(ctx, db, key, &e)) return;
  const uint64_t byte = offset >> 3;
  if (e == nullptr || byte >= e->str().size()) return ctx.reply.Int(0);
  ctx.reply.Int((static_cast<uint8_t>(e->str()[byte]) >> (7 - (offset & 7))) & 1);
}

uint64_t PopCount(const uint8_t* p, size_t n) {
  uint64_t count = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    count += std::popcount(w);
  }
  for (; n > 0; ++p, --n) count += std::popcount(*p);
  return count;
}

// The position of the first bit equal to `bit` in p[0..n), or -1.
int64_t FirstBit(const uint8_t* p, size_t n, int bit) {
  const uint8_t skip = bit ? 0x00 : 0xff;
  size_t i = 0;
  for (uint64_t w; i + 8 <= n; i += 8) {
    std::memcpy(&w, p + i, 8);
    if (w != (bit ? 0 : ~uint64_t{0})) break;
  }
  while (i < n && p[i] == skip) ++i;
  if (i == n) return -1;
  const uint8_t b = bit ? p[i] : static_cast<uint8_t>(~p[i]);
  return static_cast<int64_t>(i) * 8 + std::countl_zero(b);
}

// A BITCOUNT or BITPOS range after Redis's normalisation: bytes [start, end] and, in BIT mode,
// the masks of the bits outside the range in the first and the last byte.
struct BitRange {
  int64_t start = 0, end = 0;
  uint8_t first_mask = 0, last_mask = 0;
};

void Normalize(int64_t len, bool bits, BitRange* r) {
  int64_t total = bits ? len * 8 : len;
  if (r->start < 0) r->start += total;
  if (r->end < 0) r->end += total;
  r->start = std::max<int64_t>(r->start, 0);
  r->end = std::max<int64_t>(r->end, 0);
  if (r->end >= total) r->end = total - 1;
  if (bits && r->start <= r->end) {
    r->first_mask = static_cast<uint8_t>(~((1u << (8 - (r->start & 7))) - 1));
    r->last_mask = static_cast<uint8_t>((1u << (7 - (r->end & 7))) - 1);
    r->start >>= 3;
    r->end >>= 3;
  }
}

// BYTE or BIT at args[i]: false after a syntax error.
bool ParseUnit(CommandContext& ctx, size_t i, bool* bits) {
  if (EqualsIgnoreCase(ctx.args[i], "bit")) {
    *bits = true;
  } else if (EqualsIgnoreCase(ctx.args[i], "byte")) {
    *bits = false;
  } else {
    ctx.reply.Error(Status::Syntax());
    return false;
  }
  return true;
}

void CmdBitCount(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  const Entry* e;
  if (!ReadString(ctx, db, key, &e)) return;
  if (e == nullptr) return ctx.reply.Int(0);  // as Redis 7.0: before the arguments are read
  std::string_view s = e->str();
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  BitRange r{0, static_cast<int64_t>(s.size()) - 1};
  const size_t argc = ctx.args.size();
  if (argc == 4 || argc == 5) {
    if (!ArgToInt(ctx, ctx.args[2], &r.start) || !ArgToInt(ctx, ctx.args[3], &r.end)) return;
    if (r.start < 0 && r.end < 0 && r.start > r.end) return ctx.reply.Int(0);
    bool bits = false;
    if (argc == 5 && !ParseUnit(ctx, 4, &bits)) return;
    Normalize(static_cast<int64_t>(s.size()), bits, &r);
  } else if (argc != 2) {
    return ctx.reply.Error(Status::Syntax());
  }
  if (r.start > r.end) return ctx.reply.Int(0);
  uint64_t count = PopCount(p + r.start, static_cast<size_t>(r.end - r.start + 1));
  if (r.first_mask != 0) count -= std::popcount(static_cast<uint8_t>(p[r.start] & r.first_mask));
  if (r.last_mask != 0) count -= std::popcount(static_cast<uint8_t>(p[r.end] & r.last_mask));
  ctx.reply.Int(static_cast<int64_t>(count));
}

void CmdBitPos(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  int64_t bit;
  if (!ArgToInt(ctx, ctx.args[2], &bit)) return;
  if (bit != 0 && bit != 1) return ctx.reply.Error("ERR The bit argument must be 1 or 0.");
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  const Entry* e;
  if (!ReadString(ctx, db, key, &e)) return;
  // A missing key is an endless run of clear bits.
  if (e == nullptr) return ctx.reply.Int(bit ? -1 : 0);
  std::string_view s = e->str();
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int64_t len = static_cast<int64_t>(s.size());
  BitRange r{0, len - 1};
  bool end_given = false;
  const size_t argc = ctx.args.size();
  if (argc >= 4 && argc <= 6) {
    if (!ArgToInt(ctx, ctx.args[3], &r.start)) return;
    bool bits = false;
    if (argc == 6 && !ParseUnit(ctx, 5, &bits)) return;
    if (argc >= 5) {
      if (!ArgToInt(ctx, ctx.args[4], &r.end)) return;
      end_given = true;
    }
    Normalize(len, bits, &r);
  } else if (argc != 3) {
    return ctx.reply.Error(Status::Syntax());
  }
  // An empty range holds neither a set nor a clear bit.
  if (r.start > r.end) return ctx.reply.Int(-1);
  // The first and the last byte with the bits outside the range (BIT mode) forced to what is
  // not looked for; the bytes between them as they are.
  const int b = static_cast<int>(bit);
  const int64_t n = r.end - r.start + 1;
  auto edge = [&](int64_t i) {
    uint8_t outside = (i == r.start ? r.first_mask : 0) | (i == r.end ? r.last_mask : 0);
    const uint8_t c = b ? static_cast<uint8_t>(p[i] & ~outside) : static_cast<uint8_t>(p[i] | outside);
    const int64_t at = FirstBit(&c, 1, b);
    return at < 0 ? -1 : (i - r.start) * 8 + at;
  };
  int64_t pos = edge(r.start);
  if (pos < 0 && n > 2) {
    pos = FirstBit(p + r.start + 1, static_cast<size_t>(n - 2), b);
    if (pos >= 0) pos += 8;
  }
  if (pos < 0 && n > 1) pos = edge(r.end);
  if (pos < 0 && b == 0) {
    // No clear bit in the range: past it the string is as if padded with zeros, unless the
    // caller gave the end.
    if (end_given) return ctx.reply.Int(-1);
    pos = n * 8;
  }
  ctx.reply.Int(pos < 0 ? -1 : pos + r.start * 8);
}

void CmdBitOp(CommandContext& ctx) {
  std::string_view op = ctx.args[1], dest = ctx.args[2];
  enum { kAnd, kOr, kXor, kNot } kind;
  if (EqualsIgnoreCase(op, "and")) {
    kind = kAnd;
  } else if (EqualsIgnoreCase(op, "or")) {
    kind = kOr;
  } else if (EqualsIgnoreCase(op, "xor")) {
    kind = kXor;
  } else if (EqualsIgnoreCase(op, "not")) {
    kind = kNot;
  } else {
    return ctx.reply.Error(Status::Syntax());
  }
  std::span<const std::string_view> sources = ctx.args.subspan(3);
  if (kind == kNot && sources.size() != 1) {
    return ctx.reply.Error("ERR BITOP NOT must be called with a single source key.");
  }
  auto lock = ctx.Lock(ctx.args.subspan(2));
  DbView db = ctx.db();
  std::vector<std::string_view> values;
  size_t longest = 0;
  for (std::string_view key : sources) {
    const Entry* e;
    if (!ReadString(ctx, db, key, &e)) return;
    values.push_back(e == nullptr ? std::string_view() : e->str());
    longest = std::max(longest, values.back().size());
  }
  std::string out(longest, '\0');
  for (size_t i = 0; i < longest; ++i) {
    auto at = [&](size_t k) {
      return i < values[k].size() ? static_cast<uint8_t>(values[k][i]) : uint8_t{0};
    };
    uint8_t b = at(0);
    for (size_t k = 1; k < values.size(); ++k) {
      if (kind == kAnd) b &= at(k);
      if (kind == kOr) b |= at(k);
      if (kind == kXor) b ^= at(k);
    }
    out[i] = static_cast<char>(kind == kNot ? static_cast<uint8_t>(~b) : b);
  }
  if (longest > 0) {
    db.SetString(dest, out, 0, /*raw=*/true);
    ctx.Notify(kNotifyString, "set", dest);
  } else if (db.Delete(dest)) {
    ctx.Notify(kNotifyGeneric, "del", dest);
  }
  ctx.reply.Int(static_cast<int64_t>(longest));
}

// ---- BITFIELD ----

struct FieldOp {
  enum Kind { kGet, kSet, kIncrBy } kind;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t value;
  enum Overflow { kWrap, kSat, kFail } overflow;
};

// The `bits`-bit field at bit `offset` of p, big-endian as Redis reads it.
uint64_t GetField(const uint8_t* p, uint64_t offset, int bits) {
  uint64_t v = 0;
  for (int i = 0; i < bits; ++i, ++offset) {
    v = (v << 1) | ((p[offset >> 3] >> (7 - (offset & 7))) & 1);
  }
  return v;
}

void SetField(uint8_t* p, uint64_t offset, int bits, uint64_t v) {
  for (int i = bits - 1; i >= 0; --i, ++offset) {
    const uint8_t mask = static_cast<uint8_t>(1u << (7 - (offset & 7)));
    if ((v >> i) & 1) {
      p[offset >> 3] |= mask;
    } else {
      p[offset >> 3] &= static_cast<uint8_t>(~mask);
    }
  }
}

// The low `bits` bits of v as a signed number.
int64_t SignExtend(uint64_t v, int bits) {
  if (bits < 64) {
    const uint64_t high = ~uint64_t{0} << bits;
    v = ((v >> (bits - 1)) & 1) ? v | high : v & ~high;
  }
  return static_cast<int64_t>(v);
}

// value + incr in a `bits`-bit field: false on overflow under FAIL; else *out is the result,
// wrapped or saturated as the overflow mode says (Redis's rules, with its arithmetic done in
// wrapping 64-bit unsigned where its own would overflow).
bool AddSigned(int64_t value, int64_t incr, int bits, FieldOp::Overflow mode, int64_t* out) {
  const int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  const int64_t min = -max - 1;
  const auto maxincr = static_cast<int64_t>(static_cast<uint64_t>(max) - value);
  const auto minincr = static_cast<int64_t>(static_cast<uint64_t>(min) - value);
  int over = 0;
  if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr)) {
    over = 1;
  } else if (value < min || (bits != 64 && incr < minincr) ||
             (value < 0 && incr < 0 && incr < minincr)) {
    over = -1;
  }
  const uint64_t sum = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
  if (over == 0) {
    *out = static_cast<int64_t>(sum);
    return true;
  }
  if (mode == FieldOp::kFail) return false;
  *out = mode == FieldOp::kSat ? (over > 0 ? max : min) : SignExtend(sum, bits);
  return true;
}

bool AddUnsigned(uint64_t value, int64_t incr, int bits, FieldOp::Overflow mode, uint64_t* out) {
  const uint64_t max = (uint64_t{1} << bits) - 1;  // bits <= 63
  const auto maxincr = static_cast<int64_t>(max - value);
  const auto minincr = static_cast<int64_t>(-value);
  int over = 0;
  if (value > max || (incr > 0 && incr > maxincr)) {
    over = 1;
  } else if (incr < 0 && incr < minincr) {
    over = -1;
  }
  const uint64_t sum = value + static_cast<uint64_t>(incr);
  if (over == 0) {
    *out = sum;
    return true;
  }
  if (mode == FieldOp::kFail) return false;
  *out = mode == FieldOp::kSat ? (over > 0 ? max : 0) : (sum & max);
  return true;
}

// Parses BITFIELD's operations from args[2] on; false after replying the error.
bool ParseFieldOps(CommandContext& ctx, std::vector<FieldOp>* ops) {
  FieldOp::Overflow overflow = FieldOp::kWrap;
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    const size_t left = ctx.args.size() - j - 1;
    std::string_view sub = ctx.args[j];
    FieldOp op{};
    if (EqualsIgnoreCase(sub, "get") && left >= 2) {
      op.kind = FieldOp::kGet;
    } else if (EqualsIgnoreCase(sub, "set") && left >= 3) {
      op.kind = FieldOp::kSet;
    } else if (EqualsIgnoreCase(sub, "incrby") && left >= 3) {
      op.kind = FieldOp::kIncrBy;
    } else if (EqualsIgnoreCase(sub, "overflow") && left >= 1) {
      std::string_view mode = ctx.args[++j];
      if (EqualsIgnoreCase(mode, "wrap")) {
        overflow = FieldOp::kWrap;
      } else if (EqualsIgnoreCase(mode, "sat")) {
        overflow = FieldOp::kSat;
      } else if (EqualsIgnoreCase(mode, "fail")) {
        overflow = FieldOp::kFail;
      } else {
        ctx.reply.Error("ERR Invalid OVERFLOW type specified");
        return false;
      }
      continue;
    } else {
      ctx.reply.Error(Status::Syntax());
      return false;
    }
    std::string_view type = ctx.args[j + 1];
    std::optional<int64_t> bits;
    if (!type.empty() && (type[0] == 'i' || type[0] == 'u')) {  // lowercase only, as Redis
      op.is_signed = type[0] == 'i';
      bits = ParseInt64(type.substr(1));
    }
    if (!bits || *bits < 1 || (op.is_signed && *bits > 64) || (!op.is_signed && *bits > 63)) {
      ctx.reply.Error(
          "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
          "but i64 is.");
      return false;
    }
    op.bits = static_cast<int>(*bits);
    if (!ParseBitOffset(ctx, ctx.args[j + 2], op.bits, &op.offset)) return false;
    if (op.kind != FieldOp::kGet) {
      std::optional<int64_t> v = ParseInt64(ctx.args[j + 3]);
      if (!v) {
        ctx.reply.Error(Status::NotInteger());
        return false;
      }
      op.value = *v;
    }
    op.overflow = overflow;
    ops->push_back(op);
    j += op.kind == FieldOp::kGet ? 2 : 3;
  }
  return true;
}

void BitField(CommandContext& ctx, bool read_only) {
  std::string_view key = ctx.args[1];
  std::vector<FieldOp> ops;
  if (!ParseFieldOps(ctx, &ops)) return;
  uint64_t end = 0;  // one past the last byte a write reaches
  bool writes = false;
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOp::kGet) continue;
    writes = true;
    end = std::max(end, ((op.offset + op.bits - 1) >> 3) + 1);
  }
  if (writes && read_only) {
    return ctx.reply.Error("ERR BITFIELD_RO only supports the GET subcommand");
  }
  auto lock = ctx.Lock(key);
  DbView db = ctx.db();
  Entry* e = writes ? db.Find(key) : db.FindRead(key);
  if (e != nullptr && e->type() != ValueType::kString) return ctx.reply.Error(Status::WrongType());
  // As Redis: the string is first made long enough for every write, even ones that fail (and
  // raw bytes, as every string a bit command writes); it is notified only if a write succeeds.
  const bool grows = writes && (e == nullptr || e->str().size() < end);
  if (grows) {
    db.SetRange(key, end - 1, std::string_view("\0", 1));
    e = db.Find(key);  // a new entry; the writes below change this one in place
  } else if (writes && !e->raw()) {
    db.SetRange(key, 0, e->str().substr(0, 1));
  }
  bool changed = false;
  ctx.reply.Array(ops.size());
  for (const FieldOp& op : ops) {
    // The (at most 9) bytes the field spans, zero past the string's end.
    const uint64_t first = op.offset >> 3;
    const size_t n = static_cast<size_t>(((op.offset + op.bits - 1) >> 3) - first + 1);
    uint8_t buf[9] = {};
    if (e != nullptr) {
      std::string_view s = e->str();
      if (first < s.size()) std::memcpy(buf, s.data() + first, std::min<size_t>(n, s.size() - first));
    }
    const uint64_t at = op.offset & 7;
    const uint64_t raw = GetField(buf, at, op.bits);
    if (op.kind == FieldOp::kGet) {
      ctx.reply.Int(op.is_signed ? SignExtend(raw, op.bits) : static_cast<int64_t>(raw));
      continue;
    }
    uint64_t next;
    int64_t reply;
    bool ok;
    if (op.is_signed) {
      const int64_t old = SignExtend(raw, op.bits);
      int64_t v;
      ok = op.kind == FieldOp::kIncrBy ? AddSigned(old, op.value, op.bits, op.overflow, &v)
                                       : AddSigned(op.value, 0, op.bits, op.overflow, &v);
      next = static_cast<uint64_t>(v);
      reply = op.kind == FieldOp::kIncrBy ? v : old;
    } else {
      uint64_t v;
      ok = op.kind == FieldOp::kIncrBy
               ? AddUnsigned(raw, op.value, op.bits, op.overflow, &v)
               : AddUnsigned(static_cast<uint64_t>(op.value), 0, op.bits, op.overflow, &v);
      next = v;
      reply = static_cast<int64_t>(op.kind == FieldOp::kIncrBy ? v : raw);
    }
    if (!ok) {
      ctx.reply.Null();
      continue;
    }
    ctx.reply.Int(reply);
    const uint64_t mask = op.bits == 64 ? ~uint64_t{0} : (uint64_t{1} << op.bits) - 1;
    changed |= grows;
    if ((next & mask) == raw) continue;
    SetField(buf, at, op.bits, next & mask);
    db.SetRange(key, first, std::string_view(reinterpret_cast<const char*>(buf), n));
    changed = true;
  }
  if (changed) ctx.Notify(kNotifyString, "setbit", key);
}

void CmdBitField(CommandContext& ctx) { BitField(ctx, false); }
void CmdBitFieldRo(CommandContext& ctx) { BitField(ctx, true); }

}  // namespace

std::vector<CommandSpec> BitmapFamily() {
  constexpr uint32_t kW = kWrite | kDenyOom;
  return {
      {"setbit", 4, kW, 1, 1, 1, CmdSetBit, "bitmap",
       "Sets or clears the bit at offset in the string value stored at key"},
      {"getbit", 3, kReadOnly | kFast, 1, 1, 1, CmdGetBit, "bitmap",
       "Returns the bit value at offset in the string value stored at key"},
      {"bitcount", -2, kReadOnly, 1, 1, 1, CmdBitCount, "bitmap", "Count set bits in a string"},
      {"bitpos", -3, kReadOnly, 1, 1, 1, CmdBitPos, "bitmap",
       "Find first bit set or clear in a string"},
      {"bitop", -4, kW, 2, -1, 1, CmdBitOp, "bitmap",
       "Perform bitwise operations between strings"},
      {"bitfield", -2, kW, 1, 1, 1, CmdBitField, "bitmap",
       "Perform arbitrary bitfield integer operations on strings"},
      {"bitfield_ro", -2, kReadOnly | kFast, 1, 1, 1, CmdBitFieldRo, "bitmap",
       "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD"},
  };
}

}  // namespace strata::server
