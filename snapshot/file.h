// Writing and reading snapshot files (format.h, FORMAT.md), and the snapshot directory helpers.
//
// A snapshot file holds, per shard, blocks of opaque bytes ("raw" batches the engine produces),
// each block one zstd frame with a CRC32C, and a footer with each shard's LSN and the block
// index. This module knows nothing of keys or entries beyond a count per block.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "base/file_layer.h"
#include "base/status.h"
#include "snapshot/format.h"

struct ZSTD_CCtx_s;  // zstd.h's ZSTD_CCtx

namespace strata::snapshot {

// Writes <final_path>.tmp; Finish() makes it <final_path> durably. Not thread-safe: one thread
// uses a writer at a time. The directory of final_path must exist. Every write, sync, rename and
// removal goes through a FileLayer (base/file_layer.h), so that a power cut can be simulated.
class FileWriter {
 public:
  // Creates (or truncates) <final_path>.tmp and buffers its header. shards >= 1; zstd_level
  // within zstd's range (negative levels are the fast ones). files: null = FileLayer::Default();
  // borrowed, must outlive the writer.
  static Result<std::unique_ptr<FileWriter>> Create(const std::string& final_path, uint32_t shards,
                                                    uint32_t databases, uint64_t id,
                                                    uint64_t created_ms, int zstd_level = 1,
                                                    FileLayer* files = nullptr);
  // If not finished: closes and deletes the temporary file.
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // Compresses `raw` as one zstd frame and appends one block for `shard` (entries: how many
  // entries the raw bytes hold, for the footer). Blocks of different shards may come in any
  // order. REQUIRES raw.size() <= kMaxRawBlock (else InvalidArgument, the writer stays usable).
  // After an I/O error every later call returns that error.
  Status AddBlock(uint32_t shard, std::string_view raw, uint32_t entries);
  // Writes the footer with each shard's LSN (size == shards), fdatasyncs, renames to
  // final_path, fsyncs the directory. Once only; no AddBlock after it.
  Status Finish(const std::vector<uint64_t>& shard_lsns);

  // Bytes appended to the file so far, the buffered ones included (after Finish: file size).
  uint64_t bytes_written() const { return offset_; }
  // The file as written so far: shard totals and block index grow with AddBlock; the LSNs and
  // file_bytes are set by Finish.
  const FileMeta& meta() const { return meta_; }

 private:
  struct CCtxFree {
    void operator()(ZSTD_CCtx_s* cctx) const;
  };

  FileWriter(std::string final_path, FileLayer* files, std::unique_ptr<WritableFile> file);

  // Appends to the write buffer, writing it out when full; large pieces are written directly.
  Status Append(std::string_view data);
  Status FlushBuffer();
  Status WriteFile(std::string_view data);
  Status Fail(Status st);

  const std::string final_path_;
  const std::string tmp_path_;
  FileLayer* const files_;
  std::unique_ptr<WritableFile> file_;           // null once closed
  std::unique_ptr<ZSTD_CCtx_s, CCtxFree> cctx_;  // reused for every block
  FileMeta meta_;
  std::string buffer_;             // bytes appended but not yet written
  std::unique_ptr<char[]> block_;  // the block being built: header then frame (reused)
  size_t block_cap_ = 0;
  uint64_t offset_ = 0;        // bytes appended (written + buffered)
  uint64_t file_offset_ = 0;   // bytes written to file_
  uint64_t range_synced_ = 0;  // bytes handed to StartWriteBack so far
  bool finished_ = false;      // Finish succeeded, or the file was renamed
  Status error_;               // first I/O error; sticky
};

// Reads a finished snapshot file. Thread-safe after Open: the metadata is immutable and every
// read uses pread with its own buffers and zstd context.
class FileReader {
 public:
  // Opens and validates the header, the trailer and the footer (checksums, structure: block
  // offsets inside the file, back to back in order, shard ids < shards, per-shard sums
  // consistent). Does not read the blocks. Errors are Corruption naming the path, the byte
  // offset and the reason ("written by a newer Strata" for a higher format version), or
  // IOError.
  static Result<std::unique_ptr<FileReader>> Open(const std::string& path);
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  const FileMeta& meta() const { return meta_; }
  const std::string& path() const { return path_; }

  // Reads the blocks of `shard` in file order, verifying each block's checksum and
  // decompressing into a buffer reused across blocks, and calls fn(raw, entries) for each
  // (`raw` is valid only during the call); stops at fn's error and returns it. Safe to call
  // concurrently from several threads, for different or the same shards.
  Status ReadShard(uint32_t shard,
                   const std::function<Status(std::string_view raw, uint32_t entries)>& fn) const;
  // Checks every block (checksum, header against the index, decompression, raw length) in file
  // order; calls progress for each checked block if given. Memory: one block at a time.
  Status Verify(const std::function<void(const BlockRef&)>& progress = nullptr) const;
  // Reads every block in file order (the shards interleaved as stored), checking each as
  // ReadShard does, and calls fn(ref, status, raw) for each: status is the block's check
  // result, raw its bytes when status is OK (empty otherwise; valid only during the call). fn
  // returns OK to go on, past a bad block too, or an error, which stops the walk and is
  // returned. For offline tools that report every damaged block. Memory: one block at a time.
  Status ScanBlocks(const std::function<Status(const BlockRef& ref, const Status& status,
                                               std::string_view raw)>& fn) const;

 private:
  struct Scratch;  // one call's zstd context and buffers

  FileReader(std::string path, Fd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  // Reads and checks one block; *raw points into scratch until the next call.
  Status ReadBlock(const BlockRef& ref, Scratch* scratch, std::string_view* raw) const;
  Status CorruptionAt(uint64_t offset, const std::string& why) const;

  const std::string path_;
  const Fd fd_;
  FileMeta meta_;
  std::vector<std::vector<uint32_t>> shard_blocks_;  // per shard: indexes into meta_.blocks
};

}  // namespace strata::snapshot
