#include <gtest/gtest.h>

#include "planner/inventory_loader.h"
#include "tests/planner/test_support.h"

namespace dc::plan {
namespace {

std::vector<std::string> Errors(std::string_view text) {
  auto plan = ParsePlan(text, "plan.toml");
  return plan ? std::vector<std::string>{} : plan.error();
}

bool Has(const std::vector<std::string>& errors, std::string_view text) {
  for (const auto& e : errors) {
    if (e.find(text) != std::string::npos)
      return true;
  }
  return false;
}

std::string All(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors)
    out += e + "\n";
  return out;
}

TEST(InventoryLoader, LoadsTheSmallSite) {
  Plan plan = testing::MustParse(testing::SmallSite());
  EXPECT_EQ(plan.ups.size(), 2u);
  EXPECT_EQ(plan.cooling.size(), 3u);
  EXPECT_EQ(plan.policy.breaker_derating, 0.8);
}

TEST(InventoryLoader, UnknownKeyNamesFileLineAndColumn) {
  auto errors = Errors(
      "[[room]]\nid = \"r\"\nrack_positions = 4\n"
      "rack_postions = 5\n");
  ASSERT_EQ(errors.size(), 1u) << All(errors);
  EXPECT_EQ(errors[0], "plan.toml:4:1: [[room]]: unknown key 'rack_postions'");
}

TEST(InventoryLoader, WrongTypeAndRangeNameThePlace) {
  auto errors = Errors(
      "[policy]\nbreaker_derating = 1.5\n"
      "power_factor = \"high\"\n");
  EXPECT_TRUE(Has(errors,
                  "plan.toml:2:20: [policy]: 'breaker_derating': "
                  "must be in (0, 1]"))
      << All(errors);
  EXPECT_TRUE(Has(errors,
                  "plan.toml:3:16: [policy]: 'power_factor' must be "
                  "a number"))
      << All(errors);
}

TEST(InventoryLoader, DanglingAndMistypedReferences) {
  std::string text = testing::SmallSite() +
                     "[[panel]]\nid = \"pc\"\nupstream = \"ups-c\"\n"
                     "breaker_amps = 100\n"
                     "[[panel]]\nid = \"pd\"\nupstream = \"crah-1\"\n"
                     "breaker_amps = 100\n";
  auto errors = Errors(text);
  EXPECT_TRUE(Has(errors,
                  "[[panel]]: 'upstream' names 'ups-c', which is not "
                  "defined"))
      << All(errors);
  EXPECT_TRUE(Has(errors,
                  "'upstream' names 'crah-1', a cooling unit; it must "
                  "be a panel or switchgear or ups"))
      << All(errors);
  // The place is the value's: line of "upstream = ..." in the appended text.
  int line = 1;
  for (char c : testing::SmallSite())
    line += c == '\n';
  EXPECT_TRUE(Has(errors, "plan.toml:" + std::to_string(line + 2) + ":12:"))
      << All(errors);
}

TEST(InventoryLoader, DuplicateIdNamesBothPlaces) {
  auto errors = Errors(
      "[[room]]\nid = \"x\"\nrack_positions = 1\n"
      "[[room]]\nid = \"x\"\nrack_positions = 2\n");
  ASSERT_EQ(errors.size(), 1u) << All(errors);
  EXPECT_EQ(errors[0],
            "plan.toml:5:6: [[room]]: 'id': 'x' is already the id "
            "of a room at plan.toml:2:6");
}

TEST(InventoryLoader, LoopInThePowerGraph) {
  auto errors = Errors(
      "[[source]]\nid = \"u\"\nkind = \"utility\"\nkw = 10\n"
      "[[panel]]\nid = \"p1\"\nupstream = \"p2\"\nbreaker_amps = 10\n"
      "[[panel]]\nid = \"p2\"\nupstream = \"p1\"\nbreaker_amps = 10\n");
  EXPECT_TRUE(Has(errors, "is part of a loop in the power graph"))
      << All(errors);
}

TEST(InventoryLoader, DeviceFeedMustServeItsRack) {
  std::string text = testing::SmallSite() +
                     "[[rack]]\nid = \"r1\"\nroom = \"room\"\nzone = \"z\"\n"
                     "max_kw = 10\n"
                     "[[rack]]\nid = \"r2\"\nroom = \"room\"\nzone = \"z\"\n"
                     "max_kw = 10\n"
                     "[[feed]]\nid = \"f1\"\nrack = \"r1\"\npanel = \"pa\"\n"
                     "breaker_amps = 16\n"
                     "[[feed]]\nid = \"f2\"\nrack = \"r2\"\npanel = \"pa\"\n"
                     "breaker_amps = 16\n"
                     "[[device]]\nid = \"d\"\nrack = \"r1\"\nfeeds = [\"f2\"]\n"
                     "budget_w = 10\n";
  auto errors = Errors(text);
  EXPECT_TRUE(Has(errors,
                  "[[device]] 'd': feed 'f2' serves rack 'r2', not "
                  "the device's rack 'r1'"))
      << All(errors);
}

TEST(InventoryLoader, RackNeedsCoolingZoneAndFeed) {
  std::string text = testing::SmallSite() +
                     "[[rack]]\nid = \"r1\"\nroom = \"room\"\n"
                     "zone = \"nowhere\"\nmax_kw = 10\n";
  auto errors = Errors(text);
  EXPECT_TRUE(Has(errors, "cooling zone 'nowhere' has no [[cooling]] unit"))
      << All(errors);
  EXPECT_TRUE(Has(errors, "[[rack]] 'r1' has no [[feed]]")) << All(errors);
}

TEST(InventoryLoader, SyntaxErrorNamesThePlace) {
  auto errors = Errors("[site]\nname = \"unterminated\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("plan.toml:2:", 0), 0u) << errors[0];
}

TEST(InventoryLoader, ProjectReferencesAreChecked) {
  auto errors = Errors(testing::SmallSite() +
                       "[[project]]\nid = \"p\"\ndate = 2027-01-01\n"
                       "action = \"add_racks\"\ntemplate = \"none\"\n"
                       "panel_a = \"pa\"\nroom = \"room\"\n"
                       "[[project]]\nid = \"q\"\ndate = \"2027-12\"\n"
                       "action = \"add_ups_modules\"\ntarget = \"pa\"\n");
  EXPECT_TRUE(Has(errors, "[[project]] 'p': template 'none' is not defined"))
      << All(errors);
  EXPECT_TRUE(Has(errors, "'target' = 'pa' is not a UPS")) << All(errors);

  auto bad_date = Errors(
      "[[project]]\nid = \"q\"\ndate = \"2027-13\"\n"
      "action = \"retire\"\ntargets = [\"x\"]\n");
  EXPECT_TRUE(Has(bad_date,
                  "plan.toml:3:8: [[project]]: 'date': must be a "
                  "date"))
      << All(bad_date);
}

TEST(InventoryLoader, SecondFileAddsAndSingleTablesStayUnique) {
  testing::ScratchDir dir;
  dir.Write("a.toml", testing::SmallSite());
  dir.Write("b.toml", "[[room]]\nid = \"room2\"\nrack_positions = 3\n");
  dir.Write("c.toml", "[policy]\nups_max_load = 0.8\n");
  auto ok = LoadPlan({dir.File("a.toml"), dir.File("b.toml")});
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->rooms.size(), 2u);
  auto twice = LoadPlan({dir.File("a.toml"), dir.File("c.toml")});
  ASSERT_FALSE(twice.has_value());
  EXPECT_TRUE(Has(twice.error(), "c.toml:1:1: [policy] is already defined"))
      << All(twice.error());
}

TEST(InventoryLoader, ParseDateAcceptsDayOrMonth) {
  EXPECT_EQ(FormatDate(*ParseDate("2027-03-05")), "2027-03-05");
  EXPECT_EQ(FormatDate(*ParseDate("2027-03")), "2027-03-01");
  EXPECT_FALSE(ParseDate("2027-02-30"));
  EXPECT_FALSE(ParseDate("March"));
}

}  // namespace
}  // namespace dc::plan
