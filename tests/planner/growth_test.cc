// Growth curves worked out by hand, and FitGrowth giving each rack and
// pool its own curve.
#include <cmath>

#include <gtest/gtest.h>

#include "planner/growth.h"
#include "planner/inventory_loader.h"
#include "tests/planner/test_support.h"

namespace dc::plan {
namespace {

constexpr double kZ90 = 1.2815515655446004;

// y = 1000 + 5 d for d = 0..9, no noise.
std::vector<Point> Line() {
  std::vector<Point> out;
  for (int d = 0; d < 10; ++d)
    out.push_back({double(d), 1000 + 5.0 * d});
  return out;
}

TEST(GrowthCurve, PercentCompoundsTheRateAndItsP90) {
  GrowthCurve c{.kind = GrowthCurve::Kind::kPercent,
                .start_day = 0,
                .base = 100,
                .rate = 0.10,
                .rate_sd = 0.05,
                .noise_sd = 2};
  EXPECT_NEAR(c.At(365.25, 0.5), 110, 1e-9);
  EXPECT_NEAR(c.At(730.5, 0.5), 121, 1e-9);
  // P90: the rate at its own P90 (10% + 1.2816 * 5%), plus the noise.
  EXPECT_NEAR(c.At(365.25, 0.9), 100 * (1.10 + kZ90 * 0.05) + kZ90 * 2, 1e-6);
  EXPECT_NEAR(c.At(0, 0.9), 100 + kZ90 * 2, 1e-6);
  EXPECT_NEAR(c.At(0, 0.5), 100, 1e-9);
}

TEST(GrowthCurve, PercentWithACertainRateAndNoNoiseHasNoInterval) {
  GrowthCurve c{.kind = GrowthCurve::Kind::kPercent, .base = 50, .rate = 0.2};
  EXPECT_DOUBLE_EQ(c.At(1000, 0.9), c.At(1000, 0.5));
}

TEST(GrowthCurve, PercentRateSdDefaultsToHalfTheRate) {
  EXPECT_NEAR(PercentRateSd({GrowthMethod::kPercent, 10}), 0.05, 1e-12);
  EXPECT_NEAR(PercentRateSd({GrowthMethod::kPercent, 10, 3.0}), 0.03, 1e-12);
  EXPECT_EQ(PercentRateSd({GrowthMethod::kPercent, 10, 0.0}), 0);
}

TEST(GrowthCurve, FittedAddsTheSeriesOwnChangeToItsBase) {
  // The base (2000) need not be the fit's level (1045): the change is
  // what is added, 5 a day.
  GrowthCurve c{.kind = GrowthCurve::Kind::kFitted,
                .start_day = 9,
                .base = 2000,
                .fit = FitLinear(Line())};
  EXPECT_NEAR(c.At(19, 0.5), 2050, 1e-9);
  EXPECT_NEAR(c.At(19, 0.9), 2050, 1e-9);  // an exact line: no interval
}

TEST(GrowthCurve, ScaledFollowsTheRelativeChangeOfTheFit) {
  // The fit doubles from 1045 (day 9) to 2090 (day 218).
  GrowthCurve c{.kind = GrowthCurve::Kind::kScaled,
                .start_day = 9,
                .base = 100,
                .fit = FitLinear(Line())};
  EXPECT_NEAR(c.At(218, 0.5), 200, 1e-9);
}

TEST(GrowthCurve, NeverNegative) {
  GrowthCurve c{.kind = GrowthCurve::Kind::kPercent,
                .base = 10,
                .rate = -0.5,
                .noise_sd = 100};
  EXPECT_EQ(c.At(3650, 0.1), 0);  // P10: 0.0098 - 1.28 * 100
}

std::string ThreeRacks() {
  std::string text = testing::SmallSite() + R"(
[growth]
power = { method = "linear" }
storage = { method = "linear" }
[[storage]]
id = "lake"
usable_tb = 100
used_tb = 10
[[storage]]
id = "pond"
usable_tb = 10
used_tb = 2
)";
  return text + testing::DualFedRacks({"r1", "r2", "r3"}, 20);
}

TEST(FitGrowth, EachMeasuredRackAndPoolGetsItsOwnTrend) {
  // r1 rises 30 W a day (15 per feed), r2 is flat, r3 is not measured;
  // pool lake grows 0.2 TB a day, pond is not measured.
  Plan plan = testing::MustParse(ThreeRacks());
  std::map<std::string, std::vector<Point>> feeds, pools;
  for (int d = 0; d < 20; ++d) {
    feeds["r1-a"].push_back({d + 0.5, 5000 + 15.0 * d});
    feeds["r1-b"].push_back({d + 0.5, 5000 + 15.0 * d});
    feeds["r2-a"].push_back({d + 0.5, 4000});
    feeds["r2-b"].push_back({d + 0.5, 4000});
    pools["lake"].push_back({d + 0.5, (20 + 0.2 * d) * 1e12});
  }
  Measurements m = FromSeries(plan, feeds, pools);
  GrowthModel g = FitGrowth(plan, m, Date{std::chrono::days{19}});

  const GrowthCurve& r1 = g.racks.at("r1");
  ASSERT_EQ(r1.kind, GrowthCurve::Kind::kFitted);
  EXPECT_NEAR(r1.base, 10000 + 30.0 * 19, 1e-6);
  EXPECT_NEAR(r1.fit->slope, 30, 1e-9);
  EXPECT_EQ(r1.history_days, 20);
  const GrowthCurve& r2 = g.racks.at("r2");
  ASSERT_EQ(r2.kind, GrowthCurve::Kind::kFitted);
  EXPECT_NEAR(r2.fit->slope, 0, 1e-9);
  EXPECT_NEAR(r2.At(19 + 365, 0.5), 8000, 1e-6);

  // r3 (6 kW budget) follows the measured site total, 18570 W at day 19
  // rising 30 W a day: 100 days on, 6000 * (18570 + 3000) / 18570.
  const GrowthCurve& r3 = g.racks.at("r3");
  ASSERT_EQ(r3.kind, GrowthCurve::Kind::kScaled);
  EXPECT_NEAR(r3.base, 6000, 1e-9);
  EXPECT_NEAR(r3.At(119, 0.5), 6000 * 21570.0 / 18570, 1e-6);

  EXPECT_EQ(g.storage.at("lake").kind, GrowthCurve::Kind::kFitted);
  EXPECT_NEAR(g.storage.at("lake").fit->slope, 0.2, 1e-9);
  EXPECT_NEAR(g.storage.at("lake").base, 20 + 0.2 * 19, 1e-9);
  EXPECT_EQ(g.storage.at("pond").kind, GrowthCurve::Kind::kFlat);
  EXPECT_EQ(g.storage.at("pond").base, 2);
}

TEST(FitGrowth, WithoutAnyHistoryFittedMethodsHoldFlatAndSaySo) {
  Plan plan = testing::MustParse(ThreeRacks());
  GrowthModel g = FitGrowth(plan, {}, Date{});
  for (const auto& [rack, c] : g.racks) {
    EXPECT_EQ(c.kind, GrowthCurve::Kind::kFlat) << rack;
    EXPECT_EQ(c.base, 6000) << rack;
  }
  ASSERT_FALSE(g.notes.empty());
  EXPECT_NE(g.notes.front().find("no measured history"), std::string::npos);
}

TEST(FitGrowth, PercentSdIsReadAndChecked) {
  Plan plan = testing::MustParse(testing::SmallSite() + R"(
[growth]
power = { method = "percent", percent_per_year = 8, percent_sd_per_year = 2 }
)");
  ASSERT_TRUE(plan.scenario.power.percent_sd_per_year);
  EXPECT_EQ(*plan.scenario.power.percent_sd_per_year, 2);

  auto bad = ParsePlan(testing::SmallSite() + R"(
[growth]
power = { method = "linear", percent_sd_per_year = 2 }
)",
                       "bad.toml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().front().find("percent_sd_per_year"), std::string::npos)
      << bad.error().front();
  EXPECT_TRUE(bad.error().front().starts_with("bad.toml:"))
      << bad.error().front();
}

}  // namespace
}  // namespace dc::plan
