// The per-device coverage table (docs/snmp-coverage.md) built from one
// conformance run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dc::conformance {

struct DeviceCoverage {
  std::string walk;
  std::string sys_object_id;
  std::string profile;         // the profile the agent used
  bool profile_named = false;  // named on the target rather than auto
  int expected = 0;            // LibreNMS readings compared
  int matched = 0;
  int sentinels = 0;  // LibreNMS readings left out as "not available"
  // Read errors of the poll, by reason (dcagent_poll_errors_total's
  // reason label); reasons without errors are absent.
  std::map<std::string, std::uint64_t> errors;
};

// "none", or the errors by reason: "decode 2, no_such_object 1".
std::string FormatErrors(const std::map<std::string, std::uint64_t>& errors);

// Renders the table as Markdown, rows in the order given, with a total.
// The text depends only on `devices`, so two runs over the same corpus
// and profiles give the same bytes.
std::string RenderCoverageTable(const std::vector<DeviceCoverage>& devices);

}  // namespace dc::conformance
