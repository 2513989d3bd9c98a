// CRC32C (Castagnoli), the checksum of every on-disk record and frame.
//
// Backed by Intel ISA-L's crc32_iscsi (Debian: libisal-dev), which uses the SSE4.2 crc32
// instruction where the CPU has it. Values are the standard CRC32C: Crc32c("123456789") ==
// 0xE3069283.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata {

// CRC32C of data, continuing from `crc` (the CRC32C of the bytes before data; 0 to start).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

inline uint32_t Crc32c(const void* data, size_t n) { return Crc32cExtend(0, data, n); }
inline uint32_t Crc32c(std::string_view s) { return Crc32cExtend(0, s.data(), s.size()); }

}  // namespace strata
