#include "agent/self_metrics.h"

#include <cstdlib>

#include <prometheus/histogram.h>

namespace dc::agent {
namespace {

// Seconds; polls range from a few milliseconds (Modbus TCP) to the
// deadline of a device that does not answer.
const prometheus::Histogram::BucketBoundaries& DurationBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  return buckets;
}

const SelfMetricInfo& Info(std::string_view name) {
  for (const SelfMetricInfo& info : SelfMetricTable()) {
    if (info.name == name)
      return info;
  }
  std::abort();  // every name used below is in the table
}

template <typename Builder>
auto& Register(Builder builder, std::string_view name,
               prometheus::Registry& registry) {
  const SelfMetricInfo& info = Info(name);
  return builder.Name(std::string(info.name))
      .Help(std::string(info.help))
      .Register(registry);
}

}  // namespace

std::span<const SelfMetricInfo> SelfMetricTable() {
  static const std::vector<SelfMetricInfo> table = {
      {"dcagent_build_info",
       "gauge",
       {"version"},
       "Constant 1; the dcagent version."},
      {"dcagent_targets",
       "gauge",
       {"protocol"},
       "Targets configured, by protocol."},
      {"dcagent_target_up",
       "gauge",
       {"device"},
       "1 when the last poll of the target succeeded, 0 when it failed. "
       "Absent until the first poll."},
      {"dcagent_poll_duration_seconds",
       "gauge",
       {"device"},
       "Duration of the last poll of the target."},
      {"dcagent_poll_duration_seconds_hist",
       "histogram",
       {"protocol"},
       "Durations of all polls, by protocol."},
      {"dcagent_last_success_timestamp_seconds",
       "gauge",
       {"device"},
       "Unix time of the last successful poll of the target."},
      {"dcagent_poll_errors_total",
       "counter",
       {"device", "reason"},
       "Errors met while polling the target, by reason (a poll may count "
       "several, and a successful poll may count some)."},
      {"dcagent_items_read_total",
       "counter",
       {"device"},
       "SNMP variable bindings or Modbus registers read from the target."},
      {"dcagent_polls_total",
       "counter",
       {"device", "result"},
       "Polls of the target by result: success or failure."},
      {"dcagent_polls_missed_total",
       "counter",
       {"device"},
       "Poll slots skipped because the previous poll of the target was "
       "still running or waiting."},
      {"dcagent_polls_in_flight",
       "gauge",
       {},
       "Polls running now, limited by [agent] max_in_flight."},
      {"dcagent_polls_queued_total",
       "counter",
       {},
       "Polls that waited for a free place under max_in_flight."},
      {"dcagent_poll_queue_wait_seconds_total",
       "counter",
       {},
       "Total time polls waited for a free place under max_in_flight."},
      {"dcagent_config_last_reload_successful",
       "gauge",
       {},
       "1 when the last configuration load or reload succeeded, 0 when the "
       "new configuration was rejected and the previous one kept."},
      {"dcagent_config_last_reload_success_timestamp_seconds",
       "gauge",
       {},
       "Unix time of the last successful configuration load or reload."},
      {"dcagent_exposition_render_seconds",
       "gauge",
       {},
       "Time the previous /metrics response took to render."},
      {"dcagent_device_series",
       "gauge",
       {},
       "Device series in the previous /metrics response."},
  };
  return table;
}

TargetMetrics::TargetMetrics(SelfMetrics& owner, std::string device)
    : owner_(owner),
      device_(std::move(device)),
      duration_(&owner.duration_.Add({{"device", device_}})),
      last_success_(&owner.last_success_.Add({{"device", device_}})),
      items_(&owner.items_.Add({{"device", device_}})),
      successes_(
          &owner.polls_.Add({{"device", device_}, {"result", "success"}})),
      failures_(
          &owner.polls_.Add({{"device", device_}, {"result", "failure"}})),
      missed_(&owner.missed_.Add({{"device", device_}})) {}

TargetMetrics::~TargetMetrics() {
  if (up_)
    owner_.up_.Remove(up_);
  owner_.duration_.Remove(duration_);
  owner_.last_success_.Remove(last_success_);
  owner_.items_.Remove(items_);
  owner_.polls_.Remove(successes_);
  owner_.polls_.Remove(failures_);
  owner_.missed_.Remove(missed_);
  for (prometheus::Counter* counter : errors_) {
    if (counter)
      owner_.errors_.Remove(counter);
  }
}

void TargetMetrics::RecordPoll(const PollResult& result,
                               std::string_view protocol,
                               double duration_seconds, double now_unix) {
  if (!up_)
    up_ = &owner_.up_.Add({{"device", device_}});
  up_->Set(result.success ? 1 : 0);
  duration_->Set(duration_seconds);
  if (!histogram_)
    histogram_ = &owner_.DurationHistogram(protocol);
  histogram_->Observe(duration_seconds);
  if (result.success) {
    last_success_->Set(now_unix);
    successes_->Increment();
  } else {
    failures_->Increment();
  }
  items_->Increment(static_cast<double>(result.items_read));

  // Error counters appear with their first error.
  for (const auto& [reason, count] : result.errors) {
    auto index = static_cast<std::size_t>(reason);
    if (index >= errors_.size() || count == 0)
      continue;
    if (!errors_[index]) {
      errors_[index] = &owner_.errors_.Add(
          {{"device", device_}, {"reason", std::string(ToString(reason))}});
    }
    errors_[index]->Increment(static_cast<double>(count));
  }
}

void TargetMetrics::RecordMissed() {
  missed_->Increment();
}

SelfMetrics::SelfMetrics(std::string_view version)
    : registry_(std::make_shared<prometheus::Registry>()),
      up_(Register(prometheus::BuildGauge(), "dcagent_target_up", *registry_)),
      duration_(Register(prometheus::BuildGauge(),
                         "dcagent_poll_duration_seconds", *registry_)),
      duration_hist_(Register(prometheus::BuildHistogram(),
                              "dcagent_poll_duration_seconds_hist",
                              *registry_)),
      last_success_(Register(prometheus::BuildGauge(),
                             "dcagent_last_success_timestamp_seconds",
                             *registry_)),
      errors_(Register(prometheus::BuildCounter(), "dcagent_poll_errors_total",
                       *registry_)),
      items_(Register(prometheus::BuildCounter(), "dcagent_items_read_total",
                      *registry_)),
      polls_(Register(prometheus::BuildCounter(), "dcagent_polls_total",
                      *registry_)),
      missed_(Register(prometheus::BuildCounter(), "dcagent_polls_missed_total",
                       *registry_)),
      targets_(
          Register(prometheus::BuildGauge(), "dcagent_targets", *registry_)),
      reload_ok_(Register(prometheus::BuildGauge(),
                          "dcagent_config_last_reload_successful", *registry_)
                     .Add({})),
      reload_time_(
          Register(prometheus::BuildGauge(),
                   "dcagent_config_last_reload_success_timestamp_seconds",
                   *registry_)
              .Add({})),
      in_flight_(Register(prometheus::BuildGauge(), "dcagent_polls_in_flight",
                          *registry_)
                     .Add({})),
      queued_(Register(prometheus::BuildCounter(), "dcagent_polls_queued_total",
                       *registry_)
                  .Add({})),
      queue_wait_(Register(prometheus::BuildCounter(),
                           "dcagent_poll_queue_wait_seconds_total", *registry_)
                      .Add({})),
      render_seconds_(Register(prometheus::BuildGauge(),
                               "dcagent_exposition_render_seconds", *registry_)
                          .Add({})),
      device_series_(Register(prometheus::BuildGauge(), "dcagent_device_series",
                              *registry_)
                         .Add({})) {
  Register(prometheus::BuildGauge(), "dcagent_build_info", *registry_)
      .Add({{"version", std::string(version)}})
      .Set(1);
}

void SelfMetrics::SetTargets(std::string_view protocol, double count) {
  targets_.Add({{"protocol", std::string(protocol)}}).Set(count);
}

void SelfMetrics::SetReloadResult(bool success, double now_unix) {
  reload_ok_.Set(success ? 1 : 0);
  if (success)
    reload_time_.Set(now_unix);
}

void SelfMetrics::RecordQueued(std::chrono::steady_clock::duration waited) {
  queued_.Increment();
  queue_wait_.Increment(std::chrono::duration<double>(waited).count());
}

void SelfMetrics::SetRender(double seconds, double device_series) {
  render_seconds_.Set(seconds);
  device_series_.Set(device_series);
}

prometheus::Histogram& SelfMetrics::DurationHistogram(
    std::string_view protocol) {
  auto it = histograms_.find(protocol);
  if (it == histograms_.end()) {
    prometheus::Histogram& histogram = duration_hist_.Add(
        {{"protocol", std::string(protocol)}}, DurationBuckets());
    it = histograms_.emplace(std::string(protocol), &histogram).first;
  }
  return *it->second;
}

}  // namespace dc::agent
