// IoBackend: the completion-style I/O a worker's event loop runs on.
//
// A worker submits operations (accept, recv, send) with a 64-bit tag and later receives each
// operation's completion (tag, result) from Wait(): result is what the system call would return
// (bytes, a new fd) or -errno. Two implementations: io_uring (operations batched into one
// io_uring_enter per loop turn) and epoll (readiness emulating completions, for kernels or
// containers where io_uring cannot be set up). A socket is closed in the same way on both:
// shutdown(2), which completes its pending operations, then Forget() and close(2) once none is
// pending. Not thread safe: one backend per worker thread; only Wake() may be called from others.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace strata::server {

struct Completion {
  uint64_t tag;
  int result;
};

class IoBackend {
 public:
  virtual ~IoBackend() = default;

  // Called once by the thread that runs the loop, before it uses the backend.
  virtual void OnLoopThread() {}
  virtual void Accept(int listen_fd, uint64_t tag) = 0;
  virtual void Recv(int fd, char* buf, size_t len, uint64_t tag) = 0;
  virtual void Send(int fd, const char* buf, size_t len, uint64_t tag) = 0;
  // Drops any state kept for fd (before close(2)). REQUIRES: no operation pending on fd.
  virtual void Forget(int fd) = 0;
  // Submits what was queued and waits up to timeout_ms for at least one completion (or a
  // Wake()). Fills up to `max` completions into out and returns their number.
  virtual int Wait(int timeout_ms, Completion* out, int max) = 0;
  // Makes a Wait() in progress (or the next one) return early. Thread safe.
  virtual void Wake() = 0;
  virtual const char* name() const = 0;
};

// Builds an io_uring backend, or null (with *why set) when io_uring cannot be set up here.
std::unique_ptr<IoBackend> NewUringBackend(unsigned entries, std::string* why);
std::unique_ptr<IoBackend> NewEpollBackend();

}  // namespace strata::server
