#include "collectors/modbus/link_address.h"

#include <charconv>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace dc::modbus {
namespace {

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::expected<LinkAddress, std::string> ParseTcp(std::string_view rest) {
  LinkAddress out;
  out.kind = LinkAddress::Kind::kTcp;
  std::string_view port;
  if (rest.starts_with('[')) {  // [IPv6]:port
    auto close = rest.find(']');
    if (close == std::string_view::npos) {
      return std::unexpected("unbalanced '[' in the host");
    }
    out.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':')
        return std::unexpected("expected ':' after ']'");
      port = rest.substr(1);
    }
  } else {
    auto colon = rest.rfind(':');
    out.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos)
      port = rest.substr(colon + 1);
  }
  if (out.host.empty())
    return std::unexpected("the host is missing");
  if (!port.empty()) {
    auto number = ParseInt(port);
    if (!number || *number < 1 || *number > 65535) {
      return std::unexpected(
          fmt::format("port '{}' is not a number from 1 to 65535", port));
    }
    out.port = *number;
  }
  return out;
}

std::expected<LinkAddress, std::string> ParseRtu(std::string_view rest) {
  LinkAddress out;
  out.kind = LinkAddress::Kind::kRtu;
  auto question = rest.find('?');
  out.serial.device = std::string(rest.substr(0, question));
  if (out.serial.device.empty()) {
    return std::unexpected("the serial device is missing");
  }
  if (question == std::string_view::npos)
    return out;

  std::string_view query = rest.substr(question + 1);
  std::set<std::string_view> seen;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return std::unexpected(fmt::format("'{}' is not KEY=VALUE", pair));
    }
    std::string_view key = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    if (!seen.insert(key).second) {
      return std::unexpected(fmt::format("'{}' is given twice", key));
    }
    if (key == "parity") {
      if (value != "N" && value != "E" && value != "O") {
        return std::unexpected("parity must be N, E or O");
      }
      out.serial.parity = value[0];
      continue;
    }
    auto number = ParseInt(value);
    if (key == "baud") {
      if (!number || *number < 50 || *number > 4000000) {
        return std::unexpected(
            fmt::format("baud '{}' is not a serial speed", value));
      }
      out.serial.baud = *number;
    } else if (key == "data_bits") {
      if (!number || *number < 5 || *number > 8) {
        return std::unexpected("data_bits must be 5 to 8");
      }
      out.serial.data_bits = *number;
    } else if (key == "stop_bits") {
      if (!number || (*number != 1 && *number != 2)) {
        return std::unexpected("stop_bits must be 1 or 2");
      }
      out.serial.stop_bits = *number;
    } else {
      return std::unexpected(
          fmt::format("unknown setting '{}'; use baud, parity, data_bits, "
                      "stop_bits",
                      key));
    }
  }
  return out;
}

}  // namespace

std::string LinkAddress::Key() const {
  if (kind == Kind::kTcp)
    return fmt::format("tcp:{}:{}", host, port);
  return fmt::format("rtu:{}", serial.device);
}

std::expected<LinkAddress, std::string> ParseLinkAddress(
    std::string_view text) {
  std::expected<LinkAddress, std::string> out;
  if (text.starts_with("tcp:")) {
    out = ParseTcp(text.substr(4));
  } else if (text.starts_with("rtu:")) {
    out = ParseRtu(text.substr(4));
  } else {
    return std::unexpected(fmt::format(
        "'{}': a Modbus address starts with \"tcp:\" (tcp:HOST:PORT) or "
        "\"rtu:\" (rtu:/dev/ttyUSB0?baud=9600&parity=N)",
        text));
  }
  if (!out) {
    return std::unexpected(fmt::format("'{}': {}", text, out.error()));
  }
  return out;
}

}  // namespace dc::modbus
