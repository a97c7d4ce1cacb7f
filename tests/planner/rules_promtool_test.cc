// Rules generated from a test inventory, checked and unit-tested by
// promtool. The thresholds in the expectations are worked out by hand.
#include <gtest/gtest.h>

#include "planner/rules.h"
#include "tests/planner/test_support.h"

namespace dc::plan {
namespace {

using testing::RunCommand;

// Thresholds: UPS pair, 100 kW modules at 90%: one side 90 kW. Rack
// feed, 32 A 400 V three-phase at PF 0.95, 80%: 16849.4 W and 25.6 A per
// phase. Cooling: three 50 kW units, one out: 100 kW.
std::string Inventory() {
  return testing::SmallSite() + R"(
[[rack]]
id = "r1"
room = "room"
zone = "z"
max_kw = 20
budget_kw = 10
[[feed]]
id = "r1-a"
rack = "r1"
panel = "pa"
side = "A"
breaker_amps = 32
[[feed]]
id = "r1-b"
rack = "r1"
panel = "pb"
side = "B"
breaker_amps = 32
)";
}

class RulesPromtool : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::OnPath("promtool"))
      GTEST_SKIP() << "promtool not installed";
    plan_ = testing::MustParse(Inventory());
    dir_.Write("rules.yml", GenerateRules(plan_));
  }
  // Runs `promtool test rules` on the test.yml the test wrote.
  void ExpectUnitTestsPass() {
    auto r = RunCommand("cd " + dir_.path().string() +
                        " && promtool test rules test.yml");
    EXPECT_EQ(r.exit_code, 0) << r.output << "\n"
                              << testing::ReadFile(dir_.File("rules.yml"));
  }
  Plan plan_;
  testing::ScratchDir dir_;
};

TEST_F(RulesPromtool, ThresholdsMatchTheDesign) {
  EXPECT_NEAR(UpsGroupFailoverWatts(plan_, "pair"), 90000, 1e-6);
  EXPECT_NEAR(RackSingleFeedWatts(plan_, "r1"), 16849.4, 0.1);
  EXPECT_NEAR(CoolingGroupFailoverWatts(plan_, "z"), 100000, 1e-6);
}

TEST_F(RulesPromtool, PassesPromtoolCheck) {
  auto r = RunCommand("promtool check rules " + dir_.File("rules.yml"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("SUCCESS"), std::string::npos) << r.output;
}

TEST_F(RulesPromtool, AlertsFireWhereTheDesignBreaks) {
  dir_.Write("test.yml", R"(rule_files:
  - rules.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'dc_ups_output_watts{device="ups-a"}'
        values: '50000x20'
      - series: 'dc_ups_output_watts{device="ups-b"}'
        values: '45000x20'
      - series: 'dc_pdu_input_watts{device="r1-a"}'
        values: '8000x20'
      - series: 'dc_pdu_input_watts{device="r1-b"}'
        values: '8000x20'
      - series: 'dc_pdu_phase_amperes{device="r1-a",phase="L1"}'
        values: '13x20'
      - series: 'dc_pdu_phase_amperes{device="r1-b",phase="L1"}'
        values: '13x20'
      - series: 'dc_pdu_phase_amperes{device="r1-a",phase="L2"}'
        values: '10x20'
      - series: 'dc_pdu_phase_amperes{device="r1-b",phase="L2"}'
        values: '10x20'
      - series: 'dc_cooling_capacity_watts{device="crah-1"}'
        values: '40000x20'
      - series: 'dc_cooling_capacity_watts{device="crah-2"}'
        values: '40000x20'
      - series: 'dc_cooling_capacity_watts{device="crah-3"}'
        values: '40000x20'
    promql_expr_test:
      - expr: dc:ups_group_output_watts:sum
        eval_time: 1m
        exp_samples:
          - labels: 'dc:ups_group_output_watts:sum{ups_group="pair"}'
            value: 95000
    alert_rule_test:
      - eval_time: 3m
        alertname: DcUpsGroupBeyondFailoverCapacity
        exp_alerts: []
      - eval_time: 10m
        alertname: DcUpsGroupBeyondFailoverCapacity
        exp_alerts:
          - exp_labels:
              severity: critical
              ups_group: pair
            exp_annotations:
              summary: 'UPS group pair carries more than the 90 kW it can hold after its worst single failure'
      - eval_time: 10m
        alertname: DcRackBeyondOneFeed
        exp_alerts: []
      - eval_time: 10m
        alertname: DcRackPhaseBeyondOneFeed
        exp_alerts:
          - exp_labels:
              severity: critical
              rack: r1
              phase: L1
            exp_annotations:
              summary: 'a phase of rack r1 draws more than one derated feed breaker allows (25.6 A)'
      - eval_time: 10m
        alertname: DcCoolingGroupBeyondN1
        exp_alerts:
          - exp_labels:
              severity: critical
              cooling_group: z
            exp_annotations:
              summary: 'cooling group z removes more heat than it could with its largest unit out (100 kW)'
)");
  ExpectUnitTestsPass();
}

TEST_F(RulesPromtool, ExhaustionPredictedFromTheTrend) {
  // 10 kW rising 100 W an hour: at 300 h it is 40 kW, under 90 kW, but
  // the 30-day trend crosses 90 kW within 180 days. Rules are evaluated
  // hourly here: every minute over 300 hours takes promtool minutes.
  dir_.Write("test.yml", R"(rule_files:
  - rules.yml
evaluation_interval: 1h
tests:
  - interval: 1h
    input_series:
      - series: 'dc_ups_output_watts{device="ups-a"}'
        values: '10000+100x400'
      - series: 'dc_ups_output_watts{device="ups-b"}'
        values: '0x400'
    alert_rule_test:
      - eval_time: 300h
        alertname: DcUpsGroupBeyondFailoverCapacity
        exp_alerts: []
      - eval_time: 300h
        alertname: DcUpsGroupExhaustionPredicted
        exp_alerts:
          - exp_labels:
              severity: warning
              ups_group: pair
            exp_annotations:
              summary: 'UPS group pair is on course to pass its failover capacity (90 kW) within 180 days'
)");
  ExpectUnitTestsPass();
}

TEST_F(RulesPromtool, UpsGroupSumsPhasesWhereTheTotalIsAbsent) {
  // RFC 1628 UPSes report output power per phase only. First case: ups-a
  // reports a total (50 kW) and phases (3 x 16 kW, not counted again),
  // ups-b phases only (3 x 15 kW): 95 kW, beyond the 90 kW one side
  // holds. Second case: both phases only, 36 + 33 kW = 69 kW, no alert.
  dir_.Write("test.yml", R"(rule_files:
  - rules.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'dc_ups_output_watts{device="ups-a"}'
        values: '50000x20'
      - series: 'dc_ups_output_phase_watts{device="ups-a",phase="L1"}'
        values: '16000x20'
      - series: 'dc_ups_output_phase_watts{device="ups-a",phase="L2"}'
        values: '16000x20'
      - series: 'dc_ups_output_phase_watts{device="ups-a",phase="L3"}'
        values: '16000x20'
      - series: 'dc_ups_output_phase_watts{device="ups-b",phase="L1"}'
        values: '15000x20'
      - series: 'dc_ups_output_phase_watts{device="ups-b",phase="L2"}'
        values: '15000x20'
      - series: 'dc_ups_output_phase_watts{device="ups-b",phase="L3"}'
        values: '15000x20'
    promql_expr_test:
      - expr: dc:ups_group_output_watts:sum
        eval_time: 1m
        exp_samples:
          - labels: 'dc:ups_group_output_watts:sum{ups_group="pair"}'
            value: 95000
    alert_rule_test:
      - eval_time: 10m
        alertname: DcUpsGroupBeyondFailoverCapacity
        exp_alerts:
          - exp_labels:
              severity: critical
              ups_group: pair
            exp_annotations:
              summary: 'UPS group pair carries more than the 90 kW it can hold after its worst single failure'
  - interval: 1m
    input_series:
      - series: 'dc_ups_output_phase_watts{device="ups-a",phase="L1"}'
        values: '10000x20'
      - series: 'dc_ups_output_phase_watts{device="ups-a",phase="L2"}'
        values: '12000x20'
      - series: 'dc_ups_output_phase_watts{device="ups-a",phase="L3"}'
        values: '14000x20'
      - series: 'dc_ups_output_phase_watts{device="ups-b",phase="L1"}'
        values: '11000x20'
      - series: 'dc_ups_output_phase_watts{device="ups-b",phase="L2"}'
        values: '11000x20'
      - series: 'dc_ups_output_phase_watts{device="ups-b",phase="L3"}'
        values: '11000x20'
    promql_expr_test:
      - expr: dc:ups_group_output_watts:sum
        eval_time: 1m
        exp_samples:
          - labels: 'dc:ups_group_output_watts:sum{ups_group="pair"}'
            value: 69000
    alert_rule_test:
      - eval_time: 10m
        alertname: DcUpsGroupBeyondFailoverCapacity
        exp_alerts: []
)");
  ExpectUnitTestsPass();
}

TEST_F(RulesPromtool, ExampleRulesPassPromtoolCheck) {
  auto r = RunCommand(std::string(DCPLAN_BINARY) + " rules " + DCPLAN_EXAMPLES +
                      "/ministry-dc.toml -o " + dir_.File("ministry.yml") +
                      " && promtool check rules " + dir_.File("ministry.yml"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace
}  // namespace dc::plan
