#include <random>

#include <gtest/gtest.h>

#include "planner/forecast.h"

namespace dc::plan {
namespace {

// y = 1000 + 5 t + N(0, 20), one point a day.
std::vector<Point> Series(int days, int offset, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 20);
  std::vector<Point> out;
  for (int d = offset; d < offset + days; ++d) {
    out.push_back({double(d), 1000 + 5.0 * d + noise(rng)});
  }
  return out;
}

TEST(Forecast, NormalQuantileMatchesTables) {
  EXPECT_NEAR(NormalQuantile(0.5), 0, 1e-9);
  EXPECT_NEAR(NormalQuantile(0.9), 1.281552, 1e-5);
  EXPECT_NEAR(NormalQuantile(0.975), 1.959964, 1e-5);
  EXPECT_NEAR(NormalQuantile(0.001), -3.090232, 1e-4);
}

TEST(Forecast, LinearRecoversTrendAndNoise) {
  Forecast f = FitLinear(Series(365, 0, 1));
  EXPECT_NEAR(f.slope, 5.0, 0.1);
  EXPECT_NEAR(f.sigma, 20, 2.5);
  EXPECT_NEAR(f.P50(364 + 180), 1000 + 5.0 * 544, 15);
}

TEST(Forecast, LinearP90IsExceededAboutOneTimeInTen) {
  // Over many independent histories, the value 90 days ahead stays under
  // the P90 bound about 90% of the time.
  int below = 0, trials = 400;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 20);
  for (int t = 0; t < trials; ++t) {
    Forecast f = FitLinear(Series(120, 0, 100 + t));
    double actual = 1000 + 5.0 * 209 + noise(rng);
    below += actual <= f.Quantile(209, 0.9);
  }
  EXPECT_NEAR(below / double(trials), 0.9, 0.04);
}

TEST(Forecast, HoltRecoversTrend) {
  Forecast f = FitHolt(Series(365, 0, 3));
  EXPECT_NEAR(f.slope, 5.0, 0.75);
  EXPECT_NEAR(f.P50(364 + 90), 1000 + 5.0 * 454, 80);
  // The interval widens with the horizon.
  double near = f.Quantile(370, 0.9) - f.P50(370);
  double far = f.Quantile(364 + 365, 0.9) - f.P50(364 + 365);
  EXPECT_GT(near, 0);
  EXPECT_GT(far, near);
}

TEST(Forecast, HoltP90CoversAboutNineInTen) {
  int below = 0, trials = 150;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, 20);
  for (int t = 0; t < trials; ++t) {
    Forecast f = FitHolt(Series(200, 0, 500 + t));
    double actual = 1000 + 5.0 * 229 + noise(rng);
    below += actual <= f.Quantile(229, 0.9);
  }
  // Holt's interval is wider than the true one for a pure line; it must
  // still not be too narrow.
  EXPECT_GE(below / double(trials), 0.85);
}

TEST(Forecast, ResampleDailyAveragesAndFillsGaps) {
  auto out = ResampleDaily({{10.2, 4}, {10.7, 6}, {13.1, 20}});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].value, 5);
  EXPECT_NEAR(out[1].value, 10, 1e-9);
  EXPECT_NEAR(out[2].value, 15, 1e-9);
  EXPECT_EQ(out[3].value, 20);
}

}  // namespace
}  // namespace dc::plan
