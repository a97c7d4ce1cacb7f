#include "collectors/snmp/target_address.h"

#include <arpa/inet.h>

#include <charconv>

#include <fmt/format.h>

namespace dc::snmp {

std::optional<SnmpAddress> ParseSnmpAddress(std::string_view address,
                                            std::string& error) {
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
    return std::nullopt;
  }

  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with("[")) {
    auto close = rest.find(']');
    if (close == rest.npos) {
      error = fmt::format("address \"{}\": missing ']'", address);
      return std::nullopt;
    }
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error =
            fmt::format("address \"{}\": expected ':PORT' after ']'", address);
        return std::nullopt;
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
    return std::nullopt;
  }
  SnmpAddress parsed;
  parsed.v6 = v6;
  parsed.host = std::string(host);
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
      return std::nullopt;
    }
    parsed.port = number;
  }
  return parsed;
}

bool CheckSnmpAddress(std::string_view address, std::string& error) {
  return ParseSnmpAddress(address, error).has_value();
}

bool IsNumericHost(std::string_view host) {
  std::string text(host);
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

std::string NumericPeer(std::string_view ip, bool v6, int port) {
  bool colon = ip.find(':') != ip.npos;
  if (v6 || colon)
    return fmt::format("udp6:[{}]:{}", ip, port);
  return fmt::format("udp:{}:{}", ip, port);
}

}  // namespace dc::snmp
