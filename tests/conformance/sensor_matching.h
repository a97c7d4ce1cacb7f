// Matching the readings LibreNMS recorded for a device against the samples
// dcagent produced from the same walk.
//
// Each LibreNMS sensor may be matched by at most one sample and each
// sample may match at most one sensor (a maximum bipartite matching), so a
// single series cannot account for several sensors that happen to share a
// value, and several identical readings need as many distinct series.
#pragma once

#include <string>
#include <vector>

#include "collectors/common/sample.h"

namespace dc::conformance {

// One LibreNMS sensor, with its value already in the schema's base unit.
struct ExpectedSensor {
  std::string sensor_class;  // power, current, voltage, frequency, ...
  std::string oid;           // where LibreNMS read it, for reports
  std::string description;
  double value = 0;  // base unit: ratio, seconds, watts, ...
  // The resolution of LibreNMS's reading in the base unit (multiplier /
  // divisor): two readings of one quantity from columns of different
  // resolution may differ by up to this much.
  double step = 0;
};

// True when a series named `metric` is of the unit family LibreNMS's
// `sensor_class` measures: power -> _watts or _voltamperes (LibreNMS files
// apparent and reactive power under power too), current -> _amperes,
// voltage -> _volts, frequency -> _hertz, temperature -> _celsius,
// humidity / load / charge -> a _ratio metric with that word in its name,
// runtime -> a _seconds metric with "runtime" in its name.
bool SameUnitFamily(const std::string& sensor_class, const std::string& metric);

// True when `actual` equals `expected.value` within the larger of 0.5 %
// of the expected value and one step of LibreNMS's resolution.
bool CloseEnough(const ExpectedSensor& expected, double actual);

struct MatchResult {
  int matched = 0;
  // For each expected sensor, the index of the sample it was matched to,
  // or -1.
  std::vector<int> sample_for_sensor;
};

// The largest one-to-one assignment of samples to expected sensors where
// each pair is of the same unit family and close enough.
MatchResult MatchSensors(const std::vector<ExpectedSensor>& expected,
                         const std::vector<Sample>& samples);

}  // namespace dc::conformance
