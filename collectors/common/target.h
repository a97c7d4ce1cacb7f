// The validated configuration of one polled target and of SNMP
// credentials, as the agent's config loader produces them and the protocol
// factories consume them. Every field is already checked when a collector
// sees it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "collectors/common/sample.h"
#include "collectors/common/secret.h"

namespace dc {

// Where a value came from in a configuration file, for error messages.
struct SourcePlace {
  std::string file;
  int line = 0;
  int column = 0;
};

// One [snmp.auth.NAME] section.
struct SnmpAuth {
  enum class Version { kV1, kV2c, kV3 };
  enum class Level { kNoAuthNoPriv, kAuthNoPriv, kAuthPriv };
  enum class AuthProtocol { kMd5, kSha1, kSha224, kSha256, kSha384, kSha512 };
  enum class PrivProtocol { kDes, kAes128, kAes192, kAes256 };

  std::string name;
  Version version = Version::kV2c;
  Secret community;  // v1 and v2c
  // v3 (user-based security model)
  std::string username;
  Level level = Level::kNoAuthNoPriv;
  AuthProtocol auth_protocol = AuthProtocol::kSha1;
  Secret auth_password;
  PrivProtocol priv_protocol = PrivProtocol::kAes128;
  Secret priv_password;
  std::string context_name;
};

// One [[target]] entry.
struct TargetConfig {
  std::string name;      // unique; served as the `device` label
  std::string protocol;  // "snmp" or "modbus"
  // "udp:HOST:PORT" (SNMP, port defaults to 161), "tcp:HOST:PORT" (Modbus
  // TCP, port defaults to 502) or "rtu:/dev/ttyX?baud=9600&parity=N&..."
  std::string address;
  std::string profile = "auto";  // a profile name, or "auto" (SNMP only)
  std::chrono::milliseconds interval{30000};
  // Deadline of one whole poll; defaults to the interval.
  std::chrono::milliseconds timeout{30000};
  // Deadline of one request; a request is retried `retries` times.
  std::chrono::milliseconds request_timeout{3000};
  int retries = 1;
  int max_in_flight = 1;  // concurrent requests to this device
  Labels labels;          // user labels, e.g. site, room, rack

  // SNMP
  std::string auth;         // name of an [snmp.auth.NAME] section
  SnmpAuth snmp_auth;       // that section, resolved by the loader
  int max_repetitions = 0;  // 0: the profile's value
  int max_table_rows = 10000;

  // Modbus
  int unit = 1;                        // unit (slave) id
  std::chrono::milliseconds pause{0};  // between requests on one link
  int max_registers_per_read = 125;    // device limit per request

  SourcePlace place;  // where the [[target]] entry starts
};

}  // namespace dc
