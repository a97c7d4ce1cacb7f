// Columns read from a second table indexed like the measured one
// (`column_oid`, `digits_column_oid`) and values scaled by the decimal
// digits a row publishes in its own column (`digits_column`).
#include <gtest/gtest.h>

#include <cmath>

#include "collectors/snmp/poll_state.h"
#include "collectors/snmp/profile_loader.h"

namespace dc::snmp {
namespace {

// A Raritan-like pair: measurements at ...7.1 (column 4 the value),
// configuration at ...3.1 (column 2 the type, 4 the name, 17 the decimal
// digits), both indexed by (pdu, sensor). And a table whose own column 5
// gives the digits of column 4.
constexpr const char* kProfile = R"toml(
[profile]
name = "companion"
class = "pdu"
match = ["1.3.6.1.4.1.99999"]
[[table]]
oid = "1.3.6.1.4.1.99999.7.1"
index = [{}, {}]
  [[table.label]]
  column_oid = "1.3.6.1.4.1.99999.3.1.4"
  label = "sensor"
  [[table.metric]]
  column = 4
  metric = "dc_env_temperature_celsius"
  where = { column_oid = "1.3.6.1.4.1.99999.3.1.2", equals = 10 }
  digits_column_oid = "1.3.6.1.4.1.99999.3.1.17"
  [[table.metric]]
  column = 4
  metric = "dc_env_humidity_ratio"
  divisor = 100
  where = { column_oid = "1.3.6.1.4.1.99999.3.1.2", equals = 11 }
  digits_column_oid = "1.3.6.1.4.1.99999.3.1.17"
[[table]]
oid = "1.3.6.1.4.1.99999.8.1"
index = [{ label = "outlet" }]
  [[table.metric]]
  column = 4
  metric = "dc_pdu_outlet_amperes"
  labels = { unit = "1" }
  digits_column = 5
)toml";

Oid Join(const Oid& prefix, std::initializer_list<oid> index) {
  Oid o = prefix;
  o.insert(o.end(), index);
  return o;
}

RawValue Int(std::int64_t v) {
  RawValue raw;
  raw.type = ASN_INTEGER;
  raw.integer = v;
  return raw;
}

RawValue Str(std::string_view s) {
  RawValue raw;
  raw.type = ASN_OCTET_STR;
  raw.bytes = s;
  return raw;
}

class CompanionColumnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto errors = LoadProfileTexts({{"c.toml", kProfile}}, profiles_);
    ASSERT_TRUE(errors.empty()) << errors.front();
    TargetConfig target;
    target.max_table_rows = 100;
    plan_ = CompilePlan(profiles_.at("companion"), target);
  }

  // The planned column of table `t` whose OID is `prefix`.
  std::size_t ColumnOf(std::size_t t, const Oid& prefix) const {
    const auto& columns = plan_.tables[t].columns;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (columns[c].prefix == prefix)
        return c;
    }
    ADD_FAILURE() << "column not planned";
    return 0;
  }

  // Feeds value `v` of column `prefix`, row `index`, to table `t`.
  void Feed(PollState& state, std::size_t t, const Oid& prefix,
            std::initializer_list<oid> index, const RawValue& v) {
    state.AddTableValue(t, ColumnOf(t, prefix), Join(prefix, index), v);
  }

  static const Sample* Find(const PollResult& r, const std::string& name) {
    for (const Sample& s : r.samples) {
      if (s.name == name)
        return &s;
    }
    return nullptr;
  }

  static std::string Label(const Sample& s, const std::string& key) {
    for (const auto& [k, v] : s.labels) {
      if (k == key)
        return v;
    }
    return {};
  }

  ProfileSet profiles_;
  PollPlan plan_;
  const Oid kValue = {1, 3, 6, 1, 4, 1, 99999, 7, 1, 4};
  const Oid kType = {1, 3, 6, 1, 4, 1, 99999, 3, 1, 2};
  const Oid kName = {1, 3, 6, 1, 4, 1, 99999, 3, 1, 4};
  const Oid kDigits = {1, 3, 6, 1, 4, 1, 99999, 3, 1, 17};
};

TEST_F(CompanionColumnsTest, OtherTablesColumnsAreWalkedWithTheTable) {
  // Value, type, name and digits: four columns, one walk.
  ASSERT_EQ(plan_.tables[0].columns.size(), 4u);
  ColumnOf(0, kValue);
  ColumnOf(0, kType);
  ColumnOf(0, kName);
  ColumnOf(0, kDigits);
}

TEST_F(CompanionColumnsTest, TypeNameAndDigitsComeFromTheOtherTable) {
  PollState state(plan_);
  // Sensor 1.1: temperature, 1 digit. Sensor 1.2: humidity, 0 digits.
  // Sensor 1.3: a door contact, not read.
  Feed(state, 0, kType, {1, 1}, Int(10));
  Feed(state, 0, kType, {1, 2}, Int(11));
  Feed(state, 0, kType, {1, 3}, Int(43));
  Feed(state, 0, kName, {1, 1}, Str("Inlet"));
  Feed(state, 0, kName, {1, 2}, Str("Room"));
  Feed(state, 0, kName, {1, 3}, Str("Door"));
  Feed(state, 0, kDigits, {1, 1}, Int(1));
  Feed(state, 0, kDigits, {1, 2}, Int(0));
  Feed(state, 0, kDigits, {1, 3}, Int(0));
  Feed(state, 0, kValue, {1, 1}, Int(231));
  Feed(state, 0, kValue, {1, 2}, Int(45));
  Feed(state, 0, kValue, {1, 3}, Int(1));
  PollResult r = state.Finish(true);

  const Sample* t = Find(r, "dc_env_temperature_celsius");
  ASSERT_NE(t, nullptr);
  EXPECT_DOUBLE_EQ(t->value, 23.1);
  EXPECT_EQ(Label(*t, "sensor"), "Inlet");
  const Sample* h = Find(r, "dc_env_humidity_ratio");
  ASSERT_NE(h, nullptr);
  EXPECT_DOUBLE_EQ(h->value, 0.45);
  EXPECT_EQ(Label(*h, "sensor"), "Room");
  // One sample each (plus dc_device_info): the contact row gave none.
  EXPECT_EQ(r.samples.size(), 3u);
  EXPECT_TRUE(r.errors.empty());
}

TEST_F(CompanionColumnsTest, RowWithoutItsDigitsGivesNoSample) {
  PollState state(plan_);
  Feed(state, 0, kType, {1, 1}, Int(10));
  Feed(state, 0, kValue, {1, 1}, Int(231));
  PollResult r = state.Finish(true);
  // Served unscaled it would read 231 degrees; dropped as a decode error.
  EXPECT_EQ(Find(r, "dc_env_temperature_celsius"), nullptr);
  EXPECT_EQ(r.errors[ErrorReason::kDecode], 1u);
}

TEST_F(CompanionColumnsTest, DigitsColumnOfTheSameTable) {
  PollState state(plan_);
  const Oid value = {1, 3, 6, 1, 4, 1, 99999, 8, 1, 4};
  const Oid digits = {1, 3, 6, 1, 4, 1, 99999, 8, 1, 5};
  Feed(state, 1, value, {1}, Int(7467));
  Feed(state, 1, digits, {1}, Int(3));
  Feed(state, 1, value, {2}, Int(12));
  Feed(state, 1, digits, {2}, Str("many"));
  PollResult r = state.Finish(true);
  const Sample* a = Find(r, "dc_pdu_outlet_amperes");
  ASSERT_NE(a, nullptr);
  EXPECT_DOUBLE_EQ(a->value, 7.467);
  EXPECT_EQ(Label(*a, "outlet"), "1");
  EXPECT_EQ(r.errors[ErrorReason::kDecode], 1u);
}

TEST(CompanionColumnsLoader, BadColumnReferencesNameTheirPlace) {
  const char* text = R"toml(
[profile]
name = "bad"
class = "pdu"
match = ["1.3.6.1.4.1.99999"]
[[table]]
oid = "1.3.6.1.4.1.99999.7.1"
  [[table.label]]
  column = 3
  column_oid = "1.3.6.1.4.1.99999.3.1.4"
  label = "outlet_name"
  [[table.metric]]
  column = 4
  metric = "dc_pdu_outlet_amperes"
  labels = { unit = "1", outlet = "1" }
  digits_column_oid = "not.an.oid"
  where = { column_oid = "1.3.6.1.4.1.99999.3.1.2", column = 2, equals = 1 }
)toml";
  ProfileSet profiles;
  auto errors = LoadProfileTexts({{"bad.toml", text}}, profiles);
  EXPECT_EQ(errors.size(), 3u);
  auto has = [&](const std::string& place, const std::string& words) {
    for (const std::string& e : errors) {
      if (e.starts_with(place) && e.find(words) != std::string::npos)
        return true;
    }
    return false;
  };
  EXPECT_TRUE(has("bad.toml:9:12:", "'column_oid', not both"));
  EXPECT_TRUE(has("bad.toml:16:23:", "is not a numeric OID"));
  EXPECT_TRUE(has("bad.toml:17:26:", "'column_oid', not both"));
}

}  // namespace
}  // namespace dc::snmp
