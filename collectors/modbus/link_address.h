// Target addresses of Modbus devices: "tcp:HOST[:PORT]" for Modbus TCP and
// "rtu:DEVICE?baud=9600&parity=N&data_bits=8&stop_bits=1" for RTU on a
// serial line.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace dc::modbus {

struct SerialSettings {
  std::string device;  // e.g. /dev/ttyUSB0
  int baud = 9600;
  char parity = 'N';  // N, E or O
  int data_bits = 8;  // 5 to 8
  int stop_bits = 1;  // 1 or 2

  friend bool operator==(const SerialSettings&,
                         const SerialSettings&) = default;
};

struct LinkAddress {
  enum class Kind { kTcp, kRtu };
  Kind kind = Kind::kTcp;
  std::string host;  // TCP
  int port = 502;    // TCP
  SerialSettings serial;

  // Identifies the connection: devices whose addresses have the same key
  // sit behind one gateway or on one bus and share its request queue.
  std::string Key() const;
};

// Parses a target address; the message names what is wrong.
std::expected<LinkAddress, std::string> ParseLinkAddress(std::string_view text);

}  // namespace dc::modbus
