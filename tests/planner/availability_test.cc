#include <gtest/gtest.h>

#include "planner/availability.h"
#include "tests/planner/test_support.h"

namespace dc::plan {
namespace {

TEST(Availability, KOutOfNByHand) {
  // 2 of 3 with a = 0.9: 3 * 0.81 * 0.1 + 0.729 = 0.972.
  EXPECT_NEAR(KOutOfN(2, 3, 0.9), 0.972, 1e-12);
  EXPECT_NEAR(KOutOfN(1, 2, 0.9), 0.99, 1e-12);
  EXPECT_NEAR(KOutOfN(3, 3, 0.9), 0.729, 1e-12);
}

TEST(Availability, SeriesAndParallelByHand) {
  // One utility (a = 100/110) feeding one switchgear, one single-module
  // UPS, one panel and one feed: all in series.
  Plan plan = testing::MustParse(R"(
[[source]]
id = "u"
kind = "utility"
kw = 100
mtbf_hours = 100
mttr_hours = 10
[[switchgear]]
id = "s"
inputs = ["u"]
mtbf_hours = 1000
mttr_hours = 10
[[ups]]
id = "ups"
upstream = "s"
module_kw = 50
mtbf_hours = 500
mttr_hours = 5
[[panel]]
id = "p"
upstream = "ups"
breaker_amps = 100
mtbf_hours = 900
mttr_hours = 100
[[cooling]]
id = "c"
kind = "crah"
kw = 10
zone = "z"
[[room]]
id = "room"
rack_positions = 1
[[rack]]
id = "r"
room = "room"
zone = "z"
max_kw = 5
budget_kw = 1
[[feed]]
id = "f"
rack = "r"
panel = "p"
breaker_amps = 16
mtbf_hours = 99
mttr_hours = 1
)");
  PowerGraph graph(plan);
  double expected = (100.0 / 110) * (1000.0 / 1010) * (500.0 / 505) *
                    (900.0 / 1000) * (99.0 / 100);
  auto a = RackPowerAvailability(graph, "r");
  ASSERT_TRUE(a);
  EXPECT_NEAR(a->availability, expected, 1e-12);
  EXPECT_EQ(a->components, 5);
}

// A 2N site with poor reliability so that outages are frequent enough to
// be counted: the analytic value must agree with a simulation.
TEST(Availability, AnalyticAgreesWithMonteCarlo) {
  Plan plan = testing::MustParse(R"(
[[source]]
id = "u"
kind = "utility"
kw = 500
mtbf_hours = 200
mttr_hours = 20
[[source]]
id = "g"
kind = "generator"
kw = 500
mtbf_hours = 100
mttr_hours = 30
[[switchgear]]
id = "s"
inputs = ["u", "g"]
mtbf_hours = 3000
mttr_hours = 30
[[ups]]
id = "ua"
upstream = "s"
modules = 3
redundant_modules = 1
module_kw = 50
mtbf_hours = 300
mttr_hours = 30
[[ups]]
id = "ub"
upstream = "s"
modules = 2
module_kw = 80
mtbf_hours = 400
mttr_hours = 20
[[panel]]
id = "pa"
upstream = "ua"
breaker_amps = 100
mtbf_hours = 800
mttr_hours = 40
[[panel]]
id = "pb"
upstream = "ub"
breaker_amps = 100
mtbf_hours = 800
mttr_hours = 40
[[cooling]]
id = "c"
kind = "crah"
kw = 10
zone = "z"
[[room]]
id = "room"
rack_positions = 1
[[rack]]
id = "r"
room = "room"
zone = "z"
max_kw = 5
budget_kw = 1
[[feed]]
id = "fa"
rack = "r"
panel = "pa"
breaker_amps = 16
mtbf_hours = 500
mttr_hours = 25
[[feed]]
id = "fb"
rack = "r"
panel = "pb"
breaker_amps = 16
mtbf_hours = 500
mttr_hours = 25
)");
  PowerGraph graph(plan);
  auto analytic = RackPowerAvailability(graph, "r");
  ASSERT_TRUE(analytic);
  double simulated = SimulateRackAvailability(graph, "r", 3e6, 42);
  double u_a = 1 - analytic->availability, u_s = 1 - simulated;
  ASSERT_GT(u_a, 1e-3);  // the case is meant to be measurable
  EXPECT_NEAR(u_s, u_a, 0.1 * u_a)
      << "analytic " << u_a << " simulated " << u_s;
}

TEST(Availability, CoolingZoneByConvolution) {
  // Three 50 kW units with a = 0.9 each and 90 kW of heat: at least two
  // must run: 0.972.
  Plan plan = testing::MustParse(testing::SmallSite() + R"(
[[rack]]
id = "r"
room = "room"
zone = "z"
max_kw = 100
budget_kw = 90
[[feed]]
id = "fa"
rack = "r"
panel = "pa"
breaker_amps = 250
)");
  for (auto& c : plan.cooling)
    c.reliability = {900, 100};
  PowerGraph graph(plan);
  PathAvailability z = ZoneCoolingAvailability(graph, "z");
  EXPECT_NEAR(z.availability, 0.972, 1e-12);
}

}  // namespace
}  // namespace dc::plan
