// The agent's own metrics (dcagent_*), kept in a prometheus-cpp Registry.
//
// Per-target metrics carry only the `device` label; the user labels are on
// the device series and can be joined in PromQL. The poll-duration
// histogram is per protocol, not per target: with 10,000 targets a
// per-target histogram would add over 150,000 series for a figure the
// per-target `dcagent_poll_duration_seconds` gauge already gives.
//
// Thread safety: prometheus-cpp metrics are updated with atomics and its
// families lock while adding, removing and collecting, so the poll loop
// updates while the HTTP thread collects.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "collectors/common/sample.h"

namespace dc::agent {

// A self-metric as documented (docs/metrics.md).
struct SelfMetricInfo {
  std::string_view name;
  std::string_view type;  // "gauge", "counter", "histogram"
  std::vector<std::string_view> labels;
  std::string_view help;
};

std::span<const SelfMetricInfo> SelfMetricTable();

inline constexpr std::size_t kErrorReasons =
    static_cast<std::size_t>(ErrorReason::kCrc) + 1;

class SelfMetrics;

// The metrics of one target; removes them from the registry when
// destroyed, so a target dropped by a reload stops being served.
class TargetMetrics {
 public:
  TargetMetrics(SelfMetrics& owner, std::string device);
  ~TargetMetrics();
  TargetMetrics(const TargetMetrics&) = delete;
  TargetMetrics& operator=(const TargetMetrics&) = delete;

  // Records a finished poll. `up` is created at the first poll, so a
  // target not yet polled is not reported down.
  void RecordPoll(const PollResult& result, std::string_view protocol,
                  double duration_seconds, double now_unix);
  void RecordMissed();

 private:
  SelfMetrics& owner_;
  std::string device_;
  prometheus::Gauge* up_ = nullptr;
  // The protocol's duration histogram, found at the first poll.
  prometheus::Histogram* histogram_ = nullptr;
  prometheus::Gauge* duration_;
  prometheus::Gauge* last_success_;
  prometheus::Counter* items_;
  prometheus::Counter* successes_;
  prometheus::Counter* failures_;
  prometheus::Counter* missed_;
  std::array<prometheus::Counter*, kErrorReasons> errors_{};
};

class SelfMetrics {
 public:
  explicit SelfMetrics(std::string_view version);

  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }

  // Agent-wide metrics, updated by the scheduler and the agent.
  void SetTargets(std::string_view protocol, double count);
  void SetReloadResult(bool success, double now_unix);
  void SetInFlight(double count) { in_flight_.Set(count); }
  void RecordQueued(std::chrono::steady_clock::duration waited);
  void SetRender(double seconds, double device_series);

 private:
  friend class TargetMetrics;

  prometheus::Histogram& DurationHistogram(std::string_view protocol);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& up_;
  prometheus::Family<prometheus::Gauge>& duration_;
  prometheus::Family<prometheus::Histogram>& duration_hist_;
  prometheus::Family<prometheus::Gauge>& last_success_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Family<prometheus::Counter>& items_;
  prometheus::Family<prometheus::Counter>& polls_;
  prometheus::Family<prometheus::Counter>& missed_;
  prometheus::Family<prometheus::Gauge>& targets_;
  prometheus::Gauge& reload_ok_;
  prometheus::Gauge& reload_time_;
  prometheus::Gauge& in_flight_;
  prometheus::Counter& queued_;
  prometheus::Counter& queue_wait_;
  prometheus::Gauge& render_seconds_;
  prometheus::Gauge& device_series_;
  // Used on the poll loop only; saves a label lookup per poll.
  std::map<std::string, prometheus::Histogram*, std::less<>> histograms_;
};

}  // namespace dc::agent
