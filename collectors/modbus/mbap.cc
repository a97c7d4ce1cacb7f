#include "collectors/modbus/mbap.h"

#include <fmt/format.h>

namespace dc::modbus::mbap {
namespace {

std::uint16_t Word(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

std::size_t ExpectedByteCount(Function function, std::uint16_t count) {
  return IsBitFunction(function) ? (count + 7u) / 8u : count * 2u;
}

ReadResult BadReply(std::string message) {
  return {ReadStatus::kBadReply, 0, std::move(message)};
}

}  // namespace

std::array<std::uint8_t, kRequestSize> Encode(const ReadRequest& r) {
  auto high = [](std::uint16_t v) { return static_cast<std::uint8_t>(v >> 8); };
  auto low = [](std::uint16_t v) { return static_cast<std::uint8_t>(v); };
  return {high(r.transaction),
          low(r.transaction),
          0,
          0,  // protocol 0: Modbus
          0,
          6,  // unit id and the 5-byte PDU follow
          r.unit,
          static_cast<std::uint8_t>(r.function),
          high(r.address),
          low(r.address),
          high(r.count),
          low(r.count)};
}

std::size_t FrameSize(std::span<const std::uint8_t> header) {
  if (header.size() < kHeaderSize || Word(header, 2) != 0)
    return 0;
  std::size_t length = Word(header, 4);
  if (length < 2 || length > kMaxFrameSize - 6)
    return 0;
  return 6 + length;
}

ReadResult Decode(const ReadRequest& request,
                  std::span<const std::uint8_t> frame, std::uint16_t* out) {
  if (frame.size() < kHeaderSize + 1 || FrameSize(frame) != frame.size())
    return BadReply("not a Modbus TCP frame");
  if (Word(frame, 0) != request.transaction) {
    return BadReply(fmt::format("reply to transaction {}, expected {}",
                                Word(frame, 0), request.transaction));
  }
  if (frame[6] != request.unit) {
    return BadReply(
        fmt::format("reply from unit {}, expected {}", frame[6], request.unit));
  }
  const auto function = static_cast<std::uint8_t>(request.function);
  const std::uint8_t replied = frame[7];
  if (replied == (function | 0x80)) {
    if (frame.size() != kHeaderSize + 2)
      return BadReply("exception reply of the wrong length");
    const int code = frame[8];
    return {code == 2 ? ReadStatus::kIllegalAddress : ReadStatus::kException,
            code, fmt::format("exception {}: {}", code, ExceptionName(code))};
  }
  if (replied != function) {
    return BadReply(
        fmt::format("reply with function {}, expected {}", replied, function));
  }
  const std::size_t bytes = ExpectedByteCount(request.function, request.count);
  const bool counted = frame.size() >= kHeaderSize + 2;
  const std::size_t present = counted ? frame.size() - kHeaderSize - 2 : 0;
  if (!counted || present != bytes || frame[8] != bytes) {
    return BadReply(
        fmt::format("reply with {} data bytes (byte count {}), expected {}",
                    present, counted ? frame[8] : 0, bytes));
  }
  const auto data = frame.subspan(kHeaderSize + 2);
  if (IsBitFunction(request.function)) {
    for (std::size_t i = 0; i < request.count; ++i)
      out[i] = (data[i / 8] >> (i % 8)) & 1u;
  } else {
    for (std::size_t i = 0; i < request.count; ++i)
      out[i] = Word(data, 2 * i);
  }
  return {};
}

const char* ExceptionName(int code) {
  switch (code) {
    case 1:
      return "illegal function";
    case 2:
      return "illegal data address";
    case 3:
      return "illegal data value";
    case 4:
      return "server device failure";
    case 5:
      return "acknowledge";
    case 6:
      return "server device busy";
    case 8:
      return "memory parity error";
    case 10:
      return "gateway path unavailable";
    case 11:
      return "gateway target device failed to respond";
    default:
      return "unknown exception code";
  }
}

}  // namespace dc::modbus::mbap
