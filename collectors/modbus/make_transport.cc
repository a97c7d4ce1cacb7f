#include "collectors/modbus/make_transport.h"

#include "collectors/modbus/libmodbus_transport.h"
#include "collectors/modbus/tcp_transport.h"

namespace dc::modbus {

std::unique_ptr<Transport> MakeTransport(const LinkAddress& address) {
  if (address.kind == LinkAddress::Kind::kTcp)
    return std::make_unique<TcpTransport>(address.host, address.port);
  return std::make_unique<LibmodbusTransport>(address);
}

}  // namespace dc::modbus
