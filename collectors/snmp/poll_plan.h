// What one poll of a target reads, compiled once from its profile and
// configuration: GET batches of scalar OIDs and the columns of each table
// walk, with each received OID's meaning found without searching.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "collectors/common/target.h"
#include "collectors/snmp/profile.h"

namespace dc::snmp {

// Varbinds per GET request. Small enough for any agent's message size;
// an agent answering tooBig anyway gets the batch split in halves.
inline constexpr std::size_t kMaxGetVarbinds = 32;
// Varbinds a GETBULK may ask back (columns x repetitions).
inline constexpr int kMaxBulkVarbinds = 256;

// One OID read with GET.
struct PlannedScalar {
  enum class Kind { kMetric, kInfo };
  Oid oid;
  Kind kind = Kind::kMetric;
  std::size_t index = 0;  // into Profile::metrics or PollPlan::info_keys
  bool optional = false;  // absent counts no error (`optional = true`)
};

// One column a table walk follows, with what its values are used for.
struct PlannedColumn {
  Oid prefix;       // entry OID + column number, or another table's column
  int label = -1;   // index into TableSpec::labels
  int filter = -1;  // slot among the filter columns
  std::vector<std::size_t> metrics;  // indices into TableSpec::metrics
};

struct PlannedTable {
  const TableSpec* spec = nullptr;
  std::vector<PlannedColumn> columns;  // in column order
  int max_rows = 0;
  int max_repetitions = 1;
  std::size_t filter_slots = 0;  // columns read for `where` filters
  // Per TableSpec::metrics, per condition of its `where`: the filter
  // slot of the column it compares, or -1 for an index condition.
  std::vector<std::vector<int>> metric_filter;
  // Per TableSpec::metrics: the filter slot of its decimal digits
  // column, or -1.
  std::vector<int> metric_digits;
};

struct PollPlan {
  std::shared_ptr<const Profile> profile;  // keeps the specs alive
  std::vector<PlannedScalar> scalars;
  std::vector<std::vector<std::size_t>> batches;  // indices into scalars
  std::vector<PlannedTable> tables;
  std::vector<std::string> info_keys;  // keys of the info OIDs read
};

PollPlan CompilePlan(std::shared_ptr<const Profile> profile,
                     const TargetConfig& target);

}  // namespace dc::snmp
