#include "sim/facility.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

namespace dc::sim {
namespace {

constexpr double kNominalVolts = 230.0;
constexpr double kNominalHz = 50.0;
constexpr double kUpsEfficiency = 0.96;
constexpr double kInverterEfficiency = 0.94;
constexpr double kBatteryFloatVolts = 436.0;
// Heat capacity of the room's air and equipment, kJ per K: a 20 kW deficit
// warms it by about 1 K a minute.
constexpr double kRoomHeatCapacity = 1200.0;
constexpr double kMaxAirflowM3h = 6500.0;
constexpr double kChilledWaterC = 12.0;
constexpr double kLowBatteryMinutes = 5.0;
constexpr double kServerShare = 0.75;  // outlets with a server plugged in

void Set(Device& device, int family, double value, int i = 1) {
  device.variables[static_cast<std::size_t>(device.layout->At(family, i))] =
      value;
}

double Get(const Device& device, int family, int i = 1) {
  return device
      .variables[static_cast<std::size_t>(device.layout->At(family, i))];
}

double DewPoint(double celsius, double humidity_percent) {
  // Magnus formula, good to a few tenths of a degree indoors.
  double gamma = std::log(std::max(humidity_percent, 1.0) / 100.0) +
                 17.62 * celsius / (243.12 + celsius);
  return 243.12 * gamma / (17.62 - gamma);
}

}  // namespace

Facility::Facility(const HallSpec& hall, std::uint64_t seed,
                   std::vector<Device>& devices,
                   std::optional<double> start_utc_seconds)
    : hall_(hall), devices_(devices), rng_(seed) {
  clock_start_ = start_utc_seconds.value_or(static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count()));
  std::uniform_real_distribution<double> spread(0.7, 1.3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  int rack_count = 0;
  for (const Device& device : devices_) {
    rack_count = std::max(rack_count, device.spec.rack);
  }
  racks_.resize(static_cast<std::size_t>(rack_count));
  for (int r = 0; r < rack_count; ++r) {
    racks_[static_cast<std::size_t>(r)].number = r + 1;
  }

  for (int i = 0; i < static_cast<int>(devices_.size()); ++i) {
    Device& device = devices_[static_cast<std::size_t>(i)];
    const DeviceSpec& spec = device.spec;
    Rack* rack = spec.rack > 0
                     ? &racks_[static_cast<std::size_t>(spec.rack - 1)]
                     : nullptr;
    switch (device.kind) {
      case DeviceKind::kUps: {
        Ups ups;
        ups.device = i;
        ups.feed = spec.feed;
        ups.capacity_wh = spec.rated_kw * 1000.0 * spec.battery_minutes / 60;
        ups.stored_wh = ups.capacity_wh;
        upses_.push_back(ups);
        break;
      }
      case DeviceKind::kPdu: {
        Pdu pdu;
        pdu.device = i;
        pdu.rack = spec.rack;
        pdu.feed = spec.feed;
        for (int o = 0; o < spec.outlets; ++o) {
          pdu.outlet_pf.push_back(0.95 + 0.04 * unit(rng_));
        }
        pdu.outlet_watts.assign(static_cast<std::size_t>(spec.outlets), 0);
        if (rack != nullptr) {
          rack->pdu[spec.feed == 'A' ? 0 : 1] = i;
        }
        pdus_.push_back(std::move(pdu));
        break;
      }
      case DeviceKind::kCooling:
        coolers_.push_back({i, false, 44 + 4 * unit(rng_)});
        break;
      case DeviceKind::kEnvironment:
        if (rack != nullptr) {
          rack->envs.push_back(i);
        }
        break;
      case DeviceKind::kMeter:
        meters_.push_back(i);
        break;
      case DeviceKind::kWalk:
        break;
    }
  }

  // Rack loads share the hall's load unevenly; each rack's servers share
  // the rack's load unevenly too.
  double weights = 0;
  std::vector<double> rack_weight;
  for (std::size_t r = 0; r < racks_.size(); ++r) {
    rack_weight.push_back(spread(rng_));
    weights += rack_weight.back();
  }
  for (std::size_t r = 0; r < racks_.size(); ++r) {
    Rack& rack = racks_[r];
    rack.base_kw = hall_.it_load_kw * rack_weight[r] / weights;
    rack.inlet_offset = unit(rng_) * 1.2;
    rack.cooler = coolers_.empty() ? -1 : static_cast<int>(r % coolers_.size());
    int outlets = 24;
    for (int p : rack.pdu) {
      if (p >= 0) {
        outlets = std::min(outlets,
                           devices_[static_cast<std::size_t>(p)].spec.outlets);
      }
    }
    int servers = std::max(3, static_cast<int>(outlets * kServerShare));
    for (int s = 0; s < servers; ++s) {
      rack.server_weight.push_back(spread(rng_));
    }
  }

  for (Device& device : devices_) {
    if (device.kind == DeviceKind::kUps) {
      Set(device, var::kUpsRatedVa, device.spec.rated_kw * 1000);
      Set(device, var::kUpsRatedWatts, device.spec.rated_kw * 1000);
    }
    if (device.kind == DeviceKind::kPdu) {
      Set(device, var::kPduRatedAmps, device.spec.rated_amps);
      Set(device, var::kPduBankRatedAmps, device.spec.bank_rated_amps);
    }
  }
  Step(0.0);
}

Facility::Ups* Facility::UpsForFeed(char feed) {
  for (Ups& ups : upses_) {
    if (ups.feed == feed) {
      return &ups;
    }
  }
  return nullptr;
}

double Facility::FeedVolts(char feed, int phase) {
  Ups* ups = UpsForFeed(feed);
  if (ups == nullptr) {
    return kNominalVolts + 0.4 * phase;
  }
  if (!ups->output_ok) {
    return 0.0;
  }
  return Get(devices_[static_cast<std::size_t>(ups->device)],
             var::kUpsOutputVolts, phase);
}

void Facility::Step(double real_seconds) {
  double dt = real_seconds * hall_.time_scale;
  elapsed_ += dt;
  for (Device& device : devices_) {
    device.variables[var::kUptime] += real_seconds;
  }

  StepLoads(dt);
  StepUpses(dt);
  StepPdus(dt);
  StepCooling(dt);
  StepEnvironment();
  StepMeters(dt);
}

void Facility::StepLoads(double dt) {
  double hour = std::fmod((clock_start_ + elapsed_) / 3600.0, 24.0);
  // Peak in mid-afternoon, trough before dawn.
  double daily = 1.0 + hall_.daily_swing *
                           std::sin(2 * std::numbers::pi * (hour - 9.0) / 24.0);
  double years = elapsed_ / (365.25 * 86400.0);
  double growth = std::pow(1.0 + hall_.growth_per_year, years);
  double keep = std::exp(-std::min(dt, 600.0) / 120.0);

  it_load_kw_ = 0;
  for (Rack& rack : racks_) {
    // A slow random walk around zero: noise with memory, as real load has.
    rack.noise = rack.noise * keep +
                 std::sqrt(1 - keep * keep) * hall_.noise * 2 * Gauss();
    rack.kw = rack.base_kw * daily * growth * it_factor_ *
              std::max(0.2, 1.0 + rack.noise);
    it_load_kw_ += rack.kw;
  }
}

void Facility::StepUpses(double dt) {
  for (Ups& ups : upses_) {
    Device& device = devices_[static_cast<std::size_t>(ups.device)];
    double rated_w = device.spec.rated_kw * 1000;

    // The load a UPS carries is what the PDUs of its feed draw (computed on
    // the previous step, a second ago); without PDUs, an even share of the
    // hall's IT load.
    double phase_w[3] = {0, 0, 0};
    bool any_pdu = false;
    for (const Pdu& pdu : pdus_) {
      if (pdu.feed != ups.feed) {
        continue;
      }
      any_pdu = true;
      const Device& p = devices_[static_cast<std::size_t>(pdu.device)];
      for (int ph = 1; ph <= 3; ++ph) {
        phase_w[ph - 1] += Get(p, var::kPduPhaseWatts, ph) * 1.01;
      }
    }
    if (!any_pdu) {
      double share = (racks_.empty() ? rated_w * 0.4 / 1000
                                     : it_load_kw_ / std::max<std::size_t>(
                                                         1, upses_.size())) *
                     1000 / 3;
      for (double& w : phase_w) {
        w = share * (1 + 0.01 * Gauss());
      }
    }

    // Battery: discharge on mains loss, recharge at a tenth of the rating.
    double out_w = phase_w[0] + phase_w[1] + phase_w[2];
    double charge_w = 0;
    if (ups.mains) {
      ups.seconds_on_battery = 0;
      ups.output_ok = true;
      if (ups.stored_wh < ups.capacity_wh) {
        charge_w = 0.1 * rated_w;
        ups.stored_wh =
            std::min(ups.capacity_wh, ups.stored_wh + charge_w * dt / 3600);
      }
    } else if (ups.output_ok) {
      ups.seconds_on_battery += dt;
      ups.stored_wh -= out_w / kInverterEfficiency * dt / 3600;
      if (ups.stored_wh <= 0) {
        ups.stored_wh = 0;
        ups.output_ok = false;
      }
    }
    if (!ups.output_ok) {
      out_w = 0;
      std::fill(std::begin(phase_w), std::end(phase_w), 0.0);
    }

    double charge = 100 * ups.stored_wh / ups.capacity_wh;
    double minutes =
        out_w > 1 ? ups.stored_wh * kInverterEfficiency / out_w * 60 : 999;
    int status = 2;
    if (!ups.output_ok) {
      status = 4;
    } else if (!ups.mains && minutes < kLowBatteryMinutes) {
      status = 3;
    }

    Set(device, var::kUpsOutputSource,
        !ups.output_ok ? 2 : (ups.mains ? 3 : 5));
    Set(device, var::kUpsBatteryStatus, status);
    Set(device, var::kUpsSecondsOnBattery, ups.seconds_on_battery);
    Set(device, var::kUpsMinutesRemaining, std::min(minutes, 999.0));
    Set(device, var::kUpsChargePercent, charge);
    double battery_volts = ups.mains ? kBatteryFloatVolts : 400 + 0.3 * charge;
    Set(device, var::kUpsBatteryVolts, battery_volts);
    Set(device, var::kUpsBatteryAmps,
        ups.mains ? -charge_w / battery_volts
                  : out_w / kInverterEfficiency / battery_volts);
    Set(device, var::kUpsBatteryTemperature, 24 + 0.2 * Gauss());
    Set(device, var::kUpsAlarms, (ups.mains ? 0 : 1) + (status >= 3 ? 1 : 0));

    double in_hz = ups.mains ? kNominalHz + 0.02 * Gauss() : 0;
    Set(device, var::kUpsInputFrequency, in_hz);
    Set(device, var::kUpsBypassFrequency, in_hz);
    Set(device, var::kUpsOutputFrequency,
        ups.output_ok ? kNominalHz + 0.005 * Gauss() : 0);

    double va_total = 0;
    for (int ph = 1; ph <= 3; ++ph) {
      double w = phase_w[ph - 1];
      double out_v = ups.output_ok ? kNominalVolts + 0.3 * Gauss() : 0;
      double in_v = ups.mains ? kNominalVolts + 1 + 1.2 * Gauss() : 0;
      double in_w = ups.mains ? (w / kUpsEfficiency + charge_w / 3) : 0.0;
      Set(device, var::kUpsOutputVolts, out_v, ph);
      Set(device, var::kUpsOutputWatts, w, ph);
      Set(device, var::kUpsOutputAmps, out_v > 0 ? w / (out_v * 0.98) : 0, ph);
      Set(device, var::kUpsOutputLoad, 100 * w / (rated_w / 3), ph);
      Set(device, var::kUpsInputVolts, in_v, ph);
      Set(device, var::kUpsBypassVolts, in_v, ph);
      Set(device, var::kUpsInputWatts, in_w, ph);
      Set(device, var::kUpsInputAmps, in_v > 0 ? in_w / (in_v * 0.99) : 0, ph);
      va_total += w / 0.98;
      ups.phase_watts[ph - 1] = w;
    }
    Set(device, var::kUpsOutputWattsTotal, out_w);
    Set(device, var::kUpsOutputVaTotal, va_total);
    Set(device, var::kUpsOutputLoadTotal, 100 * out_w / rated_w);
  }
}

void Facility::StepPdus(double dt) {
  // Each server is dual-corded: half its power through each feed while both
  // feeds are live, all of it through the one left otherwise.
  for (Rack& rack : racks_) {
    double weights = 0;
    for (double w : rack.server_weight) {
      weights += w;
    }
    bool live[2] = {false, false};
    for (int side = 0; side < 2; ++side) {
      int p = rack.pdu[side];
      live[side] = p >= 0 && FeedVolts(side == 0 ? 'A' : 'B', 1) > 0;
    }
    int live_count = (live[0] ? 1 : 0) + (live[1] ? 1 : 0);
    for (Pdu& pdu : pdus_) {
      if (pdu.rack != rack.number) {
        continue;
      }
      std::fill(pdu.outlet_watts.begin(), pdu.outlet_watts.end(), 0.0);
      int side = pdu.feed == 'A' ? 0 : 1;
      if (!live[side]) {
        continue;
      }
      for (std::size_t s = 0;
           s < rack.server_weight.size() && s < pdu.outlet_watts.size(); ++s) {
        pdu.outlet_watts[s] =
            rack.kw * 1000 * rack.server_weight[s] / weights / live_count;
      }
    }
  }

  for (Pdu& pdu : pdus_) {
    Device& device = devices_[static_cast<std::size_t>(pdu.device)];
    int outlets = device.spec.outlets;
    double volts[3];
    for (int ph = 1; ph <= 3; ++ph) {
      volts[ph - 1] = FeedVolts(pdu.feed, ph);
      if (volts[ph - 1] > 0) {
        volts[ph - 1] -= 0.8;  // cable drop from the UPS
      }
    }

    // An overloaded phase: a heavy load appears on that phase's first
    // outlet, sized so the phase draws the requested current.
    for (int ph = 1; ph <= 3; ++ph) {
      double target = pdu.overload_amps[ph - 1];
      if (target <= 0 || volts[ph - 1] <= 0) {
        continue;
      }
      double amps = 0;
      for (int o = ph - 1; o < outlets; o += 3) {
        amps += pdu.outlet_watts[static_cast<std::size_t>(o)] /
                (volts[ph - 1] * pdu.outlet_pf[static_cast<std::size_t>(o)]);
      }
      std::size_t first = static_cast<std::size_t>(ph - 1);
      pdu.outlet_watts[first] +=
          std::max(0.0, target - amps) * volts[ph - 1] * pdu.outlet_pf[first];
    }

    double phase_w[3] = {0, 0, 0};
    double phase_va[3] = {0, 0, 0};
    double phase_a[3] = {0, 0, 0};
    double bank_a[kBanks] = {};
    for (int o = 1; o <= outlets; ++o) {
      std::size_t k = static_cast<std::size_t>(o - 1);
      int ph = (o - 1) % 3;
      double w = pdu.outlet_watts[k];
      double v = volts[ph];
      double a = v > 0 ? w / (v * pdu.outlet_pf[k]) : 0;
      phase_w[ph] += w;
      phase_va[ph] += v * a;
      phase_a[ph] += a;
      bank_a[BankOfOutlet(o, outlets) - 1] += a;
      Set(device, var::kPduOutletWatts, w, o);
      Set(device, var::kPduOutletAmps, a, o);
      Set(device, var::kPduOutletState, 2, o);
      Set(device, var::kPduOutletEnergyKwh,
          Get(device, var::kPduOutletEnergyKwh, o) + w * dt / 3.6e6, o);
    }

    double total_w = 0;
    double total_va = 0;
    int worst_state = 1;
    for (int ph = 1; ph <= 3; ++ph) {
      double a = phase_a[ph - 1];
      double ratio = a / device.spec.rated_amps;
      int state = ratio > 1.0 ? 4 : ratio > 0.8 ? 3 : ratio < 0.02 ? 1 : 2;
      worst_state = std::max(worst_state, state);
      Set(device, var::kPduPhaseAmps, a, ph);
      Set(device, var::kPduPhaseVolts, volts[ph - 1], ph);
      Set(device, var::kPduPhaseWatts, phase_w[ph - 1], ph);
      Set(device, var::kPduPhaseVa, phase_va[ph - 1], ph);
      Set(device, var::kPduPhasePowerFactor,
          phase_va[ph - 1] > 0 ? phase_w[ph - 1] / phase_va[ph - 1] : 1, ph);
      Set(device, var::kPduPhaseLoadState, state, ph);
      total_w += phase_w[ph - 1];
      total_va += phase_va[ph - 1];
    }
    // A bank's breaker trips above its rating; its load state uses the
    // same thresholds as the phases.
    for (int b = 1; b <= kBanks; ++b) {
      double a = bank_a[b - 1];
      double ratio = a / device.spec.bank_rated_amps;
      int state = ratio > 1.0 ? 4 : ratio > 0.8 ? 3 : ratio < 0.02 ? 1 : 2;
      Set(device, var::kPduBankAmps, a, b);
      Set(device, var::kPduBankLoadState, state, b);
    }
    Set(device, var::kPduWatts, total_w);
    Set(device, var::kPduVa, total_va);
    Set(device, var::kPduPowerFactor, total_va > 0 ? total_w / total_va : 1);
    Set(device, var::kPduEnergyKwh,
        Get(device, var::kPduEnergyKwh) + total_w * dt / 3.6e6);
    Set(device, var::kPduFrequency, volts[0] > 0 ? kNominalHz : 0);
    Set(device, var::kPduLoadState, worst_state);
  }
}

void Facility::StepCooling(double dt) {
  // Heat: the IT load actually delivered plus the UPS losses in the room.
  double delivered_kw = 0;
  for (const Pdu& pdu : pdus_) {
    delivered_kw +=
        Get(devices_[static_cast<std::size_t>(pdu.device)], var::kPduWatts) /
        1000;
  }
  if (pdus_.empty()) {
    delivered_kw = it_load_kw_;
  }
  double heat_kw = delivered_kw * 1.04;

  int running = 0;
  for (const Cooler& cooler : coolers_) {
    running += cooler.failed ? 0 : 1;
  }
  double removed_kw = 0;
  double demand_kw = running > 0 ? heat_kw / running : 0;
  for (const Cooler& cooler : coolers_) {
    if (!cooler.failed) {
      removed_kw += std::min(
          demand_kw,
          devices_[static_cast<std::size_t>(cooler.device)].spec.capacity_kw);
    }
  }

  // The room warms by the heat no unit removes and cools back down (never
  // below the set point) when the units have capacity to spare.
  double deficit = coolers_.empty() ? 0 : heat_kw - removed_kw;
  if (deficit <= 1e-9 && room_excess_ > 0) {
    double spare = 0;
    for (const Cooler& cooler : coolers_) {
      if (!cooler.failed) {
        spare +=
            devices_[static_cast<std::size_t>(cooler.device)].spec.capacity_kw;
      }
    }
    deficit = -(spare - removed_kw);
  }
  room_excess_ = std::max(0.0, room_excess_ + deficit * dt / kRoomHeatCapacity);
  double supply = hall_.supply_setpoint + room_excess_;
  double keep = std::exp(-std::min(dt, 600.0) / 120.0);

  for (Rack& rack : racks_) {
    bool near_failed = rack.cooler >= 0 &&
                       coolers_[static_cast<std::size_t>(rack.cooler)].failed;
    double target = near_failed ? 3.5 : 0.0;
    rack.penalty = target + (rack.penalty - target) * keep;
    rack.inlet =
        supply + 0.8 + rack.inlet_offset + rack.penalty + 0.1 * Gauss();
  }

  cooling_kw_ = 0;
  for (std::size_t c = 0; c < coolers_.size(); ++c) {
    Cooler& cooler = coolers_[c];
    Device& device = devices_[static_cast<std::size_t>(cooler.device)];
    double capacity = device.spec.capacity_kw;
    double load = cooler.failed ? 0 : std::min(demand_kw, capacity);
    double fan =
        cooler.failed ? 0 : std::clamp(30 + 70 * load / capacity, 30.0, 100.0);
    double airflow = kMaxAirflowM3h * fan / 100;
    double unit_supply = supply + 0.15 * Gauss();
    double hot_aisle = supply + 11;
    double unit_return =
        airflow > 0 ? unit_supply + load / (airflow / 3600 * 1.2 * 1.005)
                    : hot_aisle;
    if (cooler.failed) {
      unit_supply = hot_aisle - 1;
    }
    double flow_lpm = cooler.failed ? 0 : 20 + 80 * load / capacity;
    double return_fluid = flow_lpm > 0
                              ? kChilledWaterC + load / (flow_lpm / 60 * 4.186)
                              : kChilledWaterC;
    double power = cooler.failed ? 0 : 0.4 + 2.6 * std::pow(fan / 100, 3);
    cooling_kw_ += power;

    double inlet_sum = 0;
    int inlet_count = 0;
    for (const Rack& rack : racks_) {
      if (rack.cooler == static_cast<int>(c)) {
        inlet_sum += rack.inlet;
        ++inlet_count;
      }
    }
    double inlet = inlet_count > 0 ? inlet_sum / inlet_count : supply + 1;
    cooler.humidity = std::clamp(
        cooler.humidity + 0.05 * Gauss() * std::min(dt, 10.0), 38.0, 55.0);

    Set(device, var::kCoolingOperateMode, cooler.failed ? 1 : 2);
    Set(device, var::kCoolingRunning, cooler.failed ? 0 : 1);
    Set(device, var::kCoolingAlarm, cooler.failed ? 1 : 0);
    Set(device, var::kCoolingStatusCode, cooler.failed ? 32 : 1);
    Set(device, var::kCoolingSupplyAir, unit_supply);
    Set(device, var::kCoolingReturnAir, unit_return);
    Set(device, var::kCoolingRackInlet, inlet);
    Set(device, var::kCoolingSetpoint, hall_.supply_setpoint);
    Set(device, var::kCoolingFanPercent, fan);
    Set(device, var::kCoolingCapacityKw, load);
    Set(device, var::kCoolingCapacityPercent, 100 * load / capacity);
    Set(device, var::kCoolingPowerKw, power);
    Set(device, var::kCoolingSupplyFluid, kChilledWaterC + 0.1 * Gauss());
    Set(device, var::kCoolingReturnFluid, return_fluid);
    Set(device, var::kCoolingFluidFlowLpm, flow_lpm);
    Set(device, var::kCoolingReturnHumidity, cooler.humidity);
    Set(device, var::kCoolingAirflowM3h, airflow);
    Set(device, var::kCoolingReturnDewpoint,
        DewPoint(unit_return, cooler.humidity));
  }
}

void Facility::StepEnvironment() {
  for (const Rack& rack : racks_) {
    // Front probe at the cold aisle, rear probe in the rack's exhaust.
    double exhaust = rack.inlet + 11.0 * rack.kw / std::max(0.1, rack.base_kw);
    for (int e : rack.envs) {
      Device& device = devices_[static_cast<std::size_t>(e)];
      double temps[kProbes] = {rack.inlet + 0.1 * Gauss(),
                               exhaust + 0.2 * Gauss()};
      for (int p = 1; p <= kProbes; ++p) {
        double t = temps[p - 1];
        // The same moisture reads as lower relative humidity when warmer.
        double rh = std::clamp(48 - 2.6 * (t - 21) + 0.3 * Gauss(), 5.0, 95.0);
        Set(device, var::kEnvTemperature, t, p);
        Set(device, var::kEnvHumidity, rh, p);
        Set(device, var::kEnvDewpoint, DewPoint(t, rh), p);
      }
      Set(device, var::kEnvLeak, 0);
      Set(device, var::kEnvDoor, 0);
    }
  }
}

void Facility::StepMeters(double dt) {
  // The incomer feeds both UPSes, the cooling units and lighting.
  double watts = 1500 + cooling_kw_ * 1000;
  bool any_ups = false;
  for (const Ups& ups : upses_) {
    const Device& device = devices_[static_cast<std::size_t>(ups.device)];
    for (int ph = 1; ph <= 3; ++ph) {
      watts += Get(device, var::kUpsInputWatts, ph);
    }
    any_ups = true;
  }
  if (!any_ups) {
    watts += it_load_kw_ * 1000;
  }

  constexpr double kImbalance[3] = {1.0, 1.03, 0.97};
  for (int m : meters_) {
    Device& device = devices_[static_cast<std::size_t>(m)];
    double amps[3];
    double volts_sum = 0;
    for (int ph = 1; ph <= 3; ++ph) {
      double w = watts / 3 * kImbalance[ph - 1];
      double v = kNominalVolts + 1.5 + 0.4 * Gauss();
      double pf = 0.96;
      double va = w / pf;
      amps[ph - 1] = va / v;
      volts_sum += v;
      Set(device, var::kMeterVolts, v, ph);
      Set(device, var::kMeterAmps, amps[ph - 1], ph);
      Set(device, var::kMeterWatts, w, ph);
      Set(device, var::kMeterVa, va, ph);
      Set(device, var::kMeterReactive, std::sqrt(va * va - w * w), ph);
      Set(device, var::kMeterPowerFactor, pf, ph);
      Set(device, var::kMeterVoltsLineToLine, v * std::sqrt(3.0), ph);
    }
    double va_total = watts / 0.96;
    Set(device, var::kMeterVoltsAverage, volts_sum / 3);
    Set(device, var::kMeterAmpsAverage, (amps[0] + amps[1] + amps[2]) / 3);
    Set(device, var::kMeterWattsTotal, watts);
    Set(device, var::kMeterVaTotal, va_total);
    Set(device, var::kMeterReactiveTotal,
        std::sqrt(va_total * va_total - watts * watts));
    Set(device, var::kMeterPowerFactorTotal, 0.96);
    Set(device, var::kMeterFrequency, kNominalHz + 0.02 * Gauss());
    Set(device, var::kMeterImportKwh,
        Get(device, var::kMeterImportKwh) + watts * dt / 3.6e6);
    Set(device, var::kMeterExportKwh, 0);
    double neutral = std::sqrt(std::max(
        0.0, amps[0] * amps[0] + amps[1] * amps[1] + amps[2] * amps[2] -
                 amps[0] * amps[1] - amps[1] * amps[2] - amps[2] * amps[0]));
    Set(device, var::kMeterNeutralAmps, neutral);
  }
}

int Facility::FindDevice(const std::string& name, DeviceKind kind,
                         std::string& error) const {
  for (std::size_t i = 0; i < devices_.size(); ++i) {
    if (devices_[i].spec.name != name) {
      continue;
    }
    if (devices_[i].kind != kind) {
      error = fmt::format("device '{}' is a {}, not a {}", name,
                          ToString(devices_[i].kind), ToString(kind));
      return -1;
    }
    return static_cast<int>(i);
  }
  error = "no device named '" + name + "'";
  return -1;
}

std::expected<void, std::string> Facility::Apply(const Event& event) {
  std::string error;
  const std::string& action = event.action;

  if (action == "ups_on_battery" || action == "ups_on_mains") {
    int index = FindDevice(event.device, DeviceKind::kUps, error);
    for (Ups& ups : upses_) {
      if (ups.device == index) {
        ups.mains = action == "ups_on_mains";
        return {};
      }
    }
  } else if (action == "cooling_fail" || action == "cooling_restore") {
    int index = FindDevice(event.device, DeviceKind::kCooling, error);
    for (Cooler& cooler : coolers_) {
      if (cooler.device == index) {
        cooler.failed = action == "cooling_fail";
        return {};
      }
    }
  } else if (action == "pdu_overload" || action == "pdu_normal") {
    int index = FindDevice(event.device, DeviceKind::kPdu, error);
    for (Pdu& pdu : pdus_) {
      if (pdu.device != index) {
        continue;
      }
      if (action == "pdu_normal") {
        std::fill(std::begin(pdu.overload_amps), std::end(pdu.overload_amps),
                  0.0);
      } else {
        double rated =
            devices_[static_cast<std::size_t>(index)].spec.rated_amps;
        pdu.overload_amps[event.phase - 1] = event.value.value_or(rated * 1.1);
      }
      return {};
    }
  } else if (action == "it_load") {
    if (!event.value || *event.value < 0 || *event.value > 10) {
      return std::unexpected("it_load needs a value (a factor, 0 to 10)");
    }
    it_factor_ = *event.value;
    return {};
  } else if (action == "normal") {
    it_factor_ = 1.0;
    for (Ups& ups : upses_) {
      ups.mains = true;
    }
    for (Cooler& cooler : coolers_) {
      cooler.failed = false;
    }
    for (Pdu& pdu : pdus_) {
      std::fill(std::begin(pdu.overload_amps), std::end(pdu.overload_amps),
                0.0);
    }
    return {};
  } else {
    error = "the facility does not handle action '" + action + "'";
  }
  return std::unexpected(error);
}

nlohmann::json Facility::Status() const {
  nlohmann::json status;
  status["simulated_seconds"] = elapsed_;
  status["it_load_kw"] = it_load_kw_;
  status["it_factor"] = it_factor_;
  status["supply_air_celsius"] = hall_.supply_setpoint + room_excess_;
  status["cooling_power_kw"] = cooling_kw_;
  nlohmann::json upses = nlohmann::json::array();
  for (const Ups& ups : upses_) {
    const Device& device = devices_[static_cast<std::size_t>(ups.device)];
    upses.push_back(
        {{"device", device.spec.name},
         {"feed", std::string(1, ups.feed)},
         {"on_battery", !ups.mains},
         {"output_ok", ups.output_ok},
         {"charge_percent", 100 * ups.stored_wh / ups.capacity_wh},
         {"output_kw", Get(device, var::kUpsOutputWattsTotal) / 1000}});
  }
  status["ups"] = upses;
  nlohmann::json coolers = nlohmann::json::array();
  for (const Cooler& cooler : coolers_) {
    coolers.push_back(
        {{"device",
          devices_[static_cast<std::size_t>(cooler.device)].spec.name},
         {"failed", cooler.failed}});
  }
  status["cooling"] = coolers;
  return status;
}

}  // namespace dc::sim
