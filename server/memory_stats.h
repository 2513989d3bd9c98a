// The process's memory as INFO memory and /metrics report it: what the allocator has handed
// out, the resident set, and jemalloc's own figures where it is the allocator. Safe from any
// thread.
#pragma once

#include <cstdint>

namespace strata::server {

// Bytes the allocator has handed out and not taken back (jemalloc's stats.allocated; the
// sanitizer's or glibc's figure in other builds): INFO's used_memory.
uint64_t AllocatedBytes();
// The process's resident set size (INFO's used_memory_rss).
uint64_t RssBytes();

// jemalloc's figures (INFO's allocator_*): allocated, in active pages, and resident.
struct AllocatorStats {
  uint64_t allocated = 0, active = 0, resident = 0;
};
// False where jemalloc is not the allocator (the sanitizer and glibc builds).
bool ReadAllocatorStats(AllocatorStats* stats);

}  // namespace strata::server
