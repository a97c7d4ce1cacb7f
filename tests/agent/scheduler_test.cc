// The scheduler against fake collectors on a real io_context with short
// intervals: spread, no overlap, deadlines, backoff, isolation of slow
// targets, the global in-flight cap, and what reaches the exposition.
#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "agent/exposition.h"
#include "agent/scheduler.h"
#include "tests/agent/fakes.h"

namespace dc::agent {
namespace {

using namespace dc::agent::testing;

TargetConfig Target(std::string name, milliseconds interval,
                    milliseconds timeout) {
  TargetConfig t;
  t.name = std::move(name);
  t.protocol = "snmp";
  t.address = "udp:127.0.0.1";
  t.interval = interval;
  t.timeout = timeout;
  t.request_timeout = std::min(timeout, milliseconds(10));
  return t;
}

class SchedulerTest : public ::testing::Test {
 protected:
  void Make(Scheduler::Options options = {}) {
    scheduler_ = std::make_unique<Scheduler>(
        io_, options,
        [this](const TargetConfig& t) {
          return std::make_unique<FakeCollector>(io_, world_, t.name);
        },
        metrics_, board_);
  }

  // `count` targets named PREFIX0, PREFIX1...
  static std::vector<TargetConfig> Targets(const std::string& prefix, int count,
                                           milliseconds interval,
                                           milliseconds timeout) {
    std::vector<TargetConfig> targets;
    for (int i = 0; i < count; ++i)
      targets.push_back(Target(prefix + std::to_string(i), interval, timeout));
    return targets;
  }

  void RunFor(milliseconds duration) {
    io_.restart();
    io_.run_for(duration);
  }

  std::string Exposition() {
    return RenderExposition(metrics_, board_.Views());
  }

  double Metric(const std::string& series) {
    return SeriesValue(Exposition(), series).value_or(-1);
  }

  boost::asio::io_context io_;
  FakeWorld world_;
  SelfMetrics metrics_{"test"};
  Board board_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST(FirstSlotOffsetTest, IsStableAndSpreadOverTheInterval) {
  milliseconds interval(60000);
  EXPECT_EQ(Scheduler::FirstSlotOffset("ups-a", interval),
            Scheduler::FirstSlotOffset("ups-a", interval));
  std::vector<int> buckets(10);
  for (int i = 0; i < 2000; ++i) {
    milliseconds offset =
        Scheduler::FirstSlotOffset("pdu-" + std::to_string(i), interval);
    ASSERT_GE(offset.count(), 0);
    ASSERT_LT(offset, interval);
    ++buckets[offset.count() * 10 / interval.count()];
  }
  for (int count : buckets)
    EXPECT_GT(count, 120);  // 200 expected
}

TEST_F(SchedulerTest, FirstPollsFollowTheNameHash) {
  Make();
  auto targets = Targets("t", 8, milliseconds(400), milliseconds(100));
  auto applied = Clock::now();
  scheduler_->Apply(targets);
  RunFor(milliseconds(380));

  int polled = 0;
  for (const TargetConfig& t : targets) {
    auto polls = world_.PollsOf(t.name);
    auto expected = Scheduler::FirstSlotOffset(t.name, t.interval);
    // Slots near the end of the run may or may not have come.
    if (expected > milliseconds(360))
      continue;
    ASSERT_EQ(polls.size(), 1u) << t.name;
    ++polled;
    // On the start grid: at most a tenth of the interval after the slot.
    auto start = Scheduler::StartTime(applied + expected, t.interval,
                                      Scheduler::Options{}.batch_window);
    ASSERT_GE(start, applied + expected);
    ASSERT_LE(start, applied + expected + t.interval / 10);
    auto actual =
        std::chrono::duration_cast<milliseconds>(polls[0].start - applied);
    auto wanted = std::chrono::duration_cast<milliseconds>(start - applied);
    EXPECT_NEAR(actual.count(), wanted.count(), 30) << t.name;
  }
  EXPECT_GE(polled, 4);
}

TEST(StartTimeTest, RoundsSlotsUpToTheGridCappedAtATenthOfTheInterval) {
  using Clock = Scheduler::Clock;
  auto at = [](milliseconds ms) { return Clock::time_point(ms); };
  milliseconds minute(60000);
  milliseconds second(1000);
  // Rounded up to the next whole second; a slot on the grid stays.
  EXPECT_EQ(Scheduler::StartTime(at(milliseconds(12001)), minute, second),
            at(milliseconds(13000)));
  EXPECT_EQ(Scheduler::StartTime(at(milliseconds(12999)), minute, second),
            at(milliseconds(13000)));
  EXPECT_EQ(Scheduler::StartTime(at(milliseconds(13000)), minute, second),
            at(milliseconds(13000)));
  // A 2 s interval allows at most 200 ms of delay.
  EXPECT_EQ(
      Scheduler::StartTime(at(milliseconds(12001)), milliseconds(2000), second),
      at(milliseconds(12200)));
  // Off.
  EXPECT_EQ(
      Scheduler::StartTime(at(milliseconds(12001)), minute, milliseconds(0)),
      at(milliseconds(12001)));
  // Sub-millisecond clock ticks round up too.
  Clock::time_point odd = at(milliseconds(5000)) + std::chrono::microseconds(1);
  EXPECT_EQ(Scheduler::StartTime(odd, minute, second), at(milliseconds(6000)));
}

TEST_F(SchedulerTest, PollsOfOneGridStepStartTogether) {
  Scheduler::Options options;
  options.batch_window = milliseconds(100);
  Make(options);
  auto targets = Targets("grid", 40, milliseconds(1000), milliseconds(50));
  auto applied = Clock::now();
  scheduler_->Apply(targets);
  RunFor(milliseconds(1150));

  // Each target's first poll, grouped by the grid step it belongs to.
  std::map<Clock::time_point, std::vector<Clock::time_point>> steps;
  for (const TargetConfig& t : targets) {
    auto polls = world_.PollsOf(t.name);
    ASSERT_FALSE(polls.empty()) << t.name;
    auto slot = applied + Scheduler::FirstSlotOffset(t.name, t.interval);
    auto step = Scheduler::StartTime(slot, t.interval, options.batch_window);
    // Never before its slot (the slot is computed a moment after
    // `applied`, so this is conservative), at most one step after it.
    EXPECT_GE(polls[0].start, slot) << t.name;
    EXPECT_LE(polls[0].start, slot + milliseconds(100) + milliseconds(30))
        << t.name;
    steps[step].push_back(polls[0].start);
  }
  // 40 slots spread over a second share at most 11 steps, and the polls
  // of one step start in one wake-up of the loop, not spread over it.
  EXPECT_LE(steps.size(), 11u);
  std::size_t shared = 0;
  for (const auto& [step, starts] : steps) {
    auto [first, last] = std::minmax_element(starts.begin(), starts.end());
    EXPECT_LT(*last - *first, milliseconds(5));
    if (starts.size() > 1)
      shared += starts.size();
  }
  EXPECT_GE(shared, 30u);
}

TEST_F(SchedulerTest, WithoutABatchWindowEachPollStartsAtItsSlot) {
  Scheduler::Options options;
  options.batch_window = milliseconds(0);
  Make(options);
  auto targets = Targets("own", 8, milliseconds(1000), milliseconds(50));
  auto applied = Clock::now();
  scheduler_->Apply(targets);
  RunFor(milliseconds(1000));
  for (const TargetConfig& t : targets) {
    auto polls = world_.PollsOf(t.name);
    auto offset = Scheduler::FirstSlotOffset(t.name, t.interval);
    if (offset > milliseconds(950))
      continue;
    ASSERT_EQ(polls.size(), 1u) << t.name;
    auto actual =
        std::chrono::duration_cast<milliseconds>(polls[0].start - applied);
    EXPECT_NEAR(actual.count(), offset.count(), 25) << t.name;
  }
}

TEST_F(SchedulerTest, PollNeverOverlapsItselfAndMissedSlotsAreCounted) {
  Make();
  world_.behaviour["slow"].delay = milliseconds(130);
  scheduler_->Apply({Target("slow", milliseconds(50), milliseconds(200))});
  RunFor(milliseconds(700));

  EXPECT_FALSE(world_.overlap_seen);
  EXPECT_GE(world_.PollsOf("slow").size(), 3u);
  EXPECT_GE(Metric("dcagent_polls_missed_total{device=\"slow\"}"), 4);
}

TEST_F(SchedulerTest, EveryPollGetsTheTargetTimeoutAsDeadline) {
  Make();
  scheduler_->Apply({Target("a", milliseconds(60), milliseconds(45))});
  RunFor(milliseconds(200));

  auto polls = world_.PollsOf("a");
  ASSERT_GE(polls.size(), 2u);
  for (const auto& poll : polls) {
    // The fake notes its start a little after the scheduler's.
    EXPECT_EQ(std::chrono::round<milliseconds>(poll.deadline - poll.start),
              milliseconds(45));
  }
}

TEST_F(SchedulerTest, CollectorThatMissesItsDeadlineIsAbandonedAndRemade) {
  Make();
  world_.behaviour["hung"].hang = true;
  scheduler_->Apply({Target("hung", milliseconds(100), milliseconds(40))});
  RunFor(milliseconds(250));

  // Deadline 40 ms plus grace 10 ms: each poll is abandoned as a timeout.
  EXPECT_GE(world_.PollsOf("hung").size(), 2u);
  EXPECT_GE(world_.collectors_destroyed, 1);
  EXPECT_GE(world_.collectors_made, 2);
  EXPECT_EQ(scheduler_->in_flight() <= 1, true);
  std::string text = Exposition();
  EXPECT_GE(SeriesValue(text,
                        "dcagent_poll_errors_total{device=\"hung\","
                        "reason=\"timeout\"}")
                .value_or(0),
            1);
  EXPECT_EQ(SeriesValue(text, "dcagent_target_up{device=\"hung\"}"), 0);
}

TEST_F(SchedulerTest, FailingTargetBacksOffButKeepsProbing) {
  Scheduler::Options options;
  options.max_backoff = milliseconds(1000);
  Make(options);
  world_.behaviour["dead"].succeed = false;
  world_.behaviour["dead"].delay = milliseconds(1);
  TargetConfig t = Target("dead", milliseconds(40), milliseconds(30));
  t.request_timeout = milliseconds(5);
  scheduler_->Apply({t});
  RunFor(milliseconds(40 * 16 + 20));

  // Budgets: three full polls, then probes (5 ms) between full polls that
  // are 2, 4, 8 intervals apart.
  std::vector<int> budgets;
  for (const auto& poll : world_.PollsOf("dead")) {
    budgets.push_back(static_cast<int>(
        std::chrono::round<milliseconds>(poll.deadline - poll.start).count()));
  }
  ASSERT_GE(budgets.size(), 12u);
  EXPECT_EQ(budgets[0], 30);
  EXPECT_EQ(budgets[1], 30);
  EXPECT_EQ(budgets[2], 30);
  EXPECT_EQ(budgets[3], 5);  // a probe
  int full = static_cast<int>(std::count(budgets.begin(), budgets.end(), 30));
  EXPECT_LE(full, 3 + 3);
  EXPECT_GE(full, 3 + 2);

  // The device comes back: the next probe notices, within one interval.
  world_.behaviour["dead"].succeed = true;
  RunFor(milliseconds(50));
  EXPECT_EQ(Metric("dcagent_target_up{device=\"dead\"}"), 1);
}

TEST_F(SchedulerTest, SlowTargetDoesNotDelayOthers) {
  Make();
  world_.behaviour["slow"].delay = milliseconds(450);
  std::vector<TargetConfig> targets = {
      Target("slow", milliseconds(500), milliseconds(480))};
  for (int i = 0; i < 5; ++i) {
    targets.push_back(
        Target("fast" + std::to_string(i), milliseconds(50), milliseconds(40)));
  }
  scheduler_->Apply(targets);
  RunFor(milliseconds(520));

  for (int i = 0; i < 5; ++i) {
    auto polls = world_.PollsOf("fast" + std::to_string(i));
    ASSERT_GE(polls.size(), 8u);
    // Slots stay 50 ms apart, whatever the slow target does.
    for (std::size_t j = 1; j < polls.size(); ++j) {
      auto gap = std::chrono::duration_cast<milliseconds>(polls[j].start -
                                                          polls[j - 1].start);
      EXPECT_NEAR(gap.count(), 50, 25);
    }
  }
}

TEST_F(SchedulerTest, GlobalCapQueuesPollsAndCountsTheWait) {
  Scheduler::Options options;
  options.max_in_flight = 2;
  options.once = true;
  Make(options);
  std::vector<TargetConfig> targets;
  for (int i = 0; i < 6; ++i) {
    world_.behaviour["t" + std::to_string(i)].delay = milliseconds(30);
    targets.push_back(
        Target("t" + std::to_string(i), milliseconds(1000), milliseconds(500)));
  }
  bool all_polled = false;
  scheduler_->Apply(targets);
  scheduler_->OnAllPolled([&] { all_polled = true; });
  RunFor(milliseconds(400));

  EXPECT_TRUE(all_polled);
  EXPECT_EQ(world_.polls.size(), 6u);  // queued, never dropped
  EXPECT_EQ(world_.max_in_flight_seen, 2);
  std::string text = Exposition();
  EXPECT_EQ(SeriesValue(text, "dcagent_polls_queued_total"), 4);
  // Waits of about 30, 30, 60, 60 ms.
  EXPECT_GT(
      SeriesValue(text, "dcagent_poll_queue_wait_seconds_total").value_or(0),
      0.1);
}

TEST_F(SchedulerTest, SnapshotIsReplacedNotMergedAndDroppedWhenDown) {
  Make();
  TargetConfig t = Target("ups", milliseconds(50), milliseconds(40));
  t.labels = {{"site", "dc1"}};
  auto& behaviour = world_.behaviour["ups"];
  behaviour.samples = {
      MakeSample("dc_ups_battery_charge_ratio", {}, 0.5),
      MakeSample("dc_ups_output_phase_volts", {{"phase", "L1"}}, 230)};
  scheduler_->Apply({t});
  RunFor(milliseconds(60));

  std::string text = Exposition();
  EXPECT_EQ(SeriesValue(text,
                        "dc_ups_battery_charge_ratio{device=\"ups\","
                        "site=\"dc1\"}"),
            0.5);
  EXPECT_EQ(SeriesValue(text,
                        "dc_ups_output_phase_volts{device=\"ups\","
                        "phase=\"L1\",site=\"dc1\"}"),
            230);

  // The device stops reporting a value: its series goes.
  behaviour.samples.pop_back();
  RunFor(milliseconds(50));
  text = Exposition();
  EXPECT_TRUE(SeriesValue(text,
                          "dc_ups_battery_charge_ratio{device=\"ups\","
                          "site=\"dc1\"}"));
  EXPECT_EQ(text.find("dc_ups_output_phase_volts"), std::string::npos);

  // A failed poll: no frozen device series, self-metrics remain.
  behaviour.succeed = false;
  RunFor(milliseconds(50));
  text = Exposition();
  EXPECT_EQ(text.find("dc_ups_battery_charge_ratio"), std::string::npos);
  EXPECT_EQ(SeriesValue(text, "dcagent_target_up{device=\"ups\"}"), 0);
}

TEST_F(SchedulerTest, ApplyKeepsUnchangedTargetsAndResetsChangedOnes) {
  Make();
  std::vector<TargetConfig> targets = {
      Target("same", milliseconds(40), milliseconds(30)),
      Target("changed", milliseconds(40), milliseconds(30)),
      Target("removed", milliseconds(40), milliseconds(30))};
  scheduler_->Apply(targets);
  RunFor(milliseconds(130));
  double same_before =
      Metric("dcagent_polls_total{device=\"same\",result=\"success\"}");
  ASSERT_GE(same_before, 2);

  targets[1].address = "udp:127.0.0.9";
  targets.pop_back();
  targets.push_back(Target("added", milliseconds(40), milliseconds(30)));
  scheduler_->Apply(targets);

  std::string text = Exposition();
  EXPECT_EQ(SeriesValue(text,
                        "dcagent_polls_total{device=\"same\","
                        "result=\"success\"}"),
            same_before);
  EXPECT_EQ(SeriesValue(text,
                        "dcagent_polls_total{device=\"changed\","
                        "result=\"success\"}"),
            0);
  EXPECT_FALSE(SeriesValue(text,
                           "dcagent_polls_total{device=\"removed\","
                           "result=\"success\"}"));
  EXPECT_EQ(SeriesValue(text, "dcagent_targets{protocol=\"snmp\"}"), 3);

  // The kept target goes on polling, with a fresh collector.
  int made = world_.collectors_made;
  RunFor(milliseconds(90));
  EXPECT_GT(Metric("dcagent_polls_total{device=\"same\",result=\"success\"}"),
            same_before);
  EXPECT_GT(world_.collectors_made, made);
  EXPECT_FALSE(world_.overlap_seen);
}

}  // namespace
}  // namespace dc::agent
