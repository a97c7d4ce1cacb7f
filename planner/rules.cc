#include "planner/rules.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "planner/electrical.h"

namespace dc::plan {
namespace {

// PromQL regex alternatives of device names, for a =~ matcher inside a
// YAML single-quoted string (so only ' needs doubling there).
std::string Alternatives(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty())
      out += '|';
    for (char c : name) {
      if (std::string_view(".+*?()|[]{}^$\\").find(c) != std::string::npos) {
        out += "\\\\";
      }
      out += c;
    }
  }
  return out;
}

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'')
      out += '\'';
  }
  return out + "'";
}

class RuleWriter {
 public:
  // A group is written with its first rule, so none is left empty.
  void Group(std::string_view name) { pending_ = name; }
  void Record(std::string_view record, std::string_view expr,
              const std::map<std::string, std::string>& labels) {
    Open();
    out_ += fmt::format("      - record: {}\n        expr: {}\n", record,
                        Quote(expr));
    Labels(labels);
  }
  void Alert(std::string_view alert, std::string_view expr,
             std::string_view for_duration,
             const std::map<std::string, std::string>& labels,
             std::string_view summary) {
    Open();
    out_ +=
        fmt::format("      - alert: {}\n        expr: {}\n        for: {}\n",
                    alert, Quote(expr), for_duration);
    Labels(labels);
    out_ += fmt::format("        annotations:\n          summary: {}\n",
                        Quote(summary));
  }
  std::string Finish() {
    return out_.empty() ? "groups: []\n" : "groups:\n" + out_;
  }

 private:
  void Open() {
    if (pending_.empty())
      return;
    out_ += fmt::format("  - name: {}\n    rules:\n", Quote(pending_));
    pending_.clear();
  }
  void Labels(const std::map<std::string, std::string>& labels) {
    if (labels.empty())
      return;
    out_ += "        labels:\n";
    for (const auto& [k, v] : labels) {
      out_ += fmt::format("          {}: {}\n", k, Quote(v));
    }
  }
  std::string out_;
  std::string pending_;
};

}  // namespace

double UpsGroupFailoverWatts(const Plan& plan, const std::string& group) {
  std::vector<double> usable;
  double single_after_module = 0;
  for (const Ups& u : plan.ups) {
    if (u.group != group)
      continue;
    double module = u.module_kw * 1000 * plan.policy.ups_max_load;
    usable.push_back(module * (u.modules - u.redundant_modules));
    int left = std::min(u.modules - 1, u.modules - u.redundant_modules);
    single_after_module = module * std::max(left, 0);
  }
  if (usable.empty())
    return 0;
  if (usable.size() == 1)
    return single_after_module;
  double total = 0;
  for (double u : usable)
    total += u;
  return total - *std::max_element(usable.begin(), usable.end());
}

double RackSingleFeedWatts(const Plan& plan, const std::string& rack) {
  double weakest = 0;
  bool first = true;
  for (const Feed& f : plan.feeds) {
    if (f.rack != rack)
      continue;
    double w = CircuitWatts(f.volts, f.breaker_amps, f.phases,
                            plan.policy.power_factor) *
               plan.policy.breaker_derating;
    weakest = first ? w : std::min(weakest, w);
    first = false;
  }
  return weakest;
}

double CoolingGroupFailoverWatts(const Plan& plan, const std::string& group) {
  double total = 0, largest = 0;
  for (const CoolingUnit& c : plan.cooling) {
    if (c.group != group)
      continue;
    total += c.kw * 1000;
    largest = std::max(largest, c.kw * 1000);
  }
  return (total - largest) * plan.policy.cooling_max_load;
}

double AshraeAllowableMaxCelsius(const std::string& ashrae_class) {
  if (ashrae_class == "A2")
    return 35;
  if (ashrae_class == "A3")
    return 40;
  if (ashrae_class == "A4")
    return 45;
  return 32;
}

std::string GenerateRules(const Plan& plan, const RulesOptions& options) {
  RuleWriter w;
  const std::string horizon =
      fmt::format("{}", options.exhaustion_days * 86400);

  // UPS groups: total output against what survives the worst failure.
  std::map<std::string, std::vector<std::string>> ups_devices;
  for (const Ups& u : plan.ups) {
    if (!u.device.empty())
      ups_devices[u.group].push_back(u.device);
  }
  w.Group("dcplan-ups-redundancy");
  for (const auto& [group, devices] : ups_devices) {
    double limit = UpsGroupFailoverWatts(plan, group);
    std::map<std::string, std::string> labels = {{"ups_group", group}};
    // RFC 1628 UPSes report output power per phase only: a UPS without
    // the total counts with the sum of its phases (never both).
    std::string match = Alternatives(devices);
    w.Record("dc:ups_group_output_watts:sum",
             fmt::format("sum(sum by (device) (dc_ups_output_watts{{device=~"
                         "\"{0}\"}}) or sum by (device) "
                         "(dc_ups_output_phase_watts{{device=~\"{0}\"}}))",
                         match),
             labels);
    std::string series =
        fmt::format("dc:ups_group_output_watts:sum{{ups_group=\"{}\"}}", group);
    w.Alert("DcUpsGroupBeyondFailoverCapacity",
            fmt::format("{} > {:.0f}", series, limit), options.for_duration,
            {{"severity", "critical"}},
            fmt::format("UPS group {} carries more than the {:.0f} kW it can "
                        "hold after its worst single failure",
                        group, limit / 1e3));
    w.Alert("DcUpsGroupExhaustionPredicted",
            fmt::format("predict_linear({}[{}], {}) > {:.0f}", series,
                        options.trend_window, horizon, limit),
            "1h", {{"severity", "warning"}},
            fmt::format("UPS group {} is on course to pass its failover "
                        "capacity ({:.0f} kW) within {} days",
                        group, limit / 1e3, options.exhaustion_days));
  }

  // Racks: A+B draw against one derated feed, in W and per phase.
  std::map<std::string, std::vector<const Feed*>> rack_feeds;
  for (const Feed& f : plan.feeds)
    rack_feeds[f.rack].push_back(&f);
  w.Group("dcplan-rack-feeds");
  for (const auto& [rack, feeds] : rack_feeds) {
    if (feeds.size() < 2)
      continue;
    std::vector<std::string> devices;
    double amps = 1e300;
    for (const Feed* f : feeds) {
      devices.push_back(f->device);
      amps = std::min(amps, f->breaker_amps * plan.policy.breaker_derating);
    }
    std::string match = Alternatives(devices);
    double limit = RackSingleFeedWatts(plan, rack);
    std::map<std::string, std::string> labels = {{"rack", rack}};
    w.Record("dc:rack_input_watts:sum",
             fmt::format("sum(dc_pdu_input_watts{{device=~\"{}\"}})", match),
             labels);
    w.Record("dc:rack_phase_amperes:sum",
             fmt::format("sum by (phase) (dc_pdu_phase_amperes{{device=~"
                         "\"{}\"}})",
                         match),
             labels);
    w.Alert("DcRackBeyondOneFeed",
            fmt::format("dc:rack_input_watts:sum{{rack=\"{}\"}} > {:.0f}", rack,
                        limit),
            options.for_duration, {{"severity", "critical"}},
            fmt::format("rack {} draws more than one feed can carry alone "
                        "({:.1f} kW after derating)",
                        rack, limit / 1e3));
    w.Alert("DcRackPhaseBeyondOneFeed",
            fmt::format("dc:rack_phase_amperes:sum{{rack=\"{}\"}} > {:.1f}",
                        rack, amps),
            options.for_duration, {{"severity", "critical"}},
            fmt::format("a phase of rack {} draws more than one derated feed "
                        "breaker allows ({:.1f} A)",
                        rack, amps));
    w.Alert("DcRackExhaustionPredicted",
            fmt::format("predict_linear(dc:rack_input_watts:sum{{rack=\"{}\"}}"
                        "[{}], {}) > {:.0f}",
                        rack, options.trend_window, horizon, limit),
            "1h", {{"severity", "warning"}},
            fmt::format("rack {} is on course to pass one feed's capacity "
                        "within {} days",
                        rack, options.exhaustion_days));
  }

  // Cooling groups: heat removed against the group short of one unit.
  std::map<std::string, std::vector<std::string>> cooling_devices;
  for (const CoolingUnit& c : plan.cooling) {
    if (!c.device.empty())
      cooling_devices[c.group].push_back(c.device);
  }
  w.Group("dcplan-cooling-redundancy");
  for (const auto& [group, devices] : cooling_devices) {
    double limit = CoolingGroupFailoverWatts(plan, group);
    w.Record("dc:cooling_group_capacity_watts:sum",
             fmt::format("sum(dc_cooling_capacity_watts{{device=~\"{}\"}})",
                         Alternatives(devices)),
             {{"cooling_group", group}});
    std::string series = fmt::format(
        "dc:cooling_group_capacity_watts:sum{{cooling_group=\"{}\"}}", group);
    w.Alert("DcCoolingGroupBeyondN1", fmt::format("{} > {:.0f}", series, limit),
            options.for_duration, {{"severity", "critical"}},
            fmt::format("cooling group {} removes more heat than it could "
                        "with its largest unit out ({:.0f} kW)",
                        group, limit / 1e3));
    w.Alert("DcCoolingGroupExhaustionPredicted",
            fmt::format("predict_linear({}[{}], {}) > {:.0f}", series,
                        options.trend_window, horizon, limit),
            "1h", {{"severity", "warning"}},
            fmt::format("cooling group {} is on course to pass its N+1 "
                        "capacity within {} days",
                        group, options.exhaustion_days));
  }

  // Inlet air against the ASHRAE recommended and allowable envelopes.
  w.Group("dcplan-thermal");
  const std::string inlet =
      "dc_env_temperature_celsius{sensor=~\"(?i).*inlet.*\"}";
  w.Alert("DcInletAboveAshraeRecommended", fmt::format("{} > 27", inlet), "15m",
          {{"severity", "warning"}},
          "rack inlet above the ASHRAE recommended 27 C");
  w.Alert("DcInletAboveAshraeAllowable",
          fmt::format("{} > {:.0f}", inlet,
                      AshraeAllowableMaxCelsius(plan.policy.ashrae_class)),
          "5m", {{"severity", "critical"}},
          fmt::format("rack inlet above the ASHRAE class {} allowable limit",
                      plan.policy.ashrae_class));
  return w.Finish();
}

}  // namespace dc::plan
