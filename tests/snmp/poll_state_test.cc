#include <gtest/gtest.h>

#include <map>
#include <random>

#include "collectors/snmp/poll_state.h"
#include "collectors/snmp/profile_loader.h"

namespace dc::snmp {
namespace {

RawValue RawValueOf(std::int64_t v) {
  RawValue raw;
  raw.type = ASN_INTEGER;
  raw.integer = v;
  return raw;
}

// An outlet table indexed by (bank, outlet name as a string), with the
// outlet name also read from column 2 and the current from column 3.
constexpr const char* kProfile = R"(
[profile]
name = "pdu-test"
class = "pdu"
vendor = "Test"
match = ["1.3.6.1.4.1.99999"]
[info]
model = { oid = "1.3.6.1.4.1.99999.1.0" }
[[metric]]
oid = "1.3.6.1.4.1.99999.2.0"
metric = "dc_pdu_input_watts"
labels = { unit = "1" }
drop = [-1]
[[metric]]
oid = "1.3.6.1.4.1.99999.3.0"
type = "timeticks"
metric = "dc_device_alarms"
[[table]]
oid = "1.3.6.1.4.1.99999.5.1"
index = [ { label = "outlet", format = "o{}" } ]
max_rows = 3
  [[table.label]]
  column = 2
  label = "outlet_name"
  [[table.metric]]
  column = 3
  metric = "dc_pdu_outlet_amperes"
  labels = { unit = "1" }
  divisor = 10
[[table]]
oid = "1.3.6.1.4.1.99999.6.1"
index = [ { }, { label = "bank", string = true } ]
  [[table.metric]]
  column = 2
  metric = "dc_pdu_bank_amperes"
  labels = { unit = "1" }
[[table]]
oid = "1.3.6.1.4.1.99999.7.1"
index = [ { label = "outlet" }, { } ]
  [[table.metric]]
  column = 3
  metric = "dc_pdu_outlet_watts"
  labels = { unit = "1" }
  where = { index = 2, equals = 5 }
  [[table.metric]]
  column = 3
  metric = "dc_pdu_outlet_volts"
  labels = { unit = "1" }
  where = { column = 2, equals = ["volts", "V"] }
)";

class PollStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto errors = LoadProfileTexts({{"pdu.toml", kProfile}}, profiles_);
    ASSERT_TRUE(errors.empty()) << errors.front();
    TargetConfig target;
    target.max_table_rows = 100;
    plan_ = CompilePlan(profiles_.at("pdu-test"), target);
  }

  static RawValue Int(std::int64_t v, unsigned char type = ASN_INTEGER) {
    RawValue raw;
    raw.type = type;
    raw.integer = v;
    return raw;
  }
  static RawValue Str(std::string_view s) {
    RawValue raw;
    raw.type = ASN_OCTET_STR;
    raw.bytes = s;
    return raw;
  }
  static const Sample* Find(const PollResult& r, const std::string& name,
                            const std::string& label = "",
                            const std::string& value = "") {
    for (const Sample& s : r.samples) {
      if (s.name != name)
        continue;
      if (label.empty())
        return &s;
      for (const auto& [k, v] : s.labels) {
        if (k == label && v == value)
          return &s;
      }
    }
    return nullptr;
  }

  ProfileSet profiles_;
  PollPlan plan_;
};

TEST_F(PollStateTest, ScalarsInfoAndSentinels) {
  ASSERT_EQ(plan_.scalars.size(), 3u);  // model, watts, alarms
  PollState state(plan_);
  state.AddScalar(0, Str("PDU 9000  "));
  state.AddScalar(1, Int(-1));  // dropped sentinel
  state.AddScalar(2, Int(250, ASN_TIMETICKS));
  PollResult r = state.Finish(true);
  EXPECT_TRUE(r.success);
  EXPECT_EQ(Find(r, "dc_pdu_input_watts"), nullptr);
  ASSERT_NE(Find(r, "dc_device_alarms"), nullptr);
  EXPECT_DOUBLE_EQ(Find(r, "dc_device_alarms")->value, 2.5);
  const Sample* info = Find(r, "dc_device_info", "model", "PDU 9000");
  ASSERT_NE(info, nullptr);
  EXPECT_NE(Find(r, "dc_device_info", "profile", "pdu-test"), nullptr);
  EXPECT_NE(Find(r, "dc_device_info", "vendor", "Test"), nullptr);
}

TEST_F(PollStateTest, TableRowsTakeIndexAndColumnLabels) {
  PollState state(plan_);
  const PlannedTable& t = plan_.tables[0];
  ASSERT_EQ(t.columns.size(), 2u);  // column 2 (label), 3 (metric)
  auto name = [&](oid column, oid row) {
    Oid o = t.spec->entry;
    o.push_back(column);
    o.push_back(row);
    return o;
  };
  // Side-by-side walk: (2.1, 3.1), (2.2, 3.2).
  EXPECT_EQ(state.AddTableValue(0, 0, name(2, 1), Str("web")),
            PollState::Step::kMore);
  EXPECT_EQ(state.AddTableValue(0, 1, name(3, 1), Int(15)),
            PollState::Step::kMore);
  EXPECT_EQ(state.AddTableValue(0, 0, name(2, 2), Str("")),
            PollState::Step::kMore);
  EXPECT_EQ(state.AddTableValue(0, 1, name(3, 2), Int(7)),
            PollState::Step::kMore);
  // Column 2 walks into column 3: that column is done.
  EXPECT_EQ(state.AddTableValue(0, 0, name(3, 1), Int(15)),
            PollState::Step::kColumnDone);
  PollResult r = state.Finish(true);
  const Sample* web = Find(r, "dc_pdu_outlet_amperes", "outlet_name", "web");
  ASSERT_NE(web, nullptr);
  EXPECT_DOUBLE_EQ(web->value, 1.5);
  const Sample* second = Find(r, "dc_pdu_outlet_amperes", "outlet", "o2");
  ASSERT_NE(second, nullptr);
  // An empty outlet name is left out rather than served empty.
  for (const auto& [k, v] : second->labels)
    EXPECT_NE(k, "outlet_name");
}

TEST_F(PollStateTest, StringIndexIsDecoded) {
  PollState state(plan_);
  Oid o = plan_.tables[1].spec->entry;
  o.insert(o.end(), {2, 1, 2, 'A', '1'});
  state.AddTableValue(1, 0, o, Int(12));
  Oid bad = plan_.tables[1].spec->entry;
  bad.insert(bad.end(), {2, 2, 9, 'B'});  // length past the end
  state.AddTableValue(1, 0, bad, Int(3));
  PollResult r = state.Finish(true);
  const Sample* a1 = Find(r, "dc_pdu_bank_amperes", "bank", "A1");
  ASSERT_NE(a1, nullptr);
  EXPECT_DOUBLE_EQ(a1->value, 12);
  EXPECT_EQ(r.errors[ErrorReason::kDecode], 1u);
}

// An IMPLIED string index (SMIv2 `INDEX { IMPLIED name }`) has no length
// component: the name is every component after the fixed ones.
TEST(PollStateImpliedIndex, TakesTheRestOfTheIndexAsText) {
  constexpr const char* kText = R"(
[profile]
name = "implied-test"
class = "environment"
vendor = "Test"
match = ["1.3.6.1.4.1.99998"]

[[table]]
oid = "1.3.6.1.4.1.99998.1.1"
index = [ { }, { label = "sensor", string = true, implied = true } ]
  [[table.metric]]
  column = 2
  metric = "dc_env_temperature_celsius"
)";
  ProfileSet profiles;
  auto errors = LoadProfileTexts({{"implied.toml", kText}}, profiles);
  ASSERT_TRUE(errors.empty()) << errors.front();
  TargetConfig target;
  PollPlan plan = CompilePlan(profiles.at("implied-test"), target);
  PollState state(plan);
  Oid inlet = plan.tables[0].spec->entry;
  inlet.insert(inlet.end(), {2, 7, 'i', 'n', 'l', 'e', 't'});
  state.AddTableValue(0, 0, inlet, RawValueOf(23));
  Oid outlet = plan.tables[0].spec->entry;
  outlet.insert(outlet.end(), {2, 7, 'o', 'u', 't'});
  state.AddTableValue(0, 0, outlet, RawValueOf(31));
  PollResult r = state.Finish(true);
  std::map<std::string, double> by_sensor;
  for (const Sample& s : r.samples) {
    for (const auto& [k, v] : s.labels) {
      if (k == "sensor")
        by_sensor[v] = s.value;
    }
  }
  // Read with a length prefix, the 'i' (105) would have been a length
  // past the end of the index and the row dropped as a decode error.
  EXPECT_EQ(by_sensor,
            (std::map<std::string, double>{{"inlet", 23}, {"out", 31}}));
  EXPECT_EQ(r.errors[ErrorReason::kDecode], 0u);
}

TEST_F(PollStateTest, NonIncreasingOidEndsTheColumn) {
  PollState state(plan_);
  Oid first = plan_.tables[0].columns[1].prefix;
  first.push_back(5);
  Oid back = plan_.tables[0].columns[1].prefix;
  back.push_back(4);
  EXPECT_EQ(state.AddTableValue(0, 1, first, Int(1)), PollState::Step::kMore);
  EXPECT_EQ(state.AddTableValue(0, 1, back, Int(1)),
            PollState::Step::kColumnDone);
  EXPECT_EQ(state.AddTableValue(0, 1, first, Int(1)),
            PollState::Step::kColumnDone);
  EXPECT_EQ(state.result().errors[ErrorReason::kNonIncreasing], 1u);
}

TEST_F(PollStateTest, RowLimitStopsTheTable) {
  PollState state(plan_);
  PollState::Step last = PollState::Step::kMore;
  for (oid row = 1; row <= 5 && last == PollState::Step::kMore; ++row) {
    Oid o = plan_.tables[0].columns[1].prefix;
    o.push_back(row);
    last = state.AddTableValue(0, 1, o, Int(10));
  }
  EXPECT_EQ(last, PollState::Step::kTableDone);
  EXPECT_TRUE(state.TableDone(0));
  PollResult r = state.Finish(true);
  EXPECT_EQ(r.errors[ErrorReason::kOversizedTable], 1u);
  int rows = 0;
  for (const Sample& s : r.samples)
    rows += s.name == "dc_pdu_outlet_amperes";
  EXPECT_EQ(rows, 3);
}

TEST_F(PollStateTest, WhereKeepsOnlyMatchingRows) {
  PollState state(plan_);
  const PlannedTable& t = plan_.tables[2];
  ASSERT_EQ(t.columns.size(), 2u);  // column 2 (filter), column 3
  auto name = [&](std::size_t column, oid a, oid b) {
    Oid o = t.columns[column].prefix;
    o.push_back(a);
    o.push_back(b);
    return o;
  };
  state.AddTableValue(2, 0, name(0, 1, 5), Str("watts"));
  state.AddTableValue(2, 1, name(1, 1, 5), Int(100));
  state.AddTableValue(2, 0, name(0, 2, 7), Str("V"));
  state.AddTableValue(2, 1, name(1, 2, 7), Int(230));
  PollResult r = state.Finish(true);
  int watts = 0, volts = 0;
  for (const Sample& s : r.samples) {
    watts += s.name == "dc_pdu_outlet_watts";
    volts += s.name == "dc_pdu_outlet_volts";
  }
  EXPECT_EQ(watts, 1);
  EXPECT_EQ(volts, 1);
  const Sample* w = Find(r, "dc_pdu_outlet_watts", "outlet", "1");
  ASSERT_NE(w, nullptr);
  EXPECT_DOUBLE_EQ(w->value, 100);
  const Sample* v = Find(r, "dc_pdu_outlet_volts", "outlet", "2");
  ASSERT_NE(v, nullptr);
  EXPECT_DOUBLE_EQ(v->value, 230);
  EXPECT_TRUE(r.errors.empty());
}

// Random varbinds, right or wrong for the plan, never crash the mapping.
TEST_F(PollStateTest, FuzzedVarbindsNeverCrash) {
  std::mt19937 random(777);
  const unsigned char types[] = {ASN_INTEGER,       ASN_OCTET_STR,
                                 ASN_NULL,          ASN_OBJECT_ID,
                                 ASN_IPADDRESS,     ASN_COUNTER,
                                 ASN_GAUGE,         ASN_TIMETICKS,
                                 ASN_OPAQUE,        ASN_COUNTER64,
                                 ASN_OPAQUE_FLOAT,  ASN_OPAQUE_DOUBLE,
                                 SNMP_NOSUCHOBJECT, SNMP_NOSUCHINSTANCE,
                                 SNMP_ENDOFMIBVIEW, 0x4F};
  std::string bytes(200, '\0');
  std::vector<oid> oid_value(10);
  for (int round = 0; round < 200; ++round) {
    PollState state(plan_);
    for (int i = 0; i < 200; ++i) {
      RawValue raw;
      raw.type = types[random() % sizeof(types)];
      raw.integer = static_cast<std::int64_t>(random()) - (1LL << 30);
      raw.counter64 = (static_cast<std::uint64_t>(random()) << 32) | random();
      raw.real = std::ldexp(static_cast<double>(random()),
                            static_cast<int>(random() % 2000) - 1000);
      for (auto& c : bytes)
        c = static_cast<char>(random());
      raw.bytes = std::string_view(bytes).substr(0, random() % bytes.size());
      for (auto& o : oid_value)
        o = random() % 8;
      raw.oid_value = OidView(oid_value).first(random() % oid_value.size());
      if (random() % 2) {
        state.AddScalar(random() % plan_.scalars.size(), raw);
      } else {
        std::size_t t = random() % plan_.tables.size();
        std::size_t c = random() % plan_.tables[t].columns.size();
        Oid name = plan_.tables[t].columns[c].prefix;
        std::size_t extra = random() % 6;
        for (std::size_t k = 0; k < extra; ++k)
          name.push_back(random() % 300);
        if (random() % 10 == 0)
          name.resize(random() % name.size());
        state.AddTableValue(t, c, name, raw);
      }
    }
    PollResult r = state.Finish(random() % 2);
    for (const Sample& s : r.samples)
      EXPECT_FALSE(s.name.empty());
  }
}

}  // namespace
}  // namespace dc::snmp
