// The registers one simulated Modbus device serves: input registers (FC04)
// and holding registers (FC03), each value spanning one, two or four
// registers with a data type and word order, fixed or computed from one of
// the device's live variables when read. Built once per model and shared.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dc::sim {

enum class RegisterTable { kInput, kHolding };

enum class RegisterType {
  kUint16,
  kInt16,
  kUint32,
  kInt32,
  kFloat32,
  kUint64,
};

// Order of the 16-bit words of a multi-register value: kHighFirst is ABCD
// (the Modbus default), kLowFirst is CDAB.
enum class WordOrder { kHighFirst, kLowFirst };

struct RegisterEntry {
  RegisterTable table = RegisterTable::kInput;
  std::uint16_t address = 0;  // 0-based address on the wire
  RegisterType type = RegisterType::kUint16;
  WordOrder word_order = WordOrder::kHighFirst;
  double fixed = 0.0;  // the value when `var` is -1
  int var = -1;
  double scale = 1.0;  // register value = variable * scale + offset
  double offset = 0.0;
};

// Number of registers a value of `type` occupies.
int RegisterCount(RegisterType type);

class RegisterMap {
 public:
  void Add(const RegisterEntry& entry) { entries_.push_back(entry); }

  // Sorts the entries. Returns false and names the overlap in `error` when
  // two values share a register.
  bool Finish(std::string* error);

  // Fills `out` with `count` registers from `start`. Registers inside the
  // range that no value covers read 0. Returns false when no value lies in
  // the range at all (the device answers "illegal data address").
  bool Read(RegisterTable table, std::uint16_t start, std::uint16_t count,
            std::span<const double> variables,
            std::vector<std::uint16_t>& out) const;

  std::size_t size() const { return entries_.size(); }
  const std::vector<RegisterEntry>& entries() const { return entries_; }

 private:
  std::vector<RegisterEntry> entries_;
};

// The register words of one value, in wire order.
void EncodeRegisters(const RegisterEntry& entry, double value,
                     std::uint16_t words[4]);

}  // namespace dc::sim
