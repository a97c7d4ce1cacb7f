#include <gtest/gtest.h>

#include "collectors/modbus/profile.h"

namespace dc::modbus {
namespace {

std::optional<Profile> Parse(const std::string& text, TomlErrors& errors) {
  return ParseProfile(text, "p.toml", errors);
}

const char* kHeader =
    "[profile]\nname = \"t\"\nclass = \"meter\"\nsource = \"test\"\n";

TEST(ModbusProfile, ShippedProfilesLoadCleanly) {
  TomlErrors errors;
  auto profiles = LoadProfileDirs({DC_MODBUS_PROFILE_DIR}, errors);
  EXPECT_TRUE(errors.empty()) << errors.Joined();
  for (const char* name :
       {"eastron-sdm630", "eastron-sdm120", "schneider-iem3000",
        "schneider-pm5100", "janitza-umg", "sunspec-meter", "apc-smartups",
        "socomec-ups", "vertiv-liebert-ups", "liebert-icom",
        "data-aire-dap4"}) {
    auto it = profiles.find(name);
    ASSERT_NE(it, profiles.end()) << name;
    EXPECT_FALSE(it->second->source.empty()) << name;
    EXPECT_FALSE(it->second->metrics.empty()) << name;
  }
}

TEST(ModbusProfile, ReadsLocationsTypesAndDefaults) {
  TomlErrors errors;
  auto p = Parse(std::string(kHeader) +
                     "function = \"input\"\ntype = \"float32\"\n"
                     "order = \"CDAB\"\nmax_gap = 0\n"
                     "[[metric]]\naddress = 0x0C83\ntype = \"int64\"\n"
                     "metric = \"dc_meter_energy_joules_total\"\n"
                     "[[metric]]\nmodicon = 40101\n"
                     "metric = \"dc_meter_watts\"\n"
                     "[[metric]]\nmodicon = \"3x0011\"\norder = \"DCBA\"\n"
                     "metric = \"dc_meter_frequency_hertz\"\n",
                 errors);
  ASSERT_TRUE(p) << errors.Joined();
  EXPECT_EQ(p->max_gap, 0);
  ASSERT_EQ(p->metrics.size(), 3u);
  const Location& energy = p->metrics[0].where;
  EXPECT_EQ(energy.function, Function::kInput);
  EXPECT_EQ(energy.address, 3203);
  EXPECT_EQ(energy.type, DataType::kInt64);
  EXPECT_EQ(energy.count, 4);
  EXPECT_EQ(energy.order, WordOrder::kCDAB);
  const Location& watts = p->metrics[1].where;
  EXPECT_EQ(watts.function, Function::kHolding);  // from the Modicon digit
  EXPECT_EQ(watts.address, 100);
  EXPECT_EQ(watts.type, DataType::kFloat32);
  const Location& hertz = p->metrics[2].where;
  EXPECT_EQ(hertz.function, Function::kInput);
  EXPECT_EQ(hertz.address, 10);
  EXPECT_EQ(hertz.order, WordOrder::kDCBA);
}

struct BadCase {
  const char* body;
  const char* place;  // "LINE:COLUMN" expected in the message
  const char* says;
};

TEST(ModbusProfile, ErrorsNameFileLineAndColumn) {
  // The header takes lines 1-4; bodies start on line 5.
  const BadCase cases[] = {
      {"[[metric]]\naddress = 1\ntype = \"float\"\n"
       "metric = \"dc_meter_watts\"\n",
       "p.toml:7:8", "'float' is not one of"},
      {"[[metric]]\nmodicon = 40000\nmetric = \"dc_meter_watts\"\n",
       "p.toml:6:11", "not a Modicon register number"},
      {"[[metric]]\nmodicon = 30001\nfunction = \"holding\"\n"
       "metric = \"dc_meter_watts\"\n",
       "p.toml:7:12", "contradicts modicon 30001"},
      {"[[metric]]\naddress = 1\nmodicon = 40002\n"
       "metric = \"dc_meter_watts\"\n",
       "p.toml:7:11", "not both"},
      {"[[metric]]\nmetric = \"dc_meter_watts\"\n", "p.toml:5:1",
       "give 'address'"},
      {"[[metric]]\naddress = 70000\nmetric = \"dc_meter_watts\"\n",
       "p.toml:6:11", "0 to 65535"},
      {"[[metric]]\naddress = 1\nmetric = \"dc_meter_watts\"\nwordorder = "
       "\"ABCD\"\n",
       "p.toml:8:1", "unknown key 'wordorder'"},
      {"[[metric]]\naddress = 1\nmetric = \"dc_meter_watt\"\n", "p.toml:7:10",
       "not a schema metric"},
      {"[[metric]]\naddress = 1\nmetric = \"dc_meter_phase_volts\"\n",
       "p.toml:7:10", "needs the label 'phase'"},
      {"[[metric]]\naddress = 1\ntype = \"float32\"\nbit = 3\n"
       "metric = \"dc_meter_watts\"\n",
       "p.toml:8:7", "a bit needs an integer type"},
      {"[[metric]]\nfunction = \"coil\"\naddress = 1\ntype = \"uint16\"\n"
       "metric = \"dc_meter_watts\"\n",
       "p.toml:8:8", "single bit"},
      {"[[metric]]\naddress = 1\ntype = \"string\"\n"
       "metric = \"dc_meter_watts\"\n",
       "p.toml:7:8", "needs 'length'"},
      {"[[metric]]\naddress = 1\nmetric = \"dc_meter_watts\"\n"
       "[[metric]]\naddress = 9\nmetric = \"dc_meter_watts\"\n",
       "p.toml:8:1", "already produced by the entry at p.toml:5:1"},
      {"[info]\nmodel = 7\n", "p.toml:6:9", "must be a string or a table"},
      {"[info]\nowner = \"x\"\n", "p.toml:6:1", "unknown key 'owner'"},
      {"[[metric]\n", "p.toml:5:", ""},
  };
  for (const BadCase& c : cases) {
    TomlErrors errors;
    auto p = Parse(std::string(kHeader) + c.body, errors);
    EXPECT_FALSE(p) << c.body;
    std::string all = errors.Joined();
    EXPECT_NE(all.find(c.place), std::string::npos) << c.body << "\n" << all;
    EXPECT_NE(all.find(c.says), std::string::npos) << c.body << "\n" << all;
  }
}

TEST(ModbusProfile, ProfileTableErrors) {
  TomlErrors errors;
  auto p = Parse(
      "[profile]\nname = \"t\"\nclass = \"fridge\"\nsource = \"s\"\n"
      "max_gap = 200\nmax_registers_per_read = 0\n",
      errors);
  EXPECT_FALSE(p);
  std::string all = errors.Joined();
  EXPECT_NE(all.find("p.toml:3:9: [profile]: 'class'"), std::string::npos)
      << all;
  EXPECT_NE(all.find("p.toml:5:11"), std::string::npos) << all;
  EXPECT_NE(all.find("p.toml:6:26"), std::string::npos) << all;

  TomlErrors missing;
  EXPECT_FALSE(
      Parse("[[metric]]\naddress = 1\nmetric = \"dc_meter_watts\"\n", missing));
  EXPECT_NE(missing.Joined().find("missing required key 'profile'"),
            std::string::npos)
      << missing.Joined();
}

}  // namespace
}  // namespace dc::modbus
