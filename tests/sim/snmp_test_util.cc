#include "tests/sim/snmp_test_util.h"

namespace dc::sim::testing {

std::string Request(std::uint8_t type, const std::vector<Oid>& oids,
                    std::int64_t a, std::int64_t b,
                    const std::string& community, std::int64_t version,
                    std::int64_t id) {
  std::string list;
  for (const Oid& oid : oids) {
    std::string varbind;
    ber::AppendOid(varbind, oid);
    ber::AppendHeader(varbind, ber::kNull, 0);
    ber::AppendHeader(list, ber::kSequence, varbind.size());
    list += varbind;
  }
  std::string pdu;
  ber::AppendInteger(pdu, ber::kInteger, id);
  ber::AppendInteger(pdu, ber::kInteger, a);
  ber::AppendInteger(pdu, ber::kInteger, b);
  ber::AppendHeader(pdu, ber::kSequence, list.size());
  pdu += list;
  std::string body;
  ber::AppendInteger(body, ber::kInteger, version);
  ber::AppendOctets(body, ber::kOctetString, community);
  ber::AppendHeader(body, type, pdu.size());
  body += pdu;
  std::string message;
  ber::AppendHeader(message, ber::kSequence, body.size());
  return message + body;
}

bool ParseResponse(const std::string& text, Response& response) {
  std::span<const std::uint8_t> bytes(
      reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  ber::Reader top(bytes);
  std::span<const std::uint8_t> message;
  std::span<const std::uint8_t> pdu;
  std::span<const std::uint8_t> list;
  std::string_view community;
  if (!top.Expect(ber::kSequence, message) || !top.AtEnd())
    return false;
  ber::Reader fields(message);
  if (!fields.Integer(response.version) || !fields.OctetString(community) ||
      !fields.Next(response.type, pdu) || !fields.AtEnd()) {
    return false;
  }
  response.community = std::string(community);
  ber::Reader header(pdu);
  if (!header.Integer(response.request_id) ||
      !header.Integer(response.error_status) ||
      !header.Integer(response.error_index) ||
      !header.Expect(ber::kSequence, list) || !header.AtEnd()) {
    return false;
  }
  ber::Reader varbinds(list);
  response.varbinds.clear();
  while (!varbinds.AtEnd()) {
    std::span<const std::uint8_t> varbind;
    std::span<const std::uint8_t> value;
    Varbind vb;
    if (!varbinds.Expect(ber::kSequence, varbind))
      return false;
    ber::Reader parts(varbind);
    if (!parts.ObjectId(vb.oid) || !parts.Next(vb.tag, value) ||
        !parts.AtEnd()) {
      return false;
    }
    if (vb.tag == ber::kInteger || vb.tag == ber::kCounter32 ||
        vb.tag == ber::kGauge32 || vb.tag == ber::kTimeTicks ||
        vb.tag == ber::kCounter64) {
      if (!ber::DecodeInteger(value, vb.number))
        return false;
    } else {
      vb.bytes.assign(value.begin(), value.end());
    }
    response.varbinds.push_back(std::move(vb));
  }
  return true;
}

}  // namespace dc::sim::testing
