// The collector of one SNMP target: a session kept across polls, the
// profile chosen once, and a poll that runs its GET batches and table
// walks concurrently up to the target's max_in_flight.
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <memory>

#include <boost/asio/io_context.hpp>

#include "collectors/common/collector.h"
#include "collectors/common/target.h"
#include "collectors/snmp/profile.h"
#include "collectors/snmp/usm_keys.h"

namespace dc::snmp {

class Poller;

class SnmpCollector : public Collector {
 public:
  // `profiles` is the set loaded when the collector was made; it keeps it
  // for its whole life. `keys` is shared by the protocol's collectors.
  SnmpCollector(boost::asio::io_context& io, TargetConfig target,
                std::shared_ptr<const ProfileSet> profiles,
                std::shared_ptr<UsmKeyCache> keys);
  ~SnmpCollector() override;

  void Poll(std::chrono::steady_clock::time_point deadline, Done done) override;

 private:
  std::shared_ptr<Poller> poller_;
};

// The dc_device_info source used when no profile matches a device's
// sysObjectID: the MIB-2 system group only (model = sysDescr).
inline constexpr const char* kFallbackProfileName = "mib2-system";

}  // namespace dc::snmp
