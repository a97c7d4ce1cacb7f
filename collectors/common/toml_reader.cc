#include "collectors/common/toml_reader.h"

#include <cctype>
#include <charconv>
#include <sstream>

#include <fmt/format.h>

namespace dc {

std::string FormatPlace(const toml::source_region& where) {
  std::string file = where.path ? std::string(*where.path) : "<input>";
  return fmt::format("{}:{}:{}", file, where.begin.line, where.begin.column);
}

void TomlErrors::Add(const toml::source_region& where,
                     std::string_view message) {
  messages_.push_back(fmt::format("{}: {}", FormatPlace(where), message));
}

void TomlErrors::Add(std::string message) {
  messages_.push_back(std::move(message));
}

std::string TomlErrors::Joined() const {
  std::string out;
  for (const auto& m : messages_) {
    out += m;
    out += '\n';
  }
  return out;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  using std::chrono::milliseconds;
  if (text.empty())
    return std::nullopt;

  // A sequence of NUMBER UNIT pairs, units in decreasing size.
  std::int64_t total_ms = 0;
  int last_rank = 99;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t number = 0;
    auto [end, ec] =
        std::from_chars(text.data() + i, text.data() + text.size(), number);
    if (ec != std::errc() || number < 0)
      return std::nullopt;
    i = static_cast<std::size_t>(end - text.data());

    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
      ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    std::int64_t factor = 0;
    int rank = 0;
    if (unit == "ms") {
      factor = 1, rank = 0;
    } else if (unit == "s") {
      factor = 1000, rank = 1;
    } else if (unit == "m") {
      factor = 60'000, rank = 2;
    } else if (unit == "h") {
      factor = 3'600'000, rank = 3;
    } else if (unit == "d") {
      factor = 86'400'000, rank = 4;
    } else {
      return std::nullopt;
    }
    if (rank >= last_rank)
      return std::nullopt;
    last_rank = rank;
    if (number > (INT64_MAX / 2) / factor)
      return std::nullopt;
    total_ms += number * factor;
  }
  if (total_ms <= 0)
    return std::nullopt;
  return milliseconds(total_ms);
}

TableReader::TableReader(const toml::table& table, std::string what,
                         TomlErrors& errors)
    : table_(table), what_(std::move(what)), errors_(errors) {}

bool TableReader::Has(std::string_view key) const {
  return table_.contains(key);
}

const toml::node* TableReader::Get(std::string_view key, bool required) {
  known_.emplace(key);
  const toml::node* node = table_.get(key);
  if (!node && required) {
    errors_.Add(table_.source(),
                fmt::format("{}: missing required key '{}'", what_, key));
  }
  return node;
}

void TableReader::WrongType(std::string_view key, const toml::node& node,
                            std::string_view expected) {
  std::ostringstream type;
  type << node.type();
  errors_.Add(node.source(), fmt::format("{}: '{}' must be {}, not {}", what_,
                                         key, expected, type.str()));
}

std::optional<std::string> TableReader::String(std::string_view key,
                                               bool required) {
  const toml::node* node = Get(key, required);
  if (!node)
    return std::nullopt;
  if (auto v = node->value<std::string>(); v && node->is_string())
    return v;
  WrongType(key, *node, "a string");
  return std::nullopt;
}

std::optional<std::int64_t> TableReader::Integer(std::string_view key,
                                                 bool required) {
  const toml::node* node = Get(key, required);
  if (!node)
    return std::nullopt;
  if (node->is_integer())
    return node->as_integer()->get();
  WrongType(key, *node, "an integer");
  return std::nullopt;
}

std::optional<double> TableReader::Number(std::string_view key, bool required) {
  const toml::node* node = Get(key, required);
  if (!node)
    return std::nullopt;
  if (node->is_integer())
    return static_cast<double>(node->as_integer()->get());
  if (node->is_floating_point())
    return node->as_floating_point()->get();
  WrongType(key, *node, "a number");
  return std::nullopt;
}

std::optional<bool> TableReader::Bool(std::string_view key, bool required) {
  const toml::node* node = Get(key, required);
  if (!node)
    return std::nullopt;
  if (node->is_boolean())
    return node->as_boolean()->get();
  WrongType(key, *node, "true or false");
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> TableReader::Duration(
    std::string_view key, bool required) {
  const toml::node* node = Get(key, required);
  if (!node)
    return std::nullopt;
  if (!node->is_string()) {
    WrongType(key, *node, "a duration string such as \"30s\"");
    return std::nullopt;
  }
  const std::string& text = node->as_string()->get();
  auto parsed = ParseDuration(text);
  if (!parsed) {
    errors_.Add(node->source(),
                fmt::format("{}: '{}' = \"{}\" is not a duration; write "
                            "for example \"500ms\", \"30s\", \"5m\"",
                            what_, key, text));
  }
  return parsed;
}

const toml::table* TableReader::Table(std::string_view key, bool required) {
  const toml::node* node = Get(key, required);
  if (!node)
    return nullptr;
  if (node->is_table())
    return node->as_table();
  WrongType(key, *node, "a table");
  return nullptr;
}

const toml::array* TableReader::Array(std::string_view key, bool required) {
  const toml::node* node = Get(key, required);
  if (!node)
    return nullptr;
  if (node->is_array())
    return node->as_array();
  WrongType(key, *node, "an array");
  return nullptr;
}

std::optional<std::vector<std::string>> TableReader::StringArray(
    std::string_view key, bool required) {
  const toml::array* array = Array(key, required);
  if (!array)
    return std::nullopt;
  std::vector<std::string> out;
  for (const toml::node& element : *array) {
    if (!element.is_string()) {
      WrongType(key, element, "an array of strings");
      return std::nullopt;
    }
    out.push_back(element.as_string()->get());
  }
  return out;
}

void TableReader::Accept(std::string_view key) {
  known_.emplace(key);
}

void TableReader::Fail(std::string_view key, std::string_view message) {
  const toml::node* node = table_.get(key);
  errors_.Add(node ? node->source() : table_.source(),
              fmt::format("{}: '{}': {}", what_, key, message));
}

void TableReader::Finish() {
  for (const auto& [key, node] : table_) {
    (void)node;
    if (!known_.contains(key.str())) {
      errors_.Add(key.source(),
                  fmt::format("{}: unknown key '{}'", what_, key.str()));
    }
  }
}

}  // namespace dc
