#include "engine/lazy_free.h"

#include <utility>

#include "engine/value.h"

namespace strata::engine {

LazyFree::LazyFree() : thread_([this] { Run(); }) {}

LazyFree::~LazyFree() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

bool LazyFree::WorthIt(const Entry& e) {
  return e.type() != ValueType::kString && !e.cold() && e.value()->size() > 64;
}

void LazyFree::Free(Entry* e) {
  if (e == nullptr) return;
  if (!WorthIt(*e)) {
    Entry::Free(e);
    return;
  }
  pending_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> l(mu_);
    queue_.emplace_back(e);
  }
  cv_.notify_one();
}

void LazyFree::Free(Table table) {
  if (table.size() == 0) return;
  pending_.fetch_add(table.size(), std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> l(mu_);
    queue_.emplace_back(std::move(table));
  }
  cv_.notify_one();
}

void LazyFree::Drain() {
  std::unique_lock<std::mutex> l(mu_);
  idle_cv_.wait(l, [this] { return queue_.empty() && !busy_; });
}

void LazyFree::Run() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    cv_.wait(l, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left
    auto item = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    l.unlock();
    uint64_t n = 1;
    if (Entry** e = std::get_if<Entry*>(&item)) {
      Entry::Free(*e);
    } else {
      n = std::get<Table>(item).size();
      item = static_cast<Entry*>(nullptr);  // the table's destructor frees its entries
    }
    freed_.fetch_add(n, std::memory_order_relaxed);
    pending_.fetch_sub(n, std::memory_order_relaxed);
    l.lock();
    busy_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

}  // namespace strata::engine
