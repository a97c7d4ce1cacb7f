// The vendor-neutral metric schema: every metric a profile may produce,
// with its type, help text and labels. docs/metrics.md is generated from
// this table (`dcagent schema --markdown`).
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace dc {

enum class MetricType { kGauge, kCounter };

enum class DeviceClass {
  kUps,
  kPdu,
  kAts,
  kCooling,
  kEnvironment,
  kMeter,
  kServer,
  kStorage,
  kAny,  // metrics any class may carry (info, environment probes)
};

std::string_view ToString(DeviceClass device_class);

struct MetricInfo {
  std::string_view name;
  MetricType type;
  DeviceClass device_class;
  // Labels the series carries besides the target's own labels.
  std::vector<std::string_view> labels;
  std::string_view help;
};

// All schema metrics, grouped by class.
std::span<const MetricInfo> SchemaMetrics();

// The metric named `name`, or nullptr when the schema has none.
const MetricInfo* FindSchemaMetric(std::string_view name);

// Labels the agent adds to every series of a target.
inline constexpr std::string_view kDeviceLabel = "device";

}  // namespace dc
