// Fuzz target: the conversions between replies and Lua values that EVAL's redis.call and a
// script's return make (server/scripting.h).
//
// Input: bytes taken as a RESP2 or RESP3 reply. When they start with a whole reply, it is
// converted to a Lua value and back to a (RESP2) reply. Checked:
//   - nothing crashes, leaks or reads out of bounds, however the bytes are malformed or nested;
//   - the round trip is a fixed point: converting its own output again gives the same bytes
//     (what the first pass changes, a null array to a null bulk, a map to an array, it changes
//     once).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/scripting.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using strata::server::Scripting;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string once;
  if (!Scripting::ReplyRoundTrip(in, &once)) return 0;
  std::string twice;
  if (!Scripting::ReplyRoundTrip(once, &twice)) strata::fuzz::Die("the round trip's output does not parse");
  if (twice != once) strata::fuzz::Die("the round trip is not a fixed point");
  return 0;
}
