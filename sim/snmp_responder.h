// Answers one SNMP v1/v2c request datagram from a Mib: GET, GETNEXT, GETBULK
// (non-repeaters and max-repetitions), SET refused as not writable. Absent
// objects read as noSuchObject / noSuchInstance / endOfMibView in v2c and as
// noSuchName in v1; an answer larger than the agent's message size becomes
// tooBig (GETBULK is cut to fit instead, as RFC 3416 allows). Malformed
// datagrams, wrong communities and other versions get no answer, like a
// real agent.
//
// SNMPv3 (USM authentication and privacy) is not implemented: v3 requests
// are dropped and counted as unsupported, so dcagent's v3 path cannot be
// exercised against dcsim.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/mib.h"

namespace dc::sim {

// What an agent answers from.
struct SnmpAgentView {
  const Mib* mib = nullptr;
  std::span<const double> variables;
  std::span<const std::string> texts;
  std::string_view community;
  // Largest response datagram the agent sends (1472 fits one Ethernet frame).
  std::size_t max_message_size = 1472;
};

enum class SnmpOutcome {
  kAnswered,
  kMalformed,     // not a well-formed v1/v2c message: dropped
  kBadCommunity,  // dropped, as agents do
  kUnsupported,   // SNMPv3 or a PDU an agent does not take: dropped
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
inline constexpr int kNoError = 0;
inline constexpr int kTooBig = 1;
inline constexpr int kNoSuchName = 2;
inline constexpr int kNotWritable = 17;
}  // namespace pdu

}  // namespace dc::sim
