// Steady-state availability of each rack's power path and each cooling
// zone, from the same graph the failover model uses and each unit's MTBF
// and MTTR (A = MTBF / (MTBF + MTTR), units failing independently).
//
// Power: a rack is up while every load in it has a powered supply. The
// structure (series through each node, parallel over a node's inputs and
// over a load's feeds, k-out-of-n modules inside a UPS) is evaluated
// exactly by enumerating the states of the components the rack depends
// on; each UPS counts as one component whose availability is the
// binomial probability that enough modules run. Cooling: a zone is up
// while the capacity of the running units covers its heat (the capacity
// distribution is built by convolution). Both ignore common-cause
// failures and the capacity limits the failover model checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "planner/power_graph.h"

namespace dc::plan {

struct PathAvailability {
  std::string scope;  // rack or zone
  std::string kind;   // "power" or "cooling"
  double availability = 0;
  double downtime_minutes_per_year = 0;
  int components = 0;
};

double UnitAvailability(const Reliability& r);

// P(at least k of n identical units run).
double KOutOfN(int k, int n, double a);

// Exact; nullopt when the rack depends on more than 24 components.
std::optional<PathAvailability> RackPowerAvailability(const PowerGraph& graph,
                                                      const std::string& rack);

PathAvailability ZoneCoolingAvailability(const PowerGraph& graph,
                                         const std::string& zone);

std::vector<PathAvailability> AllAvailability(const PowerGraph& graph);

// Alternating-renewal simulation of the same rack: every component (each
// UPS module separately) fails after an exponential time with mean MTBF
// and is repaired after one with mean MTTR; returns the share of
// `hours` during which the rack was up. Used to cross-check the analysis.
double SimulateRackAvailability(const PowerGraph& graph,
                                const std::string& rack, double hours,
                                std::uint64_t seed);

}  // namespace dc::plan
