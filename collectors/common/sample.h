// The values a collector reads from one device in one poll, in the
// vendor-neutral schema (see docs/metrics.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dc {

// Label pairs of one series. Collectors need not sort them; the agent
// orders them by name before serving.
using Labels = std::vector<std::pair<std::string, std::string>>;

// One series value: a schema metric name (for example
// "dc_ups_battery_charge_ratio"), its labels other than the target's own
// (device, site, room, rack are added by the agent), and the value in the
// metric's base unit.
struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

// Why part or all of a poll failed. Each reason is served as
// dcagent_poll_errors_total{reason="..."}.
enum class ErrorReason {
  kTimeout,         // no reply before the deadline
  kAuth,            // SNMPv3 authentication or privacy failure
  kDecode,          // a reply or value that could not be decoded
  kProtocol,        // an error status in a well-formed reply
  kConnection,      // socket could not be opened, connection reset
  kTooBig,          // tooBig from an agent (the request was split)
  kNoSuchObject,    // noSuchObject / noSuchInstance for a profile OID
  kEndOfMib,        // endOfMibView before a table ended
  kNonIncreasing,   // a walk returned an OID not after the previous one
  kOversizedTable,  // a table longer than the configured row limit
  kException,       // a Modbus exception reply other than bad address
  kIllegalAddress,  // Modbus "illegal data address" for a register
  kCrc,             // Modbus RTU checksum error
};

std::string_view ToString(ErrorReason reason);

// What one poll of one target produced. A poll succeeds when the device
// answered and at least one value was read; individual failed items are
// counted in `errors` without failing the whole poll.
struct PollResult {
  bool success = false;
  std::vector<Sample> samples;
  std::map<ErrorReason, std::uint64_t> errors;
  // Varbinds (SNMP) or registers (Modbus) received.
  std::uint64_t items_read = 0;
  // Requests sent, for the agent's own metrics.
  std::uint64_t requests = 0;
  // Human-readable cause when !success, for logs and the status page.
  std::string error;
};

}  // namespace dc
