#include <gtest/gtest.h>

#include <bit>
#include <string>
#include <vector>

#include "sim/modbus_responder.h"

namespace dc::sim {
namespace {

std::string Frame(std::uint8_t unit, std::uint8_t function, std::uint16_t start,
                  std::uint16_t count) {
  std::string f = {'\x12',
                   '\x34',
                   '\0',
                   '\0',
                   '\0',
                   '\x06',
                   static_cast<char>(unit),
                   static_cast<char>(function)};
  f += static_cast<char>(start >> 8);
  f += static_cast<char>(start & 0xff);
  f += static_cast<char>(count >> 8);
  f += static_cast<char>(count & 0xff);
  return f;
}

std::span<const std::uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::uint16_t WordAt(const std::string& s, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(s[at]) << 8) |
                                    static_cast<std::uint8_t>(s[at + 1]));
}

class Modbus : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterEntry volts;
    volts.address = 0;
    volts.type = RegisterType::kFloat32;
    volts.var = 0;
    map_.Add(volts);
    RegisterEntry swapped = volts;
    swapped.address = 4;
    swapped.word_order = WordOrder::kLowFirst;
    map_.Add(swapped);
    RegisterEntry state;
    state.table = RegisterTable::kHolding;
    state.address = 99;
    state.type = RegisterType::kInt16;
    state.var = 1;
    state.scale = 10;
    map_.Add(state);
    ASSERT_TRUE(map_.Finish(nullptr));
    view_.map = &map_;
    view_.variables = variables_;
    view_.unit = 1;
  }

  std::string Ask(const std::string& frame) {
    std::size_t size = 0;
    EXPECT_EQ(NextFrame(Span(frame), size), FrameStatus::kComplete);
    EXPECT_EQ(size, frame.size());
    std::string out;
    AnswerModbus(Span(frame), view_, scratch_, out);
    return out;
  }

  RegisterMap map_;
  double variables_[2] = {123456.0, -4.56};
  ModbusDeviceView view_;
  std::vector<std::uint16_t> scratch_;
};

TEST_F(Modbus, Float32InBothWordOrders) {
  // 123456.0f = 0x47F12000: ABCD = [0x47F1, 0x2000], CDAB = [0x2000, 0x47F1].
  std::string out = Ask(Frame(1, 4, 0, 6));
  ASSERT_EQ(out.size(), 9u + 12);
  EXPECT_EQ(WordAt(out, 0), 0x1234);  // transaction id echoed
  EXPECT_EQ(WordAt(out, 4), 3 + 12);  // length: unit + fc + count + data
  EXPECT_EQ(static_cast<std::uint8_t>(out[8]), 12);
  EXPECT_EQ(WordAt(out, 9), 0x47F1);
  EXPECT_EQ(WordAt(out, 11), 0x2000);
  EXPECT_EQ(WordAt(out, 13), 0);  // gap between values reads zero
  EXPECT_EQ(WordAt(out, 17), 0x2000);
  EXPECT_EQ(WordAt(out, 19), 0x47F1);
}

TEST_F(Modbus, ReadStartingInsideAValueGetsItsLowWord) {
  std::string out = Ask(Frame(1, 4, 1, 1));
  EXPECT_EQ(WordAt(out, 9), 0x2000);
}

TEST_F(Modbus, HoldingIntegerIsScaledAndSigned) {
  std::string out = Ask(Frame(1, 3, 99, 1));
  EXPECT_EQ(static_cast<std::int16_t>(WordAt(out, 9)), -46);
}

TEST_F(Modbus, ExceptionsForBadRequests) {
  struct Case {
    std::string frame;
    std::uint8_t function;
    std::uint8_t code;
  };
  const Case cases[] = {
      {Frame(1, 6, 0, 1), 0x86, modbus::kIllegalFunction},
      {Frame(1, 4, 1000, 2), 0x84, modbus::kIllegalDataAddress},
      {Frame(1, 3, 0, 2), 0x83, modbus::kIllegalDataAddress},
      {Frame(1, 4, 0, 0), 0x84, modbus::kIllegalDataValue},
      {Frame(1, 4, 0, 126), 0x84, modbus::kIllegalDataValue},
      {Frame(7, 4, 0, 2), 0x84, modbus::kGatewayTargetFailed},
  };
  for (const Case& c : cases) {
    std::string out = Ask(c.frame);
    ASSERT_EQ(out.size(), 9u);
    EXPECT_EQ(WordAt(out, 4), 3);
    EXPECT_EQ(static_cast<std::uint8_t>(out[7]), c.function);
    EXPECT_EQ(static_cast<std::uint8_t>(out[8]), c.code);
  }
}

TEST(ModbusFraming, WaitsForWholeFramesAndRejectsOtherProtocols) {
  std::string frame = Frame(1, 4, 0, 2);
  std::size_t size = 0;
  EXPECT_EQ(NextFrame(Span(frame.substr(0, 5)), size),
            FrameStatus::kIncomplete);
  EXPECT_EQ(NextFrame(Span(frame.substr(0, 10)), size),
            FrameStatus::kIncomplete);
  std::string two = frame + frame;
  EXPECT_EQ(NextFrame(Span(two), size), FrameStatus::kComplete);
  EXPECT_EQ(size, frame.size());
  std::string other = frame;
  other[3] = 1;  // protocol id must be 0
  EXPECT_EQ(NextFrame(Span(other), size), FrameStatus::kInvalid);
  std::string huge = frame;
  huge[4] = 1;  // length 262
  EXPECT_EQ(NextFrame(Span(huge), size), FrameStatus::kInvalid);
}

TEST(RegisterMapBuild, RejectsOverlappingValues) {
  RegisterMap map;
  RegisterEntry a;
  a.address = 10;
  a.type = RegisterType::kFloat32;
  RegisterEntry b;
  b.address = 11;
  map.Add(a);
  map.Add(b);
  std::string error;
  EXPECT_FALSE(map.Finish(&error));
  EXPECT_NE(error.find("input register 11 overlaps the value at 10"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace dc::sim
