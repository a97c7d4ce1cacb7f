// The agent's own metrics (dcagent_*).
//
// Per-target metrics carry only the `device` label; the user labels are on
// the device series and can be joined in PromQL. They are plain atomics
// rendered straight to text (AppendTargetMetrics), not prometheus-cpp
// metrics: a prometheus-cpp family holds a map node, a label map and a
// metric object per series, and its TextSerializer formats through
// iostreams. For 18,500 targets that render took 0.25 s of CPU, against
// 0.014 s from the counters (tests/agent/render_benchmark.cc). The
// agent-wide metrics, a few dozen series, stay in a prometheus-cpp
// Registry. The poll-duration histogram is per
// protocol, not per target: with 10,000 targets a per-target histogram
// would add over 150,000 series for a figure the per-target
// `dcagent_poll_duration_seconds` gauge already gives.
//
// Thread safety: values are updated with atomics by the poll loop while
// the HTTP thread renders; targets are added and removed under a mutex
// the render holds, and prometheus-cpp families lock by themselves.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
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

// The values of one target's metrics. Written by the poll loop only;
// read by renders on any thread.
struct TargetCounters {
  explicit TargetCounters(std::string name) : device(std::move(name)) {}

  const std::string device;
  std::atomic<bool> polled{false};  // dcagent_target_up is served once set
  std::atomic<double> up{0};
  std::atomic<double> duration{0};
  std::atomic<double> last_success{0};
  std::atomic<double> items{0};
  std::atomic<double> successes{0};
  std::atomic<double> failures{0};
  std::atomic<double> missed{0};
  // An error counter is served from the target's first error of its kind.
  std::array<std::atomic<bool>, kErrorReasons> has_errors{};
  std::array<std::atomic<double>, kErrorReasons> errors{};
};

// The metrics of one target; removes them when destroyed, so a target
// dropped by a reload stops being served.
class TargetMetrics {
 public:
  TargetMetrics(SelfMetrics& owner, std::string device);
  ~TargetMetrics();
  TargetMetrics(const TargetMetrics&) = delete;
  TargetMetrics& operator=(const TargetMetrics&) = delete;

  // Records a finished poll. `up` is served from the first poll, so a
  // target not yet polled is not reported down.
  void RecordPoll(const PollResult& result, std::string_view protocol,
                  double duration_seconds, double now_unix);
  void RecordMissed();

 private:
  SelfMetrics& owner_;
  TargetCounters counters_;
  // The protocol's duration histogram, found at the first poll.
  prometheus::Histogram* histogram_ = nullptr;
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

  // Appends the per-target metrics of every target in the text format,
  // targets ordered by device name.
  void AppendTargetMetrics(std::string& out) const;
  // An upper bound of what AppendTargetMetrics() would append now, for
  // sizing the response.
  std::size_t TargetMetricsBytes() const;

 private:
  friend class TargetMetrics;

  struct ByDevice {
    bool operator()(const TargetCounters* a, const TargetCounters* b) const {
      return a->device != b->device ? a->device < b->device : a < b;
    }
  };

  prometheus::Histogram& DurationHistogram(std::string_view protocol);
  void AddTarget(const TargetCounters& counters);
  void RemoveTarget(const TargetCounters& counters);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>& duration_hist_;
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

  mutable std::mutex targets_mutex_;
  std::set<const TargetCounters*, ByDevice> target_counters_;
};

}  // namespace dc::agent
