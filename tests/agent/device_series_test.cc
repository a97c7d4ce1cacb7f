// Rendering of device series: labels merged and sorted, text escaped, one
// HELP and TYPE per family across targets, metrics outside the schema left
// out.
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "agent/device_series.h"
#include "agent/status_page.h"
#include "tests/agent/fakes.h"

namespace dc::agent {
namespace {

using testing::MakeSample;

std::string Render(
    const std::vector<std::shared_ptr<const DeviceSnapshot>>& snapshots) {
  std::vector<const DeviceSnapshot*> pointers;
  for (const auto& s : snapshots)
    pointers.push_back(s.get());
  std::string out;
  AppendDeviceSeries(pointers, out);
  return out;
}

TEST(DeviceSeriesTest, MergesTargetAndSampleLabelsInNameOrder) {
  Labels target = {{"device", "pdu-1"}, {"rack", "R01"}, {"site", "dc1"}};
  auto snapshot = DeviceSnapshot::Build(
      std::vector<Sample>{MakeSample("dc_pdu_outlet_watts",
                                     {{"outlet_name", "srv"}, {"outlet", "3"}},
                                     120.5)},
      target);
  EXPECT_EQ(Render({snapshot}),
            "# HELP dc_pdu_outlet_watts Active power drawn at an outlet.\n"
            "# TYPE dc_pdu_outlet_watts gauge\n"
            "dc_pdu_outlet_watts{device=\"pdu-1\",outlet=\"3\","
            "outlet_name=\"srv\",rack=\"R01\",site=\"dc1\"} 120.5\n");
}

TEST(DeviceSeriesTest, OneHeaderPerFamilyAcrossTargetsInNameOrder) {
  auto a = DeviceSnapshot::Build(
      std::vector<Sample>{
          MakeSample("dc_ups_output_watts", {}, 1000),
          MakeSample("dc_ups_battery_charge_ratio", {}, 1),
      },
      {{"device", "a"}});
  auto b = DeviceSnapshot::Build(
      std::vector<Sample>{MakeSample("dc_ups_battery_charge_ratio", {}, 0.5)},
      {{"device", "b"}});
  std::string text = Render({a, b});

  EXPECT_EQ(text,
            "# HELP dc_ups_battery_charge_ratio Battery charge, 0 to 1.\n"
            "# TYPE dc_ups_battery_charge_ratio gauge\n"
            "dc_ups_battery_charge_ratio{device=\"a\"} 1\n"
            "dc_ups_battery_charge_ratio{device=\"b\"} 0.5\n"
            "# HELP dc_ups_output_watts Total output active power.\n"
            "# TYPE dc_ups_output_watts gauge\n"
            "dc_ups_output_watts{device=\"a\"} 1000\n");
}

TEST(DeviceSeriesTest, EscapesLabelValuesAndWritesSpecialValues) {
  auto snapshot = DeviceSnapshot::Build(
      std::vector<Sample>{
          MakeSample("dc_env_temperature_celsius",
                     {{"sensor", "a \"b\" \\c\nd"}},
                     std::numeric_limits<double>::quiet_NaN()),
          MakeSample("dc_env_temperature_celsius", {{"sensor", "hot"}},
                     std::numeric_limits<double>::infinity()),
          MakeSample("dc_env_temperature_celsius", {{"sensor", "cold"}},
                     -std::numeric_limits<double>::infinity()),
      },
      {{"device", "e"}});
  std::string text = Render({snapshot});
  EXPECT_NE(text.find("{device=\"e\",sensor=\"a \\\"b\\\" \\\\c\\nd\"} NaN\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sensor=\"hot\"} +Inf\n"), std::string::npos);
  EXPECT_NE(text.find("sensor=\"cold\"} -Inf\n"), std::string::npos);
}

TEST(DeviceSeriesTest, CountersAreTypedAndUnknownMetricsLeftOut) {
  auto snapshot = DeviceSnapshot::Build(
      std::vector<Sample>{
          MakeSample("dc_meter_energy_joules_total", {}, 3.6e9),
          MakeSample("vendor_private_metric", {}, 1),
      },
      {{"device", "m"}});
  EXPECT_EQ(snapshot->series(), 1u);
  EXPECT_EQ(snapshot->dropped(), 1u);
  std::string text = Render({snapshot});
  EXPECT_NE(text.find("# TYPE dc_meter_energy_joules_total counter\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("dc_meter_energy_joules_total{device=\"m\"} 3600000000\n"),
      std::string::npos)
      << text;
  EXPECT_EQ(text.find("vendor_private_metric"), std::string::npos);
}

TEST(DeviceSeriesTest, TargetLabelsWinOverASampleLabelOfTheSameName) {
  auto snapshot = DeviceSnapshot::Build(
      std::vector<Sample>{
          MakeSample("dc_device_alarms", {{"device", "spoofed"}}, 2)},
      {{"device", "real"}});
  EXPECT_EQ(Render({snapshot}).find("spoofed"), std::string::npos);
}

TEST(DeviceSeriesTest, RemembersTheProfileAnAutoTargetResolvedTo) {
  auto snapshot = DeviceSnapshot::Build(
      std::vector<Sample>{MakeSample(
          "dc_device_info", {{"class", "ups"}, {"profile", "apc-ups"}}, 1)},
      {{"device", "u"}});
  EXPECT_EQ(snapshot->resolved_profile(), "apc-ups");
}

TEST(StatusPageTest, EscapesEverythingFromConfigAndDevices) {
  auto info = std::make_shared<TargetInfo>();
  info->name = "ups<script>";
  info->protocol = "snmp";
  info->address = "udp:\"x\"&y";
  info->profile = "auto";
  auto view = std::make_shared<TargetView>();
  view->info = info;
  view->state = TargetState::kDown;
  view->last_error = "<b>timeout</b> 'quoted'";
  StatusHeader header;
  header.version = "1<2";
  header.config_path = "/etc/<x>";
  std::string page = RenderStatusPage(header, {view}, 0);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);
  EXPECT_NE(page.find("ups&lt;script&gt;"), std::string::npos);
  EXPECT_NE(page.find("udp:&quot;x&quot;&amp;y"), std::string::npos);
  EXPECT_NE(page.find("&lt;b&gt;timeout&lt;/b&gt; &#39;quoted&#39;"),
            std::string::npos);
  EXPECT_NE(page.find("class=\"down\">down</td>"), std::string::npos);
}

// Whole numbers take a faster path than fmt; the text must be the same.
TEST(DeviceSeriesTest, ValuesReadBackExactlyAndMatchFmtsShortestForm) {
  std::vector<double> values = {
      0,    -0.0, 1,    -1,  100,     0.5,        -2.25, 1e15 - 1,    1e15,
      1e16, 1e21, 1e-7, 0.1, 1.0 / 3, 3600000000, -1e15, 1.7e9 + 0.25};
  std::mt19937_64 random(7);
  for (int i = 0; i < 2000; ++i) {
    auto whole = static_cast<std::int64_t>(random() % 4000000000000000) -
                 2000000000000000;
    values.push_back(static_cast<double>(whole));
    values.push_back(static_cast<double>(whole) / 1024);
  }
  for (double value : values) {
    std::string text;
    AppendValue(value, text);
    EXPECT_EQ(text, fmt::format("{}", value));
    EXPECT_EQ(std::stod(text), value) << text;
    EXPECT_EQ(std::signbit(std::stod(text)), std::signbit(value)) << text;
  }
}

TEST(DeviceSeriesTest, RunsOfOneMetricAndSeparatedFamiliesKeepTheirOrder) {
  // The same metric in runs and apart (table rows come row by row), and
  // a metric outside the schema in between.
  auto snapshot = DeviceSnapshot::Build(
      std::vector<Sample>{
          MakeSample("dc_ups_input_phase_volts", {{"phase", "L1"}}, 230),
          MakeSample("dc_ups_input_phase_amperes", {{"phase", "L1"}}, 10),
          MakeSample("vendor_private_metric", {}, 1),
          MakeSample("dc_ups_input_phase_volts", {{"phase", "L2"}}, 231),
          MakeSample("dc_ups_input_phase_amperes", {{"phase", "L2"}}, 11),
          MakeSample("dc_ups_input_phase_volts", {{"phase", "L3"}}, 232),
      },
      {{"device", "u"}});
  EXPECT_EQ(snapshot->series(), 5u);
  EXPECT_EQ(snapshot->dropped(), 1u);
  std::string text = Render({snapshot});
  auto at = [&](std::string_view line) { return text.find(line); };
  EXPECT_LT(at("dc_ups_input_phase_amperes{device=\"u\",phase=\"L1\"} 10\n"),
            at("dc_ups_input_phase_amperes{device=\"u\",phase=\"L2\"} 11\n"));
  EXPECT_LT(at("dc_ups_input_phase_volts{device=\"u\",phase=\"L1\"} 230\n"),
            at("dc_ups_input_phase_volts{device=\"u\",phase=\"L2\"} 231\n"));
  EXPECT_LT(at("dc_ups_input_phase_volts{device=\"u\",phase=\"L2\"} 231\n"),
            at("dc_ups_input_phase_volts{device=\"u\",phase=\"L3\"} 232\n"));
  EXPECT_NE(at("dc_ups_input_phase_volts{device=\"u\",phase=\"L3\"} 232\n"),
            std::string::npos);
  std::size_t bytes = 0;
  for (const auto& family : snapshot->families())
    bytes += family.text.size();
  EXPECT_EQ(bytes, snapshot->bytes());
}

}  // namespace
}  // namespace dc::agent
