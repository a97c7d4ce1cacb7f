// Inline SVG charts for the HTML report, drawn by hand so the report needs
// no script and no outside resource.
#pragma once

#include "collectors/common/html_escape.h"

#include <string>
#include <string_view>

#include "planner/timeline.h"

namespace dc::plan {

// Load (P50, P90) against usable capacity over time, with the exhaustion
// dates marked. Returns one <svg> element.
std::string TimelineChart(const ResourceTimeline& series);

using ::dc::HtmlEscape;  // collectors/common/html_escape.h

}  // namespace dc::plan
