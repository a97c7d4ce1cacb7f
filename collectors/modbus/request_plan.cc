#include "collectors/modbus/request_plan.h"

#include <algorithm>
#include <cassert>
#include <tuple>

namespace dc::modbus {

void BadRegisters::Add(Function function, std::uint16_t address) {
  bad_.emplace(function, address);
}

bool BadRegisters::Contains(Function function, std::uint16_t address) const {
  return bad_.contains({function, address});
}

bool BadRegisters::AnyIn(Function function, int address, int end) const {
  if (bad_.empty() || address >= end)
    return false;
  auto it = bad_.lower_bound({function, static_cast<std::uint16_t>(address)});
  return it != bad_.end() && it->first == function && it->second < end;
}

std::vector<ReadBlock> PlanReads(std::vector<RegisterRange> needed,
                                 const PlanLimits& limits,
                                 const BadRegisters& bad) {
  std::sort(needed.begin(), needed.end(),
            [](const RegisterRange& a, const RegisterRange& b) {
              return std::tie(a.function, a.address, a.count) <
                     std::tie(b.function, b.address, b.count);
            });

  std::vector<ReadBlock> out;
  bool open = false;
  Function function = Function::kHolding;
  int begin = 0;
  int end = 0;
  int limit = 0;
  auto close = [&] {
    if (open) {
      out.push_back({function, static_cast<std::uint16_t>(begin),
                     static_cast<std::uint16_t>(end - begin)});
    }
    open = false;
  };

  for (const RegisterRange& range : needed) {
    if (range.count < 1)
      continue;
    if (bad.AnyIn(range.function, range.address, range.end()))
      continue;

    // Join the open block when the gap is short, clean and the result fits.
    const int range_limit =
        IsBitFunction(range.function) ? limits.max_bits : limits.max_registers;
    if (open && range.function == function &&
        range.address <= end + limits.max_gap &&
        !bad.AnyIn(function, end, range.address) &&
        std::max(end, range.end()) - begin <= limit) {
      end = std::max(end, range.end());
      continue;
    }

    // Start afresh (after what the last block already covers); a run
    // longer than one request is cut into full reads.
    const bool overlaps =
        open && range.function == function && range.address < end;
    const int covered = end;
    close();
    function = range.function;
    limit = range_limit;
    begin = overlaps ? covered : range.address;
    end = range.end();
    while (end - begin > limit) {
      out.push_back({function, static_cast<std::uint16_t>(begin),
                     static_cast<std::uint16_t>(limit)});
      begin += limit;
    }
    open = true;
  }
  close();
  return out;
}

NeededIndex::NeededIndex(const std::vector<RegisterRange>& needed) {
  std::vector<std::pair<Function, std::pair<int, int>>> runs;
  runs.reserve(needed.size());
  for (const auto& r : needed) {
    runs.push_back({r.function, {r.address, r.end()}});
  }
  std::sort(runs.begin(), runs.end());
  for (const auto& run : runs) {
    if (!runs_.empty() && runs_.back().first == run.first &&
        run.second.first <= runs_.back().second.second) {
      auto& last = runs_.back().second.second;
      last = std::max(last, run.second.second);
    } else {
      runs_.push_back(run);
    }
  }
}

bool NeededIndex::Trim(ReadBlock& block) const {
  int first = -1;
  int last = -1;
  for (const auto& [function, run] : runs_) {
    if (function != block.function)
      continue;
    int lo = std::max(run.first, static_cast<int>(block.address));
    int hi = std::min(run.second, block.end());
    if (lo >= hi)
      continue;
    if (first < 0)
      first = lo;
    last = hi;
  }
  if (first < 0)
    return false;
  block.address = static_cast<std::uint16_t>(first);
  block.count = static_cast<std::uint16_t>(last - first);
  return true;
}

}  // namespace dc::modbus
