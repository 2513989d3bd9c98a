#include "wal/file_layer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace strata::wal {
namespace {

constexpr size_t kMaxIo = 1u << 30;      // largest single write we submit
constexpr size_t kZeroChunk = 1u << 20;  // zero-fill granularity

// RAII file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status PwriteAll(int fd, std::string_view data, uint64_t offset, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), std::min(data.size(), kMaxIo), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path, errno);
    }
    if (n == 0) return Status::IOError("write " + path + ": no progress");
    data.remove_prefix(n);
    offset += n;
  }
  return Status::Ok();
}

class PosixLogFile final : public LogFile {
 public:
  PosixLogFile(Fd fd, std::string path, Ring* ring)
      : fd_(std::move(fd)), path_(std::move(path)), ring_(ring) {}

  Status Write(uint64_t offset, std::string_view data, bool sync) override {
    if (ring_ != nullptr) {
      Status st = ring_->WriteAt(fd_.get(), data, offset, sync);
      if (!st.ok()) return Status::IOError(path_ + ": " + st.message());
      return st;
    }
    RETURN_IF_ERROR(PwriteAll(fd_.get(), data, offset, path_));
    return sync ? Sync() : Status::Ok();
  }

  Status Sync() override {
    if (ring_ != nullptr) {
      Status st = ring_->Sync(fd_.get());
      if (!st.ok()) return Status::IOError(path_ + ": " + st.message());
      return st;
    }
    if (::fdatasync(fd_.get()) != 0) return ErrnoStatus("fdatasync", path_, errno);
    return Status::Ok();
  }

  Status ZeroFill(uint64_t offset, uint64_t length) override {
    const std::string zeros(std::min<uint64_t>(length, kZeroChunk), '\0');
    while (length > 0) {
      size_t n = std::min<uint64_t>(length, zeros.size());
      RETURN_IF_ERROR(PwriteAll(fd_.get(), std::string_view(zeros.data(), n), offset, path_));
      offset += n;
      length -= n;
    }
    return Status::Ok();
  }

  Result<uint64_t> Size() override {
    struct stat st;
    if (::fstat(fd_.get(), &st) != 0) return ErrnoStatus("stat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  Fd fd_;
  std::string path_;
  Ring* ring_;  // not owned; may be null
};

// An append-only segment written with O_DIRECT in whole blocks (see FileLayer::OpenAppend).
class DirectAppendFile final : public LogFile {
 public:
  static constexpr size_t kBlock = 4096;

  DirectAppendFile(Fd fd, std::string path, Ring* ring, uint64_t end, std::string tail)
      : fd_(std::move(fd)), path_(std::move(path)), ring_(ring), end_(end), tail_(std::move(tail)) {}
  ~DirectAppendFile() override { std::free(buf_); }

  Status Write(uint64_t offset, std::string_view data, bool sync) override {
    if (offset != end_) {
      return Status::IOError(path_ + ": append at " + std::to_string(offset) + ", expected " +
                             std::to_string(end_));
    }
    if (data.empty()) return sync ? Sync() : Status::Ok();
    const uint64_t start = end_ - tail_.size();  // block-aligned
    const size_t len = tail_.size() + data.size();
    const size_t padded = (len + kBlock - 1) / kBlock * kBlock;
    RETURN_IF_ERROR(Reserve(padded));
    std::memcpy(buf_, tail_.data(), tail_.size());
    std::memcpy(buf_ + tail_.size(), data.data(), data.size());
    std::memset(buf_ + len, 0, padded - len);
    RETURN_IF_ERROR(WriteBlocks(padded, start, sync));
    end_ += data.size();
    const size_t keep = end_ % kBlock;
    tail_.assign(buf_ + (len - keep), keep);
    return Status::Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_.get()) != 0) return ErrnoStatus("fdatasync", path_, errno);
    return Status::Ok();
  }

  Status ZeroFill(uint64_t, uint64_t) override {
    return Status::IOError(path_ + ": zero-fill on an append-only file");
  }

  Result<uint64_t> Size() override {
    struct stat st;
    if (::fstat(fd_.get(), &st) != 0) return ErrnoStatus("stat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  Status Reserve(size_t n) {
    if (n <= cap_) return Status::Ok();
    std::free(buf_);
    buf_ = nullptr;
    cap_ = 0;
    void* p = nullptr;
    if (posix_memalign(&p, kBlock, n) != 0) return Status::IOError(path_ + ": out of memory");
    buf_ = static_cast<char*>(p);
    cap_ = n;
    return Status::Ok();
  }

  Status WriteBlocks(size_t n, uint64_t offset, bool sync) {
    if (ring_ != nullptr) {
      Status st = ring_->WriteDirect(fd_.get(), buf_, n, offset, sync);
      if (!st.ok()) return Status::IOError(path_ + ": " + st.message());
      return st;
    }
    size_t done = 0;
    while (done < n) {
      iovec v{buf_ + done, n - done};
      ssize_t w = ::pwritev2(fd_.get(), &v, 1, static_cast<off_t>(offset + done),
                             sync ? RWF_DSYNC : 0);
      if (w < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      if (w == 0 || w % kBlock != 0) return Status::IOError("write " + path_ + ": short write");
      done += static_cast<size_t>(w);
    }
    return Status::Ok();
  }

  Fd fd_;
  std::string path_;
  Ring* ring_;        // not owned; may be null
  uint64_t end_;      // where the next append goes
  std::string tail_;  // the bytes of the partial block before end_ (end_ % kBlock of them)
  char* buf_ = nullptr;  // block-aligned staging buffer
  size_t cap_ = 0;
};

class PosixFileLayer final : public FileLayer {
 public:
  Result<std::unique_ptr<LogFile>> OpenAppend(const std::string& path, uint64_t offset,
                                              Ring* ring) override {
    constexpr size_t kBlock = DirectAppendFile::kBlock;
    Fd direct(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_DIRECT));
    struct stat st;
    if (direct.get() < 0 || ::fstat(direct.get(), &st) != 0 ||
        static_cast<uint64_t>(st.st_size) % kBlock != 0 || offset > static_cast<uint64_t>(st.st_size)) {
      return OpenWritable(path, false, ring);  // no O_DIRECT here: page cache and fdatasync
    }
    // The bytes already in the block the next append starts in, rewritten with it.
    std::string tail(offset % kBlock, '\0');
    Fd reader(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (reader.get() < 0) return ErrnoStatus("open", path, errno);
    size_t got = 0;
    while (got < tail.size()) {
      ssize_t n = ::pread(reader.get(), tail.data() + got, tail.size() - got,
                          static_cast<off_t>(offset - tail.size() + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return ErrnoStatus("read", path, n < 0 ? errno : EIO);
      got += static_cast<size_t>(n);
    }
    return std::unique_ptr<LogFile>(
        new DirectAppendFile(std::move(direct), path, ring, offset, std::move(tail)));
  }

  Result<std::unique_ptr<LogFile>> OpenWritable(const std::string& path, bool create,
                                                Ring* ring) override {
    int flags = O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0);
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::unique_ptr<LogFile>(new PosixLogFile(Fd(fd), path, ring));
  }

  Result<std::string> ReadFile(const std::string& path) override {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat", path, errno);
    std::string out(static_cast<size_t>(st.st_size), '\0');
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd.get(), out.data() + done, out.size() - done, done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("read", path, errno);
      }
      if (n == 0) break;  // the file shrank under us
      done += n;
    }
    out.resize(done);
    return out;
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus("opendir", dir, errno);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(d);
    return names;
  }

  Status CreateDir(const std::string& dir) override {
    for (size_t pos = 1; pos <= dir.size(); ++pos) {
      if (pos != dir.size() && dir[pos] != '/') continue;
      std::string prefix = dir.substr(0, pos);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoStatus("mkdir", prefix, errno);
      }
    }
    return Status::Ok();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename", from, errno);
    return Status::Ok();
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return ErrnoStatus("open", dir, errno);
    if (::fsync(fd.get()) != 0) return ErrnoStatus("fsync", dir, errno);
    return Status::Ok();
  }
};

Status UringError(std::string_view what, int res) {
  return Status::IOError(std::string(what) + ": " + std::strerror(-res));
}

}  // namespace

Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  return Status::IOError(std::string(what) + " " + path + ": " + std::strerror(err));
}

FileLayer* FileLayer::Default() {
  static PosixFileLayer* layer = new PosixFileLayer();  // stateless, never destroyed
  return layer;
}

Result<std::unique_ptr<Ring>> Ring::Create(unsigned entries) {
  std::unique_ptr<Ring> ring(new Ring());
  int rc = io_uring_queue_init(entries, &ring->ring_, 0);
  if (rc < 0) {
    ring->ring_.ring_fd = -1;
    return UringError("io_uring_queue_init", rc);
  }
  return ring;
}

Ring::~Ring() {
  if (ring_.ring_fd >= 0) io_uring_queue_exit(&ring_);
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

}  // namespace strata::wal
