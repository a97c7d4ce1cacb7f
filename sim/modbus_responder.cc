#include "sim/modbus_responder.h"

namespace dc::sim {
namespace {

std::uint16_t Word(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

void AppendWord(std::string& out, std::uint16_t word) {
  out.push_back(static_cast<char>(word >> 8));
  out.push_back(static_cast<char>(word & 0xff));
}

// Writes the MBAP header for a PDU of `pdu_size` bytes that follows.
void AppendHeader(std::string& out, std::span<const std::uint8_t> request,
                  std::size_t pdu_size) {
  out.append(reinterpret_cast<const char*>(request.data()), 4);
  AppendWord(out, static_cast<std::uint16_t>(pdu_size + 1));
  out.push_back(static_cast<char>(request[6]));
}

}  // namespace

FrameStatus NextFrame(std::span<const std::uint8_t> buffer,
                      std::size_t& frame_size) {
  if (buffer.size() < modbus::kHeaderSize) {
    return FrameStatus::kIncomplete;
  }
  std::uint16_t protocol = Word(buffer, 2);
  std::uint16_t length = Word(buffer, 4);
  // Length counts the unit id and the PDU: at least a function code.
  if (protocol != 0 || length < 2 || length > modbus::kMaxPdu + 1) {
    return FrameStatus::kInvalid;
  }
  frame_size = 6 + std::size_t{length};
  return buffer.size() >= frame_size ? FrameStatus::kComplete
                                     : FrameStatus::kIncomplete;
}

void ModbusException(std::span<const std::uint8_t> request, std::uint8_t code,
                     std::string& response) {
  response.clear();
  AppendHeader(response, request, 2);
  response.push_back(static_cast<char>(request[7] | 0x80));
  response.push_back(static_cast<char>(code));
}

void AnswerModbus(std::span<const std::uint8_t> request,
                  const ModbusDeviceView& device,
                  std::vector<std::uint16_t>& scratch, std::string& response) {
  std::uint8_t unit = request[6];
  std::uint8_t function = request[7];
  std::span<const std::uint8_t> data = request.subspan(8);

  if (unit != device.unit && unit != 0 && unit != 0xff) {
    ModbusException(request, modbus::kGatewayTargetFailed, response);
    return;
  }
  if (function != modbus::kReadHolding && function != modbus::kReadInput) {
    ModbusException(request, modbus::kIllegalFunction, response);
    return;
  }
  if (data.size() != 4) {
    ModbusException(request, modbus::kIllegalDataValue, response);
    return;
  }

  std::uint16_t start = Word(data, 0);
  std::uint16_t count = Word(data, 2);
  if (count == 0 || count > 125) {
    ModbusException(request, modbus::kIllegalDataValue, response);
    return;
  }
  if (std::uint32_t{start} + count > 0x10000) {
    ModbusException(request, modbus::kIllegalDataAddress, response);
    return;
  }

  RegisterTable table = function == modbus::kReadInput
                            ? RegisterTable::kInput
                            : RegisterTable::kHolding;
  if (!device.map->Read(table, start, count, device.variables, scratch)) {
    ModbusException(request, modbus::kIllegalDataAddress, response);
    return;
  }

  response.clear();
  AppendHeader(response, request, 2 + 2 * std::size_t{count});
  response.push_back(static_cast<char>(function));
  response.push_back(static_cast<char>(2 * count));
  for (std::uint16_t word : scratch) {
    AppendWord(response, word);
  }
}

}  // namespace dc::sim
