#include "sim/agent_config.h"

#include <fmt/format.h>

namespace dc::sim {

std::string AgentConfigText(const Fleet& fleet,
                            const std::vector<Device>& devices,
                            const AgentConfigOptions& options) {
  std::string text = fmt::format(
      "# dcagent configuration polling every device of {}.\n"
      "# Written by `dcsim --write-agent-config`; the SNMP community is\n"
      "# read from the environment variable {}.\n\n"
      "[agent]\nlisten = \"{}\"\ninterval = \"{}\"\n\n"
      "[snmp.auth.dcsim]\nversion = \"2c\"\ncommunity_env = \"{}\"\n",
      fleet.path, options.community_env, options.listen, options.interval,
      options.community_env);

  for (const Device& device : devices) {
    const DeviceSpec& spec = device.spec;
    bool snmp = device.protocol == SimProtocol::kSnmp;
    text += fmt::format("\n[[target]]\nname = \"{}\"\n", spec.name);
    text += fmt::format("protocol = \"{}\"\n", snmp ? "snmp" : "modbus");
    text += fmt::format("address = \"{}:{}:{}\"\n", snmp ? "udp" : "tcp",
                        spec.address, spec.port);
    if (snmp) {
      text += "auth = \"dcsim\"\n";
    } else {
      text += fmt::format("unit = {}\n", spec.unit);
    }
    text += fmt::format("profile = \"{}\"\n", device.agent_profile);

    std::string labels = fmt::format("site = \"{}\", room = \"{}\"",
                                     fleet.hall.site, fleet.hall.room);
    if (spec.rack > 0) {
      labels += fmt::format(", rack = \"r{:02}\"", spec.rack);
    }
    for (const auto& [key, value] : spec.labels) {
      if (key != "site" && key != "room" && key != "rack") {
        labels += fmt::format(", {} = \"{}\"", key, value);
      }
    }
    text += "labels = { " + labels + " }\n";
  }
  return text;
}

}  // namespace dc::sim
