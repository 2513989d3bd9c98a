// File descriptors and the system calls on them that every file user repeats: an RAII Fd, errno
// as a Status, whole reads and writes that retry EINTR and short transfers, and directory fsync.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace strata {

// Owns one file descriptor (or none: -1) and closes it on destruction. Move-only.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now, reporting close(2)'s error as "close <path>: ..."; the Fd is empty afterwards.
  Status Close(const std::string& path);

 private:
  int fd_;
};

// "<what> <path>: <strerror(err)>" as an IOError.
Status ErrnoStatus(std::string_view what, const std::string& path, int err);
// The strerror text of an ErrnoStatus (what follows its last ": "); the whole message of a
// status of another shape. Valid while st is.
std::string_view ErrnoReason(const Status& st);

// Largest single read or write handed to the kernel.
inline constexpr size_t kMaxIo = size_t{1} << 30;

// Reads up to n bytes at offset into buf; *got < n only at the end of the file.
Status ReadFull(int fd, char* buf, size_t n, uint64_t offset, const std::string& path, size_t* got);
// Writes all of data at offset ("write <path>: ..." on failure).
Status WriteFull(int fd, std::string_view data, uint64_t offset, const std::string& path);
// fsyncs the directory itself, making creations, renames and removals in it durable.
Status SyncDir(const std::string& dir);

}  // namespace strata
