// Reads snmpsim's .snmprec walks ("OID|TAG|VALUE" per line) into a Mib.
// Records are sorted on load (recorded walks are not always in order), every
// tag of the format is understood, with the `x` (hex) and `e` (escaped)
// modifiers; snmpsim variation modules ("67:numeric") are rejected because
// they only mean something to snmpsim.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "sim/mib.h"

namespace dc::sim {

// Parses the text of a walk. Errors name `origin`:LINE and stop the load.
std::expected<Mib, std::string> ParseSnmprec(std::string_view text,
                                             std::string_view origin);

// Reads and parses the file at `path`.
std::expected<Mib, std::string> LoadSnmprec(const std::string& path);

}  // namespace dc::sim
