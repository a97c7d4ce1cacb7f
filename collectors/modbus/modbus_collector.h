// The Collector for one Modbus target: queues each poll on its link
// (link.h) and posts the result back to the io_context.
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <memory>

#include <boost/asio/io_context.hpp>

#include "collectors/common/collector.h"
#include "collectors/modbus/device_poller.h"
#include "collectors/modbus/link.h"

namespace dc::modbus {

class ModbusCollector : public Collector {
 public:
  // `link` is shared by the collectors of every device on the connection.
  // `setup_error`, when not empty, fails every poll with that message (for
  // example a serial bus configured with two different speeds).
  ModbusCollector(boost::asio::io_context& io, std::shared_ptr<Link> link,
                  std::unique_ptr<DevicePoller> poller,
                  std::string setup_error);
  ~ModbusCollector() override;

  void Poll(std::chrono::steady_clock::time_point deadline, Done done) override;

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<Link> link_;
  // Shared with a job in flight, which may finish after the collector is
  // gone; only one job at a time uses it.
  std::shared_ptr<DevicePoller> poller_;
  std::string setup_error_;
  // Expires with the collector: a late result is then dropped.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace dc::modbus
