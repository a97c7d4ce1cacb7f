#include "planner/power_graph.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "planner/electrical.h"

namespace dc::plan {

std::string_view ToString(NodeKind kind) {
  switch (kind) {
    case NodeKind::kSource:
      return "source";
    case NodeKind::kSwitchgear:
      return "switchgear";
    case NodeKind::kUps:
      return "ups";
    case NodeKind::kPanel:
      return "panel";
    case NodeKind::kFeed:
      return "feed";
  }
  return "source";
}

void PowerGraph::AddNode(PowerNode node) {
  index_[node.id] = static_cast<int>(nodes_.size());
  nodes_.push_back(std::move(node));
}

int PowerGraph::NodeIndex(const std::string& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? -1 : it->second;
}

PowerGraph::PowerGraph(const Plan& plan,
                       const std::map<std::string, double>& device_watts)
    : policy_(plan.policy) {
  const double derate = policy_.breaker_derating;

  // Nodes first, inputs resolved once all ids are known.
  for (const Source& s : plan.sources) {
    PowerNode n{.kind = NodeKind::kSource, .id = s.id, .device = s.device};
    n.cap_w = s.kw * 1000;
    n.cap_va = s.kva * 1000;
    n.reliability = s.reliability;
    AddNode(std::move(n));
  }
  for (const Switchgear& s : plan.switchgear) {
    PowerNode n{.kind = NodeKind::kSwitchgear, .id = s.id, .device = s.device};
    n.cap_w = s.kw * 1000;
    n.cap_va = s.kva * 1000;
    n.reliability = s.reliability;
    AddNode(std::move(n));
  }
  for (const Ups& u : plan.ups) {
    PowerNode n{.kind = NodeKind::kUps, .id = u.id, .device = u.device};
    n.modules = u.modules;
    n.redundant_modules = u.redundant_modules;
    n.module_w = u.module_kw * 1000 * policy_.ups_max_load;
    n.module_va = u.module_kva * 1000 * policy_.ups_max_load;
    n.cap_w = n.module_w * (u.modules - u.redundant_modules);
    n.cap_va = n.module_va * (u.modules - u.redundant_modules);
    n.maintenance_bypass = u.maintenance_bypass;
    n.group = u.group;
    n.reliability = u.reliability;
    AddNode(std::move(n));
  }
  for (const Panel& p : plan.panels) {
    PowerNode n{.kind = NodeKind::kPanel, .id = p.id, .device = p.device};
    n.volts = p.volts;
    n.phases = p.phases;
    n.cap_amps = p.breaker_amps * derate;
    n.reliability = p.reliability;
    AddNode(std::move(n));
  }
  for (const Feed& f : plan.feeds) {
    PowerNode n{.kind = NodeKind::kFeed, .id = f.id, .device = f.device};
    n.volts = f.volts;
    n.phases = f.phases;
    n.phase = f.phase;
    n.cap_amps = f.breaker_amps * derate;
    n.rack = f.rack;
    n.side = f.side;
    n.reliability = f.reliability;
    AddNode(std::move(n));
  }
  for (const Switchgear& s : plan.switchgear) {
    for (const auto& in : s.inputs) {
      nodes_[index_[s.id]].inputs.push_back(index_.at(in));
    }
  }
  for (const Ups& u : plan.ups) {
    nodes_[index_[u.id]].inputs.push_back(index_.at(u.upstream));
  }
  for (const Panel& p : plan.panels) {
    nodes_[index_[p.id]].inputs.push_back(index_.at(p.upstream));
  }
  for (const Feed& f : plan.feeds) {
    nodes_[index_[f.id]].inputs.push_back(index_.at(f.panel));
  }

  // Upstream before downstream, so one pass decides what is powered.
  std::vector<int> mark(nodes_.size(), 0);
  std::function<void(int)> visit = [&](int i) {
    if (mark[i])
      return;
    mark[i] = 1;
    for (int in : nodes_[i].inputs)
      visit(in);
    order_.push_back(i);
  };
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i)
    visit(i);

  for (const CoolingUnit& c : plan.cooling) {
    CoolingNode n{.id = c.id, .zone = c.zone, .group = c.group};
    n.watts = c.kw * 1000;
    n.upstream = c.upstream.empty() ? -1 : index_.at(c.upstream);
    n.reliability = c.reliability;
    cooling_.push_back(n);
    if (n.upstream >= 0 && c.power_kw > 0) {
      loads_.push_back({.id = c.id,
                        .nodes = {n.upstream},
                        .watts = c.power_kw * 1000,
                        .va = c.power_kw * 1000 / policy_.power_factor});
    }
  }

  // Racks' IT loads: listed devices, else the rack's budget spread over
  // every feed of the rack.
  std::map<std::string, std::vector<int>> rack_feeds;
  for (const Feed& f : plan.feeds)
    rack_feeds[f.rack].push_back(index_[f.id]);
  std::map<std::string, int> devices_in_rack;
  for (const Device& d : plan.devices)
    ++devices_in_rack[d.rack];
  for (const Device& d : plan.devices) {
    auto measured = device_watts.find(d.id);
    double watts =
        measured != device_watts.end() ? measured->second : d.budget_w;
    double pf = d.power_factor > 0 ? d.power_factor : policy_.power_factor;
    PowerLoad load{.id = d.id,
                   .rack = d.rack,
                   .watts = watts,
                   .va = watts / pf,
                   .phase = d.phase};
    for (const auto& f : d.feeds)
      load.nodes.push_back(index_.at(f));
    loads_.push_back(std::move(load));
  }
  for (const Rack& r : plan.racks) {
    rack_zones_[r.id] = {
        r.zone, r.liquid_zone,
        r.cooling == RackCooling::kLiquid ? r.liquid_fraction : 0.0};
    if (devices_in_rack[r.id] > 0)
      continue;
    std::string id = r.id + "/budget";
    auto measured = device_watts.find(id);
    double watts =
        measured != device_watts.end() ? measured->second : r.budget_kw * 1000;
    loads_.push_back({.id = id,
                      .rack = r.id,
                      .nodes = rack_feeds[r.id],
                      .watts = watts,
                      .va = watts / policy_.power_factor});
  }
}

int PowerGraph::AddLoad(PowerLoad load) {
  loads_.push_back(std::move(load));
  return static_cast<int>(loads_.size()) - 1;
}

void PowerGraph::SetLoadWatts(int index, double watts) {
  PowerLoad& load = loads_[index];
  double pf = load.watts > 0 ? load.watts / load.va : policy_.power_factor;
  load.watts = watts;
  load.va = watts / pf;
}

std::vector<OperatingCase> PowerGraph::Cases() const {
  std::vector<OperatingCase> cases;
  cases.push_back({CaseKind::kNormal, -1, -1, "normal"});
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
    cases.push_back({CaseKind::kFailure, i, -1,
                     fmt::format("failure of {}", nodes_[i].id)});
    if (nodes_[i].kind == NodeKind::kUps && nodes_[i].modules > 1) {
      cases.push_back({CaseKind::kModuleFailure, i, -1,
                       fmt::format("one module of {} failed", nodes_[i].id)});
    }
    cases.push_back({CaseKind::kMaintenance, i, -1,
                     fmt::format("{} out for maintenance", nodes_[i].id)});
  }
  for (int i = 0; i < static_cast<int>(cooling_.size()); ++i) {
    cases.push_back({CaseKind::kFailure, -1, i,
                     fmt::format("failure of {}", cooling_[i].id)});
    cases.push_back({CaseKind::kMaintenance, -1, i,
                     fmt::format("{} out for maintenance", cooling_[i].id)});
  }
  return cases;
}

Evaluation PowerGraph::Evaluate(const OperatingCase& c) const {
  Evaluation e;
  e.nodes.resize(nodes_.size());

  // Which nodes are powered. A UPS out for maintenance behind a
  // maintenance bypass still passes power, unprotected and unlimited.
  for (int i : order_) {
    const PowerNode& n = nodes_[i];
    NodeState& s = e.nodes[i];
    s.cap_w = n.cap_w;
    s.cap_va = n.cap_va;
    bool out = c.node == i && c.kind != CaseKind::kModuleFailure;
    if (out && c.kind == CaseKind::kMaintenance && n.maintenance_bypass) {
      out = false;
      s.bypassed = true;
    }
    if (c.node == i && c.kind == CaseKind::kModuleFailure) {
      int usable = std::min(n.modules - 1, n.modules - n.redundant_modules);
      s.cap_w = n.module_w * usable;
      s.cap_va = n.module_va * usable;
    }
    if (out)
      continue;
    if (n.kind == NodeKind::kSource) {
      s.powered = true;
      continue;
    }
    s.powered = std::any_of(n.inputs.begin(), n.inputs.end(),
                            [&](int in) { return e.nodes[in].powered; });
  }

  // Each load splits evenly over its powered supplies.
  for (const PowerLoad& load : loads_) {
    int live = 0;
    for (int n : load.nodes)
      live += e.nodes[n].powered ? 1 : 0;
    if (live == 0) {
      if (!load.rack.empty() && load.watts > 0) {
        e.dropped_w += load.watts;
        e.dropped.push_back(load.id);
      }
      continue;
    }
    for (int n : load.nodes) {
      NodeState& s = e.nodes[n];
      if (!s.powered)
        continue;
      double w = load.watts / live, va = load.va / live;
      s.watts += w;
      s.va += va;
      const PowerNode& node = nodes_[n];
      if (node.phases == 1) {
        s.phase_va[std::max(node.phase, 1) - 1] += va;
      } else if (load.phase > 0) {
        s.phase_va[load.phase - 1] += va;
      } else {
        for (double& p : s.phase_va)
          p += va / 3;
      }
    }
  }

  // Push each node's load to its first powered input, downstream first.
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    const PowerNode& n = nodes_[*it];
    NodeState& s = e.nodes[*it];
    if (!s.powered)
      continue;
    for (int in : n.inputs) {
      if (!e.nodes[in].powered)
        continue;
      NodeState& up = e.nodes[in];
      up.watts += s.watts;
      up.va += s.va;
      for (int p = 0; p < 3; ++p)
        up.phase_va[p] += s.phase_va[p];
      break;
    }
  }

  // Utilization: the worst of active power, apparent power and current.
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
    const PowerNode& n = nodes_[i];
    NodeState& s = e.nodes[i];
    if (!s.powered || s.bypassed)
      continue;
    double u = 0;
    if (s.cap_w > 0)
      u = std::max(u, s.watts / s.cap_w);
    if (s.cap_va > 0)
      u = std::max(u, s.va / s.cap_va);
    for (int p = 0; p < 3; ++p) {
      s.phase_amps[p] = s.phase_va[p] / PhaseVolts(n.volts, n.phases);
      if (n.cap_amps > 0)
        u = std::max(u, s.phase_amps[p] / n.cap_amps);
    }
    if ((n.modules > 0 && s.cap_w <= 0) && s.watts > 0)
      u = 1e9;
    s.utilization = u;
  }

  // Cooling units run while in service and powered.
  e.cooling_alive.resize(cooling_.size());
  for (int i = 0; i < static_cast<int>(cooling_.size()); ++i) {
    const CoolingNode& unit = cooling_[i];
    bool alive =
        c.cooling != i && (unit.upstream < 0 || e.nodes[unit.upstream].powered);
    e.cooling_alive[i] = alive;
    e.zone_capacity_w[unit.zone] +=
        alive ? unit.watts * policy_.cooling_max_load : 0;
  }
  return e;
}

std::map<std::string, double> PowerGraph::ZoneHeat() const {
  std::map<std::string, double> heat;
  for (const CoolingNode& unit : cooling_)
    heat[unit.zone] += 0;
  for (const PowerLoad& load : loads_) {
    if (load.rack.empty())
      continue;
    auto it = rack_zones_.find(load.rack);
    if (it == rack_zones_.end())
      continue;
    const RackZones& z = it->second;
    heat[z.zone] += load.watts * (1 - z.liquid_fraction);
    if (z.liquid_fraction > 0)
      heat[z.liquid_zone] += load.watts * z.liquid_fraction;
  }
  return heat;
}

}  // namespace dc::plan
