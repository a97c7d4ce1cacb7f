#include "planner/inventory_loader.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "collectors/common/toml_reader.h"

namespace dc::plan {
namespace {

// Typical figures of the order found in reliability handbooks; they only
// seed the availability estimate and every unit may override them.
Reliability DefaultReliability(std::string_view kind) {
  if (kind == "utility")
    return {4380, 2};
  if (kind == "generator")
    return {2000, 24};
  if (kind == "switchgear")
    return {500'000, 8};
  if (kind == "ups")
    return {100'000, 8};
  if (kind == "panel")
    return {1'000'000, 4};
  if (kind == "feed")
    return {500'000, 4};
  return {25'000, 12};  // cooling unit
}

// Where an id was defined, to name both places of a duplicate.
struct Definition {
  std::string kind;
  toml::source_region where;
};

class Loader {
 public:
  explicit Loader(Plan& plan) : plan_(plan) {}

  void ReadFile(const toml::table& root) {
    TableReader top(root, "plan", errors_);
    if (auto* t = top.Table("site"))
      Once("site", *t, &Loader::ReadSite);
    if (auto* t = top.Table("policy"))
      Once("policy", *t, &Loader::ReadPolicy);
    if (auto* t = top.Table("scenario"))
      Once("scenario", *t, &Loader::ReadScenario);
    if (auto* t = top.Table("growth"))
      Once("growth", *t, &Loader::ReadGrowth);
    Each(top, "source", &Loader::ReadSource);
    Each(top, "switchgear", &Loader::ReadSwitchgear);
    Each(top, "ups", &Loader::ReadUps);
    Each(top, "panel", &Loader::ReadPanel);
    Each(top, "feed", &Loader::ReadFeed);
    Each(top, "cooling", &Loader::ReadCooling);
    Each(top, "room", &Loader::ReadRoom);
    Each(top, "rack", &Loader::ReadRack);
    Each(top, "device", &Loader::ReadDevice);
    Each(top, "storage", &Loader::ReadStorage);
    Each(top, "network", &Loader::ReadNetwork);
    Each(top, "template", &Loader::ReadTemplate);
    Each(top, "project", &Loader::ReadProject);
    top.Finish();
  }

  // Cross-references, checked once every file is read.
  void Validate();

  TomlErrors& errors() { return errors_; }

 private:
  using TableFn = void (Loader::*)(TableReader&);

  void Once(const std::string& name, const toml::table& table, TableFn fn) {
    if (!seen_tables_.insert(name).second) {
      errors_.Add(
          table.source(),
          fmt::format("[{}] is already defined in an earlier file", name));
      return;
    }
    TableReader reader(table, "[" + name + "]", errors_);
    (this->*fn)(reader);
    reader.Finish();
  }

  void Each(TableReader& top, std::string_view key, TableFn fn) {
    const toml::array* array = top.Array(key);
    if (!array)
      return;
    for (const toml::node& element : *array) {
      if (!element.is_table()) {
        errors_.Add(element.source(),
                    fmt::format("'{}' must be an array of tables "
                                "([[{}]])",
                                key, key));
        continue;
      }
      TableReader reader(*element.as_table(), fmt::format("[[{}]]", key),
                         errors_);
      (this->*fn)(reader);
      reader.Finish();
    }
  }

  // Reads the required `id` and records it in the one id namespace.
  std::string Id(TableReader& r, std::string_view kind) {
    auto id = r.String("id", true);
    if (!id)
      return {};
    if (id->empty()) {
      r.Fail("id", "must not be empty");
      return {};
    }
    const toml::node* node = r.table().get("id");
    auto [it, fresh] =
        ids_.emplace(*id, Definition{std::string(kind), node->source()});
    if (!fresh) {
      r.Fail("id", fmt::format("'{}' is already the id of a {} at {}", *id,
                               it->second.kind, FormatPlace(it->second.where)));
    }
    return *id;
  }

  double Positive(TableReader& r, std::string_view key, bool required,
                  double fallback = 0) {
    auto v = r.Number(key, required);
    if (!v)
      return fallback;
    if (*v <= 0) {
      r.Fail(key, "must be greater than zero");
      return fallback;
    }
    return *v;
  }

  double NonNegative(TableReader& r, std::string_view key, double fallback) {
    auto v = r.Number(key);
    if (!v)
      return fallback;
    if (*v < 0) {
      r.Fail(key, "must not be negative");
      return fallback;
    }
    return *v;
  }

  double Ratio(TableReader& r, std::string_view key, double fallback,
               double low = 0, double high = 1) {
    auto v = r.Number(key);
    if (!v)
      return fallback;
    if (*v <= low || *v > high) {
      r.Fail(key, fmt::format("must be in ({}, {}]", low, high));
      return fallback;
    }
    return *v;
  }

  int Count(TableReader& r, std::string_view key, int fallback, int low = 1) {
    auto v = r.Integer(key);
    if (!v)
      return fallback;
    if (*v < low || *v > 1'000'000) {
      r.Fail(key, fmt::format("must be an integer of at least {}", low));
      return fallback;
    }
    return static_cast<int>(*v);
  }

  std::string Ref(TableReader& r, std::string_view key, bool required) {
    auto v = r.String(key, required);
    if (v && !v->empty()) {
      refs_.push_back(
          {*v, r.table().get(key)->source(), r.what(), std::string(key)});
    }
    return v.value_or("");
  }

  Reliability ReadReliability(TableReader& r, std::string_view kind) {
    Reliability rel = DefaultReliability(kind);
    rel.mtbf_hours = Positive(r, "mtbf_hours", false, rel.mtbf_hours);
    rel.mttr_hours = Positive(r, "mttr_hours", false, rel.mttr_hours);
    return rel;
  }

  void Voltage(TableReader& r, double& volts, int& phases) {
    volts = Positive(r, "volts", false, volts);
    auto p = r.Integer("phases");
    if (p) {
      if (*p != 1 && *p != 3) {
        r.Fail("phases", "must be 1 or 3");
      } else {
        phases = static_cast<int>(*p);
      }
    }
  }

  int Phase(TableReader& r) {
    auto p = r.String("phase");
    if (!p)
      return 0;
    if (*p == "L1")
      return 1;
    if (*p == "L2")
      return 2;
    if (*p == "L3")
      return 3;
    r.Fail("phase", fmt::format("\"{}\" is not a phase; write \"L1\", "
                                "\"L2\" or \"L3\"",
                                *p));
    return 0;
  }

  std::optional<Date> DateValue(TableReader& r, std::string_view key,
                                bool required) {
    r.Accept(key);
    const toml::node* node = r.table().get(key);
    if (!node) {
      if (required) {
        errors_.Add(
            r.table().source(),
            fmt::format("{}: missing required key '{}'", r.what(), key));
      }
      return std::nullopt;
    }
    if (const auto* d = node->as_date()) {
      const toml::date& v = d->get();
      std::chrono::year_month_day ymd{std::chrono::year{v.year},
                                      std::chrono::month{v.month},
                                      std::chrono::day{v.day}};
      if (ymd.ok())
        return std::chrono::sys_days{ymd};
    } else if (const auto* s = node->as_string()) {
      if (auto parsed = ParseDate(s->get()))
        return parsed;
    }
    r.Fail(key, "must be a date such as 2027-03-01 or \"2027-03\"");
    return std::nullopt;
  }

  void ReadSite(TableReader& r) {
    plan_.name = r.String("name").value_or(plan_.name);
    if (auto c = r.Bool("compartmentalized"))
      plan_.compartmentalized = *c;
  }

  void ReadPolicy(TableReader& r) {
    Policy& p = plan_.policy;
    p.breaker_derating = Ratio(r, "breaker_derating", p.breaker_derating);
    p.ups_max_load = Ratio(r, "ups_max_load", p.ups_max_load);
    p.cooling_max_load = Ratio(r, "cooling_max_load", p.cooling_max_load);
    p.power_factor = Ratio(r, "power_factor", p.power_factor);
    p.storage_max_fill = Ratio(r, "storage_max_fill", p.storage_max_fill);
    p.lead_time_days = Count(r, "lead_time_days", p.lead_time_days, 0);
    if (auto c = r.String("ashrae_class")) {
      static const std::set<std::string> kClasses = {"A1", "A2", "A3", "A4"};
      if (kClasses.contains(*c)) {
        p.ashrae_class = *c;
      } else {
        r.Fail("ashrae_class", "must be one of A1, A2, A3, A4");
      }
    }
    if (auto t = r.Integer("tier_target")) {
      if (*t < 1 || *t > 4) {
        r.Fail("tier_target", "must be 1, 2, 3 or 4");
      } else {
        p.tier_target = static_cast<int>(*t);
      }
    }
  }

  void ReadScenario(TableReader& r) {
    Scenario& s = plan_.scenario;
    s.name = r.String("name").value_or(s.name);
    s.start = DateValue(r, "start", false);
    if (auto h = DateValue(r, "horizon", false))
      s.horizon = *h;
  }

  Growth ReadOneGrowth(TableReader& parent, std::string_view key) {
    Growth g;
    const toml::table* t = parent.Table(key);
    if (!t)
      return g;
    TableReader r(*t, fmt::format("[growth.{}]", key), errors_);
    auto method = r.String("method", true);
    if (method == "none") {
      g.method = GrowthMethod::kNone;
    } else if (method == "linear") {
      g.method = GrowthMethod::kLinear;
    } else if (method == "holt") {
      g.method = GrowthMethod::kHolt;
    } else if (method == "percent") {
      g.method = GrowthMethod::kPercent;
    } else if (method) {
      r.Fail("method",
             "must be \"none\", \"linear\", \"holt\" or "
             "\"percent\"");
    }
    if (auto p = r.Number("percent_per_year")) {
      g.percent_per_year = *p;
    } else if (g.method == GrowthMethod::kPercent) {
      r.Fail("method", "\"percent\" needs 'percent_per_year'");
    }
    if (auto sd = r.Number("percent_sd_per_year")) {
      if (g.method != GrowthMethod::kPercent) {
        r.Fail("percent_sd_per_year", "applies to method \"percent\" only");
      } else if (*sd < 0) {
        r.Fail("percent_sd_per_year", "must not be negative");
      } else {
        g.percent_sd_per_year = *sd;
      }
    }
    r.Finish();
    return g;
  }

  void ReadGrowth(TableReader& r) {
    plan_.scenario.power = ReadOneGrowth(r, "power");
    plan_.scenario.storage = ReadOneGrowth(r, "storage");
  }

  void ReadSource(TableReader& r) {
    Source s;
    s.id = Id(r, "source");
    auto kind = r.String("kind", true);
    if (kind && *kind != "utility" && *kind != "generator") {
      r.Fail("kind", "must be \"utility\" or \"generator\"");
    }
    s.generator = kind == "generator";
    s.kw = Positive(r, "kw", true);
    s.kva = Positive(r, "kva", false, s.kw / plan_.policy.power_factor);
    s.device = r.String("device").value_or("");
    s.reliability = ReadReliability(r, s.generator ? "generator" : "utility");
    plan_.sources.push_back(std::move(s));
  }

  void ReadSwitchgear(TableReader& r) {
    Switchgear s;
    s.id = Id(r, "switchgear");
    if (auto inputs = r.StringArray("inputs", true)) {
      if (inputs->empty())
        r.Fail("inputs", "must name at least one input");
      for (const auto& input : *inputs) {
        refs_.push_back(
            {input, r.table().get("inputs")->source(), r.what(), "inputs"});
      }
      s.inputs = *inputs;
    }
    s.kw = NonNegative(r, "kw", 0);
    s.kva = NonNegative(r, "kva", 0);
    s.device = r.String("device").value_or("");
    s.reliability = ReadReliability(r, "switchgear");
    plan_.switchgear.push_back(std::move(s));
  }

  void ReadUps(TableReader& r) {
    Ups u;
    u.id = Id(r, "ups");
    u.upstream = Ref(r, "upstream", true);
    u.modules = Count(r, "modules", 1);
    u.max_modules = Count(r, "max_modules", u.modules);
    if (u.max_modules < u.modules) {
      r.Fail("max_modules", "must not be less than 'modules'");
    }
    u.redundant_modules = Count(r, "redundant_modules", 0, 0);
    if (u.redundant_modules >= u.modules) {
      r.Fail("redundant_modules", "must be less than 'modules'");
      u.redundant_modules = 0;
    }
    u.module_kw = Positive(r, "module_kw", true);
    u.module_kva = Positive(r, "module_kva", false, u.module_kw);
    if (u.module_kva < u.module_kw) {
      r.Fail("module_kva",
             "must not be less than 'module_kw' (kW = kVA "
             "times the output power factor)");
    }
    u.group = r.String("group").value_or(u.id);
    u.maintenance_bypass =
        r.Bool("maintenance_bypass").value_or(u.maintenance_bypass);
    u.device = r.String("device").value_or("");
    u.reliability = ReadReliability(r, "ups");
    plan_.ups.push_back(std::move(u));
  }

  void ReadPanel(TableReader& r) {
    Panel p;
    p.id = Id(r, "panel");
    p.kind = r.String("kind").value_or(p.kind);
    p.upstream = Ref(r, "upstream", true);
    p.breaker_amps = Positive(r, "breaker_amps", true);
    Voltage(r, p.volts, p.phases);
    p.device = r.String("device").value_or("");
    p.reliability = ReadReliability(r, "panel");
    plan_.panels.push_back(std::move(p));
  }

  void ReadFeed(TableReader& r) {
    Feed f;
    f.id = Id(r, "feed");
    f.rack = Ref(r, "rack", true);
    f.panel = Ref(r, "panel", true);
    if (auto side = r.String("side")) {
      if (*side == "A") {
        f.side = Side::kA;
      } else if (*side == "B") {
        f.side = Side::kB;
      } else {
        r.Fail("side", "must be \"A\" or \"B\"");
      }
    }
    f.breaker_amps = Positive(r, "breaker_amps", true);
    Voltage(r, f.volts, f.phases);
    f.phase = Phase(r);
    if (f.phases == 1 && f.phase == 0)
      f.phase = 1;
    f.device = r.String("device").value_or(f.id);
    f.reliability = ReadReliability(r, "feed");
    plan_.feeds.push_back(std::move(f));
  }

  void ReadCooling(TableReader& r) {
    CoolingUnit c;
    c.id = Id(r, "cooling unit");
    auto kind = r.String("kind", true);
    if (kind == "crah") {
      c.kind = CoolingKind::kCrah;
    } else if (kind == "crac") {
      c.kind = CoolingKind::kCrac;
    } else if (kind == "inrow") {
      c.kind = CoolingKind::kInRow;
    } else if (kind == "cdu") {
      c.kind = CoolingKind::kCdu;
    } else if (kind) {
      r.Fail("kind", "must be \"crah\", \"crac\", \"inrow\" or \"cdu\"");
    }
    c.kw = Positive(r, "kw", true);
    c.power_kw = NonNegative(r, "power_kw", 0);
    c.zone = r.String("zone", true).value_or("");
    c.group = r.String("group").value_or(c.zone);
    c.upstream = Ref(r, "upstream", false);
    c.device = r.String("device").value_or("");
    c.reliability = ReadReliability(r, "cooling");
    plan_.cooling.push_back(std::move(c));
  }

  void ReadRoom(TableReader& r) {
    Room room;
    room.id = Id(r, "room");
    room.rack_positions = Count(r, "rack_positions", 0, 1);
    if (!r.Has("rack_positions"))
      r.Integer("rack_positions", true);
    plan_.rooms.push_back(std::move(room));
  }

  void FillRack(TableReader& r, Rack& rack, bool in_template) {
    rack.room =
        in_template ? r.String("room").value_or("") : Ref(r, "room", true);
    rack.row = r.String("row").value_or("");
    rack.zone = r.String("zone").value_or("");
    rack.liquid_zone = r.String("liquid_zone").value_or("");
    if (auto c = r.String("cooling")) {
      if (*c == "air") {
        rack.cooling = RackCooling::kAir;
      } else if (*c == "liquid") {
        rack.cooling = RackCooling::kLiquid;
      } else {
        r.Fail("cooling", "must be \"air\" or \"liquid\"");
      }
    }
    rack.liquid_fraction = Ratio(r, "liquid_fraction", rack.liquid_fraction);
    rack.u = Count(r, "u", rack.u);
    rack.max_kw = Positive(r, "max_kw", true);
    rack.max_weight_kg = NonNegative(r, "max_weight_kg", 0);
    rack.budget_kw = NonNegative(r, "budget_kw", 0);
    if (rack.cooling == RackCooling::kLiquid && rack.liquid_zone.empty() &&
        !in_template) {
      r.Fail("cooling",
             "a liquid-cooled rack needs 'liquid_zone' (the CDU "
             "zone)");
    }
  }

  void ReadRack(TableReader& r) {
    Rack rack;
    rack.id = Id(r, "rack");
    FillRack(r, rack, false);
    rack_places_[rack.id] = r.table().source();
    plan_.racks.push_back(std::move(rack));
  }

  void FillDevice(TableReader& r, Device& d) {
    d.u = Count(r, "u", d.u, 0);
    d.nameplate_w = NonNegative(r, "nameplate_w", 0);
    d.budget_w = NonNegative(r, "budget_w", d.nameplate_w);
    if (!r.Has("budget_w") && !r.Has("nameplate_w")) {
      r.Fail("budget_w", "a device needs 'budget_w' or 'nameplate_w'");
    }
    if (d.nameplate_w > 0 && d.budget_w > d.nameplate_w) {
      r.Fail("budget_w", "must not exceed 'nameplate_w'");
    }
    d.power_factor = Ratio(r, "power_factor", 0);
    d.phase = Phase(r);
    d.weight_kg = NonNegative(r, "weight_kg", 0);
    d.ports = Count(r, "ports", 0, 0);
  }

  void ReadDevice(TableReader& r) {
    Device d;
    d.id = Id(r, "device");
    d.rack = Ref(r, "rack", true);
    if (auto feeds = r.StringArray("feeds", true)) {
      if (feeds->empty())
        r.Fail("feeds", "must name at least one feed");
      for (const auto& f : *feeds) {
        device_feed_refs_.push_back(
            {d.id, d.rack, f, r.table().get("feeds")->source()});
      }
      d.feeds = *feeds;
    }
    FillDevice(r, d);
    int count = Count(r, "count", 1);
    if (count == 1) {
      plan_.devices.push_back(std::move(d));
      return;
    }
    // `count` identical devices share one entry; each gets its own id.
    for (int i = 1; i <= count; ++i) {
      Device copy = d;
      copy.id = fmt::format("{}-{}", d.id, i);
      plan_.devices.push_back(std::move(copy));
    }
  }

  void ReadStorage(TableReader& r) {
    StoragePool s;
    s.id = Id(r, "storage pool");
    s.usable_tb = Positive(r, "usable_tb", true);
    s.used_tb = NonNegative(r, "used_tb", 0);
    s.device = r.String("device").value_or("");
    s.pool = r.String("pool").value_or(s.id);
    plan_.storage.push_back(std::move(s));
  }

  void ReadNetwork(TableReader& r) {
    NetworkSwitch n;
    n.id = Id(r, "network switch");
    n.rack = Ref(r, "rack", false);
    n.ports = Count(r, "ports", 0, 1);
    if (!r.Has("ports"))
      r.Integer("ports", true);
    n.used_ports = Count(r, "used_ports", 0, 0);
    plan_.network.push_back(std::move(n));
  }

  void ReadTemplate(TableReader& r) {
    RackTemplate t;
    t.id = Id(r, "rack template");
    FillRack(r, t.rack, true);
    t.feed_breaker_amps =
        Positive(r, "feed_breaker_amps", false, t.feed_breaker_amps);
    t.feed_volts = Positive(r, "feed_volts", false, t.feed_volts);
    if (auto p = r.Integer("feed_phases")) {
      if (*p != 1 && *p != 3) {
        r.Fail("feed_phases", "must be 1 or 3");
      } else {
        t.feed_phases = static_cast<int>(*p);
      }
    }
    if (const toml::array* devices = r.Array("device")) {
      for (const toml::node& element : *devices) {
        if (!element.is_table()) {
          errors_.Add(element.source(),
                      "'device' must be an array of "
                      "tables ([[template.device]])");
          continue;
        }
        TableReader dr(*element.as_table(), "[[template.device]]", errors_);
        Device d;
        d.id = dr.String("id", true).value_or("");
        FillDevice(dr, d);
        int count = Count(dr, "count", 1);
        dr.Finish();
        for (int i = 1; i <= count; ++i) {
          Device copy = d;
          if (count > 1)
            copy.id = fmt::format("{}-{}", d.id, i);
          t.devices.push_back(std::move(copy));
        }
      }
    }
    plan_.scenario.templates.push_back(std::move(t));
  }

  void ReadProject(TableReader& r) {
    Project p;
    p.id = Id(r, "project");
    p.file = r.table().source().path ? *r.table().source().path : "";
    p.line = static_cast<int>(r.table().source().begin.line);
    p.column = static_cast<int>(r.table().source().begin.column);
    p.date = DateValue(r, "date", true).value_or(Date{});
    auto action = r.String("action", true).value_or("");
    static const std::map<std::string, ProjectAction> kActions = {
        {"add_racks", ProjectAction::kAddRacks},
        {"retire", ProjectAction::kRetire},
        {"add_ups_modules", ProjectAction::kAddUpsModules},
        {"add_cooling", ProjectAction::kAddCooling},
        {"add_storage", ProjectAction::kAddStorage},
        {"grow_storage", ProjectAction::kGrowStorage},
    };
    auto it = kActions.find(action);
    if (it == kActions.end()) {
      if (r.Has("action")) {
        r.Fail("action",
               "must be add_racks, retire, add_ups_modules, "
               "add_cooling, add_storage or grow_storage");
      }
    } else {
      p.action = it->second;
    }
    p.rack_template = r.String("template").value_or("");
    p.count = Count(r, "count", 1);
    p.room = r.String("room").value_or("");
    p.row = r.String("row").value_or("");
    p.zone = r.String("zone").value_or("");
    p.liquid_zone = r.String("liquid_zone").value_or("");
    p.panel_a = r.String("panel_a").value_or("");
    p.panel_b = r.String("panel_b").value_or("");
    p.rack_kw = NonNegative(r, "rack_kw", 0);
    p.targets = r.StringArray("targets").value_or(std::vector<std::string>{});
    p.target = r.String("target").value_or("");
    p.kw = NonNegative(r, "kw", 0);
    p.tb = NonNegative(r, "tb", 0);
    projects_where_.push_back(r.table().source());
    plan_.scenario.projects.push_back(std::move(p));
  }

  struct RefUse {
    std::string id;
    toml::source_region where;
    std::string what;
    std::string key;
  };
  struct DeviceFeedRef {
    std::string device, rack, feed;
    toml::source_region where;
  };

  void CheckReferences();
  void CheckPowerGraph();
  void CheckProjects();
  std::string KindOf(const std::string& id) const {
    auto it = ids_.find(id);
    return it == ids_.end() ? "" : it->second.kind;
  }

  Plan& plan_;
  TomlErrors errors_;
  std::set<std::string> seen_tables_;
  std::map<std::string, Definition> ids_;
  std::vector<RefUse> refs_;
  std::vector<DeviceFeedRef> device_feed_refs_;
  std::map<std::string, toml::source_region> rack_places_;
  std::vector<toml::source_region> projects_where_;
};

void Loader::Validate() {
  CheckReferences();
  CheckPowerGraph();
  CheckProjects();
}

void Loader::CheckReferences() {
  // Which kinds each reference may point at.
  static const std::map<std::string, std::set<std::string>> kAllowed = {
      {"[[switchgear]].inputs", {"source", "switchgear"}},
      {"[[ups]].upstream", {"switchgear", "panel"}},
      {"[[panel]].upstream", {"ups", "switchgear", "panel"}},
      {"[[feed]].rack", {"rack"}},
      {"[[feed]].panel", {"panel"}},
      {"[[cooling]].upstream", {"panel", "switchgear"}},
      {"[[rack]].room", {"room"}},
      {"[[device]].rack", {"rack"}},
      {"[[network]].rack", {"rack"}},
  };
  for (const RefUse& ref : refs_) {
    std::string kind = KindOf(ref.id);
    const auto& allowed = kAllowed.at(ref.what + "." + ref.key);
    if (kind.empty()) {
      errors_.Add(ref.where, fmt::format("{}: '{}' names '{}', which is not "
                                         "defined",
                                         ref.what, ref.key, ref.id));
    } else if (!allowed.contains(kind)) {
      std::string list;
      for (const auto& a : allowed)
        list += (list.empty() ? "" : " or ") + a;
      errors_.Add(ref.where,
                  fmt::format("{}: '{}' names '{}', a {}; it must be a {}",
                              ref.what, ref.key, ref.id, kind, list));
    }
  }

  std::map<std::string, const Feed*> feeds;
  for (const Feed& f : plan_.feeds)
    feeds[f.id] = &f;
  for (const DeviceFeedRef& ref : device_feed_refs_) {
    auto it = feeds.find(ref.feed);
    if (it == feeds.end()) {
      errors_.Add(ref.where, fmt::format("[[device]] '{}': feed '{}' is not "
                                         "defined",
                                         ref.device, ref.feed));
    } else if (it->second->rack != ref.rack) {
      errors_.Add(
          ref.where,
          fmt::format("[[device]] '{}': feed '{}' serves rack '{}', "
                      "not the device's rack '{}'",
                      ref.device, ref.feed, it->second->rack, ref.rack));
    }
  }

  // Every rack needs a cooling zone that has units, and power.
  std::set<std::string> zones;
  for (const CoolingUnit& c : plan_.cooling)
    zones.insert(c.zone);
  std::set<std::string> fed_racks;
  for (const Feed& f : plan_.feeds)
    fed_racks.insert(f.rack);
  for (const Rack& rack : plan_.racks) {
    const auto& where = rack_places_[rack.id];
    if (!zones.contains(rack.zone)) {
      errors_.Add(where, fmt::format("[[rack]] '{}': cooling zone '{}' has "
                                     "no [[cooling]] unit",
                                     rack.id, rack.zone));
    }
    if (rack.cooling == RackCooling::kLiquid && !rack.liquid_zone.empty() &&
        !zones.contains(rack.liquid_zone)) {
      errors_.Add(where, fmt::format("[[rack]] '{}': liquid zone '{}' has "
                                     "no [[cooling]] unit",
                                     rack.id, rack.liquid_zone));
    }
    if (!fed_racks.contains(rack.id)) {
      errors_.Add(where, fmt::format("[[rack]] '{}' has no [[feed]]", rack.id));
    }
  }
}

void Loader::CheckPowerGraph() {
  // Upstream edges of every power node; a loop means no node is ever fed.
  std::map<std::string, std::vector<std::string>> up;
  for (const Switchgear& s : plan_.switchgear)
    up[s.id] = s.inputs;
  for (const Ups& u : plan_.ups)
    up[u.id] = {u.upstream};
  for (const Panel& p : plan_.panels)
    up[p.id] = {p.upstream};

  std::map<std::string, int> state;  // 1 visiting, 2 done
  std::function<bool(const std::string&)> visit =
      [&](const std::string& id) -> bool {
    if (state[id] == 2)
      return true;
    if (state[id] == 1)
      return false;
    state[id] = 1;
    for (const auto& next : up[id]) {
      if (!visit(next))
        return false;
    }
    state[id] = 2;
    return true;
  };
  for (const auto& [id, inputs] : up) {
    (void)inputs;
    if (state[id] == 0 && !visit(id)) {
      errors_.Add(ids_[id].where,
                  fmt::format("'{}' is part of a loop in the power graph "
                              "(each node must be fed from upstream)",
                              id));
      return;
    }
  }
}

void Loader::CheckProjects() {
  std::set<std::string> templates;
  for (const auto& t : plan_.scenario.templates)
    templates.insert(t.id);
  for (std::size_t i = 0; i < plan_.scenario.projects.size(); ++i) {
    const Project& p = plan_.scenario.projects[i];
    const auto& where = projects_where_[i];
    auto fail = [&](std::string message) {
      errors_.Add(where, fmt::format("[[project]] '{}': {}", p.id, message));
    };
    switch (p.action) {
      case ProjectAction::kAddRacks:
        if (!templates.contains(p.rack_template)) {
          fail(fmt::format("template '{}' is not defined", p.rack_template));
        }
        if (KindOf(p.panel_a) != "panel") {
          fail(fmt::format("'panel_a' = '{}' is not a panel", p.panel_a));
        }
        if (!p.panel_b.empty() && KindOf(p.panel_b) != "panel") {
          fail(fmt::format("'panel_b' = '{}' is not a panel", p.panel_b));
        }
        if (KindOf(p.room) != "room") {
          fail(fmt::format("'room' = '{}' is not a room", p.room));
        }
        break;
      case ProjectAction::kRetire:
        if (p.targets.empty())
          fail("'targets' must list what retires");
        for (const auto& t : p.targets) {
          std::string kind = KindOf(t);
          if (kind != "rack" && kind != "device" && kind != "project") {
            fail(
                fmt::format("target '{}' is not a rack, device or project", t));
          }
        }
        break;
      case ProjectAction::kAddUpsModules:
        if (KindOf(p.target) != "ups") {
          fail(fmt::format("'target' = '{}' is not a UPS", p.target));
        }
        break;
      case ProjectAction::kAddCooling:
        if (KindOf(p.target) != "cooling unit") {
          fail(fmt::format("'target' = '{}' is not a cooling unit to copy",
                           p.target));
        }
        break;
      case ProjectAction::kAddStorage:
      case ProjectAction::kGrowStorage:
        if (KindOf(p.target) != "storage pool") {
          fail(fmt::format("'target' = '{}' is not a storage pool", p.target));
        }
        if (p.tb <= 0)
          fail("'tb' must be greater than zero");
        break;
    }
  }
}

}  // namespace

std::optional<Date> ParseDate(std::string_view text) {
  int y = 0;
  unsigned m = 0, d = 1;
  const char* p = text.data();
  const char* end = p + text.size();
  auto r1 = std::from_chars(p, end, y);
  if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != '-') {
    return std::nullopt;
  }
  auto r2 = std::from_chars(r1.ptr + 1, end, m);
  if (r2.ec != std::errc())
    return std::nullopt;
  if (r2.ptr != end) {
    if (*r2.ptr != '-')
      return std::nullopt;
    auto r3 = std::from_chars(r2.ptr + 1, end, d);
    if (r3.ec != std::errc() || r3.ptr != end)
      return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                  std::chrono::day{d}};
  if (!ymd.ok())
    return std::nullopt;
  return std::chrono::sys_days{ymd};
}

namespace {

std::expected<Plan, std::vector<std::string>> Load(
    const std::vector<std::pair<std::string, std::string>>& texts) {
  Plan plan;
  Loader loader(plan);
  for (const auto& [path, text] : texts) {
    toml::table root;
    try {
      root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
      loader.errors().Add(e.source(), std::string(e.description()));
      continue;
    }
    loader.ReadFile(root);
  }
  if (loader.errors().empty())
    loader.Validate();
  if (!loader.errors().empty()) {
    return std::unexpected(loader.errors().messages());
  }
  return plan;
}

}  // namespace

std::expected<Plan, std::vector<std::string>> LoadPlan(
    const std::vector<std::string>& paths) {
  std::vector<std::pair<std::string, std::string>> texts;
  for (const auto& path : paths) {
    std::ifstream in(path);
    if (!in)
      return std::unexpected(std::vector<std::string>{
          fmt::format("{}: cannot open the file", path)});
    std::stringstream buffer;
    buffer << in.rdbuf();
    texts.emplace_back(path, buffer.str());
  }
  return Load(texts);
}

std::expected<Plan, std::vector<std::string>> ParsePlan(std::string_view text,
                                                        std::string_view path) {
  return Load({{std::string(path), std::string(text)}});
}

}  // namespace dc::plan
