#include "planner/analysis.h"

namespace dc::plan {

Analysis Analyze(const Plan& input, const Measurements& m, Date today) {
  Analysis a{.plan = input, .measurements = m, .today = today};
  ApplyStorage(a.plan, m);
  if (a.measurements.origin.empty())
    a.measurements.origin = "budget";

  PowerGraph graph(a.plan, DeviceWatts(a.plan, m));
  a.capacity = ComputeCapacity(a.plan, graph);
  a.redundancy = AnalyzeRedundancy(graph, a.plan);
  a.availability = AllAvailability(graph);
  a.timeline = BuildTimeline(input, m, today);
  return a;
}

}  // namespace dc::plan
