// LazyFree: frees removed values on a background thread, so that deleting a large collection
// or emptying a database does not stall the worker that does it (Redis's lazyfree). UNLINK and
// FLUSHALL/FLUSHDB ASYNC always use it; the lazyfree-lazy-* settings choose it for DEL,
// FLUSHALL/FLUSHDB without a mode, expiry, eviction and overwrites.
//
// What is queued is already out of every table: nothing else refers to it. Thread safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <variant>

#include "engine/entry.h"
#include "engine/table.h"

namespace strata::engine {

// Which deletions go to the background thread besides UNLINK and FLUSH ... ASYNC.
enum LazyFreeCause : uint32_t {
  kLazyUserDel = 1,    // DEL (lazyfree-lazy-user-del)
  kLazyUserFlush = 2,  // FLUSHALL/FLUSHDB without ASYNC|SYNC (lazyfree-lazy-user-flush)
  kLazyExpire = 4,     // expiry (lazyfree-lazy-expire)
  kLazyEviction = 8,   // eviction (lazyfree-lazy-eviction)
  kLazyServerDel = 16, // a value replaced by a write (lazyfree-lazy-server-del)
  kLazyAlways = 1u << 31,  // UNLINK, FLUSH ... ASYNC
};

class LazyFree {
 public:
  LazyFree();
  ~LazyFree();  // frees what is still queued, then stops the thread
  LazyFree(const LazyFree&) = delete;
  LazyFree& operator=(const LazyFree&) = delete;

  // A collection of more than 64 elements is freed in the background; smaller values cost
  // less to free at once than to queue (Redis's LAZYFREE_THRESHOLD).
  static bool WorthIt(const Entry& e);

  // Frees e (already out of its table) now or on the thread, as WorthIt says.
  void Free(Entry* e);
  // Frees every entry of a table on the thread.
  void Free(Table table);

  void set_causes(uint32_t causes) { causes_.store(causes, std::memory_order_relaxed); }
  bool lazy(LazyFreeCause cause) const {
    return (causes_.load(std::memory_order_relaxed) & cause) != 0;
  }

  // INFO: objects queued and not yet freed, and freed so far (a table counts its entries).
  uint64_t pending() const { return pending_.load(std::memory_order_relaxed); }
  uint64_t freed() const { return freed_.load(std::memory_order_relaxed); }
  // Waits until the queue is empty (tests, shutdown).
  void Drain();

 private:
  void Run();

  std::atomic<uint32_t> causes_{0};
  std::atomic<uint64_t> pending_{0};
  std::atomic<uint64_t> freed_{0};
  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::variant<Entry*, Table>> queue_;  // GUARDED_BY(mu_)
  bool busy_ = false;                              // GUARDED_BY(mu_)
  bool stop_ = false;                              // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace strata::engine
