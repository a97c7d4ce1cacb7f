// The live variables each kind of simulated device carries. The facility
// model writes them; device models (sim/models/*.toml) name them to say
// which OID or register shows which variable. Names are fixed per kind, so a
// model that names a variable the physics does not produce is rejected at
// load time rather than reading zero forever.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dc::sim {

enum class DeviceKind { kWalk, kUps, kPdu, kCooling, kEnvironment, kMeter };

std::optional<DeviceKind> ParseDeviceKind(std::string_view text);
std::string_view ToString(DeviceKind kind);

// Families of variables; one with `{i}` in its name has one variable per
// phase (1..3), outlet (1..outlets), bank (1..kBanks) or probe
// (1..kProbes).
namespace var {
// Every kind starts with these.
enum Common { kUptime = 0 };

enum Ups {
  kUpsInputFrequency = 1,
  kUpsInputVolts,
  kUpsInputAmps,
  kUpsInputWatts,
  kUpsOutputSource,
  kUpsOutputFrequency,
  kUpsOutputVolts,
  kUpsOutputAmps,
  kUpsOutputWatts,
  kUpsOutputLoad,
  kUpsOutputWattsTotal,
  kUpsOutputVaTotal,
  kUpsOutputLoadTotal,
  kUpsBypassFrequency,
  kUpsBypassVolts,
  kUpsBatteryStatus,
  kUpsSecondsOnBattery,
  kUpsMinutesRemaining,
  kUpsChargePercent,
  kUpsBatteryVolts,
  kUpsBatteryAmps,
  kUpsBatteryTemperature,
  kUpsAlarms,
  kUpsRatedVa,
  kUpsRatedWatts,
  kUpsFamilies,
};

enum Pdu {
  kPduWatts = 1,
  kPduVa,
  kPduPowerFactor,
  kPduEnergyKwh,
  kPduFrequency,
  kPduLoadState,
  kPduPhaseAmps,
  kPduPhaseVolts,
  kPduPhaseWatts,
  kPduPhaseVa,
  kPduPhasePowerFactor,
  kPduPhaseLoadState,
  kPduRatedAmps,
  kPduBankAmps,
  kPduBankLoadState,
  kPduBankRatedAmps,
  kPduOutletAmps,
  kPduOutletWatts,
  kPduOutletEnergyKwh,
  kPduOutletState,
  kPduFamilies,
};

enum Cooling {
  kCoolingOperateMode = 1,
  kCoolingRunning,
  kCoolingAlarm,
  kCoolingStatusCode,
  kCoolingSupplyAir,
  kCoolingReturnAir,
  kCoolingRackInlet,
  kCoolingSetpoint,
  kCoolingFanPercent,
  kCoolingCapacityKw,
  kCoolingCapacityPercent,
  kCoolingPowerKw,
  kCoolingSupplyFluid,
  kCoolingReturnFluid,
  kCoolingFluidFlowLpm,
  kCoolingReturnHumidity,
  kCoolingAirflowM3h,
  kCoolingReturnDewpoint,
  kCoolingFamilies,
};

enum Environment {
  kEnvTemperature = 1,
  kEnvHumidity,
  kEnvDewpoint,
  kEnvLeak,
  kEnvDoor,
  kEnvFamilies,
};

enum Meter {
  kMeterVolts = 1,
  kMeterAmps,
  kMeterWatts,
  kMeterVa,
  kMeterReactive,
  kMeterPowerFactor,
  kMeterVoltsLineToLine,
  kMeterVoltsAverage,
  kMeterAmpsAverage,
  kMeterWattsTotal,
  kMeterVaTotal,
  kMeterReactiveTotal,
  kMeterPowerFactorTotal,
  kMeterFrequency,
  kMeterImportKwh,
  kMeterExportKwh,
  kMeterNeutralAmps,
  kMeterFamilies,
};
}  // namespace var

// Temperature/humidity probes on an environment sensor.
inline constexpr int kProbes = 2;

// Outlet banks (breakers) of a PDU: two per phase. Bank b is on phase
// (b - 1) % 3 + 1 and holds that phase's outlets in the first half of the
// outlet numbers (banks 1-3) or the second half (banks 4-6).
inline constexpr int kBanks = 6;
int BankOfOutlet(int outlet, int outlets);

// Where each variable of one device lives in its vector of doubles.
class VariableLayout {
 public:
  VariableLayout(DeviceKind kind, int outlets);

  // Index of element `i` (1-based) of `family`.
  int At(int family, int i = 1) const { return base_[family] + i - 1; }
  // Index of a variable by its full name ("output.volts.2"), if any.
  std::optional<int> Find(std::string_view name) const;

  std::size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  int outlets() const { return outlets_; }

 private:
  void Family(std::string_view pattern, int count);

  int outlets_;
  std::vector<int> base_;
  std::vector<std::string> names_;
};

}  // namespace dc::sim
