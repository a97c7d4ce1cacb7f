#include "sim/device_model.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "collectors/common/toml_reader.h"
#include "sim/ber.h"

namespace dc::sim {
namespace {

struct TypeInfo {
  std::string_view name;
  std::uint8_t tag;
};

constexpr TypeInfo kSnmpTypes[] = {
    {"integer", ber::kInteger},     {"string", ber::kOctetString},
    {"oid", ber::kObjectId},        {"ipaddress", ber::kIpAddress},
    {"counter32", ber::kCounter32}, {"gauge32", ber::kGauge32},
    {"timeticks", ber::kTimeTicks}, {"counter64", ber::kCounter64},
};

struct RegisterTypeInfo {
  std::string_view name;
  RegisterType type;
};

constexpr RegisterTypeInfo kRegisterTypes[] = {
    {"uint16", RegisterType::kUint16},   {"int16", RegisterType::kInt16},
    {"uint32", RegisterType::kUint32},   {"int32", RegisterType::kInt32},
    {"float32", RegisterType::kFloat32}, {"uint64", RegisterType::kUint64},
};

constexpr std::string_view kTexts[] = {"name", "location", "serial", "contact"};

void ReadObject(const toml::table& table, TomlErrors& errors,
                DeviceModel& model) {
  TableReader reader(table, "[[object]]", errors);
  ObjectTemplate object;
  object.place = FormatPlace(table.source());
  object.oid = reader.String("oid", true).value_or("");
  object.each = reader.String("each").value_or("");
  if (!object.each.empty() && object.each != "phase" &&
      object.each != "outlet" && object.each != "probe" &&
      object.each != "bank") {
    reader.Fail("each", "must be \"phase\", \"outlet\", \"bank\" or \"probe\"");
  }

  std::string type = reader.String("type", true).value_or("integer");
  auto info = std::find_if(std::begin(kSnmpTypes), std::end(kSnmpTypes),
                           [&](const TypeInfo& t) { return t.name == type; });
  if (info == std::end(kSnmpTypes)) {
    reader.Fail("type",
                "must be integer, string, oid, ipaddress, counter32, "
                "gauge32, timeticks or counter64");
  } else {
    object.entry.tag = info->tag;
  }

  object.var = reader.String("var").value_or("");
  object.entry.scale = reader.Number("scale").value_or(1.0);
  object.entry.offset = reader.Number("offset").value_or(0.0);
  object.entry.decimals =
      static_cast<int>(reader.Integer("decimals").value_or(0));
  if (auto text = reader.String("text")) {
    auto it = std::find(std::begin(kTexts), std::end(kTexts), *text);
    if (it == std::end(kTexts)) {
      reader.Fail("text", "must be name, location, serial or contact");
    } else {
      object.entry.text = static_cast<int>(it - std::begin(kTexts));
    }
  }

  object.index_value = reader.Bool("index_value").value_or(false);
  int sources = (object.var.empty() ? 0 : 1) + (object.index_value ? 1 : 0) +
                (object.entry.text >= 0 ? 1 : 0) +
                (reader.Has("value") ? 1 : 0);
  if (sources != 1) {
    reader.Fail("value",
                "exactly one of value, var, text or index_value is required");
  } else if (reader.Has("value")) {
    // The fixed value is kept as text and converted by type.
    if (object.entry.tag == ber::kOctetString) {
      object.entry.bytes = reader.String("value").value_or("");
    } else if (object.entry.tag == ber::kObjectId) {
      auto oid = ParseOid(reader.String("value").value_or(""));
      if (!oid || oid->size() < 2) {
        reader.Fail("value", "is not an OID");
      } else {
        ber::AppendOidContents(object.entry.bytes, *oid);
      }
    } else if (object.entry.tag == ber::kIpAddress) {
      auto quad = ParseOid(reader.String("value").value_or(""));
      if (!quad || quad->size() != 4) {
        reader.Fail("value", "is not a dotted quad");
      } else {
        for (auto part : *quad) {
          object.entry.bytes.push_back(static_cast<char>(part & 0xff));
        }
      }
    } else {
      object.entry.number = reader.Integer("value").value_or(0);
    }
  }
  reader.Finish();
  model.objects.push_back(std::move(object));
}

void ReadRegister(const toml::table& table, TomlErrors& errors,
                  DeviceModel& model) {
  TableReader reader(table, "[[register]]", errors);
  RegisterEntry entry;
  std::string table_name = reader.String("table", true).value_or("input");
  if (table_name == "input") {
    entry.table = RegisterTable::kInput;
  } else if (table_name == "holding") {
    entry.table = RegisterTable::kHolding;
  } else {
    reader.Fail("table", "must be \"input\" or \"holding\"");
  }

  std::int64_t address = reader.Integer("address", true).value_or(0);
  if (address < 0 || address > 0xffff) {
    reader.Fail("address", "must be a 0-based wire address, 0 to 65535");
  }
  entry.address = static_cast<std::uint16_t>(address);

  std::string type = reader.String("type", true).value_or("uint16");
  auto info =
      std::find_if(std::begin(kRegisterTypes), std::end(kRegisterTypes),
                   [&](const RegisterTypeInfo& t) { return t.name == type; });
  if (info == std::end(kRegisterTypes)) {
    reader.Fail("type",
                "must be uint16, int16, uint32, int32, float32 or uint64");
  } else {
    entry.type = info->type;
  }

  std::string order = reader.String("word_order").value_or("ABCD");
  if (order == "CDAB") {
    entry.word_order = WordOrder::kLowFirst;
  } else if (order != "ABCD") {
    reader.Fail("word_order", "must be \"ABCD\" or \"CDAB\"");
  }

  std::string var = reader.String("var").value_or("");
  entry.scale = reader.Number("scale").value_or(1.0);
  entry.offset = reader.Number("offset").value_or(0.0);
  if (reader.Has("value") == !var.empty()) {
    reader.Fail("value", "exactly one of value or var is required");
  }
  entry.fixed = reader.Number("value").value_or(0.0);
  reader.Finish();

  model.register_places.push_back(FormatPlace(table.source()));
  model.registers.push_back(entry);
  model.register_vars.push_back(std::move(var));
}

void ReadArray(TableReader& reader, std::string_view key, TomlErrors& errors,
               DeviceModel& model,
               void (*read)(const toml::table&, TomlErrors&, DeviceModel&)) {
  const toml::array* array = reader.Array(key);
  if (array == nullptr) {
    return;
  }
  for (const toml::node& node : *array) {
    if (const toml::table* table = node.as_table()) {
      read(*table, errors, model);
    } else {
      errors.Add(node.source(), fmt::format("[[{}]] must be a table", key));
    }
  }
}

std::string Expand(std::string_view pattern, int i) {
  std::string text(pattern);
  std::size_t hole = text.find("{i}");
  if (hole != std::string::npos) {
    text.replace(hole, 3, std::to_string(i));
  }
  return text;
}

void AddSystemGroup(const DeviceModel& model, Mib& mib) {
  auto text_entry = [&](std::string_view oid, std::string bytes, int text) {
    MibEntry entry;
    entry.oid = *ParseOid(oid);
    entry.tag = ber::kOctetString;
    entry.bytes = std::move(bytes);
    entry.text = text;
    mib.Add(std::move(entry));
  };
  text_entry("1.3.6.1.2.1.1.1.0", model.sys_descr, -1);

  MibEntry object_id;
  object_id.oid = *ParseOid("1.3.6.1.2.1.1.2.0");
  object_id.tag = ber::kObjectId;
  ber::AppendOidContents(object_id.bytes, *ParseOid(model.sys_object_id));
  mib.Add(std::move(object_id));

  MibEntry uptime;
  uptime.oid = *ParseOid("1.3.6.1.2.1.1.3.0");
  uptime.tag = ber::kTimeTicks;
  uptime.var = var::kUptime;
  uptime.scale = 100.0;
  mib.Add(std::move(uptime));

  text_entry("1.3.6.1.2.1.1.4.0", "", kTextContact);
  text_entry("1.3.6.1.2.1.1.5.0", "", kTextName);
  text_entry("1.3.6.1.2.1.1.6.0", "", kTextLocation);

  MibEntry services;
  services.oid = *ParseOid("1.3.6.1.2.1.1.7.0");
  services.tag = ber::kInteger;
  services.number = 72;
  mib.Add(std::move(services));
}

}  // namespace

std::expected<DeviceModel, std::string> LoadDeviceModel(
    const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    return std::unexpected(fmt::format("{}: {}", FormatPlace(error.source()),
                                       error.description()));
  }

  TomlErrors errors;
  DeviceModel model;
  TableReader top(root, "model file", errors);
  if (const toml::table* header = top.Table("model", true)) {
    TableReader reader(*header, "[model]", errors);
    model.name = reader.String("name", true).value_or("");
    std::string kind = reader.String("kind", true).value_or("ups");
    if (auto parsed = ParseDeviceKind(kind)) {
      model.kind = *parsed;
    } else {
      reader.Fail("kind", "must be ups, pdu, cooling, environment or meter");
    }
    std::string protocol = reader.String("protocol", true).value_or("snmp");
    if (protocol == "modbus") {
      model.protocol = SimProtocol::kModbus;
    } else if (protocol != "snmp") {
      reader.Fail("protocol", "must be \"snmp\" or \"modbus\"");
    }
    model.vendor = reader.String("vendor").value_or("");
    model.product = reader.String("product").value_or("");
    model.source = reader.String("source").value_or("");
    model.sys_descr = reader.String("sys_descr").value_or(model.product);
    model.sys_object_id = reader.String("sys_object_id").value_or("");
    model.agent_profile = reader.String("agent_profile").value_or("auto");
    if (model.protocol == SimProtocol::kSnmp &&
        !ParseOid(model.sys_object_id)) {
      reader.Fail("sys_object_id", "an SNMP model needs a valid OID");
    }
    reader.Finish();
  }
  ReadArray(top, "object", errors, model, ReadObject);
  ReadArray(top, "register", errors, model, ReadRegister);
  top.Finish();

  if (!errors.empty()) {
    return std::unexpected(errors.Joined());
  }
  return model;
}

std::expected<std::map<std::string, DeviceModel>, std::string> LoadDeviceModels(
    const std::string& directory) {
  std::error_code ec;
  std::vector<std::string> paths;
  for (const auto& file : std::filesystem::directory_iterator(directory, ec)) {
    if (file.path().extension() == ".toml") {
      paths.push_back(file.path().string());
    }
  }
  if (ec) {
    return std::unexpected(directory + ": " + ec.message());
  }
  std::sort(paths.begin(), paths.end());

  std::map<std::string, DeviceModel> models;
  for (const std::string& path : paths) {
    auto model = LoadDeviceModel(path);
    if (!model) {
      return std::unexpected(model.error());
    }
    std::string name = model->name;
    if (!models.emplace(name, std::move(*model)).second) {
      return std::unexpected(path + ": model '" + name + "' defined twice");
    }
  }
  return models;
}

std::expected<std::shared_ptr<const Mib>, std::string> BuildMib(
    const DeviceModel& model, const VariableLayout& layout) {
  auto mib = std::make_shared<Mib>();
  AddSystemGroup(model, *mib);

  for (const ObjectTemplate& object : model.objects) {
    int count = 1;
    if (object.each == "phase") {
      count = 3;
    } else if (object.each == "outlet") {
      count = layout.outlets();
    } else if (object.each == "probe") {
      count = kProbes;
    } else if (object.each == "bank") {
      count = kBanks;
    }
    for (int i = 1; i <= count; ++i) {
      MibEntry entry = object.entry;
      auto oid = ParseOid(Expand(object.oid, i));
      if (!oid || oid->size() < 2) {
        return std::unexpected(object.place + ": invalid OID '" + object.oid +
                               "'");
      }
      entry.oid = std::move(*oid);
      if (object.index_value) {
        entry.number = i;
      }
      if (entry.tag == ber::kOctetString) {
        entry.bytes = Expand(entry.bytes, i);
      }
      if (!object.var.empty()) {
        std::string name = Expand(object.var, i);
        auto index = layout.Find(name);
        if (!index) {
          return std::unexpected(fmt::format(
              "{}: model '{}' ({}) has no variable '{}'", object.place,
              model.name, ToString(model.kind), name));
        }
        entry.var = *index;
      }
      mib->Add(std::move(entry));
    }
  }

  std::string error;
  if (!mib->Finish(&error)) {
    return std::unexpected("model '" + model.name + "': " + error);
  }
  return mib;
}

std::expected<std::shared_ptr<const RegisterMap>, std::string> BuildRegisterMap(
    const DeviceModel& model, const VariableLayout& layout) {
  auto map = std::make_shared<RegisterMap>();
  for (std::size_t i = 0; i < model.registers.size(); ++i) {
    RegisterEntry entry = model.registers[i];
    const std::string& name = model.register_vars[i];
    if (!name.empty()) {
      auto index = layout.Find(name);
      if (!index) {
        return std::unexpected(fmt::format(
            "{}: model '{}' ({}) has no variable '{}'",
            model.register_places[i], model.name, ToString(model.kind), name));
      }
      entry.var = *index;
    }
    map->Add(entry);
  }
  std::string error;
  if (!map->Finish(&error)) {
    return std::unexpected("model '" + model.name + "': " + error);
  }
  return map;
}

}  // namespace dc::sim
