#include "collectors/common/value_mapping.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "collectors/common/schema.h"

namespace dc {
namespace {

// Reads a table of integer keys written as strings ("1" = "normal").
template <typename Value, typename Convert>
std::map<std::int64_t, Value> ReadIntKeyedTable(TableReader& reader,
                                                std::string_view key,
                                                Convert convert) {
  std::map<std::int64_t, Value> out;
  const toml::table* table = reader.Table(key);
  if (!table)
    return out;
  for (const auto& [k, v] : *table) {
    std::int64_t number = 0;
    std::string_view text = k.str();
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || end != text.data() + text.size()) {
      reader.errors().Add(v.source(),
                          fmt::format("{}: '{}' keys must be integers, not "
                                      "'{}'",
                                      reader.what(), key, text));
      continue;
    }
    std::optional<Value> value = convert(v);
    if (!value) {
      reader.errors().Add(v.source(),
                          fmt::format("{}: '{}.{}' has the wrong type",
                                      reader.what(), key, text));
      continue;
    }
    out.emplace(number, *value);
  }
  return out;
}

}  // namespace

std::optional<ValueMapping> ReadValueMapping(
    TableReader& reader, const std::vector<std::string>& extra_labels) {
  ValueMapping m;
  std::size_t errors_before = reader.errors().messages().size();

  auto metric = reader.String("metric", true);
  if (metric)
    m.metric = *metric;
  if (const toml::table* labels = reader.Table("labels")) {
    for (const auto& [k, v] : *labels) {
      if (!v.is_string()) {
        reader.errors().Add(v.source(),
                            fmt::format("{}: label '{}' must be a string",
                                        reader.what(), k.str()));
        continue;
      }
      m.labels.emplace_back(std::string(k.str()), v.as_string()->get());
    }
  }
  m.scale = reader.Number("scale").value_or(1);
  m.divisor = reader.Number("divisor").value_or(1);
  if (m.divisor == 0)
    reader.Fail("divisor", "must not be zero");
  m.offset = reader.Number("offset").value_or(0);
  if (const toml::array* drop = reader.Array("drop")) {
    for (const toml::node& n : *drop) {
      if (n.is_integer()) {
        m.drop.push_back(static_cast<double>(n.as_integer()->get()));
      } else if (n.is_floating_point()) {
        m.drop.push_back(n.as_floating_point()->get());
      } else {
        reader.errors().Add(n.source(), fmt::format("{}: 'drop' takes "
                                                    "numbers only",
                                                    reader.what()));
      }
    }
  }
  m.min = reader.Number("min");
  m.max = reader.Number("max");
  m.states = ReadIntKeyedTable<std::string>(
      reader, "states",
      [](const toml::node& n) { return n.value<std::string>(); });
  m.state_label = reader.String("state_label").value_or("state");
  m.lookup = ReadIntKeyedTable<double>(
      reader, "lookup", [](const toml::node& n) { return n.value<double>(); });
  if (auto bit = reader.Integer("bit")) {
    if (*bit < 0 || *bit > 63) {
      reader.Fail("bit", "must be between 0 and 63");
    } else {
      m.bit = static_cast<int>(*bit);
    }
  }
  if (!m.states.empty() && !m.lookup.empty()) {
    reader.Fail("states", "a metric takes 'states' or 'lookup', not both");
  }

  // The labels must be exactly those the schema declares.
  if (metric) {
    const MetricInfo* info = FindSchemaMetric(m.metric);
    if (!info) {
      reader.Fail("metric", fmt::format("'{}' is not a schema metric (see "
                                        "docs/metrics.md)",
                                        m.metric));
    } else {
      std::set<std::string, std::less<>> have(extra_labels.begin(),
                                              extra_labels.end());
      for (const auto& [name, value] : m.labels)
        have.insert(name);
      if (!m.states.empty())
        have.insert(m.state_label);
      std::set<std::string, std::less<>> want(info->labels.begin(),
                                              info->labels.end());
      for (const auto& name : want) {
        // outlet_name is optional where a device has no outlet names.
        if (!have.contains(name) && name != "outlet_name") {
          reader.Fail("metric",
                      fmt::format("'{}' needs the label '{}'", m.metric, name));
        }
      }
      for (const auto& name : have) {
        if (!want.contains(name)) {
          reader.Fail("metric", fmt::format("'{}' has no label '{}' in the "
                                            "schema",
                                            m.metric, name));
        }
      }
    }
  }

  if (reader.errors().messages().size() != errors_before)
    return std::nullopt;
  return m;
}

bool AppendSamples(const ValueMapping& mapping, double raw,
                   const Labels& labels, std::vector<Sample>& out) {
  if (std::isnan(raw))
    return true;
  if (std::find(mapping.drop.begin(), mapping.drop.end(), raw) !=
      mapping.drop.end()) {
    return true;
  }

  // The mapping's labels, then the protocol's, with room for a state.
  auto all_labels = [&](std::size_t room) {
    Labels all;
    all.reserve(mapping.labels.size() + labels.size() + room);
    all.insert(all.end(), mapping.labels.begin(), mapping.labels.end());
    all.insert(all.end(), labels.begin(), labels.end());
    return all;
  };

  if (mapping.bit) {
    auto bits = static_cast<std::uint64_t>(static_cast<std::int64_t>(raw));
    raw = static_cast<double>((bits >> *mapping.bit) & 1U);
  }

  if (!mapping.states.empty()) {
    auto code = static_cast<std::int64_t>(raw);
    bool known = mapping.states.contains(code);
    for (const auto& [state_code, state] : mapping.states) {
      Labels with_state = all_labels(1);
      with_state.emplace_back(mapping.state_label, state);
      out.push_back({mapping.metric, std::move(with_state),
                     known && state_code == code ? 1.0 : 0.0});
    }
    return known;
  }

  double value = raw;
  if (!mapping.lookup.empty()) {
    auto it = mapping.lookup.find(static_cast<std::int64_t>(raw));
    if (it == mapping.lookup.end())
      return false;
    value = it->second;
  } else {
    value = raw * mapping.scale / mapping.divisor + mapping.offset;
  }
  if ((mapping.min && value < *mapping.min) ||
      (mapping.max && value > *mapping.max)) {
    return true;
  }
  out.push_back({mapping.metric, all_labels(0), value});
  return true;
}

}  // namespace dc
