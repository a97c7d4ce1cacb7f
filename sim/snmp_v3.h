// SNMPv3 messages (RFC 3412) under the user-based security model (RFC
// 3414) for the simulated agents: engine discovery, authentication,
// privacy, the time window, and the report PDUs a real agent sends when
// one of them fails, so a poller sees "wrong digest" or "unknown user"
// instead of a timeout.
//
// What the agent does with a v3 request, in order:
// - security model other than USM, or privacy without authentication:
//   dropped as malformed;
// - msgAuthoritativeEngineID not the agent's (empty during discovery):
//   report usmStatsUnknownEngineIDs, carrying the engine ID, boots, time;
// - unknown user: usmStatsUnknownUserNames; a level the user has no keys
//   for: usmStatsUnsupportedSecLevels;
// - a digest that does not match: usmStatsWrongDigests;
// - boots different or time off by more than 150 s: an authenticated
//   usmStatsNotInTimeWindows report with the right boots and time;
// - a scoped PDU that does not decrypt into BER: usmStatsDecryptionErrors;
// - a context other than the default (empty) one: snmpUnknownContexts;
// - a level below the user's own (an authPriv user asking without
//   privacy): a response with authorizationError, as an agent's access
//   control answers;
// - otherwise the PDU is answered as in v2c, at the request's level.
// Reports go out only when the request is reportable; they are not
// authenticated except for the time window one.
#pragma once

#include <span>
#include <string>

#include "sim/snmp_responder.h"

namespace dc::sim {

// Answers a datagram whose version field is 3; `agent.usm` is not null.
SnmpAnswer AnswerSnmpV3(std::span<const std::uint8_t> request,
                        const SnmpAgentView& agent, SnmpScratch& scratch,
                        std::string& response);

// OIDs of the counters reports carry.
namespace usm_oid {
inline constexpr const char* kUnsupportedSecLevels = "1.3.6.1.6.3.15.1.1.1.0";
inline constexpr const char* kNotInTimeWindows = "1.3.6.1.6.3.15.1.1.2.0";
inline constexpr const char* kUnknownUserNames = "1.3.6.1.6.3.15.1.1.3.0";
inline constexpr const char* kUnknownEngineIds = "1.3.6.1.6.3.15.1.1.4.0";
inline constexpr const char* kWrongDigests = "1.3.6.1.6.3.15.1.1.5.0";
inline constexpr const char* kDecryptionErrors = "1.3.6.1.6.3.15.1.1.6.0";
inline constexpr const char* kUnknownContexts = "1.3.6.1.6.3.12.1.1.4.0";
}  // namespace usm_oid

}  // namespace dc::sim
