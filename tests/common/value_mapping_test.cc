#include <gtest/gtest.h>

#include "collectors/common/value_mapping.h"

namespace dc {
namespace {

std::optional<ValueMapping> Read(std::string_view text,
                                 std::vector<std::string> extra,
                                 TomlErrors& errors) {
  static toml::table t;
  t = toml::parse(text, std::string_view("p.toml"));
  TableReader r(t, "[[metric]]", errors);
  auto m = ReadValueMapping(r, extra);
  r.Finish();
  return errors.empty() ? m : std::nullopt;
}

TEST(ValueMapping, ScalesAndDropsSentinels) {
  TomlErrors errors;
  auto m = Read(
      "metric = \"dc_ups_battery_charge_ratio\"\nscale = 1\ndivisor = 100\n"
      "drop = [-1, 65535]\n",
      {}, errors);
  ASSERT_TRUE(m) << errors.Joined();
  std::vector<Sample> out;
  EXPECT_TRUE(AppendSamples(*m, 87, {}, out));
  EXPECT_TRUE(AppendSamples(*m, -1, {}, out));
  EXPECT_TRUE(AppendSamples(*m, 65535, {}, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].value, 0.87);
}

TEST(ValueMapping, StatesBecomeOneSeriesPerState) {
  TomlErrors errors;
  auto m = Read(
      "metric = \"dc_ups_output_source\"\nstate_label = \"source\"\n"
      "states = { 3 = \"normal\", 5 = \"battery\" }\n",
      {}, errors);
  ASSERT_TRUE(m) << errors.Joined();
  std::vector<Sample> out;
  EXPECT_TRUE(AppendSamples(*m, 5, {}, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].labels.back().second, "normal");
  EXPECT_EQ(out[0].value, 0);
  EXPECT_EQ(out[1].labels.back().second, "battery");
  EXPECT_EQ(out[1].value, 1);

  out.clear();
  EXPECT_FALSE(AppendSamples(*m, 9, {}, out));  // unknown code
  for (const auto& s : out)
    EXPECT_EQ(s.value, 0);
}

TEST(ValueMapping, BitAndLookup) {
  TomlErrors errors;
  auto bit = Read("metric = \"dc_cooling_alarm\"\nbit = 3\n", {"unit"}, errors);
  ASSERT_TRUE(bit) << errors.Joined();
  std::vector<Sample> out;
  AppendSamples(*bit, 0b1000, {}, out);
  AppendSamples(*bit, 0b0111, {}, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].value, 1);
  EXPECT_EQ(out[1].value, 0);

  auto lookup = Read(
      "metric = \"dc_ups_battery_replace_needed\"\n"
      "lookup = { 1 = 0, 2 = 1 }\n",
      {}, errors);
  ASSERT_TRUE(lookup) << errors.Joined();
  out.clear();
  EXPECT_TRUE(AppendSamples(*lookup, 2, {}, out));
  EXPECT_FALSE(AppendSamples(*lookup, 7, {}, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, 1);
}

TEST(ValueMapping, RejectsUnknownMetricAndWrongLabels) {
  {
    TomlErrors errors;
    EXPECT_FALSE(Read("metric = \"dc_ups_volts\"\n", {}, errors));
    EXPECT_NE(errors.Joined().find("not a schema metric"), std::string::npos);
  }
  {
    TomlErrors errors;
    EXPECT_FALSE(Read("metric = \"dc_ups_output_phase_volts\"\n", {}, errors));
    EXPECT_NE(errors.Joined().find("needs the label 'phase'"),
              std::string::npos);
  }
  {
    TomlErrors errors;
    EXPECT_TRUE(
        Read("metric = \"dc_ups_output_phase_volts\"\n", {"phase"}, errors));
  }
  {
    TomlErrors errors;
    EXPECT_FALSE(
        Read("metric = \"dc_ups_output_watts\"\n"
             "labels = { phase = \"L1\" }\n",
             {}, errors));
    EXPECT_NE(errors.Joined().find("has no label 'phase'"), std::string::npos);
  }
}

}  // namespace
}  // namespace dc
