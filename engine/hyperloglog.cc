#include "engine/hyperloglog.h"

#include <cmath>
#include <cstring>
#include <random>

namespace strata::engine::hll {
namespace {

constexpr size_t kRegisterBytes = kDenseSize - kHeaderSize;
constexpr int kZeroMaxLen = 64;
constexpr int kValMaxLen = 4;
constexpr uint8_t kXZeroBit = 0x40;
constexpr uint8_t kValBit = 0x80;

bool IsZero(uint8_t op) { return (op & 0xc0) == 0; }
bool IsXZero(uint8_t op) { return (op & 0xc0) == kXZeroBit; }
bool IsVal(uint8_t op) { return (op & kValBit) != 0; }
int ValValue(uint8_t op) { return ((op >> 2) & 0x1f) + 1; }
int ValLen(uint8_t op) { return (op & 0x3) + 1; }
uint8_t ValOp(int value, int len) {
  return static_cast<uint8_t>((((value - 1) << 2) | (len - 1)) | kValBit);
}
uint8_t ZeroOp(int len) { return static_cast<uint8_t>(len - 1); }

// One opcode of a sparse body: how many registers it covers and its size in bytes.
struct Op {
  int64_t span;
  size_t size;
  int value;  // 0 for ZERO and XZERO
};

// The opcode at body[pos]. REQUIRES: pos < n. A trailing XZERO's missing byte reads as 0.
Op ReadOp(const uint8_t* body, size_t n, size_t pos) {
  const uint8_t op = body[pos];
  if (IsZero(op)) return {(op & 0x3f) + 1, 1, 0};
  if (IsVal(op)) return {ValLen(op), 1, ValValue(op)};
  const uint8_t low = pos + 1 < n ? body[pos + 1] : 0;
  return {((static_cast<int64_t>(op & 0x3f) << 8) | low) + 1, 2, 0};
}

// Appends an XZERO of `len` registers as Redis encodes it (the high byte is not masked: a
// length past 16384, from a corrupt HLL, spills into the opcode bits as it does in Redis).
void PutXZero(uint8_t* out, int64_t len) {
  const int64_t l = len - 1;
  out[0] = static_cast<uint8_t>((l >> 8) | kXZeroBit);
  out[1] = static_cast<uint8_t>(l & 0xff);
}

// Appends the zeros of a split ZERO/XZERO: a ZERO up to 64 registers, an XZERO beyond.
uint8_t* PutZeros(uint8_t* out, int64_t len) {
  if (len > kZeroMaxLen) {
    PutXZero(out, len);
    return out + 2;
  }
  *out = ZeroOp(static_cast<int>(len));
  return out + 1;
}

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }
uint8_t* Bytes(std::string* s) { return reinterpret_cast<uint8_t*>(s->data()); }

// Merges neighbouring VALs of equal value from body[from] on, over up to 5 opcodes, as Redis
// does after a sparse update. Returns the body's new length.
size_t MergeVals(uint8_t* body, size_t n, size_t from) {
  size_t p = from;
  int scan = 5;
  while (p < n && scan-- > 0) {
    if (IsXZero(body[p])) {
      p += 2;
      continue;
    }
    if (IsZero(body[p])) {
      ++p;
      continue;
    }
    if (p + 1 < n && IsVal(body[p + 1]) && ValValue(body[p]) == ValValue(body[p + 1])) {
      const int len = ValLen(body[p]) + ValLen(body[p + 1]);
      if (len <= kValMaxLen) {
        body[p + 1] = ValOp(ValValue(body[p]), len);
        std::memmove(body + p, body + p + 1, n - p - 1);
        --n;
        continue;  // try the merged VAL with the one on its right
      }
    }
    ++p;
  }
  return n;
}

SetResult Promote(std::string* s, uint32_t index, uint8_t count) {
  if (!ToDense(s)) return SetResult::kCorrupt;
  // A promotion happens only for a value above what the sparse register holds.
  DenseSet(Bytes(s) + kHeaderSize, index, count);
  return SetResult::kUpdated;
}

SetResult SparseSet(std::string* s, uint32_t index, uint8_t count, int64_t sparse_max_bytes) {
  if (count > kSparseValMax) return Promote(s, index, count);
  uint8_t* body = Bytes(s) + kHeaderSize;
  const size_t n = s->size() - kHeaderSize;

  // Find the opcode covering `index`.
  size_t pos = 0, prev = 0;
  bool has_prev = false;
  int64_t first = 0;
  Op op{0, 0, 0};
  while (pos < n) {
    op = ReadOp(body, n, pos);
    if (index <= first + op.span - 1) break;
    prev = pos;
    has_prev = true;
    pos += op.size;
    first += op.span;
  }
  if (op.span == 0 || pos >= n) return SetResult::kCorrupt;

  const uint8_t code = body[pos];
  if (IsVal(code)) {
    if (op.value >= count) return SetResult::kUnchanged;
    if (op.span == 1) {  // a VAL of this register alone: rewrite it
      body[pos] = ValOp(count, 1);
      const size_t len = MergeVals(body, n, has_prev ? prev : 0);
      s->resize(kHeaderSize + len);
      InvalidateCache(s);
      return SetResult::kUpdated;
    }
  } else if (IsZero(code) && op.span == 1) {  // a ZERO of this register alone
    body[pos] = ValOp(count, 1);
    const size_t len = MergeVals(body, n, has_prev ? prev : 0);
    s->resize(kHeaderSize + len);
    InvalidateCache(s);
    return SetResult::kUpdated;
  }

  // Split the opcode: [run before] VAL(count) [run after], at most XZERO-VAL-XZERO (5 bytes).
  uint8_t seq[5];
  uint8_t* out = seq;
  const int64_t last = first + op.span - 1;
  if (!IsVal(code)) {
    if (index != first) out = PutZeros(out, index - first);
    *out++ = ValOp(count, 1);
    if (index != last) out = PutZeros(out, last - index);
  } else {
    if (index != first) *out++ = ValOp(op.value, static_cast<int>(index - first));
    *out++ = ValOp(count, 1);
    if (index != last) *out++ = ValOp(op.value, static_cast<int>(last - index));
  }
  const size_t seq_len = static_cast<size_t>(out - seq);
  const int64_t delta = static_cast<int64_t>(seq_len) - static_cast<int64_t>(op.size);
  if (delta > 0 && static_cast<int64_t>(s->size()) + delta > sparse_max_bytes) {
    return Promote(s, index, count);
  }
  // Replace the opcode by the sequence. An XZERO cut short by the end of the string counts as
  // 2 bytes, as in Redis: the new length is the old plus delta.
  const size_t head = kHeaderSize + pos;
  const size_t new_size = static_cast<size_t>(static_cast<int64_t>(s->size()) + delta);
  std::string tail = head + op.size < s->size() ? s->substr(head + op.size) : std::string();
  s->resize(head);
  s->append(reinterpret_cast<const char*>(seq), seq_len);
  s->append(tail);
  s->resize(new_size);
  body = Bytes(s) + kHeaderSize;
  const size_t len = MergeVals(body, new_size - kHeaderSize, has_prev ? prev : 0);
  s->resize(kHeaderSize + len);
  InvalidateCache(s);
  return SetResult::kUpdated;
}

// Calls fn(first_register, run_length, value) for each VAL of a sparse body, stopping (and
// returning false) at a VAL that runs past the last register; returns whether the opcodes
// cover exactly kRegisters registers.
template <typename Fn>
bool ForEachVal(std::string_view s, Fn&& fn) {
  const uint8_t* body = Bytes(s) + kHeaderSize;
  const size_t n = s.size() - kHeaderSize;
  int64_t idx = 0;
  for (size_t pos = 0; pos < n;) {
    const Op op = ReadOp(body, n, pos);
    pos += op.size;
    if (op.value != 0) {
      if (idx + op.span > kRegisters) return false;
      fn(static_cast<uint32_t>(idx), static_cast<uint32_t>(op.span), static_cast<uint8_t>(op.value));
    }
    idx += op.span;
  }
  return idx == kRegisters;
}

double Sigma(double x) {
  if (x == 1.) return INFINITY;
  double z_prev;
  double y = 1;
  double z = x;
  do {
    x *= x;
    z_prev = z;
    z += x * y;
    y += y;
  } while (z_prev != z);
  return z;
}

double Tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double z_prev;
  double y = 1.0;
  double z = 1 - x;
  do {
    x = std::sqrt(x);
    z_prev = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (z_prev != z);
  return z / 3;
}

}  // namespace

uint64_t MurmurHash64A(std::string_view data, uint64_t seed) {
  const uint64_t m = 0xc6a4a7935bd1e995ULL;
  const int r = 47;
  const size_t len = data.size();
  uint64_t h = seed ^ (static_cast<uint64_t>(len) * m);
  const uint8_t* p = Bytes(data);
  const uint8_t* end = p + (len - (len & 7));
  for (; p != end; p += 8) {
    uint64_t k = 0;
    for (int i = 7; i >= 0; --i) k = (k << 8) | p[i];
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const size_t rest = len & 7;
  if (rest != 0) {
    for (size_t i = rest; i-- > 0;) h ^= static_cast<uint64_t>(p[i]) << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

Pattern PatternOf(std::string_view element) {
  uint64_t hash = MurmurHash64A(element, kHashSeed);
  const uint32_t index = static_cast<uint32_t>(hash & (kRegisters - 1));
  hash >>= kP;
  hash |= uint64_t{1} << kQ;  // the run ends by bit kQ at the latest: count <= kQ + 1
  const int count = __builtin_ctzll(hash) + 1;
  return {index, static_cast<uint8_t>(count)};
}

bool IsHll(std::string_view s) {
  if (s.size() < kHeaderSize || s.substr(0, 4) != "HYLL") return false;
  const uint8_t enc = EncodingOf(s);
  if (enc > kSparse) return false;
  return enc != kDense || s.size() == kDenseSize;
}

std::string NewSparse() {
  std::string s(kHeaderSize + 2, '\0');
  std::memcpy(s.data(), "HYLL", 4);
  s[4] = static_cast<char>(kSparse);
  PutXZero(Bytes(&s) + kHeaderSize, kRegisters);
  return s;
}

bool CacheValid(std::string_view s) { return (Bytes(s)[15] & 0x80) == 0; }

uint64_t CachedCard(std::string_view s) {
  uint64_t card = 0;
  for (int i = 7; i >= 0; --i) card = (card << 8) | Bytes(s)[kCardOffset + i];
  return card;
}

std::array<char, 8> EncodeCard(uint64_t card) {
  std::array<char, 8> out;
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((card >> (8 * i)) & 0xff);
  return out;
}

void InvalidateCache(std::string* s) { (*s)[15] = static_cast<char>(Bytes(s)[15] | 0x80); }

uint8_t DenseGet(const uint8_t* regs, uint32_t index) {
  const size_t byte = index * kBits / 8;
  const unsigned fb = (index * kBits) & 7;
  const unsigned b0 = regs[byte];
  const unsigned b1 = byte + 1 < kRegisterBytes ? regs[byte + 1] : 0;
  return static_cast<uint8_t>(((b0 >> fb) | (b1 << (8 - fb))) & kRegisterMax);
}

void DenseSet(uint8_t* regs, uint32_t index, uint8_t value) {
  const size_t byte = index * kBits / 8;
  const unsigned fb = (index * kBits) & 7;
  const unsigned v = value;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(kRegisterMax << fb)) | (v << fb));
  if (fb + kBits > 8) {  // the register's high bits are in the next byte
    regs[byte + 1] = static_cast<uint8_t>((regs[byte + 1] & ~(kRegisterMax >> (8 - fb))) |
                                          (v >> (8 - fb)));
  }
}

bool DenseRaise(std::string_view s, Pattern p, DensePatch* patch) {
  const uint8_t* regs = Bytes(s) + kHeaderSize;
  if (DenseGet(regs, p.index) >= p.count) return false;
  // The register's bytes, set as DenseSet would set them in place (a register at bit offset
  // 0 or 2 of its byte lies in that byte alone).
  const size_t byte = p.index * kBits / 8;
  const unsigned fb = (p.index * kBits) & 7;
  const unsigned v = p.count;
  patch->offset = kHeaderSize + byte;
  patch->len = fb + kBits > 8 ? 2 : 1;
  patch->bytes[0] = static_cast<char>((regs[byte] & ~(kRegisterMax << fb)) | (v << fb));
  patch->bytes[1] = 0;
  if (patch->len == 2) {
    patch->bytes[1] =
        static_cast<char>((regs[byte + 1] & ~(kRegisterMax >> (8 - fb))) | (v >> (8 - fb)));
  }
  return true;
}

SetResult Set(std::string* s, uint32_t index, uint8_t count, int64_t sparse_max_bytes) {
  if (EncodingOf(*s) == kSparse) return SparseSet(s, index, count, sparse_max_bytes);
  uint8_t* regs = Bytes(s) + kHeaderSize;
  if (DenseGet(regs, index) >= count) return SetResult::kUnchanged;
  DenseSet(regs, index, count);
  return SetResult::kUpdated;
}

bool ToDense(std::string* s) {
  if (EncodingOf(*s) == kDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), s->data(), kHeaderSize);  // magic, unused bytes, cached card
  dense[4] = static_cast<char>(kDense);
  uint8_t* regs = Bytes(&dense) + kHeaderSize;
  const bool ok = ForEachVal(*s, [&](uint32_t first, uint32_t len, uint8_t value) {
    for (uint32_t i = first; i < first + len; ++i) DenseSet(regs, i, value);
  });
  if (!ok) return false;
  *s = std::move(dense);
  return true;
}

bool HistogramOf(std::string_view s, Histogram* h) {
  h->fill(0);
  if (EncodingOf(s) == kDense) {
    // Four registers in every three bytes.
    const uint8_t* r = Bytes(s) + kHeaderSize;
    for (size_t i = 0; i < kRegisterBytes; i += 3) {
      const unsigned b0 = r[i], b1 = r[i + 1], b2 = r[i + 2];
      ++(*h)[b0 & 63];
      ++(*h)[((b0 >> 6) | (b1 << 2)) & 63];
      ++(*h)[((b1 >> 4) | (b2 << 4)) & 63];
      ++(*h)[(b2 >> 2) & 63];
    }
    return true;
  }
  const uint8_t* body = Bytes(s) + kHeaderSize;
  const size_t n = s.size() - kHeaderSize;
  int64_t idx = 0;
  for (size_t pos = 0; pos < n;) {
    const Op op = ReadOp(body, n, pos);
    pos += op.size;
    idx += op.span;
    (*h)[op.value] += op.span;
  }
  return idx == kRegisters;
}

uint64_t Estimate(const Histogram& h) {
  const double m = kRegisters;
  double z = m * Tau((m - static_cast<double>(h[kQ + 1])) / m);
  for (int j = kQ; j >= 1; --j) {
    z += static_cast<double>(h[j]);
    z *= 0.5;
  }
  z += m * Sigma(static_cast<double>(h[0]) / m);
  const double e = static_cast<double>(llroundl(0.721347520444481703680 * m * m / z));
  // Redis's (uint64_t) cast of that double as x86-64 computes it: llroundl's LLONG_MIN for an
  // estimate out of range becomes 2^63 (a negative double cast to unsigned is undefined in C++).
  return e < 0 ? static_cast<uint64_t>(static_cast<int64_t>(e)) : static_cast<uint64_t>(e);
}

bool MergeInto(std::string_view s, Registers* max) {
  if (EncodingOf(s) == kDense) {
    const uint8_t* regs = Bytes(s) + kHeaderSize;
    for (uint32_t i = 0; i < kRegisters; ++i) {
      const uint8_t v = DenseGet(regs, i);
      if (v > (*max)[i]) (*max)[i] = v;
    }
    return true;
  }
  return ForEachVal(s, [&](uint32_t first, uint32_t len, uint8_t value) {
    for (uint32_t i = first; i < first + len; ++i) {
      if (value > (*max)[i]) (*max)[i] = value;
    }
  });
}

uint64_t CountRegisters(const Registers& regs) {
  Histogram h{};
  for (uint8_t v : regs) ++h[v & 63];
  return Estimate(h);
}

std::string DecodeSparse(std::string_view s) {
  const uint8_t* body = Bytes(s) + kHeaderSize;
  const size_t n = s.size() - kHeaderSize;
  std::string out;
  for (size_t pos = 0; pos < n;) {
    const uint8_t code = body[pos];
    const Op op = ReadOp(body, n, pos);
    pos += op.size;
    if (!out.empty()) out += ' ';
    if (IsZero(code)) {
      out += "z:" + std::to_string(op.span);
    } else if (IsXZero(code)) {
      out += "Z:" + std::to_string(op.span);
    } else {
      out += "v:" + std::to_string(op.value) + "," + std::to_string(op.span);
    }
  }
  return out;
}

std::string SelfTest(int64_t sparse_max_bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  // 1: every register keeps what was written to it, and its neighbours are untouched.
  std::string dense(kDenseSize, '\0');
  uint8_t* regs = Bytes(&dense) + kHeaderSize;
  Registers expect{};
  for (int cycle = 0; cycle < 1000; ++cycle) {
    for (uint32_t i = 0; i < kRegisters; ++i) {
      expect[i] = static_cast<uint8_t>(rng() & kRegisterMax);
      DenseSet(regs, i, expect[i]);
    }
    for (uint32_t i = 0; i < kRegisters; ++i) {
      const uint8_t got = DenseGet(regs, i);
      if (got != expect[i]) {
        return "TESTFAILED Register " + std::to_string(i) + " should be " +
               std::to_string(expect[i]) + " but is " + std::to_string(got);
      }
    }
  }
  // 2: the estimate stays within 6 standard errors, dense and sparse agree.
  std::memset(regs, 0, kRegisterBytes);
  std::memcpy(dense.data(), "HYLL", 4);
  std::string sparse = NewSparse();
  const double relerr = 1.04 / std::sqrt(static_cast<double>(kRegisters));
  const uint64_t base = rng();
  int64_t checkpoint = 1;
  Histogram h;
  auto count = [&h](std::string_view s) { return HistogramOf(s, &h) ? Estimate(h) : 0; };
  for (int64_t j = 1; j <= 10000000; ++j) {
    const uint64_t ele = static_cast<uint64_t>(j) ^ base;
    char bytes[8];
    for (int b = 0; b < 8; ++b) bytes[b] = static_cast<char>((ele >> (8 * b)) & 0xff);
    const Pattern p = PatternOf(std::string_view(bytes, 8));
    if (DenseGet(regs, p.index) < p.count) DenseSet(regs, p.index, p.count);
    Set(&sparse, p.index, p.count, sparse_max_bytes);
    if (j != checkpoint) continue;
    if (j < sparse_max_bytes / 2 && EncodingOf(sparse) != kSparse) {
      return "TESTFAILED sparse encoding not used";
    }
    const uint64_t card = count(dense);
    if (card != count(sparse)) return "TESTFAILED dense/sparse disagree";
    int64_t abserr = checkpoint - static_cast<int64_t>(card);
    uint64_t maxerr = static_cast<uint64_t>(std::ceil(relerr * 6 * static_cast<double>(checkpoint)));
    if (j == 10) maxerr = 1;  // small counts collide now and then
    if (abserr < 0) abserr = -abserr;
    if (abserr > static_cast<int64_t>(maxerr)) {
      return "TESTFAILED Too big error. card:" + std::to_string(checkpoint) +
             " abserr:" + std::to_string(abserr);
    }
    checkpoint *= 10;
  }
  return "";
}

}  // namespace strata::engine::hll
