// Logging: one line per event to stderr, "<utc time> <level> <file:line> message".
//
//   STRATA_LOG(kInfo, "opened volume {} in {} ms", name, ms);
//
// Formatting is fmt's. Never pass a credential: wrap it in Secret (secret.h),
// which always formats as "***". The minimum level is process-wide
// (SetLogLevel, or env STRATA_LOG_LEVEL=debug|info|warn|error).
//
// Thread-safety: safe from any thread; each line is written with one write(2).
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace strata {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool LogEnabled(LogLevel level);
void LogLine(LogLevel level, const char* file, int line, std::string_view message);

// Tests capture log output through a sink; nullptr restores stderr.
using LogSink = void (*)(std::string_view line);
void SetLogSinkForTest(LogSink sink);

}  // namespace strata

#define STRATA_LOG(level, ...)                                                        \
  do {                                                                                \
    if (::strata::LogEnabled(::strata::LogLevel::level)) {                            \
      ::strata::LogLine(::strata::LogLevel::level, __FILE__, __LINE__,                \
                        ::fmt::format(__VA_ARGS__));                                  \
    }                                                                                 \
  } while (0)
