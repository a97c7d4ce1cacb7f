// dcagent's configuration file: the [agent] section, SNMP credentials and
// the targets to poll, read strictly and checked as a whole.
//
// Loading reports every problem it finds, each as "FILE:LINE:COLUMN:
// message", and yields a configuration only when there is none, so the
// scheduler never meets an unchecked value. Secrets are read from the files
// or environment variables the config names, never from the config itself.
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/protocol_set.h"
#include "agent/web_security.h"
#include "collectors/common/target.h"

namespace dc::agent {

struct AgentSettings {
  std::string listen = "127.0.0.1:9633";
  // Explicit roots from `profile_dirs`; each holds snmp/ and/or modbus/.
  // Empty: the built-in defaults (see DefaultProfileDirs).
  std::vector<std::filesystem::path> profile_roots;
  std::string log_level = "info";
  int max_in_flight = 500;
  int modbus_workers = 4;
  std::chrono::milliseconds interval{30000};
  // Unset: each target's interval.
  std::optional<std::chrono::milliseconds> timeout;
  std::chrono::milliseconds request_timeout{3000};
  int retries = 1;
  // Longest gap between full polls of a target that keeps failing.
  std::chrono::milliseconds max_backoff{300000};
  // Step of the grid polls start on (see scheduler.h); 0 ("off"): each
  // poll at its own slot.
  std::chrono::milliseconds batch_window{1000};
  // [agent.tls], [agent.basic_auth] and reload_endpoint, with the TLS
  // files already read and checked.
  WebSecurity web;
};

struct AgentConfig {
  std::filesystem::path path;
  AgentSettings agent;
  std::map<std::string, SnmpAuth> snmp_auth;
  std::vector<TargetConfig> targets;
};

using ConfigErrors = std::vector<std::string>;

// Reads only the [agent] section, for what must be known before the
// protocols exist (modbus_workers, log_level). Problems are ignored here;
// LoadConfig reports them. `web` is left at its default: TLS files and
// password hashes are only read by LoadConfig.
AgentSettings ReadAgentSettings(const std::filesystem::path& path);

// The profile folders of `protocol`, in load order (later ones override
// earlier ones): `<root>/<protocol>` for each explicit root; by default the
// installed DC_DATA_DIR/profiles/<protocol>, then, when this program runs
// from its build tree, the source tree's collectors/<protocol>/profiles.
// Only folders that exist are returned.
std::vector<std::filesystem::path> ProfileDirs(const AgentSettings& settings,
                                               std::string_view protocol);

// Reads and checks the whole file. Loads the profiles of every protocol in
// `protocols` first (so targets' profile names can be checked); profile
// errors are part of the result.
std::expected<AgentConfig, ConfigErrors> LoadConfig(
    const std::filesystem::path& path, ProtocolSet& protocols);

// True when two targets would be polled the same way (every field but the
// place in the file), so a reload keeps the running target's state.
bool SameTarget(const TargetConfig& a, const TargetConfig& b);

// Label names the agent itself or the schema uses, which a target's
// `labels` may not define.
bool IsReservedLabel(std::string_view name);

}  // namespace dc::agent
