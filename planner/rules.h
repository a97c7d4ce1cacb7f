// Compiles the inventory's redundancy design into Prometheus recording and
// alerting rules, so live monitoring knows what one side of a 2N pair, one
// rack feed or a cooling group short of one unit can carry. Metric names
// are the agent's schema names; the label `device` is the monitored device
// name the inventory gives each UPS, rack feed and cooling unit.
#pragma once

#include <string>

#include "planner/model.h"

namespace dc::plan {

struct RulesOptions {
  std::string for_duration = "5m";   // how long a breach lasts before firing
  int exhaustion_days = 180;         // predict_linear look-ahead
  std::string trend_window = "30d";  // predict_linear history
};

// A complete rule file (YAML) for `promtool check rules` and Prometheus.
std::string GenerateRules(const Plan& plan, const RulesOptions& options = {});

// Usable watts one side of each UPS group can carry after the worst
// single UPS or module failure (used by the rules and their tests).
double UpsGroupFailoverWatts(const Plan& plan, const std::string& group);

// Usable watts of the weakest feed of a rack after derating.
double RackSingleFeedWatts(const Plan& plan, const std::string& rack);

// Usable cooling of a group with its largest unit out.
double CoolingGroupFailoverWatts(const Plan& plan, const std::string& group);

// Upper limit of the allowable inlet range of an ASHRAE class, in C.
double AshraeAllowableMaxCelsius(const std::string& ashrae_class);

}  // namespace dc::plan
