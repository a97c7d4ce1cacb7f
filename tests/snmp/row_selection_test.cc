// Picking rows of tables that mix kinds of reading: `where` conditions
// (equals, matches, not_matches, all of an array), numbers read out of
// text with `pattern`, labels cut with `pattern` and built with `format`,
// and one table read twice by one profile.
#include <gtest/gtest.h>

#include <regex>

#include "collectors/snmp/poll_state.h"
#include "collectors/snmp/profile_loader.h"

namespace dc::snmp {
namespace {

// A BMC-like sensor table: column 2 the reading as text, column 9 an
// upper threshold (zero for discrete sensors), column 13 the name. And a
// storage-like message table whose only column holds "NAME: VALUE UNIT".
constexpr const char* kProfile = R"toml(
[profile]
name = "mixed"
class = "server"
match = ["1.3.6.1.4.1.99999"]
[[table]]
oid = "1.3.6.1.4.1.99999.3.1"
max_rows = 50
  [[table.label]]
  column = 13
  label = "sensor"
  [[table.metric]]
  column = 2
  type = "string-number"
  metric = "dc_server_temperature_celsius"
  where = [{ column = 13, matches = "Temp" }, { column = 9, matches = "[1-9]" }]
  [[table.metric]]
  column = 2
  type = "string-number"
  metric = "dc_server_voltage_volts"
  where = [{ column = 13, matches = "V" },
           { column = 13, not_matches = "Temp" },
           { column = 9, matches = "[1-9]" }]
[[table]]
oid = "1.3.6.1.4.1.99999.3.1"
max_rows = 50
  [[table.label]]
  column = 13
  label = "fan"
  [[table.metric]]
  column = 2
  type = "string-number"
  metric = "dc_server_fan_rpm"
  where = { column = 13, matches = "^FAN" }
[[table]]
oid = "1.3.6.1.4.1.99999.8.1"
  [[table.label]]
  column = 6
  label = "sensor"
  pattern = "^(.*): [^:]*$"
  format = "{} ({index.2})"
  [[table.metric]]
  column = 6
  metric = "dc_server_temperature_celsius"
  pattern = ": (-?[0-9.]+) C( |$)"
  [[table.metric]]
  column = 6
  metric = "dc_server_voltage_volts"
  pattern = ": (-?[0-9.]+)V$"
)toml";

class RowSelectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto errors = LoadProfileTexts({{"mixed.toml", kProfile}}, profiles_);
    ASSERT_TRUE(errors.empty()) << errors.front();
    TargetConfig target;
    target.max_table_rows = 100;
    plan_ = CompilePlan(profiles_.at("mixed"), target);
  }

  static RawValue Str(std::string_view s) {
    RawValue raw;
    raw.type = ASN_OCTET_STR;
    raw.bytes = s;
    return raw;
  }

  // Feeds `text` as the value of column `column`, row `row` of table
  // `table` to every planned walk of that column.
  void Add(PollState& state, std::size_t table, oid column, Oid row,
           std::string_view text) {
    const PlannedTable& t = plan_.tables[table];
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      if (t.columns[c].prefix.back() != column)
        continue;
      Oid name = t.columns[c].prefix;
      name.insert(name.end(), row.begin(), row.end());
      state.AddTableValue(table, c, name, Str(text));
    }
  }

  // A sensor row of the BMC-like table, in both walks of it.
  void Sensor(PollState& state, oid row, std::string_view name,
              std::string_view reading, std::string_view threshold) {
    for (std::size_t table : {0u, 1u}) {
      Add(state, table, 2, {row}, reading);
      Add(state, table, 9, {row}, threshold);
      Add(state, table, 13, {row}, name);
    }
  }

  static std::vector<std::pair<std::string, double>> Series(
      const PollResult& r, const std::string& metric,
      const std::string& label) {
    std::vector<std::pair<std::string, double>> out;
    for (const Sample& s : r.samples) {
      if (s.name != metric)
        continue;
      for (const auto& [k, v] : s.labels) {
        if (k == label)
          out.emplace_back(v, s.value);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  ProfileSet profiles_;
  PollPlan plan_;
};

TEST_F(RowSelectionTest, OwnTablesOnOneEntryAreAllKept) {
  ASSERT_EQ(plan_.tables.size(), 3u);
  EXPECT_EQ(plan_.tables[0].spec->entry, plan_.tables[1].spec->entry);
}

TEST_F(RowSelectionTest, EveryConditionOfAWhereMustHold) {
  PollState state(plan_);
  Sensor(state, 1, "CPU Temp", "32.000", "101.000");
  Sensor(state, 2, "VRMCpu Temp", "35.000", "105.000");  // has a V
  Sensor(state, 3, "DIMMC1 Temp", "0.000", "0.000");     // absent
  Sensor(state, 4, "12V", "12.111", "13.331");
  Sensor(state, 5, "VBAT", "4.000", "0.000");  // discrete
  Sensor(state, 6, "FAN1", "8100.000", "25400.000");
  Sensor(state, 7, "PS1 Status", "1.000", "0.000");
  PollResult r = state.Finish(true);

  using Got = std::vector<std::pair<std::string, double>>;
  EXPECT_EQ(Series(r, "dc_server_temperature_celsius", "sensor"),
            (Got{{"CPU Temp", 32}, {"VRMCpu Temp", 35}}));
  EXPECT_EQ(Series(r, "dc_server_voltage_volts", "sensor"),
            (Got{{"12V", 12.111}}));
  EXPECT_EQ(Series(r, "dc_server_fan_rpm", "fan"), (Got{{"FAN1", 8100}}));
  EXPECT_TRUE(r.errors.empty());
}

TEST_F(RowSelectionTest, PatternReadsNumbersAndLabelsOutOfText) {
  PollState state(plan_);
  Add(state, 2, 6, {7, 1}, "CPU Temperature-Ctlr B: 61 C 141.80F");
  Add(state, 2, 6, {7, 2}, "Capacitor Pack Voltage-Ctlr B: 8.14V");
  Add(state, 2, 6, {7, 3}, "Baseplane Temp Loc: Drawer: 25 C 77.00F");
  Add(state, 2, 6, {7, 4}, "Baseplane Temp Loc: Drawer: 26 C 78.80F");
  Add(state, 2, 6, {7, 5}, "Overall Unit Status: OK");
  Add(state, 2, 6, {7, 6}, "Broken Temperature: . C");
  PollResult r = state.Finish(true);

  using Got = std::vector<std::pair<std::string, double>>;
  EXPECT_EQ(Series(r, "dc_server_temperature_celsius", "sensor"),
            (Got{{"Baseplane Temp Loc: Drawer (3)", 25},
                 {"Baseplane Temp Loc: Drawer (4)", 26},
                 {"CPU Temperature-Ctlr B (1)", 61}}));
  EXPECT_EQ(Series(r, "dc_server_voltage_volts", "sensor"),
            (Got{{"Capacitor Pack Voltage-Ctlr B (2)", 8.14}}));
  // A status text matches no pattern and is no error; a match without a
  // number is one.
  EXPECT_EQ(r.errors[ErrorReason::kDecode], 1u);
}

TEST_F(RowSelectionTest, LongTextsAreCutBeforeMatching) {
  // A pathological 64 KiB message neither crashes the matcher nor
  // matches past the first 512 bytes.
  PollState state(plan_);
  std::string text(65536, 'x');
  text += ": 5V";
  Add(state, 2, 6, {7, 1}, text);
  Add(state, 2, 6, {7, 2}, "Short: 5V");
  PollResult r = state.Finish(true);
  using Got = std::vector<std::pair<std::string, double>>;
  EXPECT_EQ(Series(r, "dc_server_voltage_volts", "sensor"),
            (Got{{"Short (2)", 5}}));
}

TEST(RowSelectionLoader, BadFiltersAndPatternsNameTheirPlace) {
  const std::string head =
      "[profile]\nname = \"t\"\nclass = \"environment\"\n"
      "match = [\"1.3.6.1.4.1.99999\"]\n"
      "[[table]]\noid = \"1.3.6.1.2\"\n"
      "[[table.label]]\ncolumn = 3\nlabel = \"sensor\"\n";  // 9 lines
  const std::string metric =
      "[[table.metric]]\ncolumn = 2\n"
      "metric = \"dc_env_temperature_celsius\"\n";  // lines 10 to 12
  struct Case {
    const char* name;
    std::string text;
    int line;
    const char* meaning;
  };
  const Case cases[] = {
      {"bad regex", head + metric + "where = { column = 4, matches = \"(\" }\n",
       13, "not a regular expression"},
      {"two tests",
       head + metric + "where = { column = 4, equals = 1, matches = \"x\" }\n",
       13, "exactly one of 'equals', 'matches' or 'not_matches'"},
      {"no test", head + metric + "where = { column = 4 }\n", 13,
       "exactly one of 'equals'"},
      {"empty array", head + metric + "where = []\n", 13,
       "at least one condition"},
      {"not a table", head + metric + "where = [1]\n", 13, "takes a table"},
      {"pattern without group", head + metric + "pattern = \"[0-9]+\"\n", 13,
       "capture group"},
      {"label format placeholder", head + "format = \"{index}\"\n" + metric, 10,
       "{index.N}"},
      {"label format zero", head + "format = \"{index.0} {}\"\n" + metric, 10,
       "{index.N}"},
  };
  for (const Case& c : cases) {
    ProfileSet set;
    auto errors = LoadProfileTexts({{"p.toml", c.text}}, set);
    ASSERT_FALSE(errors.empty()) << c.name;
    std::regex place("^p\\.toml:" + std::to_string(c.line) + ":[0-9]+: .*");
    bool found = false;
    for (const auto& e : errors) {
      found |=
          std::regex_match(e, place) && e.find(c.meaning) != std::string::npos;
    }
    EXPECT_TRUE(found) << c.name << ": got " << errors.front();
  }
}

}  // namespace
}  // namespace dc::snmp
