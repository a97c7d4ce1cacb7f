#include "planner/capacity.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "planner/electrical.h"

namespace dc::plan {
namespace {

constexpr double kProbeWatts = 10'000;
constexpr double kUnlimited = std::numeric_limits<double>::infinity();

std::map<std::string, std::vector<int>> RackFeeds(const PowerGraph& graph) {
  std::map<std::string, std::vector<int>> out;
  for (int i = 0; i < static_cast<int>(graph.nodes().size()); ++i) {
    if (graph.nodes()[i].kind == NodeKind::kFeed) {
      out[graph.nodes()[i].rack].push_back(i);
    }
  }
  return out;
}

// Every node upstream of `node`, through all inputs.
void Upstream(const PowerGraph& graph, int node, std::set<int>& out) {
  for (int in : graph.nodes()[node].inputs) {
    if (out.insert(in).second)
      Upstream(graph, in, out);
  }
}

// Tries one linear constraint a + b*x <= 1 and keeps the tightest.
void Tighten(double a, double b, double scale, const std::string& element,
             const std::string& case_name, ProbeResult& best) {
  if (b <= 1e-12)
    return;
  double x = (1 - a) / b * scale;
  if (x < best.headroom_w)
    best = {x, element, case_name};
}

double Sum(const std::vector<PowerLoad>& loads, const std::string& rack) {
  double w = 0;
  for (const auto& l : loads)
    w += l.rack == rack ? l.watts : 0;
  return w;
}

std::string Describe(const ProbeResult& p) {
  if (p.element.empty())
    return "";
  return fmt::format("{} ({})", p.element, p.case_name);
}

double Finite(double v) {
  return std::isinf(v) ? 0 : v;
}

}  // namespace

std::vector<OperatingCase> DesignCases(const PowerGraph& graph) {
  std::vector<OperatingCase> out;
  for (const OperatingCase& c : graph.Cases()) {
    if (c.kind != CaseKind::kMaintenance)
      out.push_back(c);
  }
  return out;
}

ProbeResult ProbeHeadroom(
    const PowerGraph& graph,
    const std::vector<std::pair<std::string, double>>& rack_weights,
    const std::vector<OperatingCase>& cases, const std::vector<int>& elements,
    bool cooling) {
  // The probe: one load per rack over all its feeds, shared by weight.
  PowerGraph probed = graph;
  auto feeds = RackFeeds(graph);
  double total = 0;
  for (const auto& [rack, w] : rack_weights)
    total += std::max(w, 0.0);
  for (const auto& [rack, w] : rack_weights) {
    double share = total > 0 ? std::max(w, 0.0) / total
                             : 1.0 / static_cast<double>(rack_weights.size());
    double watts = kProbeWatts * share;
    if (watts <= 0)
      continue;
    probed.AddLoad({.id = "probe/" + rack,
                    .rack = rack,
                    .nodes = feeds[rack],
                    .watts = watts,
                    .va = watts / graph.policy().power_factor});
  }

  std::vector<bool> selected(graph.nodes().size(), elements.empty());
  for (int e : elements)
    selected[e] = true;
  auto heat_base = graph.ZoneHeat();
  auto heat_with = probed.ZoneHeat();

  ProbeResult best{kUnlimited, "", ""};
  for (const OperatingCase& c : cases) {
    Evaluation base = graph.Evaluate(c);
    Evaluation with = probed.Evaluate(c);
    for (std::size_t i = 0; i < selected.size(); ++i) {
      const NodeState& b = base.nodes[i];
      const NodeState& w = with.nodes[i];
      if (!selected[i] || !w.powered || w.bypassed)
        continue;
      const PowerNode& n = graph.nodes()[i];
      if (w.cap_w > 0) {
        Tighten(b.watts / w.cap_w, (w.watts - b.watts) / w.cap_w, kProbeWatts,
                n.id, c.name, best);
      }
      if (w.cap_va > 0) {
        Tighten(b.va / w.cap_va, (w.va - b.va) / w.cap_va, kProbeWatts, n.id,
                c.name, best);
      }
      if (n.cap_amps > 0) {
        for (int p = 0; p < 3; ++p) {
          Tighten(b.phase_amps[p] / n.cap_amps,
                  (w.phase_amps[p] - b.phase_amps[p]) / n.cap_amps, kProbeWatts,
                  n.id, c.name, best);
        }
      }
    }
    if (!cooling)
      continue;
    for (const auto& [zone, capacity] : with.zone_capacity_w) {
      double extra = heat_with[zone] - heat_base[zone];
      if (extra <= 0)
        continue;
      if (capacity <= 0) {
        Tighten(1, extra, kProbeWatts, zone, c.name, best);
      } else {
        Tighten(heat_base[zone] / capacity, extra / capacity, kProbeWatts, zone,
                c.name, best);
      }
    }
  }
  return best;
}

CapacityReport ComputeCapacity(const Plan& plan, const PowerGraph& graph) {
  CapacityReport report;
  const Policy& policy = plan.policy;
  auto feeds = RackFeeds(graph);
  std::vector<OperatingCase> cases = DesignCases(graph);

  // Racks: one side must carry the whole rack when the other is out.
  std::map<std::string, int> used_u, ports;
  std::map<std::string, double> weight;
  for (const Device& d : plan.devices) {
    used_u[d.rack] += d.u;
    weight[d.rack] += d.weight_kg;
    ports[d.rack] += d.ports;
  }
  for (const Rack& rack : plan.racks) {
    RackCapacity rc{
        .rack = rack.id, .room = rack.room, .row = rack.row, .zone = rack.zone};
    rc.load_w = Sum(graph.loads(), rack.id);
    std::vector<OperatingCase> rack_cases = {cases.front()};
    for (int f : feeds[rack.id]) {
      rack_cases.push_back(
          {CaseKind::kFailure, f, -1, "failure of " + graph.nodes()[f].id});
    }
    ProbeResult p =
        ProbeHeadroom(graph, {{rack.id, 1}}, rack_cases, feeds[rack.id], false);
    rc.power_headroom_w = Finite(p.headroom_w);
    rc.power_usable_w = rc.load_w + rc.power_headroom_w;
    rc.power_binding = Describe(p);
    rc.cooling_headroom_w = rack.max_kw * 1000 - rc.load_w;
    rc.u = rack.u;
    rc.used_u = used_u[rack.id];
    double density = rack.max_kw * 1000 / rack.u;
    rc.space_headroom_w = (rack.u - rc.used_u) * density;
    if (rack.max_weight_kg > 0) {
      rc.weight_free_kg = rack.max_weight_kg - weight[rack.id];
    }
    rc.ports = ports[rack.id];

    rc.admissible_w = std::min(
        {rc.power_headroom_w, rc.cooling_headroom_w, rc.space_headroom_w});
    rc.binding = rc.admissible_w == rc.power_headroom_w     ? "power"
                 : rc.admissible_w == rc.cooling_headroom_w ? "cooling"
                                                            : "space";
    double used = std::max(rc.admissible_w, 0.0);
    rc.stranded_power_w = std::max(0.0, rc.power_headroom_w - used);
    rc.stranded_cooling_w = std::max(0.0, rc.cooling_headroom_w - used);
    rc.stranded_space_u = std::max(0.0, (rc.space_headroom_w - used) / density);
    report.racks.push_back(std::move(rc));
  }

  // Power over groups of racks: the shared distribution (panels, UPS,
  // switchgear, sources; rack feeds are the racks' own limit above), with
  // the probe spread in proportion to each rack's design load.
  std::vector<int> shared;
  for (int i = 0; i < static_cast<int>(graph.nodes().size()); ++i) {
    if (graph.nodes()[i].kind != NodeKind::kFeed)
      shared.push_back(i);
  }
  std::map<std::string, double> design_kw;
  for (const Rack& rack : plan.racks)
    design_kw[rack.id] = rack.max_kw;
  auto power_scope = [&](const std::string& kind, const std::string& scope,
                         auto&& member) {
    std::vector<std::pair<std::string, double>> weights;
    double load = 0, stranded = 0;
    for (const RackCapacity& rc : report.racks) {
      if (!member(rc))
        continue;
      weights.emplace_back(rc.rack, design_kw[rc.rack]);
      load += rc.load_w;
      stranded += rc.stranded_power_w;
    }
    if (weights.empty())
      return;
    ProbeResult p = ProbeHeadroom(graph, weights, cases, shared, false);
    double headroom = Finite(p.headroom_w);
    report.scopes.push_back({"power", kind, scope, "kW", 0,
                             (load + headroom) / 1e3, load / 1e3,
                             headroom / 1e3, Describe(p), stranded / 1e3});
  };
  power_scope("site", plan.name, [](const RackCapacity&) { return true; });
  std::set<std::string> rooms, rows;
  for (const RackCapacity& rc : report.racks) {
    rooms.insert(rc.room);
    if (!rc.row.empty())
      rows.insert(rc.row);
  }
  for (const auto& room : rooms) {
    power_scope("room", room,
                [&](const RackCapacity& rc) { return rc.room == room; });
  }
  for (const auto& row : rows) {
    power_scope("row", row,
                [&](const RackCapacity& rc) { return rc.row == row; });
  }

  // UPS groups (the 2N pair, the N+1 block): racks fed through them.
  std::map<std::string, std::set<int>> group_ups;
  for (int i = 0; i < static_cast<int>(graph.nodes().size()); ++i) {
    if (graph.nodes()[i].kind == NodeKind::kUps) {
      group_ups[graph.nodes()[i].group].insert(i);
    }
  }
  std::map<std::string, std::set<std::string>> group_racks;
  for (const auto& [rack, rack_feeds] : feeds) {
    for (int f : rack_feeds) {
      std::set<int> up;
      Upstream(graph, f, up);
      for (const auto& [group, members] : group_ups) {
        for (int u : members) {
          if (up.contains(u))
            group_racks[group].insert(rack);
        }
      }
    }
  }
  for (const auto& [group, racks] : group_racks) {
    power_scope("ups group", group, [&](const RackCapacity& rc) {
      return racks.contains(rc.rack);
    });
    double nameplate = 0;
    for (int u : group_ups[group]) {
      const PowerNode& n = graph.nodes()[u];
      nameplate += n.modules * n.module_w / policy.ups_max_load / 1e3;
    }
    report.scopes.back().nameplate = nameplate;
  }

  // Each UPS and panel: the load it carries in its worst design case.
  std::vector<Evaluation> evaluations;
  for (const OperatingCase& c : cases)
    evaluations.push_back(graph.Evaluate(c));
  for (int i = 0; i < static_cast<int>(graph.nodes().size()); ++i) {
    const PowerNode& n = graph.nodes()[i];
    if (n.kind != NodeKind::kUps && n.kind != NodeKind::kPanel &&
        n.kind != NodeKind::kSource && n.kind != NodeKind::kSwitchgear) {
      continue;
    }
    double worst = 0, worst_w = 0, normal_w = evaluations[0].nodes[i].watts;
    std::string worst_case = "normal";
    for (std::size_t c = 0; c < cases.size(); ++c) {
      const NodeState& s = evaluations[c].nodes[i];
      if (s.utilization > worst) {
        worst = s.utilization, worst_w = s.watts, worst_case = cases[c].name;
      }
    }
    double nameplate = 0, usable = 0;
    if (n.kind == NodeKind::kUps) {
      nameplate = n.modules * n.module_w / policy.ups_max_load;
      usable = n.cap_w;
    } else if (n.kind == NodeKind::kPanel) {
      double amps = n.cap_amps / policy.breaker_derating;
      nameplate = CircuitWatts(n.volts, amps, n.phases, policy.power_factor);
      usable = nameplate * policy.breaker_derating;
    } else {
      nameplate = usable = n.cap_w;
    }
    if (usable <= 0)
      continue;

    // Headroom by the probe over the racks this element feeds, so per-phase
    // current and VA limits count as they bind; an element feeding no rack
    // (a mechanical panel) is reported at the W load where its binding
    // measure reaches 100%.
    std::vector<std::pair<std::string, double>> below;
    for (const auto& [rack, rack_feeds] : feeds) {
      for (int f : rack_feeds) {
        std::set<int> up;
        Upstream(graph, f, up);
        if (up.contains(i)) {
          below.emplace_back(rack, design_kw[rack]);
          break;
        }
      }
    }
    double headroom = 0;
    std::string binding = fmt::format("{:.0f}% in {}", worst * 100, worst_case);
    if (!below.empty()) {
      ProbeResult p = ProbeHeadroom(graph, below, cases, {i}, false);
      headroom = Finite(p.headroom_w);
      if (!p.case_name.empty())
        binding = p.case_name;
    } else {
      double effective = worst > 0 ? worst_w / worst : usable;
      headroom = effective - worst_w;
    }
    report.scopes.push_back({"power", std::string(ToString(n.kind)), n.id, "kW",
                             nameplate / 1e3, (normal_w + headroom) / 1e3,
                             normal_w / 1e3, headroom / 1e3, binding, 0});
  }

  // Cooling zones: the capacity left in the zone's worst case.
  auto heat = graph.ZoneHeat();
  std::map<std::string, double> zone_nameplate;
  for (const CoolingNode& unit : graph.cooling()) {
    zone_nameplate[unit.zone] += unit.watts;
  }
  for (const auto& [zone, nameplate] : zone_nameplate) {
    double worst = kUnlimited;
    std::string worst_case;
    for (std::size_t c = 0; c < cases.size(); ++c) {
      double cap = evaluations[c].zone_capacity_w[zone];
      if (cap < worst)
        worst = cap, worst_case = cases[c].name;
    }
    report.scopes.push_back({"cooling", "zone", zone, "kW", nameplate / 1e3,
                             worst / 1e3, heat[zone] / 1e3,
                             (worst - heat[zone]) / 1e3, worst_case, 0});
  }

  // Space: rack positions per room and U in the racks.
  for (const Room& room : plan.rooms) {
    int racks = 0, u = 0, used = 0;
    double stranded_u = 0;
    for (const RackCapacity& rc : report.racks) {
      if (rc.room != room.id)
        continue;
      ++racks, u += rc.u, used += rc.used_u;
      stranded_u += rc.stranded_space_u;
    }
    report.scopes.push_back(
        {"space", "room", room.id, "racks", double(room.rack_positions),
         double(room.rack_positions), double(racks),
         double(room.rack_positions - racks), "rack positions", 0});
    report.scopes.push_back({"space", "room", room.id, "U", double(u),
                             double(u), double(used), double(u - used),
                             "U in installed racks", stranded_u});
  }

  for (const StoragePool& s : plan.storage) {
    double usable = s.usable_tb * policy.storage_max_fill;
    report.scopes.push_back(
        {"storage", "pool", s.id, "TB", s.usable_tb, usable, s.used_tb,
         usable - s.used_tb,
         fmt::format("fill limit {:.0f}%", policy.storage_max_fill * 100), 0});
  }

  if (!plan.network.empty()) {
    double total = 0, used = 0;
    for (const NetworkSwitch& n : plan.network) {
      total += n.ports, used += n.used_ports;
    }
    for (const auto& [rack, p] : ports)
      used += p;
    report.scopes.push_back({"network", "site", plan.name, "ports", total,
                             total, used, total - used, "switch ports", 0});
  }
  return report;
}

}  // namespace dc::plan
