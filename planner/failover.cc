#include "planner/failover.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

namespace dc::plan {
namespace {

// Tolerance so rounding does not turn an exactly full unit into a failure.
constexpr double kFull = 1.0 + 1e-9;

Overload DescribeOverload(const PowerNode& n, const NodeState& s) {
  Overload o{.element = n.id,
             .kind = std::string(ToString(n.kind)),
             .utilization = s.utilization};
  if (s.cap_w > 0 && s.watts / s.cap_w >= s.utilization - 1e-12) {
    o.load = s.watts, o.usable = s.cap_w, o.measure = "W";
  } else if (s.cap_va > 0 && s.va / s.cap_va >= s.utilization - 1e-12) {
    o.load = s.va, o.usable = s.cap_va, o.measure = "VA";
  } else {
    o.load = *std::max_element(s.phase_amps.begin(), s.phase_amps.end());
    o.usable = n.cap_amps, o.measure = "A";
  }
  return o;
}

bool Passes(const std::vector<CaseResult>& all, CaseKind kind,
            const std::function<bool(const OperatingCase&)>& select,
            std::vector<std::string>& reasons) {
  bool ok = true;
  for (const CaseResult& r : all) {
    const OperatingCase& c = r.operating_case;
    if (c.kind != kind || !select(c) || r.ok())
      continue;
    ok = false;
    std::string what =
        r.dropped_w > 0
            ? fmt::format("{:.1f} kW of IT load loses power", r.dropped_w / 1e3)
            : fmt::format("{} at {:.0f}%", r.overloads.front().element,
                          r.overloads.front().utilization * 100);
    if (reasons.size() < 8)
      reasons.push_back(c.name + ": " + what);
  }
  return ok;
}

}  // namespace

CaseResult CheckCase(const PowerGraph& graph, const OperatingCase& c) {
  Evaluation e = graph.Evaluate(c);
  CaseResult r{
      .operating_case = c, .dropped_w = e.dropped_w, .dropped = e.dropped};
  for (std::size_t i = 0; i < e.nodes.size(); ++i) {
    if (e.nodes[i].utilization > kFull) {
      r.overloads.push_back(DescribeOverload(graph.nodes()[i], e.nodes[i]));
    }
  }
  for (const auto& [zone, heat] : graph.ZoneHeat()) {
    double capacity = e.zone_capacity_w[zone];
    if (heat > capacity * kFull) {
      r.overloads.push_back(
          {.element = zone,
           .kind = "cooling zone",
           .utilization = capacity > 0 ? heat / capacity : 1e9,
           .load = heat,
           .usable = capacity,
           .measure = "W heat"});
    }
  }
  return r;
}

RedundancyReport AnalyzeRedundancy(const PowerGraph& graph, const Plan& plan) {
  RedundancyReport report;
  std::vector<CaseResult> all;
  for (const OperatingCase& c : graph.Cases())
    all.push_back(CheckCase(graph, c));
  report.cases_checked = static_cast<int>(all.size());
  for (const CaseResult& r : all) {
    if (!r.ok())
      report.failing.push_back(r);
  }

  const auto& nodes = graph.nodes();
  auto any = [](const OperatingCase&) { return true; };
  bool has_generator = std::any_of(plan.sources.begin(), plan.sources.end(),
                                   [](const Source& s) { return s.generator; });

  // Tier I: dedicated capacity that carries the load in normal operation.
  TierCheck t1{.tier = 1};
  t1.met = Passes(all, CaseKind::kNormal, any, t1.reasons);
  if (!has_generator) {
    t1.met = false;
    t1.reasons.push_back("no engine generator on site");
  }
  if (plan.ups.empty() || plan.cooling.empty()) {
    t1.met = false;
    t1.reasons.push_back("a UPS and dedicated cooling are required");
  }

  // Tier II: redundant capacity components (UPS modules, generators,
  // cooling units) may each fail without effect on the IT load.
  TierCheck t2{.tier = 2};
  auto capacity_component = [&](const OperatingCase& c) {
    if (c.cooling >= 0)
      return true;
    const PowerNode& n = nodes[c.node];
    if (n.kind == NodeKind::kSource)
      return true;
    return n.kind == NodeKind::kUps && n.modules <= 1;
  };
  t2.met = Passes(all, CaseKind::kFailure, capacity_component, t2.reasons);
  t2.met = Passes(all, CaseKind::kModuleFailure, any, t2.reasons) && t2.met;

  // Tier III: every component and path can be taken out for maintenance.
  TierCheck t3{.tier = 3};
  t3.met = Passes(all, CaseKind::kMaintenance, any, t3.reasons);
  bool bypassed = std::any_of(nodes.begin(), nodes.end(), [](const auto& n) {
    return n.kind == NodeKind::kUps && n.maintenance_bypass;
  });
  if (bypassed) {
    t3.reasons.push_back(
        "note: UPS maintenance assumes the load rides the "
        "maintenance bypass, unprotected, meanwhile");
  }

  // Tier IV: any single failure, anywhere, leaves the IT load carried.
  TierCheck t4{.tier = 4};
  t4.met = Passes(all, CaseKind::kFailure, any, t4.reasons);
  if (!plan.compartmentalized) {
    t4.met = false;
    t4.reasons.push_back(
        "A and B paths not declared compartmentalized "
        "([site] compartmentalized = true)");
  }

  report.tiers = {t1, t2, t3, t4};
  for (const TierCheck& t : report.tiers) {
    if (!t.met)
      break;
    report.tier_met = t.tier;
  }
  return report;
}

}  // namespace dc::plan
