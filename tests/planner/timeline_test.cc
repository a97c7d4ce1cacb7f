#include <fmt/format.h>
#include <gtest/gtest.h>

#include "planner/inventory_loader.h"
#include "planner/rules.h"
#include "planner/timeline.h"
#include "tests/planner/test_support.h"

namespace dc::plan {
namespace {

const ResourceTimeline* Find(const TimelineReport& r, std::string_view res,
                             std::string_view kind, std::string_view scope) {
  for (const auto& s : r.series) {
    if (s.resource == res && s.scope_kind == kind && s.scope == scope) {
      return &s;
    }
  }
  return nullptr;
}

// One 60 kW rack growing 10% a year, the rate's standard deviation
// `sd` percentage points.
std::string GrowingSite(double sd = 0) {
  return testing::SmallSite() +
         fmt::format(R"(
[scenario]
start = 2025-01-01
[growth]
power = {{ method = "percent", percent_per_year = 10, percent_sd_per_year = {} }}
)",
                     sd) +
         R"(
[[rack]]
id = "r"
room = "room"
zone = "z"
max_kw = 200
budget_kw = 60
[[feed]]
id = "r-a"
rack = "r"
panel = "pa"
breaker_amps = 250
[[feed]]
id = "r-b"
rack = "r"
panel = "pb"
breaker_amps = 250
)";
}

TEST(Timeline, ExhaustionDatesFromCompoundGrowth) {
  // 60 kW growing 10% a year against 90 kW usable per UPS (100 kW module
  // at 90%): with one UPS failed the other carries everything. Months
  // after 2025-01-01: 2029-04-01 is 1551 days on, 60 * 1.1^(1551/365.25)
  // = 89.93 kW (fits); 2029-05-01 is 1581 days on: 90.64 kW (does not).
  // Cooling: three 50 kW units, 100 kW with one out; 2030-05-01 (1946
  // days): 99.7 kW; 2030-06-01 (1977 days): 100.5 kW.
  Plan plan = testing::MustParse(GrowingSite());
  TimelineReport r = BuildTimeline(plan, {}, Date{});
  const ResourceTimeline* group = Find(r, "power", "ups group", "pair");
  ASSERT_NE(group, nullptr);
  ASSERT_TRUE(group->exhaustion_p50);
  EXPECT_EQ(FormatDate(*group->exhaustion_p50), "2029-05-01");
  EXPECT_NEAR(group->points.front().capacity, 90, 1e-6);
  const ResourceTimeline* zone = Find(r, "cooling", "zone", "z");
  ASSERT_NE(zone, nullptr);
  ASSERT_TRUE(zone->exhaustion_p50);
  EXPECT_EQ(FormatDate(*zone->exhaustion_p50), "2030-06-01");

  // Ordered 180 days (the default lead time) before it runs out; the
  // single-module frames are full, so a new UPS system is the answer.
  ASSERT_FALSE(r.actions.empty());
  EXPECT_EQ(FormatDate(r.actions.front().order_by), "2028-11-02");
  EXPECT_NE(r.actions.front().action.find("UPS system"), std::string::npos)
      << r.actions.front().action;
}

TEST(Timeline, PercentP90CompoundsTheUncertainRate) {
  // The rate's sd of 5 points puts the P90 rate at 10 + 1.2816 * 5 =
  // 16.41%: 60 kW reaches 90 kW after ln(1.5) / ln(1.16408) = 2.6688
  // years, 974.8 days after 2025-01-01 (2027-09-02); the first month past
  // it is 2027-10-01, ordered 180 days before: 2027-04-04. The median is
  // unchanged.
  Plan plan = testing::MustParse(GrowingSite(5));
  TimelineReport r = BuildTimeline(plan, {}, Date{});
  const ResourceTimeline* group = Find(r, "power", "ups group", "pair");
  ASSERT_NE(group, nullptr);
  ASSERT_TRUE(group->exhaustion_p50 && group->exhaustion_p90);
  EXPECT_EQ(FormatDate(*group->exhaustion_p50), "2029-05-01");
  EXPECT_EQ(FormatDate(*group->exhaustion_p90), "2027-10-01");
  ASSERT_FALSE(r.actions.empty());
  EXPECT_EQ(FormatDate(r.actions.front().order_by), "2027-04-04");
  for (const auto& p : group->points) {
    if (p.date == group->points.front().date) {
      EXPECT_NEAR(p.load_p90, p.load_p50, 1e-9);  // nothing uncertain yet
    } else {
      EXPECT_GT(p.load_p90, p.load_p50);
    }
  }
}

TEST(Timeline, PercentP90WidensWithTheNoiseOfTheHistory) {
  // 30 days of a 60 kW rack measured with +-400 W alternating: the line
  // through it has sxy = -(n/2) 400 = -6000, sxx = n (n^2 - 1) / 12 =
  // 2247.5 and a residual sd of sqrt((n 400^2 - sxy^2 / sxx) / (n - 2)).
  // With a certain rate, P90 - P50 is 1.2816 times that, from the start.
  Plan plan = testing::MustParse(GrowingSite(0));
  std::map<std::string, std::vector<Point>> feeds;
  for (int d = 0; d < 30; ++d) {
    double swing = d % 2 == 0 ? 200 : -200;
    feeds["r-a"].push_back({20000 + d + 0.5, 30000 + swing});
    feeds["r-b"].push_back({20000 + d + 0.5, 30000 + swing});
  }
  Measurements m = FromSeries(plan, feeds, {});
  TimelineReport r = BuildTimeline(plan, m, Date{});
  double n = 30, sxy = -n / 2 * 400, sxx = n * (n * n - 1) / 12;
  double sigma = std::sqrt((n * 400 * 400 - sxy * sxy / sxx) / (n - 2));
  EXPECT_NEAR(sigma, 413.35, 0.01);

  const ResourceTimeline* rack = Find(r, "power", "rack", "r");
  ASSERT_NE(rack, nullptr);
  for (const auto& p : rack->points) {
    EXPECT_GT(p.load_p90, p.load_p50);
    double years = (DayNumber(p.date) - DayNumber(r.start)) / 365.25;
    EXPECT_NEAR(p.load_p90 - p.load_p50, 1.2815516 * sigma / 1e3, 1e-5)
        << FormatDate(p.date) << " " << years;
  }
}

TEST(Timeline, EachRackFollowsItsOwnTrendAndRunsOutOfItsFeeds) {
  // r1 measured 10 kW rising 30 W a day, r2 flat at 8 kW, r3 unmeasured
  // (6 kW budget) following the measured total (r1 + r2). 200 days of
  // history from 2026-01-01: the plan starts on the last, 2026-07-19,
  // with r1 at 15970 W, the total at 23970 W.
  Plan plan = testing::MustParse(testing::SmallSite() + R"(
[growth]
power = { method = "linear" }
)" + testing::DualFedRacks({"r1", "r2", "r3"}, 30));
  std::map<std::string, std::vector<Point>> feeds;
  double d0 = DayNumber(*ParseDate("2026-01-01"));
  for (int d = 0; d < 200; ++d) {
    feeds["r1-a"].push_back({d0 + d + 0.5, 5000 + 15.0 * d});
    feeds["r1-b"].push_back({d0 + d + 0.5, 5000 + 15.0 * d});
    feeds["r2-a"].push_back({d0 + d + 0.5, 4000});
    feeds["r2-b"].push_back({d0 + d + 0.5, 4000});
  }
  Measurements m = FromSeries(plan, feeds, {});
  TimelineReport r = BuildTimeline(plan, m, Date{});
  ASSERT_EQ(FormatDate(r.start), "2026-07-19");

  const ResourceTimeline* r1 = Find(r, "power", "rack", "r1");
  const ResourceTimeline* r2 = Find(r, "power", "rack", "r2");
  const ResourceTimeline* r3 = Find(r, "power", "rack", "r3");
  const ResourceTimeline* group = Find(r, "power", "ups group", "pair");
  ASSERT_TRUE(r1 && r2 && r3 && group);
  for (std::size_t i = 0; i < r1->points.size(); ++i) {
    double days = DayNumber(r1->points[i].date) - DayNumber(r.start);
    double w1 = 15970 + 30 * days, w2 = 8000,
           w3 = 6000 * (23970 + 30 * days) / 23970;
    EXPECT_NEAR(r1->points[i].load_p50, w1 / 1e3, 1e-6);
    EXPECT_NEAR(r2->points[i].load_p50, w2 / 1e3, 1e-6);
    EXPECT_NEAR(r3->points[i].load_p50, w3 / 1e3, 1e-6);
    EXPECT_NEAR(group->points[i].load_p50, (w1 + w2 + w3) / 1e3, 1e-6);
    // Exact lines: no interval.
    EXPECT_NEAR(r1->points[i].load_p90, r1->points[i].load_p50, 1e-6);
  }

  // One derated 32 A feed carries 16849.4 W: r1 passes it 29.3 days on
  // (2026-08-17), so the month point of 2026-09-01 is the first short.
  double one_feed = RackSingleFeedWatts(plan, "r1");
  EXPECT_NEAR(one_feed, 16849.4, 0.1);
  EXPECT_NEAR(r1->points.front().capacity, one_feed / 1e3, 1e-6);
  ASSERT_TRUE(r1->exhaustion_p50 && r1->exhaustion_p90);
  EXPECT_EQ(FormatDate(*r1->exhaustion_p50), "2026-09-01");
  EXPECT_EQ(FormatDate(*r1->exhaustion_p90), "2026-09-01");
  EXPECT_FALSE(r2->exhaustion_p90);
  bool rack_action = false;
  for (const auto& a : r.actions) {
    if (a.resource == "power" && a.scope == "r1") {
      rack_action = true;
      EXPECT_EQ(FormatDate(a.exhausts), "2026-09-01");
      EXPECT_NE(a.action.find("rack r1"), std::string::npos) << a.action;
    }
  }
  EXPECT_TRUE(rack_action);
}

TEST(Timeline, ProjectsApplyAsDatedSteps) {
  Plan plan = testing::MustParse(GrowingSite() + R"(
[[template]]
id = "t"
zone = "z"
max_kw = 20
feed_breaker_amps = 32
device = [ { id = "srv", u = 2, budget_w = 1000, count = 5 } ]
[[project]]
id = "wave"
date = 2026-03-15
action = "add_racks"
template = "t"
count = 2
room = "room"
panel_a = "pa"
panel_b = "pb"
[[project]]
id = "out"
date = 2027-01-01
action = "retire"
targets = ["wave"]
)");
  plan.scenario.power = {};  // no growth: only the steps move the load
  TimelineReport r = BuildTimeline(plan, {}, Date{});
  const ResourceTimeline* site = Find(r, "power", "site", "small");
  ASSERT_NE(site, nullptr);
  auto at = [&](std::string_view date) {
    for (const auto& p : site->points) {
      if (FormatDate(p.date) == date)
        return p.load_p50;
    }
    return -1.0;
  };
  EXPECT_NEAR(at("2026-03-01"), 60, 1e-9);
  EXPECT_NEAR(at("2026-04-01"), 70, 1e-9);  // two racks of 5 x 1 kW
  EXPECT_NEAR(at("2027-01-01"), 60, 1e-9);  // retired with their project

  Plan applied = plan;
  ApplyProject(applied, plan.scenario.projects[0]);
  ASSERT_EQ(applied.racks.size(), 3u);
  EXPECT_EQ(applied.racks[1].id, "wave-r01");
  EXPECT_EQ(applied.feeds.back().id, "wave-r02-b");
  EXPECT_EQ(applied.devices.back().id, "wave-r02/srv-5");
}

TEST(Timeline, MeasuredTrendDrivesLinearGrowth) {
  // Two feeds measured for 200 days, 20 kW total growing 30 W a day: the
  // fitted slope is 30 W/day and the load a year on is about 20 + 10.95.
  Plan plan = testing::MustParse(GrowingSite());
  plan.scenario.power = {GrowthMethod::kLinear, 0};
  plan.scenario.start.reset();
  std::map<std::string, std::vector<Point>> feeds;
  double d0 = DayNumber(*ParseDate("2026-01-01"));
  for (int d = 0; d < 200; ++d) {
    feeds["r-a"].push_back({d0 + d + 0.5, 10000 + 15.0 * d});
    feeds["r-b"].push_back({d0 + d + 0.5, 10000 + 15.0 * d});
  }
  Measurements m = FromSeries(plan, feeds, {});
  ASSERT_TRUE(m.as_of);
  EXPECT_NEAR(m.feed_watts["r-a"], 10000 + 15.0 * 199, 1e-6);
  TimelineReport r = BuildTimeline(plan, m, Date{});
  ASSERT_TRUE(r.growth.power);
  EXPECT_NEAR(r.growth.power->slope, 30, 1e-6);
  const ResourceTimeline* group = Find(r, "power", "ups group", "pair");
  ASSERT_NE(group, nullptr);
  double start_kw = group->points.front().load_p50;
  EXPECT_NEAR(start_kw, 20 + 0.03 * 199, 0.01);
  for (const auto& p : group->points) {
    double days = DayNumber(p.date) - DayNumber(group->points.front().date);
    EXPECT_NEAR(p.load_p50, start_kw + 0.03 * days, 0.05);
    EXPECT_GE(p.load_p90, p.load_p50 - 1e-9);
  }
}

}  // namespace
}  // namespace dc::plan
