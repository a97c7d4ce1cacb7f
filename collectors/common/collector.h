// The narrow interface between the agent's scheduler and a protocol.
#pragma once

#include <chrono>
#include <functional>

#include "collectors/common/sample.h"

namespace dc {

// Polls one target. Made by a protocol's factory from the target's
// configuration; owned by the scheduler.
//
// Thread safety: Poll() and the destructor are called on the agent's
// io_context thread; `done` is invoked on that same thread.
class Collector {
 public:
  using Done = std::function<void(PollResult)>;

  virtual ~Collector() = default;

  // Starts one poll that must end by `deadline`. `done` runs exactly once,
  // never from inside Poll() itself, unless the collector is destroyed
  // first, in which case it never runs. The scheduler never calls Poll()
  // while a previous poll of the same collector is in flight.
  virtual void Poll(std::chrono::steady_clock::time_point deadline,
                    Done done) = 0;
};

}  // namespace dc
