#include "wal/reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "base/coding.h"
#include "base/crc32c.h"

namespace strata::wal {
namespace {

enum class Mode { kReplay, kRepair };

struct SegmentFile {
  uint64_t first_lsn;
  std::string path;
};

Status CorruptionAt(const std::string& path, uint64_t offset, const std::string& why,
                    const std::string& dir) {
  return Status::Corruption("WAL corruption in " + path + " at offset " + std::to_string(offset) +
                            ": " + why + "; run `strata-inspect wal repair " + dir + "`");
}

// One past the last non-zero byte of data at or after from; `from` when there is none.
size_t NonZeroEnd(std::string_view data, size_t from) {
  size_t end = data.size();
  while (end > from && data[end - 1] == '\0') --end;
  return end;
}

bool AllZero(std::string_view data, size_t from, size_t to) {
  return NonZeroEnd(data.substr(0, to), from) == from;
}

// Frames in [off, limit) as their length fields delimit them, stopping at all-zero bytes.
uint64_t CountFrames(std::string_view data, size_t off, size_t limit) {
  uint64_t n = 0;
  while (off < limit && !AllZero(data, off, limit)) {
    ++n;
    size_t remaining = limit - off;
    if (remaining < kRecordHeaderSize) break;
    // In 64 bits: a length field near 2^32 wrapped the 32-bit sum to 0 and the loop never
    // advanced (a hang on a damaged tail).
    const uint64_t frame = uint64_t{kRecordHeaderSize} + DecodeFixed32(data.data() + off + 4);
    if (frame > remaining) break;
    off += frame;
  }
  return n;
}

enum class Check { kOk, kEnd, kDamaged, kBadLsn };

Check CheckRecord(std::string_view data, size_t off, size_t limit, uint64_t expected_lsn,
                  uint64_t* frame, std::string* why) {
  const size_t remaining = limit - off;
  const char* p = data.data() + off;
  if (remaining < kRecordHeaderSize || AllZero(data, off, off + kRecordHeaderSize)) {
    if (AllZero(data, off, limit)) return Check::kEnd;
    *why = remaining < kRecordHeaderSize ? "record header cut short"
                                         : "zeroed record header followed by data";
    return Check::kDamaged;
  }
  const uint64_t length = DecodeFixed32(p + 4);
  if (length > kMaxPayload || kRecordHeaderSize + length > remaining) {
    *why = "record of " + std::to_string(length) + " bytes cut short by the end of the segment";
    return Check::kDamaged;
  }
  if (DecodeFixed32(p) != Crc32c(p + 4, kRecordHeaderSize - 4 + length)) {
    *why = "record checksum mismatch";
    return Check::kDamaged;
  }
  const uint64_t lsn = DecodeFixed64(p + 8);
  if (lsn != expected_lsn) {
    *why = "LSN " + std::to_string(lsn) + " where " + std::to_string(expected_lsn) + " expected";
    return Check::kBadLsn;
  }
  *frame = kRecordHeaderSize + length;
  return Check::kOk;
}

Status ZeroAndSync(FileLayer* files, const std::string& path, uint64_t from, uint64_t to) {
  if (to <= from) return Status::Ok();
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, files->OpenWritable(path, false, nullptr));
  RETURN_IF_ERROR(file->ZeroFill(from, to - from));
  return file->Sync();
}

Result<std::vector<SegmentFile>> ListSegments(FileLayer* files, const std::string& dir,
                                              bool remove_temporaries) {
  std::vector<SegmentFile> segments;
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 && errno == ENOENT) return segments;
  ASSIGN_OR_RETURN(std::vector<std::string> names, files->ListDir(dir));
  for (const std::string& name : names) {
    uint64_t lsn;
    if (ParseSegmentFileName(name, &lsn)) {
      segments.push_back({lsn, dir + "/" + name});
    } else if (remove_temporaries && name == kSpareFileName) {
      RETURN_IF_ERROR(files->Remove(dir + "/" + name));
    } else if (remove_temporaries && name.size() > kTempSuffix.size() &&
               ParseSegmentFileName(name.substr(0, name.size() - kTempSuffix.size()), &lsn) &&
               name.ends_with(kTempSuffix)) {
      RETURN_IF_ERROR(files->Remove(dir + "/" + name));
    }
  }
  std::sort(segments.begin(), segments.end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.first_lsn < b.first_lsn; });
  return segments;
}

Result<ReplayResult> Scan(const std::string& dir, FileLayer* files, Mode mode, bool truncate,
                          uint64_t from_lsn,
                          const std::function<Status(uint64_t, std::string_view)>& fn) {
  if (files == nullptr) files = FileLayer::Default();
  const bool modify = mode == Mode::kRepair || truncate;
  ASSIGN_OR_RETURN(std::vector<SegmentFile> segments, ListSegments(files, dir, modify));
  ReplayResult r;
  uint64_t expected = segments.empty() ? 1 : segments[0].first_lsn;
  r.end.next_lsn = r.end.segment_first_lsn = expected;

  // Repair: drops segments [first, end) whole.
  auto drop_segments = [&](size_t first) -> Status {
    for (size_t j = first; j < segments.size(); ++j) {
      auto data = files->ReadFile(segments[j].path);
      if (data.ok()) {
        r.dropped_records += CountFrames(*data, kSegmentHeaderSize, data->size());
        const size_t start = std::min<size_t>(data->size(), kSegmentHeaderSize);
        r.dropped_bytes += NonZeroEnd(*data, start) - start;
      }
      RETURN_IF_ERROR(files->Remove(segments[j].path));
    }
    return files->SyncDir(dir);
  };

  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& path = segments[i].path;
    const bool newest = i + 1 == segments.size();
    ASSIGN_OR_RETURN(std::string data, files->ReadFile(path));
    SegmentHeader header;
    std::string why;
    bool header_ok = DecodeSegmentHeader(data, &header, &why);
    if (header_ok && header.first_lsn != segments[i].first_lsn) {
      header_ok = false;
      why = "header names first LSN " + std::to_string(header.first_lsn);
    } else if (header_ok && header.first_lsn != expected) {
      header_ok = false;
      why = "segment starts at LSN " + std::to_string(header.first_lsn) + " where " +
            std::to_string(expected) + " expected (LSN gap or repeat)";
    }
    if (!header_ok) {
      if (mode == Mode::kReplay) return CorruptionAt(path, 0, why, dir);
      r.dropped_file = path;
      r.dropped_offset = 0;
      RETURN_IF_ERROR(drop_segments(i));
      break;
    }
    ++r.segments;
    const uint64_t bytes_before = r.bytes;
    const size_t limit = std::min<uint64_t>(data.size(), header.segment_bytes);
    size_t off = kSegmentHeaderSize;
    Check check = Check::kEnd;
    while (off < limit) {
      uint64_t frame = 0;
      check = CheckRecord(data, off, limit, expected, &frame, &why);
      if (check != Check::kOk) break;
      if (expected >= from_lsn) {
        RETURN_IF_ERROR(fn(expected, std::string_view(data).substr(off + kRecordHeaderSize,
                                                                   frame - kRecordHeaderSize)));
      }
      ++expected;
      ++r.records;
      r.bytes += frame;
      off += frame;
      check = Check::kEnd;
    }
    r.end.segment_use.push_back({header.first_lsn, r.bytes - bytes_before});
    r.end.segment_path = path;
    r.end.segment_first_lsn = header.first_lsn;
    r.end.offset = off;
    r.end.next_lsn = expected;
    if (check == Check::kEnd) {
      if (limit < data.size() && !AllZero(data, limit, data.size())) {
        check = Check::kDamaged;
        why = "data past the segment's declared size";
      } else {
        continue;
      }
    }
    // Damage at `off`.
    if (mode == Mode::kReplay && (!newest || check == Check::kBadLsn)) {
      return CorruptionAt(path, off, why, dir);
    }
    r.dropped_file = path;
    r.dropped_offset = off;
    r.dropped_records = CountFrames(data, off, limit);
    const size_t nonzero_end = NonZeroEnd(data, off);
    r.dropped_bytes = nonzero_end - off;
    if (modify) RETURN_IF_ERROR(ZeroAndSync(files, path, off, nonzero_end));
    if (mode == Mode::kRepair) RETURN_IF_ERROR(drop_segments(i + 1));
    break;
  }
  r.end.log_bytes = r.bytes;
  r.end.segments = r.segments;
  return r;
}

}  // namespace

Result<ReplayResult> Replay(
    const ReplayOptions& options,
    const std::function<Status(uint64_t lsn, std::string_view payload)>& fn) {
  return Scan(options.dir, options.files, Mode::kReplay, options.truncate_torn_tail,
              options.from_lsn, fn);
}

Result<ReplayResult> Repair(const std::string& dir, FileLayer* files) {
  return Scan(dir, files, Mode::kRepair, true, UINT64_MAX,
              [](uint64_t, std::string_view) { return Status::Ok(); });
}

}  // namespace strata::wal
