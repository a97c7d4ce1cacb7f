// Request planning: which reads fetch the registers a profile needs in the
// fewest requests, within the protocol's and the device's limits, without
// touching registers the device has refused before.
#pragma once

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "collectors/modbus/register_types.h"

namespace dc::modbus {

// A run of registers (or bits) of one function. `count` may exceed one
// request's limit; the planner splits such runs.
struct RegisterRange {
  Function function = Function::kHolding;
  std::uint16_t address = 0;
  int count = 1;

  int end() const { return address + count; }
};

// One request to send.
struct ReadBlock {
  Function function = Function::kHolding;
  std::uint16_t address = 0;
  std::uint16_t count = 1;

  int end() const { return address + count; }
  friend bool operator==(const ReadBlock&, const ReadBlock&) = default;
};

struct PlanLimits {
  int max_registers = 125;  // per FC03/FC04 request: protocol limit 125
  int max_bits = 2000;      // per FC01/FC02 request: protocol limit 2000
  // Unrequested registers (or bits) a read may include to join two runs;
  // 0 joins only adjacent or overlapping runs.
  int max_gap = 8;
};

// Registers a device answered "illegal data address" for. Kept for the
// life of a target so later plans avoid them. They are never asked again
// until the target's collector is made anew (a restart, or a reload that
// changes the target): a device that refuses registers while it boots
// loses them until then.
class BadRegisters {
 public:
  void Add(Function function, std::uint16_t address);
  bool Contains(Function function, std::uint16_t address) const;
  // True if any register of [address, end) is known bad.
  bool AnyIn(Function function, int address, int end) const;
  std::size_t size() const { return bad_.size(); }

 private:
  std::set<std::pair<Function, std::uint16_t>> bad_;
};

// The fewest reads covering every range in `needed` that contains no bad
// register (ranges that do are left out: their values cannot be read).
// Runs closer than `max_gap` are joined as long as the gap holds no bad
// register and the read stays within the limit. Blocks come out ordered
// by function and address.
std::vector<ReadBlock> PlanReads(std::vector<RegisterRange> needed,
                                 const PlanLimits& limits,
                                 const BadRegisters& bad);

// The part of `block` that starts and ends on a needed register, or
// nullopt when it holds none. Used when a refused block is split so the
// halves do not re-read gap registers at their edges.
struct NeededIndex {
  NeededIndex() = default;
  explicit NeededIndex(const std::vector<RegisterRange>& needed);
  bool Trim(ReadBlock& block) const;

 private:
  // Per function, sorted disjoint [begin, end) runs.
  std::vector<std::pair<Function, std::pair<int, int>>> runs_;
};

}  // namespace dc::modbus
