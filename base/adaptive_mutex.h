// A mutex that spins briefly before it sleeps (glibc's PTHREAD_MUTEX_ADAPTIVE_NP), for locks
// held a few hundred nanoseconds by threads that take them hundreds of thousands of times a
// second: the WAL's append lock. std::mutex sleeps on the first conflict, and the futex wait
// and wake cost far more than the section they guard. Use with std::condition_variable_any.
#pragma once

#include <pthread.h>

namespace strata {

class AdaptiveMutex {
 public:
  AdaptiveMutex() {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&mu_, &attr);
    pthread_mutexattr_destroy(&attr);
  }
  ~AdaptiveMutex() { pthread_mutex_destroy(&mu_); }
  AdaptiveMutex(const AdaptiveMutex&) = delete;
  AdaptiveMutex& operator=(const AdaptiveMutex&) = delete;

  void lock() { pthread_mutex_lock(&mu_); }
  bool try_lock() { return pthread_mutex_trylock(&mu_) == 0; }
  void unlock() { pthread_mutex_unlock(&mu_); }

 private:
  pthread_mutex_t mu_;
};

}  // namespace strata
