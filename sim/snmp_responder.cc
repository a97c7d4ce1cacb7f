#include "sim/snmp_responder.h"

#include <algorithm>

#include "sim/ber.h"
#include "sim/snmp_pdu.h"
#include "sim/snmp_v3.h"

namespace dc::sim {
namespace {

constexpr std::int64_t kVersion1 = 0;
constexpr std::int64_t kVersion2c = 1;
constexpr std::int64_t kVersion3 = 3;
// Bounds what one GETBULK may ask for, whatever max-repetitions says.
constexpr std::int64_t kMaxRepetitionsCap = 2048;

struct Request {
  std::int64_t version = 0;
  std::string_view community;
  PduRequest pdu;
};

// Reads the message framing; the version alone when it is SNMPv3, whose
// framing AnswerSnmpV3 reads.
bool ParseRequest(std::span<const std::uint8_t> bytes, Request& request,
                  std::vector<Oid>& names) {
  ber::Reader top(bytes);
  std::span<const std::uint8_t> message;
  if (!top.Expect(ber::kSequence, message) || !top.AtEnd()) {
    return false;
  }

  ber::Reader fields(message);
  if (!fields.Integer(request.version)) {
    return false;
  }
  if (request.version == kVersion3) {
    return true;
  }
  std::uint8_t type = 0;
  std::span<const std::uint8_t> pdu;
  if (!fields.OctetString(request.community) || !fields.Next(type, pdu) ||
      !fields.AtEnd()) {
    return false;
  }
  return ParsePdu(type, pdu, request.pdu, names);
}

// Appends SEQUENCE { name, value } to `out`, building it in `one`.
void AppendVarbind(std::string& out, std::string& one, const Oid& name,
                   const MibEntry* entry, std::uint8_t exception,
                   const SnmpAgentView& agent) {
  one.clear();
  ber::AppendOid(one, name);
  if (entry != nullptr) {
    AppendMibValue(one, *entry, agent.variables, agent.texts);
  } else {
    ber::AppendHeader(one, exception, 0);
  }
  ber::AppendHeader(out, ber::kSequence, one.size());
  out.append(one);
}

// SNMPv1 cannot carry Counter64 or the v2 exception values.
bool VisibleInV1(const MibEntry& entry) {
  return entry.tag != ber::kCounter64 && entry.tag != ber::kNoSuchObject &&
         entry.tag != ber::kNoSuchInstance && entry.tag != ber::kEndOfMibView;
}

const MibEntry* NextVisible(const Mib& mib, const Oid& after, bool v1) {
  const MibEntry* entry = mib.Next(after);
  while (v1 && entry != nullptr && !VisibleInV1(*entry)) {
    entry = mib.Next(entry->oid);
  }
  return entry;
}

// Wraps the encoded varbinds into the whole response message.
void BuildResponse(const Request& request, const PduAnswer& answer,
                   std::string& response) {
  std::string head;
  ber::AppendInteger(head, ber::kInteger, request.pdu.request_id);
  ber::AppendInteger(head, ber::kInteger, answer.error_status);
  ber::AppendInteger(head, ber::kInteger, answer.error_index);
  std::size_t pdu_length = head.size() + 1 +
                           ber::LengthOfLength(answer.varbinds.size()) +
                           answer.varbinds.size();

  std::string prefix;
  ber::AppendInteger(prefix, ber::kInteger, request.version);
  ber::AppendOctets(prefix, ber::kOctetString, request.community);
  std::size_t message_length =
      prefix.size() + 1 + ber::LengthOfLength(pdu_length) + pdu_length;

  response.clear();
  response.reserve(message_length + 4);
  ber::AppendHeader(response, ber::kSequence, message_length);
  response.append(prefix);
  ber::AppendHeader(response, pdu::kResponse, pdu_length);
  response.append(head);
  ber::AppendHeader(response, ber::kSequence, answer.varbinds.size());
  response.append(answer.varbinds);
}

// Bytes a response adds around its varbinds, rounded up.
std::size_t Overhead(const Request& request) {
  return 48 + request.community.size();
}

}  // namespace

bool ParsePdu(std::uint8_t type, std::span<const std::uint8_t> contents,
              PduRequest& request, std::vector<Oid>& names) {
  request.type = type;
  ber::Reader header(contents);
  if (!header.Integer(request.request_id) || !header.Integer(request.field2) ||
      !header.Integer(request.field3) ||
      !header.Expect(ber::kSequence, request.varbind_list) || !header.AtEnd()) {
    return false;
  }

  // Each varbind is SEQUENCE { name, value }; a GET carries NULL values but
  // any well-formed element is accepted and ignored.
  std::size_t count = 0;
  ber::Reader list(request.varbind_list);
  while (!list.AtEnd()) {
    std::span<const std::uint8_t> varbind;
    if (!list.Expect(ber::kSequence, varbind)) {
      return false;
    }
    ber::Reader parts(varbind);
    if (names.size() <= count) {
      names.emplace_back();
    }
    std::uint8_t value_tag = 0;
    std::span<const std::uint8_t> value;
    if (!parts.ObjectId(names[count]) || !parts.Next(value_tag, value) ||
        !parts.AtEnd()) {
      return false;
    }
    ++count;
  }
  names.resize(count);
  return true;
}

void AppendPdu(std::string& out, std::uint8_t type, std::int64_t request_id,
               int error_status, int error_index, std::string_view varbinds) {
  std::string head;
  ber::AppendInteger(head, ber::kInteger, request_id);
  ber::AppendInteger(head, ber::kInteger, error_status);
  ber::AppendInteger(head, ber::kInteger, error_index);
  ber::AppendHeader(
      out, type,
      head.size() + 1 + ber::LengthOfLength(varbinds.size()) + varbinds.size());
  out.append(head);
  ber::AppendHeader(out, ber::kSequence, varbinds.size());
  out.append(varbinds);
}

PduAnswer ProcessPdu(const PduRequest& request, bool v1, std::size_t budget,
                     const SnmpAgentView& agent, SnmpScratch& scratch) {
  const Mib& mib = *agent.mib;
  const std::vector<Oid>& names = scratch.names;
  std::string& out = scratch.varbinds;
  out.clear();

  // Errors echo the request's varbinds as they came.
  auto answer_error = [&](int status, int index) {
    std::string_view echo(
        reinterpret_cast<const char*>(request.varbind_list.data()),
        request.varbind_list.size());
    return PduAnswer{true, status, index, echo, names.size()};
  };
  auto answer_too_big = [&]() {
    return PduAnswer{true, pdu::kTooBig, 0, {}, 0};
  };
  auto answer = [&](std::size_t count) {
    return PduAnswer{true, pdu::kNoError, 0, out, count};
  };

  switch (request.type) {
    case pdu::kGet:
      for (std::size_t i = 0; i < names.size(); ++i) {
        const MibEntry* entry = mib.Find(names[i]);
        if (v1 && (entry == nullptr || !VisibleInV1(*entry))) {
          return answer_error(pdu::kNoSuchName, static_cast<int>(i + 1));
        }
        std::uint8_t exception = 0;
        if (entry == nullptr) {
          exception = mib.HasObject(names[i]) ? ber::kNoSuchInstance
                                              : ber::kNoSuchObject;
        }
        AppendVarbind(out, scratch.one, names[i], entry, exception, agent);
      }
      break;

    case pdu::kGetNext:
      for (std::size_t i = 0; i < names.size(); ++i) {
        const MibEntry* entry = NextVisible(mib, names[i], v1);
        if (v1 && entry == nullptr) {
          return answer_error(pdu::kNoSuchName, static_cast<int>(i + 1));
        }
        AppendVarbind(out, scratch.one, entry ? entry->oid : names[i], entry,
                      ber::kEndOfMibView, agent);
      }
      break;

    case pdu::kGetBulk: {
      if (v1) {
        return PduAnswer{};
      }
      std::size_t non_repeaters =
          static_cast<std::size_t>(std::clamp<std::int64_t>(
              request.field2, 0, static_cast<std::int64_t>(names.size())));
      std::int64_t repetitions =
          std::clamp<std::int64_t>(request.field3, 0, kMaxRepetitionsCap);
      std::size_t count = 0;

      for (std::size_t i = 0; i < non_repeaters; ++i) {
        const MibEntry* entry = mib.Next(names[i]);
        AppendVarbind(out, scratch.one, entry ? entry->oid : names[i], entry,
                      ber::kEndOfMibView, agent);
        ++count;
      }
      if (out.size() > budget) {
        return answer_too_big();
      }

      // Each repetition steps every repeater once; the response stops at
      // the size limit or when every repeater has run off the end.
      std::size_t repeaters = names.size() - non_repeaters;
      std::vector<Oid>& cursors = scratch.names;
      for (std::int64_t r = 0; r < repetitions && repeaters > 0; ++r) {
        bool any_left = false;
        for (std::size_t j = non_repeaters; j < names.size(); ++j) {
          const MibEntry* entry = mib.Next(cursors[j]);
          std::size_t before = out.size();
          AppendVarbind(out, scratch.one, entry ? entry->oid : cursors[j],
                        entry, ber::kEndOfMibView, agent);
          if (out.size() > budget) {
            out.resize(before);
            return answer(count);
          }
          ++count;
          if (entry != nullptr) {
            cursors[j] = entry->oid;
            any_left = true;
          }
        }
        if (!any_left) {
          break;
        }
      }
      return answer(count);
    }

    case pdu::kSet:
      return answer_error(v1 ? pdu::kNoSuchName : pdu::kNotWritable, 1);

    default:
      return PduAnswer{};
  }

  if (out.size() > budget) {
    return answer_too_big();
  }
  return answer(names.size());
}

SnmpAnswer AnswerSnmp(std::span<const std::uint8_t> bytes,
                      const SnmpAgentView& agent, SnmpScratch& scratch,
                      std::string& response) {
  response.clear();
  Request request;
  if (!ParseRequest(bytes, request, scratch.names)) {
    return {SnmpOutcome::kMalformed, 0};
  }
  if (request.version == kVersion3) {
    if (agent.usm == nullptr) {
      return {SnmpOutcome::kUnsupported, 0};
    }
    return AnswerSnmpV3(bytes, agent, scratch, response);
  }
  if ((request.version != kVersion1 || !agent.v1) &&
      (request.version != kVersion2c || !agent.v2c)) {
    return {SnmpOutcome::kUnsupported, 0};
  }
  if (request.community != agent.community) {
    return {SnmpOutcome::kBadCommunity, 0};
  }

  const bool v1 = request.version == kVersion1;
  std::size_t budget = agent.max_message_size > Overhead(request)
                           ? agent.max_message_size - Overhead(request)
                           : 0;
  PduAnswer answer = ProcessPdu(request.pdu, v1, budget, agent, scratch);
  if (!answer.answered) {
    return {SnmpOutcome::kUnsupported, 0};
  }
  BuildResponse(request, answer, response);
  return {SnmpOutcome::kAnswered, answer.count};
}

}  // namespace dc::sim
