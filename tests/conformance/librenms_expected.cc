#include "tests/conformance/librenms_expected.h"

#include <cmath>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace dc::conformance {
namespace {

using nlohmann::json;

const std::set<std::string>& ComparedClasses() {
  static const std::set<std::string> classes = {
      "power",    "current", "voltage", "frequency", "temperature",
      "humidity", "load",    "charge",  "runtime"};
  return classes;
}

// LibreNMS stores numbers as numbers or, in older files, as strings.
double Number(const json& value, double fallback) {
  if (value.is_number())
    return value.get<double>();
  if (value.is_string()) {
    try {
      return std::stod(value.get<std::string>());
    } catch (const std::exception&) {
      return fallback;
    }
  }
  return fallback;
}

// Markers agents put in a gauge for "no reading"; LibreNMS keeps them.
bool IsSentinel(double raw) {
  static const double kMarkers[] = {65535, 9999, 2147483647.0, 4294967295.0};
  for (double marker : kMarkers) {
    if (std::abs(raw - marker) < 0.5)
      return true;
  }
  return false;
}

const json* SensorList(const json& doc) {
  auto sensors = doc.find("sensors");
  if (sensors == doc.end())
    return nullptr;
  for (const char* phase : {"poller", "discovery"}) {
    auto part = sensors->find(phase);
    if (part == sensors->end() || !part->is_object())
      continue;
    auto list = part->find("sensors");
    if (list != part->end() && list->is_array())
      return &*list;
  }
  return nullptr;
}

}  // namespace

std::expected<LibreNmsReadings, std::string> ReadLibreNmsReadings(
    const std::filesystem::path& json_file) {
  std::ifstream in(json_file);
  if (!in)
    return std::unexpected(fmt::format("cannot open {}", json_file.string()));
  json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return std::unexpected(fmt::format("{} is not JSON", json_file.string()));
  }

  LibreNmsReadings out;
  const json* list = SensorList(doc);
  if (!list)
    return out;  // a device LibreNMS found no sensors on
  for (const json& s : *list) {
    std::string sensor_class = s.value("sensor_class", "");
    if (!ComparedClasses().contains(sensor_class))
      continue;
    double current = Number(s.value("sensor_current", json()), 0);
    if (current == 0)
      continue;
    double divisor = Number(s.value("sensor_divisor", json()), 1);
    double multiplier = Number(s.value("sensor_multiplier", json()), 1);
    if (divisor == 0)
      divisor = 1;
    if (multiplier == 0)
      multiplier = 1;

    ExpectedSensor e;
    e.sensor_class = sensor_class;
    e.oid = s.value("sensor_oid", "");
    e.description = s.value("sensor_descr", "");
    e.value = current;
    e.step = multiplier / divisor;
    if (sensor_class == "humidity" || sensor_class == "load" ||
        sensor_class == "charge") {
      e.value /= 100;
      e.step /= 100;
    } else if (sensor_class == "runtime") {
      e.value *= 60;
      e.step *= 60;
    }
    bool sentinel = IsSentinel(current * divisor / multiplier);
    (sentinel ? out.sentinels : out.sensors).push_back(std::move(e));
  }
  return out;
}

}  // namespace dc::conformance
