#include "collectors/modbus/modbus_collector.h"

#include <boost/asio/post.hpp>

namespace dc::modbus {

ModbusCollector::ModbusCollector(boost::asio::io_context& io,
                                 std::shared_ptr<WorkerPool> pool,
                                 std::shared_ptr<LinkQueue> queue,
                                 std::unique_ptr<DevicePoller> poller,
                                 std::string setup_error)
    : io_(io),
      pool_(std::move(pool)),
      queue_(std::move(queue)),
      poller_(std::move(poller)),
      setup_error_(std::move(setup_error)) {}

ModbusCollector::~ModbusCollector() = default;

void ModbusCollector::Poll(std::chrono::steady_clock::time_point deadline,
                           Done done) {
  std::weak_ptr<int> alive = alive_;
  if (!setup_error_.empty()) {
    PollResult result;
    result.error = setup_error_;
    result.errors[ErrorReason::kConnection] = 1;
    boost::asio::post(io_, [alive, done = std::move(done),
                            result = std::move(result)]() mutable {
      if (!alive.expired())
        done(std::move(result));
    });
    return;
  }

  auto& io = io_;
  pool_->Submit(queue_, [&io, alive, deadline, poller = poller_,
                         done = std::move(done)](Transport& transport) mutable {
    PollResult result;
    if (std::chrono::steady_clock::now() >= deadline) {
      // Other devices on the link used up this poll's time.
      result.error = "the poll deadline passed while waiting for the link";
      result.errors[ErrorReason::kTimeout] = 1;
    } else {
      result = poller->Poll(transport, deadline);
    }
    boost::asio::post(io, [alive, done = std::move(done),
                           result = std::move(result)]() mutable {
      if (!alive.expired())
        done(std::move(result));
    });
  });
}

}  // namespace dc::modbus
