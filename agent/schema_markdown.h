// The metric reference: every schema metric and every dcagent self-metric.
// docs/metrics.md is `dcagent schema --markdown`, and a test keeps it so.
#pragma once

#include <string>

namespace dc::agent {

std::string SchemaMarkdown();

// One line per metric: name, type, labels. For a terminal.
std::string SchemaText();

}  // namespace dc::agent
