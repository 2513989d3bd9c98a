// The keyspace hash: XXH3 (libxxhash), seeded so that all parts agree.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <string_view>

namespace strata {

inline uint64_t HashKey(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

}  // namespace strata
