#include "sim/register_map.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace dc::sim {
namespace {

bool Before(const RegisterEntry& a, const RegisterEntry& b) {
  if (a.table != b.table) {
    return a.table < b.table;
  }
  return a.address < b.address;
}

// Rounds and clamps to the integer range of the register type.
template <typename T>
T ToInteger(double value) {
  if (std::isnan(value)) {
    return 0;
  }
  double low = static_cast<double>(std::numeric_limits<T>::min());
  double high = static_cast<double>(std::numeric_limits<T>::max());
  return static_cast<T>(std::clamp(std::round(value), low, high));
}

}  // namespace

int RegisterCount(RegisterType type) {
  switch (type) {
    case RegisterType::kUint16:
    case RegisterType::kInt16:
      return 1;
    case RegisterType::kUint32:
    case RegisterType::kInt32:
    case RegisterType::kFloat32:
      return 2;
    case RegisterType::kUint64:
      return 4;
  }
  return 1;
}

void EncodeRegisters(const RegisterEntry& entry, double value,
                     std::uint16_t words[4]) {
  std::uint64_t bits = 0;
  switch (entry.type) {
    case RegisterType::kUint16:
      bits = ToInteger<std::uint16_t>(value);
      break;
    case RegisterType::kInt16:
      bits = static_cast<std::uint16_t>(ToInteger<std::int16_t>(value));
      break;
    case RegisterType::kUint32:
      bits = ToInteger<std::uint32_t>(value);
      break;
    case RegisterType::kInt32:
      bits = static_cast<std::uint32_t>(ToInteger<std::int32_t>(value));
      break;
    case RegisterType::kFloat32:
      bits = std::bit_cast<std::uint32_t>(static_cast<float>(value));
      break;
    case RegisterType::kUint64:
      bits = value <= 0 ? 0 : static_cast<std::uint64_t>(std::round(value));
      break;
  }

  int count = RegisterCount(entry.type);
  for (int i = 0; i < count; ++i) {
    // Word i counted from the most significant one.
    std::uint16_t word =
        static_cast<std::uint16_t>(bits >> (16 * (count - 1 - i)));
    int slot = entry.word_order == WordOrder::kHighFirst ? i : count - 1 - i;
    words[slot] = word;
  }
}

bool RegisterMap::Finish(std::string* error) {
  std::stable_sort(entries_.begin(), entries_.end(), Before);
  for (std::size_t i = 1; i < entries_.size(); ++i) {
    const RegisterEntry& prev = entries_[i - 1];
    const RegisterEntry& next = entries_[i];
    if (prev.table == next.table &&
        prev.address + RegisterCount(prev.type) > next.address) {
      if (error != nullptr) {
        *error = fmt::format(
            "{} register {} overlaps the value at {}",
            next.table == RegisterTable::kInput ? "input" : "holding",
            next.address, prev.address);
      }
      return false;
    }
  }
  return true;
}

bool RegisterMap::Read(RegisterTable table, std::uint16_t start,
                       std::uint16_t count, std::span<const double> variables,
                       std::vector<std::uint16_t>& out) const {
  out.assign(count, 0);
  std::uint32_t end = std::uint32_t{start} + count;

  // The first value that could reach into the range starts at most three
  // registers before it (a 64-bit value).
  RegisterEntry probe;
  probe.table = table;
  probe.address = start >= 3 ? static_cast<std::uint16_t>(start - 3) : 0;
  auto it = std::lower_bound(entries_.begin(), entries_.end(), probe, Before);

  bool any = false;
  for (; it != entries_.end() && it->table == table && it->address < end;
       ++it) {
    int width = RegisterCount(it->type);
    if (it->address + width <= start) {
      continue;
    }
    double value =
        it->var >= 0 && static_cast<std::size_t>(it->var) < variables.size()
            ? variables[static_cast<std::size_t>(it->var)]
            : 0.0;
    value = it->var >= 0 ? value * it->scale + it->offset : it->fixed;

    std::uint16_t words[4] = {0, 0, 0, 0};
    EncodeRegisters(*it, value, words);
    for (int i = 0; i < width; ++i) {
      std::uint32_t address = std::uint32_t{it->address} + i;
      if (address >= start && address < end) {
        out[address - start] = words[i];
      }
    }
    any = true;
  }
  return any;
}

}  // namespace dc::sim
