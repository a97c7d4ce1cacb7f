#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "collectors/modbus/register_types.h"

namespace dc::modbus {
namespace {

struct NumberCase {
  std::vector<std::uint16_t> registers;
  DataType type;
  WordOrder order;
  double expected;
  bool sentinel;
};

// 123456.0f = 0x47F12000, the vector every Modbus tool agrees on.
const NumberCase kCases[] = {
    {{0x47F1, 0x2000}, DataType::kFloat32, WordOrder::kABCD, 123456.0, false},
    {{0x2000, 0x47F1}, DataType::kFloat32, WordOrder::kCDAB, 123456.0, false},
    {{0xF147, 0x0020}, DataType::kFloat32, WordOrder::kBADC, 123456.0, false},
    {{0x0020, 0xF147}, DataType::kFloat32, WordOrder::kDCBA, 123456.0, false},
    {{0x7FC0, 0x0000}, DataType::kFloat32, WordOrder::kABCD, NAN, true},
    {{0xFFFE}, DataType::kInt16, WordOrder::kABCD, -2, false},
    {{0xFEFF}, DataType::kInt16, WordOrder::kBADC, -2, false},
    {{0x8000}, DataType::kInt16, WordOrder::kABCD, -32768, true},
    {{0xFFFF}, DataType::kUint16, WordOrder::kABCD, 65535, true},
    {{0x1234}, DataType::kUint16, WordOrder::kABCD, 0x1234, false},
    {{0x0001, 0x0002}, DataType::kUint32, WordOrder::kABCD, 65538, false},
    {{0x0002, 0x0001}, DataType::kUint32, WordOrder::kCDAB, 65538, false},
    {{0x0100, 0x0200}, DataType::kUint32, WordOrder::kBADC, 65538, false},
    {{0x0200, 0x0100}, DataType::kUint32, WordOrder::kDCBA, 65538, false},
    {{0xFFFF, 0xFFFE}, DataType::kInt32, WordOrder::kABCD, -2, false},
    {{0x8000, 0x0000}, DataType::kInt32, WordOrder::kABCD, -2147483648.0, true},
    {{0xFFFF, 0xFFFF}, DataType::kUint32, WordOrder::kABCD, 4294967295.0, true},
    // 2^40 + 5 in every order of four registers.
    {{0x0000, 0x0100, 0x0000, 0x0005},
     DataType::kInt64,
     WordOrder::kABCD,
     1099511627781.0,
     false},
    {{0x0005, 0x0000, 0x0100, 0x0000},
     DataType::kInt64,
     WordOrder::kCDAB,
     1099511627781.0,
     false},
    {{0x0000, 0x0001, 0x0000, 0x0500},
     DataType::kUint64,
     WordOrder::kBADC,
     1099511627781.0,
     false},
    {{0x0500, 0x0000, 0x0001, 0x0000},
     DataType::kUint64,
     WordOrder::kDCBA,
     1099511627781.0,
     false},
    {{0xFFFF, 0xFFFF, 0xFFFF, 0xFFFD},
     DataType::kInt64,
     WordOrder::kABCD,
     -3,
     false},
    {{0x8000, 0x0000, 0x0000, 0x0000},
     DataType::kInt64,
     WordOrder::kABCD,
     -9223372036854775808.0,
     true},
    {{0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF},
     DataType::kUint64,
     WordOrder::kABCD,
     18446744073709551615.0,
     true},
    // 1.5 as float64 is 0x3FF8000000000000.
    {{0x3FF8, 0x0000, 0x0000, 0x0000},
     DataType::kFloat64,
     WordOrder::kABCD,
     1.5,
     false},
    {{0x0000, 0x0000, 0x0000, 0x3FF8},
     DataType::kFloat64,
     WordOrder::kCDAB,
     1.5,
     false},
    {{0xF83F, 0x0000, 0x0000, 0x0000},
     DataType::kFloat64,
     WordOrder::kBADC,
     1.5,
     false},
    {{0x0000, 0x0000, 0x0000, 0xF83F},
     DataType::kFloat64,
     WordOrder::kDCBA,
     1.5,
     false},
};

TEST(RegisterTypes, DecodesEveryTypeInEveryWordOrder) {
  for (const NumberCase& c : kCases) {
    SCOPED_TRACE(testing::Message() << ToString(c.type) << " "
                                    << ToString(c.order) << " " << c.expected);
    Decoded d = DecodeNumber(c.registers, c.type, c.order);
    EXPECT_EQ(d.sentinel, c.sentinel);
    if (std::isnan(c.expected)) {
      EXPECT_TRUE(std::isnan(d.value));
    } else {
      EXPECT_EQ(d.value, c.expected);
    }
  }
}

TEST(RegisterTypes, AssemblesTheTestVectorFromAllFourOrders) {
  const std::vector<std::vector<std::uint16_t>> wire = {
      {0x47F1, 0x2000}, {0x2000, 0x47F1}, {0xF147, 0x0020}, {0x0020, 0xF147}};
  const WordOrder orders[] = {WordOrder::kABCD, WordOrder::kCDAB,
                              WordOrder::kBADC, WordOrder::kDCBA};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(AssembleBigEndian(wire[i], orders[i]), 0x47F12000u)
        << ToString(orders[i]);
  }
}

TEST(RegisterTypes, StringsTrimPaddingAndHideControlBytes) {
  // "SMT1500" high byte first, NUL padded.
  std::vector<std::uint16_t> high = {0x534D, 0x5431, 0x3530, 0x3000, 0x0000};
  EXPECT_EQ(DecodeString(high, WordOrder::kABCD), "SMT1500");
  // Socomec writes the low byte first.
  std::vector<std::uint16_t> low = {0x4944, 0x5947, 0x2053, 0x2020};
  EXPECT_EQ(DecodeString(low, WordOrder::kBADC), "DIGYS");
  EXPECT_EQ(DecodeString({{0x0000, 0x4142}}, WordOrder::kABCD), "AB");
  EXPECT_EQ(DecodeString({{0x4107, 0x4200}}, WordOrder::kABCD), "A?B");
  EXPECT_EQ(DecodeString({{0x0000}}, WordOrder::kABCD), "");
}

TEST(RegisterTypes, NamesRoundTrip) {
  for (auto name : {"int16", "uint16", "int32", "uint32", "int64", "uint64",
                    "float32", "float64", "string", "bool"}) {
    auto type = ParseDataType(name);
    ASSERT_TRUE(type) << name;
    EXPECT_EQ(ToString(*type), name);
  }
  for (auto name : {"ABCD", "CDAB", "BADC", "DCBA"}) {
    auto order = ParseWordOrder(name);
    ASSERT_TRUE(order) << name;
    EXPECT_EQ(ToString(*order), name);
  }
  EXPECT_FALSE(ParseWordOrder("abcd"));
  EXPECT_FALSE(ParseDataType("float"));
  EXPECT_EQ(RegisterCount(DataType::kFloat64), 4);
  EXPECT_EQ(RegisterCount(DataType::kInt32), 2);
}

}  // namespace
}  // namespace dc::modbus
