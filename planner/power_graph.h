// The facility compiled into a graph the failover model can evaluate
// quickly: power nodes (sources, switchgear, UPS systems, panels, rack
// feeds) with their upstream inputs, cooling units with the panel that
// feeds them, and loads (devices and cooling units' own draw) attached to
// the feeds they draw from. Evaluate() answers, for one operating state
// (everything in service, one unit failed, one taken out for maintenance),
// which nodes are powered, what each carries in W, VA and amperes per
// phase, how much of its usable rating that is, and which load is lost.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "planner/model.h"

namespace dc::plan {

enum class NodeKind { kSource, kSwitchgear, kUps, kPanel, kFeed };

struct PowerNode {
  NodeKind kind = NodeKind::kSource;
  std::string id;
  std::string device;
  std::vector<int> inputs;  // powered while any is; load to the first
  double volts = 400;
  int phases = 3;
  int phase = 0;        // single-phase feed: the upstream phase, 1..3
  double cap_w = 0;     // usable active power; 0: not a constraint
  double cap_va = 0;    // usable apparent power; 0: not a constraint
  double cap_amps = 0;  // usable current per phase; 0: not a constraint
  // UPS: identical modules, so a module out lowers cap_w and cap_va.
  int modules = 0, redundant_modules = 0;
  double module_w = 0, module_va = 0;
  bool maintenance_bypass = false;
  std::string group;
  std::string rack;  // feeds: the rack served
  Side side = Side::kOther;
  Reliability reliability;
};

struct CoolingNode {
  std::string id;
  std::string zone;
  std::string group;
  double watts = 0;   // capacity
  int upstream = -1;  // power node, -1 when not modelled
  Reliability reliability;
};

// A load drawing from one or more feeds (its power supplies share it
// equally while they are powered), or a cooling unit's draw on a panel.
struct PowerLoad {
  std::string id;
  std::string rack;  // empty for cooling units' own draw
  std::vector<int> nodes;
  double watts = 0;
  double va = 0;
  int phase = 0;  // 1..3, 0: spread over the phases
};

enum class CaseKind { kNormal, kFailure, kModuleFailure, kMaintenance };

// One operating state: at most one node or cooling unit out.
struct OperatingCase {
  CaseKind kind = CaseKind::kNormal;
  int node = -1;     // power node out
  int cooling = -1;  // cooling unit out
  std::string name;  // "normal", "failure of ups-a", ...
};

struct NodeState {
  bool powered = false;
  bool bypassed = false;
  double watts = 0;
  double va = 0;
  std::array<double, 3> phase_va{};
  std::array<double, 3> phase_amps{};
  double cap_w = 0;  // usable in this case (a UPS may have a module out)
  double cap_va = 0;
  double utilization = 0;  // worst of W, VA and per-phase current
};

struct Evaluation {
  std::vector<NodeState> nodes;
  std::vector<bool> cooling_alive;
  std::map<std::string, double> zone_capacity_w;  // usable, alive units
  double dropped_w = 0;                           // IT load left without power
  std::vector<std::string> dropped;  // ids of loads left without power
};

class PowerGraph {
 public:
  // Builds the graph for `plan`, with each device's load taken from
  // `device_watts` (by device id) when present, its budget otherwise.
  PowerGraph(const Plan& plan,
             const std::map<std::string, double>& device_watts = {});

  const std::vector<PowerNode>& nodes() const { return nodes_; }
  const std::vector<CoolingNode>& cooling() const { return cooling_; }
  const std::vector<PowerLoad>& loads() const { return loads_; }
  const Policy& policy() const { return policy_; }
  int NodeIndex(const std::string& id) const;

  // Adds a load (a probe used to measure headroom) and returns its index.
  int AddLoad(PowerLoad load);
  void SetLoadWatts(int index, double watts);

  // Normal operation, every single failure, every UPS module failure and
  // every single maintenance removal.
  std::vector<OperatingCase> Cases() const;

  Evaluation Evaluate(const OperatingCase& c) const;

  // Heat per cooling zone in W, from the IT loads of the racks in it.
  std::map<std::string, double> ZoneHeat() const;

 private:
  void AddNode(PowerNode node);

  Policy policy_;
  std::vector<PowerNode> nodes_;
  std::map<std::string, int> index_;
  std::vector<int> order_;  // upstream before downstream
  std::vector<CoolingNode> cooling_;
  std::vector<PowerLoad> loads_;
  // Rack heat split: rack id -> (air zone, liquid zone, liquid share).
  struct RackZones {
    std::string zone, liquid_zone;
    double liquid_fraction = 0;
  };
  std::map<std::string, RackZones> rack_zones_;
};

std::string_view ToString(NodeKind kind);

}  // namespace dc::plan
