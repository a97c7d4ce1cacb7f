// Everything the planner computes for one plan, in one place, so every
// output format (terminal, JSON, CSV, HTML) reports the same numbers.
#pragma once

#include <string>
#include <vector>

#include "planner/availability.h"
#include "planner/capacity.h"
#include "planner/failover.h"
#include "planner/measurements.h"
#include "planner/model.h"
#include "planner/timeline.h"

namespace dc::plan {

struct Analysis {
  Plan plan;  // as of the start: measured storage applied
  Measurements measurements;
  Date today{};
  CapacityReport capacity;
  RedundancyReport redundancy;
  TimelineReport timeline;
  std::vector<PathAvailability> availability;
};

// Runs every model on `plan` with the loads in `m` (an empty Measurements
// means budgets). `today` is used when neither the scenario nor the
// measurements say when the plan starts.
Analysis Analyze(const Plan& plan, const Measurements& m, Date today);

std::string TextReport(const Analysis& a);
std::string JsonReport(const Analysis& a);
// Capacity table, then the monthly timeline, as two CSV documents.
std::string CsvCapacity(const Analysis& a);
std::string CsvTimeline(const Analysis& a);
// One self-contained HTML file: tables and inline SVG charts, no scripts,
// no external resources.
std::string HtmlReport(const Analysis& a);

}  // namespace dc::plan
