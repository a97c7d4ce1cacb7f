// One simulated device as the server runs it: its spec, the shared tables it
// answers from, its own live variables and texts, faults and counters.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/device_model.h"
#include "sim/fleet.h"
#include "sim/mib.h"
#include "sim/register_map.h"
#include "sim/usm.h"
#include "sim/variables.h"

namespace dc::sim {

struct DeviceCounters {
  std::uint64_t requests = 0;
  std::uint64_t answers = 0;
  std::uint64_t varbinds = 0;  // SNMP varbinds or Modbus registers served
  std::uint64_t dropped = 0;   // by fault injection
  std::uint64_t malformed_requests = 0;
  std::uint64_t bad_community = 0;
  std::uint64_t unsupported = 0;
  std::uint64_t reports = 0;  // SNMPv3 reports (discovery, security errors)
};

struct Device {
  DeviceSpec spec;
  DeviceKind kind = DeviceKind::kWalk;
  SimProtocol protocol = SimProtocol::kSnmp;
  std::string model_name;
  std::string vendor;
  std::string agent_profile = "auto";
  std::shared_ptr<const Mib> mib;
  std::shared_ptr<const RegisterMap> registers;
  std::shared_ptr<const VariableLayout> layout;
  std::vector<double> variables;
  std::vector<std::string> texts;
  // The SNMPv3 engine and its users, for an SNMP device that speaks v3.
  std::shared_ptr<UsmEngine> usm;
  Faults faults;
  DeviceCounters counters;
};

// Builds every device of `fleet` from the models in `models_dir`; devices of
// the same model and size share their Mib or register map. SNMP devices
// that speak v3 get an engine whose snmpEngineBoots is the number of
// seconds from 2020-01-01 to now, so it grows with every start.
std::expected<std::vector<Device>, std::string> BuildDevices(
    const Fleet& fleet, const std::string& models_dir);

}  // namespace dc::sim
