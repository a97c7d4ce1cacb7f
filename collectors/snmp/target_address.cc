#include "collectors/snmp/target_address.h"

#include <charconv>

#include <fmt/format.h>

namespace dc::snmp {

bool CheckSnmpAddress(std::string_view address, std::string& error) {
  std::string_view rest = address;
  bool v6 = false;
  if (rest.starts_with("udp6:")) {
    rest.remove_prefix(5);
    v6 = true;
  } else if (rest.starts_with("udp:")) {
    rest.remove_prefix(4);
  } else if (rest.find(':') != rest.npos && !rest.starts_with("[")) {
    error = fmt::format(
        "address \"{}\": SNMP targets use \"udp:HOST:PORT\" "
        "or \"udp6:[ADDRESS]:PORT\"",
        address);
    return false;
  }

  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with("[")) {
    auto close = rest.find(']');
    if (close == rest.npos) {
      error = fmt::format("address \"{}\": missing ']'", address);
      return false;
    }
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error =
            fmt::format("address \"{}\": expected ':PORT' after ']'", address);
        return false;
      }
      port = after.substr(1);
    }
  } else if (!v6) {
    if (auto colon = rest.rfind(':'); colon != rest.npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
    }
  }
  if (host.empty()) {
    error = fmt::format("address \"{}\": no host", address);
    return false;
  }
  if (!port.empty() || rest.ends_with(":")) {
    int number = 0;
    auto [end, ec] =
        std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc() || end != port.data() + port.size() || number < 1 ||
        number > 65535) {
      error = fmt::format(
          "address \"{}\": the port must be a number from "
          "1 to 65535",
          address);
      return false;
    }
  }
  return true;
}

}  // namespace dc::snmp
