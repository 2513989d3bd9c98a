// The versions the server reports: the Redis version whose behaviour it follows (INFO's
// redis_version, HELLO's version, a script's redis.REDIS_VERSION), and Strata's own.
#pragma once

namespace strata {

inline constexpr char kRedisVersion[] = "7.0.15";
// As Redis's REDIS_VERSION_NUM: (major << 16) | (minor << 8) | patch.
inline constexpr int kRedisVersionNum = (7 << 16) | (0 << 8) | 15;
inline constexpr char kStrataVersion[] = "0.1.0";

}  // namespace strata
