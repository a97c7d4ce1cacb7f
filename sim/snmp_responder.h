// Answers one SNMP request datagram from a Mib: GET, GETNEXT, GETBULK
// (non-repeaters and max-repetitions), SET refused as not writable. Absent
// objects read as noSuchObject / noSuchInstance / endOfMibView in v2c and v3
// and as noSuchName in v1; an answer larger than the agent's message size
// becomes tooBig (GETBULK is cut to fit instead, as RFC 3416 allows).
// v1 and v2c requests must carry the agent's community; v3 requests go
// through the user-based security model of the agent's UsmEngine (see
// sim/snmp_v3.h). Malformed datagrams, wrong communities and versions the
// agent does not speak get no answer, like a real agent.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/mib.h"
#include "sim/usm.h"

namespace dc::sim {

// What an agent answers from.
struct SnmpAgentView {
  const Mib* mib = nullptr;
  std::span<const double> variables;
  std::span<const std::string> texts;
  std::string_view community;
  // Largest response datagram the agent sends (1472 fits one Ethernet frame).
  std::size_t max_message_size = 1472;
  // Which community versions are answered.
  bool v1 = true;
  bool v2c = true;
  // SNMPv3: the agent's engine and users; null drops v3 requests.
  UsmEngine* usm = nullptr;
};

enum class SnmpOutcome {
  kAnswered,
  kMalformed,     // not a well-formed v1/v2c message: dropped
  kBadCommunity,  // dropped, as agents do
  kUnsupported,   // a version or PDU the agent does not take: dropped
  kReport,        // SNMPv3: answered with a report (discovery, or a
                  // security error such as an unknown user or a bad digest)
};

// Reusable buffers so the hot path does not allocate once warmed up.
struct SnmpScratch {
  std::vector<Oid> names;
  std::string varbinds;
  std::string one;
  Oid cursor;
};

struct SnmpAnswer {
  SnmpOutcome outcome = SnmpOutcome::kMalformed;
  std::size_t varbinds = 0;  // varbinds in the response
};

// Answers `request` into `response` (cleared first; empty unless answered).
SnmpAnswer AnswerSnmp(std::span<const std::uint8_t> request,
                      const SnmpAgentView& agent, SnmpScratch& scratch,
                      std::string& response);

// SNMP PDU identifiers and error statuses used by the responder and tests.
namespace pdu {
inline constexpr std::uint8_t kGet = 0xa0;
inline constexpr std::uint8_t kGetNext = 0xa1;
inline constexpr std::uint8_t kResponse = 0xa2;
inline constexpr std::uint8_t kSet = 0xa3;
inline constexpr std::uint8_t kGetBulk = 0xa5;
inline constexpr std::uint8_t kReport = 0xa8;
inline constexpr int kNoError = 0;
inline constexpr int kTooBig = 1;
inline constexpr int kNoSuchName = 2;
inline constexpr int kAuthorizationError = 16;
inline constexpr int kNotWritable = 17;
}  // namespace pdu

}  // namespace dc::sim
