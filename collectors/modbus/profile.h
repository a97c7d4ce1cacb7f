// A Modbus register-map profile: which registers a device family exposes and
// how each becomes schema samples. Loaded from TOML (see docs/modbus.md);
// once loaded a profile is immutable and shared by every collector using it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/common/toml_reader.h"
#include "collectors/common/value_mapping.h"
#include "collectors/modbus/register_types.h"

namespace dc::modbus {

// Where one value lives on the device and how its registers are laid out.
struct Location {
  Function function = Function::kHolding;
  // 0-based wire address; in a SunSpec model profile, the offset from the
  // model's ID register.
  std::uint16_t address = 0;
  DataType type = DataType::kUint16;
  WordOrder order = WordOrder::kABCD;
  int count = 1;  // registers (or bits) the value occupies

  int end() const { return address + count; }  // one past the last
};

// One [[metric]] entry.
struct MetricPoint {
  Location where;
  // Register of the same function holding a signed power-of-ten exponent
  // (SunSpec "sunssf"): value = raw * 10^exponent before the mapping.
  std::optional<std::uint16_t> scale_factor_register;
  // False: the type's "not available" value (0x8000, 0xFFFF, NaN...) is
  // dropped. True for registers where that pattern is a real reading.
  bool keep_sentinels = false;
  ValueMapping mapping;
  std::string place;  // "FILE:LINE:COLUMN" of the entry, for messages
};

// One key of the [info] table: a constant or a register to read.
struct InfoField {
  std::string constant;
  std::optional<Location> where;
};

struct Profile {
  std::string name;
  std::string device_class;  // schema class: ups, meter, cooling...
  std::string vendor;
  std::string source;  // where the register map comes from
  std::string file;    // the file it was loaded from

  // Non-empty for a SunSpec model profile: the model ids it describes.
  // Its addresses are offsets from the model's ID register, and the
  // collector finds the models on the device ("SunS" discovery).
  std::vector<int> sunspec_models;

  // Unrequested registers read to join two neighbouring reads into one;
  // 0 turns gap filling off.
  int max_gap = 8;
  // The device's limit on registers per request, if the profile knows one
  // tighter than the protocol's 125; a target may lower it further.
  int max_registers_per_read = 125;

  // "model", "serial", "firmware", "vendor" for dc_device_info.
  std::map<std::string, InfoField, std::less<>> info;
  std::vector<MetricPoint> metrics;
};

using ProfilePtr = std::shared_ptr<const Profile>;

// Parses one profile. `file` names it in messages. Returns nullopt after
// adding every problem to `errors` as "FILE:LINE:COLUMN: message".
std::optional<Profile> ParseProfile(std::string_view text,
                                    const std::string& file,
                                    TomlErrors& errors);

// Reads and parses one file.
std::optional<Profile> LoadProfileFile(const std::filesystem::path& path,
                                       TomlErrors& errors);

// Loads every *.toml file of `dirs` in order (sorted by name within a
// directory); a later profile replaces an earlier one of the same name.
// A file with errors contributes nothing; its problems go to `errors`.
std::map<std::string, ProfilePtr, std::less<>> LoadProfileDirs(
    const std::vector<std::filesystem::path>& dirs, TomlErrors& errors);

}  // namespace dc::modbus
