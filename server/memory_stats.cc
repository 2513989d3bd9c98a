#include "server/memory_stats.h"

#include <malloc.h>
#include <unistd.h>

#include <cstddef>
#include <fstream>

#ifdef STRATA_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif
#if defined(STRATA_SANITIZE) || defined(STRATA_TSAN)
// Part of the sanitizer runtimes' public interface (GCC 12 ships no header declaring it).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace strata::server {
namespace {

#ifdef STRATA_JEMALLOC
// jemalloc's statistic `name` as of its last epoch; false if it has none such.
bool JemallocStat(const char* name, uint64_t* value) {
  size_t v = 0, sz = sizeof(v);
  if (mallctl(name, &v, &sz, nullptr, 0) != 0) return false;
  *value = v;
  return true;
}

// Makes jemalloc's statistics current (they are cached until the epoch moves).
void JemallocRefresh() {
  uint64_t epoch = 1;
  size_t sz = sizeof(epoch);
  mallctl("epoch", &epoch, &sz, &epoch, sz);
}
#endif

}  // namespace

uint64_t AllocatedBytes() {
#ifdef STRATA_JEMALLOC
  JemallocRefresh();
  uint64_t allocated = 0;
  if (JemallocStat("stats.allocated", &allocated)) return allocated;
#endif
#if defined(STRATA_SANITIZE) || defined(STRATA_TSAN)
  return __sanitizer_get_current_allocated_bytes();  // the sanitizer's allocator replaces malloc
#endif
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

uint64_t RssBytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t pages = 0, rss = 0;
  f >> pages >> rss;
  return rss * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

bool ReadAllocatorStats(AllocatorStats* stats) {
#ifdef STRATA_JEMALLOC
  JemallocRefresh();
  return JemallocStat("stats.allocated", &stats->allocated) &&
         JemallocStat("stats.active", &stats->active) &&
         JemallocStat("stats.resident", &stats->resident);
#else
  (void)stats;
  return false;
#endif
}

}  // namespace strata::server
