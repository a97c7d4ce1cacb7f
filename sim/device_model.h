// Device models: what a kind of simulated device shows on the wire, kept as
// data in sim/models/*.toml. An SNMP model lists OIDs (from the vendor's MIB)
// and what each shows: a constant, a device text or a live variable with a
// scale; a Modbus model lists registers the same way. The model fixes the
// kind of device, so the physics behind it is the same for every vendor.
#pragma once

#include <expected>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/mib.h"
#include "sim/register_map.h"
#include "sim/variables.h"

namespace dc::sim {

enum class SimProtocol { kSnmp, kModbus };

// One [[object]] of a model before it is expanded for a device.
struct ObjectTemplate {
  std::string oid;           // may hold {i}
  std::string each;          // "", "phase", "outlet", "bank" or "probe"
  MibEntry entry;            // tag, fixed value, scale, offset, decimals, text
  std::string var;           // variable name, may hold {i}
  bool index_value = false;  // the value is the row number {i}
  std::string place;         // file:line:column, for errors found at expansion
};

struct DeviceModel {
  std::string name;
  DeviceKind kind = DeviceKind::kUps;
  SimProtocol protocol = SimProtocol::kSnmp;
  std::string vendor;
  std::string product;
  std::string source;  // where the OIDs or registers come from
  std::string sys_object_id;
  std::string sys_descr;
  // The dcagent profile that reads this model: "auto" for SNMP models
  // (matched by sysObjectID), a profile name for Modbus ones.
  std::string agent_profile = "auto";
  std::vector<ObjectTemplate> objects;
  std::vector<RegisterEntry> registers;
  std::vector<std::string> register_vars;  // var name per register entry
  std::vector<std::string> register_places;
};

// Reads one model file. Every problem names file:line:column.
std::expected<DeviceModel, std::string> LoadDeviceModel(
    const std::string& path);

// Reads every *.toml in `directory`, keyed by model name.
std::expected<std::map<std::string, DeviceModel>, std::string> LoadDeviceModels(
    const std::string& directory);

// The Mib a model serves for a device with `layout` (the outlet count fixes
// how many rows outlet tables get). Adds the MIB-2 system group.
std::expected<std::shared_ptr<const Mib>, std::string> BuildMib(
    const DeviceModel& model, const VariableLayout& layout);

// The register map a Modbus model serves.
std::expected<std::shared_ptr<const RegisterMap>, std::string> BuildRegisterMap(
    const DeviceModel& model, const VariableLayout& layout);

}  // namespace dc::sim
