// The SNMP protocol adapter (net-snmp, driven from the agent's Asio loop).
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <memory>

#include <boost/asio/io_context.hpp>

#include "collectors/common/protocol.h"

namespace dc::snmp {

std::unique_ptr<Protocol> MakeSnmpProtocol(boost::asio::io_context& io);

}  // namespace dc::snmp
