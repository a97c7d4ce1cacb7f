// Modbus TCP framing of the four read requests and their replies: the MBAP
// header (transaction, protocol, length, unit) followed by the PDU. Pure
// functions, so the byte layout is tested apart from any socket.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "collectors/modbus/register_types.h"
#include "collectors/modbus/transport.h"

namespace dc::modbus::mbap {

inline constexpr std::size_t kHeaderSize = 7;
// The length field counts the unit id and the PDU (at most 253 bytes) and
// follows the first 6 bytes: 6 + 1 + 253.
inline constexpr std::size_t kMaxFrameSize = 260;
inline constexpr std::size_t kRequestSize = 12;

struct ReadRequest {
  std::uint16_t transaction = 0;
  std::uint8_t unit = 1;
  Function function = Function::kHolding;
  std::uint16_t address = 0;
  std::uint16_t count = 0;
};

std::array<std::uint8_t, kRequestSize> Encode(const ReadRequest& request);

// The whole size of the frame whose first kHeaderSize bytes are `header`,
// or 0 when they cannot start a Modbus TCP frame (a protocol id other than
// 0, a length outside 2..254).
std::size_t FrameSize(std::span<const std::uint8_t> header);

// Checks that `frame` (exactly one frame, FrameSize bytes) answers
// `request` and stores its `request.count` items in `out`, bits as 0 or 1.
// An exception reply gives kIllegalAddress or kException with its code;
// anything that does not answer the request gives kBadReply.
ReadResult Decode(const ReadRequest& request,
                  std::span<const std::uint8_t> frame, std::uint16_t* out);

// The name of an exception code, as the specification spells it.
const char* ExceptionName(int code);

}  // namespace dc::modbus::mbap
