#include "base/rdb_coding.h"

#include <optional>
#include <vector>

#include "base/string_util.h"

extern "C" {
#include <isa-l/crc64.h>
#include <liblzf/lzf.h>
}

namespace strata::rdb {

namespace {

// The two top bits of a length's first byte.
constexpr uint8_t k6Bit = 0, k14Bit = 1, kEncoded = 3;
constexpr uint8_t k32Bit = 0x80, k64Bit = 0x81;
// Encoded strings (kEncoded, then the type in the low six bits).
constexpr uint8_t kInt8 = 0, kInt16 = 1, kInt32 = 2, kLzf = 3;

uint64_t ReadLittle(std::string_view in, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(in[pos + i]);
  return v;
}

uint64_t ReadBig(std::string_view in, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[pos + i]);
  return v;
}

// A length or, with *encoded set, a string encoding type.
bool ReadLengthOrEncoding(std::string_view in, size_t* pos, uint64_t* len, bool* encoded) {
  if (*pos >= in.size()) return false;
  const uint8_t first = static_cast<uint8_t>(in[(*pos)++]);
  *encoded = false;
  switch (first >> 6) {
    case k6Bit:
      *len = first & 0x3f;
      return true;
    case k14Bit:
      if (*pos >= in.size()) return false;
      *len = (uint64_t{first & 0x3fu} << 8) | static_cast<uint8_t>(in[(*pos)++]);
      return true;
    case kEncoded:
      *encoded = true;
      *len = first & 0x3f;
      return true;
    default:
      break;
  }
  const int bytes = first == k32Bit ? 4 : first == k64Bit ? 8 : 0;
  if (bytes == 0 || in.size() - *pos < static_cast<size_t>(bytes)) return false;
  *len = ReadBig(in, *pos, bytes);  // big endian, as Redis writes these
  *pos += bytes;
  return true;
}

}  // namespace

uint64_t Crc64(uint64_t crc, std::string_view data) {
  // ISA-L's variant inverts the register on the way in and out; Redis's does not.
  return ~crc64_jones_refl(~crc, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

void AppendLength(std::string* out, uint64_t len) {
  if (len < (1 << 6)) {
    out->push_back(static_cast<char>(len));
  } else if (len < (1 << 14)) {
    out->push_back(static_cast<char>((k14Bit << 6) | (len >> 8)));
    out->push_back(static_cast<char>(len & 0xff));
  } else {
    const bool small = len <= UINT32_MAX;
    out->push_back(static_cast<char>(small ? k32Bit : k64Bit));
    for (int i = small ? 3 : 7; i >= 0; --i) out->push_back(static_cast<char>(len >> (8 * i)));
  }
}

void AppendString(std::string* out, std::string_view s) {
  AppendLength(out, s.size());
  out->append(s);
}

void AppendRedisString(std::string* out, std::string_view s, bool compress) {
  if (s.size() <= 11) {
    const std::optional<int64_t> v = ParseInt64(s);
    if (v && *v >= INT32_MIN && *v <= INT32_MAX) {
      const int bytes = (*v >= INT8_MIN && *v <= INT8_MAX)     ? 1
                        : (*v >= INT16_MIN && *v <= INT16_MAX) ? 2
                                                               : 4;
      const uint8_t type = bytes == 1 ? kInt8 : bytes == 2 ? kInt16 : kInt32;
      out->push_back(static_cast<char>((kEncoded << 6) | type));
      const auto u = static_cast<uint32_t>(static_cast<int32_t>(*v));
      for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(u >> (8 * i)));
      return;
    }
  }
  if (compress && s.size() > 20 && s.size() <= UINT32_MAX) {
    // Redis asks LZF for at most len - 4 bytes: a string it cannot shrink by 4 stays plain.
    std::vector<char> buf(s.size() - 4);
    const unsigned n = lzf_compress(s.data(), static_cast<unsigned>(s.size()), buf.data(),
                                    static_cast<unsigned>(buf.size()));
    if (n > 0) {
      out->push_back(static_cast<char>((kEncoded << 6) | kLzf));
      AppendLength(out, n);
      AppendLength(out, s.size());
      out->append(buf.data(), n);
      return;
    }
  }
  AppendString(out, s);
}

bool ReadLength(std::string_view in, size_t* pos, uint64_t* len) {
  bool encoded;
  return ReadLengthOrEncoding(in, pos, len, &encoded) && !encoded;
}

bool ReadString(std::string_view in, size_t* pos, std::string* out) {
  uint64_t len;
  bool encoded;
  if (!ReadLengthOrEncoding(in, pos, &len, &encoded)) return false;
  if (!encoded) {
    if (in.size() - *pos < len) return false;
    out->assign(in.substr(*pos, len));
    *pos += len;
    return true;
  }
  if (len == kInt8 || len == kInt16 || len == kInt32) {
    const int bytes = len == kInt8 ? 1 : len == kInt16 ? 2 : 4;
    if (in.size() - *pos < static_cast<size_t>(bytes)) return false;
    const uint64_t raw = ReadLittle(in, *pos, bytes);
    *pos += bytes;
    const int64_t v = bytes == 1   ? static_cast<int8_t>(raw)
                      : bytes == 2 ? static_cast<int16_t>(raw)
                                   : static_cast<int32_t>(raw);
    *out = std::to_string(v);
    return true;
  }
  if (len != kLzf) return false;
  uint64_t compressed, plain;
  if (!ReadLength(in, pos, &compressed) || !ReadLength(in, pos, &plain)) return false;
  // LZF expands at most 264 bytes out of a 3-byte back reference (fewer than 100 per input
  // byte): a larger announced length is damage, and is not allocated.
  if (in.size() - *pos < compressed || compressed > UINT32_MAX || plain > compressed * 100) {
    return false;
  }
  out->resize(plain);
  const unsigned got = lzf_decompress(in.data() + *pos, static_cast<unsigned>(compressed),
                                      out->data(), static_cast<unsigned>(plain));
  *pos += compressed;
  return plain == 0 || got == plain;
}

void AppendTrailer(std::string* payload) {
  payload->push_back(static_cast<char>(kVersion & 0xff));
  payload->push_back(static_cast<char>(kVersion >> 8));
  const uint64_t crc = Crc64(0, *payload);
  for (int i = 0; i < 8; ++i) payload->push_back(static_cast<char>(crc >> (8 * i)));
}

bool CheckTrailer(std::string_view payload, std::string_view* body) {
  if (payload.size() < 10) return false;
  const size_t end = payload.size() - 10;
  const uint64_t version = ReadLittle(payload, end, 2);
  if (version > kVersion) return false;
  if (ReadLittle(payload, end + 2, 8) != Crc64(0, payload.substr(0, end + 2))) return false;
  *body = payload.substr(0, end);
  return true;
}

}  // namespace strata::rdb
