// Reads plan files (inventory, policies and scenario, in TOML) into one
// Plan. Every file is read strictly: unknown keys, wrong types, values out
// of range, duplicate ids, dangling references and loops in the power
// graph are reported as "FILE:LINE:COLUMN: message", all of them at once.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "planner/model.h"

namespace dc::plan {

// Reads the files in order; arrays ([[rack]], [[project]]...) of later
// files add to those of earlier ones, single tables ([policy], [site],
// [scenario], [growth]) may appear in one file only. On failure returns
// every problem found, one message each.
std::expected<Plan, std::vector<std::string>> LoadPlan(
    const std::vector<std::string>& paths);

// Same for text already in memory; `path` names it in messages.
std::expected<Plan, std::vector<std::string>> ParsePlan(std::string_view text,
                                                        std::string_view path);

// Parses "2027-03-01" or "2027-03" (first of the month).
std::optional<Date> ParseDate(std::string_view text);

}  // namespace dc::plan
