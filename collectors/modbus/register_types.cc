#include "collectors/modbus/register_types.h"

#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>

namespace dc::modbus {
namespace {

template <typename Enum>
struct Name {
  Enum value;
  std::string_view text;
};

constexpr std::array<Name<Function>, 4> kFunctionNames = {{
    {Function::kCoil, "coil"},
    {Function::kDiscreteInput, "discrete_input"},
    {Function::kHolding, "holding"},
    {Function::kInput, "input"},
}};

constexpr std::array<Name<DataType>, 10> kTypeNames = {{
    {DataType::kInt16, "int16"},
    {DataType::kUint16, "uint16"},
    {DataType::kInt32, "int32"},
    {DataType::kUint32, "uint32"},
    {DataType::kInt64, "int64"},
    {DataType::kUint64, "uint64"},
    {DataType::kFloat32, "float32"},
    {DataType::kFloat64, "float64"},
    {DataType::kString, "string"},
    {DataType::kBool, "bool"},
}};

constexpr std::array<Name<WordOrder>, 4> kOrderNames = {{
    {WordOrder::kABCD, "ABCD"},
    {WordOrder::kCDAB, "CDAB"},
    {WordOrder::kBADC, "BADC"},
    {WordOrder::kDCBA, "DCBA"},
}};

template <typename Enum, std::size_t N>
std::string_view NameOf(const std::array<Name<Enum>, N>& names, Enum value) {
  for (const auto& n : names) {
    if (n.value == value)
      return n.text;
  }
  return "?";
}

template <typename Enum, std::size_t N>
std::optional<Enum> ValueOf(const std::array<Name<Enum>, N>& names,
                            std::string_view text) {
  for (const auto& n : names) {
    if (n.text == text)
      return n.value;
  }
  return std::nullopt;
}

std::uint16_t SwapBytes(std::uint16_t word) {
  return static_cast<std::uint16_t>((word << 8) | (word >> 8));
}

bool ReversesWords(WordOrder order) {
  return order == WordOrder::kCDAB || order == WordOrder::kDCBA;
}

bool SwapsBytes(WordOrder order) {
  return order == WordOrder::kBADC || order == WordOrder::kDCBA;
}

}  // namespace

std::string_view ToString(Function function) {
  return NameOf(kFunctionNames, function);
}

std::optional<Function> ParseFunction(std::string_view text) {
  return ValueOf(kFunctionNames, text);
}

std::string_view ToString(DataType type) {
  return NameOf(kTypeNames, type);
}

std::optional<DataType> ParseDataType(std::string_view text) {
  return ValueOf(kTypeNames, text);
}

int RegisterCount(DataType type) {
  switch (type) {
    case DataType::kInt32:
    case DataType::kUint32:
    case DataType::kFloat32:
      return 2;
    case DataType::kInt64:
    case DataType::kUint64:
    case DataType::kFloat64:
      return 4;
    default:
      return 1;
  }
}

std::string_view ToString(WordOrder order) {
  return NameOf(kOrderNames, order);
}

std::optional<WordOrder> ParseWordOrder(std::string_view text) {
  return ValueOf(kOrderNames, text);
}

std::uint64_t AssembleBigEndian(std::span<const std::uint16_t> registers,
                                WordOrder order) {
  assert(registers.size() <= 4);
  std::uint64_t out = 0;
  const std::size_t n = registers.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::uint16_t word = registers[ReversesWords(order) ? n - 1 - i : i];
    if (SwapsBytes(order))
      word = SwapBytes(word);
    out = (out << 16) | word;
  }
  return out;
}

Decoded DecodeNumber(std::span<const std::uint16_t> registers, DataType type,
                     WordOrder order) {
  assert(static_cast<int>(registers.size()) == RegisterCount(type));
  const std::uint64_t bits = AssembleBigEndian(registers, order);
  switch (type) {
    case DataType::kInt16: {
      auto v = static_cast<std::int16_t>(bits);
      return {static_cast<double>(v), bits == 0x8000};
    }
    case DataType::kUint16:
      return {static_cast<double>(bits), bits == 0xFFFF};
    case DataType::kInt32: {
      auto v = static_cast<std::int32_t>(static_cast<std::uint32_t>(bits));
      return {static_cast<double>(v), bits == 0x80000000U};
    }
    case DataType::kUint32:
      return {static_cast<double>(bits), bits == 0xFFFFFFFFU};
    case DataType::kInt64: {
      auto v = static_cast<std::int64_t>(bits);
      return {static_cast<double>(v), v == std::numeric_limits<int64_t>::min()};
    }
    case DataType::kUint64:
      return {static_cast<double>(bits), bits == ~std::uint64_t{0}};
    case DataType::kFloat32: {
      auto v = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
      return {static_cast<double>(v), std::isnan(v)};
    }
    case DataType::kFloat64: {
      auto v = std::bit_cast<double>(bits);
      return {v, std::isnan(v)};
    }
    case DataType::kBool:
      return {bits != 0 ? 1.0 : 0.0, false};
    case DataType::kString:
      break;
  }
  assert(false && "strings are decoded by DecodeString");
  return {0, true};
}

std::string DecodeString(std::span<const std::uint16_t> registers,
                         WordOrder order) {
  std::string out;
  out.reserve(registers.size() * 2);
  for (std::uint16_t word : registers) {
    if (SwapsBytes(order))
      word = SwapBytes(word);
    out.push_back(static_cast<char>(word >> 8));
    out.push_back(static_cast<char>(word & 0xFF));
  }

  // Devices pad with NULs or spaces on either side.
  std::size_t begin = out.find_first_not_of('\0');
  if (begin == std::string::npos)
    return {};
  std::size_t end = out.find_last_not_of(std::string_view("\0 ", 2));
  out = out.substr(begin, end - begin + 1);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E)
      c = '?';
  }
  return out;
}

}  // namespace dc::modbus
