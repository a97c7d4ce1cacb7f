#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>

#include "collectors/snmp/profile_loader.h"

namespace dc::snmp {
namespace {

constexpr const char* kHeader =
    "[profile]\nname = \"t\"\nclass = \"environment\"\n"
    "match = [\"1.3.6.1.4.1.99999\"]\n";

std::vector<std::string> Load(const std::string& text, ProfileSet& out) {
  return LoadProfileTexts({{"p.toml", text}}, out);
}

TEST(ProfileLoader, ReadsAProfileWithTablesAndInfo) {
  ProfileSet set;
  auto errors =
      Load(std::string(kHeader) +
               "max_repetitions = 5\n"
               "[info]\nvendor = \"Acme\"\n"
               "model = { oid = \"1.3.6.1.2.1.1.1.0\" }\n"
               "[[metric]]\noid = \"1.3.6.1.4.1.99999.1.0\"\n"
               "type = \"string-number\"\n"
               "metric = \"dc_env_temperature_celsius\"\n"
               "labels = { sensor = \"inlet\" }\n"
               "[[table]]\noid = \"1.3.6.1.4.1.99999.2.1\"\n"
               "index = [ { label = \"sensor\", format = \"p{}\" } ]\n"
               "max_rows = 8\n"
               "  [[table.metric]]\n  column = 3\n"
               "  metric = \"dc_env_humidity_ratio\"\n"
               "  divisor = 100\n",
           set);
  ASSERT_TRUE(errors.empty()) << errors.front();
  ASSERT_EQ(set.size(), 1u);
  const Profile& p = *set.at("t");
  EXPECT_EQ(p.max_repetitions, 5);
  EXPECT_EQ(p.info.at("vendor").constant, "Acme");
  ASSERT_EQ(p.metrics.size(), 1u);
  EXPECT_EQ(p.metrics[0].type, ValueType::kStringNumber);
  ASSERT_EQ(p.tables.size(), 1u);
  EXPECT_EQ(p.tables[0].max_rows, 8);
  EXPECT_EQ(p.tables[0].index[0].format, "p{}");
}

struct BadCase {
  const char* name;
  std::string text;
  int line;
  const char* meaning;
};

TEST(ProfileLoader, EveryErrorNamesFileLineColumnAndMeaning) {
  const std::string h = kHeader;  // four lines
  const BadCase cases[] = {
      {"toml syntax", h + "[[metric]\n", 5, ""},
      {"unknown key in profile",
       "[profile]\nname = \"t\"\nclass = \"ups\"\ncolour = 1\n", 4,
       "unknown key 'colour'"},
      {"missing profile table", "[info]\nvendor = \"x\"\n", 1,
       "missing required key 'profile'"},
      {"unknown class", "[profile]\nname = \"t\"\nclass = \"toaster\"\n", 3,
       "unknown class"},
      {"bad match oid",
       "[profile]\nname = \"t\"\nclass = \"ups\"\n"
       "match = [\"1.3.6.x\"]\n",
       4, "numeric OID"},
      {"unknown metric",
       h + "[[metric]]\noid = \"1.3.6.1.1.0\"\nmetric = \"dc_nope\"\n", 7,
       "not a schema metric"},
      {"missing label",
       h + "[[metric]]\noid = \"1.3.6.1.1.0\"\n"
           "metric = \"dc_env_temperature_celsius\"\n",
       7, "needs the label 'sensor'"},
      {"extra label",
       h + "[[metric]]\noid = \"1.3.6.1.1.0\"\nmetric = \"dc_device_alarms\"\n"
           "labels = { phase = \"L1\" }\n",
       7, "no label 'phase'"},
      {"bad metric oid",
       h + "[[metric]]\noid = \"sysUpTime.0\"\nmetric = \"dc_device_alarms\"\n",
       6, "MIB names are not read"},
      {"unknown type",
       h + "[[metric]]\noid = \"1.3.6.1.1.0\"\ntype = \"float\"\n"
           "metric = \"dc_device_alarms\"\n",
       7, "unknown type"},
      {"unknown key in metric",
       h + "[[metric]]\noid = \"1.3.6.1.1.0\"\nmetric = \"dc_device_alarms\"\n"
           "scael = 2\n",
       8, "unknown key 'scael'"},
      {"wrong class metric",
       h + "[[metric]]\noid = \"1.3.6.1.1.0\"\nmetric = "
           "\"dc_ups_output_watts\"\n",
       7, "is a ups metric"},
      {"table without metric", h + "[[table]]\noid = \"1.3.6.1.2\"\n", 6,
       "at least one"},
      {"table column zero",
       h + "[[table]]\noid = \"1.3.6.1.2\"\nindex = [ { label = \"sensor\" } "
           "]\n"
           "[[table.metric]]\ncolumn = 0\n"
           "metric = \"dc_env_temperature_celsius\"\n",
       9, "column number"},
      {"index format without braces",
       h + "[[table]]\noid = \"1.3.6.1.2\"\n"
           "index = [ { label = \"sensor\", format = \"p\" } ]\n"
           "[[table.metric]]\ncolumn = 2\n"
           "metric = \"dc_env_temperature_celsius\"\n",
       7, "must contain {}"},
      {"table label wrong for metric",
       h + "[[table]]\noid = \"1.3.6.1.2\"\nindex = [ { label = \"fan\" } ]\n"
           "[[table.metric]]\ncolumn = 2\n"
           "metric = \"dc_env_temperature_celsius\"\n",
       10, "no label 'fan'"},
      {"info unknown key", h + "[info]\ncolor = \"red\"\n", 6,
       "unknown key 'color'"},
      {"info bad oid", h + "[info]\nmodel = { oid = \"1.x\" }\n", 6,
       "numeric OID"},
      {"max_repetitions range",
       "[profile]\nname = \"t\"\nclass = \"ups\"\n"
       "max_repetitions = 0\n",
       4, "between 1 and"},
      {"where with index and column",
       h + "[[table]]\noid = \"1.3.6.1.2\"\nindex = [ { label = \"sensor\" } "
           "]\n"
           "[[table.metric]]\ncolumn = 2\n"
           "metric = \"dc_env_temperature_celsius\"\n"
           "where = { index = 1, column = 3, equals = 1 }\n",
       11, "exactly one of 'index' or 'column'"},
      {"where equals a float",
       h + "[[table]]\noid = \"1.3.6.1.2\"\nindex = [ { label = \"sensor\" } "
           "]\n"
           "[[table.metric]]\ncolumn = 2\n"
           "metric = \"dc_env_temperature_celsius\"\n"
           "where = { index = 1, equals = [1.5] }\n",
       11, "'equals' takes integers and strings"},
      {"same series twice",
       h + "[[metric]]\noid = \"1.3.6.1.1.0\"\nmetric = \"dc_device_alarms\"\n"
           "[[metric]]\noid = \"1.3.6.1.2.0\"\nmetric = \"dc_device_alarms\"\n",
       10, "already read by an earlier"},
      {"unknown include",
       "[profile]\nname = \"t\"\nclass = \"ups\"\n"
       "include = [\"nowhere\"]\n",
       4, "includes 'nowhere', which no profile defines"},
      {"implied index that is not a string",
       h + "[[table]]\noid = \"1.3.6.1.2\"\n"
           "index = [ { label = \"sensor\", implied = true } ]\n"
           "[[table.metric]]\ncolumn = 2\n"
           "metric = \"dc_env_temperature_celsius\"\n",
       7, "add string = true"},
      {"implied index before another part",
       h + "[[table]]\noid = \"1.3.6.1.2\"\n"
           "index = [ { string = true, implied = true },\n"
           "          { label = \"sensor\" } ]\n"
           "[[table.metric]]\ncolumn = 2\n"
           "metric = \"dc_env_temperature_celsius\"\n",
       8, "must be the last index part"},
  };
  for (const BadCase& c : cases) {
    ProfileSet set;
    auto errors = Load(c.text, set);
    ASSERT_FALSE(errors.empty()) << c.name;
    bool found = false;
    std::regex place("^p\\.toml:" + std::to_string(c.line) + ":[0-9]+: .*");
    for (const auto& e : errors) {
      if (std::regex_match(e, place) &&
          e.find(c.meaning) != std::string::npos) {
        found = true;
      }
    }
    EXPECT_TRUE(found) << c.name << ": got " << errors.front();
    EXPECT_TRUE(set.empty()) << c.name;
  }
}

TEST(ProfileLoader, IncludeMergesPartsAndOwnMetricsReplaceThem) {
  ProfileSet set;
  auto errors = LoadProfileTexts(
      {{"part.toml",
        "[profile]\nname = \"part\"\nclass = \"environment\"\n"
        "[info]\nmodel = { oid = \"1.3.6.1.9.0\" }\n"
        "[[metric]]\noid = \"1.3.6.1.1.0\"\nmetric = \"dc_device_alarms\"\n"
        "[[metric]]\noid = \"1.3.6.1.3.0\"\n"
        "metric = \"dc_env_temperature_celsius\"\n"
        "labels = { sensor = \"a\" }\n"},
       {"full.toml",
        "[profile]\nname = \"full\"\nclass = \"environment\"\n"
        "match = [\"1.3.6.1.4.1.1\"]\ninclude = [\"part\"]\n"
        "[[metric]]\noid = \"1.3.6.1.2.0\"\nmetric = \"dc_device_alarms\"\n"}},
      set);
  ASSERT_TRUE(errors.empty()) << errors.front();
  const Profile& full = *set.at("full");
  ASSERT_EQ(full.metrics.size(), 2u);
  EXPECT_EQ(full.metrics[0].mapping.metric, "dc_env_temperature_celsius");
  EXPECT_EQ(full.metrics[1].oid, (Oid{1, 3, 6, 1, 2, 0}));
  EXPECT_TRUE(full.info.at("model").oid.has_value());
}

TEST(ProfileLoader, IncludeCycleIsAnErrorWithPlace) {
  ProfileSet set;
  set.emplace("old", std::make_shared<Profile>());
  auto errors = LoadProfileTexts({{"a.toml",
                                   "[profile]\nname = \"a\"\nclass = \"ups\"\n"
                                   "include = [\"b\"]\n"},
                                  {"b.toml",
                                   "[profile]\nname = \"b\"\nclass = \"ups\"\n"
                                   "include = [\"a\"]\n"}},
                                 set);
  ASSERT_FALSE(errors.empty());
  bool cycle = false;
  for (const auto& e : errors) {
    if (std::regex_match(e, std::regex("^[ab]\\.toml:4:[0-9]+: .*include "
                                       "cycle: .*"))) {
      cycle = true;
    }
  }
  EXPECT_TRUE(cycle) << errors.front();
  // The set in use is kept on error.
  EXPECT_TRUE(set.contains("old"));
}

TEST(ProfileLoader, DuplicateNamesInOneDirectoryAndOverrideAcrossDirs) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() /
                  ("dc-snmp-profiles-" + std::to_string(::getpid()));
  fs::create_directories(root / "a");
  fs::create_directories(root / "b");
  auto write = [](const fs::path& p, const std::string& vendor) {
    std::ofstream(p) << "[profile]\nname = \"x\"\nclass = \"ups\"\n"
                        "vendor = \""
                     << vendor << "\"\n";
  };
  write(root / "a" / "x.toml", "first");
  write(root / "b" / "x.toml", "second");
  ProfileSet set;
  auto errors = LoadProfileDirs({root / "a", root / "b"}, set);
  ASSERT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(set.at("x")->vendor, "second");

  write(root / "a" / "y.toml", "again");
  errors = LoadProfileDirs({root / "a"}, set);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("already defined"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("y.toml:1:1"), std::string::npos) << errors[0];
  EXPECT_EQ(set.at("x")->vendor, "second");

  errors = LoadProfileDirs({root / "missing"}, set);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("cannot read the profile directory"),
            std::string::npos);
  fs::remove_all(root);
}

TEST(MatchProfile, LongestComponentWisePrefixWins) {
  ProfileSet set;
  auto errors =
      LoadProfileTexts({{"a.toml",
                         "[profile]\nname = \"short\"\nclass = \"ups\"\n"
                         "match = [\"1.3.6.1.4.1.318\"]\n"},
                        {"b.toml",
                         "[profile]\nname = \"long\"\nclass = \"ups\"\n"
                         "match = [\"1.3.6.1.4.1.318.1.3\"]\n"}},
                       set);
  ASSERT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(MatchProfile(set, Oid{1, 3, 6, 1, 4, 1, 318, 1, 3, 27})->name,
            "long");
  EXPECT_EQ(MatchProfile(set, Oid{1, 3, 6, 1, 4, 1, 318, 2})->name, "short");
  // 318.1 must not match 3180.
  EXPECT_EQ(MatchProfile(set, Oid{1, 3, 6, 1, 4, 1, 3180, 1}), nullptr);
}

TEST(MatchProfile, ProbesMustAnswerAndBreakTies) {
  ProfileSet set;
  auto errors =
      LoadProfileTexts({{"linux.toml",
                         "[profile]\nname = \"linux\"\nclass = \"server\"\n"
                         "match = [\"1.3.6.1.4.1.8072.3.2.10\"]\n"},
                        {"ups.toml",
                         "[profile]\nname = \"netvision\"\nclass = \"ups\"\n"
                         "match = [\"1.3.6.1.4.1.8072.3.2.10\"]\n"
                         "probe = [\"1.3.6.1.4.1.4555.1.1.1\"]\n"},
                        {"only.toml",
                         "[profile]\nname = \"probe-only\"\nclass = \"ups\"\n"
                         "probe = [\"1.3.6.1.2.1.33.1.1\"]\n"}},
                       set);
  ASSERT_TRUE(errors.empty()) << errors.front();
  Oid linux_id{1, 3, 6, 1, 4, 1, 8072, 3, 2, 10};
  auto candidates = MatchCandidates(set, linux_id);
  EXPECT_EQ(candidates.size(), 3u);
  EXPECT_EQ(ProbesOf(candidates).size(), 2u);
  // Nothing answered: the profile without probes.
  EXPECT_EQ(MatchProfile(set, linux_id)->name, "linux");
  // The UPS subtree answers: equal match length, probes win.
  Oid ups{1, 3, 6, 1, 4, 1, 4555, 1, 1, 1};
  EXPECT_EQ(MatchProfile(set, linux_id, {ups})->name, "netvision");
  // A probe-only profile for an unknown sysObjectID.
  Oid other{1, 3, 6, 1, 4, 1, 5};
  EXPECT_EQ(MatchProfile(set, other), nullptr);
  EXPECT_EQ(MatchProfile(set, other, {Oid{1, 3, 6, 1, 2, 1, 33, 1, 1}})->name,
            "probe-only");
}

TEST(ProfileLoader, ProbeNeedsNumericOidsAndAClass) {
  ProfileSet set;
  auto errors = Load("[profile]\nname = \"t\"\nprobe = [\"ups\"]\n", set);
  ASSERT_FALSE(errors.empty());
  EXPECT_TRUE(std::regex_match(
      errors[0], std::regex("^p\\.toml:3:[0-9]+: .*numeric OID.*")))
      << errors[0];
  errors = Load("[profile]\nname = \"t\"\nprobe = [\"1.3.6.1\"]\n", set);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("needs a 'class'"), std::string::npos) << errors[0];
}

// Random and truncated documents must give errors or profiles, never a
// crash.
TEST(ProfileLoaderFuzz, RandomAndTruncatedInputNeverCrashes) {
  const std::string seed =
      std::string(kHeader) +
      "[info]\nmodel = { oid = \"1.3.6.1.2.1.1.1.0\" }\n"
      "[[metric]]\noid = \"1.3.6.1.4.1.99999.1.0\"\n"
      "metric = \"dc_env_temperature_celsius\"\n"
      "labels = { sensor = \"inlet\" }\nstates = { 1 = \"a\" }\n"
      "[[table]]\noid = \"1.3.6.1.4.1.99999.2.1\"\n"
      "index = [ { label = \"sensor\", string = true } ]\n"
      "  [[table.metric]]\n  column = 3\n"
      "  metric = \"dc_env_humidity_ratio\"\n";
  std::mt19937 random(12345);
  const char alphabet[] = "[]{}=\",.0123456789abc \n#\\'";
  for (int round = 0; round < 3000; ++round) {
    std::string text = seed.substr(0, random() % (seed.size() + 1));
    int edits = static_cast<int>(random() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      text[random() % text.size()] =
          alphabet[random() % (sizeof(alphabet) - 1)];
    }
    ProfileSet set;
    auto errors = Load(text, set);
    for (const auto& error : errors) {
      EXPECT_TRUE(error.starts_with("p.toml:")) << error;
    }
  }
}

}  // namespace
}  // namespace dc::snmp
