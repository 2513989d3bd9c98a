// HyperLogLog: the byte representation of Redis 7.0's HLL strings, and the operations PFADD,
// PFCOUNT, PFMERGE and PFDEBUG make on it (our own code over Redis's documented format).
//
// An HLL is an ordinary string value:
//   header (16 bytes): "HYLL", encoding (0 dense, 1 sparse), 3 unused bytes, the cached
//                      cardinality as 8 little-endian bytes; the top bit of byte 15 set marks
//                      the cache invalid.
//   dense:  16384 registers of 6 bits, 12288 bytes; register i holds bits [6i, 6i+6) counted
//           from the least significant bit of byte 0 (a register may straddle two bytes).
//   sparse: a run-length code of the registers, in order:
//           ZERO  00xxxxxx          1..64 zero registers
//           XZERO 01xxxxxx yyyyyyyy 1..16384 zero registers (14-bit length - 1)
//           VAL   1vvvvvxx          1..4 registers holding 1..32 (value - 1, length - 1)
// An element sets register (hash & 16383) to the position of the first 1 bit of the other 50
// bits of its MurmurHash64A (seed 0xadc83b19), if that is larger.
//
// Every function reads only the bytes of the string it is given (a sparse XZERO cut short by
// the end of the string reads its second byte as 0, as Redis reads its terminating NUL), so a
// corrupt HLL is reported, never read past. Not thread safe: callers hold the key's lock.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata::engine::hll {

inline constexpr int kP = 14;                      // index bits
inline constexpr int kQ = 64 - kP;                 // bits counted for the run of zeros
inline constexpr uint32_t kRegisters = 1u << kP;   // 16384
inline constexpr int kBits = 6;                    // bits per dense register
inline constexpr uint8_t kRegisterMax = (1 << kBits) - 1;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseSize = kHeaderSize + kRegisters * kBits / 8;  // 12304
inline constexpr size_t kCardOffset = 8;           // the cached cardinality's 8 bytes
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;
inline constexpr uint8_t kSparseValMax = 32;       // larger values need the dense encoding
inline constexpr uint64_t kHashSeed = 0xadc83b19ULL;

// Redis's MurmurHash64A (64-bit MurmurHash2, read little-endian on every machine).
uint64_t MurmurHash64A(std::string_view data, uint64_t seed);

// Where an element goes: its register and the value it offers (1..kQ+1).
struct Pattern {
  uint32_t index;
  uint8_t count;
};
Pattern PatternOf(std::string_view element);

// Whether a string may be read as an HLL (Redis's isHLLObjectOrReply): at least a header,
// the magic, a known encoding, and a dense one exactly kDenseSize long. A sparse body is only
// checked by the operations that read it.
bool IsHll(std::string_view s);
inline uint8_t EncodingOf(std::string_view s) { return static_cast<uint8_t>(s[4]); }
// The empty HLL PFADD and PFMERGE create: sparse, one XZERO of every register.
std::string NewSparse();

// The cached cardinality. REQUIRES: IsHll(s).
bool CacheValid(std::string_view s);
uint64_t CachedCard(std::string_view s);
std::array<char, 8> EncodeCard(uint64_t card);
void InvalidateCache(std::string* s);

// Dense registers. `regs` points at the 12288 register bytes (past the header).
uint8_t DenseGet(const uint8_t* regs, uint32_t index);
void DenseSet(uint8_t* regs, uint32_t index, uint8_t value);

// The bytes a dense register change rewrites: `len` (1 or 2) bytes at `offset` of the string.
struct DensePatch {
  size_t offset;
  size_t len;
  std::array<char, 2> bytes;
};
// Whether setting p.index to p.count raises it in the dense HLL s; if so *patch holds the
// bytes to write. REQUIRES: s dense (IsHll).
bool DenseRaise(std::string_view s, Pattern p, DensePatch* patch);

enum class SetResult { kUnchanged, kUpdated, kCorrupt };
// Raises register `index` to `count` in s (dense or sparse) if that is larger, as Redis's
// hllDenseSet/hllSparseSet do: a sparse s is rewritten in place (same opcodes, same merging of
// neighbouring VALs, cache invalidated) or promoted to dense when the value exceeds 32 or the
// sparse string would grow past `sparse_max_bytes`. kCorrupt: a sparse s that does not cover
// `index` or cannot be promoted; s is then unchanged.
SetResult Set(std::string* s, uint32_t index, uint8_t count, int64_t sparse_max_bytes);
// Rewrites a sparse s as dense (header kept, encoding 0). Returns false, leaving s unchanged,
// when the opcodes do not cover exactly the 16384 registers. A dense s is left as is.
bool ToDense(std::string* s);

// Register histogram: h[v] = how many registers hold v.
using Histogram = std::array<int64_t, 64>;
// Returns false when s is sparse and its opcodes do not cover exactly 16384 registers.
bool HistogramOf(std::string_view s, Histogram* h);
// Redis 7.0's estimator (Ertl's improved estimator with sigma and tau) from a histogram.
uint64_t Estimate(const Histogram& h);

// One register a byte, for PFMERGE and PFCOUNT of several keys.
using Registers = std::array<uint8_t, kRegisters>;
// max[i] = max(max[i], register i of s). Returns false for a corrupt sparse s (max may then be
// partly updated, as in Redis).
bool MergeInto(std::string_view s, Registers* max);
uint64_t CountRegisters(const Registers& regs);

// PFDEBUG DECODE's text of a sparse body: "Z:16384", "z:3 v:2,1 ...". REQUIRES: s sparse.
std::string DecodeSparse(std::string_view s);

// PFSELFTEST: the register accessors and the estimator's error on 10 million elements, dense
// and sparse side by side. Returns "" on success, else Redis's TESTFAILED text.
std::string SelfTest(int64_t sparse_max_bytes, uint64_t seed);

}  // namespace strata::engine::hll
