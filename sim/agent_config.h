// Writes a dcagent configuration that polls every device of a fleet, so the
// demo and benchmarks never keep a second list of devices by hand.
#pragma once

#include <string>
#include <vector>

#include "sim/device.h"
#include "sim/fleet.h"

namespace dc::sim {

struct AgentConfigOptions {
  std::string listen = "127.0.0.1:9633";
  std::string interval = "30s";
  // The environment variable the agent reads the community from.
  std::string community_env = "DCSIM_COMMUNITY";
};

// The text of a dcagent.toml for `devices`. SNMP devices use one v2c auth
// section; all devices of one fleet must share a community for that.
std::string AgentConfigText(const Fleet& fleet,
                            const std::vector<Device>& devices,
                            const AgentConfigOptions& options);

}  // namespace dc::sim
