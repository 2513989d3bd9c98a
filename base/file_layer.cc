#include "base/file_layer.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "base/fd.h"
#include "base/uring.h"

namespace strata {
namespace {

constexpr size_t kZeroChunk = 1u << 20;  // zero-fill granularity

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(Fd fd, std::string path, Ring* ring)
      : fd_(std::move(fd)), path_(std::move(path)), ring_(ring) {}

  Status Write(uint64_t offset, std::string_view data, bool sync) override {
    if (ring_ != nullptr) {
      Status st = ring_->WriteAt(fd_.get(), data, offset, sync);
      if (!st.ok()) return Status::IOError(path_ + ": " + st.message());
      return st;
    }
    RETURN_IF_ERROR(WriteFull(fd_.get(), data, offset, path_));
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
      RETURN_IF_ERROR(WriteFull(fd_.get(), std::string_view(zeros.data(), n), offset, path_));
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

  Status StartWriteBack(uint64_t offset, uint64_t length) override {
    // Where the call is not supported it is only a lost optimisation; a write-back error also
    // reaches the next Sync.
    if (::sync_file_range(fd_.get(), static_cast<off_t>(offset), static_cast<off_t>(length),
                          SYNC_FILE_RANGE_WRITE) != 0 &&
        errno != ENOSYS && errno != EINVAL && errno != ESPIPE) {
      return ErrnoStatus("sync_file_range", path_, errno);
    }
    return Status::Ok();
  }

  Status Close() override { return fd_.Close(path_); }

 private:
  Fd fd_;
  std::string path_;
  Ring* ring_;  // not owned; may be null
};

// An append-only segment written with O_DIRECT in whole blocks (see FileLayer::OpenAppend).
class DirectAppendFile final : public WritableFile {
 public:
  static constexpr size_t kBlock = 4096;

  DirectAppendFile(Fd fd, std::string path, Ring* ring, uint64_t end, std::string tail)
      : fd_(std::move(fd)),
        path_(std::move(path)),
        ring_(ring),
        end_(end),
        tail_(std::move(tail)) {}
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
      ssize_t w =
          ::pwritev2(fd_.get(), &v, 1, static_cast<off_t>(offset + done), sync ? RWF_DSYNC : 0);
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
  Ring* ring_;           // not owned; may be null
  uint64_t end_;         // where the next append goes
  std::string tail_;     // the bytes of the partial block before end_ (end_ % kBlock of them)
  char* buf_ = nullptr;  // block-aligned staging buffer
  size_t cap_ = 0;
};

// Copies into a shared file mapping, turning the SIGBUS a failed page-in raises (a disk read
// error, the file truncated by someone else) into false rather than the end of the process.
// The handler is installed once; a SIGBUS outside a guarded copy gets the previous action.
// volatile: the stores around the copy must not be elided or moved past it.
thread_local sigjmp_buf* volatile t_guarded_copy = nullptr;
struct sigaction g_previous_sigbus;

void OnSigbus(int sig, siginfo_t* info, void* context) {
  if (t_guarded_copy != nullptr) siglongjmp(*t_guarded_copy, 1);
  if (g_previous_sigbus.sa_flags & SA_SIGINFO) {
    g_previous_sigbus.sa_sigaction(sig, info, context);
    return;
  }
  if (g_previous_sigbus.sa_handler != SIG_DFL && g_previous_sigbus.sa_handler != SIG_IGN) {
    g_previous_sigbus.sa_handler(sig);
    return;
  }
  ::signal(SIGBUS, SIG_DFL);
  ::raise(SIGBUS);
}

void InstallSigbusHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa = {};
    sa.sa_sigaction = OnSigbus;
    // SA_NODEFER: SIGBUS stays unblocked after the jump out of the handler, so the copy needs
    // no sigsetjmp that saves the signal mask (a system call on every write).
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGBUS, &sa, &g_previous_sigbus);
  });
}

bool GuardedCopy(char* dst, const char* src, size_t n) {
  sigjmp_buf jump;
  if (sigsetjmp(jump, 0) != 0) {
    t_guarded_copy = nullptr;
    return false;
  }
  t_guarded_copy = &jump;
  std::memcpy(dst, src, n);
  t_guarded_copy = nullptr;
  return true;
}

// A file written through a shared mapping of its whole (fixed) size; see FileLayer::OpenMapped.
// What falls outside the map goes to the plain file underneath (the page cache is one: the
// two ways of writing see each other's bytes).
class MappedFile final : public WritableFile {
 public:
  // Written pages are unmapped (they stay in the page cache, dirty until written back) every
  // this many bytes, so the process's RSS does not grow by the segment it writes.
  static constexpr uint64_t kUnmapChunk = 1u << 20;

  MappedFile(std::unique_ptr<WritableFile> file, std::string path, char* map, uint64_t size)
      : file_(std::move(file)), path_(std::move(path)), map_(map), size_(size) {}
  ~MappedFile() override { Unmap(); }

  Status Write(uint64_t offset, std::string_view data, bool sync) override {
    if (map_ == nullptr || offset > size_ || data.size() > size_ - offset) {
      return file_->Write(offset, data, sync);
    }
    if (!GuardedCopy(map_ + offset, data.data(), data.size())) {
      return ErrnoStatus("write (mapped)", path_, EIO);
    }
    const uint64_t done = (offset + data.size()) / kUnmapChunk * kUnmapChunk;
    if (done > unmapped_) {
      ::madvise(map_ + unmapped_, done - unmapped_, MADV_DONTNEED);
      unmapped_ = done;
    }
    return sync ? Sync() : Status::Ok();
  }

  Status Sync() override { return file_->Sync(); }  // fdatasync writes mapped pages back too
  Status ZeroFill(uint64_t offset, uint64_t length) override {
    return file_->ZeroFill(offset, length);
  }
  Result<uint64_t> Size() override { return file_->Size(); }
  Status Close() override {
    Unmap();
    return file_->Close();
  }

 private:
  void Unmap() {
    if (map_ != nullptr) ::munmap(map_, size_);
    map_ = nullptr;
  }

  std::unique_ptr<WritableFile> file_;
  std::string path_;
  char* map_;  // size_ bytes, MAP_SHARED; null once closed
  uint64_t size_;
  uint64_t unmapped_ = 0;  // [0, unmapped_) has been given back (MADV_DONTNEED)
};

class PosixFileLayer final : public FileLayer {
 public:
  Result<std::unique_ptr<WritableFile>> OpenMapped(const std::string& path) override {
    Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));  // a shared writable map needs O_RDWR
    if (!fd.valid()) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat", path, errno);
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    void* map = size == 0 ? MAP_FAILED
                          : ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    if (map == MAP_FAILED) return OpenWritable(path, false, nullptr);
    InstallSigbusHandler();
    return std::unique_ptr<WritableFile>(
        new MappedFile(std::make_unique<PosixWritableFile>(std::move(fd), path, nullptr), path,
                       static_cast<char*>(map), size));
  }

  Result<std::unique_ptr<WritableFile>> OpenAppend(const std::string& path, uint64_t offset,
                                                   Ring* ring) override {
    constexpr size_t kBlock = DirectAppendFile::kBlock;
    Fd direct(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_DIRECT));
    struct stat st;
    if (direct.get() < 0 || ::fstat(direct.get(), &st) != 0 ||
        static_cast<uint64_t>(st.st_size) % kBlock != 0 ||
        offset > static_cast<uint64_t>(st.st_size)) {
      return OpenWritable(path, false, ring);  // no O_DIRECT here: page cache and fdatasync
    }
    // The bytes already in the block the next append starts in, rewritten with it.
    std::string tail(offset % kBlock, '\0');
    Fd reader(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!reader.valid()) return ErrnoStatus("open", path, errno);
    size_t got = 0;
    RETURN_IF_ERROR(
        ReadFull(reader.get(), tail.data(), tail.size(), offset - tail.size(), path, &got));
    if (got != tail.size()) return ErrnoStatus("read", path, EIO);
    return std::unique_ptr<WritableFile>(
        new DirectAppendFile(std::move(direct), path, ring, offset, std::move(tail)));
  }

  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, bool create,
                                                     Ring* ring) override {
    int flags = O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0);
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(Fd(fd), path, ring));
  }

  Result<std::string> ReadFile(const std::string& path) override {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat", path, errno);
    std::string out(static_cast<size_t>(st.st_size), '\0');
    size_t done = 0;  // less than the size if the file shrank under us
    RETURN_IF_ERROR(ReadFull(fd.get(), out.data(), out.size(), 0, path, &done));
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

  Status SyncDir(const std::string& dir) override { return strata::SyncDir(dir); }
};

}  // namespace

FileLayer* FileLayer::Default() {
  static PosixFileLayer* layer = new PosixFileLayer();  // stateless, never destroyed
  return layer;
}

}  // namespace strata
