#include <gtest/gtest.h>

#include "collectors/common/toml_reader.h"

namespace dc {
namespace {

toml::table Parse(std::string_view text) {
  return toml::parse(text, std::string_view("test.toml"));
}

TEST(TableReader, ReportsUnknownKeysWithPlace) {
  toml::table t = Parse("name = \"x\"\nnmae = \"typo\"\n");
  TomlErrors errors;
  TableReader r(t, "[[target]]", errors);
  EXPECT_EQ(r.String("name"), "x");
  r.Finish();
  ASSERT_EQ(errors.messages().size(), 1u);
  EXPECT_EQ(errors.messages()[0],
            "test.toml:2:1: [[target]]: unknown key 'nmae'");
}

TEST(TableReader, ReportsWrongTypesAndMissingKeys) {
  toml::table t = Parse("interval = 30\nport = \"161\"\n");
  TomlErrors errors;
  TableReader r(t, "[agent]", errors);
  EXPECT_FALSE(r.Duration("interval"));
  EXPECT_FALSE(r.Integer("port"));
  EXPECT_FALSE(r.String("name", /*required=*/true));
  r.Finish();
  ASSERT_EQ(errors.messages().size(), 3u);
  EXPECT_NE(errors.messages()[0].find("test.toml:1:"), std::string::npos);
  EXPECT_NE(errors.messages()[0].find("'interval' must be a duration"),
            std::string::npos);
  EXPECT_NE(errors.messages()[1].find("'port' must be an integer"),
            std::string::npos);
  EXPECT_NE(errors.messages()[2].find("missing required key 'name'"),
            std::string::npos);
}

TEST(TableReader, BadDurationNamesTheValue) {
  toml::table t = Parse("interval = \"30 seconds\"\n");
  TomlErrors errors;
  TableReader r(t, "[[target]]", errors);
  EXPECT_FALSE(r.Duration("interval"));
  ASSERT_EQ(errors.messages().size(), 1u);
  EXPECT_NE(errors.messages()[0].find("\"30 seconds\" is not a duration"),
            std::string::npos);
}

}  // namespace
}  // namespace dc
