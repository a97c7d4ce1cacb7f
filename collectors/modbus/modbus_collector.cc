#include "collectors/modbus/modbus_collector.h"

#include <exception>
#include <string>

#include <boost/asio/post.hpp>

namespace dc::modbus {

ModbusCollector::ModbusCollector(boost::asio::io_context& io,
                                 std::shared_ptr<Link> link,
                                 std::unique_ptr<DevicePoller> poller,
                                 std::string setup_error)
    : io_(io),
      link_(std::move(link)),
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
  link_->Submit([&io, alive, deadline, poller = poller_,
                 done = std::move(done)](Transport& transport) mutable {
    PollResult result;
    if (std::chrono::steady_clock::now() >= deadline) {
      // Other devices on the link used up this poll's time.
      result.error = "the poll deadline passed while waiting for the link";
      result.errors[ErrorReason::kTimeout] = 1;
    } else {
      // A failure inside the poll (out of memory, say) is this device's
      // error for this poll; it must not take down the link or the agent.
      // Only std::exception is caught: a coroutine's unwinding at shutdown
      // has to pass through.
      try {
        result = poller->Poll(transport, deadline);
      } catch (const std::exception& e) {
        result = PollResult{};
        result.error =
            std::string("internal error during the poll: ") + e.what();
        result.errors[ErrorReason::kConnection] = 1;
      }
    }
    boost::asio::post(io, [alive, done = std::move(done),
                           result = std::move(result)]() mutable {
      if (!alive.expired())
        done(std::move(result));
    });
  });
}

}  // namespace dc::modbus
