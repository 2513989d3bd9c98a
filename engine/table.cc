#include "engine/table.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <utility>

#include "base/clock.h"
#include "base/hash.h"

namespace strata::engine {
namespace {

constexpr size_t kInitialCap = 4;

Entry** AllocBuckets(size_t n) {
  void* p = std::calloc(n, sizeof(Entry*));
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<Entry**>(p);
}

// Reverses the bits of v (for the reverse-binary scan cursor).
uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}

}  // namespace

Table::~Table() { Clear(); }

Table::Table(Table&& other) noexcept { *this = std::move(other); }

Table& Table::operator=(Table&& other) noexcept {
  if (this == &other) return *this;
  Clear();
  for (int i = 0; i < 2; ++i) {
    buckets_[i] = std::exchange(other.buckets_[i], nullptr);
    cap_[i] = std::exchange(other.cap_[i], 0);
  }
  size_ = std::exchange(other.size_, 0);
  migrate_pos_ = std::exchange(other.migrate_pos_, 0);
  frozen_ = std::exchange(other.frozen_, false);
  return *this;
}

Entry** Table::BucketFor(uint64_t hash) {
  // While rehashing, buckets of table 0 below migrate_pos_ have moved to table 1.
  size_t i = hash & (cap_[0] - 1);
  if (cap_[1] != 0 && i < migrate_pos_) return &buckets_[1][hash & (cap_[1] - 1)];
  return &buckets_[0][i];
}

Table::Slot Table::FindSlot(std::string_view key, uint64_t hash) {
  if (size_ == 0) return nullptr;
  if (rehashing() && !frozen_) Step(kStepBuckets);
  Entry** link = BucketFor(hash);
  for (Entry* e = *link; e != nullptr; link = e->next_link(), e = *link) {
    if (e->key() == key) return link;
  }
  return nullptr;
}

Entry* Table::Find(std::string_view key, uint64_t hash) {
  Slot s = FindSlot(key, hash);
  return s ? *s : nullptr;
}

void Table::Insert(Entry* e, uint64_t hash) {
  MaybeGrow();
  if (rehashing() && !frozen_) Step(kStepBuckets);
  Entry** b = BucketFor(hash);
  e->set_next(*b);
  *b = e;
  ++size_;
}

Entry* Table::Replace(Slot slot, Entry* e) {
  Entry* old = *slot;
  e->set_next(old->next());
  old->set_next(nullptr);
  *slot = e;
  return old;
}

Entry* Table::Unlink(Slot slot) {
  Entry* old = *slot;
  *slot = old->next();
  old->set_next(nullptr);
  --size_;
  return old;
}

Entry* Table::Remove(std::string_view key, uint64_t hash) {
  Slot s = FindSlot(key, hash);
  return s ? Unlink(s) : nullptr;
}

void Table::MaybeGrow() {
  if (cap_[0] == 0) {
    buckets_[0] = AllocBuckets(kInitialCap);
    cap_[0] = kInitialCap;
    return;
  }
  if (rehashing() || frozen_) return;
  if (size_ + 1 > cap_[0]) StartResize(cap_[0] * 2);
}

void Table::StartResize(size_t new_cap) {
  buckets_[1] = AllocBuckets(new_cap);
  cap_[1] = new_cap;
  migrate_pos_ = 0;
}

void Table::Step(size_t buckets) {
  for (size_t n = 0; n < buckets && migrate_pos_ < cap_[0]; ++n, ++migrate_pos_) {
    Entry* e = buckets_[0][migrate_pos_];
    buckets_[0][migrate_pos_] = nullptr;
    while (e != nullptr) {
      Entry* next = e->next();
      Entry** b = &buckets_[1][HashKey(e->key()) & (cap_[1] - 1)];
      e->set_next(*b);
      *b = e;
      e = next;
    }
  }
  FinishIfDone();
}

void Table::FinishIfDone() {
  if (migrate_pos_ < cap_[0]) return;
  std::free(buckets_[0]);
  buckets_[0] = buckets_[1];
  cap_[0] = cap_[1];
  buckets_[1] = nullptr;
  cap_[1] = 0;
  migrate_pos_ = 0;
}

bool Table::MigrateFor(int64_t budget_us) {
  if (frozen_) return rehashing();
  if (!rehashing()) {
    // Shrink when under 1/8 full, as Redis does below 10%.
    if (cap_[0] > kInitialCap && size_ * 8 < cap_[0]) {
      size_t want = kInitialCap;
      while (want < size_) want *= 2;
      if (size_ == 0) {
        std::free(buckets_[0]);
        buckets_[0] = nullptr;
        cap_[0] = 0;
        return false;
      }
      StartResize(want);
    } else {
      return false;
    }
  }
  const int64_t deadline = MonotonicUs() + budget_us;
  do {
    Step(256);
  } while (rehashing() && MonotonicUs() < deadline);
  return rehashing();
}

uint64_t Table::Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const {
  if (size_ == 0) return 0;
  auto emit_bucket = [&](int t, size_t i) {
    for (Entry* e = buckets_[t][i]; e != nullptr; e = e->next()) fn(e);
  };
  if (!rehashing()) {
    const uint64_t mask = cap_[0] - 1;
    emit_bucket(0, cursor & mask);
    cursor |= ~mask;
    cursor = ReverseBits(ReverseBits(cursor) + 1);
    return cursor;
  }
  // Both arrays are live: buckets of table 0 below migrate_pos_ are empty (moved to table 1).
  // Visit the cursor's bucket in the smaller array, then every bucket of the larger array that
  // expands from it, as Redis's dictScan does.
  int small = cap_[0] <= cap_[1] ? 0 : 1, large = 1 - small;
  const uint64_t m0 = cap_[small] - 1, m1 = cap_[large] - 1;
  emit_bucket(small, cursor & m0);
  do {
    emit_bucket(large, cursor & m1);
    cursor |= ~m1;
    cursor = ReverseBits(ReverseBits(cursor) + 1);
  } while (cursor & (m0 ^ m1));
  return cursor;
}

Entry* Table::RandomEntry(uint64_t rnd) const {
  if (size_ == 0) return nullptr;
  // Probe buckets from a random start until a non-empty one; then a random entry of its chain.
  for (uint64_t probe = 0;; ++probe) {
    uint64_t r = rnd + probe * 0x9E3779B97F4A7C15ULL;
    int t = (cap_[1] != 0 && (r >> 63)) ? 1 : 0;
    Entry* const* b = &buckets_[t][r & (cap_[t] - 1)];
    if (*b == nullptr) continue;
    size_t len = 0;
    for (Entry* e = *b; e != nullptr; e = e->next()) ++len;
    size_t pick = (r >> 32) % len;
    Entry* e = *b;
    while (pick--) e = e->next();
    return e;
  }
}

Entry* Table::FairRandomEntry(uint64_t rnd) const {
  if (size_ == 0) return nullptr;
  // Rejection sampling: a uniformly random bucket slot (over both arrays while rehashing), then
  // a uniformly random position among kChain; an entry is drawn when a chain reaches that far.
  // Every entry of a chain no longer than kChain then has the same chance, 1 / (slots *
  // kChain) a trial. A longer chain (at a load factor of 1, one bucket in a million) widens
  // that trial's range to its length. A very sparse table gives up after kTrials and takes the
  // entries of consecutive buckets from a random one, as Redis's dictGetFairRandomKey.
  constexpr uint64_t kChain = 8;
  constexpr int kTrials = 1000;
  uint64_t state = rnd;
  const uint64_t slots = cap_[0] + cap_[1];
  for (int trial = 0; trial < kTrials; ++trial) {
    uint64_t slot = SplitMix64(&state) % slots;
    Entry* e = slot < cap_[0] ? buckets_[0][slot] : buckets_[1][slot - cap_[0]];
    if (e == nullptr) continue;
    uint64_t len = 0;
    for (Entry* c = e; c != nullptr; c = c->next()) ++len;
    uint64_t pick = SplitMix64(&state) % std::max(kChain, len);
    if (pick >= len) continue;
    while (pick--) e = e->next();
    return e;
  }
  constexpr int kSample = 15;
  Entry* sample[kSample];
  int n = 0;
  const size_t span = std::max(cap_[0], cap_[1]);
  size_t i = SplitMix64(&state) % span;
  for (size_t steps = 0; steps < span && n < kSample; ++steps, i = (i + 1) % span) {
    for (int t = 0; t < 2 && n < kSample; ++t) {
      if (i >= cap_[t]) continue;
      for (Entry* e = buckets_[t][i]; e != nullptr && n < kSample; e = e->next()) sample[n++] = e;
    }
  }
  return sample[SplitMix64(&state) % static_cast<uint64_t>(n)];
}

void Table::Clear() {
  for (int t = 0; t < 2; ++t) {
    for (size_t i = 0; i < cap_[t]; ++i) {
      for (Entry* e = buckets_[t][i]; e != nullptr;) {
        Entry* next = e->next();
        Entry::Free(e);
        e = next;
      }
    }
    std::free(buckets_[t]);
    buckets_[t] = nullptr;
    cap_[t] = 0;
  }
  size_ = 0;
  migrate_pos_ = 0;
}

}  // namespace strata::engine
