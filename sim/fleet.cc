#include "sim/fleet.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "collectors/common/toml_reader.h"

namespace dc::sim {
namespace {

constexpr std::array<std::string_view, 9> kActions = {
    "ups_on_battery",  "ups_on_mains", "cooling_fail",
    "cooling_restore", "pdu_overload", "pdu_normal",
    "it_load",         "faults",       "normal"};

bool IsLoopback(const std::string& address) {
  return address.rfind("127.", 0) == 0;
}

void ReadFaults(const toml::table& table, TomlErrors& errors, Faults& faults) {
  TableReader reader(table, "faults", errors);
  faults.delay = reader.Duration("delay").value_or(faults.delay);
  faults.jitter = reader.Duration("jitter").value_or(faults.jitter);
  auto share = [&](std::string_view key, double& value) {
    if (auto number = reader.Number(key)) {
      if (*number < 0 || *number > 1) {
        reader.Fail(key, "must be a share between 0 and 1");
      } else {
        value = *number;
      }
    }
  };
  share("drop", faults.drop);
  share("malformed", faults.malformed);
  share("truncate", faults.truncate);
  share("reset", faults.reset);
  share("exception", faults.exception);
  if (auto code = reader.Integer("exception_code")) {
    if (*code < 1 || *code > 255) {
      reader.Fail("exception_code", "must be a Modbus exception code 1..255");
    } else {
      faults.exception_code = static_cast<int>(*code);
    }
  }
  faults.down = reader.Bool("down").value_or(false);
  reader.Finish();
}

void ReadHall(const toml::table& table, TomlErrors& errors, HallSpec& hall) {
  TableReader reader(table, "[hall]", errors);
  hall.site = reader.String("site").value_or(hall.site);
  hall.room = reader.String("room").value_or(hall.room);
  auto positive = [&](std::string_view key, double& value, double low,
                      double high) {
    if (auto number = reader.Number(key)) {
      if (*number < low || *number > high) {
        reader.Fail(key, fmt::format("must be between {} and {}", low, high));
      } else {
        value = *number;
      }
    }
  };
  positive("it_load_kw", hall.it_load_kw, 0, 1e6);
  positive("daily_swing", hall.daily_swing, 0, 0.9);
  positive("growth_per_year", hall.growth_per_year, -0.9, 10);
  positive("noise", hall.noise, 0, 0.5);
  positive("supply_setpoint", hall.supply_setpoint, 5, 40);
  positive("time_scale", hall.time_scale, 0.001, 100000);
  reader.Finish();
}

std::string Numbered(const std::string& pattern, int n) {
  std::string text = pattern;
  std::size_t hole = text.find("{n}");
  if (hole != std::string::npos) {
    text.replace(hole, 3, fmt::format("{:02}", n));
  }
  return text;
}

void ReadDevices(const toml::table& table, const Fleet& fleet,
                 TomlErrors& errors, std::vector<DeviceSpec>& devices) {
  TableReader reader(table, "[[device]]", errors);
  DeviceSpec spec;
  spec.place = FormatPlace(table.source());
  std::string name = reader.String("name", true).value_or("");
  spec.model = reader.String("model").value_or("");
  spec.snmprec = reader.String("snmprec").value_or("");
  if (spec.model.empty() == spec.snmprec.empty()) {
    reader.Fail("model", "exactly one of model or snmprec is required");
  }
  if (!spec.snmprec.empty() && spec.snmprec.front() != '/') {
    // A relative walk is found next to the fleet file.
    std::string dir = fleet.path.substr(0, fleet.path.find_last_of('/') + 1);
    spec.snmprec = dir + spec.snmprec;
  }

  spec.address = reader.String("address").value_or(fleet.bind);
  if (!IsLoopback(spec.address)) {
    reader.Fail("address", "must be a loopback address 127.x.y.z");
  }
  std::int64_t port = reader.Integer("port", true).value_or(0);
  std::int64_t count = reader.Integer("count").value_or(1);
  if (count < 1 || count > 100000) {
    reader.Fail("count", "must be between 1 and 100000");
    count = 1;
  }
  if (port < 1 || port + count - 1 > 65535) {
    reader.Fail("port", "must leave room for every device below 65536");
  }
  spec.community = reader.String("community").value_or(spec.community);
  if (auto versions = reader.StringArray("versions")) {
    spec.v1 = spec.v2c = spec.v3 = false;
    for (const std::string& version : *versions) {
      if (version == "1") {
        spec.v1 = true;
      } else if (version == "2c") {
        spec.v2c = true;
      } else if (version == "3") {
        spec.v3 = true;
      } else {
        reader.Fail("versions", "SNMP versions are \"1\", \"2c\" and \"3\"");
      }
    }
  }
  spec.users = reader.StringArray("users");
  if (auto engine_id = reader.String("engine_id")) {
    if (auto bytes = ParseEngineId(*engine_id)) {
      spec.engine_id = *bytes;
    } else {
      reader.Fail("engine_id", bytes.error());
    }
  }
  spec.unit = static_cast<int>(reader.Integer("unit").value_or(1));
  if (auto feed = reader.String("feed")) {
    if (*feed != "A" && *feed != "B") {
      reader.Fail("feed", "must be \"A\" or \"B\"");
    } else {
      spec.feed = (*feed)[0];
    }
  }
  std::int64_t rack = reader.Integer("rack").value_or(0);
  spec.outlets = static_cast<int>(reader.Integer("outlets").value_or(24));
  if (spec.outlets < 3 || spec.outlets > 96) {
    reader.Fail("outlets", "must be between 3 and 96");
  }
  spec.rated_kw = reader.Number("rated_kw").value_or(spec.rated_kw);
  spec.rated_amps = reader.Number("rated_amps").value_or(spec.rated_amps);
  spec.bank_rated_amps =
      reader.Number("bank_rated_amps").value_or(spec.rated_amps);
  if (spec.rated_amps <= 0 || spec.bank_rated_amps <= 0) {
    reader.Fail("rated_amps", "ratings must be above 0 A");
  }
  spec.capacity_kw = reader.Number("capacity_kw").value_or(spec.capacity_kw);
  spec.battery_minutes =
      reader.Number("battery_minutes").value_or(spec.battery_minutes);
  if (auto size = reader.Integer("max_message_size")) {
    if (*size < 484 || *size > 65507) {
      reader.Fail("max_message_size", "must be between 484 and 65507");
    } else {
      spec.max_message_size = static_cast<std::size_t>(*size);
    }
  }
  if (const toml::table* labels = reader.Table("labels")) {
    for (const auto& [key, value] : *labels) {
      if (auto text = value.value<std::string>()) {
        spec.labels[std::string(key.str())] = *text;
      } else {
        errors.Add(value.source(), "labels: values must be strings");
      }
    }
  }
  if (const toml::table* faults = reader.Table("faults")) {
    ReadFaults(*faults, errors, spec.faults);
  }
  reader.Finish();

  for (int n = 1; n <= count; ++n) {
    DeviceSpec device = spec;
    device.name = Numbered(name, n);
    device.port = static_cast<std::uint16_t>(port + n - 1);
    device.rack = static_cast<int>(rack > 0 ? rack : (count > 1 ? n : 0));
    devices.push_back(std::move(device));
  }
}

// A passphrase given inline or in a file (the whole file without its
// trailing line breaks, relative to the fleet file).
std::string ReadPassphrase(TableReader& reader, const Fleet& fleet,
                           const std::string& key, std::string& file) {
  std::optional<std::string> inline_text = reader.String(key);
  std::optional<std::string> path = reader.String(key + "_file");
  if (inline_text && path) {
    reader.Fail(key, "give " + key + " or " + key + "_file, not both");
    return {};
  }
  if (!path) {
    return inline_text.value_or("");
  }
  file = *path;
  std::string full = *path;
  if (full.front() != '/') {
    full = fleet.path.substr(0, fleet.path.find_last_of('/') + 1) + full;
  }
  std::FILE* in = std::fopen(full.c_str(), "rb");
  if (in == nullptr) {
    reader.Fail(key + "_file", "cannot read '" + full + "'");
    return {};
  }
  std::string text;
  char buffer[512];
  while (std::size_t n = std::fread(buffer, 1, sizeof(buffer), in)) {
    text.append(buffer, n);
  }
  std::fclose(in);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

void ReadUser(const toml::table& table, const Fleet& fleet, TomlErrors& errors,
              std::vector<UsmUserSpec>& users) {
  TableReader reader(table, "[[user]]", errors);
  UsmUserSpec user;
  user.place = FormatPlace(table.source());
  user.name = reader.String("name", true).value_or("");
  if (user.name.size() > 32) {
    reader.Fail("name", "a USM user name has at most 32 characters");
  }
  if (auto auth = reader.String("auth")) {
    if (auto parsed = ParseUsmAuth(*auth)) {
      user.auth = *parsed;
    } else {
      reader.Fail("auth",
                  "must be MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512");
    }
  }
  if (auto priv = reader.String("priv")) {
    if (auto parsed = ParseUsmPriv(*priv)) {
      user.priv = *parsed;
    } else {
      reader.Fail("priv", "must be DES or AES");
    }
  }
  user.auth_passphrase = ReadPassphrase(reader, fleet, "auth_passphrase",
                                        user.auth_passphrase_file);
  user.priv_passphrase = ReadPassphrase(reader, fleet, "priv_passphrase",
                                        user.priv_passphrase_file);

  // The passphrases must fit the level the protocols give.
  auto check = [&](bool wanted, const std::string& passphrase,
                   const char* key) {
    if (wanted && passphrase.size() < 8) {
      reader.Fail(key, "needs a passphrase of at least 8 characters");
    } else if (!wanted && !passphrase.empty()) {
      reader.Fail(key, std::string("is set but the user has no ") +
                           (key[0] == 'a' ? "auth" : "priv") + " protocol");
    }
  };
  check(user.auth != UsmAuth::kNone, user.auth_passphrase, "auth_passphrase");
  check(user.priv != UsmPriv::kNone, user.priv_passphrase, "priv_passphrase");
  if (user.priv != UsmPriv::kNone && user.auth == UsmAuth::kNone) {
    reader.Fail("priv", "privacy needs an auth protocol too");
  }
  reader.Finish();
  users.push_back(std::move(user));
}

void ReadEvent(const toml::table& table, TomlErrors& errors,
               std::vector<Event>& events) {
  TableReader reader(table, "[[event]]", errors);
  Event event;
  event.place = FormatPlace(table.source());
  if (auto at = reader.Duration("at", true)) {
    event.at_s = static_cast<double>(at->count()) / 1000.0;
  }
  event.action = reader.String("action", true).value_or("");
  if (!event.action.empty() && !IsKnownAction(event.action)) {
    reader.Fail("action", "unknown action '" + event.action + "'");
  }
  event.device = reader.String("device").value_or("");
  event.phase = static_cast<int>(reader.Integer("phase").value_or(1));
  if (event.phase < 1 || event.phase > 3) {
    reader.Fail("phase", "must be 1, 2 or 3");
  }
  event.value = reader.Number("value");
  if (auto duration = reader.Duration("duration")) {
    event.duration_s = static_cast<double>(duration->count()) / 1000.0;
  }
  if (const toml::table* faults = reader.Table("faults")) {
    Faults parsed;
    ReadFaults(*faults, errors, parsed);
    event.faults = parsed;
  } else if (event.action == "faults") {
    event.faults = Faults{};
  }
  reader.Finish();
  events.push_back(std::move(event));
}

}  // namespace

bool IsKnownAction(const std::string& action) {
  return std::find(kActions.begin(), kActions.end(), action) != kActions.end();
}

std::expected<Fleet, std::string> LoadFleet(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    return std::unexpected(fmt::format("{}: {}", FormatPlace(error.source()),
                                       error.description()));
  }

  TomlErrors errors;
  Fleet fleet;
  fleet.path = path;
  TableReader top(root, "fleet file", errors);
  if (const toml::table* sim = top.Table("sim")) {
    TableReader reader(*sim, "[sim]", errors);
    fleet.bind = reader.String("bind").value_or(fleet.bind);
    if (!IsLoopback(fleet.bind)) {
      reader.Fail("bind", "must be a loopback address 127.x.y.z");
    }
    fleet.control = reader.String("control").value_or("");
    fleet.seed = static_cast<std::uint64_t>(reader.Integer("seed").value_or(1));
    fleet.models_dir = reader.String("models").value_or("");
    reader.Finish();
  }
  if (const toml::table* hall = top.Table("hall")) {
    ReadHall(*hall, errors, fleet.hall);
  }
  if (const toml::array* users = top.Array("user")) {
    for (const toml::node& node : *users) {
      if (const toml::table* table = node.as_table()) {
        ReadUser(*table, fleet, errors, fleet.users);
      }
    }
  }
  if (const toml::array* devices = top.Array("device", true)) {
    for (const toml::node& node : *devices) {
      if (const toml::table* table = node.as_table()) {
        ReadDevices(*table, fleet, errors, fleet.devices);
      }
    }
  }
  if (const toml::array* events = top.Array("event")) {
    for (const toml::node& node : *events) {
      if (const toml::table* table = node.as_table()) {
        ReadEvent(*table, errors, fleet.events);
      }
    }
  }
  top.Finish();

  // Names and ports must be unique across the expanded fleet.
  std::map<std::string, std::string> names;
  std::map<std::pair<std::string, int>, std::string> ports;
  for (const DeviceSpec& device : fleet.devices) {
    if (!names.emplace(device.name, device.place).second) {
      errors.Add(device.place + ": device name '" + device.name +
                 "' is used twice");
    }
    if (!ports.emplace(std::pair(device.address, device.port), device.name)
             .second) {
      errors.Add(fmt::format(
          "{}: {}:{} is used by '{}' and '{}'", device.place, device.address,
          device.port, ports[{device.address, device.port}], device.name));
    }
  }
  std::map<std::string, std::string> user_places;
  for (const UsmUserSpec& user : fleet.users) {
    if (!user_places.emplace(user.name, user.place).second) {
      errors.Add(user.place + ": [[user]]: user name '" + user.name +
                 "' is used twice");
    }
  }
  std::set<std::string> reported;  // devices with `count` share one place
  for (const DeviceSpec& device : fleet.devices) {
    for (const std::string& user :
         device.users.value_or(std::vector<std::string>{})) {
      if (!user_places.contains(user) &&
          reported.insert(device.place + user).second) {
        errors.Add(device.place + ": [[device]]: users: no [[user]] named '" +
                   user + "'");
      }
    }
  }
  for (const Event& event : fleet.events) {
    if (!event.device.empty() && !names.contains(event.device)) {
      errors.Add(event.place + ": [[event]]: no device named '" + event.device +
                 "'");
    }
  }

  if (!errors.empty()) {
    return std::unexpected(errors.Joined());
  }
  return fleet;
}

Fleet BenchFleet(int count, std::uint16_t first_port, int addresses) {
  Fleet fleet;
  fleet.path = "(bench)";
  addresses = std::max(1, addresses);
  int per_address = (count + addresses - 1) / addresses;
  for (int i = 0; i < count; ++i) {
    DeviceSpec spec;
    spec.name = fmt::format("bench-ups-{:05}", i + 1);
    spec.model = "ups-rfc1628";
    spec.address = fmt::format("127.0.0.{}", 1 + i / per_address);
    spec.port = static_cast<std::uint16_t>(first_port + i % per_address);
    spec.feed = i % 2 == 0 ? 'A' : 'B';
    spec.place = "(bench)";
    fleet.devices.push_back(std::move(spec));
  }
  return fleet;
}

std::expected<Event, std::string> ParseEventJson(const std::string& text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return std::unexpected("the body must be a JSON object");
  }

  Event event;
  Faults faults;
  bool has_faults = false;
  for (const auto& [key, value] : json.items()) {
    auto number = [&]() -> std::expected<double, std::string> {
      if (!value.is_number()) {
        return std::unexpected("'" + key + "' must be a number");
      }
      return value.get<double>();
    };
    auto milliseconds =
        [&]() -> std::expected<std::chrono::milliseconds, std::string> {
      if (value.is_string()) {
        if (auto parsed = ParseDuration(value.get<std::string>())) {
          return *parsed;
        }
      }
      return std::unexpected("'" + key + "' must be a duration like \"200ms\"");
    };

    std::expected<double, std::string> got = 0.0;
    if (key == "action" && value.is_string()) {
      event.action = value.get<std::string>();
    } else if (key == "device" && value.is_string()) {
      event.device = value.get<std::string>();
    } else if (key == "phase") {
      got = number();
      event.phase = static_cast<int>(got.value_or(1));
    } else if (key == "value") {
      got = number();
      event.value = got.value_or(0);
    } else if (key == "duration") {
      auto duration = milliseconds();
      if (!duration)
        return std::unexpected(duration.error());
      event.duration_s = static_cast<double>(duration->count()) / 1000.0;
    } else if (key == "delay" || key == "jitter") {
      auto duration = milliseconds();
      if (!duration)
        return std::unexpected(duration.error());
      (key == "delay" ? faults.delay : faults.jitter) = *duration;
      has_faults = true;
    } else if (key == "drop" || key == "malformed" || key == "truncate" ||
               key == "reset" || key == "exception") {
      got = number();
      if (got && (*got < 0 || *got > 1)) {
        return std::unexpected("'" + key + "' must be between 0 and 1");
      }
      double share = got.value_or(0);
      if (key == "drop")
        faults.drop = share;
      if (key == "malformed")
        faults.malformed = share;
      if (key == "truncate")
        faults.truncate = share;
      if (key == "reset")
        faults.reset = share;
      if (key == "exception")
        faults.exception = share;
      has_faults = true;
    } else if (key == "exception_code") {
      got = number();
      faults.exception_code = static_cast<int>(got.value_or(4));
      has_faults = true;
    } else if (key == "down" && value.is_boolean()) {
      faults.down = value.get<bool>();
      has_faults = true;
    } else {
      return std::unexpected("unknown or mistyped key '" + key + "'");
    }
    if (!got) {
      return std::unexpected(got.error());
    }
  }

  if (!IsKnownAction(event.action)) {
    return std::unexpected("unknown action '" + event.action + "'");
  }
  if (event.phase < 1 || event.phase > 3) {
    return std::unexpected("'phase' must be 1, 2 or 3");
  }
  // A "faults" event sets the device's faults to exactly the keys given:
  // none given clears them.
  if (has_faults || event.action == "faults") {
    event.faults = faults;
  }
  return event;
}

}  // namespace dc::sim
