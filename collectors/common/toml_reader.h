// Strict reading of TOML tables: every key is checked for its type, keys
// nobody asked for are reported as unknown, and every problem names the
// file, line and column. Used by the agent's configuration and by device
// profiles, so no later code meets an unchecked value.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace dc {

// Collects problems found while reading one or more files.
class TomlErrors {
 public:
  // Records "FILE:LINE:COLUMN: message" for the place `where`.
  void Add(const toml::source_region& where, std::string_view message);
  // Records a message that has no place in a file.
  void Add(std::string message);

  bool empty() const { return messages_.empty(); }
  const std::vector<std::string>& messages() const { return messages_; }
  // All messages, one per line.
  std::string Joined() const;

 private:
  std::vector<std::string> messages_;
};

// "FILE:LINE:COLUMN" of a place in a file.
std::string FormatPlace(const toml::source_region& where);

// Parses "250ms", "30s", "5m", "1h", "1m30s". Returns nullopt for anything
// else, including zero-length and negative durations.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Reads the keys of one table. Each getter marks its key as known and
// reports a wrong type; Finish() reports the keys no getter asked for.
class TableReader {
 public:
  // `what` names the table in messages, for example "[[target]]".
  TableReader(const toml::table& table, std::string what, TomlErrors& errors);

  bool Has(std::string_view key) const;

  std::optional<std::string> String(std::string_view key,
                                    bool required = false);
  std::optional<std::int64_t> Integer(std::string_view key,
                                      bool required = false);
  // Accepts integers and floats.
  std::optional<double> Number(std::string_view key, bool required = false);
  std::optional<bool> Bool(std::string_view key, bool required = false);
  // A duration written as a string ("30s") per ParseDuration.
  std::optional<std::chrono::milliseconds> Duration(std::string_view key,
                                                    bool required = false);
  const toml::table* Table(std::string_view key, bool required = false);
  const toml::array* Array(std::string_view key, bool required = false);
  // An array whose elements must all be strings.
  std::optional<std::vector<std::string>> StringArray(std::string_view key,
                                                      bool required = false);
  // Marks a key as known without reading it.
  void Accept(std::string_view key);

  // Reports a problem with the value of `key` (or the table if absent).
  void Fail(std::string_view key, std::string_view message);

  // Reports every key that no getter asked for.
  void Finish();

  const toml::table& table() const { return table_; }
  const std::string& what() const { return what_; }
  TomlErrors& errors() { return errors_; }

 private:
  const toml::node* Get(std::string_view key, bool required);
  void WrongType(std::string_view key, const toml::node& node,
                 std::string_view expected);

  const toml::table& table_;
  std::string what_;
  TomlErrors& errors_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace dc
