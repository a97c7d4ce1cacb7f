#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "collectors/snmp/value_decode.h"

namespace dc::snmp {
namespace {

RawValue Integer(unsigned char type, std::int64_t value) {
  RawValue raw;
  raw.type = type;
  raw.integer = value;
  return raw;
}

RawValue Text(std::string_view text, unsigned char type = ASN_OCTET_STR) {
  RawValue raw;
  raw.type = type;
  raw.bytes = text;
  return raw;
}

RawValue Wide(unsigned char type, std::uint64_t value) {
  RawValue raw;
  raw.type = type;
  raw.counter64 = value;
  return raw;
}

RawValue Real(unsigned char type, double value) {
  RawValue raw;
  raw.type = type;
  raw.real = value;
  return raw;
}

struct NumberCase {
  const char* name;
  RawValue raw;
  ValueType type;
  bool ok;
  double value;        // when ok
  ErrorReason reason;  // when not ok
};

TEST(DecodeNumber, EveryAsnTypeAsTheProfileAsks) {
  const NumberCase cases[] = {
      {"negative integer",
       Integer(ASN_INTEGER, -40),
       ValueType::kNumber,
       true,
       -40,
       {}},
      {"counter32 top",
       Integer(ASN_COUNTER, 4294967295LL),
       ValueType::kNumber,
       true,
       4294967295.0,
       {}},
      {"gauge", Integer(ASN_GAUGE, 230), ValueType::kNumber, true, 230, {}},
      {"uinteger", Integer(ASN_UINTEGER, 7), ValueType::kNumber, true, 7, {}},
      {"timeticks as number",
       Integer(ASN_TIMETICKS, 12345),
       ValueType::kNumber,
       true,
       12345,
       {}},
      {"timeticks to seconds",
       Integer(ASN_TIMETICKS, 12345),
       ValueType::kTimeticks,
       true,
       123.45,
       {}},
      {"counter64 above 2^53",
       Wide(ASN_COUNTER64, 1ULL << 60),
       ValueType::kNumber,
       true,
       std::ldexp(1.0, 60),
       {}},
      {"opaque i64 negative",
       Wide(ASN_OPAQUE_I64, ~0ULL),
       ValueType::kNumber,
       true,
       -1,
       {}},
      {"opaque float",
       Real(ASN_OPAQUE_FLOAT, 21.5),
       ValueType::kNumber,
       true,
       21.5,
       {}},
      {"opaque double nan",
       Real(ASN_OPAQUE_DOUBLE, std::numeric_limits<double>::quiet_NaN()),
       ValueType::kNumber, false, 0, ErrorReason::kDecode},
      {"string number", Text("23.5"), ValueType::kStringNumber, true, 23.5, {}},
      {"string number with unit",
       Text(" 230 V"),
       ValueType::kStringNumber,
       true,
       230,
       {}},
      {"string number negative",
       Text("-12.25C"),
       ValueType::kStringNumber,
       true,
       -12.25,
       {}},
      {"string number plus sign",
       Text("+5"),
       ValueType::kStringNumber,
       true,
       5,
       {}},
      {"integer where string-number",
       Integer(ASN_INTEGER, 9),
       ValueType::kStringNumber,
       true,
       9,
       {}},
      {"string where number", Text("23.5"), ValueType::kNumber, false, 0,
       ErrorReason::kDecode},
      {"empty string", Text(""), ValueType::kStringNumber, false, 0,
       ErrorReason::kDecode},
      {"text without number", Text("n/a"), ValueType::kStringNumber, false, 0,
       ErrorReason::kDecode},
      {"infinity text", Text("inf"), ValueType::kStringNumber, false, 0,
       ErrorReason::kDecode},
      {"oversized text",
       Text(std::string_view("1234567890123456789012345678901234567890"
                             "12345678901234567890123456789")),
       ValueType::kStringNumber, false, 0, ErrorReason::kDecode},
      {"ip address", Text("\x7f\0\0\x01", ASN_IPADDRESS), ValueType::kNumber,
       false, 0, ErrorReason::kDecode},
      {"null", RawValue{}, ValueType::kNumber, false, 0, ErrorReason::kDecode},
      {"noSuchObject", Integer(SNMP_NOSUCHOBJECT, 0), ValueType::kNumber, false,
       0, ErrorReason::kNoSuchObject},
      {"noSuchInstance", Integer(SNMP_NOSUCHINSTANCE, 0), ValueType::kNumber,
       false, 0, ErrorReason::kNoSuchObject},
      {"endOfMibView", Integer(SNMP_ENDOFMIBVIEW, 0), ValueType::kNumber, false,
       0, ErrorReason::kEndOfMib},
  };
  for (const NumberCase& c : cases) {
    DecodedNumber got = DecodeNumber(c.raw, c.type);
    EXPECT_EQ(got.ok, c.ok) << c.name;
    if (c.ok && got.ok) {
      EXPECT_DOUBLE_EQ(got.value, c.value) << c.name;
    }
    if (!c.ok && !got.ok) {
      EXPECT_EQ(got.reason, c.reason) << c.name;
    }
  }
}

TEST(DecodeText, StringsHexAndNumbers) {
  struct TextCase {
    const char* name;
    RawValue raw;
    std::string want;
  };
  const TextCase cases[] = {
      {"trailing blanks and NULs go",
       Text(std::string_view("UPS 09.8 \0\0", 11)), "UPS 09.8"},
      {"binary becomes hex", Text(std::string_view("\x00\x1a\x2b\xff", 4)),
       "00:1A:2B:FF"},
      {"ip address",
       Text(std::string_view("\x0a\x00\x00\x01", 4), ASN_IPADDRESS),
       "10.0.0.1"},
      {"integer", Integer(ASN_INTEGER, -3), "-3"},
      {"counter64", Wide(ASN_COUNTER64, 18446744073709551615ULL),
       "18446744073709551615"},
      {"exception", Integer(SNMP_NOSUCHINSTANCE, 0), ""},
      {"empty", Text(""), ""},
  };
  for (const TextCase& c : cases) {
    EXPECT_EQ(DecodeText(c.raw), c.want) << c.name;
  }
}

TEST(DecodeText, ObjectIdentifier) {
  const oid value[] = {1, 3, 6, 1, 4, 1, 318};
  RawValue raw;
  raw.type = ASN_OBJECT_ID;
  raw.oid_value = OidView(value, 7);
  EXPECT_EQ(DecodeText(raw), "1.3.6.1.4.1.318");
}

TEST(FromVariable, ReadsNetSnmpVariables) {
  netsnmp_variable_list var{};
  long gauge = 4000000000L;
  snmp_set_var_typed_value(&var, ASN_GAUGE, &gauge, sizeof(gauge));
  RawValue raw = FromVariable(var);
  EXPECT_EQ(raw.type, ASN_GAUGE);
  EXPECT_EQ(raw.integer, 4000000000LL);
  snmp_free_var_internals(&var);

  netsnmp_variable_list big{};
  counter64 c{0x1, 0x2};
  snmp_set_var_typed_value(&big, ASN_COUNTER64, &c, sizeof(c));
  EXPECT_EQ(FromVariable(big).counter64, (1ULL << 32) | 2);
  snmp_free_var_internals(&big);

  netsnmp_variable_list text{};
  snmp_set_var_typed_value(&text, ASN_OCTET_STR, "12.5 A", 6);
  DecodedNumber number =
      DecodeNumber(FromVariable(text), ValueType::kStringNumber);
  EXPECT_TRUE(number.ok);
  EXPECT_DOUBLE_EQ(number.value, 12.5);
  snmp_free_var_internals(&text);
}

TEST(Oid, ParsesFormatsAndOrders) {
  EXPECT_EQ(ParseOid(".1.3.6.1"), (Oid{1, 3, 6, 1}));
  EXPECT_EQ(FormatOid(Oid{1, 3, 6, 1, 4294967295UL}), "1.3.6.1.4294967295");
  for (const char* bad : {"", ".", "1", "1..3", "1.3.", "1.3.x",
                          "1.3.4294967296", "iso.3.6", " 1.3"}) {
    EXPECT_FALSE(ParseOid(bad)) << bad;
  }
  Oid a{1, 3, 6, 1, 4, 1, 318, 1};
  Oid b{1, 3, 6, 1, 4, 1, 318, 10};
  EXPECT_TRUE(IsPrefix(Oid{1, 3, 6, 1, 4, 1, 318}, a));
  EXPECT_FALSE(IsPrefix(a, b));
  EXPECT_LT(Compare(a, b), 0);
  EXPECT_LT(Compare(Oid{1, 3}, Oid{1, 3, 0}), 0);
  EXPECT_EQ(Compare(a, a), 0);
}

}  // namespace
}  // namespace dc::snmp
