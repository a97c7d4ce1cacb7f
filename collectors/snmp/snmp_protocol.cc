#include "collectors/snmp/snmp_protocol.h"

#include <fmt/format.h>

#include "collectors/snmp/netsnmp_library.h"
#include "collectors/snmp/profile_loader.h"
#include "collectors/snmp/snmp_collector.h"
#include "collectors/snmp/target_address.h"
#include "collectors/snmp/usm_keys.h"

namespace dc::snmp {
namespace {

class SnmpProtocol : public Protocol {
 public:
  explicit SnmpProtocol(boost::asio::io_context& io)
      : io_(io),
        profiles_(std::make_shared<const ProfileSet>()),
        keys_(std::make_shared<UsmKeyCache>()) {
    InitNetSnmpLibrary();
  }

  std::string_view name() const override { return "snmp"; }

  std::vector<std::string> LoadProfiles(
      const std::vector<std::filesystem::path>& dirs) override {
    ProfileSet loaded;
    std::vector<std::string> errors = LoadProfileDirs(dirs, loaded);
    if (errors.empty()) {
      profiles_ = std::make_shared<const ProfileSet>(std::move(loaded));
    }
    return errors;
  }

  bool HasProfile(std::string_view profile) const override {
    return profile == "auto" || profiles_->contains(profile);
  }

  std::vector<TargetProblem> CheckTarget(
      const TargetConfig& target) const override {
    std::vector<TargetProblem> problems;
    auto problem = [&](std::string key, std::string text) {
      problems.push_back({std::move(key), std::move(text)});
    };
    if (std::string error; !CheckSnmpAddress(target.address, error)) {
      problem("address", error);
    }
    const SnmpAuth& auth = target.snmp_auth;
    if (auth.version != SnmpAuth::Version::kV3) {
      if (auth.community.empty()) {
        problem("auth", fmt::format("SNMP credentials '{}' need a community",
                                    auth.name));
      }
    } else {
      if (auth.username.empty()) {
        problem("auth", fmt::format("SNMPv3 credentials '{}' need a username",
                                    auth.name));
      }
      bool needs_auth = auth.level != SnmpAuth::Level::kNoAuthNoPriv;
      bool needs_priv = auth.level == SnmpAuth::Level::kAuthPriv;
      if (needs_auth && auth.auth_password.Reveal().size() < 8) {
        problem("auth", fmt::format("SNMPv3 credentials '{}': the auth "
                                    "password needs at least 8 characters",
                                    auth.name));
      }
      if (needs_priv && auth.priv_password.Reveal().size() < 8) {
        problem("auth", fmt::format("SNMPv3 credentials '{}': the priv "
                                    "password needs at least 8 characters",
                                    auth.name));
      }
    }
    if (target.max_repetitions < 0 || target.max_repetitions > 1000) {
      problem("max_repetitions",
              "max_repetitions must be between 0 (the profile's) and 1000");
    }
    if (target.max_table_rows < 1) {
      problem("max_table_rows", "max_table_rows must be at least 1");
    }
    if (target.max_in_flight < 1)
      problem("max_in_flight", "max_in_flight must be at least 1");
    if (target.retries < 0)
      problem("retries", "retries must not be negative");
    return problems;
  }

  std::unique_ptr<Collector> MakeCollector(
      const TargetConfig& target) override {
    return std::make_unique<SnmpCollector>(io_, target, profiles_, keys_);
  }

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<const ProfileSet> profiles_;
  std::shared_ptr<UsmKeyCache> keys_;
};

}  // namespace

std::unique_ptr<Protocol> MakeSnmpProtocol(boost::asio::io_context& io) {
  return std::make_unique<SnmpProtocol>(io);
}

}  // namespace dc::snmp
