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
  // The folder the configuration is written to: passphrase files of
  // SNMPv3 users are named relative to it.
  std::string output_dir = ".";
};

// The text of a dcagent.toml for `devices`. Devices that answer v2c use
// one v2c auth section (all devices of one fleet must share a community
// for that); devices that answer only v3 use an auth section for their
// first user, `dcsim-USER`, whose passphrases come from the files the
// fleet names or, for inline passphrases, from the environment variables
// DCSIM_USER_AUTH and DCSIM_USER_PRIV (USER in capitals).
std::string AgentConfigText(const Fleet& fleet,
                            const std::vector<Device>& devices,
                            const AgentConfigOptions& options);

}  // namespace dc::sim
