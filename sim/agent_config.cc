#include "sim/agent_config.h"

#include <cctype>
#include <filesystem>
#include <set>

#include <fmt/format.h>

namespace dc::sim {
namespace {

namespace fs = std::filesystem;

// A path given relative to the fleet file, made relative to `dir`.
std::string RelativeTo(const std::string& fleet_path, const std::string& file,
                       const std::string& dir) {
  fs::path full = fs::path(file).is_absolute()
                      ? fs::path(file)
                      : fs::path(fleet_path).parent_path() / file;
  return fs::absolute(full)
      .lexically_normal()
      .lexically_relative(fs::absolute(dir).lexically_normal())
      .generic_string();
}

std::string EnvName(const std::string& user, const char* what) {
  std::string name = "DCSIM_";
  for (char c : user) {
    name += std::isalnum(static_cast<unsigned char>(c))
                ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                : '_';
  }
  return name + "_" + what;
}

// The v3 user a device is polled as: the first one it serves.
const UsmUserSpec* PollingUser(const Fleet& fleet, const DeviceSpec& spec) {
  if (!spec.v3 || spec.v2c || spec.v1) {
    return nullptr;
  }
  for (const UsmUserSpec& user : fleet.users) {
    if (!spec.users ||
        (!spec.users->empty() && spec.users->front() == user.name)) {
      return &user;
    }
  }
  return nullptr;
}

std::string V3Section(const Fleet& fleet, const UsmUserSpec& user,
                      const AgentConfigOptions& options) {
  std::string level = user.priv != UsmPriv::kNone   ? "authPriv"
                      : user.auth != UsmAuth::kNone ? "authNoPriv"
                                                    : "noAuthNoPriv";
  std::string text = fmt::format(
      "\n[snmp.auth.dcsim-{}]\nversion = \"3\"\nusername = \"{}\"\n"
      "security_level = \"{}\"\n",
      user.name, user.name, level);
  auto secret = [&](const char* key, const std::string& file, const char* env) {
    if (!file.empty()) {
      text += fmt::format("{}_file = \"{}\"\n", key,
                          RelativeTo(fleet.path, file, options.output_dir));
    } else {
      text += fmt::format("{}_env = \"{}\"\n", key, EnvName(user.name, env));
    }
  };
  if (user.auth != UsmAuth::kNone) {
    text += fmt::format("auth_protocol = \"{}\"\n", ToString(user.auth));
    secret("auth_password", user.auth_passphrase_file, "AUTH");
  }
  if (user.priv != UsmPriv::kNone) {
    text += fmt::format("priv_protocol = \"{}\"\n", ToString(user.priv));
    secret("priv_password", user.priv_passphrase_file, "PRIV");
  }
  return text;
}

}  // namespace

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
  std::set<std::string> v3_sections;
  std::string v3_text;
  for (const Device& device : devices) {
    const UsmUserSpec* user = PollingUser(fleet, device.spec);
    if (device.protocol == SimProtocol::kSnmp && user != nullptr &&
        v3_sections.insert(user->name).second) {
      v3_text += V3Section(fleet, *user, options);
    }
  }
  if (!v3_text.empty()) {
    text += "\n# Devices that answer SNMPv3 only, as the fleet's users.\n" +
            v3_text.substr(1);
  }

  for (const Device& device : devices) {
    const DeviceSpec& spec = device.spec;
    bool snmp = device.protocol == SimProtocol::kSnmp;
    text += fmt::format("\n[[target]]\nname = \"{}\"\n", spec.name);
    text += fmt::format("protocol = \"{}\"\n", snmp ? "snmp" : "modbus");
    text += fmt::format("address = \"{}:{}:{}\"\n", snmp ? "udp" : "tcp",
                        spec.address, spec.port);
    if (snmp) {
      const UsmUserSpec* user = PollingUser(fleet, spec);
      text += user != nullptr ? fmt::format("auth = \"dcsim-{}\"\n", user->name)
                              : std::string("auth = \"dcsim\"\n");
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
