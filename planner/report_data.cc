// Machine-readable outputs: JSON with every number the planner computed,
// and CSV tables (capacity, monthly timeline) for spreadsheets.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "planner/analysis.h"

namespace dc::plan {
namespace {

using nlohmann::json;

json Optional(const std::optional<Date>& d) {
  return d ? json(FormatDate(*d)) : json(nullptr);
}

// CSV field, quoted when it holds a separator, quote or line break.
std::string Field(std::string_view text) {
  if (text.find_first_of(",\"\n") == std::string_view::npos) {
    return std::string(text);
  }
  std::string out = "\"";
  for (char c : text) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + "\"";
}

const char* KindName(GrowthCurve::Kind kind) {
  switch (kind) {
    case GrowthCurve::Kind::kFitted:
      return "own history";
    case GrowthCurve::Kind::kScaled:
      return "site trend";
    case GrowthCurve::Kind::kPercent:
      return "percent";
    case GrowthCurve::Kind::kFlat:
      break;
  }
  return "flat";
}

// One growth curve; `base` and the slope in the series' unit (W or TB).
json CurveJson(const char* key, const std::string& id, const GrowthCurve& c) {
  json out = {{key, id},
              {"curve", KindName(c.kind)},
              {"base", c.base},
              {"history_days", c.history_days}};
  if (c.kind == GrowthCurve::Kind::kFitted && c.fit) {
    out["slope_per_day"] = c.fit->slope;
    out["sigma"] = c.fit->sigma;
  }
  if (c.kind == GrowthCurve::Kind::kPercent) {
    out["rate"] = c.rate;
    out["rate_sd"] = c.rate_sd;
    out["noise_sd"] = c.noise_sd;
  }
  return out;
}

}  // namespace

std::string JsonReport(const Analysis& a) {
  json j;
  const Policy& p = a.plan.policy;
  j["plan"] = a.plan.name;
  j["scenario"] = a.plan.scenario.name;
  j["loads"] = a.measurements.origin;
  j["measured"] = {{"as_of", Optional(a.measurements.as_of)},
                   {"feed_watts", a.measurements.feed_watts},
                   {"storage_used_tb", a.measurements.storage_used_tb}};
  j["start"] = FormatDate(a.timeline.start);
  j["horizon"] = FormatDate(a.timeline.horizon);
  j["policy"] = {{"breaker_derating", p.breaker_derating},
                 {"ups_max_load", p.ups_max_load},
                 {"cooling_max_load", p.cooling_max_load},
                 {"power_factor", p.power_factor},
                 {"ashrae_class", p.ashrae_class},
                 {"storage_max_fill", p.storage_max_fill},
                 {"lead_time_days", p.lead_time_days},
                 {"tier_target", p.tier_target}};

  for (const ScopeCapacity& s : a.capacity.scopes) {
    j["capacity"].push_back({{"resource", s.resource},
                             {"scope_kind", s.scope_kind},
                             {"scope", s.scope},
                             {"unit", s.unit},
                             {"nameplate", s.nameplate},
                             {"usable", s.usable},
                             {"load", s.load},
                             {"headroom", s.headroom},
                             {"binding", s.binding},
                             {"stranded", s.stranded}});
  }
  for (const RackCapacity& r : a.capacity.racks) {
    j["racks"].push_back({{"rack", r.rack},
                          {"room", r.room},
                          {"row", r.row},
                          {"zone", r.zone},
                          {"load_w", r.load_w},
                          {"power_usable_w", r.power_usable_w},
                          {"power_headroom_w", r.power_headroom_w},
                          {"power_binding", r.power_binding},
                          {"cooling_headroom_w", r.cooling_headroom_w},
                          {"u", r.u},
                          {"used_u", r.used_u},
                          {"space_headroom_w", r.space_headroom_w},
                          {"weight_free_kg", r.weight_free_kg},
                          {"binding", r.binding},
                          {"admissible_w", r.admissible_w},
                          {"stranded_power_w", r.stranded_power_w},
                          {"stranded_cooling_w", r.stranded_cooling_w},
                          {"stranded_space_u", r.stranded_space_u}});
  }

  json& red = j["redundancy"];
  red["cases_checked"] = a.redundancy.cases_checked;
  red["tier_met"] = a.redundancy.tier_met;
  red["failing"] = json::array();
  for (const CaseResult& c : a.redundancy.failing) {
    json jc = {{"case", c.operating_case.name},
               {"dropped_w", c.dropped_w},
               {"dropped", c.dropped}};
    for (const Overload& o : c.overloads) {
      jc["overloads"].push_back({{"element", o.element},
                                 {"kind", o.kind},
                                 {"utilization", o.utilization},
                                 {"load", o.load},
                                 {"usable", o.usable},
                                 {"measure", o.measure}});
    }
    red["failing"].push_back(std::move(jc));
  }
  for (const TierCheck& t : a.redundancy.tiers) {
    red["tiers"].push_back(
        {{"tier", t.tier}, {"met", t.met}, {"reasons", t.reasons}});
  }

  for (const PathAvailability& pa : a.availability) {
    j["availability"].push_back(
        {{"scope", pa.scope},
         {"kind", pa.kind},
         {"availability", pa.availability},
         {"downtime_minutes_per_year", pa.downtime_minutes_per_year},
         {"components", pa.components}});
  }

  json& g = j["growth"];
  g["power_method"] = a.timeline.growth.power_method;
  g["storage_method"] = a.timeline.growth.storage_method;
  g["notes"] = a.timeline.growth.notes;
  if (const auto& f = a.timeline.growth.power) {
    g["power"] = {{"level_w", f->level}, {"slope_w_per_day", f->slope},
                  {"sigma_w", f->sigma}, {"points", f->n},
                  {"alpha", f->alpha},   {"beta", f->beta}};
  }
  g["racks"] = json::array();
  for (const auto& [rack, c] : a.timeline.growth.racks)
    g["racks"].push_back(CurveJson("rack", rack, c));
  g["storage"] = json::array();
  for (const auto& [pool, c] : a.timeline.growth.storage)
    g["storage"].push_back(CurveJson("pool", pool, c));
  for (const ResourceTimeline& s : a.timeline.series) {
    json js = {{"resource", s.resource},
               {"scope_kind", s.scope_kind},
               {"scope", s.scope},
               {"unit", s.unit},
               {"exhaustion_p50", Optional(s.exhaustion_p50)},
               {"exhaustion_p90", Optional(s.exhaustion_p90)}};
    for (const TimelinePoint& tp : s.points) {
      js["points"].push_back({{"date", FormatDate(tp.date)},
                              {"load_p50", tp.load_p50},
                              {"load_p90", tp.load_p90},
                              {"capacity", tp.capacity},
                              {"binding", tp.binding}});
    }
    j["timeline"].push_back(std::move(js));
  }
  j["actions"] = json::array();
  for (const Recommendation& r : a.timeline.actions) {
    j["actions"].push_back({{"resource", r.resource},
                            {"scope", r.scope},
                            {"exhausts", FormatDate(r.exhausts)},
                            {"order_by", FormatDate(r.order_by)},
                            {"action", r.action},
                            {"shortfall", r.shortfall},
                            {"unit", r.unit}});
  }
  return j.dump(2) + "\n";
}

std::string CsvCapacity(const Analysis& a) {
  std::string out =
      "resource,scope_kind,scope,unit,nameplate,usable,load,headroom,"
      "stranded,binding\n";
  for (const ScopeCapacity& s : a.capacity.scopes) {
    out += fmt::format("{},{},{},{},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{}\n",
                       s.resource, Field(s.scope_kind), Field(s.scope), s.unit,
                       s.nameplate, s.usable, s.load, s.headroom, s.stranded,
                       Field(s.binding));
  }
  for (const RackCapacity& r : a.capacity.racks) {
    out += fmt::format("power,rack,{},kW,,{:.3f},{:.3f},{:.3f},{:.3f},{}\n",
                       Field(r.rack), r.power_usable_w / 1e3, r.load_w / 1e3,
                       r.power_headroom_w / 1e3, r.stranded_power_w / 1e3,
                       Field(r.power_binding));
  }
  return out;
}

std::string CsvTimeline(const Analysis& a) {
  std::string out =
      "date,resource,scope_kind,scope,unit,load_p50,load_p90,capacity,"
      "binding\n";
  for (const ResourceTimeline& s : a.timeline.series) {
    for (const TimelinePoint& tp : s.points) {
      out += fmt::format("{},{},{},{},{},{:.3f},{:.3f},{:.3f},{}\n",
                         FormatDate(tp.date), s.resource, Field(s.scope_kind),
                         Field(s.scope), s.unit, tp.load_p50, tp.load_p90,
                         tp.capacity, Field(tp.binding));
    }
  }
  return out;
}

}  // namespace dc::plan
