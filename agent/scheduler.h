// Polls every target on its own interval from one io_context thread:
// timers, not threads.
//
// - Each target's first poll falls at a fixed offset into its interval,
//   derived from a hash of its name, so 10,000 targets do not start in the
//   same second and a restart keeps the same pattern.
// - Polls start on a grid of `batch_window` steps (at most a tenth of the
//   target's interval): a slot is rounded up to the next step, so the
//   polls whose slots fall in one step start together and the agent wakes
//   once for all of them, and their replies tend to arrive together too.
//   A poll starts at most one step after its slot.
// - A poll never overlaps itself: a slot that finds the previous poll still
//   running (or waiting) is skipped and counted in
//   dcagent_polls_missed_total.
// - Every poll has a deadline (the target's timeout). A collector that has
//   not answered shortly after it is destroyed, the poll counts as a
//   timeout, and a new collector is made for the next poll.
// - At most `max_in_flight` polls run at once; further polls wait in a
//   first-in, first-out queue (never dropped) and the wait is counted.
// - After kFailuresBeforeBackoff failures in a row a target backs off: full
//   polls (with the whole timeout) are spaced 2, 4, 8... intervals apart,
//   up to max_backoff. In the slots between, it is still probed with the
//   per-request timeout as the poll's deadline, so a device that comes
//   back is seen within one interval while a dead one holds a place under
//   max_in_flight only briefly.
// - A slow or dead device delays no other: polls are asynchronous and only
//   the global cap is shared.
//
// Thread safety: every member runs on the io_context's thread.
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/self_metrics.h"
#include "agent/target_view.h"
#include "collectors/common/collector.h"
#include "collectors/common/target.h"

namespace dc::agent {

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;
  // Makes the collector for a target; nullptr counts as a failed poll.
  using Factory =
      std::function<std::unique_ptr<Collector>(const TargetConfig&)>;

  static constexpr int kFailuresBeforeBackoff = 3;

  struct Options {
    int max_in_flight = 500;
    std::chrono::milliseconds max_backoff{300000};
    // Step of the start grid; 0: every poll at its own slot.
    std::chrono::milliseconds batch_window{1000};
    // Poll every target once, at once, and never again (--once).
    bool once = false;
  };

  Scheduler(boost::asio::io_context& io, Options options, Factory factory,
            SelfMetrics& metrics, Board& board);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Installs a target set. A target whose configuration is unchanged
  // (SameTarget) keeps its schedule, state, series and metrics; its
  // collector is made anew before its next poll, to pick up reloaded
  // profiles. Changed and new targets start afresh; missing ones stop,
  // abandoning a running poll.
  void Apply(std::vector<TargetConfig> targets);

  // Changes the global limits (after a reload); a new batch window applies
  // from each target's next slot.
  void SetLimits(int max_in_flight, std::chrono::milliseconds max_backoff,
                 std::chrono::milliseconds batch_window);

  // With Options::once: `done` runs once every target has finished its
  // poll (at once when there are none).
  void OnAllPolled(std::function<void()> done);

  // Failed polls since the scheduler started.
  std::uint64_t failed_polls() const { return failed_polls_; }
  int in_flight() const { return in_flight_; }
  std::size_t targets() const { return runs_.size(); }

  // Offset of a target's first slot into its interval.
  static std::chrono::milliseconds FirstSlotOffset(
      std::string_view name, std::chrono::milliseconds interval);

  // When a poll due at `slot` starts: `slot` rounded up to the next
  // multiple (since the clock's epoch) of `batch_window`, or of a tenth of
  // `interval` when that is shorter; `slot` itself when either is 0.
  static Clock::time_point StartTime(Clock::time_point slot,
                                     std::chrono::milliseconds interval,
                                     std::chrono::milliseconds batch_window);

 private:
  struct Run;

  std::shared_ptr<Run> MakeRun(TargetConfig config, Clock::time_point now);
  void Retire(Run& run);
  void ArmSlot(Run& run);
  void OnSlot(Run& run);
  void StartOrQueue(Run& run);
  void Start(Run& run);
  void OnDone(Run& run, std::uint32_t generation, PollResult result);
  void OnDeadline(Run& run, std::uint32_t generation);
  void Complete(Run& run, PollResult result);
  void UpdateBackoff(Run& run, bool success);
  void Publish(Run& run);
  void DrainQueue();
  void CountTargets();

  boost::asio::io_context& io_;
  Options options_;
  Factory factory_;
  SelfMetrics& metrics_;
  Board& board_;

  std::vector<std::shared_ptr<Run>> runs_;  // in configuration order
  std::deque<std::weak_ptr<Run>> queue_;
  std::map<std::string, int, std::less<>> counted_protocols_;
  int in_flight_ = 0;
  std::uint64_t failed_polls_ = 0;
  std::size_t polled_once_ = 0;
  std::function<void()> all_polled_;
};

}  // namespace dc::agent
