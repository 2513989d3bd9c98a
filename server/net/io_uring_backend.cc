// The io_uring IoBackend: every operation is one SQE; Wait() submits the queued SQEs and reaps
// completions with a single io_uring_enter per loop turn. Wake() writes an eventfd that has a
// read always posted.
//
// The ring is set up with IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN (Linux 6.1 and
// later; older kernels get a plain ring): the kernel finishes a completed receive or send when
// the worker asks for completions, in its io_uring_enter, instead of interrupting the worker
// the moment a packet lands. Without it, that task work ran while the softirq on the other CPU
// still held the socket, and the worker spun in lock_sock (about 10% of its time, perf shows).
// A single-issuer ring belongs to the thread that submits to it first, so it is created
// disabled here and enabled by its worker in OnLoopThread().
#include <liburing.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "base/logging.h"
#include "base/uring.h"
#include "server/net/io_backend.h"

namespace strata::server {
namespace {

constexpr uint64_t kWakeTag = ~0ULL;

class UringBackend final : public IoBackend {
 public:
  ~UringBackend() override {
    ring_.reset();
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

  bool Init(unsigned entries, std::string* why) {
    Result<std::unique_ptr<Ring>> ring = Ring::Create(
        entries, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED);
    disabled_ = ring.ok();
    if (!ring.ok()) ring = Ring::Create(entries);
    if (!ring.ok()) {
      *why = ring.status().message();
      return false;
    }
    ring_ = std::move(*ring);
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) {
      *why = std::string("eventfd: ") + strerror(errno);
      return false;
    }
    PostWakeRead();
    return true;
  }

  void OnLoopThread() override {
    if (!disabled_) return;
    disabled_ = false;
    // liburing 2.3 declares io_uring_enable_rings but does not export it.
    if (syscall(__NR_io_uring_register, ring_->raw()->ring_fd, IORING_REGISTER_ENABLE_RINGS,
                nullptr, 0) < 0) {
      LOG_WARN("io_uring_register(ENABLE_RINGS): %s", strerror(errno));
    }
  }

  void Accept(int listen_fd, uint64_t tag) override {
    io_uring_sqe* sqe = GetSqe();
    io_uring_prep_accept(sqe, listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    io_uring_sqe_set_data64(sqe, tag);
  }

  void Recv(int fd, char* buf, size_t len, uint64_t tag) override {
    io_uring_sqe* sqe = GetSqe();
    io_uring_prep_recv(sqe, fd, buf, len, 0);
    io_uring_sqe_set_data64(sqe, tag);
  }

  void Send(int fd, const char* buf, size_t len, uint64_t tag) override {
    io_uring_sqe* sqe = GetSqe();
    io_uring_prep_send(sqe, fd, buf, len, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, tag);
  }

  void Forget(int) override {}

  int Wait(int timeout_ms, Completion* out, int max) override {
    io_uring_cqe* cqe = nullptr;
    int n = Reap(out, max);
    if (n == 0) {
      __kernel_timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000LL};
      int rc = io_uring_submit_and_wait_timeout(ring_->raw(), &cqe, 1, &ts, nullptr);
      if (rc < 0 && rc != -ETIME && rc != -EINTR) return 0;
      n = Reap(out, max);
    } else {
      io_uring_submit(ring_->raw());
    }
    return n;
  }

  void Wake() override {
    uint64_t one = 1;
    ssize_t w = ::write(wake_fd_, &one, sizeof(one));
    (void)w;
  }

  const char* name() const override { return "io_uring"; }

 private:
  io_uring_sqe* GetSqe() { return ring_->sqe(); }

  void PostWakeRead() {
    io_uring_sqe* sqe = GetSqe();
    io_uring_prep_read(sqe, wake_fd_, &wake_buf_, sizeof(wake_buf_), 0);
    io_uring_sqe_set_data64(sqe, kWakeTag);
  }

  int Reap(Completion* out, int max) {
    int n = 0;
    io_uring_cqe* cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(ring_->raw(), head, cqe) {
      if (n == max) break;
      ++seen;
      uint64_t tag = io_uring_cqe_get_data64(cqe);
      if (tag == kWakeTag) {
        PostWakeRead();
        continue;
      }
      out[n++] = Completion{tag, cqe->res};
    }
    io_uring_cq_advance(ring_->raw(), seen);
    return n;
  }

  std::unique_ptr<Ring> ring_;
  int wake_fd_ = -1;
  uint64_t wake_buf_ = 0;
  bool disabled_ = false;  // created disabled, for OnLoopThread() to enable
};

}  // namespace

std::unique_ptr<IoBackend> NewUringBackend(unsigned entries, std::string* why) {
  auto b = std::make_unique<UringBackend>();
  if (!b->Init(entries, why)) return nullptr;
  return b;
}

}  // namespace strata::server
