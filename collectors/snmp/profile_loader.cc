#include "collectors/snmp/profile_loader.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "collectors/common/schema.h"
#include "collectors/common/toml_reader.h"

namespace dc::snmp {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxRepetitionsLimit = 200;

// A profile as its file states it, before its includes are merged.
struct ParsedProfile {
  Profile profile;
  // Each included name with the place of the `include` key.
  std::vector<std::pair<std::string, std::string>> includes;
  std::string place;  // of the [profile] table
};

const std::set<std::string, std::less<>>& DeviceClasses() {
  static const std::set<std::string, std::less<>> classes = {
      "ups",         "pdu",   "ats",    "cooling",
      "environment", "meter", "server", "storage"};
  return classes;
}

std::optional<Oid> ReadOid(TableReader& reader, std::string_view key,
                           bool required) {
  auto text = reader.String(key, required);
  if (!text)
    return std::nullopt;
  auto parsed = ParseOid(*text);
  if (!parsed) {
    reader.Fail(key, fmt::format("\"{}\" is not a numeric OID (dotted "
                                 "decimal such as \"1.3.6.1.2.1.1.2.0\"; "
                                 "MIB names are not read)",
                                 *text));
  }
  return parsed;
}

ValueType ReadValueType(TableReader& reader) {
  auto text = reader.String("type");
  if (!text)
    return ValueType::kNumber;
  if (*text == "number" || *text == "integer" || *text == "counter" ||
      *text == "gauge") {
    return ValueType::kNumber;
  }
  if (*text == "timeticks")
    return ValueType::kTimeticks;
  if (*text == "string-number" || *text == "float-string") {
    return ValueType::kStringNumber;
  }
  reader.Fail("type", fmt::format("unknown type \"{}\"; use number, "
                                  "integer, counter, gauge, timeticks or "
                                  "string-number",
                                  *text));
  return ValueType::kNumber;
}

// Checks that a metric belongs to the profile's class (or to any class).
void CheckMetricClass(TableReader& reader, const ValueMapping& mapping,
                      const std::string& device_class) {
  const MetricInfo* info = FindSchemaMetric(mapping.metric);
  if (!info || device_class.empty() ||
      info->device_class == DeviceClass::kAny) {
    return;
  }
  if (ToString(info->device_class) != device_class) {
    reader.Fail("metric",
                fmt::format("'{}' is a {} metric; this profile's class is {}",
                            mapping.metric, ToString(info->device_class),
                            device_class));
  }
}

// Calls `each` with a reader for every table in the array `key`.
template <typename Each>
void ForEachTable(TableReader& reader, std::string_view key,
                  std::string_view what, Each each) {
  const toml::array* array = reader.Array(key);
  if (!array)
    return;
  for (const toml::node& node : *array) {
    if (!node.is_table()) {
      reader.errors().Add(node.source(),
                          fmt::format("{}: each '{}' entry must be a table",
                                      reader.what(), key));
      continue;
    }
    TableReader item(*node.as_table(), std::string(what), reader.errors());
    each(item);
    item.Finish();
  }
}

void ReadInfo(const toml::table& table, TomlErrors& errors, Profile& p) {
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    if (name != "vendor" && name != "model" && name != "serial" &&
        name != "firmware") {
      errors.Add(key.source(),
                 fmt::format("[info]: unknown key '{}' (use vendor, model, "
                             "serial, firmware)",
                             name));
      continue;
    }
    InfoField field;
    if (node.is_string()) {
      field.constant = node.as_string()->get();
    } else if (node.is_table()) {
      TableReader reader(*node.as_table(), "[info]." + name, errors);
      field.oid = ReadOid(reader, "oid", true);
      field.optional = reader.Bool("optional").value_or(false);
      reader.Finish();
      if (!field.oid)
        continue;
    } else {
      errors.Add(node.source(), fmt::format("[info]: '{}' must be a string or "
                                            "{{ oid = \"...\" }}",
                                            name));
      continue;
    }
    p.info[name] = std::move(field);
  }
}

// The key under which a part's metric is replaced by the including
// profile's: metric name and constant labels.
std::string MetricKey(const ValueMapping& m) {
  Labels labels = m.labels;
  std::sort(labels.begin(), labels.end());
  std::string key = m.metric;
  for (const auto& [k, v] : labels)
    key += fmt::format("|{}={}", k, v);
  return key;
}

std::optional<ScalarMetric> ReadScalar(TableReader& reader,
                                       const std::string& device_class) {
  ScalarMetric m;
  auto oid = ReadOid(reader, "oid", true);
  m.type = ReadValueType(reader);
  m.optional = reader.Bool("optional").value_or(false);
  auto mapping = ReadValueMapping(reader, {});
  if (!oid || !mapping)
    return std::nullopt;
  CheckMetricClass(reader, *mapping, device_class);
  m.oid = std::move(*oid);
  m.mapping = std::move(*mapping);
  return m;
}

std::optional<oid> ReadColumn(TableReader& reader) {
  auto column = reader.Integer("column", true);
  if (!column)
    return std::nullopt;
  if (*column < 1 || *column > 0xFFFFFFFFLL) {
    reader.Fail("column", "must be a column number of 1 or more");
    return std::nullopt;
  }
  return static_cast<oid>(*column);
}

// Reads a column given as `KEY = N` (a column of the table's entry) or
// `KEY_oid = "OID"` (a column of another table indexed the same way);
// exactly one of them when `required`. False when nothing valid was read.
bool ReadColumnRef(TableReader& reader, const std::string& key, bool required,
                   oid& column, Oid& column_oid) {
  auto number = reader.Integer(key);
  auto other = ReadOid(reader, key + "_oid", false);
  if (number.has_value() && other.has_value()) {
    reader.Fail(key, fmt::format("give '{}' or '{}_oid', not both", key, key));
    return false;
  }
  if (other) {
    column_oid = std::move(*other);
    return true;
  }
  if (!number) {
    if (required)
      reader.Fail(key, fmt::format("'{}' (a column number) or '{}_oid' (a "
                                   "column of another table) is required",
                                   key, key));
    return false;
  }
  if (*number < 1 || *number > 0xFFFFFFFFLL) {
    reader.Fail(key, "must be a column number of 1 or more");
    return false;
  }
  column = static_cast<oid>(*number);
  return true;
}

// Compiles the regular expression of `key` (ECMAScript syntax), or
// reports it with the place of the key.
std::shared_ptr<const std::regex> ReadRegex(TableReader& reader,
                                            std::string_view key) {
  auto text = reader.String(key);
  if (!text)
    return nullptr;
  try {
    return std::make_shared<const std::regex>(*text, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    reader.Fail(key, fmt::format("\"{}\" is not a regular expression: {}",
                                 *text, e.what()));
    return nullptr;
  }
}

// Reads one condition: `{ index = N | column = N, equals = V | [V, ...] |
// matches = "RE" | not_matches = "RE" }`.
std::optional<RowCondition> ReadCondition(const toml::table& table,
                                          TableReader& reader) {
  TableReader w(table, reader.what() + " where", reader.errors());
  std::size_t errors_before = reader.errors().messages().size();
  RowCondition condition;
  auto index = w.Integer("index");
  auto column = w.Integer("column");
  if (auto other = ReadOid(w, "column_oid", false)) {
    // A column of another table with the same index; `position` unused.
    condition.column_oid = std::move(*other);
    if (!column)
      column = 0;
    else
      w.Fail("column_oid", "give 'column' or 'column_oid', not both");
  }
  if (index.has_value() == column.has_value()) {
    reader.errors().Add(table.source(),
                        fmt::format("{} where: give exactly one of 'index' "
                                    "or 'column'",
                                    reader.what()));
  } else {
    std::int64_t position = index ? *index : *column;
    if ((position < 1 && condition.column_oid.empty()) ||
        position > 0xFFFFFFFFLL) {
      w.Fail(index ? "index" : "column", "must be 1 or more");
    }
    condition.kind =
        index ? RowCondition::Kind::kIndex : RowCondition::Kind::kColumn;
    condition.position = static_cast<oid>(position);
  }

  int tests = 0;
  w.Accept("equals");
  auto add = [&](const toml::node& n) {
    if (n.is_integer()) {
      condition.equals.push_back(std::to_string(n.as_integer()->get()));
    } else if (n.is_string()) {
      condition.equals.push_back(n.as_string()->get());
    } else {
      reader.errors().Add(n.source(),
                          fmt::format("{} where: 'equals' takes integers "
                                      "and strings",
                                      reader.what()));
    }
  };
  if (const toml::node* equals = table.get("equals")) {
    ++tests;
    if (const toml::array* list = equals->as_array()) {
      for (const toml::node& n : *list)
        add(n);
    } else {
      add(*equals);
    }
  }
  if (auto regex = ReadRegex(w, "matches")) {
    ++tests;
    condition.regex = std::move(regex);
  }
  if (auto regex = ReadRegex(w, "not_matches")) {
    ++tests;
    condition.regex = std::move(regex);
    condition.negate = true;
  }
  if (tests != 1 && reader.errors().messages().size() == errors_before) {
    reader.errors().Add(table.source(),
                        fmt::format("{} where: give exactly one of "
                                    "'equals', 'matches' or 'not_matches'",
                                    reader.what()));
  }
  w.Finish();
  if (reader.errors().messages().size() != errors_before)
    return std::nullopt;
  return condition;
}

// Reads `where`: one condition, or an array of them that must all hold.
std::optional<RowFilter> ReadWhere(TableReader& reader) {
  reader.Accept("where");
  const toml::node* node = reader.table().get("where");
  if (!node)
    return std::nullopt;
  std::size_t errors_before = reader.errors().messages().size();
  RowFilter filter;
  auto add = [&](const toml::node& n) {
    if (!n.is_table()) {
      reader.errors().Add(n.source(),
                          fmt::format("{}: 'where' takes a table such as "
                                      "{{ column = 2, equals = 1 }} or an "
                                      "array of them",
                                      reader.what()));
      return;
    }
    if (auto c = ReadCondition(*n.as_table(), reader))
      filter.conditions.push_back(std::move(*c));
  };
  if (const toml::array* list = node->as_array()) {
    for (const toml::node& n : *list)
      add(n);
    if (list->empty())
      reader.Fail("where", "needs at least one condition");
  } else {
    add(*node);
  }
  if (reader.errors().messages().size() != errors_before)
    return std::nullopt;
  return filter;
}

// Checks a [[table.label]] `format`: "{}" and "{index.N}" placeholders.
void CheckLabelFormat(TableReader& reader, const std::string& format) {
  std::size_t at = 0;
  while ((at = format.find('{', at)) != std::string::npos) {
    std::size_t close = format.find('}', at);
    std::string_view inside =
        close == std::string::npos
            ? std::string_view()
            : std::string_view(format).substr(at + 1, close - at - 1);
    bool ok =
        close != std::string::npos &&
        (inside.empty() || (inside.starts_with("index.") && inside.size() > 6 &&
                            inside.substr(6).find_first_not_of("0123456789") ==
                                std::string_view::npos &&
                            inside.substr(6) != "0" && inside[6] != '0'));
    if (!ok) {
      reader.Fail("format",
                  "placeholders are {} (the text) and {index.N} "
                  "(index component N, from 1)");
      return;
    }
    at = close + 1;
  }
}

std::optional<TableSpec> ReadTable(TableReader& reader,
                                   const std::string& device_class) {
  TableSpec t;
  std::size_t errors_before = reader.errors().messages().size();
  auto entry = ReadOid(reader, "oid", true);
  if (entry)
    t.entry = std::move(*entry);

  std::vector<std::string> row_labels;
  ForEachTable(reader, "index", "[[table]] index", [&](TableReader& part) {
    IndexPart p;
    p.label = part.String("label").value_or("");
    p.format = part.String("format").value_or("");
    p.is_string = part.Bool("string").value_or(false);
    p.implied = part.Bool("implied").value_or(false);
    if (p.implied && !p.is_string)
      part.Fail("implied", "applies to a string index part: add string = true");
    if (!t.index.empty() && t.index.back().implied) {
      part.Fail("implied",
                "an IMPLIED string takes every remaining index "
                "component, so it must be the last index part");
    }
    if (!p.format.empty() && p.format.find("{}") == std::string::npos) {
      part.Fail("format", "must contain {} where the index value goes");
    }
    if (!p.label.empty())
      row_labels.push_back(p.label);
    t.index.push_back(std::move(p));
  });
  if (auto max_rows = reader.Integer("max_rows")) {
    if (*max_rows < 1 || *max_rows > 1'000'000) {
      reader.Fail("max_rows", "must be between 1 and 1000000");
    } else {
      t.max_rows = static_cast<int>(*max_rows);
    }
  }
  ForEachTable(reader, "label", "[[table.label]]", [&](TableReader& item) {
    LabelColumn l;
    bool column = ReadColumnRef(item, "column", true, l.column, l.column_oid);
    auto label = item.String("label", true);
    l.pattern = ReadRegex(item, "pattern");
    l.format = item.String("format").value_or("");
    CheckLabelFormat(item, l.format);
    if (!column || !label)
      return;
    l.label = *label;
    row_labels.push_back(l.label);
    t.labels.push_back(std::move(l));
  });
  std::set<std::string> seen;
  for (const auto& label : row_labels) {
    if (!seen.insert(label).second) {
      reader.Fail("oid", fmt::format("the label '{}' is set twice (index "
                                     "and label columns)",
                                     label));
    }
  }
  ForEachTable(reader, "metric", "[[table.metric]]", [&](TableReader& item) {
    ColumnMetric m;
    auto column = ReadColumn(item);
    m.type = ReadValueType(item);
    m.where = ReadWhere(item);
    m.pattern = ReadRegex(item, "pattern");
    ReadColumnRef(item, "digits_column", false, m.digits_column,
                  m.digits_column_oid);
    if (m.pattern && m.pattern->mark_count() < 1) {
      item.Fail("pattern",
                "needs a capture group around the number, as in "
                "\": ([-0-9.]+) V$\"");
    }
    auto mapping = ReadValueMapping(item, row_labels);
    if (!column || !mapping)
      return;
    CheckMetricClass(item, *mapping, device_class);
    m.column = *column;
    m.mapping = std::move(*mapping);
    t.metrics.push_back(std::move(m));
  });
  if (t.metrics.empty() && reader.errors().messages().size() == errors_before) {
    reader.Fail("oid", "a table needs at least one [[table.metric]]");
  }
  if (reader.errors().messages().size() != errors_before)
    return std::nullopt;
  return t;
}

std::optional<ParsedProfile> ParseDocument(const toml::table& doc,
                                           const std::string& file,
                                           TomlErrors& errors) {
  std::size_t errors_before = errors.messages().size();
  TableReader top(doc, file, errors);
  ParsedProfile parsed;
  Profile& p = parsed.profile;
  p.file = file;

  const toml::table* header = top.Table("profile", true);
  if (!header)
    return std::nullopt;
  parsed.place = FormatPlace(header->source());
  TableReader h(*header, "[profile]", errors);
  p.name = h.String("name", true).value_or("");
  p.device_class = h.String("class").value_or("");
  if (!p.device_class.empty() && !DeviceClasses().contains(p.device_class)) {
    h.Fail("class", fmt::format("unknown class \"{}\"; use ups, pdu, ats, "
                                "cooling, environment, meter, server or "
                                "storage",
                                p.device_class));
  }
  p.vendor = h.String("vendor").value_or("");
  p.source = h.String("source").value_or("");
  if (const toml::array* match = h.Array("match")) {
    for (const toml::node& n : *match) {
      auto oid = n.is_string() ? ParseOid(n.as_string()->get()) : std::nullopt;
      if (!oid) {
        errors.Add(n.source(),
                   "[profile]: each 'match' entry must be a "
                   "numeric OID string such as "
                   "\"1.3.6.1.4.1.318.1.3.2\"");
        continue;
      }
      p.match.push_back(std::move(*oid));
    }
  }
  if (const toml::array* probe = h.Array("probe")) {
    for (const toml::node& n : *probe) {
      auto oid = n.is_string() ? ParseOid(n.as_string()->get()) : std::nullopt;
      if (!oid) {
        errors.Add(n.source(),
                   "[profile]: each 'probe' entry must be a "
                   "numeric OID string such as "
                   "\"1.3.6.1.4.1.4555.1.1.1\"");
        continue;
      }
      p.probe.push_back(std::move(*oid));
    }
  }
  if ((!p.match.empty() || !p.probe.empty()) && p.device_class.empty()) {
    h.Fail(p.match.empty() ? "probe" : "match",
           "a profile that matches devices needs a 'class'");
  }
  if (auto includes = h.StringArray("include")) {
    std::string place = FormatPlace(header->get("include")->source());
    for (auto& name : *includes)
      parsed.includes.emplace_back(name, place);
  }
  if (auto reps = h.Integer("max_repetitions")) {
    if (*reps < 1 || *reps > kMaxRepetitionsLimit) {
      h.Fail("max_repetitions",
             fmt::format("must be between 1 and {}", kMaxRepetitionsLimit));
    } else {
      p.max_repetitions = static_cast<int>(*reps);
    }
  }
  h.Finish();

  if (const toml::table* info = top.Table("info"))
    ReadInfo(*info, errors, p);
  std::set<std::string> metric_keys;
  ForEachTable(top, "metric", "[[metric]]", [&](TableReader& item) {
    auto m = ReadScalar(item, p.device_class);
    if (!m)
      return;
    // Two entries for one series would serve it twice; an included
    // part's entry is replaced instead (see Resolver).
    if (!metric_keys.insert(MetricKey(m->mapping)).second) {
      item.Fail("metric", fmt::format("'{}' with these labels is already "
                                      "read by an earlier [[metric]]",
                                      m->mapping.metric));
      return;
    }
    p.metrics.push_back(std::move(*m));
  });
  ForEachTable(top, "table", "[[table]]", [&](TableReader& item) {
    if (auto t = ReadTable(item, p.device_class)) {
      p.tables.push_back(std::move(*t));
    }
  });
  top.Finish();

  if (errors.messages().size() != errors_before)
    return std::nullopt;
  return parsed;
}

std::optional<ParsedProfile> ParseText(const std::string& text,
                                       const std::string& file,
                                       TomlErrors& errors) {
  try {
    toml::table doc = toml::parse(text, std::string_view(file));
    return ParseDocument(doc, file, errors);
  } catch (const toml::parse_error& e) {
    errors.Add(e.source(), e.description());
    return std::nullopt;
  }
}

class Resolver {
 public:
  Resolver(const std::map<std::string, ParsedProfile>& parsed,
           TomlErrors& errors)
      : parsed_(parsed), errors_(errors) {}

  // The profile `name` with its includes merged, or nullptr on error.
  std::shared_ptr<const Profile> Resolve(const std::string& name) {
    if (auto it = done_.find(name); it != done_.end())
      return it->second;
    const ParsedProfile& source = parsed_.at(name);
    stack_.push_back(name);

    Profile merged;
    bool ok = true;
    for (const auto& [part_name, place] : source.includes) {
      if (!parsed_.contains(part_name)) {
        errors_.Add(
            fmt::format("{}: [profile] '{}' includes '{}', which no "
                        "profile defines",
                        place, name, part_name));
        ok = false;
        continue;
      }
      if (std::find(stack_.begin(), stack_.end(), part_name) != stack_.end()) {
        std::string cycle;
        for (const auto& s : stack_)
          cycle += s + " -> ";
        errors_.Add(fmt::format("{}: [profile] include cycle: {}{}", place,
                                cycle, part_name));
        ok = false;
        continue;
      }
      auto part = Resolve(part_name);
      if (!part) {
        ok = false;
        continue;
      }
      Merge(*part, merged);
    }
    stack_.pop_back();

    const Profile& own = source.profile;
    // The parts first, then the profile's own entries over them. A
    // profile may read one table twice (two [[table]] entries on one
    // entry OID, e.g. to label two columns differently); only the parts'
    // tables are replaced, never the profile's own.
    Profile result = own;
    result.info = std::move(merged.info);
    result.metrics = std::move(merged.metrics);
    result.tables = std::move(merged.tables);
    for (const auto& t : own.tables) {
      std::erase_if(result.tables, [&](const TableSpec& have) {
        return have.entry == t.entry;
      });
    }
    Profile own_entries = own;
    own_entries.tables.clear();
    Merge(own_entries, result);
    result.tables.insert(result.tables.end(), own.tables.begin(),
                         own.tables.end());

    auto out =
        ok ? std::make_shared<const Profile>(std::move(result)) : nullptr;
    done_[name] = out;
    return out;
  }

 private:
  // Adds `part`'s metrics and tables to `into`, replacing entries with
  // the same metric key or table entry OID.
  static void Merge(const Profile& part, Profile& into) {
    for (const auto& [k, v] : part.info)
      into.info[k] = v;
    for (const auto& m : part.metrics) {
      std::string key = MetricKey(m.mapping);
      std::erase_if(into.metrics, [&](const ScalarMetric& have) {
        return MetricKey(have.mapping) == key;
      });
      into.metrics.push_back(m);
    }
    for (const auto& t : part.tables) {
      std::erase_if(into.tables, [&](const TableSpec& have) {
        return have.entry == t.entry;
      });
      into.tables.push_back(t);
    }
  }

  const std::map<std::string, ParsedProfile>& parsed_;
  TomlErrors& errors_;
  std::vector<std::string> stack_;
  std::map<std::string, std::shared_ptr<const Profile>> done_;
};

// Combines the documents of one directory (or of a test) into `parsed`,
// reporting names defined twice among them.
void AddLayer(std::vector<std::pair<std::string, ParsedProfile>> layer,
              std::map<std::string, ParsedProfile>& parsed,
              TomlErrors& errors) {
  std::map<std::string, std::string> seen;
  for (auto& [file, profile] : layer) {
    const std::string& name = profile.profile.name;
    if (auto it = seen.find(name); it != seen.end()) {
      errors.Add(
          fmt::format("{}: [profile] name \"{}\" is already defined "
                      "in {}",
                      profile.place, name, it->second));
      continue;
    }
    seen.emplace(name, file);
    parsed[name] = std::move(profile);
  }
}

std::vector<std::string> Finish(
    const std::map<std::string, ParsedProfile>& parsed, TomlErrors& errors,
    ProfileSet& out) {
  ProfileSet result;
  Resolver resolver(parsed, errors);
  for (const auto& [name, profile] : parsed) {
    if (auto p = resolver.Resolve(name))
      result.emplace(name, std::move(p));
  }
  if (!errors.empty())
    return errors.messages();
  out = std::move(result);
  return {};
}

}  // namespace

std::vector<std::string> LoadProfileDirs(const std::vector<fs::path>& dirs,
                                         ProfileSet& out) {
  TomlErrors errors;
  std::map<std::string, ParsedProfile> parsed;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().extension() == ".toml")
        files.push_back(it->path());
    }
    if (ec) {
      errors.Add(fmt::format("{}: cannot read the profile directory: {}",
                             dir.string(), ec.message()));
      continue;
    }
    std::sort(files.begin(), files.end());

    std::vector<std::pair<std::string, ParsedProfile>> layer;
    for (const fs::path& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      if (!in) {
        errors.Add(fmt::format("{}: cannot read the file", file.string()));
        continue;
      }
      if (auto p = ParseText(text.str(), file.string(), errors)) {
        layer.emplace_back(file.string(), std::move(*p));
      }
    }
    AddLayer(std::move(layer), parsed, errors);
  }
  return Finish(parsed, errors, out);
}

std::vector<std::string> LoadProfileTexts(
    const std::vector<std::pair<std::string, std::string>>& documents,
    ProfileSet& out) {
  TomlErrors errors;
  std::map<std::string, ParsedProfile> parsed;
  std::vector<std::pair<std::string, ParsedProfile>> layer;
  for (const auto& [file, text] : documents) {
    if (auto p = ParseText(text, file, errors)) {
      layer.emplace_back(file, std::move(*p));
    }
  }
  AddLayer(std::move(layer), parsed, errors);
  return Finish(parsed, errors, out);
}

std::vector<ProfileCandidate> MatchCandidates(const ProfileSet& profiles,
                                              OidView sys_object_id) {
  std::vector<ProfileCandidate> out;
  for (const auto& [name, profile] : profiles) {
    if (profile->match.empty()) {
      if (!profile->probe.empty())
        out.push_back({profile, 0});
      continue;
    }
    std::optional<std::size_t> best;
    for (const Oid& prefix : profile->match) {
      if (IsPrefix(prefix, sys_object_id) && (!best || prefix.size() > *best)) {
        best = prefix.size();
      }
    }
    if (best)
      out.push_back({profile, *best});
  }
  return out;
}

std::vector<Oid> ProbesOf(const std::vector<ProfileCandidate>& candidates) {
  std::set<Oid> probes;
  for (const auto& c : candidates) {
    probes.insert(c.profile->probe.begin(), c.profile->probe.end());
  }
  return {probes.begin(), probes.end()};
}

std::shared_ptr<const Profile> ChooseProfile(
    const std::vector<ProfileCandidate>& candidates,
    const std::set<Oid>& answered) {
  const ProfileCandidate* best = nullptr;
  for (const auto& c : candidates) {
    bool probed =
        std::all_of(c.profile->probe.begin(), c.profile->probe.end(),
                    [&](const Oid& probe) { return answered.contains(probe); });
    if (!probed)
      continue;
    // Candidates come in name order, so a tie keeps the first name.
    if (!best || c.match_length > best->match_length ||
        (c.match_length == best->match_length &&
         c.profile->probe.size() > best->profile->probe.size())) {
      best = &c;
    }
  }
  return best ? best->profile : nullptr;
}

std::shared_ptr<const Profile> MatchProfile(const ProfileSet& profiles,
                                            OidView sys_object_id,
                                            const std::set<Oid>& answered) {
  return ChooseProfile(MatchCandidates(profiles, sys_object_id), answered);
}

}  // namespace dc::snmp
