#include <gtest/gtest.h>

#include "planner/inventory_loader.h"
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

std::string GrowingSite() {
  return testing::SmallSite() + R"(
[scenario]
start = 2025-01-01
[growth]
power = { method = "percent", percent_per_year = 10 }
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
