#include "collectors/snmp/poll_plan.h"

#include <algorithm>
#include <map>

namespace dc::snmp {

PollPlan CompilePlan(std::shared_ptr<const Profile> profile,
                     const TargetConfig& target) {
  PollPlan plan;
  plan.profile = profile;

  // Scalars: the info OIDs, then the metrics, each OID asked once even
  // if two metrics read it.
  std::map<Oid, bool> seen;
  for (const auto& [key, field] : profile->info) {
    if (!field.oid)
      continue;
    plan.scalars.push_back(
        {*field.oid, PlannedScalar::Kind::kInfo, plan.info_keys.size()});
    plan.info_keys.push_back(key);
  }
  for (std::size_t i = 0; i < profile->metrics.size(); ++i) {
    plan.scalars.push_back(
        {profile->metrics[i].oid, PlannedScalar::Kind::kMetric, i});
  }
  std::vector<std::size_t> batch;
  for (std::size_t i = 0; i < plan.scalars.size(); ++i) {
    batch.push_back(i);
    if (batch.size() == kMaxGetVarbinds) {
      plan.batches.push_back(std::move(batch));
      batch.clear();
    }
  }
  if (!batch.empty())
    plan.batches.push_back(std::move(batch));

  // Tables: one walk per table over the columns it uses.
  int repetitions = target.max_repetitions > 0 ? target.max_repetitions
                                               : profile->max_repetitions;
  for (const TableSpec& spec : profile->tables) {
    PlannedTable table;
    table.spec = &spec;
    std::map<oid, PlannedColumn> columns;
    auto column_of = [&](oid number) -> PlannedColumn& {
      PlannedColumn& c = columns[number];
      if (c.prefix.empty()) {
        c.prefix = spec.entry;
        c.prefix.push_back(number);
      }
      return c;
    };
    for (std::size_t i = 0; i < spec.labels.size(); ++i) {
      column_of(spec.labels[i].column).label = static_cast<int>(i);
    }
    for (std::size_t i = 0; i < spec.metrics.size(); ++i) {
      column_of(spec.metrics[i].column).metrics.push_back(i);
    }
    // Columns that `where` filters compare are walked with the others.
    table.metric_filter.assign(spec.metrics.size(), -1);
    for (std::size_t i = 0; i < spec.metrics.size(); ++i) {
      const auto& where = spec.metrics[i].where;
      if (!where || where->kind != RowFilter::Kind::kColumn)
        continue;
      PlannedColumn& c = column_of(where->position);
      if (c.filter < 0)
        c.filter = static_cast<int>(table.filter_slots++);
      table.metric_filter[i] = c.filter;
    }
    for (auto& [number, column] : columns) {
      table.columns.push_back(std::move(column));
    }
    table.max_rows = std::min(spec.max_rows.value_or(target.max_table_rows),
                              target.max_table_rows);
    table.max_repetitions = std::max(1, repetitions);
    plan.tables.push_back(std::move(table));
  }
  return plan;
}

}  // namespace dc::snmp
