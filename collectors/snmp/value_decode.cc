#include "collectors/snmp/value_decode.h"

#include <charconv>
#include <cmath>

namespace dc::snmp {
namespace {

// Strings longer than this are not numbers a device meant to report.
constexpr std::size_t kMaxNumberText = 64;

DecodedNumber Number(double value) {
  return {true, value, {}};
}
DecodedNumber Failure(ErrorReason reason) {
  return {false, 0, reason};
}

bool IsException(unsigned char type) {
  return type == SNMP_NOSUCHOBJECT || type == SNMP_NOSUCHINSTANCE ||
         type == SNMP_ENDOFMIBVIEW;
}

}  // namespace

RawValue FromVariable(const netsnmp_variable_list& var) {
  RawValue raw;
  raw.type = var.type;
  switch (var.type) {
    case ASN_INTEGER:
      if (var.val.integer)
        raw.integer = *var.val.integer;
      else
        raw.type = ASN_NULL;
      break;
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
    case ASN_UINTEGER:
      // net-snmp keeps the 32-bit unsigned value in a long.
      if (var.val.integer) {
        raw.integer = static_cast<std::int64_t>(
            static_cast<std::uint32_t>(*var.val.integer));
      } else {
        raw.type = ASN_NULL;
      }
      break;
    case ASN_COUNTER64:
    case ASN_OPAQUE_COUNTER64:
    case ASN_OPAQUE_U64:
    case ASN_OPAQUE_I64:
      if (var.val.counter64) {
        raw.counter64 =
            (static_cast<std::uint64_t>(var.val.counter64->high & 0xFFFFFFFF)
             << 32) |
            (var.val.counter64->low & 0xFFFFFFFF);
      } else {
        raw.type = ASN_NULL;
      }
      break;
    case ASN_OPAQUE_FLOAT:
      if (var.val.floatVal)
        raw.real = *var.val.floatVal;
      else
        raw.type = ASN_NULL;
      break;
    case ASN_OPAQUE_DOUBLE:
      if (var.val.doubleVal)
        raw.real = *var.val.doubleVal;
      else
        raw.type = ASN_NULL;
      break;
    case ASN_OCTET_STR:
    case ASN_IPADDRESS:
    case ASN_OPAQUE:
      if (var.val.string || var.val_len == 0) {
        raw.bytes = std::string_view(
            reinterpret_cast<const char*>(var.val.string), var.val_len);
      } else {
        raw.type = ASN_NULL;
      }
      break;
    case ASN_OBJECT_ID:
      if (var.val.objid) {
        raw.oid_value = OidView(var.val.objid, var.val_len / sizeof(oid));
      } else {
        raw.type = ASN_NULL;
      }
      break;
    default:
      break;
  }
  return raw;
}

std::optional<double> ParseLeadingNumber(std::string_view text) {
  if (text.size() > kMaxNumberText)
    return std::nullopt;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  if (!text.empty() && text.front() == '+')
    text.remove_prefix(1);
  if (text.empty())
    return std::nullopt;

  // Only plain decimal notation: "inf", "nan" and hex floats are not
  // readings.
  char first = text.front();
  if (!(first == '-' || first == '.' || (first >= '0' && first <= '9'))) {
    return std::nullopt;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   value, std::chars_format::general);
  if (ec != std::errc() || !std::isfinite(value))
    return std::nullopt;
  (void)end;
  return value;
}

DecodedNumber DecodeNumber(const RawValue& raw, ValueType type) {
  if (raw.type == SNMP_NOSUCHOBJECT || raw.type == SNMP_NOSUCHINSTANCE) {
    return Failure(ErrorReason::kNoSuchObject);
  }
  if (raw.type == SNMP_ENDOFMIBVIEW)
    return Failure(ErrorReason::kEndOfMib);

  double value = 0;
  switch (raw.type) {
    case ASN_INTEGER:
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
    case ASN_UINTEGER:
      value = static_cast<double>(raw.integer);
      break;
    case ASN_COUNTER64:
    case ASN_OPAQUE_COUNTER64:
    case ASN_OPAQUE_U64:
      value = static_cast<double>(raw.counter64);
      break;
    case ASN_OPAQUE_I64:
      value = static_cast<double>(static_cast<std::int64_t>(raw.counter64));
      break;
    case ASN_OPAQUE_FLOAT:
    case ASN_OPAQUE_DOUBLE:
      if (!std::isfinite(raw.real))
        return Failure(ErrorReason::kDecode);
      value = raw.real;
      break;
    case ASN_OCTET_STR: {
      if (type != ValueType::kStringNumber) {
        return Failure(ErrorReason::kDecode);
      }
      auto parsed = ParseLeadingNumber(raw.bytes);
      if (!parsed)
        return Failure(ErrorReason::kDecode);
      value = *parsed;
      break;
    }
    default:
      return Failure(ErrorReason::kDecode);
  }
  if (type == ValueType::kTimeticks)
    value /= 100;
  return Number(value);
}

std::string DecodeText(const RawValue& raw) {
  if (IsException(raw.type))
    return {};
  switch (raw.type) {
    case ASN_OCTET_STR:
    case ASN_OPAQUE: {
      std::string_view text = raw.bytes;
      while (!text.empty() && (text.back() == ' ' || text.back() == '\0' ||
                               text.back() == '\n' || text.back() == '\r' ||
                               text.back() == '\t')) {
        text.remove_suffix(1);
      }
      bool printable = true;
      for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7F) {
          printable = false;
          break;
        }
      }
      if (printable)
        return std::string(text);
      // Binary: the whole value as hex, trailing NULs included, since
      // they are part of a binary identifier.
      static constexpr char kHex[] = "0123456789ABCDEF";
      std::string hex;
      hex.reserve(raw.bytes.size() * 3);
      for (std::size_t i = 0; i < raw.bytes.size(); ++i) {
        auto u = static_cast<unsigned char>(raw.bytes[i]);
        if (i)
          hex += ':';
        hex += kHex[u >> 4];
        hex += kHex[u & 0xF];
      }
      return hex;
    }
    case ASN_IPADDRESS: {
      if (raw.bytes.size() != 4)
        return {};
      std::string out;
      for (std::size_t i = 0; i < 4; ++i) {
        if (i)
          out += '.';
        out += std::to_string(static_cast<unsigned char>(raw.bytes[i]));
      }
      return out;
    }
    case ASN_OBJECT_ID:
      return FormatOid(raw.oid_value);
    case ASN_INTEGER:
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
    case ASN_UINTEGER:
      return std::to_string(raw.integer);
    case ASN_COUNTER64:
    case ASN_OPAQUE_COUNTER64:
    case ASN_OPAQUE_U64:
      return std::to_string(raw.counter64);
    case ASN_OPAQUE_I64:
      return std::to_string(static_cast<std::int64_t>(raw.counter64));
    case ASN_OPAQUE_FLOAT:
    case ASN_OPAQUE_DOUBLE: {
      char buffer[32];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), raw.real);
      return ec == std::errc() ? std::string(buffer, end) : std::string();
    }
    default:
      return {};
  }
}

}  // namespace dc::snmp
