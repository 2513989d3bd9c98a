// The epoll IoBackend: emulates completions with readiness. A new operation is tried at once
// (non-blocking); if the socket is not ready it waits for the edge-triggered event that makes it
// ready. Since every newly submitted operation is tried first, a buffer that was filled
// completely (so no new edge will come) is still read.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_map>
#include <vector>

#include "server/net/io_backend.h"

namespace strata::server {
namespace {

enum class OpKind : uint8_t { kAccept, kRecv, kSend };

struct Op {
  OpKind kind;
  int fd;
  char* buf;
  size_t len;
  uint64_t tag;
};

class EpollBackend final : public IoBackend {
 public:
  EpollBackend() {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wake_fd_;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  }
  ~EpollBackend() override {
    ::close(epfd_);
    ::close(wake_fd_);
  }

  void Accept(int fd, uint64_t tag) override { Queue({OpKind::kAccept, fd, nullptr, 0, tag}); }
  void Recv(int fd, char* buf, size_t len, uint64_t tag) override {
    Queue({OpKind::kRecv, fd, buf, len, tag});
  }
  void Send(int fd, const char* buf, size_t len, uint64_t tag) override {
    Queue({OpKind::kSend, fd, const_cast<char*>(buf), len, tag});
  }

  void Forget(int fd) override {
    if (fds_.erase(fd)) epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  }

  int Wait(int timeout_ms, Completion* out, int max) override {
    int n = 0;
    // First try what was submitted since the last turn.
    std::vector<Op> fresh;
    fresh.swap(fresh_);
    for (const Op& op : fresh) TryOrPark(op, out, max, &n);
    epoll_event events[128];
    int ne = epoll_wait(epfd_, events, 128, n > 0 ? 0 : timeout_ms);
    for (int i = 0; i < ne; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t v;
        ssize_t r = ::read(wake_fd_, &v, sizeof(v));
        (void)r;
        continue;
      }
      auto it = fds_.find(fd);
      if (it == fds_.end()) continue;
      FdOps& f = it->second;
      uint32_t e = events[i].events;
      if ((e & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) && f.has_in) {
        f.has_in = false;
        TryOrPark(f.in, out, max, &n);
      }
      if ((e & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && f.has_out) {
        f.has_out = false;
        TryOrPark(f.out, out, max, &n);
      }
    }
    return n;
  }

  void Wake() override {
    uint64_t one = 1;
    ssize_t w = ::write(wake_fd_, &one, sizeof(one));
    (void)w;
  }

  const char* name() const override { return "epoll"; }

 private:
  struct FdOps {
    bool has_in = false, has_out = false;
    Op in{}, out{};
  };

  void Queue(const Op& op) { fresh_.push_back(op); }

  // Runs op non-blocking; records its completion, or parks it until its fd is ready. Completions
  // beyond `max` are deferred to the next Wait() by requeueing.
  void TryOrPark(const Op& op, Completion* out, int max, int* n) {
    if (*n == max) {
      fresh_.push_back(op);
      return;
    }
    int res = -EINVAL;
    switch (op.kind) {
      case OpKind::kAccept:
        res = ::accept4(op.fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        break;
      case OpKind::kRecv:
        res = static_cast<int>(::recv(op.fd, op.buf, op.len, 0));
        break;
      case OpKind::kSend:
        res = static_cast<int>(::send(op.fd, op.buf, op.len, MSG_NOSIGNAL));
        break;
    }
    if (res < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Park(op);
      return;
    }
    out[(*n)++] = Completion{op.tag, res < 0 ? -errno : res};
  }

  void Park(const Op& op) {
    auto [it, inserted] = fds_.try_emplace(op.fd);
    if (inserted) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.fd = op.fd;
      epoll_ctl(epfd_, EPOLL_CTL_ADD, op.fd, &ev);
    }
    FdOps& f = it->second;
    if (op.kind == OpKind::kSend) {
      f.has_out = true;
      f.out = op;
    } else {
      f.has_in = true;
      f.in = op;
    }
    // No re-arm is needed: the failed attempt came after any edge already reported, and an
    // edge after it stays queued in the epoll set until the next epoll_wait.
  }

  int epfd_ = -1;
  int wake_fd_ = -1;
  std::vector<Op> fresh_;
  std::unordered_map<int, FdOps> fds_;
};

}  // namespace

std::unique_ptr<IoBackend> NewEpollBackend() { return std::make_unique<EpollBackend>(); }

}  // namespace strata::server
