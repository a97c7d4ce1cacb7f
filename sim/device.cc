#include "sim/device.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "sim/snmprec.h"

namespace dc::sim {
namespace {

// 2020-01-01T00:00:00Z: snmpEngineBoots counts seconds from here.
constexpr std::int64_t kBootsEpoch = 1577836800;

}  // namespace

std::expected<std::vector<Device>, std::string> BuildDevices(
    const Fleet& fleet, const std::string& models_dir) {
  auto models = LoadDeviceModels(models_dir);
  if (!models) {
    return std::unexpected(models.error());
  }

  // Tables are shared by model and outlet count; walks by path.
  std::map<std::pair<std::string, int>, std::shared_ptr<const Mib>> mibs;
  std::map<std::pair<std::string, int>, std::shared_ptr<const RegisterMap>>
      maps;
  std::map<std::pair<std::string, int>, std::shared_ptr<const VariableLayout>>
      layouts;
  std::map<std::string, std::shared_ptr<const Mib>> walks;
  UsmKeyCache keys;
  auto engine_start = UsmEngine::Clock::now();
  auto boots = static_cast<std::int32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count() -
      kBootsEpoch);

  // A device serves the users it names, or every user of the fleet.
  auto add_engine = [&](Device& device) -> std::expected<void, std::string> {
    const DeviceSpec& spec = device.spec;
    if (!spec.v3) {
      return {};
    }
    std::vector<UsmUserSpec> users;
    for (const UsmUserSpec& user : fleet.users) {
      if (!spec.users || std::find(spec.users->begin(), spec.users->end(),
                                   user.name) != spec.users->end()) {
        users.push_back(user);
      }
    }
    auto engine = MakeUsmEngine(
        spec.engine_id.empty() ? DefaultEngineId(spec.name) : spec.engine_id,
        boots, users, keys, engine_start);
    if (!engine) {
      return std::unexpected(engine.error());
    }
    device.usm = std::make_shared<UsmEngine>(std::move(*engine));
    return {};
  };

  std::vector<Device> devices;
  devices.reserve(fleet.devices.size());
  for (const DeviceSpec& spec : fleet.devices) {
    Device device;
    device.spec = spec;
    device.faults = spec.faults;
    device.texts = {
        spec.name,
        fmt::format("{} {} rack {}", fleet.hall.site, fleet.hall.room,
                    spec.rack),
        fmt::format("DCSIM{:08X}",
                    std::hash<std::string>{}(spec.name) & 0xffffffffu),
        "facilities@example.org"};

    if (!spec.snmprec.empty()) {
      auto& mib = walks[spec.snmprec];
      if (!mib) {
        auto loaded = LoadSnmprec(spec.snmprec);
        if (!loaded) {
          return std::unexpected(spec.place + ": " + loaded.error());
        }
        mib = std::make_shared<const Mib>(std::move(*loaded));
      }
      device.mib = mib;
      device.model_name = "snmprec";
      device.layout =
          std::make_shared<const VariableLayout>(DeviceKind::kWalk, 0);
      device.variables.assign(device.layout->size(), 0.0);
      if (auto added = add_engine(device); !added) {
        return std::unexpected(added.error());
      }
      devices.push_back(std::move(device));
      continue;
    }

    auto model = models->find(spec.model);
    if (model == models->end()) {
      return std::unexpected(fmt::format("{}: no model named '{}' in {}",
                                         spec.place, spec.model, models_dir));
    }
    device.kind = model->second.kind;
    device.protocol = model->second.protocol;
    device.model_name = model->second.name;
    device.vendor = model->second.vendor;
    device.agent_profile = model->second.agent_profile;

    int outlets = device.kind == DeviceKind::kPdu ? spec.outlets : 0;
    auto key = std::pair(spec.model, outlets);
    auto& layout = layouts[key];
    if (!layout) {
      layout = std::make_shared<const VariableLayout>(device.kind, outlets);
    }
    device.layout = layout;
    device.variables.assign(layout->size(), 0.0);

    if (device.protocol == SimProtocol::kSnmp) {
      auto& mib = mibs[key];
      if (!mib) {
        auto built = BuildMib(model->second, *layout);
        if (!built) {
          return std::unexpected(built.error());
        }
        mib = *built;
      }
      device.mib = mib;
      if (auto added = add_engine(device); !added) {
        return std::unexpected(added.error());
      }
    } else {
      auto& map = maps[key];
      if (!map) {
        auto built = BuildRegisterMap(model->second, *layout);
        if (!built) {
          return std::unexpected(built.error());
        }
        map = *built;
      }
      device.registers = map;
    }
    devices.push_back(std::move(device));
  }
  return devices;
}

}  // namespace dc::sim
