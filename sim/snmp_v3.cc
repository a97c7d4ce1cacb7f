#include "sim/snmp_v3.h"

#include <cstdlib>

#include "sim/ber.h"
#include "sim/snmp_pdu.h"

namespace dc::sim {
namespace {

constexpr std::int64_t kUsmSecurityModel = 3;
constexpr std::uint8_t kFlagAuth = 0x01;
constexpr std::uint8_t kFlagPriv = 0x02;
constexpr std::uint8_t kFlagReportable = 0x04;
// RFC 3414 3.2 step 7: the window either side of the engine's time.
constexpr std::int64_t kTimeWindowSeconds = 150;
// What the agent announces as the largest message it takes.
constexpr std::int64_t kOwnMaxSize = 65507;
constexpr std::int64_t kMinMaxSize = 484;

struct V3Message {
  std::int64_t msg_id = 0;
  std::int64_t max_size = 0;
  std::uint8_t flags = 0;
  std::int64_t security_model = 0;
  std::string_view engine_id;
  std::int64_t boots = 0;
  std::int64_t time = 0;
  std::string_view user;
  std::span<const std::uint8_t> auth_params;
  std::string_view priv_params;
  std::uint8_t data_tag = 0;  // SEQUENCE (plain) or OCTET STRING (encrypted)
  std::span<const std::uint8_t> data;
};

std::string_view View(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

bool ParseV3(std::span<const std::uint8_t> bytes, V3Message& m) {
  ber::Reader top(bytes);
  std::span<const std::uint8_t> message;
  if (!top.Expect(ber::kSequence, message) || !top.AtEnd()) {
    return false;
  }

  ber::Reader fields(message);
  std::int64_t version = 0;
  std::span<const std::uint8_t> header;
  std::span<const std::uint8_t> security;
  if (!fields.Integer(version) || !fields.Expect(ber::kSequence, header) ||
      !fields.Expect(ber::kOctetString, security) ||
      !fields.Next(m.data_tag, m.data) || !fields.AtEnd()) {
    return false;
  }

  ber::Reader global(header);
  std::string_view flags;
  if (!global.Integer(m.msg_id) || !global.Integer(m.max_size) ||
      !global.OctetString(flags) || !global.Integer(m.security_model) ||
      !global.AtEnd() || flags.size() != 1 || m.msg_id < 0 ||
      m.msg_id > 2147483647 || m.max_size < kMinMaxSize) {
    return false;
  }
  m.flags = static_cast<std::uint8_t>(flags[0]);
  if (m.security_model != kUsmSecurityModel) {
    return true;
  }

  ber::Reader outer(security);
  std::span<const std::uint8_t> usm;
  if (!outer.Expect(ber::kSequence, usm) || !outer.AtEnd()) {
    return false;
  }
  ber::Reader params(usm);
  return params.OctetString(m.engine_id) && params.Integer(m.boots) &&
         params.Integer(m.time) && params.OctetString(m.user) &&
         params.Expect(ber::kOctetString, m.auth_params) &&
         params.OctetString(m.priv_params) && params.AtEnd() && m.boots >= 0 &&
         m.boots <= 2147483647 && m.time >= 0 && m.time <= 2147483647;
}

struct ScopedPdu {
  std::string_view context_engine_id;
  std::string_view context_name;
  std::uint8_t type = 0;
  std::span<const std::uint8_t> pdu;
};

// Reads the contents of a ScopedPDU SEQUENCE.
bool ParseScoped(std::span<const std::uint8_t> contents, ScopedPdu& scoped) {
  ber::Reader fields(contents);
  return fields.OctetString(scoped.context_engine_id) &&
         fields.OctetString(scoped.context_name) &&
         fields.Next(scoped.type, scoped.pdu) && fields.AtEnd();
}

// What one outgoing message says.
struct Reply {
  std::int64_t msg_id = 0;
  const UsmUser* user = nullptr;  // keys for auth and priv, if any
  bool auth = false;
  bool priv = false;
  std::string_view user_name;
  std::string_view context_name;
  std::uint8_t pdu_type = pdu::kResponse;
  std::int64_t request_id = 0;
  int error_status = 0;
  int error_index = 0;
  std::string_view varbinds;
};

// Encodes `reply` as a whole v3 message into `out`; false when the
// encryption fails.
bool BuildMessage(const Reply& reply, UsmEngine& usm, std::int32_t time,
                  std::string& out) {
  // The scoped PDU, encrypted at authPriv.
  std::string scoped_contents;
  ber::AppendOctets(scoped_contents, ber::kOctetString, usm.engine_id());
  ber::AppendOctets(scoped_contents, ber::kOctetString, reply.context_name);
  AppendPdu(scoped_contents, reply.pdu_type, reply.request_id,
            reply.error_status, reply.error_index, reply.varbinds);
  std::string scoped;
  ber::AppendOctets(scoped, ber::kSequence, scoped_contents);

  std::string data;
  std::string priv_params;
  if (reply.priv) {
    std::string cipher;
    if (!Encrypt(reply.user->priv, reply.user->priv_key, usm.boots(), time,
                 usm.NextSalt(), scoped, cipher, priv_params)) {
      return false;
    }
    ber::AppendOctets(data, ber::kOctetString, cipher);
  } else {
    data = std::move(scoped);
  }

  // The security parameters, with a zeroed digest to be filled in last.
  std::size_t mac_length = reply.auth ? MacLength(reply.user->auth) : 0;
  std::string usm_contents;
  ber::AppendOctets(usm_contents, ber::kOctetString, usm.engine_id());
  ber::AppendInteger(usm_contents, ber::kInteger, usm.boots());
  ber::AppendInteger(usm_contents, ber::kInteger, time);
  ber::AppendOctets(usm_contents, ber::kOctetString, reply.user_name);
  ber::AppendHeader(usm_contents, ber::kOctetString, mac_length);
  std::size_t mac_in_usm = usm_contents.size();
  usm_contents.append(mac_length, '\0');
  ber::AppendOctets(usm_contents, ber::kOctetString, priv_params);
  std::string usm_sequence;
  ber::AppendOctets(usm_sequence, ber::kSequence, usm_contents);
  mac_in_usm += usm_sequence.size() - usm_contents.size();

  std::string header;
  ber::AppendInteger(header, ber::kInteger, reply.msg_id);
  ber::AppendInteger(header, ber::kInteger, kOwnMaxSize);
  char flags = static_cast<char>((reply.auth ? kFlagAuth : 0) |
                                 (reply.priv ? kFlagPriv : 0));
  ber::AppendOctets(header, ber::kOctetString, std::string_view(&flags, 1));
  ber::AppendInteger(header, ber::kInteger, kUsmSecurityModel);

  std::string body;
  ber::AppendInteger(body, ber::kInteger, 3);
  ber::AppendOctets(body, ber::kSequence, header);
  ber::AppendHeader(body, ber::kOctetString, usm_sequence.size());
  std::size_t mac_in_body = body.size() + mac_in_usm;
  body.append(usm_sequence);
  body.append(data);

  out.clear();
  ber::AppendHeader(out, ber::kSequence, body.size());
  std::size_t mac_at = out.size() + mac_in_body;
  out.append(body);
  if (reply.auth) {
    out.replace(mac_at, mac_length,
                Authenticate(reply.user->auth, reply.user->auth_key, out));
  }
  return true;
}

// The request-id of a plaintext request, for a report about it; 0 when
// the PDU cannot be read.
std::int64_t PlainRequestId(const V3Message& m) {
  ScopedPdu scoped;
  std::int64_t request_id = 0;
  if (m.data_tag != ber::kSequence || !ParseScoped(m.data, scoped)) {
    return 0;
  }
  ber::Reader header(scoped.pdu);
  return header.Integer(request_id) ? request_id : 0;
}

}  // namespace

SnmpAnswer AnswerSnmpV3(std::span<const std::uint8_t> bytes,
                        const SnmpAgentView& agent, SnmpScratch& scratch,
                        std::string& response) {
  response.clear();
  V3Message m;
  if (!ParseV3(bytes, m) || m.security_model != kUsmSecurityModel ||
      (m.flags & (kFlagAuth | kFlagPriv)) == kFlagPriv) {
    return {SnmpOutcome::kMalformed, 0};
  }
  UsmEngine& usm = *agent.usm;
  std::int32_t time = usm.Time(UsmEngine::Clock::now());
  const bool auth = (m.flags & kFlagAuth) != 0;
  const bool priv = (m.flags & kFlagPriv) != 0;

  // A failed check answers with a report naming the counter, when the
  // request asks for reports.
  auto report = [&](const char* counter, std::uint32_t& value,
                    std::int64_t request_id, const UsmUser* user = nullptr) {
    ++value;
    if ((m.flags & kFlagReportable) == 0) {
      return SnmpAnswer{SnmpOutcome::kUnsupported, 0};
    }
    std::string varbind;
    ber::AppendOid(varbind, *ParseOid(counter));
    ber::AppendUnsigned(varbind, ber::kCounter32, value);
    std::string varbinds;
    ber::AppendOctets(varbinds, ber::kSequence, varbind);
    Reply reply;
    reply.msg_id = m.msg_id;
    reply.user = user;
    reply.auth = user != nullptr;
    reply.user_name = m.user;
    reply.pdu_type = pdu::kReport;
    reply.request_id = request_id;
    reply.varbinds = varbinds;
    BuildMessage(reply, usm, time, response);
    return SnmpAnswer{SnmpOutcome::kReport, 0};
  };
  UsmStats& stats = usm.stats();

  // Discovery, then the user and what it may do.
  if (m.engine_id != usm.engine_id()) {
    return report(usm_oid::kUnknownEngineIds, stats.unknown_engine_ids,
                  PlainRequestId(m));
  }
  const UsmUser* user = usm.FindUser(m.user);
  if (user == nullptr) {
    return report(usm_oid::kUnknownUserNames, stats.unknown_user_names,
                  PlainRequestId(m));
  }
  if ((auth && user->auth == UsmAuth::kNone) ||
      (priv && user->priv == UsmPriv::kNone)) {
    return report(usm_oid::kUnsupportedSecLevels, stats.unsupported_sec_levels,
                  PlainRequestId(m));
  }

  // The digest covers the whole message with its own field zeroed.
  if (auth) {
    std::size_t mac_length = MacLength(user->auth);
    bool matches = false;
    if (m.auth_params.size() == mac_length) {
      std::string zeroed(View(bytes));
      std::size_t at =
          static_cast<std::size_t>(m.auth_params.data() - bytes.data());
      zeroed.replace(at, mac_length, mac_length, '\0');
      matches = Authenticate(user->auth, user->auth_key, zeroed) ==
                View(m.auth_params);
    }
    if (!matches) {
      return report(usm_oid::kWrongDigests, stats.wrong_digests, 0);
    }
    if (usm.boots() == 2147483647 || m.boots != usm.boots() ||
        std::llabs(m.time - time) > kTimeWindowSeconds) {
      return report(usm_oid::kNotInTimeWindows, stats.not_in_time_windows, 0,
                    user);
    }
  }

  // The scoped PDU, decrypted at authPriv. Decrypted DES data ends in
  // padding, so only the SEQUENCE at its start is read.
  std::string plain;
  std::span<const std::uint8_t> scoped_contents = m.data;
  if (priv) {
    bool read =
        m.data_tag == ber::kOctetString &&
        Decrypt(user->priv, user->priv_key, static_cast<std::int32_t>(m.boots),
                static_cast<std::int32_t>(m.time), m.priv_params, View(m.data),
                plain);
    ber::Reader decrypted(std::span(
        reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()));
    if (!read || !decrypted.Expect(ber::kSequence, scoped_contents)) {
      return report(usm_oid::kDecryptionErrors, stats.decryption_errors, 0);
    }
  } else if (m.data_tag != ber::kSequence) {
    return {SnmpOutcome::kMalformed, 0};
  }
  ScopedPdu scoped;
  PduRequest request;
  if (!ParseScoped(scoped_contents, scoped) ||
      !ParsePdu(scoped.type, scoped.pdu, request, scratch.names)) {
    if (priv) {
      return report(usm_oid::kDecryptionErrors, stats.decryption_errors, 0);
    }
    return {SnmpOutcome::kMalformed, 0};
  }
  if (request.type == pdu::kResponse || request.type == pdu::kReport) {
    return {SnmpOutcome::kUnsupported, 0};
  }
  if ((!scoped.context_engine_id.empty() &&
       scoped.context_engine_id != usm.engine_id()) ||
      !scoped.context_name.empty()) {
    return report(usm_oid::kUnknownContexts, stats.unknown_contexts,
                  request.request_id, auth ? user : nullptr);
  }

  Reply reply;
  reply.msg_id = m.msg_id;
  reply.user = user;
  reply.auth = auth;
  reply.priv = priv;
  reply.user_name = m.user;
  reply.context_name = scoped.context_name;
  reply.request_id = request.request_id;

  // The user's own level is the least it is served at.
  bool below = (user->auth != UsmAuth::kNone && !auth) ||
               (user->priv != UsmPriv::kNone && !priv);
  std::size_t count = 0;
  if (below) {
    reply.error_status = pdu::kAuthorizationError;
    reply.varbinds = View(request.varbind_list);
  } else {
    std::size_t limit = std::min<std::size_t>(
        agent.max_message_size, static_cast<std::size_t>(m.max_size));
    std::size_t overhead = 240 + m.user.size() + usm.engine_id().size();
    std::size_t budget = limit > overhead ? limit - overhead : 0;
    PduAnswer answer = ProcessPdu(request, false, budget, agent, scratch);
    if (!answer.answered) {
      return {SnmpOutcome::kUnsupported, 0};
    }
    reply.error_status = answer.error_status;
    reply.error_index = answer.error_index;
    reply.varbinds = answer.varbinds;
    count = answer.count;
  }
  if (!BuildMessage(reply, usm, time, response)) {
    response.clear();
    return {SnmpOutcome::kUnsupported, 0};
  }
  return {SnmpOutcome::kAnswered, count};
}

}  // namespace dc::sim
