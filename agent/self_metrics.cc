#include "agent/self_metrics.h"

#include <cstdlib>

#include <prometheus/histogram.h>

#include "agent/device_series.h"

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
    : owner_(owner), counters_(std::move(device)) {
  owner_.AddTarget(counters_);
}

TargetMetrics::~TargetMetrics() {
  owner_.RemoveTarget(counters_);
}

namespace {

// One writer (the poll loop), so a load and a store make an increment.
void Add(std::atomic<double>& value, double amount) {
  value.store(value.load(std::memory_order_relaxed) + amount,
              std::memory_order_relaxed);
}

}  // namespace

void TargetMetrics::RecordPoll(const PollResult& result,
                               std::string_view protocol,
                               double duration_seconds, double now_unix) {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  counters_.up.store(result.success ? 1 : 0, kRelaxed);
  counters_.duration.store(duration_seconds, kRelaxed);
  if (!histogram_)
    histogram_ = &owner_.DurationHistogram(protocol);
  histogram_->Observe(duration_seconds);
  if (result.success) {
    counters_.last_success.store(now_unix, kRelaxed);
    Add(counters_.successes, 1);
  } else {
    Add(counters_.failures, 1);
  }
  Add(counters_.items, static_cast<double>(result.items_read));

  // Error counters appear with their first error.
  for (const auto& [reason, count] : result.errors) {
    auto index = static_cast<std::size_t>(reason);
    if (index >= counters_.errors.size() || count == 0)
      continue;
    Add(counters_.errors[index], static_cast<double>(count));
    counters_.has_errors[index].store(true, std::memory_order_release);
  }
  // Published last: a render that sees it sees the values above.
  counters_.polled.store(true, std::memory_order_release);
}

void TargetMetrics::RecordMissed() {
  Add(counters_.missed, 1);
}

void SelfMetrics::AddTarget(const TargetCounters& counters) {
  std::lock_guard lock(targets_mutex_);
  target_counters_.insert(&counters);
}

void SelfMetrics::RemoveTarget(const TargetCounters& counters) {
  std::lock_guard lock(targets_mutex_);
  target_counters_.erase(&counters);
}

std::size_t SelfMetrics::TargetMetricsBytes() const {
  std::lock_guard lock(targets_mutex_);
  // The family headers, then per line at most: a name of 40 bytes,
  // `{device="` and the escaped device, `",reason="` and a reason of 15,
  // `} `, a value of 24 and the newline.
  std::size_t bytes = 7 * 400;
  for (const TargetCounters* target : target_counters_) {
    std::size_t lines = 7;
    for (const auto& has : target->has_errors)
      lines += has.load(std::memory_order_relaxed) ? 1 : 0;
    bytes += lines * (110 + 2 * target->device.size());
  }
  return bytes;
}

void SelfMetrics::AppendTargetMetrics(std::string& out) const {
  std::lock_guard lock(targets_mutex_);
  if (target_counters_.empty())
    return;
  // Per family: the header, then one line per target (or per target and
  // label value) that has the series; a family without lines is left out.
  auto family = [&](std::string_view name, auto&& lines) {
    const SelfMetricInfo& info = Info(name);
    std::size_t start = out.size();
    AppendFamilyHeader(info.name, info.help, info.type, out);
    std::size_t header_end = out.size();
    for (const TargetCounters* target : target_counters_)
      lines(*target);
    if (out.size() == header_end)
      out.resize(start);
  };
  // name{device="...",extra_name="extra_value"} value
  auto line = [&](std::string_view name, const TargetCounters& target,
                  std::string_view extra_name, std::string_view extra_value,
                  const std::atomic<double>& value) {
    out.append(name);
    out.append("{device=\"");
    AppendEscapedLabelValue(target.device, out);
    out.push_back('"');
    if (!extra_name.empty()) {
      out.push_back(',');
      out.append(extra_name);
      out.append("=\"");
      out.append(extra_value);
      out.push_back('"');
    }
    out.append("} ");
    AppendValue(value.load(std::memory_order_relaxed), out);
    out.push_back('\n');
  };
  auto gauge = [&](std::string_view name,
                   std::atomic<double> TargetCounters::*value,
                   bool only_polled) {
    family(name, [&](const TargetCounters& target) {
      if (!only_polled || target.polled.load(std::memory_order_acquire))
        line(name, target, {}, {}, target.*value);
    });
  };

  gauge("dcagent_target_up", &TargetCounters::up, true);
  gauge("dcagent_poll_duration_seconds", &TargetCounters::duration, false);
  gauge("dcagent_last_success_timestamp_seconds", &TargetCounters::last_success,
        false);
  family("dcagent_poll_errors_total", [&](const TargetCounters& target) {
    for (std::size_t i = 0; i < kErrorReasons; ++i) {
      if (target.has_errors[i].load(std::memory_order_acquire)) {
        line("dcagent_poll_errors_total", target, "reason",
             ToString(static_cast<ErrorReason>(i)), target.errors[i]);
      }
    }
  });
  gauge("dcagent_items_read_total", &TargetCounters::items, false);
  family("dcagent_polls_total", [&](const TargetCounters& target) {
    line("dcagent_polls_total", target, "result", "failure", target.failures);
    line("dcagent_polls_total", target, "result", "success", target.successes);
  });
  gauge("dcagent_polls_missed_total", &TargetCounters::missed, false);
}

SelfMetrics::SelfMetrics(std::string_view version)
    : registry_(std::make_shared<prometheus::Registry>()),
      duration_hist_(Register(prometheus::BuildHistogram(),
                              "dcagent_poll_duration_seconds_hist",
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
