// Timestamped, levelled log lines on stderr (or a log file), one write(2) per line.
//
// Thread safe. The sink and level are set once at start-up by main(); until then lines go to
// stderr at level notice. Format, like Redis's: "pid:role dd Mon yyyy hh:mm:ss.mmm <level> msg",
// with level '.' debug, '-' verbose, '*' notice, '#' warning.
#pragma once

#include <string>
#include <string_view>

namespace strata {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3 };

// Parses Redis's level names (debug, verbose, notice, warning).
bool ParseLogLevel(std::string_view name, LogLevel* level);
// Sets the minimum level and the file to append to ("" = stderr). Returns false if the file
// cannot be opened. Call before threads start.
bool ConfigureLogging(LogLevel level, const std::string& path);
void LogLine(LogLevel level, std::string_view message);

}  // namespace strata

#define STRATA_LOG(level, ...) ::strata::LogLine(::strata::LogLevel::level, ::strata::LogFormat(__VA_ARGS__))
#define LOG_DEBUG(...) STRATA_LOG(kDebug, __VA_ARGS__)
#define LOG_INFO(...) STRATA_LOG(kNotice, __VA_ARGS__)
#define LOG_WARN(...) STRATA_LOG(kWarning, __VA_ARGS__)

namespace strata {
// printf-style formatting into a std::string.
std::string LogFormat(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
}  // namespace strata
