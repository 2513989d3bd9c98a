// Ring: the one RAII io_uring wrapper. The WAL writer thread owns one for its file writes (the
// blocking helpers below); a server event loop owns one and queues its own operations through
// sqe() and raw().
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/status.h"

namespace strata {

// Not thread-safe: one thread uses a Ring at a time.
class Ring {
 public:
  // Fails (kIOError, "io_uring_queue_init: <reason>") where io_uring cannot be set up: old
  // kernel, seccomp, memlock limits, or setup `flags` (IORING_SETUP_*) this kernel lacks.
  static Result<std::unique_ptr<Ring>> Create(unsigned entries = 8, unsigned flags = 0);
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // The ring itself, for callers that drive their own submissions and completions. Valid for
  // the Ring's lifetime.
  io_uring* raw() { return &ring_; }
  // A free submission entry; when the submission queue is full, the queued entries are handed
  // to the kernel first.
  io_uring_sqe* sqe();

  // Writes all of data at offset of fd and, when sync, fdatasyncs the file, linked to the write
  // (IOSQE_IO_LINK) in the same submission. Blocks until both complete. REQUIRES: nothing else
  // is queued on the ring.
  Status WriteAt(int fd, std::string_view data, uint64_t offset, bool sync);
  Status Sync(int fd);
  // One write of len bytes from buf at offset (all three aligned for O_DIRECT), with RWF_DSYNC
  // when dsync: durable when it completes, no separate fdatasync. Blocks until it completes.
  Status WriteDirect(int fd, const void* buf, size_t len, uint64_t offset, bool dsync);

 private:
  Ring() = default;
  io_uring ring_{};
};

}  // namespace strata
