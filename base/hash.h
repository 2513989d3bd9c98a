// The keyspace hash: XXH3 (libxxhash), seeded so that all parts agree.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <string_view>

namespace strata {

inline uint64_t HashKey(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

// A fast pseudo-random sequence (SplitMix64) for sampling; advances *state.
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace strata
