// A small BER codec for the subset of ASN.1 that SNMP v1/v2c messages use:
// definite lengths, INTEGER, OCTET STRING, NULL, OBJECT IDENTIFIER, the SNMP
// application types and the PDU containers. It is hand-written because the
// simulator must answer far faster than any poller asks; it is strict on
// input (every length is checked against the bytes present) so a malformed
// datagram is rejected, never read past.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sim/oid.h"

namespace dc::sim::ber {

// Identifier octets used by SNMP.
inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kOctetString = 0x04;
inline constexpr std::uint8_t kNull = 0x05;
inline constexpr std::uint8_t kObjectId = 0x06;
inline constexpr std::uint8_t kSequence = 0x30;
inline constexpr std::uint8_t kIpAddress = 0x40;
inline constexpr std::uint8_t kCounter32 = 0x41;
inline constexpr std::uint8_t kGauge32 = 0x42;
inline constexpr std::uint8_t kTimeTicks = 0x43;
inline constexpr std::uint8_t kOpaque = 0x44;
inline constexpr std::uint8_t kCounter64 = 0x46;
inline constexpr std::uint8_t kNoSuchObject = 0x80;
inline constexpr std::uint8_t kNoSuchInstance = 0x81;
inline constexpr std::uint8_t kEndOfMibView = 0x82;

// Longest OID accepted in a request (RFC 2578 allows 128 sub-identifiers).
inline constexpr std::size_t kMaxOidLength = 128;

// Reads tag-length-value elements from a byte span. Every method returns
// false (and leaves the reader unusable) when the input is malformed or
// truncated; no method reads outside the span.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  bool AtEnd() const { return pos_ == bytes_.size(); }

  // Reads one element: its identifier octet and its contents.
  bool Next(std::uint8_t& tag, std::span<const std::uint8_t>& contents);

  // Reads an element that must carry `tag`.
  bool Expect(std::uint8_t tag, std::span<const std::uint8_t>& contents);

  // Reads an INTEGER (or another integer-encoded `tag`) that fits 64 bits.
  bool Integer(std::int64_t& value, std::uint8_t tag = kInteger);
  bool OctetString(std::string_view& value);
  bool ObjectId(Oid& value);

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

// Decodes the contents octets of an OBJECT IDENTIFIER.
bool DecodeOid(std::span<const std::uint8_t> contents, Oid& oid);

// Decodes a two's complement integer of at most 8 contents octets.
bool DecodeInteger(std::span<const std::uint8_t> contents, std::int64_t& value);

// Encoders append to `out`. Lengths use the short form below 128 and the
// shortest long form above.
void AppendLength(std::string& out, std::size_t length);
std::size_t LengthOfLength(std::size_t length);
void AppendHeader(std::string& out, std::uint8_t tag, std::size_t length);
void AppendInteger(std::string& out, std::uint8_t tag, std::int64_t value);
// Counter32, Gauge32, TimeTicks and Counter64 are unsigned on the wire: a
// leading zero octet keeps the top bit from reading as a sign.
void AppendUnsigned(std::string& out, std::uint8_t tag, std::uint64_t value);
void AppendOctets(std::string& out, std::uint8_t tag, std::string_view bytes);
// The contents octets of `oid` (at least two components).
void AppendOidContents(std::string& out, const Oid& oid);
void AppendOid(std::string& out, const Oid& oid);

}  // namespace dc::sim::ber
