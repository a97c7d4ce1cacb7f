// The plan moved forward month by month to the horizon: dated projects
// applied as steps (racks added from templates, systems retired, UPS
// modules and cooling units added, storage added), each existing rack's
// load and each pool's use grown by its own forecast (P50 and P90; see
// growth.h), and at every month each resource compared with its capacity
// after the worst single failure, not its nameplate: the site, each UPS
// group, each rack's feeds (one derated feed carrying A+B), cooling zones,
// rack positions and storage pools.
// The first month a resource runs out is its exhaustion date; what to add,
// and by when (that date less the procurement lead time), follows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "planner/forecast.h"
#include "planner/growth.h"
#include "planner/measurements.h"
#include "planner/model.h"

namespace dc::plan {

struct TimelinePoint {
  Date date{};
  double load_p50 = 0;
  double load_p90 = 0;
  double capacity = 0;  // after the worst single failure, in `unit`
  std::string binding;  // what limits the capacity that month
};

struct ResourceTimeline {
  std::string resource;    // power, cooling, space, storage
  std::string scope_kind;  // site, ups group, rack, zone, room, pool
  std::string scope;
  std::string unit;  // kW, racks, TB
  std::vector<TimelinePoint> points;
  std::optional<Date> exhaustion_p50;
  std::optional<Date> exhaustion_p90;
};

struct Recommendation {
  std::string resource, scope;
  Date exhausts{};  // P90 exhaustion
  Date order_by{};  // exhausts - lead time
  std::string action;
  double shortfall = 0;  // at the worst month, in the timeline's unit
  std::string unit;
};

struct TimelineReport {
  Date start{};
  Date horizon{};
  GrowthModel growth;
  std::vector<ResourceTimeline> series;
  std::vector<Recommendation> actions;
};

// Applies one project to `plan` (used month by month; exposed for tests).
void ApplyProject(Plan& plan, const Project& project);

// `start` defaults to the scenario's start, else the last measurement,
// else `today`.
TimelineReport BuildTimeline(const Plan& plan, const Measurements& m,
                             Date today);

}  // namespace dc::plan
