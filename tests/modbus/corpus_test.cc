// Cross-checks the shipped profiles against the published register maps
// in the shared corpus (REGISTERS.md, kept outside the repository): every
// address a profile reads must appear in the section of the map it cites.
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "collectors/modbus/profile.h"

namespace dc::modbus {
namespace {

std::string ReadRegistersMd() {
  std::ifstream in(std::filesystem::path(DC_SHARED_CORPUS) / "modbus" /
                   "REGISTERS.md");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text from the heading starting with `heading` to the next heading of
// the same or a higher level.
std::string Section(const std::string& text, const std::string& heading) {
  auto start = text.find("\n" + heading);
  if (start == std::string::npos)
    return {};
  const std::size_t level = heading.find(' ');
  std::size_t end = start + 1;
  while ((end = text.find('\n', end + 1)) != std::string::npos) {
    std::size_t hashes = 0;
    while (end + 1 + hashes < text.size() && text[end + 1 + hashes] == '#') {
      ++hashes;
    }
    if (hashes > 0 && hashes <= level)
      break;
  }
  return text.substr(start, end == std::string::npos ? end : end - start);
}

// Every number in the text: decimal, 0x hex, and both ends and the inside
// of "A..B" ranges.
std::set<long> Numbers(const std::string& text) {
  std::set<long> out;
  std::regex number(R"((0x[0-9A-Fa-f]+)|(\d+)(\.\.(\d+))?)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number);
       it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    if (m[1].matched) {
      out.insert(std::stol(m[1].str(), nullptr, 16));
      continue;
    }
    long first = std::stol(m[2].str());
    long last = m[4].matched ? std::stol(m[4].str()) : first;
    for (long n = first; n <= last && n - first < 64; ++n)
      out.insert(n);
  }
  return out;
}

struct Case {
  const char* profile;
  const char* heading;
  bool modicon;  // the map prints 3xxxx / 4xxxx register numbers
};

TEST(ModbusCorpus, ShippedProfilesReadOnlyPublishedRegisters) {
  const std::string text = ReadRegistersMd();
  if (text.empty()) {
    GTEST_SKIP() << "no register maps at " << DC_SHARED_CORPUS
                 << "/modbus/REGISTERS.md";
  }
  TomlErrors errors;
  auto profiles = LoadProfileDirs({DC_MODBUS_PROFILE_DIR}, errors);
  ASSERT_TRUE(errors.empty()) << errors.Joined();

  const Case cases[] = {
      {"eastron-sdm630", "## 1. Eastron SDM630", false},
      {"eastron-sdm120", "## 2. Eastron SDM120", false},
      {"schneider-iem3000", "## 3. Schneider Electric iEM3000", false},
      {"schneider-pm5100", "## 4. Schneider Electric PowerLogic", false},
      {"janitza-umg", "## 8. Janitza", false},
      {"apc-smartups", "### 6a. APC Smart-UPS", false},
      {"vertiv-liebert-ups", "### 6c. Vertiv / Liebert UPS", true},
      {"liebert-icom", "### 7a. Vertiv / Liebert precision cooling", true},
      {"data-aire-dap4", "### 7c. Data Aire", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile);
    auto it = profiles.find(c.profile);
    ASSERT_NE(it, profiles.end());
    std::string section = Section(text, c.heading);
    ASSERT_FALSE(section.empty()) << c.heading;
    std::set<long> published = Numbers(section);

    auto check = [&](const Location& where, const std::string& what) {
      long number = where.address;
      if (c.modicon) {
        number += where.function == Function::kInput ? 30001 : 40001;
      }
      EXPECT_TRUE(published.contains(number))
          << what << ": register " << number << " is not in " << c.heading;
    };
    for (const MetricPoint& m : it->second->metrics) {
      check(m.where, m.mapping.metric + " at " + m.place);
    }
    for (const auto& [key, field] : it->second->info) {
      if (field.where)
        check(*field.where, "[info] " + key);
    }
  }
}

// Socomec's map gives blocks and offsets; check the block arithmetic.
TEST(ModbusCorpus, SocomecAddressesAreBlockPlusPublishedOffset) {
  const std::string text = ReadRegistersMd();
  if (text.empty())
    GTEST_SKIP() << "no register maps in the corpus";
  TomlErrors errors;
  auto profiles = LoadProfileDirs({DC_MODBUS_PROFILE_DIR}, errors);
  auto it = profiles.find("socomec-ups");
  ASSERT_NE(it, profiles.end());
  std::string section = Section(text, "### 6b. Socomec");
  ASSERT_FALSE(section.empty());
  std::set<long> offsets = Numbers(section);
  for (const MetricPoint& m : it->second->metrics) {
    long block = m.where.address & ~0x1F;
    long offset = m.where.address - block;
    EXPECT_TRUE(offsets.contains(block)) << m.place;
    EXPECT_TRUE(offsets.contains(offset)) << m.place;
  }
}

}  // namespace
}  // namespace dc::modbus
