// SunSpec discovery: a SunSpec device announces "SunS" at one of a few base
// addresses, followed by a chain of models (ID, length, body) ending with
// ID 0xFFFF. Profiles describe models by offsets from the model's ID
// register; discovery says where each model sits on this device.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collectors/modbus/block_reader.h"

namespace dc::modbus {

struct SunSpecModel {
  int id = 0;
  std::uint16_t address = 0;  // of the model's ID register
  int length = 0;             // registers after the ID and length registers
};

struct SunSpecMap {
  std::uint16_t base = 0;  // where "SunS" was found
  std::vector<SunSpecModel> models;
  // From the Common model (1), when present.
  std::string manufacturer;
  std::string model;
  std::string version;
  std::string serial;

  // The first model with `id`, or nullptr.
  const SunSpecModel* Find(int id) const;
};

// The holding-register addresses (0-based) searched for "SunS", in order.
inline constexpr std::uint16_t kSunSpecBases[] = {40000, 0, 50000};

// Searches the base addresses and walks the model chain (at most 256
// models). Returns nullopt when no base holds "SunS" or the device stopped
// answering; `why` then says what happened.
std::optional<SunSpecMap> DiscoverSunSpec(BlockReader& reader,
                                          std::string& why);

}  // namespace dc::modbus
