#include "collectors/modbus/modbus_protocol.h"

#include <map>

#include <fmt/format.h>

#include "collectors/modbus/device_poller.h"
#include "collectors/modbus/libmodbus_transport.h"
#include "collectors/modbus/link_address.h"
#include "collectors/modbus/modbus_collector.h"
#include "collectors/modbus/profile.h"
#include "collectors/modbus/tcp_link.h"
#include "collectors/modbus/worker_pool.h"

namespace dc::modbus {
namespace {

// "auto": find SunSpec models on the device and use every loaded SunSpec
// profile describing one of them.
constexpr std::string_view kAutoProfile = "auto";

class ModbusProtocol : public Protocol {
 public:
  ModbusProtocol(boost::asio::io_context& io, int workers)
      : io_(io), workers_(workers) {}

  std::string_view name() const override { return "modbus"; }

  std::vector<std::string> LoadProfiles(
      const std::vector<std::filesystem::path>& dirs) override {
    TomlErrors errors;
    auto loaded = LoadProfileDirs(dirs, errors);
    if (!errors.empty())
      return errors.messages();
    profiles_ = std::move(loaded);
    return {};
  }

  bool HasProfile(std::string_view profile) const override {
    return profile == kAutoProfile || profiles_.contains(profile);
  }

  std::vector<TargetProblem> CheckTarget(
      const TargetConfig& target) const override {
    std::vector<TargetProblem> problems;
    auto address = ParseLinkAddress(target.address);
    if (!address)
      problems.push_back({"address", address.error()});
    const bool tcp = address && address->kind == LinkAddress::Kind::kTcp;
    // 0 and 255 address the gateway itself on Modbus TCP only.
    const bool unit_ok = (target.unit >= 1 && target.unit <= 247) ||
                         (tcp && (target.unit == 0 || target.unit == 255));
    if (!unit_ok) {
      problems.push_back(
          {"unit",
           fmt::format(
               "unit {} is not a device id: use 1 to 247 (0 or 255 only for a "
               "Modbus TCP device addressed directly)",
               target.unit)});
    }
    if (target.max_registers_per_read < 1 ||
        target.max_registers_per_read > 125) {
      problems.push_back(
          {"max_registers_per_read",
           fmt::format(
               "max_registers_per_read {} must be 1 to 125 (the protocol's "
               "limit)",
               target.max_registers_per_read)});
    }
    if (target.pause.count() < 0) {
      problems.push_back({"pause", "pause must not be negative"});
    }
    return problems;
  }

  std::unique_ptr<Collector> MakeCollector(
      const TargetConfig& target) override {
    std::string setup_error;
    auto address = ParseLinkAddress(target.address);
    std::shared_ptr<Link> link;
    if (!address) {
      setup_error = address.error();
    } else {
      link = LinkFor(*address, setup_error);
    }

    // The named profile; a SunSpec model profile or "auto" discovers.
    std::vector<ProfilePtr> profiles;
    bool discover = target.profile == kAutoProfile;
    if (discover) {
      for (const auto& [name, profile] : profiles_) {
        if (!profile->sunspec_models.empty())
          profiles.push_back(profile);
      }
    } else if (auto it = profiles_.find(target.profile);
               it != profiles_.end()) {
      profiles.push_back(it->second);
      discover = !it->second->sunspec_models.empty();
    } else if (setup_error.empty()) {
      setup_error = fmt::format("no Modbus profile named '{}'", target.profile);
    }

    auto poller =
        std::make_unique<DevicePoller>(target, std::move(profiles), discover);
    return std::make_unique<ModbusCollector>(
        io_, std::move(link), std::move(poller), std::move(setup_error));
  }

 private:
  struct KnownLink {
    std::weak_ptr<Link> link;
    LinkAddress address;
  };

  // Devices on one gateway or bus share its link; a serial bus has one
  // speed and framing, so a second setting for it is an error.
  std::shared_ptr<Link> LinkFor(const LinkAddress& address,
                                std::string& error) {
    const std::string key = address.Key();
    auto& known = links_[key];
    if (auto link = known.link.lock()) {
      if (address.kind == LinkAddress::Kind::kRtu &&
          !(address.serial == known.address.serial)) {
        error = fmt::format(
            "{}: another target uses this serial line with different "
            "settings (baud {}, parity {}, {} data bits, {} stop bits); "
            "devices on one bus share its settings",
            key, known.address.serial.baud, known.address.serial.parity,
            known.address.serial.data_bits, known.address.serial.stop_bits);
        return nullptr;
      }
      return link;
    }
    std::shared_ptr<Link> link;
    if (address.kind == LinkAddress::Kind::kTcp) {
      link = std::make_shared<TcpLink>(io_, address.host, address.port);
    } else {
      // Worker threads are started with the first serial line.
      if (!pool_)
        pool_ = std::make_shared<WorkerPool>(workers_);
      link = std::make_shared<PooledLink>(
          pool_, key, std::make_unique<LibmodbusTransport>(address));
    }
    known = {link, address};
    return link;
  }

  boost::asio::io_context& io_;
  int workers_;
  std::shared_ptr<WorkerPool> pool_;  // serial lines only; made on first use
  std::map<std::string, ProfilePtr, std::less<>> profiles_;
  std::map<std::string, KnownLink> links_;
};

}  // namespace

std::unique_ptr<Protocol> MakeModbusProtocol(boost::asio::io_context& io,
                                             int workers) {
  return std::make_unique<ModbusProtocol>(io, workers);
}

}  // namespace dc::modbus
