// Turning one SNMP value into a number (for metrics) or a text (for labels
// and dc_device_info). Pure functions over a plain view of the value, so
// they are tested and fuzzed without net-snmp sessions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/snmp/netsnmp.h"

#include "collectors/common/sample.h"
#include "collectors/snmp/oid.h"

namespace dc::snmp {

// How a profile says a value is to be read (`type` key of a metric).
enum class ValueType {
  kNumber,        // INTEGER, Counter32/64, Gauge32, TimeTicks, Opaque floats
  kTimeticks,     // a number in hundredths of a second, served in seconds
  kStringNumber,  // an OCTET STRING holding a number ("23.5", "230 V")
};

// One varbind value as net-snmp decoded it. `type` is the ASN.1 tag
// (ASN_INTEGER, ASN_COUNTER, ..., SNMP_NOSUCHOBJECT). Only the field the
// type uses is meaningful; `bytes` points into the PDU and lives as long
// as it does.
struct RawValue {
  unsigned char type = ASN_NULL;
  std::int64_t integer = 0;     // INTEGER (signed), 32-bit unsigned types
  std::uint64_t counter64 = 0;  // Counter64 and Opaque U64/I64
  double real = 0;              // Opaque float and double
  std::string_view bytes;       // OCTET STRING, IpAddress, Opaque
  OidView oid_value;            // OBJECT IDENTIFIER
};

// The view of a net-snmp variable. Never fails: a value net-snmp could
// not hold (missing buffer) becomes ASN_NULL, which decodes as an error.
RawValue FromVariable(const netsnmp_variable_list& var);

// A number, or why there is none.
struct DecodedNumber {
  bool ok = false;
  double value = 0;
  ErrorReason reason = ErrorReason::kDecode;
};

// Reads `raw` as `type` asks. noSuchObject and noSuchInstance give
// kNoSuchObject, endOfMibView kEndOfMib, anything else unusable kDecode.
DecodedNumber DecodeNumber(const RawValue& raw, ValueType type);

// The leading decimal number of a text ("  23.5 C" is 23.5); nullopt for
// text without one, for text longer than 64 bytes and for non-finite
// numbers.
std::optional<double> ParseLeadingNumber(std::string_view text);

// The text of a value for a label: strings lose trailing blanks and NULs,
// strings with other unprintable bytes (MAC addresses, serials stored as
// binary) become colon-separated upper-case hex, numbers become decimal,
// OIDs dotted decimal. Empty for exceptions and NULL.
std::string DecodeText(const RawValue& raw);

}  // namespace dc::snmp
