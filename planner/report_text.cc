// The terminal summary: what a planner reads first. Tables are kept to
// what fits a terminal; JSON, CSV and HTML carry everything.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "planner/analysis.h"

namespace dc::plan {
namespace {

std::string DateOr(const std::optional<Date>& d, std::string_view none) {
  return d ? FormatDate(*d) : std::string(none);
}

std::string Roman(int tier) {
  static const char* kRoman[] = {"none", "I", "II", "III", "IV"};
  return kRoman[std::clamp(tier, 0, 4)];
}

// Points at the end of each calendar year (or the last one).
std::vector<const TimelinePoint*> YearEnds(const ResourceTimeline& s) {
  std::vector<const TimelinePoint*> out;
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    std::chrono::year_month_day ymd{s.points[i].date};
    bool last = i + 1 == s.points.size();
    if (last || ymd.month() == std::chrono::December) {
      out.push_back(&s.points[i]);
    }
  }
  return out;
}

template <typename... T>
void Line(std::string& out, fmt::format_string<T...> format, T&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<T>(args)...);
  out += '\n';
}

}  // namespace

std::string TextReport(const Analysis& a) {
  std::string out;
  const Policy& p = a.plan.policy;

  Line(out, "dcplan: {} - scenario '{}'", a.plan.name, a.plan.scenario.name);
  Line(out, "loads: {}; from {} to {}", a.measurements.origin,
       FormatDate(a.timeline.start), FormatDate(a.timeline.horizon));
  Line(out,
       "policy: breaker derating {:.0f}%, UPS max load {:.0f}%, power factor "
       "{:.2f}, ASHRAE {}, storage fill {:.0f}%, lead time {} days",
       p.breaker_derating * 100, p.ups_max_load * 100, p.power_factor,
       p.ashrae_class, p.storage_max_fill * 100, p.lead_time_days);

  Line(out,
       "\nCAPACITY (usable = after derating and the worst single failure)");
  Line(out, "{:<8} {:<10} {:<22} {:>10} {:>10} {:>10} {:>6}  {}", "resource",
       "scope", "name", "usable", "load", "headroom", "unit", "binds first");
  for (const ScopeCapacity& s : a.capacity.scopes) {
    if (s.scope_kind == "panel" || s.scope_kind == "source" ||
        s.scope_kind == "switchgear" || s.scope_kind == "row") {
      continue;  // in the JSON/CSV/HTML outputs
    }
    Line(out, "{:<8} {:<10} {:<22} {:>10.1f} {:>10.1f} {:>10.1f} {:>6}  {}",
         s.resource, s.scope_kind, s.scope.substr(0, 22), s.usable, s.load,
         s.headroom, s.unit, s.binding);
  }

  double stranded_power = 0, stranded_cooling = 0, stranded_u = 0;
  std::map<std::string, int> binds;
  for (const RackCapacity& r : a.capacity.racks) {
    stranded_power += r.stranded_power_w;
    stranded_cooling += r.stranded_cooling_w;
    stranded_u += r.stranded_space_u;
    ++binds[r.binding];
  }
  Line(out, "\nRACKS: {} racks; first limit: power {}, cooling {}, space {}",
       a.capacity.racks.size(), binds["power"], binds["cooling"],
       binds["space"]);
  Line(out,
       "stranded: {:.1f} kW of rack power, {:.1f} kW of rack cooling, {:.0f} "
       "U of space",
       stranded_power / 1e3, stranded_cooling / 1e3, stranded_u);

  const RedundancyReport& r = a.redundancy;
  Line(out,
       "\nREDUNDANCY: {} operating cases checked, {} with an overload or "
       "dark load",
       r.cases_checked, r.failing.size());
  for (std::size_t i = 0; i < r.failing.size() && i < 12; ++i) {
    const CaseResult& c = r.failing[i];
    std::string what;
    if (c.dropped_w > 0) {
      what = fmt::format("{:.1f} kW dark ({} loads)", c.dropped_w / 1e3,
                         c.dropped.size());
    }
    for (const Overload& o : c.overloads) {
      if (!what.empty())
        what += "; ";
      what += fmt::format("{} {:.0f}%", o.element, o.utilization * 100);
    }
    Line(out, "  {:<40} {}", c.operating_case.name, what.substr(0, 100));
  }
  if (r.failing.size() > 12)
    Line(out, "  ... {} more", r.failing.size() - 12);
  for (const TierCheck& t : r.tiers) {
    Line(out, "  Tier {:<3} {}{}", Roman(t.tier), t.met ? "met" : "NOT met",
         t.reasons.empty() ? "" : ": " + t.reasons.front());
  }
  Line(out, "  design meets Tier {}{}", Roman(r.tier_met),
       p.tier_target ? fmt::format(" (target Tier {})", Roman(p.tier_target))
                     : "");

  if (!a.availability.empty()) {
    auto worst = std::min_element(a.availability.begin(), a.availability.end(),
                                  [](const auto& x, const auto& y) {
                                    return x.kind == y.kind
                                               ? x.availability < y.availability
                                               : x.kind == "power";
                                  });
    Line(out, "\nAVAILABILITY (analytic; MTBF/MTTR from the inventory)");
    for (const PathAvailability& pa : a.availability) {
      if (pa.kind == "cooling" || &pa == &*worst) {
        Line(out, "  {:<8} {:<24} {:.7f}  ({:.1f} min/year)", pa.kind, pa.scope,
             pa.availability, pa.downtime_minutes_per_year);
      }
    }
  }

  Line(out, "\nGROWTH: power {}, storage {}", a.timeline.growth.power_method,
       a.timeline.growth.storage_method);
  if (a.timeline.growth.power) {
    const Forecast& f = *a.timeline.growth.power;
    Line(out,
         "  measured IT power {:.1f} kW, trend {:+.2f} kW/month, residual "
         "sd {:.2f} kW",
         f.level / 1e3, f.slope * 30.44 / 1e3, f.sigma / 1e3);
  }
  // The racks growing fastest on their own history; all are in the JSON.
  std::vector<std::pair<std::string, const GrowthCurve*>> fitted;
  for (const auto& [rack, c] : a.timeline.growth.racks) {
    if (c.kind == GrowthCurve::Kind::kFitted)
      fitted.emplace_back(rack, &c);
  }
  std::stable_sort(fitted.begin(), fitted.end(), [](auto& x, auto& y) {
    return x.second->fit->slope > y.second->fit->slope;
  });
  constexpr std::size_t kRacksShown = 8;
  for (std::size_t i = 0; i < fitted.size() && i < kRacksShown; ++i) {
    const GrowthCurve& c = *fitted[i].second;
    Line(out,
         "  rack {:<18} {:.2f} kW, trend {:+.3f} kW/month, residual sd "
         "{:.3f} kW ({} days)",
         fitted[i].first.substr(0, 18), c.base / 1e3,
         c.fit->slope * 30.44 / 1e3, c.fit->sigma / 1e3, c.history_days);
  }
  if (fitted.size() > kRacksShown) {
    Line(out, "  ... {} more racks with a trend of their own",
         fitted.size() - kRacksShown);
  }
  for (const auto& note : a.timeline.growth.notes)
    Line(out, "  note: {}", note);

  Line(out, "\nTIMELINE (year end: P50 / P90 load against capacity)");
  int racks = 0, racks_short = 0;
  for (const ResourceTimeline& s : a.timeline.series) {
    // Racks only when they run out: there may be hundreds.
    if (s.scope_kind == "rack") {
      ++racks;
      if (!s.exhaustion_p90)
        continue;
      ++racks_short;
    }
    std::string row;
    for (const TimelinePoint* tp : YearEnds(s)) {
      std::chrono::year_month_day ymd{tp->date};
      row += fmt::format(" {}:{:.0f}/{:.0f}<{:.0f}", int(ymd.year()),
                         tp->load_p50, tp->load_p90, tp->capacity);
    }
    Line(out, "  {:<7} {:<9} {:<18} {}{}", s.resource, s.scope_kind,
         s.scope.substr(0, 18), s.unit, row);
    if (s.exhaustion_p50 || s.exhaustion_p90) {
      Line(out, "  {:>37} runs out: P50 {}, P90 {}", "",
           DateOr(s.exhaustion_p50, "not by horizon"),
           DateOr(s.exhaustion_p90, "not by horizon"));
    }
  }

  if (racks > 0) {
    Line(out, "  {} of {} racks outgrow one feed by the horizon (P90)",
         racks_short, racks);
  }

  Line(out, "\nACTIONS (to stay within policy at P90)");
  if (a.timeline.actions.empty())
    Line(out, "  none needed before the horizon");
  for (const Recommendation& act : a.timeline.actions) {
    Line(out, "  order by {} ({} {} runs out {}): {}", FormatDate(act.order_by),
         act.resource, act.scope, FormatDate(act.exhausts), act.action);
  }
  return out;
}

}  // namespace dc::plan
