#include "planner/growth.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace dc::plan {
namespace {

// Fewer daily points than this and a series gets no trend of its own:
// a line through two days is a guess, not a forecast.
constexpr std::size_t kMinLinearDays = 3;
constexpr std::size_t kMinHoltDays = 4;

std::optional<Forecast> Fit(GrowthMethod method,
                            const std::vector<Point>& daily) {
  if (method == GrowthMethod::kLinear && daily.size() >= kMinLinearDays) {
    return FitLinear(daily);
  }
  if (method == GrowthMethod::kHolt && daily.size() >= kMinHoltDays) {
    return FitHolt(ResampleDaily(daily));
  }
  return std::nullopt;
}

std::string MethodName(const Growth& growth) {
  switch (growth.method) {
    case GrowthMethod::kLinear:
      return "linear";
    case GrowthMethod::kHolt:
      return "holt";
    case GrowthMethod::kPercent:
      return fmt::format("{}% a year (P90 at {:.1f}%)", growth.percent_per_year,
                         100 * (growth.percent_per_year / 100 +
                                NormalQuantile(0.9) * PercentRateSd(growth)));
    case GrowthMethod::kNone:
      break;
  }
  return "none";
}

// The curve of one series under `growth`, from its daily history (may be
// empty); `site` is the fallback trend of a fitted method.
GrowthCurve Curve(const Growth& growth, double start_day, double base,
                  const std::vector<Point>& daily,
                  const std::optional<Forecast>& site) {
  GrowthCurve c{.start_day = start_day, .base = base};
  c.history_days = static_cast<int>(daily.size());
  switch (growth.method) {
    case GrowthMethod::kNone:
      break;
    case GrowthMethod::kLinear:
    case GrowthMethod::kHolt:
      if ((c.fit = Fit(growth.method, daily))) {
        c.kind = GrowthCurve::Kind::kFitted;
      } else if (site) {
        c.kind = GrowthCurve::Kind::kScaled;
        c.fit = site;
      }
      break;
    case GrowthMethod::kPercent:
      c.kind = GrowthCurve::Kind::kPercent;
      c.rate = growth.percent_per_year / 100;
      c.rate_sd = PercentRateSd(growth);
      // The day-to-day scatter around the history's own line: what the
      // stated rate cannot know about this series.
      if (daily.size() >= kMinLinearDays)
        c.noise_sd = FitLinear(daily).sigma;
      break;
  }
  return c;
}

}  // namespace

double GrowthCurve::At(double day, double p) const {
  double value = base;
  switch (kind) {
    case Kind::kFlat:
      break;
    case Kind::kFitted:
      value = base + fit->Quantile(day, p) - fit->P50(start_day);
      break;
    case Kind::kScaled: {
      double reference = fit->P50(start_day);
      if (reference > 0)
        value = base * fit->Quantile(day, p) / reference;
      break;
    }
    case Kind::kPercent: {
      // The rate is uncertain but persistent: its quantile compounds.
      double z = NormalQuantile(p);
      double years = std::max(0.0, (day - start_day) / 365.25);
      double g = std::max(-0.99, rate + z * rate_sd);
      value = base * std::pow(1 + g, years) + z * noise_sd;
      break;
    }
  }
  return std::max(0.0, value);
}

double PercentRateSd(const Growth& growth) {
  if (growth.percent_sd_per_year)
    return *growth.percent_sd_per_year / 100;
  return std::abs(growth.percent_per_year) / 200;
}

GrowthModel FitGrowth(const Plan& plan, const Measurements& m, Date start) {
  GrowthModel g;
  const Growth& power = plan.scenario.power;
  const Growth& storage = plan.scenario.storage;
  double start_day = DayNumber(start);
  g.power_method = MethodName(power);
  g.storage_method = MethodName(storage);
  g.power = Fit(power.method, m.power_history);

  // Every existing rack: its own history, else the site's trend.
  std::map<std::string, double> budget_w;
  for (const Device& d : plan.devices)
    budget_w[d.rack] += d.budget_w;
  int own = 0, scaled = 0, flat = 0;
  for (const Rack& r : plan.racks) {
    auto measured = RackMeasuredWatts(plan, m, r.id);
    double base = measured ? *measured : budget_w[r.id] + r.budget_kw * 1000;
    std::vector<Point> daily;
    if (measured)
      daily = RackHistory(plan, m, r.id);
    GrowthCurve c = Curve(power, start_day, base, daily, g.power);
    own += c.kind == GrowthCurve::Kind::kFitted;
    scaled += c.kind == GrowthCurve::Kind::kScaled;
    flat += c.kind == GrowthCurve::Kind::kFlat;
    g.racks[r.id] = std::move(c);
  }
  if (power.method == GrowthMethod::kLinear ||
      power.method == GrowthMethod::kHolt) {
    if (own + scaled == 0) {
      g.notes.push_back(
          "power: no measured history to fit; existing load held flat, "
          "projects still apply");
    } else {
      g.notes.push_back(fmt::format(
          "power: {} rack(s) follow their own measured trend, {} without "
          "enough history follow the site's, {} held flat",
          own, scaled, flat));
    }
  }

  // Storage pools: each its own history; no site-wide fallback, since
  // pools serve unrelated systems.
  int pools_flat = 0;
  for (const StoragePool& s : plan.storage) {
    double base = s.used_tb;
    if (auto it = m.storage_used_tb.find(s.id); it != m.storage_used_tb.end())
      base = it->second;
    std::vector<Point> daily;
    if (auto it = m.storage_history.find(s.id); it != m.storage_history.end())
      daily = it->second;
    GrowthCurve c = Curve(storage, start_day, base, daily, std::nullopt);
    pools_flat += c.kind == GrowthCurve::Kind::kFlat;
    g.storage[s.id] = std::move(c);
  }
  if ((storage.method == GrowthMethod::kLinear ||
       storage.method == GrowthMethod::kHolt) &&
      pools_flat > 0) {
    g.notes.push_back(
        fmt::format("storage: {} pool(s) without measured history held "
                    "flat, projects still apply",
                    pools_flat));
  }
  return g;
}

}  // namespace dc::plan
