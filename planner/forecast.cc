#include "planner/forecast.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace dc::plan {
namespace {

// Student's t quantile from the normal one (Cornish-Fisher expansion);
// small samples deserve wider intervals than the normal gives.
double StudentQuantile(double p, int dof) {
  double z = NormalQuantile(p);
  if (dof <= 0)
    return z;
  double v = dof;
  return z + (z * z * z + z) / (4 * v) +
         (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v);
}

struct HoltRun {
  double level = 0, trend = 0, sse = 0;
};

// Level and trend start from a line through the first points: starting
// from the first difference alone lets one noisy pair set the trend, and
// a small beta never forgets it.
HoltRun StartHolt(const std::vector<Point>& pts) {
  std::size_t n = std::min<std::size_t>(pts.size(), 14);
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i)
    mx += double(i), my += pts[i].value;
  mx /= double(n), my /= double(n);
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxx += (double(i) - mx) * (double(i) - mx);
    sxy += (double(i) - mx) * (pts[i].value - my);
  }
  HoltRun r;
  r.trend = sxx > 0 ? sxy / sxx : 0;
  r.level = my - r.trend * mx;
  return r;
}

HoltRun RunHolt(const std::vector<Point>& pts, double alpha, double beta) {
  HoltRun r = StartHolt(pts);
  r.sse = 0;
  for (std::size_t i = 1; i < pts.size(); ++i) {
    double predicted = r.level + r.trend;
    double error = pts[i].value - predicted;
    r.sse += error * error;
    double level = predicted + alpha * error;
    r.trend = r.trend + alpha * beta * error;
    r.level = level;
  }
  return r;
}

}  // namespace

double DayNumber(Date date) {
  return static_cast<double>(date.time_since_epoch().count());
}

double NormalQuantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                             -2.759285104469687e+02, 1.383577518672690e+02,
                             -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                             -1.556989798598866e+02, 6.680131188771972e+01,
                             -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                             -2.400758277161838e+00, -2.549732539343734e+00,
                             4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                             2.445134137142996e+00, 3.754408661907416e+00};
  p = std::clamp(p, 1e-12, 1 - 1e-12);
  if (p < 0.02425) {
    double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q +
            c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - 0.02425)
    return -NormalQuantile(1 - p);
  double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) *
         q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

double Forecast::P50(double day) const {
  if (method == GrowthMethod::kLinear) {
    return level + slope * (day - last_day);
  }
  double h = std::max(0.0, (day - last_day) / step_days);
  return level + slope * step_days * h;
}

double Forecast::Quantile(double day, double p) const {
  double center = P50(day);
  if (method == GrowthMethod::kLinear) {
    double dx = day - mean_day;
    double se = sigma * std::sqrt(1 + 1.0 / n + (sxx > 0 ? dx * dx / sxx : 0));
    return center + StudentQuantile(p, n - 2) * se;
  }
  // Holt (additive errors): the h-step variance grows as
  // sigma^2 * (1 + sum_{j=1}^{h-1} alpha^2 (1 + j beta)^2).
  double h = std::max(1.0, (day - last_day) / step_days);
  double m = h - 1;
  double sum = m + beta * h * m + beta * beta * m * h * (2 * h - 1) / 6;
  double se = sigma * std::sqrt(1 + alpha * alpha * sum);
  return center + NormalQuantile(p) * se;
}

std::vector<Point> ResampleDaily(std::vector<Point> points) {
  std::map<long, std::pair<double, int>> days;
  for (const Point& p : points) {
    auto& [sum, count] = days[static_cast<long>(std::floor(p.day))];
    sum += p.value, ++count;
  }
  std::vector<Point> out;
  for (auto it = days.begin(); it != days.end(); ++it) {
    double mean = it->second.first / it->second.second;
    if (!out.empty()) {
      // Fill a gap by interpolating between its two ends.
      double previous_day = out.back().day, previous = out.back().value;
      double gap = static_cast<double>(it->first) - previous_day;
      for (double d = 1; d < gap; ++d) {
        out.push_back(
            {previous_day + d, previous + (mean - previous) * d / gap});
      }
    }
    out.push_back({static_cast<double>(it->first), mean});
  }
  return out;
}

Forecast FitLinear(const std::vector<Point>& pts) {
  Forecast f{.method = GrowthMethod::kLinear};
  f.n = static_cast<int>(pts.size());
  if (f.n < 3)
    return f;
  double mx = 0, my = 0;
  for (const Point& p : pts)
    mx += p.day, my += p.value;
  mx /= f.n, my /= f.n;
  double sxy = 0, sxx = 0;
  for (const Point& p : pts) {
    sxx += (p.day - mx) * (p.day - mx);
    sxy += (p.day - mx) * (p.value - my);
  }
  f.slope = sxx > 0 ? sxy / sxx : 0;
  f.mean_day = mx, f.sxx = sxx;
  f.last_day = pts.back().day;
  f.level = my + f.slope * (f.last_day - mx);
  double sse = 0;
  for (const Point& p : pts) {
    double e = p.value - (my + f.slope * (p.day - mx));
    sse += e * e;
  }
  f.sigma = std::sqrt(sse / (f.n - 2));
  return f;
}

Forecast FitHolt(const std::vector<Point>& pts) {
  Forecast f{.method = GrowthMethod::kHolt};
  f.n = static_cast<int>(pts.size());
  if (f.n < 4)
    return f;
  f.step_days = (pts.back().day - pts.front().day) / (f.n - 1);

  // Coarse grid then a finer one around the best pair.
  double best_alpha = 0.5, best_beta = 0.1;
  double best = RunHolt(pts, best_alpha, best_beta).sse;
  for (double a = 0.02; a <= 0.98; a += 0.04) {
    for (double b = 0.01; b <= 0.5; b += 0.04) {
      double sse = RunHolt(pts, a, b).sse;
      if (sse < best)
        best = sse, best_alpha = a, best_beta = b;
    }
  }
  for (double a = std::max(0.005, best_alpha - 0.03);
       a <= std::min(0.995, best_alpha + 0.03); a += 0.005) {
    for (double b = std::max(0.002, best_beta - 0.03);
         b <= std::min(0.9, best_beta + 0.03); b += 0.004) {
      double sse = RunHolt(pts, a, b).sse;
      if (sse < best)
        best = sse, best_alpha = a, best_beta = b;
    }
  }

  HoltRun run = RunHolt(pts, best_alpha, best_beta);
  f.alpha = best_alpha, f.beta = best_beta;
  f.level = run.level;
  f.slope = run.trend / f.step_days;
  f.sigma = std::sqrt(run.sse / (f.n - 3));
  f.last_day = pts.back().day;
  return f;
}

}  // namespace dc::plan
