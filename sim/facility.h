// The physics behind the simulated hall. IT load per rack follows a daily
// cycle, slow growth and noise; it flows through dual-corded servers into the
// A and B PDUs (outlet currents add up to phase currents, phases to the PDU
// input), the PDUs of a feed load that feed's UPS (2N), the heat goes to the
// cooling units (N+1) and shows in supply, return and rack temperatures, and
// the main meter sees UPS inputs plus cooling power. Events change the
// state: mains loss on a UPS, a failed cooling unit, an overloaded PDU phase.
//
// Not thread-safe: the server's single loop owns it.
#pragma once

#include <expected>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/device.h"
#include "sim/fleet.h"

namespace dc::sim {

class Facility {
 public:
  // `devices` must outlive the facility and keep its size. The simulated
  // clock (which drives the daily load cycle) starts at `start_utc_seconds`
  // since the epoch, or at the wall clock's time when it is not given.
  Facility(const HallSpec& hall, std::uint64_t seed,
           std::vector<Device>& devices,
           std::optional<double> start_utc_seconds = std::nullopt);

  // Advances the physics by `real_seconds` of wall time (times the hall's
  // time scale) and writes every device's variables.
  void Step(double real_seconds);

  // Applies an event (not "faults", which the server handles). Returns an
  // error naming what is wrong, e.g. an unknown device or the wrong kind.
  std::expected<void, std::string> Apply(const Event& event);

  // A summary for the control port: hall load, temperatures, UPS states.
  nlohmann::json Status() const;

  double it_load_kw() const { return it_load_kw_; }
  double simulated_seconds() const { return elapsed_; }

 private:
  struct Rack {
    int number = 0;
    double base_kw = 0;
    double noise = 0;
    double kw = 0;
    double inlet_offset = 0;
    double penalty = 0;  // local heat from a failed nearby cooling unit
    double inlet = 0;
    int pdu[2] = {-1, -1};  // device indices of the A and B PDU
    std::vector<int> envs;
    int cooler = -1;  // index into coolers_
    std::vector<double> server_weight;
  };
  struct Ups {
    int device = -1;
    char feed = 'A';
    bool mains = true;
    double stored_wh = 0;
    double capacity_wh = 0;
    double seconds_on_battery = 0;
    double phase_watts[3] = {0, 0, 0};
    bool output_ok = true;
  };
  struct Pdu {
    int device = -1;
    int rack = 0;
    char feed = 'A';
    double overload_amps[3] = {0, 0, 0};  // target phase current, 0 = off
    std::vector<double> outlet_pf;
    std::vector<double> outlet_watts;  // written each step
  };
  struct Cooler {
    int device = -1;
    bool failed = false;
    double humidity = 45;
  };

  void StepLoads(double dt);
  void StepPdus(double dt);
  void StepUpses(double dt);
  void StepCooling(double dt);
  void StepEnvironment();
  void StepMeters(double dt);
  double Gauss() { return normal_(rng_); }
  int FindDevice(const std::string& name, DeviceKind kind,
                 std::string& error) const;
  Ups* UpsForFeed(char feed);
  double FeedVolts(char feed, int phase);

  HallSpec hall_;
  std::vector<Device>& devices_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0.0, 1.0};
  double elapsed_ = 0;      // simulated seconds since start
  double clock_start_ = 0;  // simulated UTC seconds at start
  double it_factor_ = 1.0;
  double it_load_kw_ = 0;
  double room_excess_ = 0;  // supply air above set point, K
  double cooling_kw_ = 0;   // electrical power of the cooling units
  std::vector<Rack> racks_;
  std::vector<Ups> upses_;
  std::vector<Pdu> pdus_;
  std::vector<Cooler> coolers_;
  std::vector<int> meters_;
};

}  // namespace dc::sim
