// Fuzz target: HyperLogLog strings (engine/hyperloglog.h), as PFCOUNT, PFADD, PFMERGE and
// PFDEBUG read a string value a client may have written with SET or SETRANGE.
//
// Input: a selector byte, a limit byte, then bytes. Selector % 3 == 0: the bytes are the whole
// string; 1: they are the body of a sparse HLL (a header is put before them); 2: they are the
// registers of a dense HLL (padded or cut to 12288 bytes). The string is then read as the
// commands read it (IsHll, HistogramOf, Estimate, MergeInto, ToDense, DecodeSparse) and changed
// by up to 16 Set calls (index and count from the last bytes; the limit byte picks
// hll-sparse-max-bytes). Checked, besides no crash, no leak and no read out of bounds:
//   - a sparse body is valid for all readers or for none: HistogramOf, MergeInto and ToDense
//     agree, and a valid one counts the same once dense and once merged into registers;
//   - a Set refused as corrupt leaves the string as it was;
//   - a Set on a valid HLL leaves a valid HLL whose register is at least the value set, and its
//     other registers unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/hyperloglog.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace hll = strata::engine::hll;
using strata::fuzz::Die;
using strata::fuzz::FuzzInput;

std::string Header(uint8_t encoding, std::string_view extra) {
  std::string h = "HYLL";
  h.push_back(static_cast<char>(encoding));
  h.append(extra.substr(0, 11));
  h.resize(hll::kHeaderSize, '\0');
  return h;
}

// Registers of a valid HLL, or false.
bool RegistersOf(std::string_view s, hll::Registers* regs) {
  regs->fill(0);
  return hll::MergeInto(s, regs);
}

// Reads s every way the commands do; returns whether it is a valid HLL.
bool Read(std::string_view s) {
  if (!hll::IsHll(s)) return false;
  hll::Histogram h;
  const bool counted = hll::HistogramOf(s, &h);
  hll::Registers regs;
  const bool merged = RegistersOf(s, &regs);
  std::string dense(s);
  const bool converted = hll::ToDense(&dense);
  if (counted != merged || counted != converted) Die("the readers disagree on validity");
  if (hll::EncodingOf(s) == hll::kSparse) (void)hll::DecodeSparse(s);
  if (!converted) {
    if (dense != s) Die("a failed ToDense changed the string");
    return false;
  }
  if (dense.size() != hll::kDenseSize || !hll::IsHll(dense)) Die("ToDense made no dense HLL");
  hll::Histogram hd;
  if (!hll::HistogramOf(dense, &hd) || hd != h) Die("dense and sparse histograms differ");
  const uint64_t card = hll::Estimate(h);
  if (hll::CountRegisters(regs) != card) Die("merged registers count differently");
  return true;
}

// Whether a sparse s ends in an XZERO cut short (its missing byte reads as 0, as Redis reads
// the string's terminating NUL). Such an HLL counts, but a split of that XZERO keeps Redis's
// length arithmetic (the old length plus the growth) and so loses the new sequence's last byte,
// as in Redis: the invariants of a valid HLL do not hold for it.
bool CutTail(std::string_view s) {
  if (hll::EncodingOf(s) != hll::kSparse) return false;
  size_t pos = hll::kHeaderSize;
  while (pos < s.size()) {
    const uint8_t op = static_cast<uint8_t>(s[pos]);
    const bool xzero = (op & 0xc0) == 0x40;
    if (xzero && pos + 1 == s.size()) return true;
    pos += xzero ? 2 : 1;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  const uint8_t selector = in.Byte();
  const uint8_t limit_byte = in.Byte();
  const int64_t limits[] = {0, 20, 100, 3000, 1 << 20};
  const int64_t max_bytes = limits[limit_byte % 5];
  // The last 3 * k bytes are k Set calls (index:u16, count:u8); the rest is the string.
  const size_t sets = std::min<size_t>(16, (limit_byte >> 3) % 17);
  std::string_view rest = in.Bytes(size);
  const size_t set_bytes = std::min(rest.size(), sets * 3);
  std::string_view ops = rest.substr(rest.size() - set_bytes);
  rest.remove_suffix(set_bytes);

  std::string s;
  switch (selector % 3) {
    case 0: s = std::string(rest); break;
    case 1: s = Header(hll::kSparse, {}) + std::string(rest); break;
    default: {
      s = Header(hll::kDense, {}) + std::string(rest);
      s.resize(hll::kDenseSize, '\0');
    }
  }
  bool valid = Read(s) && !CutTail(s);
  FuzzInput op_in(ops);
  while (op_in.remaining() >= 3 && hll::IsHll(s)) {
    const uint32_t index = op_in.U16() % hll::kRegisters;
    const uint8_t count = static_cast<uint8_t>(1 + op_in.Byte() % (hll::kQ + 1));
    hll::Registers before;
    if (valid) RegistersOf(s, &before);
    const std::string old = s;
    const hll::SetResult r = hll::Set(&s, index, count, max_bytes);
    if (r == hll::SetResult::kCorrupt) {
      if (s != old) Die("a Set refused as corrupt changed the string");
      if (valid) Die("a valid HLL was refused as corrupt");
      continue;
    }
    if (r == hll::SetResult::kUnchanged && s != old) Die("an unchanged Set changed the string");
    if (!valid) {
      valid = Read(s) && !CutTail(s);
      continue;
    }
    if (!Read(s)) Die("a Set on a valid HLL made an invalid one");
    hll::Registers after;
    RegistersOf(s, &after);
    before[index] = std::max(before[index], count);
    if (after != before) Die("a Set changed other registers, or not its own");
    if (hll::EncodingOf(s) == hll::kSparse && hll::EncodingOf(old) == hll::kSparse &&
        static_cast<int64_t>(s.size()) > std::max<int64_t>(max_bytes, old.size())) {
      Die("a sparse HLL grew past hll-sparse-max-bytes");
    }
  }
  return 0;
}
