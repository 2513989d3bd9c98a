// engine::Table with one million 16-byte keys ("key:<12 digits>") and 32-byte string values, the
// shape of the side-by-side memory test: inserts (entry allocation and incremental growth
// included), and lookups of present and absent keys. Hashes are computed outside the timed loop
// for lookups of a prepared key set, as the shard computes the hash once per command.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "base/hash.h"
#include "engine/entry.h"
#include "engine/table.h"

namespace strata::engine {
namespace {

constexpr int kKeys = 1'000'000;

struct KeySet {
  std::vector<std::string> keys;
  std::vector<uint64_t> hashes;
};

// `count` distinct 16-byte keys starting at `first`, in a scattered order.
KeySet MakeKeys(int first, int count) {
  KeySet set;
  set.keys.reserve(count);
  set.hashes.reserve(count);
  for (int i = 0; i < count; ++i) {
    // Multiplying by an odd constant permutes [0, 2^32), so keys are distinct and not sequential.
    const uint32_t id = static_cast<uint32_t>(first + i) * 2654435761u;
    char key[17];
    std::snprintf(key, sizeof(key), "key:%012u", id);
    set.keys.emplace_back(key, 16);
    set.hashes.push_back(HashKey(set.keys.back()));
  }
  return set;
}

const KeySet& Present() {
  static const KeySet* keys = new KeySet(MakeKeys(0, kKeys));
  return *keys;
}

const KeySet& Absent() {
  static const KeySet* keys = new KeySet(MakeKeys(kKeys, kKeys));
  return *keys;
}

const std::string& Value() {
  static const std::string* value = new std::string(32, 'v');
  return *value;
}

void Fill(Table& table, const KeySet& set) {
  for (size_t i = 0; i < set.keys.size(); ++i) {
    table.Insert(Entry::NewString(set.keys[i], Value(), 0), set.hashes[i]);
  }
}

void BM_TableInsert1M(benchmark::State& state) {
  const KeySet& set = Present();
  for (auto _ : state) {
    Table table;
    Fill(table, set);
    benchmark::DoNotOptimize(table.size());
    state.PauseTiming();  // freeing a million entries is not part of insertion
    table.Clear();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kKeys);
}
BENCHMARK(BM_TableInsert1M)->Unit(benchmark::kMillisecond);

void BM_TableFindHit1M(benchmark::State& state) {
  const KeySet& set = Present();
  Table table;
  Fill(table, set);
  while (table.MigrateFor(1'000'000)) {
  }
  for (auto _ : state) {
    size_t found = 0;
    for (size_t i = 0; i < set.keys.size(); ++i) {
      found += table.Find(set.keys[i], set.hashes[i]) != nullptr;
    }
    if (found != set.keys.size()) {
      state.SkipWithError("a present key was not found");
      break;
    }
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(state.iterations() * kKeys);
  state.counters["bucket_bytes_per_key"] =
      static_cast<double>(table.bucket_bytes()) / static_cast<double>(table.size());
}
BENCHMARK(BM_TableFindHit1M)->Unit(benchmark::kMillisecond);

void BM_TableFindMiss1M(benchmark::State& state) {
  const KeySet& present = Present();
  const KeySet& absent = Absent();
  Table table;
  Fill(table, present);
  while (table.MigrateFor(1'000'000)) {
  }
  for (auto _ : state) {
    size_t found = 0;
    for (size_t i = 0; i < absent.keys.size(); ++i) {
      found += table.Find(absent.keys[i], absent.hashes[i]) != nullptr;
    }
    if (found != 0) {
      state.SkipWithError("an absent key was found");
      break;
    }
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(state.iterations() * kKeys);
}
BENCHMARK(BM_TableFindMiss1M)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strata::engine
