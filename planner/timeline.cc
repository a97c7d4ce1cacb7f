#include "planner/timeline.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "planner/capacity.h"
#include "planner/power_graph.h"

namespace dc::plan {
namespace {

using std::chrono::days;
using std::chrono::months;
using std::chrono::year_month_day;

// Rack feeds of a templated rack get the template's breaker on each side.
Feed TemplateFeed(const RackTemplate& t, const std::string& rack,
                  const std::string& panel, Side side) {
  Feed f{.id = fmt::format("{}-{}", rack, side == Side::kA ? "a" : "b"),
         .rack = rack,
         .panel = panel,
         .side = side,
         .breaker_amps = t.feed_breaker_amps,
         .volts = t.feed_volts,
         .phases = t.feed_phases};
  if (f.phases == 1)
    f.phase = 1;
  f.device = f.id;
  f.reliability = {500'000, 4};
  return f;
}

void AddRacks(Plan& plan, const Project& p) {
  const auto& templates = plan.scenario.templates;
  auto t = std::find_if(templates.begin(), templates.end(),
                        [&](const auto& x) { return x.id == p.rack_template; });
  if (t == templates.end())
    return;
  double template_w = 0;
  for (const Device& d : t->devices)
    template_w += d.budget_w;

  for (int i = 1; i <= p.count; ++i) {
    Rack rack = t->rack;
    rack.id = fmt::format("{}-r{:02}", p.id, i);
    rack.room = p.room;
    if (!p.row.empty())
      rack.row = p.row;
    if (!p.zone.empty())
      rack.zone = p.zone;
    if (!p.liquid_zone.empty())
      rack.liquid_zone = p.liquid_zone;
    rack.added_by = p.id;

    std::vector<std::string> feed_ids;
    Feed a = TemplateFeed(*t, rack.id, p.panel_a, Side::kA);
    feed_ids.push_back(a.id);
    plan.feeds.push_back(a);
    if (!p.panel_b.empty()) {
      Feed b = TemplateFeed(*t, rack.id, p.panel_b, Side::kB);
      feed_ids.push_back(b.id);
      plan.feeds.push_back(b);
    }

    // rack_kw overrides the template's load, its devices scaled to it.
    double scale =
        p.rack_kw > 0 && template_w > 0 ? p.rack_kw * 1000 / template_w : 1.0;
    if (t->devices.empty() && p.rack_kw > 0)
      rack.budget_kw = p.rack_kw;
    for (const Device& td : t->devices) {
      Device d = td;
      d.id = fmt::format("{}/{}", rack.id, td.id);
      d.rack = rack.id;
      d.feeds = feed_ids;
      d.budget_w *= scale;
      d.nameplate_w = std::max(d.nameplate_w, d.budget_w);
      d.added_by = p.id;
      plan.devices.push_back(std::move(d));
    }
    plan.racks.push_back(std::move(rack));
  }
}

void Retire(Plan& plan, const Project& p) {
  std::set<std::string> targets(p.targets.begin(), p.targets.end());
  std::set<std::string> racks;
  for (const Rack& r : plan.racks) {
    if (targets.contains(r.id) || targets.contains(r.added_by)) {
      racks.insert(r.id);
    }
  }
  std::erase_if(plan.racks,
                [&](const Rack& r) { return racks.contains(r.id); });
  std::erase_if(plan.feeds,
                [&](const Feed& f) { return racks.contains(f.rack); });
  std::erase_if(plan.devices, [&](const Device& d) {
    return racks.contains(d.rack) || targets.contains(d.id) ||
           targets.contains(d.added_by);
  });
}

}  // namespace

void ApplyProject(Plan& plan, const Project& p) {
  switch (p.action) {
    case ProjectAction::kAddRacks:
      AddRacks(plan, p);
      break;
    case ProjectAction::kRetire:
      Retire(plan, p);
      break;
    case ProjectAction::kAddUpsModules:
      for (Ups& u : plan.ups) {
        if (u.id != p.target)
          continue;
        u.modules += p.count;
        u.max_modules = std::max(u.max_modules, u.modules);
      }
      break;
    case ProjectAction::kAddCooling: {
      auto it = std::find_if(plan.cooling.begin(), plan.cooling.end(),
                             [&](const auto& c) { return c.id == p.target; });
      if (it == plan.cooling.end())
        break;
      CoolingUnit model = *it;
      for (int i = 1; i <= p.count; ++i) {
        CoolingUnit unit = model;
        unit.id = fmt::format("{}-{}", p.id, i);
        if (!p.zone.empty())
          unit.zone = p.zone;
        if (p.kw > 0)
          unit.kw = p.kw;
        plan.cooling.push_back(std::move(unit));
      }
      break;
    }
    case ProjectAction::kAddStorage:
    case ProjectAction::kGrowStorage:
      for (StoragePool& s : plan.storage) {
        if (s.id != p.target)
          continue;
        (p.action == ProjectAction::kAddStorage ? s.usable_tb : s.used_tb) +=
            p.tb;
      }
      break;
  }
}

namespace {

// Device loads this month at quantile `p`: each existing load scaled by
// its rack's growth curve, projects' loads at budget. Every rack sits at
// its own quantile at once, so a scope's P90 is the sum of its racks'
// P90s: on the high side, since the racks' deviations partly cancel.
std::map<std::string, double> GrownWatts(
    const Plan& plan, const std::map<std::string, double>& measured,
    const GrowthModel& growth, double day, double p) {
  std::map<std::string, double> factor;
  for (const auto& [rack, curve] : growth.racks) {
    factor[rack] = curve.base > 0 ? curve.At(day, p) / curve.base : 1.0;
  }
  auto grown = [&](const std::string& rack, double w) {
    auto it = factor.find(rack);
    return it == factor.end() ? w : w * it->second;
  };
  std::map<std::string, double> out;
  for (const Device& d : plan.devices) {
    auto it = measured.find(d.id);
    double w = it != measured.end() ? it->second : d.budget_w;
    out[d.id] = d.added_by.empty() ? grown(d.rack, w) : w;
  }
  for (const Rack& r : plan.racks) {
    std::string id = r.id + "/budget";
    auto it = measured.find(id);
    double w = it != measured.end() ? it->second : r.budget_kw * 1000;
    out[id] = r.added_by.empty() ? grown(r.id, w) : w;
  }
  return out;
}

struct PowerSnapshot {
  double load_w = 0;
  double worst = 0;
  std::string binding;
};

// Worst utilization over the design cases among `members` (all when
// empty), with the IT load they carry in normal operation.
PowerSnapshot Snapshot(const PowerGraph& graph,
                       const std::vector<Evaluation>& evaluations,
                       const std::vector<OperatingCase>& cases,
                       const std::set<int>& members) {
  PowerSnapshot s;
  // Rack feeds are each rack's own limit, reported with the racks.
  std::vector<int> nodes(members.begin(), members.end());
  if (members.empty()) {
    for (int i = 0; i < static_cast<int>(graph.nodes().size()); ++i) {
      if (graph.nodes()[i].kind != NodeKind::kFeed)
        nodes.push_back(i);
    }
  }
  std::size_t worst_case = 0;
  int worst_node = -1;
  for (std::size_t c = 0; c < cases.size(); ++c) {
    for (int i : nodes) {
      double u = evaluations[c].nodes[i].utilization;
      if (u > s.worst)
        s.worst = u, worst_case = c, worst_node = i;
    }
  }
  if (worst_node >= 0) {
    s.binding = fmt::format("{} ({})", graph.nodes()[worst_node].id,
                            cases[worst_case].name);
  }
  if (members.empty()) {
    for (const PowerLoad& l : graph.loads())
      s.load_w += l.rack.empty() ? 0 : l.watts;
  } else {
    for (int i : members)
      s.load_w += evaluations[0].nodes[i].watts;
  }
  return s;
}

ResourceTimeline& Series(std::vector<ResourceTimeline>& all,
                         const std::string& resource, const std::string& kind,
                         const std::string& scope, const std::string& unit) {
  for (auto& s : all) {
    if (s.resource == resource && s.scope_kind == kind && s.scope == scope) {
      return s;
    }
  }
  all.push_back({resource, kind, scope, unit, {}, {}, {}});
  return all.back();
}

void AddPoint(ResourceTimeline& s, TimelinePoint p) {
  if (!s.exhaustion_p50 && p.load_p50 > p.capacity * (1 + 1e-9)) {
    s.exhaustion_p50 = p.date;
  }
  if (!s.exhaustion_p90 && p.load_p90 > p.capacity * (1 + 1e-9)) {
    s.exhaustion_p90 = p.date;
  }
  s.points.push_back(std::move(p));
}

// The UPS named at the start of a binding description, if any.
const Ups* BindingUps(const Plan& plan, const std::string& binding) {
  for (const Ups& u : plan.ups) {
    if (binding.starts_with(u.id + " "))
      return &u;
  }
  return nullptr;
}

std::string PowerAction(const Plan& plan, const std::string& binding,
                        double shortfall_kw) {
  const Ups* binding_ups = BindingUps(plan, binding);
  if (binding_ups) {
    std::vector<const Ups*> members;
    for (const Ups& u : plan.ups) {
      if (u.group == binding_ups->group)
        members.push_back(&u);
    }
    const Ups& u = *binding_ups;
    double module = u.module_kw * plan.policy.ups_max_load;
    int need = static_cast<int>(std::ceil(shortfall_kw / module));
    // With one UPS failed the survivors carry everything, so every UPS of
    // the group needs the extra modules.
    bool fits = std::all_of(members.begin(), members.end(), [&](auto* m) {
      return m->modules + need <= m->max_modules;
    });
    if (fits) {
      return fmt::format("add {} module(s) of {:.0f} kW to each UPS of {}",
                         need, u.module_kw, u.group);
    }
    return fmt::format(
        "frames are full: add a UPS system of at least "
        "{:.0f} kW usable per side to {}",
        shortfall_kw, u.group);
  }
  return fmt::format(
      "relieve {}: add distribution capacity or rebalance "
      "({:.0f} kW short)",
      binding, shortfall_kw);
}

}  // namespace

TimelineReport BuildTimeline(const Plan& input, const Measurements& m,
                             Date today) {
  TimelineReport report;
  report.start = input.scenario.start.value_or(m.as_of.value_or(today));
  report.horizon = input.scenario.horizon;
  report.growth = FitGrowth(input, m, report.start);

  Plan plan = input;
  ApplyStorage(plan, m);
  std::map<std::string, double> measured = DeviceWatts(input, m);

  std::vector<Project> projects = plan.scenario.projects;
  std::stable_sort(
      projects.begin(), projects.end(),
      [](const auto& a, const auto& b) { return a.date < b.date; });
  std::size_t next_project = 0;

  // Month by month: the start, then the first of each following month.
  std::vector<Date> dates = {report.start};
  year_month_day ymd{report.start};
  for (auto month = ymd.year() / ymd.month() + months{1};; month += months{1}) {
    Date d{month / 1};
    if (d > report.horizon)
      break;
    dates.push_back(d);
  }

  for (Date date : dates) {
    while (next_project < projects.size() &&
           projects[next_project].date <= date) {
      ApplyProject(plan, projects[next_project++]);
    }
    double day = DayNumber(date);
    PowerGraph g50(plan, GrownWatts(plan, measured, report.growth, day, 0.5));
    PowerGraph g90(plan, GrownWatts(plan, measured, report.growth, day, 0.9));
    auto cases = DesignCases(g50);
    std::vector<Evaluation> e50, e90;
    for (const auto& c : cases) {
      e50.push_back(g50.Evaluate(c));
      e90.push_back(g90.Evaluate(c));
    }

    // Power: the whole site, then each UPS group.
    auto power_point = [&](const std::string& kind, const std::string& scope,
                           const std::set<int>& members) {
      PowerSnapshot s50 = Snapshot(g50, e50, cases, members);
      PowerSnapshot s90 = Snapshot(g90, e90, cases, members);
      double capacity = s50.worst > 0 ? s50.load_w / s50.worst : 0;
      if (s50.worst <= 0 && !members.empty()) {
        // Nothing drawn yet: the weakest member's usable rating.
        capacity = 1e300;
        for (int i : members) {
          double w = g50.nodes()[i].cap_w;
          capacity = w > 0 ? std::min(capacity, w) : capacity;
        }
        capacity = capacity < 1e300 ? capacity : 0;
      }
      // P90 load on the same scale: exhausted exactly when its worst
      // utilization passes 100%.
      double load90 = s90.worst * capacity;
      AddPoint(Series(report.series, "power", kind, scope, "kW"),
               {date, s50.load_w / 1e3, std::max(load90, s50.load_w) / 1e3,
                capacity / 1e3, s50.binding});
    };
    power_point("site", plan.name, {});
    std::map<std::string, std::set<int>> groups;
    for (int i = 0; i < static_cast<int>(g50.nodes().size()); ++i) {
      if (g50.nodes()[i].kind == NodeKind::kUps) {
        groups[g50.nodes()[i].group].insert(i);
      }
    }
    for (const auto& [group, members] : groups) {
      power_point("ups group", group, members);
    }

    // Each rack against its own feeds: after the loss of one side, the
    // other derated feed carries A+B.
    std::map<std::string, std::set<int>> rack_feeds;
    for (int i = 0; i < static_cast<int>(g50.nodes().size()); ++i) {
      if (g50.nodes()[i].kind == NodeKind::kFeed)
        rack_feeds[g50.nodes()[i].rack].insert(i);
    }
    for (const Rack& r : plan.racks) {
      if (auto it = rack_feeds.find(r.id); it != rack_feeds.end())
        power_point("rack", r.id, it->second);
    }

    // Cooling zones: heat against the zone's worst-case capacity.
    auto heat50 = g50.ZoneHeat(), heat90 = g90.ZoneHeat();
    for (const auto& [zone, heat] : heat50) {
      double worst = 1e300;
      std::string binding;
      for (std::size_t c = 0; c < cases.size(); ++c) {
        double cap = e50[c].zone_capacity_w[zone];
        if (cap < worst)
          worst = cap, binding = cases[c].name;
      }
      AddPoint(Series(report.series, "cooling", "zone", zone, "kW"),
               {date, heat / 1e3, heat90[zone] / 1e3, worst / 1e3, binding});
    }

    // Space: racks against positions.
    for (const Room& room : plan.rooms) {
      double racks = static_cast<double>(
          std::count_if(plan.racks.begin(), plan.racks.end(),
                        [&](const Rack& r) { return r.room == room.id; }));
      AddPoint(
          Series(report.series, "space", "room", room.id, "racks"),
          {date, racks, racks, double(room.rack_positions), "rack positions"});
    }

    // Storage: used (projects' steps included) plus organic growth.
    for (const StoragePool& s : plan.storage) {
      double used = s.used_tb, organic50 = 0, organic90 = 0;
      auto curve = report.growth.storage.find(s.id);
      if (curve != report.growth.storage.end()) {
        organic50 = curve->second.At(day, 0.5) - curve->second.base;
        organic90 = curve->second.At(day, 0.9) - curve->second.base;
      }
      AddPoint(Series(report.series, "storage", "pool", s.id, "TB"),
               {date, used + organic50, used + std::max(organic90, organic50),
                s.usable_tb * plan.policy.storage_max_fill, "fill limit"});
    }
  }

  // What to add, and by when, for everything that runs out (P90).
  for (const ResourceTimeline& s : report.series) {
    if (!s.exhaustion_p90)
      continue;
    const TimelinePoint* worst = &s.points.front();
    for (const auto& p : s.points) {
      if (p.load_p90 - p.capacity > worst->load_p90 - worst->capacity) {
        worst = &p;
      }
    }
    double shortfall = worst->load_p90 - worst->capacity;
    std::string action;
    if (s.resource == "power") {
      // A UPS binding the whole site is the same finding as its group's.
      if (s.scope_kind == "site" && BindingUps(plan, worst->binding))
        continue;
      action = s.scope_kind == "rack"
                   ? fmt::format(
                         "move {:.1f} kW out of rack {} or give it larger "
                         "feeds: one feed must carry the whole rack ({})",
                         shortfall, s.scope, worst->binding)
                   : PowerAction(plan, worst->binding, shortfall);
    } else if (s.resource == "cooling") {
      double largest = 0;
      for (const auto& c : plan.cooling) {
        if (c.zone == s.scope)
          largest = std::max(largest, c.kw);
      }
      int units =
          largest > 0
              ? static_cast<int>(std::ceil(
                    shortfall / (largest * plan.policy.cooling_max_load)))
              : 1;
      action = fmt::format("add {} cooling unit(s) of {:.0f} kW to zone {}",
                           units, largest, s.scope);
    } else if (s.resource == "space") {
      action = fmt::format(
          "find {:.0f} more rack positions (room {} is "
          "full)",
          std::ceil(shortfall), s.scope);
    } else {
      action = fmt::format("add {:.0f} TB usable to pool {}",
                           std::ceil(shortfall / plan.policy.storage_max_fill),
                           s.scope);
    }
    Date exhausts = *s.exhaustion_p90;
    report.actions.push_back({s.resource, s.scope, exhausts,
                              exhausts - days{plan.policy.lead_time_days},
                              action, shortfall, s.unit});
  }
  std::sort(
      report.actions.begin(), report.actions.end(),
      [](const auto& a, const auto& b) { return a.order_by < b.order_by; });
  return report;
}

}  // namespace dc::plan
