#include "agent/protocol_set.h"

#ifdef DC_HAVE_SNMP
#include "collectors/snmp/snmp_protocol.h"
#endif
#ifdef DC_HAVE_MODBUS
#include "collectors/modbus/modbus_protocol.h"
#endif

namespace dc::agent {

void ProtocolSet::Add(std::unique_ptr<Protocol> protocol) {
  std::string name(protocol->name());
  protocols_[name] = std::move(protocol);
}

Protocol* ProtocolSet::Find(std::string_view name) const {
  auto it = protocols_.find(name);
  return it == protocols_.end() ? nullptr : it->second.get();
}

bool ProtocolSet::IsKnownName(std::string_view name) {
  return name == "snmp" || name == "modbus";
}

std::vector<std::string> ProtocolSet::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, protocol] : protocols_)
    names.push_back(name);
  return names;
}

ProtocolSet MakeBuiltInProtocols(boost::asio::io_context& io,
                                 int modbus_workers) {
  ProtocolSet set;
#ifdef DC_HAVE_SNMP
  set.Add(dc::snmp::MakeSnmpProtocol(io));
#endif
#ifdef DC_HAVE_MODBUS
  set.Add(dc::modbus::MakeModbusProtocol(io, modbus_workers));
#endif
  (void)io;
  (void)modbus_workers;
  return set;
}

}  // namespace dc::agent
