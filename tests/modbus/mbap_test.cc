// The Modbus TCP frame layout, byte by byte, and every way a reply can fail
// to answer its request.
#include "collectors/modbus/mbap.h"

#include <gtest/gtest.h>

#include <vector>

namespace dc::modbus::mbap {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A reply frame around `pdu` (function code first) from `unit`.
Bytes Reply(std::uint16_t transaction, std::uint8_t unit, const Bytes& pdu) {
  const auto length = static_cast<std::uint16_t>(pdu.size() + 1);
  Bytes frame;
  frame.reserve(7 + pdu.size());
  for (std::uint16_t word : {transaction, std::uint16_t{0}, length}) {
    frame.push_back(static_cast<std::uint8_t>(word >> 8));
    frame.push_back(static_cast<std::uint8_t>(word));
  }
  frame.push_back(unit);
  for (std::uint8_t byte : pdu)
    frame.push_back(byte);
  return frame;
}

TEST(Mbap, EncodesAReadRequest) {
  auto bytes = Encode({0x1234, 7, Function::kInput, 0x0102, 0x0030});
  EXPECT_EQ(Bytes(bytes.begin(), bytes.end()),
            (Bytes{0x12, 0x34, 0, 0, 0, 6, 7, 4, 0x01, 0x02, 0x00, 0x30}));
}

TEST(Mbap, FrameSizeFollowsTheLengthField) {
  Bytes header = Reply(1, 1, {3, 4, 0, 1, 0, 2});
  EXPECT_EQ(FrameSize(header), header.size());
  header[2] = 1;  // protocol id 256: not Modbus
  EXPECT_EQ(FrameSize(header), 0u);
  EXPECT_EQ(FrameSize(Bytes{0, 1, 0, 0, 0, 1, 1}), 0u);  // no function code
  EXPECT_EQ(FrameSize(Bytes{0, 1, 0, 0, 1, 0, 1}), 0u);  // 256: too long
  EXPECT_EQ(FrameSize(Bytes{0, 1, 0, 0, 0, 254, 1}), kMaxFrameSize);
  EXPECT_EQ(FrameSize(Bytes{0, 1, 0, 0}), 0u);  // not a whole header
}

TEST(Mbap, DecodesRegistersAndBits) {
  std::uint16_t out[16] = {};
  ReadRequest holding{9, 1, Function::kHolding, 100, 2};
  ASSERT_TRUE(
      Decode(holding, Reply(9, 1, {3, 4, 0x43, 0x66, 0x20, 0x00}), out).ok());
  EXPECT_EQ(out[0], 0x4366);
  EXPECT_EQ(out[1], 0x2000);

  // Ten coils in two bytes, least significant bit first.
  ReadRequest coils{10, 1, Function::kCoil, 0, 10};
  ASSERT_TRUE(Decode(coils, Reply(10, 1, {1, 2, 0b1000'0101, 0b10}), out).ok());
  const std::uint16_t bits[] = {1, 0, 1, 0, 0, 0, 0, 1, 0, 1};
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(out[i], bits[i]) << i;
}

TEST(Mbap, ExceptionRepliesCarryTheirCode) {
  std::uint16_t out[2] = {};
  ReadRequest request{5, 3, Function::kInput, 0, 2};
  ReadResult illegal = Decode(request, Reply(5, 3, {0x84, 2}), out);
  EXPECT_EQ(illegal.status, ReadStatus::kIllegalAddress);
  EXPECT_EQ(illegal.exception_code, 2);
  ReadResult busy = Decode(request, Reply(5, 3, {0x84, 6}), out);
  EXPECT_EQ(busy.status, ReadStatus::kException);
  EXPECT_EQ(busy.exception_code, 6);
  EXPECT_NE(busy.message.find("server device busy"), std::string::npos)
      << busy.message;
}

TEST(Mbap, RepliesThatDoNotAnswerTheRequestAreBad) {
  std::uint16_t out[2] = {};
  ReadRequest request{5, 3, Function::kInput, 0, 2};
  const Bytes good = {4, 4, 0, 1, 0, 2};
  ASSERT_TRUE(Decode(request, Reply(5, 3, good), out).ok());

  struct Case {
    const char* what;
    Bytes frame;
    const char* message;
  };
  const Case cases[] = {
      {"another transaction", Reply(4, 3, good), "transaction 4, expected 5"},
      {"another unit", Reply(5, 2, good), "unit 2, expected 3"},
      {"another function", Reply(5, 3, {3, 4, 0, 1, 0, 2}), "function 3"},
      {"another function's exception", Reply(5, 3, {0x83, 2}), "function 131"},
      {"too few data bytes", Reply(5, 3, {4, 2, 0, 1}), "2 data bytes"},
      {"byte count and length disagree", Reply(5, 3, {4, 4, 0, 1, 0}),
       "expected 4"},
      {"no byte count", Reply(5, 3, {4}), "0 data bytes"},
      {"exception without a code", Reply(5, 3, {0x84}), "wrong length"},
  };
  for (const Case& c : cases) {
    ReadResult r = Decode(request, c.frame, out);
    EXPECT_EQ(r.status, ReadStatus::kBadReply) << c.what;
    EXPECT_NE(r.message.find(c.message), std::string::npos)
        << c.what << ": " << r.message;
  }
  Bytes cut = Reply(5, 3, good);
  cut.pop_back();
  EXPECT_EQ(Decode(request, cut, out).status, ReadStatus::kBadReply);
}

}  // namespace
}  // namespace dc::modbus::mbap
