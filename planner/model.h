// The facility as the planner sees it: the power graph from utility feeds
// down to rack feeds, the cooling units and zones, the racks and the
// devices in them, storage pools and network ports, the planning policies,
// and the scenario (growth methods, dated projects, horizon) applied on
// top. Plain data; inventory_loader.h fills it from TOML and checks every
// reference, so code reading a Plan may rely on ids resolving.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dc::plan {

// A calendar day; the planner works in whole days.
using Date = std::chrono::sys_days;

// Mean time between failures and to repair, in hours, for availability.
struct Reliability {
  double mtbf_hours = 0;
  double mttr_hours = 0;
};

// A utility feed or an engine generator.
struct Source {
  std::string id;
  bool generator = false;
  double kw = 0;
  double kva = 0;
  std::string device;
  Reliability reliability;
};

// Switchgear or an automatic transfer switch: powered while any input is;
// load goes to the first powered input in the listed order.
struct Switchgear {
  std::string id;
  std::vector<std::string> inputs;
  double kw = 0;   // 0: not a constraint
  double kva = 0;  // 0: not a constraint
  std::string device;
  Reliability reliability;
};

// A UPS system made of identical modules.
struct Ups {
  std::string id;
  std::string upstream;
  int modules = 1;
  int max_modules = 0;        // frame size; 0 means `modules`
  int redundant_modules = 0;  // internal N+x: modules not counted as usable
  double module_kw = 0;
  double module_kva = 0;
  std::string group;  // redundancy group, e.g. the 2N pair
  bool maintenance_bypass = true;
  std::string device;
  Reliability reliability;  // of one module
};

// A distribution panel, a floor PDU or a busway: breaker-limited.
struct Panel {
  std::string id;
  std::string kind = "panel";
  std::string upstream;
  double breaker_amps = 0;
  double volts = 400;  // line to line when three-phase
  int phases = 3;
  std::string device;
  Reliability reliability;
};

enum class Side { kA, kB, kOther };

// One rack feed: a breaker on a panel feeding one rack PDU.
struct Feed {
  std::string id;
  std::string rack;
  std::string panel;
  Side side = Side::kOther;
  double breaker_amps = 0;
  double volts = 400;  // line to line when three-phase
  int phases = 3;
  int phase = 0;       // 1..3: the panel phase a single-phase feed sits on
  std::string device;  // the rack PDU as the agent names it
  Reliability reliability;
};

enum class CoolingKind { kCrah, kCrac, kInRow, kCdu };

struct CoolingUnit {
  std::string id;
  CoolingKind kind = CoolingKind::kCrah;
  double kw = 0;        // net sensible capacity
  double power_kw = 0;  // electrical draw at full duty, on `upstream`
  std::string zone;
  std::string group;
  std::string upstream;  // panel feeding the unit; empty: not modelled
  std::string device;
  Reliability reliability;
};

struct Room {
  std::string id;
  int rack_positions = 0;
};

enum class RackCooling { kAir, kLiquid };

struct Rack {
  std::string id;
  std::string room;
  std::string row;
  std::string zone;         // air cooling zone
  std::string liquid_zone;  // CDU zone for liquid racks
  RackCooling cooling = RackCooling::kAir;
  double liquid_fraction = 0.8;  // share of heat removed by liquid
  int u = 42;
  double max_kw = 0;  // what the rack's own cooling and cabling allow
  double max_weight_kg = 0;
  double budget_kw = 0;  // load of a rack whose devices are not listed
  std::string added_by;  // project that added it, empty for existing
};

struct Device {
  std::string id;
  std::string rack;
  int u = 1;
  std::vector<std::string> feeds;  // one per power supply
  double nameplate_w = 0;
  double budget_w = 0;
  double power_factor = 0;  // 0: the policy's
  int phase = 0;            // 1..3, 0: spread over all phases
  double weight_kg = 0;
  int ports = 0;  // network ports used
  std::string added_by;
};

struct StoragePool {
  std::string id;
  double usable_tb = 0;
  double used_tb = 0;
  std::string device;  // the array as the agent names it
  std::string pool;    // value of the schema's `pool` label
};

struct NetworkSwitch {
  std::string id;
  std::string rack;
  int ports = 0;
  int used_ports = 0;
};

struct Policy {
  double breaker_derating = 0.8;
  double ups_max_load = 0.9;
  double cooling_max_load = 1.0;
  double power_factor = 0.95;
  std::string ashrae_class = "A1";
  double storage_max_fill = 0.85;
  int lead_time_days = 180;
  int tier_target = 0;  // 0: none stated
};

enum class GrowthMethod { kNone, kLinear, kHolt, kPercent };

// How one resource's measured load grows.
struct Growth {
  GrowthMethod method = GrowthMethod::kNone;
  double percent_per_year = 0;  // kPercent
  // kPercent: standard deviation of the yearly rate, in percentage
  // points; unset means half the rate.
  std::optional<double> percent_sd_per_year;
};

enum class ProjectAction {
  kAddRacks,
  kRetire,
  kAddUpsModules,
  kAddCooling,
  kAddStorage,
  kGrowStorage,
};

// A dated change to the inventory.
struct Project {
  std::string id;
  Date date{};
  ProjectAction action = ProjectAction::kAddRacks;
  // kAddRacks: `count` racks copied from `rack_template` with their
  // devices and feeds; ids get a suffix.
  std::string rack_template;
  int count = 1;
  std::string room, row, zone, liquid_zone;
  std::string panel_a, panel_b;
  double rack_kw = 0;  // 0: the template's load
  // kRetire: devices or racks by id; a retired rack takes its devices.
  std::vector<std::string> targets;
  double retire_kw = 0;  // kRetire of load not itemised
  // kAddUpsModules: `count` modules in `target`.
  // kAddCooling: a unit copied from `target` (or `kw`) into `zone`.
  // kAddStorage / kGrowStorage: TB added to `target`'s usable or used.
  std::string target;
  double kw = 0;
  double tb = 0;
  int line = 0, column = 0;
  std::string file;
};

// A rack template for projects: a rack plus the devices it carries.
struct RackTemplate {
  std::string id;
  Rack rack;
  double feed_breaker_amps = 32;
  double feed_volts = 400;
  int feed_phases = 3;
  std::vector<Device> devices;
};

struct Scenario {
  std::string name = "baseline";
  std::optional<Date> start;  // default: today or the last measurement
  Date horizon = std::chrono::year{2030} / 12 / 31;
  Growth power;
  Growth storage;
  std::vector<RackTemplate> templates;
  std::vector<Project> projects;
};

struct Plan {
  std::string name = "data center";
  int compartmentalized = 0;  // declared: 1 if A and B paths are separated
  Policy policy;
  std::vector<Source> sources;
  std::vector<Switchgear> switchgear;
  std::vector<Ups> ups;
  std::vector<Panel> panels;
  std::vector<Feed> feeds;
  std::vector<CoolingUnit> cooling;
  std::vector<Room> rooms;
  std::vector<Rack> racks;
  std::vector<Device> devices;
  std::vector<StoragePool> storage;
  std::vector<NetworkSwitch> network;
  Scenario scenario;
};

std::string_view ToString(CoolingKind kind);
std::string_view ToString(Side side);
std::string FormatDate(Date date);

}  // namespace dc::plan
