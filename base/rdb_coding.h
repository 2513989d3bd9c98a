// The pieces of Redis's RDB format that DUMP-style payloads are made of (FUNCTION DUMP now, DUMP
// and RDB files later): lengths, strings (plain, integer-encoded and LZF-compressed, Debian's
// liblzf), and the payload trailer (the RDB version, then Redis's CRC64 of everything before).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::rdb {

// The RDB version Redis 7.0 writes (and the newest it reads).
inline constexpr uint16_t kVersion = 10;

// Redis's CRC-64 (Jones polynomial, reflected, no inversion): crc64(0, "123456789") is
// 0xe9c6d914c4b8d9ca.
uint64_t Crc64(uint64_t crc, std::string_view data);

void AppendLength(std::string* out, uint64_t len);
// A string as Redis writes one uncompressed (readers take it whatever rdbcompression says).
void AppendString(std::string* out, std::string_view s);
// A string as redis-server 7.0 writes one (rdbSaveRawString): a canonical integer of at most 11
// characters that fits in 32 bits in its integer form; else, with `compress` (rdbcompression
// yes), a string longer than 20 bytes that LZF shrinks by at least 4 bytes in LZF form; else
// plain. Byte for byte what Redis writes for the same string.
void AppendRedisString(std::string* out, std::string_view s, bool compress = true);

// Reads from `in` at *pos; false on malformed or truncated input.
bool ReadLength(std::string_view in, size_t* pos, uint64_t* len);
bool ReadString(std::string_view in, size_t* pos, std::string* out);

// Appends the trailer of a DUMP payload to *payload.
void AppendTrailer(std::string* payload);
// Checks a payload's trailer (a version Strata reads and the checksum) and returns the body
// before it; false if it does not check out.
bool CheckTrailer(std::string_view payload, std::string_view* body);

}  // namespace strata::rdb
