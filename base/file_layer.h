// The file layer: everything the WAL, the snapshot writer and the offline tools do to write,
// sync, rename and remove files goes through FileLayer and WritableFile, so that tests can
// substitute a fault-injecting layer (base/fault_injection.h) for all of them alike. The real
// layer writes with io_uring when given a Ring (base/uring.h), else with pwrite/fdatasync.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata {

class Ring;

// An open file being written. Owned by whoever opened it; closing is the destructor (or
// Close()). Not thread-safe: one thread uses a WritableFile at a time.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Writes data at offset; when sync, fdatasyncs the file after the write.
  virtual Status Write(uint64_t offset, std::string_view data, bool sync) = 0;
  virtual Status Sync() = 0;
  // Writes `length` zero bytes from offset (in chunks), not synced.
  virtual Status ZeroFill(uint64_t offset, uint64_t length) = 0;
  virtual Result<uint64_t> Size() = 0;
  // Starts write-back of the range without waiting for it and without making it durable (only
  // Sync does): spreads the flushing of a large file over its writing. Default: nothing.
  virtual Status StartWriteBack(uint64_t offset, uint64_t length) {
    (void)offset;
    (void)length;
    return Status::Ok();
  }
  // Closes the file, reporting close(2)'s error; no call but the destructor may follow.
  // Default: nothing (the destructor closes).
  virtual Status Close() { return Status::Ok(); }
};

// Thread-safe. Paths are plain strings ("dir/name").
class FileLayer {
 public:
  virtual ~FileLayer() = default;
  // The real layer; lives for the whole process and has no state.
  static FileLayer* Default();

  // Opens path for writing; with create, creates or truncates it. When ring is not null the file
  // writes through it; the ring must outlive the file and be used only by the file's thread.
  virtual Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, bool create,
                                                             Ring* ring) = 0;
  // Opens an existing segment for appending at `offset` only (each Write continues where the
  // last ended). The real layer writes it with O_DIRECT, whole 4 KiB blocks (the partial last
  // block rewritten with the bytes it already holds), and a write with sync is one RWF_DSYNC
  // write: no page cache, no separate fdatasync, and on io_uring nothing the kernel must hand
  // to a worker thread. Where O_DIRECT is refused or the file's size is not block-aligned, and
  // by default for other layers: OpenWritable(path, false, ring).
  virtual Result<std::unique_ptr<WritableFile>> OpenAppend(const std::string& path, uint64_t offset,
                                                           Ring* ring) {
    (void)offset;
    return OpenWritable(path, false, ring);
  }
  // Opens an existing file of its final size (a zero-filled segment) for writes into a shared
  // memory map of it: a Write within the size is a copy into the page cache, as durable against
  // a process crash as a pwrite and without a system call; Sync is fdatasync, which writes the
  // mapped pages back too. Writes past the size go through pwrite. Default (and where mmap is
  // refused): OpenWritable(path, false, nullptr).
  virtual Result<std::unique_ptr<WritableFile>> OpenMapped(const std::string& path) {
    return OpenWritable(path, false, nullptr);
  }
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Names (not paths) of the entries of dir, "." and ".." excluded.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Creates dir (and missing parents); OK if it exists.
  virtual Status CreateDir(const std::string& dir) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  // fsyncs the directory itself, making creations, renames and removals in it durable.
  virtual Status SyncDir(const std::string& dir) = 0;
};

}  // namespace strata
