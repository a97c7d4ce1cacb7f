#include "agent/logging.h"

#include <algorithm>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace dc::agent {

bool SetLogLevel(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  // from_str answers "off" for anything it does not know.
  if (parsed == spdlog::level::off && level != "off")
    return false;
  spdlog::set_level(parsed);
  return true;
}

bool SetUpLogging(std::string_view level) {
  auto logger = spdlog::get("dcagent");
  if (!logger)
    logger = spdlog::stderr_logger_mt("dcagent");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                      spdlog::pattern_time_type::utc);
  spdlog::flush_on(spdlog::level::warn);
  return SetLogLevel(level);
}

std::string LogValue(std::string_view text) {
  bool plain =
      !text.empty() && std::none_of(text.begin(), text.end(), [](char c) {
        return c == ' ' || c == '"' || c == '\\' || c == '=' || c == '\n' ||
               c == '\r' || c == '\t';
      });
  if (plain)
    return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace dc::agent
