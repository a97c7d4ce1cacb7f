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
    plan.scalars.push_back({*field.oid, PlannedScalar::Kind::kInfo,
                            plan.info_keys.size(), field.optional});
    plan.info_keys.push_back(key);
  }
  for (std::size_t i = 0; i < profile->metrics.size(); ++i) {
    plan.scalars.push_back({profile->metrics[i].oid,
                            PlannedScalar::Kind::kMetric, i,
                            profile->metrics[i].optional});
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
    // Keyed by the column's OID: a label, filter or digits column may be
    // a column of another table indexed the same way.
    std::map<Oid, PlannedColumn> columns;
    auto column_at = [&](const Oid& prefix) -> PlannedColumn& {
      PlannedColumn& c = columns[prefix];
      if (c.prefix.empty())
        c.prefix = prefix;
      return c;
    };
    auto column_of = [&](oid number) -> PlannedColumn& {
      Oid prefix = spec.entry;
      prefix.push_back(number);
      return column_at(prefix);
    };
    auto filter_slot = [&](PlannedColumn& c) {
      if (c.filter < 0)
        c.filter = static_cast<int>(table.filter_slots++);
      return c.filter;
    };
    for (std::size_t i = 0; i < spec.labels.size(); ++i) {
      const LabelColumn& label = spec.labels[i];
      PlannedColumn& c = label.column_oid.empty() ? column_of(label.column)
                                                  : column_at(label.column_oid);
      c.label = static_cast<int>(i);
    }
    for (std::size_t i = 0; i < spec.metrics.size(); ++i) {
      column_of(spec.metrics[i].column).metrics.push_back(i);
    }
    // Columns that `where` filters compare are walked with the others.
    table.metric_filter.resize(spec.metrics.size());
    for (std::size_t i = 0; i < spec.metrics.size(); ++i) {
      const auto& where = spec.metrics[i].where;
      if (!where)
        continue;
      for (const RowCondition& condition : where->conditions) {
        int slot = -1;
        if (condition.kind == RowCondition::Kind::kColumn) {
          slot = filter_slot(condition.column_oid.empty()
                                 ? column_of(condition.position)
                                 : column_at(condition.column_oid));
        }
        table.metric_filter[i].push_back(slot);
      }
    }
    // Decimal digits columns are read like filter columns.
    table.metric_digits.assign(spec.metrics.size(), -1);
    for (std::size_t i = 0; i < spec.metrics.size(); ++i) {
      const ColumnMetric& m = spec.metrics[i];
      if (!m.digits_column_oid.empty()) {
        table.metric_digits[i] = filter_slot(column_at(m.digits_column_oid));
      } else if (m.digits_column != 0) {
        table.metric_digits[i] = filter_slot(column_of(m.digits_column));
      }
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
