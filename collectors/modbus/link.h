// A connection to Modbus devices (a TCP gateway or device, or a serial
// bus) with the queue of the polls that use it. Polls of one link run one
// after another in arrival order, so requests never overlap on it; polls
// of different links run concurrently.
#pragma once

#include <functional>

#include "collectors/modbus/transport.h"

namespace dc::modbus {

class Link {
 public:
  using Job = std::function<void(Transport&)>;

  virtual ~Link() = default;

  // Queues `job` behind the link's earlier jobs; it later runs with the
  // link's transport. Called on the agent's io_context thread. Where the
  // job runs depends on the link: Modbus TCP on that same thread
  // (tcp_link.h), serial lines on a worker thread (worker_pool.h).
  virtual void Submit(Job job) = 0;
};

}  // namespace dc::modbus
