// Forecasts of one measured series: a least-squares line and Holt's
// double exponential smoothing (level and trend), each with a prediction
// interval, so a planner can quote the median (P50) and a value that will
// be exceeded only one time in ten (P90).
#pragma once

#include <string>
#include <vector>

#include "planner/model.h"

namespace dc::plan {

// One observation; `day` counts days since 1970-01-01 (fractions allowed).
struct Point {
  double day = 0;
  double value = 0;
};

struct Forecast {
  GrowthMethod method = GrowthMethod::kNone;
  double last_day = 0;  // end of the data
  double level = 0;     // value at last_day
  double slope = 0;     // per day
  double sigma = 0;     // one-step residual standard deviation
  int n = 0;
  // Linear only: for the widening of the interval away from the data.
  double mean_day = 0, sxx = 0;
  // Holt only.
  double alpha = 0, beta = 0;
  double step_days = 1;

  // Median forecast at `day`.
  double P50(double day) const;
  // The value exceeded with probability 1 - p (p = 0.9 for P90).
  double Quantile(double day, double p) const;
};

// Daily means; days without data are filled by linear interpolation.
std::vector<Point> ResampleDaily(std::vector<Point> points);

// Needs at least three points.
Forecast FitLinear(const std::vector<Point>& points);

// Needs at least four regularly spaced points (see ResampleDaily); the
// smoothing constants are chosen by least one-step-ahead squared error.
Forecast FitHolt(const std::vector<Point>& points);

// Standard normal quantile (Acklam's rational approximation).
double NormalQuantile(double p);

double DayNumber(Date date);

}  // namespace dc::plan
