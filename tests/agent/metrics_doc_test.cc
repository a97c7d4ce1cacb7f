// docs/metrics.md is the output of `dcagent schema --markdown`.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "agent/schema_markdown.h"
#include "collectors/common/schema.h"

namespace dc::agent {
namespace {

TEST(MetricsDocTest, CommittedDocMatchesTheSchema) {
  std::ifstream in(std::string(DC_SOURCE_DIR) + "/docs/metrics.md");
  ASSERT_TRUE(in) << "docs/metrics.md is missing";
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_TRUE(text.str() == SchemaMarkdown())
      << "docs/metrics.md is out of date; regenerate it with\n"
         "  dcagent schema --markdown > docs/metrics.md";
}

TEST(MetricsDocTest, EverySchemaMetricIsDocumented) {
  std::string doc = SchemaMarkdown();
  for (const MetricInfo& metric : SchemaMetrics()) {
    EXPECT_NE(doc.find("`" + std::string(metric.name) + "`"), std::string::npos)
        << metric.name;
  }
}

}  // namespace
}  // namespace dc::agent
