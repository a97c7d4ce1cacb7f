#include <gtest/gtest.h>

#include "collectors/common/toml_reader.h"

namespace dc {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, AcceptsUnitsAndCompounds) {
  struct Case {
    const char* text;
    long long ms;
  } cases[] = {{"250ms", 250},        {"30s", 30000},   {"5m", 300000},
               {"1h", 3600000},       {"1m30s", 90000}, {"2d", 172800000},
               {"1h1m1s1ms", 3661001}};
  for (const auto& c : cases) {
    auto parsed = ParseDuration(c.text);
    ASSERT_TRUE(parsed) << c.text;
    EXPECT_EQ(parsed->count(), c.ms) << c.text;
  }
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* text : {"", "30", "s", "-5s", "0s", "5x", "30s1m", "5 s",
                           "1.5s", "5ss", "99999999999999999999s"}) {
    EXPECT_FALSE(ParseDuration(text)) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace dc
