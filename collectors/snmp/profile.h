// An SNMP device profile after loading: what to read from a family of
// devices and how each value becomes a schema sample (docs/profiles.md).
// Profiles are immutable once loaded and shared by every collector that
// uses them.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "collectors/common/value_mapping.h"
#include "collectors/snmp/oid.h"
#include "collectors/snmp/value_decode.h"

namespace dc::snmp {

// One [info] key: a constant text or the OID whose value is the text.
struct InfoField {
  std::string constant;
  std::optional<Oid> oid;
  // `optional = true`: models of the family may lack the OID; absent, it
  // gives an empty value and counts no error.
  bool optional = false;
};

// A [[metric]]: one scalar instance OID.
struct ScalarMetric {
  Oid oid;
  ValueType type = ValueType::kNumber;
  ValueMapping mapping;
  // `optional = true`: models of the family may lack the OID; absent
  // (noSuchObject, noSuchInstance, NULL), it gives no sample and counts
  // no error.
  bool optional = false;
};

// One component of a table index: an integer, or a length-prefixed
// string. An empty label ignores the component.
struct IndexPart {
  std::string label;
  std::string format;  // "{}" replaced by the decimal value; empty = "{}"
  bool is_string = false;
  // An IMPLIED string (last index part only): no length component, the
  // string is every remaining component.
  bool implied = false;
};

// A [[table.label]]: a column whose value labels the row's samples.
struct LabelColumn {
  oid column = 0;
  // When set, the label is read from this column OID of another table
  // indexed the same way (`column_oid`), instead of `column`.
  Oid column_oid;
  std::string label;
  // With a pattern, the label is the text of its first capture group (or
  // of the whole match); a text that does not match gives an empty label.
  std::shared_ptr<const std::regex> pattern;
  // "{}" is replaced by the text, "{index.N}" by index component N
  // (counted from 1); empty means the text alone.
  std::string format;
};

// One condition of a `where`: the row's index component (counted from 1)
// or its other column, compared as text (integers in decimal).
struct RowCondition {
  enum class Kind { kIndex, kColumn };
  Kind kind = Kind::kIndex;
  oid position = 0;  // index component number, or column number
  // When set (kColumn), the column OID of another table indexed the same
  // way, compared instead of column `position` of the entry.
  Oid column_oid;
  // The text equals one of these; used when `regex` is null.
  std::vector<std::string> equals;
  // The regular expression is found in the text (with `negate`: is not).
  std::shared_ptr<const std::regex> regex;
  bool negate = false;
};

// A `where` of a [[table.metric]]: the rows for which every condition
// holds.
struct RowFilter {
  std::vector<RowCondition> conditions;
};

// A [[table.metric]]: a column mapped to a schema metric.
struct ColumnMetric {
  oid column = 0;
  ValueType type = ValueType::kNumber;
  ValueMapping mapping;
  std::optional<RowFilter> where;
  // With a pattern, the value is read from the column's text: the number
  // in its first capture group. Rows whose text does not match give no
  // sample and no error, like rows a `where` leaves out.
  std::shared_ptr<const std::regex> pattern;
  // The row's decimal digits: the value is divided by 10 to the power of
  // the integer in this column (`digits_column`), or in this column OID of
  // another table indexed the same way (`digits_column_oid`), before the
  // mapping. Unset when both are empty / 0.
  oid digits_column = 0;
  Oid digits_column_oid;
};

struct TableSpec {
  Oid entry;  // the conceptual row (xxxEntry); columns are entry.N
  std::vector<IndexPart> index;
  std::optional<int> max_rows;
  std::vector<LabelColumn> labels;
  std::vector<ColumnMetric> metrics;
};

struct Profile {
  std::string name;
  std::string device_class;  // schema class name: "ups", "pdu", ...
  std::string vendor;
  std::string source;
  std::string file;        // where it was defined
  std::vector<Oid> match;  // sysObjectID prefixes
  // Subtrees that must answer a GETNEXT for the profile to match. A
  // profile with neither match nor probe is a part, used through include.
  std::vector<Oid> probe;
  int max_repetitions = 10;
  // Keys "vendor", "model", "serial", "firmware" of dc_device_info.
  std::map<std::string, InfoField> info;
  // With the included parts merged in.
  std::vector<ScalarMetric> metrics;
  std::vector<TableSpec> tables;
};

using ProfileSet =
    std::map<std::string, std::shared_ptr<const Profile>, std::less<>>;

// A profile that may fit a device, before its probes are read.
struct ProfileCandidate {
  std::shared_ptr<const Profile> profile;
  std::size_t match_length = 0;  // of its longest matching prefix; 0 when
                                 // it matches on probes alone
};

// The profiles whose `match` covers `sys_object_id` component-wise
// (`...318.1` does not cover `...318.10`), and those matching on probes
// alone.
std::vector<ProfileCandidate> MatchCandidates(const ProfileSet& profiles,
                                              OidView sys_object_id);

// The probe OIDs the candidates need read, each once, sorted.
std::vector<Oid> ProbesOf(const std::vector<ProfileCandidate>& candidates);

// The best candidate whose probes are all in `answered`: the longest
// match, then the one with more probes, then the name that sorts first.
// nullptr when none qualifies.
std::shared_ptr<const Profile> ChooseProfile(
    const std::vector<ProfileCandidate>& candidates,
    const std::set<Oid>& answered);

// ChooseProfile(MatchCandidates(...), answered) in one step.
std::shared_ptr<const Profile> MatchProfile(const ProfileSet& profiles,
                                            OidView sys_object_id,
                                            const std::set<Oid>& answered = {});

}  // namespace dc::snmp
