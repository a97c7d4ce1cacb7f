#include "collectors/modbus/modicon_address.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace dc::modbus {

std::expected<WireRegister, std::string> ParseModicon(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return std::unexpected(
        fmt::format("'{}' is not a Modicon register number: {}", text, why));
  };

  // "4x0001" names the table with an explicit separator.
  std::string digits;
  if (text.size() >= 3 && (text[1] == 'x' || text[1] == 'X')) {
    std::string_view number = text.substr(2);
    digits.push_back(text[0]);
    if (number.size() < 4)
      digits.append(4 - number.size(), '0');
    digits.append(number);
  } else {
    digits = std::string(text);
  }
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return bad("expected digits such as 30001, 400001 or 4x0001");
  }

  // A bare coil number (1..9999) has lost its leading zero.
  if (digits.size() < 5)
    digits = std::string(5 - digits.size(), '0') + digits;
  if (digits.size() > 6)
    return bad("more than six digits");

  WireRegister out;
  switch (digits[0]) {
    case '0':
      out.function = Function::kCoil;
      break;
    case '1':
      out.function = Function::kDiscreteInput;
      break;
    case '3':
      out.function = Function::kInput;
      break;
    case '4':
      out.function = Function::kHolding;
      break;
    default:
      return bad("the first digit must be 0, 1, 3 or 4");
  }

  unsigned number = 0;
  std::from_chars(digits.data() + 1, digits.data() + digits.size(), number);
  if (number < 1)
    return bad("register numbers start at 1");
  if (number > 65536)
    return bad("beyond register 65536");
  out.address = static_cast<std::uint16_t>(number - 1);
  return out;
}

}  // namespace dc::modbus
