// The protocols one dcagent knows: the adapters compiled in, or fakes in
// tests. Config loading asks them about profiles and targets; the scheduler
// asks them for collectors.
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "collectors/common/protocol.h"

namespace dc::agent {

// Owns Protocol instances by name. Not thread-safe: used on the agent's
// io_context thread only.
class ProtocolSet {
 public:
  // Takes ownership; `protocol->name()` becomes its key.
  void Add(std::unique_ptr<Protocol> protocol);

  // The protocol named `name`, or nullptr.
  Protocol* Find(std::string_view name) const;

  // True for a protocol dcagent knows of even when it is not built in
  // ("snmp", "modbus"), so a config names it with a clear message.
  static bool IsKnownName(std::string_view name);

  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::unique_ptr<Protocol>, std::less<>> protocols_;
};

// The adapters built into this binary (DC_HAVE_SNMP, DC_HAVE_MODBUS).
ProtocolSet MakeBuiltInProtocols(boost::asio::io_context& io,
                                 int modbus_workers);

}  // namespace dc::agent
