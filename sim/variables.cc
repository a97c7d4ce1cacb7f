#include "sim/variables.h"

#include <algorithm>

namespace dc::sim {

std::optional<DeviceKind> ParseDeviceKind(std::string_view text) {
  if (text == "ups")
    return DeviceKind::kUps;
  if (text == "pdu")
    return DeviceKind::kPdu;
  if (text == "cooling")
    return DeviceKind::kCooling;
  if (text == "environment")
    return DeviceKind::kEnvironment;
  if (text == "meter")
    return DeviceKind::kMeter;
  return std::nullopt;
}

std::string_view ToString(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kWalk:
      return "walk";
    case DeviceKind::kUps:
      return "ups";
    case DeviceKind::kPdu:
      return "pdu";
    case DeviceKind::kCooling:
      return "cooling";
    case DeviceKind::kEnvironment:
      return "environment";
    case DeviceKind::kMeter:
      return "meter";
  }
  return "walk";
}

VariableLayout::VariableLayout(DeviceKind kind, int outlets)
    : outlets_(outlets) {
  // The order of the calls follows the enums in the header.
  Family("uptime", 1);
  switch (kind) {
    case DeviceKind::kWalk:
      break;
    case DeviceKind::kUps:
      Family("input.frequency", 1);
      Family("input.volts.{i}", 3);
      Family("input.amps.{i}", 3);
      Family("input.watts.{i}", 3);
      Family("output.source", 1);
      Family("output.frequency", 1);
      Family("output.volts.{i}", 3);
      Family("output.amps.{i}", 3);
      Family("output.watts.{i}", 3);
      Family("output.load_percent.{i}", 3);
      Family("output.watts", 1);
      Family("output.voltamperes", 1);
      Family("output.load_percent", 1);
      Family("bypass.frequency", 1);
      Family("bypass.volts.{i}", 3);
      Family("battery.status", 1);
      Family("battery.seconds_on_battery", 1);
      Family("battery.minutes_remaining", 1);
      Family("battery.charge_percent", 1);
      Family("battery.volts", 1);
      Family("battery.amps", 1);
      Family("battery.temperature", 1);
      Family("alarms", 1);
      Family("rated.voltamperes", 1);
      Family("rated.watts", 1);
      break;
    case DeviceKind::kPdu:
      Family("watts", 1);
      Family("voltamperes", 1);
      Family("power_factor", 1);
      Family("energy_kwh", 1);
      Family("frequency", 1);
      Family("load_state", 1);
      Family("phase.amps.{i}", 3);
      Family("phase.volts.{i}", 3);
      Family("phase.watts.{i}", 3);
      Family("phase.voltamperes.{i}", 3);
      Family("phase.power_factor.{i}", 3);
      Family("phase.load_state.{i}", 3);
      Family("rated_amps", 1);
      Family("bank.amps.{i}", kBanks);
      Family("bank.load_state.{i}", kBanks);
      Family("bank_rated_amps", 1);
      Family("outlet.amps.{i}", outlets);
      Family("outlet.watts.{i}", outlets);
      Family("outlet.energy_kwh.{i}", outlets);
      Family("outlet.state.{i}", outlets);
      break;
    case DeviceKind::kCooling:
      Family("operate_mode", 1);
      Family("running", 1);
      Family("alarm", 1);
      Family("status_code", 1);
      Family("supply_air", 1);
      Family("return_air", 1);
      Family("rack_inlet", 1);
      Family("setpoint", 1);
      Family("fan_percent", 1);
      Family("capacity_kw", 1);
      Family("capacity_percent", 1);
      Family("power_kw", 1);
      Family("supply_fluid", 1);
      Family("return_fluid", 1);
      Family("fluid_flow_lpm", 1);
      Family("return_humidity", 1);
      Family("airflow_m3h", 1);
      Family("return_dewpoint", 1);
      break;
    case DeviceKind::kEnvironment:
      Family("temperature.{i}", kProbes);
      Family("humidity.{i}", kProbes);
      Family("dewpoint.{i}", kProbes);
      Family("leak", 1);
      Family("door", 1);
      break;
    case DeviceKind::kMeter:
      Family("volts.{i}", 3);
      Family("amps.{i}", 3);
      Family("watts.{i}", 3);
      Family("voltamperes.{i}", 3);
      Family("reactive.{i}", 3);
      Family("power_factor.{i}", 3);
      Family("volts_line_to_line.{i}", 3);
      Family("volts_average", 1);
      Family("amps_average", 1);
      Family("watts", 1);
      Family("voltamperes", 1);
      Family("reactive", 1);
      Family("power_factor", 1);
      Family("frequency", 1);
      Family("import_kwh", 1);
      Family("export_kwh", 1);
      Family("neutral_amps", 1);
      break;
  }
}

int BankOfOutlet(int outlet, int outlets) {
  int phase = (outlet - 1) % 3;
  int half = outlet - 1 < outlets / 2 ? 0 : 1;
  return half * 3 + phase + 1;
}

void VariableLayout::Family(std::string_view pattern, int count) {
  base_.push_back(static_cast<int>(names_.size()));
  std::size_t hole = pattern.find("{i}");
  for (int i = 1; i <= count; ++i) {
    std::string name(pattern);
    if (hole != std::string_view::npos) {
      name.replace(hole, 3, std::to_string(i));
    }
    names_.push_back(std::move(name));
  }
}

std::optional<int> VariableLayout::Find(std::string_view name) const {
  auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end()) {
    return std::nullopt;
  }
  return static_cast<int>(it - names_.begin());
}

}  // namespace dc::sim
