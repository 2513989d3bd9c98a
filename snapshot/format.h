// The on-disk format of a snapshot file: constants, the metadata a file carries, the header,
// block header, footer and trailer codecs, and the file names. FORMAT.md beside this file
// describes every byte; keep the two in step. Generic: the blocks are opaque bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::snapshot {

inline constexpr uint32_t kFormatVersion = 1;

// Header: 64 bytes at offset 0.
//   0  char[8] magic "STRATSNP"
//   8  u32     format version (kFormatVersion); a reader refuses a higher one
//  12  u32     header size in bytes (kHeaderSize); the first block starts here
//  16  u32     shards (>= 1)
//  20  u32     databases
//  24  u64     created, unix ms
//  32  u64     snapshot id (also in the file name)
//  40  u32     incompatible feature flags: a reader refuses any bit it does not know (none yet)
//  44  u8[16]  reserved, zero
//  60  u32     CRC32C of bytes [0, 60)
inline constexpr char kMagic[8] = {'S', 'T', 'R', 'A', 'T', 'S', 'N', 'P'};
inline constexpr uint32_t kHeaderSize = 64;
inline constexpr uint32_t kHeaderCrcOffset = 60;
inline constexpr uint32_t kKnownFeatureFlags = 0;

// Block: a 24-byte block header, then one zstd frame of frame_len bytes.
//   0  u32  CRC32C of bytes [4, 24 + frame_len) of the block
//   4  u32  block magic kBlockMagic ("SBLK")
//   8  u32  shard
//  12  u32  raw_len: bytes of the decompressed frame (<= kMaxRawBlock)
//  16  u32  frame_len: bytes of the zstd frame that follows
//  20  u32  entries: how many entries the raw bytes hold (opaque to this module)
inline constexpr uint32_t kBlockHeaderSize = 24;
inline constexpr uint32_t kBlockMagic = 0x4b4c4253;  // "SBLK" read as little-endian u32
// Largest raw (uncompressed) block. Also bounds what a reader allocates per block.
inline constexpr uint32_t kMaxRawBlock = 64u << 20;

// Footer: kFooterFixedSize + shards * kShardInfoSize + blocks * kBlockRefSize bytes.
//   0  u32  shards (equal to the header's)
//   4  u64  block count
//  12  per shard (40 bytes): u64 lsn, u64 entries, u64 raw_bytes, u64 stored_bytes, u64 blocks
//  ..  per block, in file order (24 bytes): u32 shard, u64 offset, u32 stored_len,
//      u32 raw_len, u32 entries
inline constexpr uint32_t kFooterFixedSize = 12;
inline constexpr uint32_t kShardInfoSize = 40;
inline constexpr uint32_t kBlockRefSize = 24;

// Trailer: the last 32 bytes of the file.
//   0  u64     footer offset
//   8  u64     footer length
//  16  u32     CRC32C of the footer
//  20  u32     CRC32C of bytes [0, 20) of the trailer
//  24  char[8] end magic "STRATEND"
inline constexpr char kEndMagic[8] = {'S', 'T', 'R', 'A', 'T', 'E', 'N', 'D'};
inline constexpr uint32_t kTrailerSize = 32;

struct ShardInfo {
  uint64_t lsn = 0;           // the WAL LSN this shard's image is as of
  uint64_t entries = 0;       // sum of entries over the shard's blocks
  uint64_t raw_bytes = 0;     // uncompressed bytes
  uint64_t stored_bytes = 0;  // compressed bytes as stored (block headers included)
  uint64_t blocks = 0;
};

// Where one block lies. stored_len counts the whole block as stored: its 24-byte header and its
// zstd frame, so offset + stored_len is where the next block (or the footer) starts.
struct BlockRef {
  uint32_t shard;
  uint64_t offset;
  uint32_t stored_len;
  uint32_t raw_len;
  uint32_t entries;
};

struct FileMeta {
  uint32_t version = kFormatVersion;
  uint32_t shards = 0;
  uint32_t databases = 0;
  uint64_t created_ms = 0;            // unix ms
  uint64_t id = 0;                    // snapshot sequence number (also in the file name)
  std::vector<ShardInfo> shard_info;  // size == shards
  std::vector<BlockRef> blocks;       // in file order
  uint64_t file_bytes = 0;

  uint64_t entries() const;    // over all shards
  uint64_t raw_bytes() const;  // over all shards
};

// The codecs below encode and decode one part each. Decoders check that part's own checksum and
// structure and, on failure, return false and set *why; they never read outside `data`.

// Encodes the 64-byte header from meta's version, shards, databases, created_ms and id.
std::string EncodeHeader(const FileMeta& meta);
// Sets meta's version, shards, databases, created_ms and id. A version above kFormatVersion
// fails with a reason saying the file was written by a newer Strata.
bool DecodeHeader(std::string_view data, FileMeta* meta, std::string* why);

// Fills the kBlockHeaderSize bytes at `block`, which the frame_len bytes of the block's zstd
// frame follow (the CRC covers them).
void EncodeBlockHeader(char* block, uint32_t shard, uint32_t raw_len, uint32_t frame_len,
                       uint32_t entries);
struct BlockHeader {
  uint32_t shard = 0;
  uint32_t raw_len = 0;
  uint32_t frame_len = 0;
  uint32_t entries = 0;
};
// `block` is the whole stored block (header and frame): checks the magic, the CRC and that
// frame_len matches the block's size.
bool DecodeBlock(std::string_view block, BlockHeader* header, std::string* why);

// Encodes meta's shard_info and blocks.
std::string EncodeFooter(const FileMeta& meta);
// Fills meta->shard_info and meta->blocks from a footer whose CRC was already checked, and
// checks them against meta->shards and the file's layout: blocks back to back from kHeaderSize
// to footer_offset in file order, shard ids below shards, sizes within limits, per-shard sums
// equal to the blocks'. On failure *bad_offset is the file offset the reason is about.
bool DecodeFooter(std::string_view footer, uint64_t footer_offset, FileMeta* meta,
                  uint64_t* bad_offset, std::string* why);

struct Trailer {
  uint64_t footer_offset = 0;
  uint64_t footer_len = 0;
  uint32_t footer_crc = 0;
};
std::string EncodeTrailer(const Trailer& trailer);
bool DecodeTrailer(std::string_view data, Trailer* trailer, std::string* why);

// "snapshot-<id, 12 zero-padded decimal digits>.snap" (more digits once an id needs them).
std::string SnapshotFileName(uint64_t id);
// True only for a name SnapshotFileName produces; sets *id. Temporaries (".tmp") are rejected.
bool ParseSnapshotFileName(std::string_view name, uint64_t* id);
inline constexpr std::string_view kTempSuffix = ".tmp";

}  // namespace strata::snapshot
