// The transport a link calls for: our own client for Modbus TCP, libmodbus
// for an RTU serial line.
#pragma once

#include <memory>

#include "collectors/modbus/link_address.h"
#include "collectors/modbus/transport.h"

namespace dc::modbus {

std::unique_ptr<Transport> MakeTransport(const LinkAddress& address);

}  // namespace dc::modbus
