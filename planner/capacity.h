// Capacity per resource and scope: what is usable after derating and with
// every single failure survivable, what is used, the headroom, the
// constraint that binds first and the capacity stranded behind it.
//
// Headroom of power is measured, not assumed: a probe load spread over the
// scope's racks is added to the graph and, because every load splits
// linearly over its powered supplies, each element's utilization in each
// operating case is a straight line in the probe's size; the headroom is
// where the first line reaches 100%. That element and case are reported
// as what binds.
//
// Stranded capacity of a rack: it can take at most the smallest of its
// power, cooling and space headrooms (space counted at the rack's design
// density max_kw/u); what the other two could take beyond that is
// stranded behind the binding one.
#pragma once

#include <string>
#include <vector>

#include "planner/power_graph.h"

namespace dc::plan {

struct RackCapacity {
  std::string rack, room, row, zone;
  double load_w = 0;
  double power_usable_w = 0;      // load + power headroom
  double power_headroom_w = 0;    // with the worst of its feeds out
  std::string power_binding;      // "feed r01-b (failure of r01-a)"
  double cooling_headroom_w = 0;  // rack max_kw - load
  int u = 0;
  int used_u = 0;
  double space_headroom_w = 0;  // free U at the design density
  double weight_free_kg = 0;    // 0 when no weight limit is given
  int ports = 0;
  std::string binding;  // "power", "cooling" or "space"
  double admissible_w = 0;
  double stranded_power_w = 0;
  double stranded_cooling_w = 0;
  double stranded_space_u = 0;
};

struct ScopeCapacity {
  std::string resource;    // power, cooling, space, storage, network
  std::string scope_kind;  // site, room, row, ups, ups group, panel, zone...
  std::string scope;
  std::string unit;  // kW, U, racks, TB, ports
  double nameplate = 0;
  double usable = 0;  // after derating and the worst single failure
  double load = 0;
  double headroom = 0;
  std::string binding;  // what limits it, and in which case
  double stranded = 0;  // 0 when not meaningful
};

struct CapacityReport {
  std::vector<RackCapacity> racks;
  std::vector<ScopeCapacity> scopes;
};

struct ProbeResult {
  double headroom_w = 0;
  std::string element;
  std::string case_name;
};

// Largest load that can be added to the racks (shared by weight) before
// an element in `elements` (all when empty), or a cooling zone when
// `cooling` is set, exceeds its usable rating in any of `cases`.
ProbeResult ProbeHeadroom(
    const PowerGraph& graph,
    const std::vector<std::pair<std::string, double>>& rack_weights,
    const std::vector<OperatingCase>& cases, const std::vector<int>& elements,
    bool cooling);

// The cases that define usable capacity: normal operation, every single
// failure and every UPS module failure (maintenance is judged separately
// by the Tier check).
std::vector<OperatingCase> DesignCases(const PowerGraph& graph);

CapacityReport ComputeCapacity(const Plan& plan, const PowerGraph& graph);

}  // namespace dc::plan
