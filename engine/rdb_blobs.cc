#include "engine/rdb_blobs.h"

#include <optional>

#include "base/string_util.h"

namespace strata::engine::rdb_blob {

namespace {

uint64_t Little(std::string_view in, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(in[pos + i]);
  return v;
}

void PutLittle(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

// Sign-extends the low `bits` bits of v.
int64_t SignExtend(uint64_t v, int bits) {
  if (bits == 64) return static_cast<int64_t>(v);
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

// A listpack entry's back length (the size of its encoding and data), written to be read from
// its last byte backwards.
void PutBacklen(std::string* out, uint64_t len) {
  if (len <= 127) {
    out->push_back(static_cast<char>(len));
    return;
  }
  int n = len < 16383 ? 2 : len < 2097151 ? 3 : len < 268435455 ? 4 : 5;
  for (int i = n - 1; i >= 0; --i) {
    const uint8_t group = static_cast<uint8_t>((len >> (7 * i)) & 127);
    out->push_back(static_cast<char>(i == n - 1 ? group : group | 128));
  }
}

// Listpack markers.
constexpr uint8_t kLpEof = 0xff;
constexpr uint8_t kLpInt16 = 0xf1, kLpInt24 = 0xf2, kLpInt32 = 0xf3, kLpInt64 = 0xf4;
constexpr uint8_t kLpStr32 = 0xf0;

}  // namespace

// ---- Listpack ----

void ListpackWriter::Append(std::string_view element) {
  const size_t start = body_.size();
  if (const std::optional<int64_t> v = ParseInt64(element)) {
    const int64_t x = *v;
    if (x >= 0 && x <= 127) {
      body_.push_back(static_cast<char>(x));
    } else if (x >= -4096 && x <= 4095) {
      const uint64_t u = static_cast<uint64_t>(x) & 0x1fff;
      body_.push_back(static_cast<char>(0xc0 | (u >> 8)));
      body_.push_back(static_cast<char>(u & 0xff));
    } else if (x >= INT16_MIN && x <= INT16_MAX) {
      body_.push_back(static_cast<char>(kLpInt16));
      PutLittle(&body_, static_cast<uint64_t>(x), 2);
    } else if (x >= -8388608 && x <= 8388607) {
      body_.push_back(static_cast<char>(kLpInt24));
      PutLittle(&body_, static_cast<uint64_t>(x), 3);
    } else if (x >= INT32_MIN && x <= INT32_MAX) {
      body_.push_back(static_cast<char>(kLpInt32));
      PutLittle(&body_, static_cast<uint64_t>(x), 4);
    } else {
      body_.push_back(static_cast<char>(kLpInt64));
      PutLittle(&body_, static_cast<uint64_t>(x), 8);
    }
  } else {
    const size_t len = element.size();
    if (len < 64) {
      body_.push_back(static_cast<char>(0x80 | len));
    } else if (len < 4096) {
      body_.push_back(static_cast<char>(0xe0 | (len >> 8)));
      body_.push_back(static_cast<char>(len & 0xff));
    } else {
      body_.push_back(static_cast<char>(kLpStr32));
      PutLittle(&body_, len, 4);
    }
    body_.append(element);
  }
  PutBacklen(&body_, body_.size() - start);
  ++count_;
}

std::string ListpackWriter::Finish() const {
  std::string out;
  out.reserve(bytes());
  PutLittle(&out, bytes(), 4);
  PutLittle(&out, count_ < 65535 ? count_ : 65535, 2);
  out += body_;
  out.push_back(static_cast<char>(kLpEof));
  return out;
}

bool ReadListpack(std::string_view blob, std::vector<std::string>* out) {
  if (blob.size() < 7 || Little(blob, 0, 4) != blob.size()) return false;
  if (static_cast<uint8_t>(blob.back()) != kLpEof) return false;
  const uint64_t header_count = Little(blob, 4, 2);
  const size_t end = blob.size() - 1;
  size_t pos = 6, count = 0;
  while (pos < end) {
    const uint8_t b = static_cast<uint8_t>(blob[pos]);
    size_t head = 1, data = 0;  // bytes of the encoding, then of the string
    bool is_int = true;
    int64_t v = 0;
    int int_bytes = 0;
    if (b < 0x80) {
      v = b;
    } else if ((b & 0xc0) == 0x80) {
      is_int = false;
      data = b & 0x3f;
    } else if ((b & 0xe0) == 0xc0) {
      head = 2;
      if (end - pos < 2) return false;
      v = SignExtend(((b & 0x1fu) << 8) | static_cast<uint8_t>(blob[pos + 1]), 13);
    } else if ((b & 0xf0) == 0xe0) {
      head = 2;
      if (end - pos < 2) return false;
      is_int = false;
      data = ((b & 0x0fu) << 8) | static_cast<uint8_t>(blob[pos + 1]);
    } else if (b == kLpStr32) {
      head = 5;
      if (end - pos < 5) return false;
      is_int = false;
      data = Little(blob, pos + 1, 4);
    } else if (b >= kLpInt16 && b <= kLpInt64) {
      int_bytes = b == kLpInt16 ? 2 : b == kLpInt24 ? 3 : b == kLpInt32 ? 4 : 8;
      head = 1 + int_bytes;
      if (end - pos < head) return false;
      v = SignExtend(Little(blob, pos + 1, int_bytes), 8 * int_bytes);
    } else {
      return false;  // 0xf5..0xfe are not encodings; 0xff ends the listpack
    }
    if (end - pos - head < data) return false;
    const size_t entry = head + data;
    std::string backlen;
    PutBacklen(&backlen, entry);
    if (end - pos - entry < backlen.size()) return false;
    if (blob.substr(pos + entry, backlen.size()) != backlen) return false;
    out->push_back(is_int ? std::to_string(v) : std::string(blob.substr(pos + head, data)));
    pos += entry + backlen.size();
    ++count;
  }
  return pos == end && (header_count == 65535 || header_count == count);
}

// ---- Ziplist ----

bool ReadZiplist(std::string_view blob, std::vector<std::string>* out) {
  constexpr size_t kHeader = 10;
  if (blob.size() < kHeader + 1 || Little(blob, 0, 4) != blob.size()) return false;
  if (static_cast<uint8_t>(blob.back()) != 0xff) return false;
  const uint64_t tail = Little(blob, 4, 4), header_count = Little(blob, 8, 2);
  const size_t end = blob.size() - 1;
  size_t pos = kHeader, prev_size = 0, last = kHeader, count = 0;
  while (pos < end) {
    const size_t start = pos;
    // The previous entry's length: one byte below 254, else 254 and four bytes.
    const uint8_t p0 = static_cast<uint8_t>(blob[pos]);
    uint64_t prevlen = p0;
    if (p0 == 0xff) return false;
    if (p0 == 0xfe) {
      if (end - pos < 5) return false;
      prevlen = Little(blob, pos + 1, 4);
      pos += 5;
    } else {
      pos += 1;
    }
    if (prevlen != prev_size || pos >= end) return false;
    const uint8_t e = static_cast<uint8_t>(blob[pos]);
    size_t head = 1, data = 0;
    bool is_int = true;
    int64_t v = 0;
    switch (e >> 6) {
      case 0:
        is_int = false;
        data = e & 0x3f;
        break;
      case 1:
        if (end - pos < 2) return false;
        is_int = false;
        head = 2;
        data = ((e & 0x3fu) << 8) | static_cast<uint8_t>(blob[pos + 1]);
        break;
      case 2:
        if (end - pos < 5) return false;
        is_int = false;
        head = 5;
        data = (static_cast<uint64_t>(static_cast<uint8_t>(blob[pos + 1])) << 24) |
               (static_cast<uint64_t>(static_cast<uint8_t>(blob[pos + 2])) << 16) |
               (static_cast<uint64_t>(static_cast<uint8_t>(blob[pos + 3])) << 8) |
               static_cast<uint8_t>(blob[pos + 4]);
        break;
      default: {
        int bytes;
        if (e == 0xc0) bytes = 2;
        else if (e == 0xd0) bytes = 4;
        else if (e == 0xe0) bytes = 8;
        else if (e == 0xf0) bytes = 3;
        else if (e == 0xfe) bytes = 1;
        else if (e >= 0xf1 && e <= 0xfd) bytes = 0;
        else return false;
        if (end - pos < 1 + static_cast<size_t>(bytes)) return false;
        v = bytes == 0 ? (e & 0x0f) - 1 : SignExtend(Little(blob, pos + 1, bytes), 8 * bytes);
        head = 1 + bytes;
      }
    }
    if (end - pos - head < data) return false;
    out->push_back(is_int ? std::to_string(v) : std::string(blob.substr(pos + head, data)));
    pos += head + data;
    prev_size = pos - start;
    last = start;
    ++count;
  }
  return pos == end && tail == last && (header_count == 65535 || header_count == count);
}

// ---- Zipmap ----

bool ReadZipmap(std::string_view blob, std::vector<std::string>* out) {
  if (blob.size() < 2) return false;
  const uint8_t header_count = static_cast<uint8_t>(blob[0]);
  const size_t end = blob.size() - 1;
  if (static_cast<uint8_t>(blob[end]) != 0xff) return false;
  size_t pos = 1, count = 0;
  auto read_len = [&](uint64_t* len) {
    if (pos >= end) return false;
    const uint8_t b = static_cast<uint8_t>(blob[pos]);
    if (b == 0xff) return false;
    if (b < 254) {
      *len = b;
      pos += 1;
      return true;
    }
    if (b != 254 || end - pos < 5) return false;
    *len = Little(blob, pos + 1, 4);
    pos += 5;
    return true;
  };
  while (pos < end) {
    uint64_t klen, vlen;
    if (!read_len(&klen) || end - pos < klen) return false;
    out->emplace_back(blob.substr(pos, klen));
    pos += klen;
    if (!read_len(&vlen) || pos >= end) return false;
    const uint8_t free = static_cast<uint8_t>(blob[pos++]);
    if (end - pos < vlen || end - pos - vlen < free) return false;
    out->emplace_back(blob.substr(pos, vlen));
    pos += vlen + free;
    ++count;
  }
  return pos == end && (header_count >= 254 || header_count == count);
}

// ---- Intset ----

std::string WriteIntset(std::span<const int64_t> values) {
  int width = 2;
  for (int64_t v : values) {
    if (v < INT32_MIN || v > INT32_MAX) {
      width = 8;
    } else if ((v < INT16_MIN || v > INT16_MAX) && width < 4) {
      width = 4;
    }
  }
  std::string out;
  PutLittle(&out, static_cast<uint64_t>(width), 4);
  PutLittle(&out, values.size(), 4);
  for (int64_t v : values) PutLittle(&out, static_cast<uint64_t>(v), width);
  return out;
}

bool ReadIntset(std::string_view blob, std::vector<std::string>* out) {
  if (blob.size() < 8) return false;
  const uint64_t width = Little(blob, 0, 4), count = Little(blob, 4, 4);
  if (width != 2 && width != 4 && width != 8) return false;
  if (count == 0 || count * width != blob.size() - 8) return false;
  int64_t prev = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const int64_t v = SignExtend(Little(blob, 8 + i * width, static_cast<int>(width)),
                                 static_cast<int>(8 * width));
    if (i > 0 && v <= prev) return false;
    prev = v;
    out->push_back(std::to_string(v));
  }
  return true;
}

}  // namespace strata::engine::rdb_blob
