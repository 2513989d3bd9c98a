// The on-disk format of the write-ahead log: constants, the segment header and the file names.
// FORMAT.md beside this file describes every byte; keep the two in step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include <string_view>

namespace strata::wal {

// Segment header: 64 bytes at offset 0 of every segment file.
//   0  char[8] magic "STRATWAL"
//   8  u32     format version (kFormatVersion)
//  12  u32     header size in bytes (kSegmentHeaderSize); records start here
//  16  u64     first LSN of the segment (also in the file name)
//  24  u64     segment size in bytes, header included
//  32  u32     incompatible feature flags: a reader refuses any bit it does not know (none yet)
//  36  u8[24]  reserved, zero
//  60  u32     CRC32C of bytes [0, 60)
inline constexpr char kMagic[8] = {'S', 'T', 'R', 'A', 'T', 'W', 'A', 'L'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr uint32_t kSegmentHeaderSize = 64;
inline constexpr uint32_t kHeaderCrcOffset = 60;
inline constexpr uint32_t kKnownFeatureFlags = 0;

// Record: [u32 crc32c][u32 payload length][u64 lsn][payload], the CRC covering bytes [4, 16 +
// length).
inline constexpr uint32_t kRecordHeaderSize = 16;
// Largest payload Append accepts (the length field could hold 4 GiB - 1; a cap keeps a corrupt
// length from asking the reader for absurd sizes and leaves headroom).
inline constexpr uint64_t kMaxPayload = 1ull << 30;

// Smallest segment the writer creates: the header plus one empty record.
inline constexpr uint64_t kMinSegmentBytes = kSegmentHeaderSize + kRecordHeaderSize;

// Where the next record goes; returned by Replay, passed to Writer::Open.
// One segment of a log and the bytes of records it holds (headers included).
struct SegmentUse {
  uint64_t first_lsn = 0;
  uint64_t bytes = 0;
};

struct LogEnd {
  std::string segment_path;  // the newest segment, or empty for an empty log
  uint64_t segment_first_lsn = 1;
  uint64_t offset = 0;  // byte offset in that segment of the next record
  uint64_t next_lsn = 1;
  // Totals over the whole log, for WriterStats (Replay fills them; 0 for an empty log).
  uint64_t log_bytes = 0;  // bytes of records, headers included
  uint64_t segments = 0;   // segment files
  std::vector<SegmentUse> segment_use;  // each segment, oldest first (for trimming)
};

struct SegmentHeader {
  uint32_t version = kFormatVersion;
  uint32_t header_size = kSegmentHeaderSize;
  uint64_t first_lsn = 1;
  uint64_t segment_bytes = 0;
  uint32_t flags = 0;
};

// "wal-<20-digit zero-padded first LSN>.log".
std::string SegmentFileName(uint64_t first_lsn);
// Parses a segment file name; false for any other name (temporaries end in ".tmp").
bool ParseSegmentFileName(std::string_view name, uint64_t* first_lsn);
inline constexpr std::string_view kTempSuffix = ".tmp";
// The next segment, zero-filled ahead of time by the writer; renamed to a segment name (after its
// header is written) when the log rolls. Replay removes a leftover one.
inline constexpr std::string_view kSpareFileName = "wal-spare.tmp";

// Encodes the 64-byte header (CRC included).
std::string EncodeSegmentHeader(const SegmentHeader& header);
// Decodes and checks a header: magic, CRC, version, header size, flags. On failure returns false
// and sets *why.
bool DecodeSegmentHeader(std::string_view data, SegmentHeader* header, std::string* why);

// Frames one record into dst (appends kRecordHeaderSize + payload.size() bytes).
void AppendRecord(std::string* dst, uint64_t lsn, std::string_view payload);

}  // namespace strata::wal
