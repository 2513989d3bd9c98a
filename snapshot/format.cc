#include "snapshot/format.h"

#include <zstd.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "base/coding.h"
#include "base/crc32c.h"

namespace strata::snapshot {

uint64_t FileMeta::entries() const {
  uint64_t n = 0;
  for (const ShardInfo& s : shard_info) n += s.entries;
  return n;
}

uint64_t FileMeta::raw_bytes() const {
  uint64_t n = 0;
  for (const ShardInfo& s : shard_info) n += s.raw_bytes;
  return n;
}

std::string EncodeHeader(const FileMeta& meta) {
  std::string out(kHeaderSize, '\0');
  char* p = out.data();
  std::memcpy(p, kMagic, sizeof(kMagic));
  EncodeFixed32(p + 8, meta.version);
  EncodeFixed32(p + 12, kHeaderSize);
  EncodeFixed32(p + 16, meta.shards);
  EncodeFixed32(p + 20, meta.databases);
  EncodeFixed64(p + 24, meta.created_ms);
  EncodeFixed64(p + 32, meta.id);
  EncodeFixed32(p + 40, 0);  // feature flags
  EncodeFixed32(p + kHeaderCrcOffset, Crc32c(p, kHeaderCrcOffset));
  return out;
}

bool DecodeHeader(std::string_view data, FileMeta* meta, std::string* why) {
  if (data.size() < kHeaderSize) {
    *why = "file shorter than the snapshot header";
    return false;
  }
  const char* p = data.data();
  if (std::memcmp(p, kMagic, sizeof(kMagic)) != 0) {
    *why = "bad magic: not a Strata snapshot";
    return false;
  }
  // The version is read before the CRC: a later version may lay the header out differently, and
  // its files should be reported as such, not as damaged.
  const uint32_t version = DecodeFixed32(p + 8);
  if (version > kFormatVersion) {
    *why = "format version " + std::to_string(version) +
           ": written by a newer Strata (this build reads up to version " +
           std::to_string(kFormatVersion) + ")";
    return false;
  }
  if (DecodeFixed32(p + kHeaderCrcOffset) != Crc32c(p, kHeaderCrcOffset)) {
    *why = "header checksum mismatch";
    return false;
  }
  if (version == 0) {
    *why = "format version 0";
    return false;
  }
  if (DecodeFixed32(p + 12) != kHeaderSize) {
    *why = "unsupported header size " + std::to_string(DecodeFixed32(p + 12));
    return false;
  }
  const uint32_t flags = DecodeFixed32(p + 40);
  if ((flags & ~kKnownFeatureFlags) != 0) {
    *why = "unknown feature flags " + std::to_string(flags);
    return false;
  }
  meta->version = version;
  meta->shards = DecodeFixed32(p + 16);
  meta->databases = DecodeFixed32(p + 20);
  meta->created_ms = DecodeFixed64(p + 24);
  meta->id = DecodeFixed64(p + 32);
  if (meta->shards == 0) {
    *why = "shard count 0";
    return false;
  }
  return true;
}

void EncodeBlockHeader(char* block, uint32_t shard, uint32_t raw_len, uint32_t frame_len,
                       uint32_t entries) {
  EncodeFixed32(block + 4, kBlockMagic);
  EncodeFixed32(block + 8, shard);
  EncodeFixed32(block + 12, raw_len);
  EncodeFixed32(block + 16, frame_len);
  EncodeFixed32(block + 20, entries);
  EncodeFixed32(block, Crc32c(block + 4, kBlockHeaderSize - 4 + size_t{frame_len}));
}

bool DecodeBlock(std::string_view block, BlockHeader* header, std::string* why) {
  if (block.size() < kBlockHeaderSize) {
    *why = "block shorter than its header";
    return false;
  }
  const char* p = block.data();
  if (DecodeFixed32(p + 4) != kBlockMagic) {
    *why = "bad block magic";
    return false;
  }
  if (DecodeFixed32(p) != Crc32c(p + 4, block.size() - 4)) {
    *why = "block checksum mismatch";
    return false;
  }
  header->shard = DecodeFixed32(p + 8);
  header->raw_len = DecodeFixed32(p + 12);
  header->frame_len = DecodeFixed32(p + 16);
  header->entries = DecodeFixed32(p + 20);
  if (header->frame_len != block.size() - kBlockHeaderSize) {
    *why = "block frame length " + std::to_string(header->frame_len) + " does not match its size";
    return false;
  }
  return true;
}

std::string EncodeFooter(const FileMeta& meta) {
  std::string out;
  out.reserve(kFooterFixedSize + meta.shard_info.size() * kShardInfoSize +
              meta.blocks.size() * kBlockRefSize);
  PutFixed32(&out, static_cast<uint32_t>(meta.shard_info.size()));
  PutFixed64(&out, meta.blocks.size());
  for (const ShardInfo& s : meta.shard_info) {
    PutFixed64(&out, s.lsn);
    PutFixed64(&out, s.entries);
    PutFixed64(&out, s.raw_bytes);
    PutFixed64(&out, s.stored_bytes);
    PutFixed64(&out, s.blocks);
  }
  for (const BlockRef& b : meta.blocks) {
    PutFixed32(&out, b.shard);
    PutFixed64(&out, b.offset);
    PutFixed32(&out, b.stored_len);
    PutFixed32(&out, b.raw_len);
    PutFixed32(&out, b.entries);
  }
  return out;
}

bool DecodeFooter(std::string_view footer, uint64_t footer_offset, FileMeta* meta,
                  uint64_t* bad_offset, std::string* why) {
  *bad_offset = footer_offset;
  if (footer_offset < kHeaderSize) {
    *why = "footer offset inside the header";
    return false;
  }
  if (footer.size() < kFooterFixedSize) {
    *why = "footer shorter than " + std::to_string(kFooterFixedSize) + " bytes";
    return false;
  }
  const char* p = footer.data();
  const uint32_t shards = DecodeFixed32(p);
  const uint64_t blocks = DecodeFixed64(p + 4);
  if (shards != meta->shards) {
    *why = "footer lists " + std::to_string(shards) + " shards, header " +
           std::to_string(meta->shards);
    return false;
  }
  // Sizes are checked against the footer's length before anything is allocated for them.
  const uint64_t rest = footer.size() - kFooterFixedSize;
  if (rest / kShardInfoSize < shards ||
      (rest - uint64_t{shards} * kShardInfoSize) / kBlockRefSize < blocks ||
      rest != uint64_t{shards} * kShardInfoSize + blocks * kBlockRefSize) {
    *why = "footer length " + std::to_string(footer.size()) + " does not fit " +
           std::to_string(shards) + " shards and " + std::to_string(blocks) + " blocks";
    return false;
  }
  p += kFooterFixedSize;
  meta->shard_info.assign(shards, ShardInfo{});
  for (ShardInfo& s : meta->shard_info) {
    s.lsn = DecodeFixed64(p);
    s.entries = DecodeFixed64(p + 8);
    s.raw_bytes = DecodeFixed64(p + 16);
    s.stored_bytes = DecodeFixed64(p + 24);
    s.blocks = DecodeFixed64(p + 32);
    p += kShardInfoSize;
  }
  std::vector<ShardInfo> sums(shards);
  meta->blocks.clear();
  meta->blocks.reserve(blocks);
  uint64_t expected_offset = kHeaderSize;
  for (uint64_t i = 0; i < blocks; ++i, p += kBlockRefSize) {
    BlockRef b;
    b.shard = DecodeFixed32(p);
    b.offset = DecodeFixed64(p + 4);
    b.stored_len = DecodeFixed32(p + 12);
    b.raw_len = DecodeFixed32(p + 16);
    b.entries = DecodeFixed32(p + 20);
    const std::string block = "block " + std::to_string(i) + " ";
    if (b.offset != expected_offset) {
      *bad_offset = expected_offset;
      *why = block + "listed at offset " + std::to_string(b.offset) + ", expected " +
             std::to_string(expected_offset) + " (blocks lie back to back in index order)";
      return false;
    }
    *bad_offset = b.offset;
    if (b.shard >= shards) {
      *why = block + "of shard " + std::to_string(b.shard) + " of " + std::to_string(shards);
      return false;
    }
    if (b.raw_len > kMaxRawBlock) {
      *why = block + "raw length " + std::to_string(b.raw_len) + " above the limit " +
             std::to_string(kMaxRawBlock);
      return false;
    }
    if (b.stored_len <= kBlockHeaderSize ||
        b.stored_len - kBlockHeaderSize > ZSTD_compressBound(b.raw_len)) {
      *why = block + "stored length " + std::to_string(b.stored_len) +
             " impossible for raw length " + std::to_string(b.raw_len);
      return false;
    }
    if (b.stored_len > footer_offset - b.offset) {
      *why = block + "of " + std::to_string(b.stored_len) + " bytes runs into the footer at " +
             std::to_string(footer_offset);
      return false;
    }
    expected_offset = b.offset + b.stored_len;
    ShardInfo& sum = sums[b.shard];
    sum.entries += b.entries;
    sum.raw_bytes += b.raw_len;
    sum.stored_bytes += b.stored_len;
    sum.blocks += 1;
    meta->blocks.push_back(b);
  }
  if (expected_offset != footer_offset) {
    *bad_offset = expected_offset;
    *why = "blocks end at offset " + std::to_string(expected_offset) + " but the footer is at " +
           std::to_string(footer_offset);
    return false;
  }
  for (uint32_t s = 0; s < shards; ++s) {
    const ShardInfo& got = meta->shard_info[s];
    const ShardInfo& sum = sums[s];
    if (got.entries != sum.entries || got.raw_bytes != sum.raw_bytes ||
        got.stored_bytes != sum.stored_bytes || got.blocks != sum.blocks) {
      *bad_offset = footer_offset + kFooterFixedSize + uint64_t{s} * kShardInfoSize;
      *why = "shard " + std::to_string(s) + " totals (entries " + std::to_string(got.entries) +
             ", raw " + std::to_string(got.raw_bytes) + ", stored " +
             std::to_string(got.stored_bytes) + ", blocks " + std::to_string(got.blocks) +
             ") differ from its blocks' (" + std::to_string(sum.entries) + ", " +
             std::to_string(sum.raw_bytes) + ", " + std::to_string(sum.stored_bytes) + ", " +
             std::to_string(sum.blocks) + ")";
      return false;
    }
  }
  return true;
}

std::string EncodeTrailer(const Trailer& trailer) {
  std::string out(kTrailerSize, '\0');
  char* p = out.data();
  EncodeFixed64(p, trailer.footer_offset);
  EncodeFixed64(p + 8, trailer.footer_len);
  EncodeFixed32(p + 16, trailer.footer_crc);
  EncodeFixed32(p + 20, Crc32c(p, 20));
  std::memcpy(p + 24, kEndMagic, sizeof(kEndMagic));
  return out;
}

bool DecodeTrailer(std::string_view data, Trailer* trailer, std::string* why) {
  if (data.size() != kTrailerSize) {
    *why = "trailer is not " + std::to_string(kTrailerSize) + " bytes";
    return false;
  }
  const char* p = data.data();
  if (std::memcmp(p + 24, kEndMagic, sizeof(kEndMagic)) != 0) {
    *why = "no end magic: the file is cut short or was not finished";
    return false;
  }
  if (DecodeFixed32(p + 20) != Crc32c(p, 20)) {
    *why = "trailer checksum mismatch";
    return false;
  }
  trailer->footer_offset = DecodeFixed64(p);
  trailer->footer_len = DecodeFixed64(p + 8);
  trailer->footer_crc = DecodeFixed32(p + 16);
  return true;
}

std::string SnapshotFileName(uint64_t id) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "snapshot-%012" PRIu64 ".snap", id);
  return buf;
}

bool ParseSnapshotFileName(std::string_view name, uint64_t* id) {
  constexpr std::string_view kPrefix = "snapshot-", kSuffix = ".snap";
  if (name.size() < kPrefix.size() + 12 + kSuffix.size() ||
      name.size() > kPrefix.size() + 20 + kSuffix.size()) {
    return false;
  }
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return false;
  uint64_t v = 0;
  for (char c : name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size())) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  // Only the canonical spelling: no extra leading zeros past 12 digits.
  if (SnapshotFileName(v) != name) return false;
  *id = v;
  return true;
}

}  // namespace strata::snapshot
