// The dcplan command as users run it: the documented commands on the
// sample plan, errors and exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/planner/test_support.h"

namespace dc::plan {
namespace {

using testing::RunCommand;

std::string Dcplan(const std::string& args) {
  return std::string(DCPLAN_BINARY) + " " + args;
}

const std::string kExample = std::string(DCPLAN_EXAMPLES) + "/ministry-dc.toml";

TEST(Cli, ReportOnTheSamplePlanIsTheDocumentedDemo) {
  auto r = RunCommand(Dcplan("report " + kExample));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* section :
       {"CAPACITY", "REDUNDANCY", "AVAILABILITY", "TIMELINE", "ACTIONS"}) {
    EXPECT_NE(r.output.find(section), std::string::npos) << section;
  }
}

TEST(Cli, JsonReportHasEveryPart) {
  auto r = RunCommand(Dcplan("report " + kExample + " --format json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["plan"], "Ministry central DC");
  EXPECT_EQ(j["policy"]["tier_target"], 3);
  EXPECT_GT(j["redundancy"]["cases_checked"].get<int>(), 50);
  EXPECT_EQ(j["redundancy"]["tiers"].size(), 4u);
  ASSERT_FALSE(j["timeline"].empty());
  for (const auto& series : j["timeline"]) {
    // A rack's series spans the months the rack exists (projects add and
    // retire racks); every other one the whole plan.
    std::string first = series["points"].front()["date"];
    std::string last = series["points"].back()["date"];
    if (series["scope_kind"] == "rack") {
      EXPECT_GE(first, "2025-01-01");
      EXPECT_LE(last, "2030-12-01");
      continue;
    }
    EXPECT_EQ(first, "2025-01-01");
    EXPECT_EQ(last, "2030-12-01");
  }
  EXPECT_FALSE(j["racks"].empty());
  EXPECT_FALSE(j["availability"].empty());
}

TEST(Cli, CsvFilesAreWritten) {
  testing::ScratchDir dir;
  auto r = RunCommand(Dcplan("report " + kExample + " -o /dev/null --csv-dir " +
                             dir.File("out")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string timeline = testing::ReadFile(dir.File("out/timeline.csv"));
  EXPECT_EQ(timeline.rfind("date,resource,scope_kind,scope,unit,load_p50,", 0),
            0u);
  EXPECT_NE(timeline.find("2030-12-01,power,site,"), std::string::npos);
  EXPECT_FALSE(testing::ReadFile(dir.File("out/capacity.csv")).empty());
}

TEST(Cli, BadPlanExitsOneWithThePlace) {
  testing::ScratchDir dir;
  dir.Write("bad.toml", "[policy]\nups_max_load = 2\n");
  auto r = RunCommand(Dcplan("check " + dir.File("bad.toml")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(dir.File("bad.toml") + ":2:16: [policy]: "
                                                 "'ups_max_load': must be in"),
            std::string::npos)
      << r.output;
}

TEST(Cli, CsvMeasurementsReplaceBudgets) {
  testing::ScratchDir dir;
  // Rack a04 of the sample plan measured at 2 x 3 kW instead of its 7 kW
  // budget.
  dir.Write("loads.csv",
            "time,id,value\n2025-01-01T00:00:00Z,a04-a,3000\n"
            "2025-01-01T12:00:00Z,a04-b,3000\n");
  auto r = RunCommand(Dcplan("report " + kExample + " --csv " +
                             dir.File("loads.csv") + " --format json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  for (const auto& rack : j["racks"]) {
    double load = rack["load_w"].get<double>();
    if (rack["rack"] == "a04") {
      EXPECT_NEAR(load, 6000, 1e-6);
    } else if (rack["rack"] == "a05") {
      EXPECT_NEAR(load, 7000, 1e-6);
    }
  }

  dir.Write("typo.csv", "time,id,value\n2025-01-01,a04-x,3000\n");
  auto bad = RunCommand(
      Dcplan("report " + kExample + " --csv " + dir.File("typo.csv")));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find(dir.File("typo.csv") + ":2: 'a04-x' is neither"),
            std::string::npos)
      << bad.output;
}

TEST(Cli, HelpNamesTheSubcommands) {
  auto r = RunCommand(Dcplan("--help"));
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"report", "check", "rules"}) {
    EXPECT_NE(r.output.find(sub), std::string::npos) << sub;
  }
}

}  // namespace
}  // namespace dc::plan
