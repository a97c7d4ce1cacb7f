#include "collectors/modbus/profile.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "collectors/common/schema.h"
#include "collectors/modbus/modicon_address.h"

namespace dc::modbus {
namespace {

// Defaults a [profile] table sets for its entries.
struct Defaults {
  Function function = Function::kHolding;
  DataType type = DataType::kUint16;
  WordOrder order = WordOrder::kABCD;
};

template <typename T, typename Parse>
std::optional<T> ReadEnum(TableReader& reader, std::string_view key,
                          Parse parse, std::string_view choices) {
  auto text = reader.String(key);
  if (!text)
    return std::nullopt;
  auto value = parse(*text);
  if (!value) {
    reader.Fail(key, fmt::format("'{}' is not one of {}", *text, choices));
  }
  return value;
}

std::optional<Function> ReadFunction(TableReader& reader) {
  return ReadEnum<Function>(reader, "function", ParseFunction,
                            "coil, discrete_input, holding, input");
}

// Reads address or modicon, function, type, order and length.
std::optional<Location> ReadLocation(TableReader& reader,
                                     const Defaults& defaults) {
  std::size_t errors_before = reader.errors().messages().size();
  Location where;
  where.function = defaults.function;
  where.type = defaults.type;
  where.order = defaults.order;

  std::optional<Function> function = ReadFunction(reader);
  if (function)
    where.function = *function;

  // The wire address, written directly or in a manual's Modicon notation.
  auto address = reader.Integer("address");
  std::optional<std::string> modicon;
  if (const toml::node* node = reader.table().get("modicon")) {
    reader.Accept("modicon");
    if (node->is_integer()) {
      modicon = std::to_string(node->as_integer()->get());
    } else if (node->is_string()) {
      modicon = node->as_string()->get();
    } else {
      reader.Fail("modicon",
                  "must be a number such as 40001 or a string "
                  "such as \"4x0001\"");
    }
  }
  if (address && modicon) {
    reader.Fail("modicon", "give 'address' or 'modicon', not both");
  } else if (address) {
    if (*address < 0 || *address > 65535) {
      reader.Fail("address", "must be a 0-based wire address, 0 to 65535");
    } else {
      where.address = static_cast<std::uint16_t>(*address);
    }
  } else if (modicon) {
    auto wire = ParseModicon(*modicon);
    if (!wire) {
      reader.Fail("modicon", wire.error());
    } else if (function && *function != wire->function) {
      reader.Fail("function",
                  fmt::format("contradicts modicon {}, which is a {} "
                              "register",
                              *modicon, ToString(wire->function)));
    } else {
      where.function = wire->function;
      where.address = wire->address;
    }
  } else if (!reader.Has("modicon") && !reader.Has("address")) {
    reader.Fail("address",
                "missing: give 'address' (0-based wire address) "
                "or 'modicon' (e.g. 40001)");
  }

  auto type = ReadEnum<DataType>(reader, "type", ParseDataType,
                                 "int16, uint16, int32, uint32, int64, "
                                 "uint64, float32, float64, string, bool");
  if (type)
    where.type = *type;
  auto order = ReadEnum<WordOrder>(reader, "order", ParseWordOrder,
                                   "ABCD, CDAB, BADC, DCBA");
  if (order)
    where.order = *order;

  // Coils and discrete inputs are bits; registers are never booleans.
  if (IsBitFunction(where.function)) {
    if (type && *type != DataType::kBool) {
      reader.Fail("type", fmt::format("a {} is a single bit: use type "
                                      "\"bool\" or leave 'type' out",
                                      ToString(where.function)));
    }
    where.type = DataType::kBool;
  } else if (where.type == DataType::kBool) {
    reader.Fail("type",
                "\"bool\" is for coils and discrete inputs; for a "
                "bit of a register use an integer type and 'bit'");
  }

  where.count = RegisterCount(where.type);
  auto length = reader.Integer("length");
  if (where.type == DataType::kString) {
    if (!length) {
      reader.Fail("type", "a string needs 'length', in registers");
    } else if (*length < 1 || *length > 125) {
      reader.Fail("length", "must be 1 to 125 registers");
    } else {
      where.count = static_cast<int>(*length);
    }
  } else if (length) {
    reader.Fail("length", "only strings take a length");
  }
  if (where.address + where.count > 65536) {
    reader.Fail("address", "the value runs past register 65535");
  }

  if (reader.errors().messages().size() != errors_before)
    return std::nullopt;
  return where;
}

void ReadProfileTable(TableReader& reader, Profile& profile,
                      Defaults& defaults) {
  profile.name = reader.String("name", true).value_or("");
  profile.device_class = reader.String("class", true).value_or("");
  profile.vendor = reader.String("vendor").value_or("");
  profile.source = reader.String("source", true).value_or("");

  static const std::set<std::string_view> kClasses = {
      "ups",         "pdu",   "ats",    "cooling",
      "environment", "meter", "server", "storage"};
  if (reader.Has("class") && !kClasses.contains(profile.device_class)) {
    reader.Fail("class",
                "must be one of ups, pdu, ats, cooling, "
                "environment, meter, server, storage");
  }

  if (auto f = ReadFunction(reader))
    defaults.function = *f;
  if (auto t = ReadEnum<DataType>(reader, "type", ParseDataType,
                                  "a numeric type such as float32")) {
    defaults.type = *t;
  }
  if (auto o = ReadEnum<WordOrder>(reader, "order", ParseWordOrder,
                                   "ABCD, CDAB, BADC, DCBA")) {
    defaults.order = *o;
  }

  if (auto gap = reader.Integer("max_gap")) {
    if (*gap < 0 || *gap > 124) {
      reader.Fail("max_gap", "must be 0 (off) to 124 registers");
    } else {
      profile.max_gap = static_cast<int>(*gap);
    }
  }
  if (auto limit = reader.Integer("max_registers_per_read")) {
    if (*limit < 1 || *limit > 125) {
      reader.Fail("max_registers_per_read", "must be 1 to 125");
    } else {
      profile.max_registers_per_read = static_cast<int>(*limit);
    }
  }
  if (const toml::array* models = reader.Array("sunspec_models")) {
    for (const toml::node& n : *models) {
      if (!n.is_integer() || n.as_integer()->get() < 1 ||
          n.as_integer()->get() > 65534) {
        reader.errors().Add(n.source(),
                            "[profile]: 'sunspec_models' takes "
                            "model ids, 1 to 65534");
        continue;
      }
      profile.sunspec_models.push_back(static_cast<int>(n.as_integer()->get()));
    }
  }
  reader.Finish();
}

void ReadInfo(TableReader& reader, const Defaults& defaults, Profile& profile) {
  static const std::set<std::string_view> kKeys = {"vendor", "model", "serial",
                                                   "firmware"};
  for (const auto& [key, node] : reader.table()) {
    std::string_view name = key.str();
    reader.Accept(name);
    if (!kKeys.contains(name)) {
      reader.errors().Add(key.source(),
                          fmt::format("[info]: unknown key '{}'; use vendor, "
                                      "model, serial or firmware",
                                      name));
      continue;
    }
    InfoField field;
    if (node.is_string()) {
      field.constant = node.as_string()->get();
    } else if (node.is_table()) {
      TableReader inner(*node.as_table(), fmt::format("[info] {}", name),
                        reader.errors());
      field.where = ReadLocation(inner, defaults);
      inner.Finish();
      if (!field.where)
        continue;
    } else {
      reader.errors().Add(node.source(),
                          fmt::format("[info]: '{}' must be a string or a "
                                      "table such as {{ address = 532, type "
                                      "= \"string\", length = 16 }}",
                                      name));
      continue;
    }
    profile.info.emplace(std::string(name), std::move(field));
  }
}

std::optional<MetricPoint> ReadMetric(TableReader& reader,
                                      const Defaults& defaults) {
  std::size_t errors_before = reader.errors().messages().size();
  MetricPoint point;
  point.place = FormatPlace(reader.table().source());

  auto where = ReadLocation(reader, defaults);
  if (auto sf = reader.Integer("scale_factor_register")) {
    if (*sf < 0 || *sf > 65535) {
      reader.Fail("scale_factor_register", "must be 0 to 65535");
    } else {
      point.scale_factor_register = static_cast<std::uint16_t>(*sf);
    }
  }
  point.keep_sentinels = reader.Bool("keep_sentinels").value_or(false);
  auto mapping = ReadValueMapping(reader, {});
  reader.Finish();

  if (where) {
    point.where = *where;
    const bool is_float =
        where->type == DataType::kFloat32 || where->type == DataType::kFloat64;
    if (where->type == DataType::kString) {
      reader.Fail("type", "a string can only feed [info]");
    }
    if (mapping && mapping->bit && is_float) {
      reader.Fail("bit", "a bit needs an integer type");
    }
    if (point.scale_factor_register && IsBitFunction(where->function)) {
      reader.Fail("scale_factor_register",
                  "coils and discrete inputs "
                  "have no scale factor");
    }
  }
  if (!where || !mapping ||
      reader.errors().messages().size() != errors_before) {
    return std::nullopt;
  }
  point.mapping = std::move(*mapping);
  return point;
}

// Two entries producing the same series would overwrite each other.
void CheckDuplicates(const Profile& profile, TomlErrors& errors) {
  std::map<std::string, std::string> seen;
  for (const MetricPoint& point : profile.metrics) {
    Labels labels = point.mapping.labels;
    std::sort(labels.begin(), labels.end());
    std::string key = point.mapping.metric;
    for (const auto& [k, v] : labels)
      key += fmt::format(",{}={}", k, v);
    auto [it, inserted] = seen.emplace(key, point.place);
    if (!inserted) {
      errors.Add(
          fmt::format("{}: [[metric]]: '{}' with these labels is "
                      "already produced by the entry at {}",
                      point.place, point.mapping.metric, it->second));
    }
  }
}

}  // namespace

std::optional<Profile> ParseProfile(std::string_view text,
                                    const std::string& file,
                                    TomlErrors& errors) {
  std::size_t errors_before = errors.messages().size();
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(file));
  } catch (const toml::parse_error& e) {
    errors.Add(e.source(), e.description());
    return std::nullopt;
  }

  Profile profile;
  profile.file = file;
  Defaults defaults;
  TableReader top(root, "profile file", errors);
  if (const toml::table* table = top.Table("profile", true)) {
    TableReader reader(*table, "[profile]", errors);
    ReadProfileTable(reader, profile, defaults);
  }
  if (const toml::table* table = top.Table("info")) {
    TableReader reader(*table, "[info]", errors);
    ReadInfo(reader, defaults, profile);
  }
  if (const toml::array* metrics = top.Array("metric")) {
    for (const toml::node& node : *metrics) {
      if (!node.is_table()) {
        errors.Add(node.source(),
                   "'metric' must be an array of tables: "
                   "write [[metric]]");
        continue;
      }
      TableReader reader(*node.as_table(), "[[metric]]", errors);
      if (auto point = ReadMetric(reader, defaults)) {
        profile.metrics.push_back(std::move(*point));
      }
    }
  }
  top.Finish();
  CheckDuplicates(profile, errors);

  if (errors.messages().size() != errors_before)
    return std::nullopt;
  return profile;
}

std::optional<Profile> LoadProfileFile(const std::filesystem::path& path,
                                       TomlErrors& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.Add(fmt::format("{}: cannot read the profile", path.string()));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseProfile(text.str(), path.string(), errors);
}

std::map<std::string, ProfilePtr, std::less<>> LoadProfileDirs(
    const std::vector<std::filesystem::path>& dirs, TomlErrors& errors) {
  std::map<std::string, ProfilePtr, std::less<>> out;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".toml")
        files.push_back(entry.path());
    }
    if (ec) {
      errors.Add(fmt::format("{}: cannot list the profile directory: {}",
                             dir.string(), ec.message()));
      continue;
    }
    std::sort(files.begin(), files.end());

    // Within one directory two files may not claim the same name.
    std::map<std::string, std::string> names_here;
    for (const auto& file : files) {
      auto profile = LoadProfileFile(file, errors);
      if (!profile)
        continue;
      auto [it, inserted] = names_here.emplace(profile->name, file.string());
      if (!inserted) {
        errors.Add(fmt::format("{}: profile name '{}' is already used by {}",
                               file.string(), profile->name, it->second));
        continue;
      }
      std::string name = profile->name;
      out[name] = std::make_shared<const Profile>(std::move(*profile));
    }
  }
  return out;
}

}  // namespace dc::modbus
