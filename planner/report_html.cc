// The report a planner sends to management: one HTML file, readable
// offline and printable, with the summary first and the detail after.
#include <algorithm>

#include <fmt/format.h>

#include "planner/analysis.h"
#include "planner/svg_chart.h"

namespace dc::plan {
namespace {

constexpr std::string_view kStyle = R"(
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}
.bad{color:#b00020;font-weight:600}.ok{color:#1b5e20;font-weight:600}
.chart{display:block;margin:1em 0;border:1px solid #eee}
.ct{font-size:13px;font-weight:600}.ax{font-size:11px;fill:#555}
.mk{font-size:11px;fill:#b00020}
.grid{stroke:#eee}.cap{fill:none;stroke:#b00020;stroke-width:2}
.p50{fill:none;stroke:#1565c0;stroke-width:2}
.p90{fill:none;stroke:#ef6c00;stroke-width:1.5;stroke-dasharray:5 3}
.ex90{stroke:#b00020;stroke-dasharray:2 3}.ex50{stroke:#6a1b9a;stroke-dasharray:2 3}
)";

std::string Roman(int tier) {
  static const char* kRoman[] = {"none", "I", "II", "III", "IV"};
  return kRoman[std::clamp(tier, 0, 4)];
}

std::string E(std::string_view s) {
  return HtmlEscape(s);
}

template <typename... T>
void Add(std::string& out, fmt::format_string<T...> format, T&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<T>(args)...);
}

}  // namespace

std::string HtmlReport(const Analysis& a) {
  std::string h;
  const RedundancyReport& r = a.redundancy;
  const Policy& p = a.plan.policy;

  Add(h,
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Capacity plan: {0}</title><style>{1}</style></head><body>\n"
      "<h1>Capacity plan: {0}</h1>\n<p>Scenario <b>{2}</b>, {3} to {4}. "
      "Loads: {5}.</p>\n",
      E(a.plan.name), kStyle, E(a.plan.scenario.name),
      FormatDate(a.timeline.start), FormatDate(a.timeline.horizon),
      E(a.measurements.origin));

  // Summary: Tier, what runs out, what to order.
  Add(h,
      "<h2>Summary</h2>\n<p>The design meets <b>Tier {}</b>{}. {} of {} "
      "operating cases (every single failure and maintenance removal) "
      "overload something or leave IT load without power.</p>\n",
      Roman(r.tier_met),
      p.tier_target ? fmt::format(" (target: Tier {})", Roman(p.tier_target))
                    : "",
      r.failing.size(), r.cases_checked);
  Add(h,
      "<table><tr><th class=l>Order by</th><th class=l>Resource</th>"
      "<th class=l>Scope</th><th class=l>Runs out (P90)</th>"
      "<th class=l>Action</th></tr>\n");
  for (const Recommendation& act : a.timeline.actions) {
    Add(h,
        "<tr><td class=l>{}</td><td class=l>{}</td><td class=l>{}</td>"
        "<td class=\"l bad\">{}</td><td class=l>{}</td></tr>\n",
        FormatDate(act.order_by), E(act.resource), E(act.scope),
        FormatDate(act.exhausts), E(act.action));
  }
  if (a.timeline.actions.empty()) {
    Add(h,
        "<tr><td class=l colspan=5>Nothing runs out before the horizon."
        "</td></tr>\n");
  }
  Add(h, "</table>\n");

  Add(h,
      "<h2>Load against usable capacity</h2>\n<p>Usable capacity is what "
      "remains after derating and the worst single failure. Lines: load "
      "P50 (solid), P90 (dashed), capacity (red).</p>\n");
  for (const ResourceTimeline& s : a.timeline.series) {
    // A chart per rack only where the rack outgrows its feeds.
    if (s.scope_kind != "rack" || s.exhaustion_p90)
      Add(h, "{}", TimelineChart(s));
  }

  Add(h,
      "<h2>Capacity now</h2>\n<table><tr><th class=l>Resource</th>"
      "<th class=l>Scope</th><th class=l>Name</th><th>Nameplate</th>"
      "<th>Usable</th><th>Load</th><th>Headroom</th><th>Stranded</th>"
      "<th class=l>Unit</th><th class=l>Binds first</th></tr>\n");
  for (const ScopeCapacity& s : a.capacity.scopes) {
    Add(h,
        "<tr><td class=l>{}</td><td class=l>{}</td><td class=l>{}</td>"
        "<td>{:.1f}</td><td>{:.1f}</td><td>{:.1f}</td><td class={}>{:.1f}"
        "</td><td>{:.1f}</td><td class=l>{}</td><td class=l>{}</td></tr>\n",
        E(s.resource), E(s.scope_kind), E(s.scope), s.nameplate, s.usable,
        s.load, s.headroom < 0 ? "bad" : "ok", s.headroom, s.stranded,
        E(s.unit), E(s.binding));
  }
  Add(h, "</table>\n");

  Add(h,
      "<h2>Redundancy</h2>\n<table><tr><th class=l>Tier</th>"
      "<th class=l>Result</th><th class=l>Why</th></tr>\n");
  for (const TierCheck& t : r.tiers) {
    std::string why;
    for (const auto& reason : t.reasons)
      why += E(reason) + "<br>";
    Add(h,
        "<tr><td class=l>{}</td><td class=l><span class={}>{}</span></td>"
        "<td class=l>{}</td></tr>\n",
        Roman(t.tier), t.met ? "ok" : "bad", t.met ? "met" : "not met", why);
  }
  Add(h,
      "</table>\n<table><tr><th class=l>Case</th><th class=l>Overloads</th>"
      "<th>IT load dark (kW)</th></tr>\n");
  for (const CaseResult& c : r.failing) {
    std::string what;
    for (const Overload& o : c.overloads) {
      what += fmt::format("{} {:.0f}% ({:.0f} of {:.0f} {}) ", E(o.element),
                          o.utilization * 100, o.load, o.usable, E(o.measure));
    }
    Add(h, "<tr><td class=l>{}</td><td class=l>{}</td><td>{:.1f}</td></tr>\n",
        E(c.operating_case.name), what, c.dropped_w / 1e3);
  }
  Add(h, "</table>\n");

  Add(h,
      "<h2>Availability</h2>\n<table><tr><th class=l>Path</th>"
      "<th "
      "class=l>Scope</th><th>Availability</th><th>Minutes/year</th></tr>\n");
  for (const PathAvailability& pa : a.availability) {
    Add(h,
        "<tr><td class=l>{}</td><td class=l>{}</td><td>{:.7f}</td>"
        "<td>{:.2f}</td></tr>\n",
        E(pa.kind), E(pa.scope), pa.availability, pa.downtime_minutes_per_year);
  }
  Add(h,
      "</table>\n<p>Steady-state estimates from each unit's MTBF and MTTR; "
      "independent failures assumed.</p>\n</body></html>\n");
  return h;
}

}  // namespace dc::plan
