// Reading what LibreNMS discovered and polled from a recorded walk (its
// tests/data/NAME.json) as the readings dcagent is compared against.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/conformance/sensor_matching.h"

namespace dc::conformance {

struct LibreNmsReadings {
  // Sensors of the compared classes with a non-zero value, converted to
  // the schema's base units (percent to ratio, minutes to seconds).
  std::vector<ExpectedSensor> sensors;
  // Sensors left out because their raw reading is a "not available"
  // marker (65535, 9999, 2^31-1, 2^32-1) that LibreNMS stored as a value.
  std::vector<ExpectedSensor> sentinels;
};

// The classes compared: power, current, voltage, frequency, temperature,
// humidity, load, charge, runtime. Reads the poller's sensor list, or the
// discovery list when the poller's is recorded as "matches discovery".
std::expected<LibreNmsReadings, std::string> ReadLibreNmsReadings(
    const std::filesystem::path& json_file);

}  // namespace dc::conformance
