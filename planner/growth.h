// How each measured or budgeted quantity moves from its value at the start
// of the plan: every existing rack's load and every storage pool's used
// capacity gets its own curve, fitted on its own history where there is
// one, so a hall growing faster than the site average is forecast as such.
// A curve answers with a median (P50) and a P90 at any later day.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "planner/forecast.h"
#include "planner/measurements.h"
#include "planner/model.h"

namespace dc::plan {

struct GrowthCurve {
  enum class Kind {
    kFlat,     // held at `base`
    kFitted,   // base plus the change `fit` forecasts (its own history)
    kScaled,   // base times the relative change of `fit` (the site's)
    kPercent,  // base compounded at `rate` a year
  };
  Kind kind = Kind::kFlat;
  double start_day = 0;  // DayNumber of the plan's start
  double base = 0;       // value at the start
  std::optional<Forecast> fit;
  double rate = 0;       // kPercent: yearly growth, 0.1 = 10%
  double rate_sd = 0;    // kPercent: standard deviation of that rate
  double noise_sd = 0;   // kPercent: residual sd of the measured history
  int history_days = 0;  // daily points the curve was fitted or sized on

  // The value at `day` that is exceeded with probability 1 - p (p = 0.5
  // the median, 0.9 the P90); never negative.
  double At(double day, double p) const;
};

struct GrowthModel {
  std::string power_method = "none";
  std::string storage_method = "none";
  std::optional<Forecast> power;  // the site's measured total, reported
  std::map<std::string, GrowthCurve> racks;    // existing racks, W
  std::map<std::string, GrowthCurve> storage;  // pools, TB
  std::vector<std::string> notes;
};

// Standard deviation of a percent method's yearly rate, as a fraction:
// the one stated in the plan, else half the rate.
double PercentRateSd(const Growth& growth);

// One curve per existing rack (base: its measured draw when all its feeds
// are measured, else its budget) and per storage pool (base: its used
// capacity, measured where measured), by the scenario's methods: `linear`
// and `holt` fit each series' own daily history and fall back, for a rack
// without one, to the relative trend of the measured site total, else to
// flat; `percent` compounds the stated rate, its P90 widened by the rate's
// uncertainty and by the residual noise of the history where there is one.
GrowthModel FitGrowth(const Plan& plan, const Measurements& m, Date start);

}  // namespace dc::plan
