#include "tests/conformance/sensor_matching.h"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace dc::conformance {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Kuhn's augmenting-path search: tries to give sensor `sensor` a sample,
// moving earlier assignments along when that frees one.
bool Augment(int sensor, const std::vector<std::vector<int>>& candidates,
             std::vector<bool>& visited, std::vector<int>& sensor_of_sample) {
  for (int sample : candidates[sensor]) {
    if (visited[sample])
      continue;
    visited[sample] = true;
    if (sensor_of_sample[sample] < 0 ||
        Augment(sensor_of_sample[sample], candidates, visited,
                sensor_of_sample)) {
      sensor_of_sample[sample] = sensor;
      return true;
    }
  }
  return false;
}

}  // namespace

bool SameUnitFamily(const std::string& sensor_class,
                    const std::string& metric) {
  if (sensor_class == "power") {
    return EndsWith(metric, "_watts") || EndsWith(metric, "_voltamperes");
  }
  if (sensor_class == "current")
    return EndsWith(metric, "_amperes");
  if (sensor_class == "voltage")
    return EndsWith(metric, "_volts");
  if (sensor_class == "frequency")
    return EndsWith(metric, "_hertz");
  if (sensor_class == "temperature")
    return EndsWith(metric, "_celsius");
  if (sensor_class == "humidity" || sensor_class == "load" ||
      sensor_class == "charge") {
    return EndsWith(metric, "_ratio") && Contains(metric, sensor_class);
  }
  if (sensor_class == "runtime") {
    return EndsWith(metric, "_seconds") && Contains(metric, "runtime");
  }
  return false;
}

bool CloseEnough(const ExpectedSensor& expected, double actual) {
  double tolerance =
      std::max(0.005 * std::abs(expected.value), std::abs(expected.step));
  return std::abs(actual - expected.value) <= tolerance + 1e-9;
}

MatchResult MatchSensors(const std::vector<ExpectedSensor>& expected,
                         const std::vector<Sample>& samples) {
  std::vector<std::vector<int>> candidates(expected.size());
  for (std::size_t s = 0; s < expected.size(); ++s) {
    for (std::size_t i = 0; i < samples.size(); ++i) {
      if (SameUnitFamily(expected[s].sensor_class, samples[i].name) &&
          CloseEnough(expected[s], samples[i].value)) {
        candidates[s].push_back(static_cast<int>(i));
      }
    }
  }

  std::vector<int> sensor_of_sample(samples.size(), -1);
  for (std::size_t s = 0; s < expected.size(); ++s) {
    std::vector<bool> visited(samples.size(), false);
    Augment(static_cast<int>(s), candidates, visited, sensor_of_sample);
  }

  MatchResult result;
  result.sample_for_sensor.assign(expected.size(), -1);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (sensor_of_sample[i] < 0)
      continue;
    result.sample_for_sensor[sensor_of_sample[i]] = static_cast<int>(i);
    ++result.matched;
  }
  return result;
}

}  // namespace dc::conformance
