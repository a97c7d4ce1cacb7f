#include "tests/conformance/sensor_matching.h"

#include <gtest/gtest.h>

namespace dc::conformance {
namespace {

ExpectedSensor Sensor(std::string sensor_class, double value, double step = 0) {
  return {std::move(sensor_class), "", "", value, step};
}

Sample Series(std::string name, double value) {
  return {std::move(name), {}, value};
}

TEST(SameUnitFamily, SuffixDecidesForPhysicalUnits) {
  struct Case {
    const char* sensor_class;
    const char* metric;
    bool same;
  } cases[] = {
      {"power", "dc_pdu_outlet_watts", true},
      {"power", "dc_ups_output_voltamperes", true},
      {"power", "dc_meter_reactive_voltamperes", true},
      {"power", "dc_pdu_outlet_amperes", false},
      {"current", "dc_pdu_phase_amperes", true},
      {"voltage", "dc_ups_battery_volts", true},
      {"voltage", "dc_ups_battery_voltamperes", false},
      {"frequency", "dc_ups_input_frequency_hertz", true},
      {"temperature", "dc_env_dewpoint_celsius", true},
      {"humidity", "dc_env_humidity_ratio", true},
      {"humidity", "dc_ups_output_load_ratio", false},
      {"load", "dc_ups_output_phase_load_ratio", true},
      {"load", "dc_ups_battery_charge_ratio", false},
      {"charge", "dc_ups_battery_charge_ratio", true},
      {"runtime", "dc_ups_battery_runtime_seconds", true},
      {"runtime", "dc_ups_on_battery_seconds", false},
      {"airflow", "dc_env_airflow_ratio", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(SameUnitFamily(c.sensor_class, c.metric), c.same)
        << c.sensor_class << " vs " << c.metric;
  }
}

TEST(CloseEnough, AllowsHalfAPercentOrOneStepOfLibreNmsResolution) {
  EXPECT_TRUE(CloseEnough(Sensor("voltage", 230), 231.1));
  EXPECT_FALSE(CloseEnough(Sensor("voltage", 230), 231.2));
  // LibreNMS read 0.2 A from a 0.1 A column; the agent reads 0.22 A.
  EXPECT_TRUE(CloseEnough(Sensor("current", 0.2, 0.1), 0.22));
  EXPECT_FALSE(CloseEnough(Sensor("current", 0.2, 0.01), 0.22));
  EXPECT_TRUE(CloseEnough(Sensor("power", -26), -26));
}

TEST(MatchSensors, OneSeriesCannotAccountForTwoEqualReadings) {
  std::vector<ExpectedSensor> expected = {Sensor("voltage", 238),
                                          Sensor("voltage", 238)};
  std::vector<Sample> samples = {Series("dc_pdu_outlet_volts", 238)};
  MatchResult result = MatchSensors(expected, samples);
  EXPECT_EQ(result.matched, 1);
}

TEST(MatchSensors, FindsTheAssignmentThatMatchesMost) {
  // A greedy pass would give the first sensor the first sample and leave
  // the second without one.
  std::vector<ExpectedSensor> expected = {Sensor("voltage", 230, 1),
                                          Sensor("voltage", 231)};
  std::vector<Sample> samples = {Series("dc_ups_input_phase_volts", 231),
                                 Series("dc_ups_output_phase_volts", 229.5)};
  MatchResult result = MatchSensors(expected, samples);
  EXPECT_EQ(result.matched, 2);
  EXPECT_EQ(result.sample_for_sensor[0], 1);
  EXPECT_EQ(result.sample_for_sensor[1], 0);
}

TEST(MatchSensors, ValuesOfAnotherUnitFamilyDoNotCount) {
  std::vector<ExpectedSensor> expected = {Sensor("temperature", 50)};
  std::vector<Sample> samples = {Series("dc_ups_input_frequency_hertz", 50)};
  EXPECT_EQ(MatchSensors(expected, samples).matched, 0);
}

}  // namespace
}  // namespace dc::conformance
