// Builds SNMP requests and reads responses for the simulator's tests, with
// the simulator's own BER primitives (whose encodings ber_test checks
// against fixed byte strings).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/ber.h"
#include "sim/oid.h"

namespace dc::sim::testing {

struct Varbind {
  Oid oid;
  std::uint8_t tag = 0;
  std::int64_t number = 0;
  std::string bytes;
};

struct Response {
  std::int64_t version = 0;
  std::string community;
  std::uint8_t type = 0;
  std::int64_t request_id = 0;
  std::int64_t error_status = 0;
  std::int64_t error_index = 0;
  std::vector<Varbind> varbinds;
};

// A request of `type` (pdu::kGet...) for `oids`; for GETBULK, `a` and `b`
// are non-repeaters and max-repetitions, otherwise 0.
std::string Request(std::uint8_t type, const std::vector<Oid>& oids,
                    std::int64_t a = 0, std::int64_t b = 0,
                    const std::string& community = "public",
                    std::int64_t version = 1, std::int64_t id = 4242);

// Parses a response; returns false when it is not well-formed.
bool ParseResponse(const std::string& bytes, Response& response);

}  // namespace dc::sim::testing
