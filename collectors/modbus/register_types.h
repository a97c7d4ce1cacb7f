// How registers on the wire become numbers: the data types and word orders
// a Modbus profile can name, and the decoder shared by the collector and
// `dcagent modbus-probe`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dc::modbus {

// The four read function codes; nothing else can be asked of a device.
enum class Function : std::uint8_t {
  kCoil = 1,           // FC01 Read Coils
  kDiscreteInput = 2,  // FC02 Read Discrete Inputs
  kHolding = 3,        // FC03 Read Holding Registers
  kInput = 4,          // FC04 Read Input Registers
};

// True for coils and discrete inputs, whose items are single bits.
constexpr bool IsBitFunction(Function f) {
  return f == Function::kCoil || f == Function::kDiscreteInput;
}

// "coil", "discrete_input", "holding", "input".
std::string_view ToString(Function function);
std::optional<Function> ParseFunction(std::string_view text);

enum class DataType : std::uint8_t {
  kInt16,
  kUint16,
  kInt32,
  kUint32,
  kInt64,
  kUint64,
  kFloat32,
  kFloat64,
  kString,  // two characters per register, NUL or space padded
  kBool,    // a coil or discrete input
};

std::string_view ToString(DataType type);
std::optional<DataType> ParseDataType(std::string_view text);

// Registers one value of `type` occupies (strings: their declared length).
int RegisterCount(DataType type);

// Order of the bytes of a multi-register value, named by where the bytes of
// 0xAABBCCDD land on the wire: ABCD is big-endian (the Modbus default),
// CDAB swaps the words, BADC swaps the bytes inside each word, DCBA both.
// Values of 64 bits extend the same pattern over four registers.
enum class WordOrder : std::uint8_t { kABCD, kCDAB, kBADC, kDCBA };

std::string_view ToString(WordOrder order);
std::optional<WordOrder> ParseWordOrder(std::string_view text);

// Puts `registers` (as read from the wire, one 16-bit value each) in
// big-endian order for `order`: the words reversed for CDAB and DCBA, the
// bytes of each word swapped for BADC and DCBA. At most four registers.
std::uint64_t AssembleBigEndian(std::span<const std::uint16_t> registers,
                                WordOrder order);

// What a numeric value decoded to: the number, and whether it is the
// type's "not available" sentinel (0x8000 for int16, 0xFFFF for uint16,
// the most negative or all-ones value for wider integers, NaN for floats).
struct Decoded {
  double value = 0;
  bool sentinel = false;
};

// Decodes one numeric value of `type` (not kString) from exactly
// RegisterCount(type) registers.
Decoded DecodeNumber(std::span<const std::uint16_t> registers, DataType type,
                     WordOrder order);

// Decodes a string: each register holds two characters, the first in the
// high byte for ABCD/CDAB, in the low byte for BADC/DCBA. Trailing NULs and
// spaces are removed, leading NULs skipped, and unprintable bytes become
// '?', so a label never carries control characters.
std::string DecodeString(std::span<const std::uint16_t> registers,
                         WordOrder order);

}  // namespace dc::modbus
