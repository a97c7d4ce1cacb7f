// Answers Modbus TCP requests from a RegisterMap: FC03 (read holding) and
// FC04 (read input registers); other function codes get "illegal function",
// a range with no register "illegal data address", a bad quantity "illegal
// data value", as a device would.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/register_map.h"

namespace dc::sim {

namespace modbus {
inline constexpr std::uint8_t kReadHolding = 0x03;
inline constexpr std::uint8_t kReadInput = 0x04;
inline constexpr std::uint8_t kIllegalFunction = 0x01;
inline constexpr std::uint8_t kIllegalDataAddress = 0x02;
inline constexpr std::uint8_t kIllegalDataValue = 0x03;
inline constexpr std::uint8_t kServerFailure = 0x04;
inline constexpr std::uint8_t kGatewayTargetFailed = 0x0b;
// MBAP header (transaction, protocol, length, unit).
inline constexpr std::size_t kHeaderSize = 7;
// The largest PDU Modbus allows.
inline constexpr std::size_t kMaxPdu = 253;
}  // namespace modbus

struct ModbusDeviceView {
  const RegisterMap* map = nullptr;
  std::span<const double> variables;
  std::uint8_t unit = 1;
};

enum class FrameStatus {
  kComplete,    // `frame_size` bytes hold one request
  kIncomplete,  // wait for more bytes
  kInvalid,     // not Modbus TCP: close the connection
};

// Looks at the front of a connection's buffer for one MBAP frame.
FrameStatus NextFrame(std::span<const std::uint8_t> buffer,
                      std::size_t& frame_size);

// Answers the complete frame `request` into `response` (a whole MBAP frame).
// A unit id that is neither the device's nor 0/255 gets "gateway target
// failed to respond", as a gateway in front of the device would answer.
void AnswerModbus(std::span<const std::uint8_t> request,
                  const ModbusDeviceView& device,
                  std::vector<std::uint16_t>& scratch, std::string& response);

// The exception response frame for `request` with `code`.
void ModbusException(std::span<const std::uint8_t> request, std::uint8_t code,
                     std::string& response);

}  // namespace dc::sim
