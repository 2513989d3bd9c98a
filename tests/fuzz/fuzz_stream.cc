// Fuzz target: the stream value's decoders (engine/stream_value.h): stream ID arguments
// (ParseStreamId, as Redis's string2ull reads each part), the put encoding (ParseStream, what
// snapshots and whole-value writes hold) and the eight stream effect bodies (Value::Apply, what
// the log holds).
//
// Input: a selector byte, then bytes. Selector % 3 == 0: the bytes are a put encoding;
// 1: a sequence of effects (code:u8 % 8 picks the effect, len:u8, then len bytes of body) applied
// in turn to one stream, on nodes of 1 to 8 entries; 2: the bytes are an ID argument. Checked:
//   - nothing crashes, leaks or reads out of bounds, however the bytes are malformed;
//   - a put encoding that parses serializes to bytes that parse to the same serialization, and
//     so does the stream the effects built after each effect that applied cleanly (effects that
//     fail leave the stream as it is: they are refused before changing anything, or only
//     corrupt input reaches them, which stops recovery anyway: the stream is dropped);
//   - an ID that parses prints as ms-seq and parses back to itself.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/stream_value.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace engine = strata::engine;

void RoundTrip(const engine::Value& v, const engine::EncodingLimits& limits) {
  std::string bytes;
  v.Serialize(&bytes);
  std::unique_ptr<engine::Value> again;
  if (!engine::ParseStream(bytes, limits, &again).ok()) {
    strata::fuzz::Die("a serialized stream does not parse");
  }
  std::string bytes2;
  again->Serialize(&bytes2);
  if (bytes2 != bytes) strata::fuzz::Die("a stream changed through a round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  engine::EncodingLimits limits;
  limits.stream_node_max_entries = 1 + data[0] / 3 % 8;
  limits.stream_node_max_bytes = data[0] & 0x80 ? 64 : 4096;
  switch (data[0] % 3) {
    case 0: {
      std::unique_ptr<engine::Value> v;
      if (engine::ParseStream(in, limits, &v).ok()) RoundTrip(*v, limits);
      break;
    }
    case 1: {
      std::unique_ptr<engine::Value> v = engine::NewStream();
      while (in.size() >= 2) {
        const auto op = static_cast<engine::RedoOp>(
            static_cast<uint8_t>(engine::kFirstStreamOp) + static_cast<uint8_t>(in[0]) % 8);
        const size_t len = std::min<size_t>(static_cast<uint8_t>(in[1]), in.size() - 2);
        const std::string_view body = in.substr(2, len);
        in.remove_prefix(2 + len);
        if (!v->Apply(op, body, limits).ok()) break;
        RoundTrip(*v, limits);
      }
      break;
    }
    default: {
      engine::StreamId id;
      if (!engine::ParseStreamId(in, 0, &id)) break;
      engine::StreamId back;
      if (!engine::ParseStreamId(id.ToString(), 0, &back) || back != id) {
        strata::fuzz::Die("a stream ID does not print back to itself");
      }
    }
  }
  return 0;
}
