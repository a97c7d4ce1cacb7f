// What one poll has read so far, and how each received value becomes
// samples. Independent of the network, so decoding and mapping are tested
// and measured on their own.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collectors/common/sample.h"
#include "collectors/snmp/poll_plan.h"
#include "collectors/snmp/value_decode.h"

namespace dc::snmp {

class PollState {
 public:
  // What AddTableValue() means for the walk.
  enum class Step {
    kMore,        // the column continues after this OID
    kColumnDone,  // the column has ended (left its subtree, endOfMibView,
                  // or went backwards)
    kTableDone,   // the table stopped (row limit reached)
  };

  // `plan` must outlive the state.
  explicit PollState(const PollPlan& plan);

  PollResult& result() { return result_; }
  void Count(ErrorReason reason) { ++result_.errors[reason]; }

  // Maps the value of plan.scalars[index].
  void AddScalar(std::size_t index, const RawValue& value);

  // The OID a walk of column `column` of table `table` continues from.
  const Oid& Cursor(std::size_t table, std::size_t column) const;
  bool ColumnDone(std::size_t table, std::size_t column) const;
  bool TableDone(std::size_t table) const;
  void EndColumn(std::size_t table, std::size_t column);
  // Rows of `table` seen so far.
  std::size_t RowCount(std::size_t table) const {
    return tables_[table].rows.size();
  }
  void EndTable(std::size_t table);

  // Takes one varbind of a walk of `column` of `table`.
  Step AddTableValue(std::size_t table, std::size_t column, OidView name,
                     const RawValue& value);

  // Turns the table rows and info into samples and returns the result.
  // `answered`: whether the device replied at all in this poll.
  PollResult Finish(bool answered);

  // The device info values read (per plan.info_keys), for reuse in later
  // polls that skip the info OIDs.
  const std::vector<std::string>& info_values() const { return info_values_; }
  // Serves `values` (from an earlier poll) as the device info. A poll
  // whose device answered then succeeds even when it read nothing new,
  // as it would have with the info read again.
  void UseCachedInfo(const std::vector<std::string>& values) {
    info_values_ = values;
    cached_info_ = true;
  }

 private:
  struct Row {
    Labels index_labels;
    std::vector<std::string> label_values;   // per TableSpec::labels
    std::vector<double> values;              // per TableSpec::metrics; NaN
    std::vector<std::string> filter_values;  // per filter slot
    bool bad_index = false;
  };
  struct TableState {
    std::vector<Oid> cursors;  // per planned column
    std::vector<bool> column_done;
    bool done = false;
    std::vector<Row> rows;
    std::unordered_map<std::string, std::size_t> row_of;
    std::size_t last_row = 0;
    std::string last_key;
    std::vector<const std::string*> row_keys;  // made when needed
  };

  // The row of `suffix`, added if new; nullptr beyond the row limit.
  Row* FindRow(std::size_t table, OidView suffix);
  void DecodeIndex(const TableSpec& spec, OidView suffix, Row& row);
  // Component `position` (from 1) of the index of `row`, if it has one.
  std::optional<oid> IndexComponent(std::size_t table, std::size_t row,
                                    oid position);
  // Whether `row` satisfies the `where` of table metric `metric`.
  bool RowPasses(std::size_t table, std::size_t metric, std::size_t row);
  // A label's text through its [[table.label]] `format`.
  std::string FormatLabel(std::size_t table, std::size_t row,
                          const std::string& format, const std::string& text);
  void AddTableSamples(std::size_t table);
  void AddInfoSample();

  const PollPlan& plan_;
  PollResult result_;
  std::vector<TableState> tables_;
  std::vector<std::string> info_values_;  // per plan.info_keys
  bool cached_info_ = false;
  std::string key_;  // scratch buffer for row keys
};

}  // namespace dc::snmp
