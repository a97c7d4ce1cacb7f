// The redundancy check: every single failure and every single maintenance
// removal evaluated on the power graph with the load redistributed as it
// really goes (dual-corded devices move to their surviving supply, an ATS
// or switchgear moves to its next input, a UPS module out lowers that
// UPS's rating), then what overloads or goes dark, and which Uptime Tier
// criteria the design meets.
#pragma once

#include <string>
#include <vector>

#include "planner/power_graph.h"

namespace dc::plan {

struct Overload {
  std::string element;     // node id or cooling zone
  std::string kind;        // "ups", "panel", "feed", ..., "cooling zone"
  double utilization = 0;  // load over usable rating
  double load = 0;         // W (power) or W of heat (cooling)
  double usable = 0;       // W, or A per phase when current binds
  std::string measure;     // "W", "VA" or "A" or "W heat"
};

struct CaseResult {
  OperatingCase operating_case;
  std::vector<Overload> overloads;
  double dropped_w = 0;
  std::vector<std::string> dropped;
  bool ok() const { return overloads.empty() && dropped_w <= 0; }
};

struct TierCheck {
  int tier = 0;
  bool met = false;
  std::vector<std::string> reasons;  // why not, or notes
};

struct RedundancyReport {
  int cases_checked = 0;
  std::vector<CaseResult> failing;  // cases with an overload or dark load
  std::vector<TierCheck> tiers;     // I to IV
  int tier_met = 0;                 // highest tier whose checks all pass
};

// Evaluates one case and lists what is over its usable rating or dark.
CaseResult CheckCase(const PowerGraph& graph, const OperatingCase& c);

RedundancyReport AnalyzeRedundancy(const PowerGraph& graph, const Plan& plan);

}  // namespace dc::plan
