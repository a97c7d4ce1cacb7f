// The fleet file: which devices dcsim serves, where, with which model, the
// hall they sit in, their faults and the scripted events. Read strictly
// (unknown keys and bad values are errors with file:line:column).
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/usm.h"

namespace dc::sim {

// Misbehaviour injected into one device's answers.
struct Faults {
  std::chrono::milliseconds delay{0};   // every answer waits this long
  std::chrono::milliseconds jitter{0};  // plus up to this, at random
  double drop = 0.0;                    // share of requests never answered
  double malformed = 0.0;               // share answered with corrupted bytes
  double truncate = 0.0;   // share answered with a cut-off datagram or frame
  double reset = 0.0;      // Modbus: share answered by resetting the TCP
                           // connection
  double exception = 0.0;  // Modbus: share answered with exception_code
  int exception_code = 4;  // Modbus exception (4 = server device failure)
  bool down = false;       // answers nothing at all

  bool any() const {
    return delay.count() > 0 || jitter.count() > 0 || drop > 0 ||
           malformed > 0 || truncate > 0 || reset > 0 || exception > 0 || down;
  }
};

struct DeviceSpec {
  std::string name;
  std::string model;    // a model name from sim/models, or empty for a walk
  std::string snmprec;  // a .snmprec walk served as recorded
  std::string address;  // 127.x.y.z to bind
  std::uint16_t port = 0;
  std::string community = "public";
  // SNMP versions answered (`versions` in the fleet file).
  bool v1 = true;
  bool v2c = true;
  bool v3 = true;
  // SNMPv3 users this device knows, by name; absent: every [[user]].
  std::optional<std::vector<std::string>> users;
  std::string engine_id;     // bytes; empty: DefaultEngineId(name)
  int unit = 1;              // Modbus unit id
  char feed = 'A';           // power feed of a UPS or PDU: 'A' or 'B'
  int rack = 0;              // rack of a PDU or environment sensor, 1-based
  int outlets = 24;          // PDU outlets
  double rated_kw = 80.0;    // UPS rating (kVA equal at unity PF)
  double rated_amps = 16.0;  // PDU rating per phase
  double bank_rated_amps = 16.0;  // PDU breaker rating per bank
  double capacity_kw = 30.0;      // cooling unit capacity
  double battery_minutes = 10.0;  // UPS runtime at full load
  std::size_t max_message_size = 1472;
  std::map<std::string, std::string> labels;
  Faults faults;
  std::string place;  // file:line:column of the [[device]] table
};

struct HallSpec {
  std::string site = "dc";
  std::string room = "hall-1";
  double it_load_kw = 60.0;       // mean IT load of the hall at start
  double daily_swing = 0.12;      // +- share of the load over a day
  double growth_per_year = 0.2;   // load growth
  double noise = 0.015;           // relative noise of rack loads
  double supply_setpoint = 20.0;  // supply air set point, degC
  double time_scale = 1.0;        // simulated seconds per real second
};

// A change to the hall or a device, scripted or posted to the control port.
struct Event {
  std::string action;  // see docs/simulator.md for the list
  std::string device;
  int phase = 1;
  std::optional<double> value;
  std::optional<Faults> faults;
  std::optional<double> duration_s;  // revert after this long
  double at_s = 0.0;                 // scripted: seconds after start
  std::string place;
};

struct Fleet {
  std::string path;
  std::string bind = "127.0.0.1";
  std::string control;  // "127.0.0.1:PORT" for the HTTP control port
  std::uint64_t seed = 1;
  std::string models_dir;  // empty: the built-in default
  HallSpec hall;
  std::vector<DeviceSpec> devices;
  std::vector<Event> events;
  std::vector<UsmUserSpec> users;  // SNMPv3 users ([[user]])
};

// Reads a fleet file. Devices with `count = N` expand into N devices whose
// names replace {n} by the two-digit number, with consecutive ports and
// racks 1..N.
std::expected<Fleet, std::string> LoadFleet(const std::string& path);

// A benchmark fleet: `count` UPS-MIB devices (about 60 objects each) on
// consecutive ports from `first_port`, spread over `addresses` loopback
// addresses 127.0.0.1, 127.0.0.2, ...
Fleet BenchFleet(int count, std::uint16_t first_port, int addresses);

// Parses the keys of an event or a fault set given as JSON text, as the
// control port receives them.
std::expected<Event, std::string> ParseEventJson(const std::string& text);

// Actions an event may name.
bool IsKnownAction(const std::string& action);

}  // namespace dc::sim
