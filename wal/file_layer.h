// The file layer under the WAL: everything the writer and the reader do to files goes through
// FileLayer and LogFile, so that tests can substitute a fault-injecting layer
// (wal/fault_injection.h). The real layer writes with io_uring when given a Ring, else with
// pwrite/fdatasync.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::wal {

// An io_uring instance used by one thread at a time (the WAL writer thread owns one). RAII.
class Ring {
 public:
  // Fails (kIOError) where io_uring cannot be set up: old kernel, seccomp, memlock limits.
  static Result<std::unique_ptr<Ring>> Create(unsigned entries = 8);
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Writes all of data at offset of fd and, when sync, fdatasyncs the file, linked to the write
  // (IOSQE_IO_LINK) in the same submission. Blocks until both complete.
  Status WriteAt(int fd, std::string_view data, uint64_t offset, bool sync);
  Status Sync(int fd);
  // One write of len bytes from buf at offset (all three aligned for O_DIRECT), with RWF_DSYNC
  // when dsync: durable when it completes, no separate fdatasync. Blocks until it completes.
  Status WriteDirect(int fd, const void* buf, size_t len, uint64_t offset, bool dsync);

 private:
  Ring() = default;
  io_uring ring_{};
};

// An open file the WAL writes into. Owned by whoever opened it; closing is the destructor.
// Not thread-safe: one thread uses a LogFile at a time.
class LogFile {
 public:
  virtual ~LogFile() = default;
  // Writes data at offset; when sync, fdatasyncs the file after the write.
  virtual Status Write(uint64_t offset, std::string_view data, bool sync) = 0;
  virtual Status Sync() = 0;
  // Writes `length` zero bytes from offset (in chunks), not synced.
  virtual Status ZeroFill(uint64_t offset, uint64_t length) = 0;
  virtual Result<uint64_t> Size() = 0;
};

// Thread-safe. Paths are plain strings ("dir/name").
class FileLayer {
 public:
  virtual ~FileLayer() = default;
  // The real layer; lives for the whole process and has no state.
  static FileLayer* Default();

  // Opens path for writing; with create, creates or truncates it. When ring is not null the file
  // writes through it; the ring must outlive the file and be used only by the file's thread.
  virtual Result<std::unique_ptr<LogFile>> OpenWritable(const std::string& path, bool create,
                                                        Ring* ring) = 0;
  // Opens an existing segment for appending at `offset` only (each Write continues where the
  // last ended). The real layer writes it with O_DIRECT, whole 4 KiB blocks (the partial last
  // block rewritten with the bytes it already holds), and a write with sync is one RWF_DSYNC
  // write: no page cache, no separate fdatasync, and on io_uring nothing the kernel must hand
  // to a worker thread. Where O_DIRECT is refused or the file's size is not block-aligned, and
  // by default for other layers: OpenWritable(path, false, ring).
  virtual Result<std::unique_ptr<LogFile>> OpenAppend(const std::string& path, uint64_t offset,
                                                      Ring* ring) {
    (void)offset;
    return OpenWritable(path, false, ring);
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

// "<what> <path>: <strerror(err)>" as an IOError.
Status ErrnoStatus(std::string_view what, const std::string& path, int err);

}  // namespace strata::wal
