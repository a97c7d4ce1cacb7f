// The PDU layer of the SNMP responder, shared by the community (v1/v2c)
// and the user-based (v3) message formats: one request PDU in, the
// varbinds and error status of its response out. Internal to dc_sim.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/snmp_responder.h"

namespace dc::sim {

struct PduRequest {
  std::uint8_t type = 0;
  std::int64_t request_id = 0;
  std::int64_t field2 = 0;  // error-status, or non-repeaters for GETBULK
  std::int64_t field3 = 0;  // error-index, or max-repetitions for GETBULK
  std::span<const std::uint8_t> varbind_list;
};

// Reads the contents of a PDU of `type` into `request` and its names into
// `names`; false when it is not well-formed.
bool ParsePdu(std::uint8_t type, std::span<const std::uint8_t> contents,
              PduRequest& request, std::vector<Oid>& names);

struct PduAnswer {
  bool answered = false;  // false: a PDU type the agent does not take
  int error_status = 0;
  int error_index = 0;
  std::string_view varbinds;  // encoded, inside scratch or the request
  std::size_t count = 0;      // varbinds served
};

// Answers `request` (whose names are in scratch.names) with at most
// `budget` bytes of varbinds. The answer's varbinds point into `scratch`
// or into the request and live until either changes.
PduAnswer ProcessPdu(const PduRequest& request, bool v1, std::size_t budget,
                     const SnmpAgentView& agent, SnmpScratch& scratch);

// Appends a PDU of `type` (a response or a report) to `out`.
void AppendPdu(std::string& out, std::uint8_t type, std::int64_t request_id,
               int error_status, int error_index, std::string_view varbinds);

}  // namespace dc::sim
