#include "agent/scheduler.h"

#include <algorithm>
#include <cassert>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "agent/config.h"
#include "agent/logging.h"

namespace dc::agent {

using std::chrono::milliseconds;

struct Scheduler::Run {
  enum class Phase { kIdle, kQueued, kPolling };

  Run(boost::asio::io_context& io, Scheduler& owner, TargetConfig target,
      SelfMetrics& self_metrics)
      : scheduler(owner),
        config(std::move(target)),
        slot_timer(io),
        deadline_timer(io),
        metrics(self_metrics, config.name) {}

  Scheduler& scheduler;
  std::weak_ptr<Run> self;  // for handlers that may outlive the run
  bool retired = false;
  TargetConfig config;
  std::shared_ptr<const TargetInfo> info;
  std::unique_ptr<Collector> collector;
  bool stale_collector = false;  // re-make before the next poll
  std::size_t slot = 0;          // index in the board

  boost::asio::steady_timer slot_timer;
  boost::asio::steady_timer deadline_timer;
  Clock::time_point next_slot;

  Phase phase = Phase::kIdle;
  std::uint32_t generation = 0;  // of the running poll
  bool probe = false;            // the running poll is a backoff probe
  Clock::time_point queued_at;
  Clock::time_point started_at;

  int failures = 0;  // in a row
  int backoff_level = 0;
  Clock::time_point next_full_poll;
  TargetState state = TargetState::kPending;
  Clock::time_point down_since;
  std::shared_ptr<const TargetView> view;
  bool polled = false;  // at least once (for --once)

  TargetMetrics metrics;
};

namespace {

double UnixNow() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// How long after its deadline a poll is abandoned: the collector should
// have answered by the deadline; this leaves it time to deliver the
// answer through the loop.
Scheduler::Clock::duration Grace(milliseconds budget) {
  return std::clamp<milliseconds>(budget / 10, milliseconds(10),
                                  milliseconds(1000));
}

std::int64_t ToMs(Scheduler::Clock::duration d) {
  return std::chrono::duration_cast<milliseconds>(d).count();
}

}  // namespace

Scheduler::Scheduler(boost::asio::io_context& io, Options options,
                     Factory factory, SelfMetrics& metrics, Board& board)
    : io_(io),
      options_(options),
      factory_(std::move(factory)),
      metrics_(metrics),
      board_(board) {}

Scheduler::~Scheduler() {
  for (auto& run : runs_)
    Retire(*run);
}

milliseconds Scheduler::FirstSlotOffset(std::string_view name,
                                        milliseconds interval) {
  // FNV-1a: stable across runs and builds, unlike std::hash.
  std::uint64_t hash = 14695981039346656037ULL;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  auto span =
      static_cast<std::uint64_t>(std::max<std::int64_t>(interval.count(), 1));
  return milliseconds(static_cast<std::int64_t>(hash % span));
}

void Scheduler::Apply(std::vector<TargetConfig> targets) {
  auto now = Clock::now();

  // Keep the runs whose configuration did not change.
  std::map<std::string, std::shared_ptr<Run>, std::less<>> old;
  for (auto& run : runs_)
    old.emplace(run->config.name, std::move(run));
  runs_.clear();
  std::vector<std::shared_ptr<Run>> kept(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto it = old.find(targets[i].name);
    if (it != old.end() && SameTarget(it->second->config, targets[i])) {
      kept[i] = std::move(it->second);
      kept[i]->stale_collector = true;
      old.erase(it);
    }
  }

  // Stop the others before making new ones: a changed target's metrics
  // must be removed before the same labels are added again.
  for (auto& [name, run] : old)
    Retire(*run);
  old.clear();

  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (kept[i]) {
      runs_.push_back(std::move(kept[i]));
    } else {
      runs_.push_back(MakeRun(std::move(targets[i]), now));
      ArmSlot(*runs_.back());
    }
  }

  std::vector<std::shared_ptr<const TargetView>> views;
  views.reserve(runs_.size());
  for (std::size_t i = 0; i < runs_.size(); ++i) {
    runs_[i]->slot = i;
    views.push_back(runs_[i]->view);
  }
  board_.Reset(std::move(views));
  CountTargets();

  DrainQueue();
  if (options_.once && all_polled_ && polled_once_ == runs_.size()) {
    boost::asio::post(io_, std::exchange(all_polled_, nullptr));
  }
}

std::shared_ptr<Scheduler::Run> Scheduler::MakeRun(TargetConfig config,
                                                   Clock::time_point now) {
  auto run = std::make_shared<Run>(io_, *this, std::move(config), metrics_);
  run->self = run;
  const TargetConfig& c = run->config;

  auto info = std::make_shared<TargetInfo>();
  info->name = c.name;
  info->protocol = c.protocol;
  info->address = c.address;
  info->profile = c.profile;
  info->series_labels = c.labels;
  info->series_labels.emplace_back(std::string(kDeviceLabel), c.name);
  std::sort(info->series_labels.begin(), info->series_labels.end());
  run->info = std::move(info);

  auto view = std::make_shared<TargetView>();
  view->info = run->info;
  run->view = std::move(view);

  run->next_slot =
      options_.once ? now : now + FirstSlotOffset(c.name, c.interval);
  return run;
}

void Scheduler::Retire(Run& run) {
  // Destroying the collector abandons its poll: `done` will not run.
  run.retired = true;
  if (run.phase == Run::Phase::kPolling)
    --in_flight_;
  run.phase = Run::Phase::kIdle;
  run.collector.reset();
  run.slot_timer.cancel();
  run.deadline_timer.cancel();
  metrics_.SetInFlight(in_flight_);
}

Scheduler::Clock::time_point Scheduler::StartTime(Clock::time_point slot,
                                                  milliseconds interval,
                                                  milliseconds batch_window) {
  Clock::duration step = std::min<Clock::duration>(batch_window, interval / 10);
  if (step <= Clock::duration::zero())
    return slot;
  Clock::duration since_epoch = slot.time_since_epoch();
  Clock::duration rest = since_epoch % step;
  if (rest < Clock::duration::zero())
    rest += step;
  return rest == Clock::duration::zero() ? slot : slot + (step - rest);
}

void Scheduler::ArmSlot(Run& run) {
  // --once polls at once; the grid is for the steady schedule.
  run.slot_timer.expires_at(options_.once
                                ? run.next_slot
                                : StartTime(run.next_slot, run.config.interval,
                                            options_.batch_window));
  run.slot_timer.async_wait(
      [weak = run.self](const boost::system::error_code& ec) {
        // A handler already queued when its run was retired still runs,
        // with success; the flag and the weak pointer catch that.
        auto locked = weak.lock();
        if (ec || !locked || locked->retired)
          return;
        locked->scheduler.OnSlot(*locked);
      });
}

void Scheduler::OnSlot(Run& run) {
  auto now = Clock::now();
  bool busy = run.phase != Run::Phase::kIdle;

  // The next slot keeps the phase; slots the loop slept through are lost.
  int passed = 0;
  do {
    run.next_slot += run.config.interval;
    ++passed;
  } while (run.next_slot <= now);
  if (!options_.once)
    ArmSlot(run);
  for (int i = busy ? 0 : 1; i < passed; ++i)
    run.metrics.RecordMissed();

  if (busy && spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug(
        "poll skipped target={} op=poll reason={}", LogValue(run.config.name),
        run.phase == Run::Phase::kQueued ? "still_queued" : "still_running");
  }
  if (busy)
    return;
  if (options_.once && run.polled)
    return;
  run.probe =
      run.failures >= kFailuresBeforeBackoff && now < run.next_full_poll;
  StartOrQueue(run);
}

void Scheduler::StartOrQueue(Run& run) {
  if (in_flight_ < options_.max_in_flight && queue_.empty()) {
    Start(run);
    return;
  }
  run.phase = Run::Phase::kQueued;
  run.queued_at = Clock::now();
  queue_.push_back(run.self);
}

void Scheduler::Start(Run& run) {
  auto now = Clock::now();
  ++in_flight_;
  metrics_.SetInFlight(in_flight_);
  run.phase = Run::Phase::kPolling;
  run.started_at = now;
  std::uint32_t generation = ++run.generation;

  if (!run.collector || run.stale_collector) {
    run.collector = factory_(run.config);
    run.stale_collector = false;
  }
  if (!run.collector) {
    spdlog::error("collector not made target={} protocol={}",
                  LogValue(run.config.name), run.config.protocol);
    boost::asio::post(io_, [weak = run.self, generation] {
      auto locked = weak.lock();
      if (!locked || locked->retired)
        return;
      PollResult result;
      result.error = "the protocol made no collector";
      locked->scheduler.OnDone(*locked, generation, std::move(result));
    });
    return;
  }

  milliseconds budget = run.config.timeout;
  if (run.probe)
    budget = std::min(budget, run.config.request_timeout);
  auto deadline = now + budget;
  run.deadline_timer.expires_at(deadline + Grace(budget));
  run.deadline_timer.async_wait(
      [weak = run.self, generation](const boost::system::error_code& ec) {
        auto locked = weak.lock();
        if (ec || !locked || locked->retired)
          return;
        locked->scheduler.OnDeadline(*locked, generation);
      });

  // Two words: small enough for std::function to hold without allocating.
  Run* target = &run;
  run.collector->Poll(deadline, [target, generation](PollResult result) {
    target->scheduler.OnDone(*target, generation, std::move(result));
  });
}

void Scheduler::OnDone(Run& run, std::uint32_t generation, PollResult result) {
  if (run.phase != Run::Phase::kPolling || generation != run.generation) {
    return;
  }
  run.deadline_timer.cancel();
  Complete(run, std::move(result));
}

void Scheduler::OnDeadline(Run& run, std::uint32_t generation) {
  if (run.phase != Run::Phase::kPolling || generation != run.generation) {
    return;
  }
  auto overdue = Clock::now() - run.started_at;
  spdlog::warn(
      "poll abandoned target={} op=poll duration_ms={} "
      "reason=collector_missed_deadline",
      LogValue(run.config.name), ToMs(overdue));

  // Destroying the collector guarantees its late answer never arrives.
  run.collector.reset();
  PollResult result;
  result.errors[ErrorReason::kTimeout] = 1;
  result.error = "no answer by the poll deadline";
  Complete(run, std::move(result));
}

void Scheduler::Complete(Run& run, PollResult result) {
  auto now = Clock::now();
  double unix_now = UnixNow();
  double seconds = std::chrono::duration<double>(now - run.started_at).count();
  run.phase = Run::Phase::kIdle;
  --in_flight_;
  metrics_.SetInFlight(in_flight_);
  if (!result.success)
    ++failed_polls_;
  if (!result.success && result.error.empty())
    result.error = "poll failed";

  run.metrics.RecordPoll(result, run.config.protocol, seconds, unix_now);
  // Checked first: spdlog builds the arguments (quoting the name and the
  // error) even when the line is off, as it is unless debugging.
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug(
        "poll done target={} op=poll result={} duration_ms={} "
        "items={} samples={} probe={} error={}",
        LogValue(run.config.name), result.success ? "success" : "failure",
        ToMs(now - run.started_at), result.items_read, result.samples.size(),
        run.probe, LogValue(result.error));
  }

  // Report a change of state once, not every failed poll.
  TargetState state = result.success ? TargetState::kUp : TargetState::kDown;
  if (state != run.state) {
    if (state == TargetState::kDown) {
      spdlog::warn("target down target={} protocol={} address={} error={}",
                   LogValue(run.config.name), run.config.protocol,
                   LogValue(run.config.address), LogValue(result.error));
      run.down_since = now;
    } else if (run.state == TargetState::kDown) {
      spdlog::info("target recovered target={} down_for_s={}",
                   LogValue(run.config.name),
                   ToMs(now - run.down_since) / 1000);
    } else {
      spdlog::debug("target up target={}", LogValue(run.config.name));
    }
    run.state = state;
  }
  UpdateBackoff(run, result.success);

  // Publish a new view; the snapshot is replaced, never merged.
  auto view = std::make_shared<TargetView>();
  view->info = run.info;
  view->state = state;
  view->last_duration_seconds = seconds;
  view->last_success_unix =
      result.success ? unix_now : run.view->last_success_unix;
  view->last_error =
      result.success ? run.view->last_error : std::move(result.error);
  if (result.success) {
    view->snapshot =
        DeviceSnapshot::Build(result.samples, run.info->series_labels);
  }
  run.view = std::move(view);
  board_.Publish(run.slot, run.view);

  if (!run.polled) {
    run.polled = true;
    ++polled_once_;
  }
  DrainQueue();
  if (options_.once && all_polled_ && polled_once_ == runs_.size()) {
    boost::asio::post(io_, std::exchange(all_polled_, nullptr));
  }
}

void Scheduler::UpdateBackoff(Run& run, bool success) {
  if (success) {
    run.failures = 0;
    run.backoff_level = 0;
    return;
  }
  ++run.failures;
  // A failed probe changes nothing: the next full poll stays where it is.
  if (run.failures < kFailuresBeforeBackoff || run.probe)
    return;
  run.backoff_level = std::min(run.backoff_level + 1, 16);
  auto gap = run.config.interval * (std::int64_t{1} << run.backoff_level);
  auto cap = std::max<milliseconds>(options_.max_backoff, run.config.interval);
  // Measured from the poll's start, less half an interval, so the slot
  // `gap` after this poll's slot is the next full poll.
  run.next_full_poll = run.started_at + std::min<milliseconds>(gap, cap) -
                       run.config.interval / 2;
}

void Scheduler::DrainQueue() {
  while (in_flight_ < options_.max_in_flight && !queue_.empty()) {
    std::shared_ptr<Run> run = queue_.front().lock();
    queue_.pop_front();
    if (!run || run->phase != Run::Phase::kQueued)
      continue;
    metrics_.RecordQueued(Clock::now() - run->queued_at);
    Start(*run);
  }
}

void Scheduler::SetLimits(int max_in_flight, milliseconds max_backoff,
                          milliseconds batch_window) {
  options_.max_in_flight = max_in_flight;
  options_.max_backoff = max_backoff;
  options_.batch_window = batch_window;
  DrainQueue();
}

void Scheduler::OnAllPolled(std::function<void()> done) {
  all_polled_ = std::move(done);
  if (polled_once_ == runs_.size()) {
    boost::asio::post(io_, std::exchange(all_polled_, nullptr));
  }
}

void Scheduler::CountTargets() {
  for (auto& [protocol, count] : counted_protocols_)
    count = 0;
  for (const auto& run : runs_)
    ++counted_protocols_[run->config.protocol];
  for (const auto& [protocol, count] : counted_protocols_) {
    metrics_.SetTargets(protocol, count);
  }
}

}  // namespace dc::agent
