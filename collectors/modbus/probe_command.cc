#include "collectors/modbus/probe_command.h"

#include <array>
#include <cstdio>
#include <string>
#include <vector>

// CLI11 2.1 trips GCC 12's -Wnull-dereference inside its own headers.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop
#include <fmt/format.h>

#include "collectors/common/toml_reader.h"
#include "collectors/modbus/libmodbus_transport.h"
#include "collectors/modbus/link_address.h"
#include "collectors/modbus/modicon_address.h"
#include "collectors/modbus/register_types.h"
#include "collectors/modbus/tcp_link.h"

namespace dc::modbus {
namespace {

constexpr std::array<WordOrder, 4> kOrders = {
    WordOrder::kABCD, WordOrder::kCDAB, WordOrder::kBADC, WordOrder::kDCBA};

std::string Printable(std::uint16_t word) {
  std::string out;
  for (int shift : {8, 0}) {
    auto c = static_cast<char>((word >> shift) & 0xFF);
    out.push_back(c >= 0x20 && c <= 0x7E ? c : '.');
  }
  return out;
}

std::string FormatFloat(double value, int digits) {
  return fmt::format("{:.{}g}", value, digits);
}

void PrintTable(const std::vector<std::uint16_t>& words, int first) {
  fmt::print("{:<7} {:<7} {:>7} {:>7}  {}\n", "addr", "hex", "uint16", "int16",
             "chars");
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto one = std::span<const std::uint16_t>(&words[i], 1);
    fmt::print("{:<7} 0x{:04X}  {:>7} {:>7}  \"{}\"\n",
               first + static_cast<int>(i), words[i],
               DecodeNumber(one, DataType::kUint16, WordOrder::kABCD).value,
               DecodeNumber(one, DataType::kInt16, WordOrder::kABCD).value,
               Printable(words[i]));
  }

  if (words.size() >= 2) {
    fmt::print("\n32-bit values starting at each address\n");
    fmt::print("{:<7} {:<5} {:<10} {:>12} {:>11} {:>16}\n", "addr", "order",
               "hex", "int32", "uint32", "float32");
    for (std::size_t i = 0; i + 2 <= words.size(); ++i) {
      auto span = std::span<const std::uint16_t>(&words[i], 2);
      for (WordOrder order : kOrders) {
        fmt::print("{:<7} {:<5} 0x{:08X} {:>12} {:>11} {:>16}\n",
                   first + static_cast<int>(i), ToString(order),
                   AssembleBigEndian(span, order),
                   DecodeNumber(span, DataType::kInt32, order).value,
                   DecodeNumber(span, DataType::kUint32, order).value,
                   FormatFloat(
                       DecodeNumber(span, DataType::kFloat32, order).value, 7));
      }
    }
  }

  if (words.size() >= 4) {
    fmt::print("\n64-bit values starting at each address\n");
    fmt::print("{:<7} {:<5} {:<18} {:>20} {:>20} {:>22}\n", "addr", "order",
               "hex", "int64", "uint64", "float64");
    for (std::size_t i = 0; i + 4 <= words.size(); ++i) {
      auto span = std::span<const std::uint16_t>(&words[i], 4);
      for (WordOrder order : kOrders) {
        std::uint64_t bits = AssembleBigEndian(span, order);
        fmt::print(
            "{:<7} {:<5} 0x{:016X} {:>20} {:>20} {:>22}\n",
            first + static_cast<int>(i), ToString(order), bits,
            static_cast<std::int64_t>(bits), bits,
            FormatFloat(DecodeNumber(span, DataType::kFloat64, order).value,
                        15));
      }
    }
  }

  fmt::print("\nAs text: high byte first \"{}\", low byte first \"{}\"\n",
             DecodeString(words, WordOrder::kABCD),
             DecodeString(words, WordOrder::kBADC));
}

}  // namespace

int RunProbeCommand(int argc, char** argv) {
  CLI::App app(
      "Reads raw registers from a Modbus device and prints them decoded as "
      "every type and word order, to identify an undocumented register "
      "map. Only reads: function 03 or 04.",
      "dcagent modbus-probe");
  std::string address_text;
  int unit = 1;
  std::string register_text;
  int count = 8;
  std::string function_text = "holding";
  std::string timeout_text = "3s";
  app.add_option("ADDRESS", address_text,
                 "tcp:HOST[:PORT] (port 502 by default) or "
                 "rtu:/dev/ttyUSB0?baud=9600&parity=N&data_bits=8&"
                 "stop_bits=1")
      ->required();
  app.add_option("--unit", unit, "unit (slave) id, 1 to 247")
      ->capture_default_str();
  app.add_option("--register", register_text,
                 "first register: a 0-based wire address (e.g. 0x0BB7 or "
                 "2999), or Modicon notation with the table digit "
                 "written with an x (4x3000), which also sets --function")
      ->required();
  app.add_option("--count", count, "registers to read, 1 to 125")
      ->capture_default_str();
  app.add_option("--function", function_text,
                 "holding (FC03) or input "
                 "(FC04)")
      ->check(CLI::IsMember({"holding", "input"}))
      ->capture_default_str();
  app.add_option("--timeout", timeout_text,
                 "response timeout, e.g. 500ms, "
                 "3s")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto fail = [](const std::string& message) {
    fmt::print(stderr, "modbus-probe: {}\n", message);
    return 2;
  };
  auto address = ParseLinkAddress(address_text);
  if (!address)
    return fail(address.error());
  if (unit < 0 || unit > 255)
    return fail("--unit must be 0 to 255");
  if (count < 1 || count > 125)
    return fail("--count must be 1 to 125");
  auto timeout = ParseDuration(timeout_text);
  if (!timeout) {
    return fail(
        fmt::format("--timeout '{}' is not a duration such as 500ms "
                    "or 3s",
                    timeout_text));
  }

  // A plain number is a wire address; Modicon notation needs the 'x'
  // ("4x0001"), so 40001 is never silently taken for register 1.
  Function function = *ParseFunction(function_text);
  int first = 0;
  if (register_text.find_first_of("xX") == 1) {
    auto wire = ParseModicon(register_text);
    if (!wire)
      return fail(wire.error());
    if (IsBitFunction(wire->function)) {
      return fail(
          "modbus-probe reads registers; coils and discrete inputs "
          "are not supported");
    }
    function = wire->function;
    first = wire->address;
  } else {
    try {
      std::size_t used = 0;
      first = std::stoi(register_text, &used, 0);
      if (used != register_text.size())
        throw std::invalid_argument("");
    } catch (const std::exception&) {
      return fail(
          fmt::format("--register '{}' is not a number", register_text));
    }
    if (first < 0 || first > 65535) {
      return fail("--register must be a 0-based address, 0 to 65535");
    }
  }
  if (first + count > 65536)
    return fail("the read runs past register 65535");

  std::vector<std::uint16_t> words(static_cast<std::size_t>(count));
  const RequestOptions options{unit, *timeout, {}};
  ReadResult result;
  auto read = [&](Transport& transport) {
    result =
        transport.Read(options, function, static_cast<std::uint16_t>(first),
                       static_cast<std::uint16_t>(count), words.data());
  };
  if (address->kind == LinkAddress::Kind::kTcp) {
    boost::asio::io_context io;
    auto transport = TcpTransport::Make(io, address->host, address->port);
    RunOnTcpTransport(io, *transport, read);
  } else {
    LibmodbusTransport transport(*address);
    read(transport);
  }
  if (!result.ok()) {
    fmt::print(stderr,
               "modbus-probe: reading {} {} registers at {} from {} unit "
               "{} failed: {}\n",
               count, function_text, first, address->Key(), unit,
               result.message);
    return 1;
  }

  fmt::print(
      "{} {} registers from {} unit {}, wire address {} (Modicon "
      "{}x{:04d})\n\n",
      count, ToString(function), address->Key(), unit, first,
      function == Function::kHolding ? 4 : 3, first + 1);
  PrintTable(words, first);
  return 0;
}

}  // namespace dc::modbus
