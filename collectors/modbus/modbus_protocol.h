// The Modbus protocol adapter (libmodbus on a bounded set of worker
// threads, one queue per TCP gateway or serial bus).
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <memory>

#include <boost/asio/io_context.hpp>

#include "collectors/common/protocol.h"

namespace dc::modbus {

// `workers` bounds the threads that run blocking libmodbus calls.
std::unique_ptr<Protocol> MakeModbusProtocol(boost::asio::io_context& io,
                                             int workers);

}  // namespace dc::modbus
