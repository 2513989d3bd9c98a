#include "wal/log_format.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "base/coding.h"
#include "base/crc32c.h"

namespace strata::wal {

std::string SegmentFileName(uint64_t first_lsn) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "wal-%020" PRIu64 ".log", first_lsn);
  return buf;
}

bool ParseSegmentFileName(std::string_view name, uint64_t* first_lsn) {
  constexpr std::string_view kPrefix = "wal-", kSuffix = ".log";
  if (name.size() != kPrefix.size() + 20 + kSuffix.size()) return false;
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  if (name.substr(name.size() - kSuffix.size()) != kSuffix) return false;
  uint64_t v = 0;
  for (char c : name.substr(kPrefix.size(), 20)) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *first_lsn = v;
  return true;
}

std::string EncodeSegmentHeader(const SegmentHeader& header) {
  std::string out(kSegmentHeaderSize, '\0');
  char* p = out.data();
  std::memcpy(p, kMagic, sizeof(kMagic));
  EncodeFixed32(p + 8, header.version);
  EncodeFixed32(p + 12, header.header_size);
  EncodeFixed64(p + 16, header.first_lsn);
  EncodeFixed64(p + 24, header.segment_bytes);
  EncodeFixed32(p + 32, header.flags);
  EncodeFixed32(p + kHeaderCrcOffset, Crc32c(p, kHeaderCrcOffset));
  return out;
}

bool DecodeSegmentHeader(std::string_view data, SegmentHeader* header, std::string* why) {
  if (data.size() < kSegmentHeaderSize) {
    *why = "segment shorter than its header";
    return false;
  }
  const char* p = data.data();
  if (std::memcmp(p, kMagic, sizeof(kMagic)) != 0) {
    *why = "bad magic";
    return false;
  }
  if (DecodeFixed32(p + kHeaderCrcOffset) != Crc32c(p, kHeaderCrcOffset)) {
    *why = "segment header checksum mismatch";
    return false;
  }
  header->version = DecodeFixed32(p + 8);
  header->header_size = DecodeFixed32(p + 12);
  header->first_lsn = DecodeFixed64(p + 16);
  header->segment_bytes = DecodeFixed64(p + 24);
  header->flags = DecodeFixed32(p + 32);
  if (header->version != kFormatVersion) {
    *why = "unsupported format version " + std::to_string(header->version);
    return false;
  }
  if (header->header_size != kSegmentHeaderSize) {
    *why = "unsupported header size " + std::to_string(header->header_size);
    return false;
  }
  if ((header->flags & ~kKnownFeatureFlags) != 0) {
    *why = "unknown feature flags " + std::to_string(header->flags);
    return false;
  }
  if (header->segment_bytes < kSegmentHeaderSize) {
    *why = "segment size smaller than its header";
    return false;
  }
  if (header->first_lsn == 0) {
    *why = "first LSN 0";
    return false;
  }
  return true;
}

void AppendRecord(std::string* dst, uint64_t lsn, std::string_view payload) {
  size_t pos = dst->size();
  dst->resize(pos + kRecordHeaderSize + payload.size());
  char* p = dst->data() + pos;
  EncodeFixed32(p + 4, static_cast<uint32_t>(payload.size()));
  EncodeFixed64(p + 8, lsn);
  if (!payload.empty()) std::memcpy(p + kRecordHeaderSize, payload.data(), payload.size());
  EncodeFixed32(p, Crc32c(p + 4, kRecordHeaderSize - 4 + payload.size()));
}

}  // namespace strata::wal
