#include "base/busy.h"

#include <chrono>

namespace strata {

namespace {
thread_local const BusyFlag* t_flag = nullptr;
}  // namespace

InterruptibleScope::InterruptibleScope(const BusyFlag* flag) : prev_(t_flag) { t_flag = flag; }
InterruptibleScope::~InterruptibleScope() { t_flag = prev_; }

void LockInterruptibly(std::timed_mutex& mu) {
  if (mu.try_lock()) return;
  if (t_flag == nullptr) return mu.lock();
  // A timed wait wakes as soon as the lock is free; the period only bounds how late a raised
  // flag is seen. The deadline is on the system clock: libstdc++ waits for it with
  // pthread_mutex_timedlock, which ThreadSanitizer understands, where a steady-clock deadline
  // uses pthread_mutex_clocklock, which GCC 12's TSan does not intercept (it then reports every
  // unlock of such a lock as an unlock of an unlocked mutex). A clock step during the 2 ms only
  // delays when the flag is seen.
  while (!mu.try_lock_until(std::chrono::system_clock::now() + std::chrono::milliseconds(2))) {
    if (t_flag->raised()) throw BusyError();
  }
}

}  // namespace strata
