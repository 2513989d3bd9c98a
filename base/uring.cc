#include "base/uring.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "base/fd.h"

namespace strata {
namespace {

Status UringError(std::string_view what, int res) {
  return Status::IOError(std::string(what) + ": " + std::strerror(-res));
}

}  // namespace

Result<std::unique_ptr<Ring>> Ring::Create(unsigned entries, unsigned flags) {
  std::unique_ptr<Ring> ring(new Ring());
  int rc = io_uring_queue_init(entries, &ring->ring_, flags);
  if (rc < 0) {
    ring->ring_.ring_fd = -1;
    return UringError("io_uring_queue_init", rc);
  }
  return ring;
}

Ring::~Ring() {
  if (ring_.ring_fd >= 0) io_uring_queue_exit(&ring_);
}

io_uring_sqe* Ring::sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (sqe == nullptr) {  // submission queue full: hand the batch to the kernel
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

Status Ring::WriteAt(int fd, std::string_view data, uint64_t offset, bool sync) {
  constexpr uint64_t kWriteTag = 1, kSyncTag = 2;
  while (!data.empty() || sync) {
    size_t n = std::min(data.size(), kMaxIo);
    // The sync is linked only to the write carrying the last bytes.
    bool link_sync = sync && n == data.size();
    unsigned expected = 0;
    if (n > 0) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      io_uring_prep_write(sqe, fd, data.data(), n, offset);
      io_uring_sqe_set_data64(sqe, kWriteTag);
      if (link_sync) sqe->flags |= IOSQE_IO_LINK;
      ++expected;
    }
    if (link_sync) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
      io_uring_sqe_set_data64(sqe, kSyncTag);
      ++expected;
    }
    int rc;
    do {
      rc = io_uring_submit_and_wait(&ring_, expected);
    } while (rc == -EINTR);
    if (rc < 0) return UringError("io_uring_submit", rc);
    int write_res = 0, sync_res = 0;
    for (unsigned got = 0; got < expected; ++got) {
      io_uring_cqe* cqe = nullptr;
      do {
        rc = io_uring_wait_cqe(&ring_, &cqe);
      } while (rc == -EINTR);
      if (rc < 0) return UringError("io_uring_wait_cqe", rc);
      (io_uring_cqe_get_data64(cqe) == kWriteTag ? write_res : sync_res) = cqe->res;
      io_uring_cqe_seen(&ring_, cqe);
    }
    if (n > 0) {
      if (write_res < 0) return UringError("write", write_res);
      if (write_res == 0) return Status::IOError("write: no progress");
      data.remove_prefix(write_res);
      offset += write_res;
      // A short write cancels the linked sync; the loop writes the rest and syncs again.
      if (static_cast<size_t>(write_res) < n) continue;
    }
    if (link_sync) {
      if (sync_res < 0) return UringError("fdatasync", sync_res);
      sync = false;
    }
  }
  return Status::Ok();
}

Status Ring::Sync(int fd) { return WriteAt(fd, {}, 0, true); }

Status Ring::WriteDirect(int fd, const void* buf, size_t len, uint64_t offset, bool dsync) {
  const char* p = static_cast<const char*>(buf);
  while (len > 0) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_prep_write(sqe, fd, p, static_cast<unsigned>(std::min(len, kMaxIo)), offset);
    if (dsync) sqe->rw_flags = RWF_DSYNC;
    int rc;
    do {
      rc = io_uring_submit_and_wait(&ring_, 1);
    } while (rc == -EINTR);
    if (rc < 0) return UringError("io_uring_submit", rc);
    io_uring_cqe* cqe = nullptr;
    do {
      rc = io_uring_wait_cqe(&ring_, &cqe);
    } while (rc == -EINTR);
    if (rc < 0) return UringError("io_uring_wait_cqe", rc);
    const int res = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
    if (res < 0) return UringError("write", res);
    if (res == 0) return Status::IOError("write: no progress");
    p += res;
    len -= static_cast<size_t>(res);
    offset += static_cast<uint64_t>(res);
  }
  return Status::Ok();
}

}  // namespace strata
