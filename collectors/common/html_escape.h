// HTML escaping shared by the agent's status page and the planner's report.
#pragma once

#include <string>
#include <string_view>

namespace dc {

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace dc
