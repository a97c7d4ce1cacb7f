#include "collectors/common/schema.h"

#include <algorithm>

namespace dc {
namespace {

using enum MetricType;
using enum DeviceClass;

// Conventions: base units with Prometheus suffixes; a `phase` label is
// "L1", "L2", "L3" (line to neutral) or "L1-L2" style (line to line); a
// name with `_phase_` in it is per phase, one without describes the whole
// device or section. State series carry one series per state, 1 for the
// current state and 0 for the others.
const std::vector<MetricInfo>& Table() {
  static const std::vector<MetricInfo> table = {
      // Any class.
      {"dc_device_info", kGauge, kAny,
       {"class", "vendor", "model", "serial", "firmware", "profile"},
       "Constant 1; identifies the device."},
      {"dc_env_temperature_celsius", kGauge, kAny, {"sensor"},
       "Air temperature at a probe (rack inlet, room, outlet)."},
      {"dc_env_humidity_ratio", kGauge, kAny, {"sensor"},
       "Relative humidity at a probe, 0 to 1."},
      {"dc_env_dewpoint_celsius", kGauge, kAny, {"sensor"},
       "Dew point at a probe."},
      {"dc_env_water_leak", kGauge, kAny, {"sensor"},
       "1 when a leak detector reports water."},
      {"dc_env_contact_open", kGauge, kAny, {"sensor"},
       "1 when a dry contact or door switch is open."},
      {"dc_env_airflow_ratio", kGauge, kAny, {"sensor"},
       "Air flow at a probe as a share of its full scale, 0 to 1."},
      {"dc_device_alarms", kGauge, kAny, {},
       "Number of alarms the device reports active."},

      // UPS.
      {"dc_ups_input_phase_volts", kGauge, kUps, {"phase"},
       "Input voltage per phase."},
      {"dc_ups_input_phase_amperes", kGauge, kUps, {"phase"},
       "Input current per phase."},
      {"dc_ups_input_phase_watts", kGauge, kUps, {"phase"},
       "Input active power per phase."},
      {"dc_ups_input_frequency_hertz", kGauge, kUps, {},
       "Input frequency."},
      {"dc_ups_bypass_phase_volts", kGauge, kUps, {"phase"},
       "Bypass voltage per phase."},
      {"dc_ups_bypass_frequency_hertz", kGauge, kUps, {},
       "Bypass frequency."},
      {"dc_ups_output_phase_volts", kGauge, kUps, {"phase"},
       "Output voltage per phase."},
      {"dc_ups_output_phase_amperes", kGauge, kUps, {"phase"},
       "Output current per phase."},
      {"dc_ups_output_phase_watts", kGauge, kUps, {"phase"},
       "Output active power per phase."},
      {"dc_ups_output_phase_load_ratio", kGauge, kUps, {"phase"},
       "Output load per phase as a share of its rating, 0 to 1 and more."},
      {"dc_ups_output_watts", kGauge, kUps, {},
       "Total output active power."},
      {"dc_ups_output_voltamperes", kGauge, kUps, {},
       "Total output apparent power."},
      {"dc_ups_output_load_ratio", kGauge, kUps, {},
       "Output load as a share of the UPS rating, 0 to 1 and more."},
      {"dc_ups_output_frequency_hertz", kGauge, kUps, {},
       "Output frequency."},
      {"dc_ups_output_source", kGauge, kUps, {"source"},
       "State series of what feeds the output: normal, battery, bypass, "
       "none, booster, reducer, other."},
      {"dc_ups_rated_watts", kGauge, kUps, {}, "Rated active power."},
      {"dc_ups_rated_voltamperes", kGauge, kUps, {},
       "Rated apparent power."},
      {"dc_ups_battery_charge_ratio", kGauge, kUps, {},
       "Battery charge, 0 to 1."},
      {"dc_ups_battery_runtime_seconds", kGauge, kUps, {},
       "Estimated runtime on battery at the present load."},
      {"dc_ups_battery_volts", kGauge, kUps, {}, "Battery voltage."},
      {"dc_ups_battery_amperes", kGauge, kUps, {},
       "Battery current (positive while discharging)."},
      {"dc_ups_battery_temperature_celsius", kGauge, kUps, {},
       "Battery temperature."},
      {"dc_ups_battery_status", kGauge, kUps, {"status"},
       "State series of the battery: normal, low, depleted, unknown."},
      {"dc_ups_battery_replace_needed", kGauge, kUps, {},
       "1 when the UPS asks for its battery to be replaced."},
      {"dc_ups_on_battery_seconds", kGauge, kUps, {},
       "Time since the UPS switched to battery, 0 when on mains."},

      // PDU. `unit` is the PDU's place in a daisy chain behind one address
      // ("1" for the PDU that answers, or a PDU that is not chained).
      {"dc_pdu_input_watts", kGauge, kPdu, {"unit"},
       "Total input active power."},
      {"dc_pdu_input_voltamperes", kGauge, kPdu, {"unit"},
       "Total input apparent power."},
      {"dc_pdu_input_power_factor", kGauge, kPdu, {"unit"},
       "Input power factor, 0 to 1."},
      {"dc_pdu_input_frequency_hertz", kGauge, kPdu, {"unit"},
       "Input frequency."},
      {"dc_pdu_input_energy_joules_total", kCounter, kPdu, {"unit"},
       "Input active energy."},
      {"dc_pdu_phase_volts", kGauge, kPdu, {"unit", "phase"},
       "Voltage per input phase."},
      {"dc_pdu_phase_amperes", kGauge, kPdu, {"unit", "phase"},
       "Current per input phase."},
      {"dc_pdu_phase_watts", kGauge, kPdu, {"unit", "phase"},
       "Active power per input phase."},
      {"dc_pdu_phase_rated_amperes", kGauge, kPdu, {"unit", "phase"},
       "Rated current of an input phase."},
      {"dc_pdu_bank_amperes", kGauge, kPdu, {"unit", "bank"},
       "Current through a bank (branch circuit behind a breaker)."},
      {"dc_pdu_bank_volts", kGauge, kPdu, {"unit", "bank"},
       "Voltage of a bank (branch circuit)."},
      {"dc_pdu_bank_watts", kGauge, kPdu, {"unit", "bank"},
       "Active power through a bank (branch circuit)."},
      {"dc_pdu_bank_rated_amperes", kGauge, kPdu, {"unit", "bank"},
       "Rated current of a bank's breaker."},
      {"dc_pdu_outlet_amperes", kGauge, kPdu,
       {"unit", "outlet", "outlet_name"}, "Current drawn at an outlet."},
      {"dc_pdu_outlet_watts", kGauge, kPdu,
       {"unit", "outlet", "outlet_name"},
       "Active power drawn at an outlet."},
      {"dc_pdu_outlet_volts", kGauge, kPdu,
       {"unit", "outlet", "outlet_name"}, "Voltage at an outlet."},
      {"dc_pdu_outlet_voltamperes", kGauge, kPdu,
       {"unit", "outlet", "outlet_name"},
       "Apparent power drawn at an outlet."},
      {"dc_pdu_outlet_energy_joules_total", kCounter, kPdu,
       {"unit", "outlet", "outlet_name"}, "Active energy drawn at an outlet."},
      {"dc_pdu_outlet_on", kGauge, kPdu,
       {"unit", "outlet", "outlet_name"},
       "1 when an outlet is switched on."},

      // Automatic transfer switch.
      {"dc_ats_source_volts", kGauge, kAts, {"source"},
       "Voltage of an input source (A or B)."},
      {"dc_ats_source_phase_volts", kGauge, kAts, {"source", "phase"},
       "Voltage of an input source per phase (L1) or between phases "
       "(L1-L2)."},
      {"dc_ats_source_frequency_hertz", kGauge, kAts, {"source"},
       "Frequency of an input source."},
      {"dc_ats_selected_source", kGauge, kAts, {"source"},
       "State series of the source feeding the output: A, B, none."},
      {"dc_ats_redundancy_ok", kGauge, kAts, {},
       "1 while both sources are available."},
      {"dc_ats_output_phase_amperes", kGauge, kAts, {"phase"},
       "Output current per phase."},
      {"dc_ats_output_phase_volts", kGauge, kAts, {"phase"},
       "Output voltage per phase."},
      {"dc_ats_output_watts", kGauge, kAts, {}, "Output active power."},

      // Cooling: CRAC, CRAH, in-row units, chillers, CDUs. `unit` names the
      // unit behind a controller or gateway that fronts several ("1" for a
      // device that is one unit).
      {"dc_cooling_supply_air_temperature_celsius", kGauge, kCooling,
       {"unit"},
       "Temperature of the air the unit supplies."},
      {"dc_cooling_return_air_temperature_celsius", kGauge, kCooling,
       {"unit"},
       "Temperature of the air returning to the unit."},
      {"dc_cooling_rack_inlet_temperature_celsius", kGauge, kCooling,
       {"unit"},
       "Rack inlet temperature as the unit measures it."},
      {"dc_cooling_supply_fluid_temperature_celsius", kGauge, kCooling,
       {"unit"},
       "Temperature of chilled water or coolant entering the unit."},
      {"dc_cooling_return_fluid_temperature_celsius", kGauge, kCooling,
       {"unit"},
       "Temperature of water or coolant leaving the unit."},
      {"dc_cooling_setpoint_celsius", kGauge, kCooling, {"unit"},
       "Temperature set point the unit controls to."},
      {"dc_cooling_return_humidity_ratio", kGauge, kCooling, {"unit"},
       "Relative humidity of the return air, 0 to 1."},
      {"dc_cooling_supply_humidity_ratio", kGauge, kCooling, {"unit"},
       "Relative humidity of the supply air, 0 to 1."},
      {"dc_cooling_humidity_setpoint_ratio", kGauge, kCooling, {"unit"},
       "Relative humidity set point the unit controls to, 0 to 1."},
      {"dc_cooling_outside_air_temperature_celsius", kGauge, kCooling,
       {"unit"}, "Outdoor air temperature as the unit measures it."},
      {"dc_cooling_fan_speed_ratio", kGauge, kCooling, {"unit"},
       "Fan speed as a share of its maximum, 0 to 1."},
      {"dc_cooling_capacity_watts", kGauge, kCooling, {"unit"},
       "Heat the unit removes now."},
      {"dc_cooling_power_watts", kGauge, kCooling, {"unit"},
       "Electrical power the unit draws."},
      {"dc_cooling_fluid_flow_liters_per_second", kGauge, kCooling,
       {"unit"},
       "Water or coolant flow through the unit."},
      {"dc_cooling_unit_state", kGauge, kCooling, {"unit", "state"},
       "State series of the unit: on, off, standby, alarm."},
      {"dc_cooling_alarm", kGauge, kCooling, {"unit"},
       "1 while the unit reports a common or critical alarm."},

      // Power meter.
      {"dc_meter_phase_volts", kGauge, kMeter, {"phase"},
       "Voltage per phase (L1..L3) or between phases (L1-L2...)."},
      {"dc_meter_phase_amperes", kGauge, kMeter, {"phase"},
       "Current per phase."},
      {"dc_meter_phase_watts", kGauge, kMeter, {"phase"},
       "Active power per phase."},
      {"dc_meter_phase_power_factor", kGauge, kMeter, {"phase"},
       "Power factor per phase."},
      {"dc_meter_phase_voltamperes", kGauge, kMeter, {"phase"},
       "Apparent power per phase."},
      {"dc_meter_phase_reactive_voltamperes", kGauge, kMeter, {"phase"},
       "Reactive power (var) per phase; negative when capacitive."},
      {"dc_meter_watts", kGauge, kMeter, {}, "Total active power."},
      {"dc_meter_voltamperes", kGauge, kMeter, {}, "Total apparent power."},
      {"dc_meter_reactive_voltamperes", kGauge, kMeter, {},
       "Total reactive power (var)."},
      {"dc_meter_power_factor", kGauge, kMeter, {}, "Total power factor."},
      {"dc_meter_frequency_hertz", kGauge, kMeter, {}, "Frequency."},
      {"dc_meter_neutral_amperes", kGauge, kMeter, {}, "Neutral current."},
      {"dc_meter_energy_joules_total", kCounter, kMeter, {},
       "Imported active energy."},
      {"dc_meter_export_energy_joules_total", kCounter, kMeter, {},
       "Exported active energy."},

      // Server (BMC).
      {"dc_server_power_watts", kGauge, kServer, {},
       "Power the server draws."},
      {"dc_server_psu_watts", kGauge, kServer, {"psu"},
       "Power through a power supply."},
      {"dc_server_psu_volts", kGauge, kServer, {"psu"},
       "Input voltage of a power supply."},
      {"dc_server_psu_amperes", kGauge, kServer, {"psu"},
       "Input current of a power supply."},
      {"dc_server_temperature_celsius", kGauge, kServer, {"sensor"},
       "Temperature of a server component or its inlet."},
      {"dc_server_fan_rpm", kGauge, kServer, {"fan"},
       "Fan speed in revolutions per minute."},
      {"dc_server_voltage_volts", kGauge, kServer, {"sensor"},
       "Board voltage rail."},
      {"dc_server_health", kGauge, kServer, {"component", "state"},
       "State series of a component's health: ok, warning, critical, "
       "unknown."},

      // Storage array.
      {"dc_storage_capacity_bytes", kGauge, kStorage, {"pool"},
       "Usable capacity of a pool or volume."},
      {"dc_storage_used_bytes", kGauge, kStorage, {"pool"},
       "Used capacity of a pool or volume."},
      {"dc_storage_temperature_celsius", kGauge, kStorage, {"sensor"},
       "Temperature of an enclosure, controller or disk."},
      {"dc_storage_voltage_volts", kGauge, kStorage, {"sensor"},
       "Voltage at a controller, enclosure or cache-backup sensor."},
      {"dc_storage_current_amperes", kGauge, kStorage, {"sensor"},
       "Current at a controller or enclosure sensor."},
      {"dc_storage_cache_backup_charge_ratio", kGauge, kStorage, {"sensor"},
       "Charge of a controller's cache backup (supercapacitor or battery), "
       "0 to 1."},
      {"dc_storage_psu_watts", kGauge, kStorage, {"psu"},
       "Power through a power supply."},
      {"dc_storage_psu_volts", kGauge, kStorage, {"psu"},
       "Voltage at a power supply."},
      {"dc_storage_psu_amperes", kGauge, kStorage, {"psu"},
       "Current at a power supply."},
      {"dc_storage_health", kGauge, kStorage, {"component", "state"},
       "State series of a component's health: ok, warning, critical, "
       "unknown."},
  };
  return table;
}

}  // namespace

std::string_view ToString(DeviceClass device_class) {
  switch (device_class) {
    case kUps:
      return "ups";
    case kPdu:
      return "pdu";
    case kAts:
      return "ats";
    case kCooling:
      return "cooling";
    case kEnvironment:
      return "environment";
    case kMeter:
      return "meter";
    case kServer:
      return "server";
    case kStorage:
      return "storage";
    case kAny:
      return "any";
  }
  return "any";
}

std::span<const MetricInfo> SchemaMetrics() { return Table(); }

const MetricInfo* FindSchemaMetric(std::string_view name) {
  const auto& table = Table();
  auto it = std::find_if(table.begin(), table.end(),
                         [&](const MetricInfo& m) { return m.name == name; });
  return it == table.end() ? nullptr : &*it;
}

}  // namespace dc
