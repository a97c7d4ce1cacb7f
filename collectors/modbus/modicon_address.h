// Register numbers as vendor manuals print them ("Modicon" notation) and
// their conversion to the function code and 0-based address on the wire.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "collectors/modbus/register_types.h"

namespace dc::modbus {

struct WireRegister {
  Function function = Function::kHolding;
  std::uint16_t address = 0;  // 0-based, as sent in the request PDU
};

// Converts a Modicon register number to the wire. The leading digit names
// the table and the rest is 1-based:
//   0xxxx / 0xxxxx  coil            00001 -> FC01 address 0
//   1xxxx / 1xxxxx  discrete input  10001 -> FC02 address 0
//   3xxxx / 3xxxxx  input register  30001 -> FC04 address 0
//   4xxxx / 4xxxxx  holding         40001 -> FC03 address 0
// Also accepted: "3x0001" / "4x0001" style, and for coils the bare numbers
// 1..9999. Five digits reach register 9999, six digits reach 65536.
// Returns a message saying what is wrong otherwise.
std::expected<WireRegister, std::string> ParseModicon(std::string_view text);

}  // namespace dc::modbus
