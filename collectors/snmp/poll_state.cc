#include "collectors/snmp/poll_state.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <regex>

namespace dc::snmp {
namespace {

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();
// A table value that could not be decoded as a number, in a row whose
// `where` is not known yet. No decoded value is infinite.
constexpr double kUndecodable = std::numeric_limits<double>::infinity();
// Label values longer than this are cut: a label is an identifier, not a
// document (sysDescr can run to hundreds of characters).
constexpr std::size_t kMaxLabelLength = 128;

std::string ShortLabel(std::string text) {
  if (auto end = text.find_first_of("\r\n"); end != text.npos) {
    text.resize(end);
  }
  if (text.size() > kMaxLabelLength)
    text.resize(kMaxLabelLength);
  return text;
}

std::string FormatIndex(const std::string& format, std::string_view value) {
  if (format.empty())
    return std::string(value);
  std::string out = format;
  if (auto at = out.find("{}"); at != out.npos)
    out.replace(at, 2, value);
  return out;
}

// Texts longer than this are cut before a regular expression searches
// them: libstdc++'s matcher recurses once per character, and a device
// could send a 64 KiB string. Sensor names and messages are far shorter.
constexpr std::size_t kMaxPatternText = 512;

// Searches `pattern` in `text`, cut to kMaxPatternText bytes first.
bool Search(std::string& text, std::smatch& match, const std::regex& pattern) {
  if (text.size() > kMaxPatternText)
    text.resize(kMaxPatternText);
  return std::regex_search(text, match, pattern);
}

// The text a pattern picks out of `text`: its first capture group, or
// the whole match when it has none; empty when it does not match.
std::string PatternText(const std::regex& pattern, std::string text) {
  std::smatch match;
  if (!Search(text, match, pattern))
    return {};
  return match.size() > 1 ? match[1].str() : match[0].str();
}

// A row's decimal digits column: a small integer. Anything else (the
// column missing for this row, text) gives nothing, so the sample is
// dropped rather than served a power of ten off.
std::optional<int> DecimalDigits(const std::string& text) {
  auto number = ParseLeadingNumber(text);
  if (!number || *number != std::floor(*number) || *number < -9 ||
      *number > 9) {
    return std::nullopt;
  }
  return static_cast<int>(*number);
}

}  // namespace

PollState::PollState(const PollPlan& plan)
    : plan_(plan),
      tables_(plan.tables.size()),
      info_values_(plan.info_keys.size()) {
  for (std::size_t t = 0; t < plan.tables.size(); ++t) {
    const PlannedTable& table = plan.tables[t];
    TableState& state = tables_[t];
    for (const PlannedColumn& column : table.columns) {
      state.cursors.push_back(column.prefix);
    }
    state.column_done.assign(table.columns.size(), false);
  }
}

void PollState::AddScalar(std::size_t index, const RawValue& value) {
  const PlannedScalar& scalar = plan_.scalars[index];
  // An object the profile marks optional may be absent: no value, no error.
  if (scalar.optional &&
      (value.type == SNMP_NOSUCHOBJECT || value.type == SNMP_NOSUCHINSTANCE ||
       value.type == ASN_NULL)) {
    return;
  }
  if (scalar.kind == PlannedScalar::Kind::kInfo) {
    if (value.type == SNMP_NOSUCHOBJECT || value.type == SNMP_NOSUCHINSTANCE) {
      Count(ErrorReason::kNoSuchObject);
      return;
    }
    ++result_.items_read;
    info_values_[scalar.index] = ShortLabel(DecodeText(value));
    return;
  }

  const ScalarMetric& metric = plan_.profile->metrics[scalar.index];
  DecodedNumber number = DecodeNumber(value, metric.type);
  if (!number.ok) {
    Count(number.reason);
    return;
  }
  ++result_.items_read;
  static const Labels kNoLabels;
  if (!AppendSamples(metric.mapping, number.value, kNoLabels,
                     result_.samples)) {
    Count(ErrorReason::kDecode);
  }
}

const Oid& PollState::Cursor(std::size_t table, std::size_t column) const {
  return tables_[table].cursors[column];
}

bool PollState::ColumnDone(std::size_t table, std::size_t column) const {
  return tables_[table].done || tables_[table].column_done[column];
}

bool PollState::TableDone(std::size_t table) const {
  const TableState& state = tables_[table];
  if (state.done)
    return true;
  for (bool done : state.column_done) {
    if (!done)
      return false;
  }
  return true;
}

void PollState::EndColumn(std::size_t table, std::size_t column) {
  tables_[table].column_done[column] = true;
}

void PollState::EndTable(std::size_t table) {
  tables_[table].done = true;
}

PollState::Row* PollState::FindRow(std::size_t table, OidView suffix) {
  TableState& state = tables_[table];
  key_.assign(reinterpret_cast<const char*>(suffix.data()),
              suffix.size() * sizeof(oid));
  // Columns are walked side by side, so consecutive values usually
  // belong to the same row.
  if (!state.rows.empty() && key_ == state.last_key) {
    return &state.rows[state.last_row];
  }
  auto [it, added] = state.row_of.try_emplace(key_, state.rows.size());
  if (added) {
    const PlannedTable& planned = plan_.tables[table];
    if (static_cast<int>(state.rows.size()) >= planned.max_rows) {
      state.row_of.erase(it);
      return nullptr;
    }
    if (state.rows.empty()) {
      // One allocation for a typical table instead of repeated growth.
      std::size_t expected =
          std::min<std::size_t>(static_cast<std::size_t>(planned.max_rows), 64);
      state.rows.reserve(expected);
      state.row_of.reserve(expected);
    }
    Row& row = state.rows.emplace_back();
    row.label_values.resize(planned.spec->labels.size());
    row.values.assign(planned.spec->metrics.size(), kNoValue);
    row.filter_values.resize(planned.filter_slots);
    DecodeIndex(*planned.spec, suffix, row);
  }
  state.last_row = it->second;
  state.last_key = key_;
  return &state.rows[it->second];
}

void PollState::DecodeIndex(const TableSpec& spec, OidView suffix, Row& row) {
  std::size_t at = 0;
  for (const IndexPart& part : spec.index) {
    if (at >= suffix.size()) {
      row.bad_index = true;
      return;
    }
    std::string value;
    if (part.is_string) {
      std::size_t length = part.implied
                               ? suffix.size() - at
                               : static_cast<std::size_t>(suffix[at++]);
      if (length > suffix.size() - at) {
        row.bad_index = true;
        return;
      }
      for (std::size_t i = 0; i < length; ++i) {
        value += static_cast<char>(suffix[at + i] & 0xFF);
      }
      at += length;
    } else {
      value = std::to_string(suffix[at++]);
    }
    if (!part.label.empty()) {
      row.index_labels.emplace_back(part.label,
                                    FormatIndex(part.format, value));
    }
  }
}

PollState::Step PollState::AddTableValue(std::size_t table, std::size_t column,
                                         OidView name, const RawValue& value) {
  TableState& state = tables_[table];
  if (state.done)
    return Step::kTableDone;
  if (state.column_done[column])
    return Step::kColumnDone;

  const PlannedColumn& planned = plan_.tables[table].columns[column];
  if (value.type == SNMP_ENDOFMIBVIEW || !IsPrefix(planned.prefix, name) ||
      name.size() == planned.prefix.size()) {
    state.column_done[column] = true;
    return Step::kColumnDone;
  }
  Oid& cursor = state.cursors[column];
  if (Compare(name, cursor) <= 0) {
    Count(ErrorReason::kNonIncreasing);
    state.column_done[column] = true;
    return Step::kColumnDone;
  }
  cursor.assign(name.begin(), name.end());

  Row* row = FindRow(table, name.subspan(planned.prefix.size()));
  if (!row) {
    Count(ErrorReason::kOversizedTable);
    state.done = true;
    return Step::kTableDone;
  }
  if (value.type == SNMP_NOSUCHOBJECT || value.type == SNMP_NOSUCHINSTANCE) {
    Count(ErrorReason::kNoSuchObject);
    return Step::kMore;
  }
  ++result_.items_read;

  const TableSpec& spec = *plan_.tables[table].spec;
  if (planned.filter >= 0) {
    row->filter_values[static_cast<std::size_t>(planned.filter)] =
        DecodeText(value);
  }
  if (planned.label >= 0) {
    const LabelColumn& label =
        spec.labels[static_cast<std::size_t>(planned.label)];
    std::string text = DecodeText(value);
    if (label.pattern)
      text = PatternText(*label.pattern, std::move(text));
    row->label_values[static_cast<std::size_t>(planned.label)] =
        ShortLabel(std::move(text));
  }
  for (std::size_t m : planned.metrics) {
    const ColumnMetric& metric = spec.metrics[m];
    if (metric.pattern) {
      // A text that does not match is a row of another kind, not an
      // error; a match that holds no number is.
      std::smatch match;
      std::string text = DecodeText(value);
      if (!Search(text, match, *metric.pattern))
        continue;
      if (auto number = ParseLeadingNumber(match[1].str())) {
        row->values[m] = *number;
      } else {
        Count(ErrorReason::kDecode);
      }
      continue;
    }
    DecodedNumber number = DecodeNumber(value, metric.type);
    if (number.ok) {
      row->values[m] = number.value;
    } else if (metric.where) {
      // Counted only if the row passes the `where` (AddTableSamples).
      row->values[m] = kUndecodable;
    } else {
      Count(number.reason);
    }
  }
  return Step::kMore;
}

std::optional<oid> PollState::IndexComponent(std::size_t table, std::size_t row,
                                             oid position) {
  TableState& state = tables_[table];
  if (state.row_keys.empty()) {
    // The index of each row, recovered once from the row map.
    state.row_keys.resize(state.rows.size());
    for (const auto& [key, r] : state.row_of) {
      state.row_keys[r] = &key;
    }
  }
  const std::string& key = *state.row_keys[row];
  std::size_t components = key.size() / sizeof(oid);
  if (position < 1 || position > components)
    return std::nullopt;
  oid component = 0;
  std::memcpy(&component, key.data() + (position - 1) * sizeof(oid),
              sizeof(oid));
  return component;
}

bool PollState::RowPasses(std::size_t table, std::size_t metric,
                          std::size_t row) {
  const auto& where = plan_.tables[table].spec->metrics[metric].where;
  if (!where)
    return true;
  const std::vector<int>& slots = plan_.tables[table].metric_filter[metric];
  for (std::size_t i = 0; i < where->conditions.size(); ++i) {
    const RowCondition& condition = where->conditions[i];
    std::string have;
    if (condition.kind == RowCondition::Kind::kColumn) {
      have = tables_[table]
                 .rows[row]
                 .filter_values[static_cast<std::size_t>(slots[i])];
    } else {
      auto component = IndexComponent(table, row, condition.position);
      if (!component)
        return false;
      have = std::to_string(*component);
    }
    std::smatch match;
    bool holds =
        condition.regex
            ? Search(have, match, *condition.regex) != condition.negate
            : std::find(condition.equals.begin(), condition.equals.end(),
                        have) != condition.equals.end();
    if (!holds)
      return false;
  }
  return true;
}

// `format` with "{}" replaced by `text` and "{index.N}" by component N
// of the row's index (the loader checked the placeholders).
std::string PollState::FormatLabel(std::size_t table, std::size_t row,
                                   const std::string& format,
                                   const std::string& text) {
  if (format.empty())
    return text;
  std::string out;
  std::size_t at = 0;
  while (at < format.size()) {
    std::size_t open = format.find('{', at);
    std::size_t close =
        open == std::string::npos ? open : format.find('}', open);
    if (close == std::string::npos) {
      out.append(format, at);
      break;
    }
    out.append(format, at, open - at);
    if (close == open + 1) {
      out += text;
    } else {
      oid position = std::stoul(format.substr(open + 7, close - open - 7));
      if (auto component = IndexComponent(table, row, position))
        out += std::to_string(*component);
    }
    at = close + 1;
  }
  return out;
}

void PollState::AddTableSamples(std::size_t table) {
  const TableSpec& spec = *plan_.tables[table].spec;
  const TableState& state = tables_[table];
  // The dotted index of each row, made only if a label column is empty.
  std::vector<std::string> index_text;
  auto index_of = [&](std::size_t row) -> const std::string& {
    if (index_text.empty()) {
      index_text.resize(state.rows.size());
      for (const auto& [key, r] : state.row_of) {
        index_text[r] =
            FormatOid(OidView(reinterpret_cast<const oid*>(key.data()),
                              key.size() / sizeof(oid)));
      }
    }
    return index_text[row];
  };
  Labels labels;
  for (std::size_t r = 0; r < state.rows.size(); ++r) {
    const Row& row = state.rows[r];
    if (row.bad_index) {
      Count(ErrorReason::kDecode);
      continue;
    }
    labels = row.index_labels;
    for (std::size_t l = 0; l < spec.labels.size(); ++l) {
      const std::string& text = row.label_values[l];
      // outlet_name is optional in the schema; other labels fall back to
      // the row's index so rows stay distinct.
      if (text.empty() && spec.labels[l].label == "outlet_name")
        continue;
      labels.emplace_back(
          spec.labels[l].label,
          text.empty() ? index_of(r)
                       : FormatLabel(table, r, spec.labels[l].format, text));
    }
    for (std::size_t m = 0; m < spec.metrics.size(); ++m) {
      if (std::isnan(row.values[m]))
        continue;
      if (!RowPasses(table, m, r))
        continue;
      double value = row.values[m];
      if (std::isinf(value)) {  // kUndecodable
        Count(ErrorReason::kDecode);
        continue;
      }
      if (int slot = plan_.tables[table].metric_digits[m]; slot >= 0) {
        auto digits =
            DecimalDigits(row.filter_values[static_cast<std::size_t>(slot)]);
        if (!digits) {
          Count(ErrorReason::kDecode);
          continue;
        }
        value /= std::pow(10.0, *digits);
      }
      if (!AppendSamples(spec.metrics[m].mapping, value, labels,
                         result_.samples)) {
        Count(ErrorReason::kDecode);
      }
    }
  }
}

void PollState::AddInfoSample() {
  const Profile& profile = *plan_.profile;
  auto info = [&](const std::string& key) -> std::string {
    for (std::size_t i = 0; i < plan_.info_keys.size(); ++i) {
      if (plan_.info_keys[i] == key)
        return info_values_[i];
    }
    auto it = profile.info.find(key);
    return it == profile.info.end() ? std::string() : it->second.constant;
  };
  std::string vendor = info("vendor");
  if (vendor.empty())
    vendor = profile.vendor;
  result_.samples.push_back({"dc_device_info",
                             {{"class", profile.device_class},
                              {"vendor", vendor},
                              {"model", info("model")},
                              {"serial", info("serial")},
                              {"firmware", info("firmware")},
                              {"profile", profile.name}},
                             1.0});
}

PollResult PollState::Finish(bool answered) {
  for (std::size_t t = 0; t < tables_.size(); ++t)
    AddTableSamples(t);
  result_.success = answered && (result_.items_read > 0 || cached_info_);
  if (result_.success)
    AddInfoSample();
  return std::move(result_);
}

}  // namespace dc::snmp
