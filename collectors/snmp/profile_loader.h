// Reading SNMP profiles from TOML files: every key checked, includes
// resolved, every problem reported as "FILE:LINE:COLUMN: message".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/snmp/profile.h"

namespace dc::snmp {

// Loads every *.toml in `dirs`, in order; a profile in a later directory
// replaces one of the same name from an earlier directory, while two
// files of one directory defining the same name is an error. Returns all
// problems; `out` is replaced only when there are none.
std::vector<std::string> LoadProfileDirs(
    const std::vector<std::filesystem::path>& dirs, ProfileSet& out);

// Loads profiles from in-memory documents, each named by the file name
// used in messages. The same checks as LoadProfileDirs; for tests and
// fuzzing.
std::vector<std::string> LoadProfileTexts(
    const std::vector<std::pair<std::string, std::string>>& documents,
    ProfileSet& out);

}  // namespace dc::snmp
