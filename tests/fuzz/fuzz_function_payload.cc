// Fuzz target: FUNCTION RESTORE's payload reader (Redis's FUNCTION DUMP format:
// server/scripting.h, base/rdb_coding.h: opcodes, RDB lengths, plain, integer and LZF strings,
// the version and CRC64 trailer).
//
// Input: bytes taken as a payload, and the same bytes with a valid trailer appended (so the
// body's decoding is reached, not only the checksum). Checked:
//   - nothing crashes, leaks or reads out of bounds, however the bytes are malformed;
//   - a payload that parses, dumped again from the codes it gave, parses to the same codes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/rdb_coding.h"
#include "server/scripting.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

void Check(std::string_view payload) {
  using strata::server::Scripting;
  std::vector<std::string> codes;
  if (!Scripting::ParsePayload(payload, &codes).empty()) return;
  std::vector<std::string> again;
  if (!Scripting::ParsePayload(Scripting::DumpPayload(codes), &again).empty()) {
    strata::fuzz::Die("a dump of parsed codes does not parse");
  }
  if (again != codes) strata::fuzz::Die("the codes changed through a dump");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  Check(in);
  std::string sealed(in);
  strata::rdb::AppendTrailer(&sealed);
  Check(sealed);
  return 0;
}
