// Waits a long command can cut short.
//
// A command that runs long while holding locks other commands wait for (a script past
// busy-reply-threshold, which holds every shard) raises a BusyFlag. A thread waiting for such a
// lock inside an InterruptibleScope then gives up with BusyError instead of waiting for the
// command to end, so its worker can answer -BUSY and go on serving its other clients, as every
// client of Redis gets -BUSY during a long script. Waits outside a scope (background threads)
// are plain waits. An uncontended lock costs one try_lock, as before.
#pragma once

#include <atomic>
#include <exception>
#include <mutex>

namespace strata {

class BusyFlag {
 public:
  void set(bool busy) { busy_.store(busy, std::memory_order_release); }
  bool raised() const { return busy_.load(std::memory_order_acquire); }

 private:
  std::atomic<bool> busy_{false};
};

// Thrown by LockInterruptibly; nothing has been changed by the waiter when it is.
class BusyError : public std::exception {
 public:
  const char* what() const noexcept override { return "busy: a long command holds the lock"; }
};

// While one lives on a thread, that thread's LockInterruptibly calls give up when `flag` is
// raised. Scopes nest (the innermost wins).
class InterruptibleScope {
 public:
  explicit InterruptibleScope(const BusyFlag* flag);
  ~InterruptibleScope();
  InterruptibleScope(const InterruptibleScope&) = delete;
  InterruptibleScope& operator=(const InterruptibleScope&) = delete;

 private:
  const BusyFlag* prev_;
};

// Locks mu; inside an InterruptibleScope whose flag is (or becomes) raised while waiting,
// throws BusyError instead.
void LockInterruptibly(std::timed_mutex& mu);

// LockInterruptibly for a scope.
class InterruptibleLock {
 public:
  explicit InterruptibleLock(std::timed_mutex& mu) : mu_(mu) { LockInterruptibly(mu); }
  ~InterruptibleLock() { mu_.unlock(); }
  InterruptibleLock(const InterruptibleLock&) = delete;
  InterruptibleLock& operator=(const InterruptibleLock&) = delete;

 private:
  std::timed_mutex& mu_;
};

}  // namespace strata
