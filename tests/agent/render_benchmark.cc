// Measures the /metrics render path for many targets (not a test; run by
// hand): dcagent's pre-rendered device snapshots against prometheus-cpp's
// ClientMetric + TextSerializer path for the same series, and the
// self-metrics of that many targets.
//
//   agent_render_benchmark [TARGETS] [SAMPLES_PER_TARGET]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include <prometheus/text_serializer.h>

#include "agent/device_series.h"
#include "agent/exposition.h"
#include "agent/self_metrics.h"

namespace {

using namespace dc;
using namespace dc::agent;

// CPU time of this thread: on a shared, busy machine wall time says more
// about the neighbours than about this code.
struct CpuClock {
  using time_point = double;
  static double now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) +
           static_cast<double>(ts.tv_nsec) * 1e-9;
  }
};

using Clock = CpuClock;

double Seconds(double start) {
  return Clock::now() - start;
}

// A PDU-like device: per-outlet power and current, per-phase readings.
std::vector<Sample> DeviceSamples(int count, int seed) {
  std::vector<Sample> samples;
  for (int i = 0; samples.size() < static_cast<std::size_t>(count); ++i) {
    std::string outlet = std::to_string(i + 1);
    samples.push_back({"dc_pdu_outlet_watts",
                       {{"outlet", outlet}, {"outlet_name", "srv-" + outlet}},
                       100.0 + seed % 17 + i * 0.25});
    samples.push_back({"dc_pdu_outlet_amperes",
                       {{"outlet", outlet}, {"outlet_name", "srv-" + outlet}},
                       0.43 + i * 0.01});
  }
  samples.resize(count);
  return samples;
}

}  // namespace

int main(int argc, char** argv) {
  int targets = argc > 1 ? std::atoi(argv[1]) : 10000;
  int per_target = argc > 2 ? std::atoi(argv[2]) : 100;

  // What a poll completion does: build each target's snapshot.
  std::vector<std::shared_ptr<const DeviceSnapshot>> snapshots;
  std::vector<std::vector<Sample>> all_samples;
  std::vector<Labels> all_labels;
  for (int t = 0; t < targets; ++t) {
    all_samples.push_back(DeviceSamples(per_target, t));
    all_labels.push_back({{"device", "pdu-" + std::to_string(t)},
                          {"rack", "R" + std::to_string(t % 40)},
                          {"room", "hall-1"},
                          {"site", "dc1"}});
  }
  auto start = Clock::now();
  for (int t = 0; t < targets; ++t) {
    snapshots.push_back(DeviceSnapshot::Build(all_samples[t], all_labels[t]));
  }
  double build = Seconds(start);

  // A scrape of the device series.
  std::vector<const DeviceSnapshot*> pointers;
  for (const auto& s : snapshots)
    pointers.push_back(s.get());
  std::string text;
  start = Clock::now();
  AppendDeviceSeries(pointers, text);
  double render = Seconds(start);
  std::size_t series = static_cast<std::size_t>(targets) * per_target;

  // The same series through prometheus-cpp's ClientMetric path.
  start = Clock::now();
  std::vector<prometheus::MetricFamily> families(2);
  families[0].name = "dc_pdu_outlet_amperes";
  families[1].name = "dc_pdu_outlet_watts";
  for (auto& f : families) {
    f.type = prometheus::MetricType::Gauge;
    f.help = "help";
  }
  for (int t = 0; t < targets; ++t) {
    for (const Sample& s : all_samples[t]) {
      prometheus::ClientMetric metric;
      for (const auto& [k, v] : all_labels[t])
        metric.label.push_back({k, v});
      for (const auto& [k, v] : s.labels)
        metric.label.push_back({k, v});
      std::sort(metric.label.begin(), metric.label.end());
      metric.gauge.value = s.value;
      families[s.name == "dc_pdu_outlet_watts" ? 1 : 0].metric.push_back(
          std::move(metric));
    }
  }
  double client_build = Seconds(start);
  start = Clock::now();
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  double client_serialize = Seconds(start);

  // Self-metrics of that many targets through prometheus-cpp.
  SelfMetrics metrics("bench");
  std::vector<std::unique_ptr<TargetMetrics>> per_target_metrics;
  PollResult result;
  result.success = true;
  result.items_read = 120;
  result.errors[ErrorReason::kTimeout] = 1;
  for (int t = 0; t < targets; ++t) {
    per_target_metrics.push_back(
        std::make_unique<TargetMetrics>(metrics, "pdu-" + std::to_string(t)));
    per_target_metrics.back()->RecordPoll(result, "snmp", 0.05, 1.7e9);
  }
  std::vector<std::shared_ptr<const TargetView>> views;
  for (int t = 0; t < targets; ++t) {
    auto view = std::make_shared<TargetView>();
    view->snapshot = snapshots[t];
    views.push_back(view);
  }
  auto self_start = Clock::now();
  std::string self_only = RenderExposition(metrics, {});
  double self_seconds = Seconds(self_start);
  auto whole_start = Clock::now();
  std::string whole = RenderExposition(metrics, views);
  double whole_seconds = Seconds(whole_start);

  std::printf("CPU seconds of the rendering thread\n");
  std::printf("targets=%d samples_per_target=%d series=%zu\n", targets,
              per_target, series);
  std::printf("snapshot build (all polls): %.3f s (%.0f ns/series)\n", build,
              build * 1e9 / static_cast<double>(series));
  std::printf("device render (one scrape): %.3f s, %.1f MB\n", render,
              static_cast<double>(text.size()) / 1e6);
  std::printf(
      "prometheus-cpp ClientMetric build: %.3f s, TextSerializer: "
      "%.3f s\n",
      client_build, client_serialize);
  std::printf(
      "whole /metrics incl. self-metrics of %d targets: %.3f s, "
      "%.1f MB\n",
      targets, whole_seconds, static_cast<double>(whole.size()) / 1e6);
  std::printf("self-metrics alone: %.3f s, %.1f MB\n", self_seconds,
              static_cast<double>(self_only.size()) / 1e6);
  return 0;
}
