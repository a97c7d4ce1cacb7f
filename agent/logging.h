// Logging set-up and helpers for structured "key=value" lines (spdlog).
#pragma once

#include <string>
#include <string_view>

namespace dc::agent {

// Sets the default logger: stderr, "TIME LEVEL message" where the message
// is "event key=value ...". `level` is one of trace, debug, info, warn,
// error, critical, off; anything else leaves the level unchanged and
// returns false.
bool SetUpLogging(std::string_view level);

// Changes the level only.
bool SetLogLevel(std::string_view level);

// A log value: as is when it is a plain token, otherwise in double quotes
// with quotes, backslashes and line breaks escaped, so one record stays on
// one line and parses as key=value.
std::string LogValue(std::string_view text);

}  // namespace dc::agent
