// Measures what gzip costs and saves on a large /metrics (not a test; run
// by hand): the exposition of TARGETS PDU-like targets is rendered as a
// scrape renders it, then compressed at zlib levels 1, 6 and 9.
//
//   agent_gzip_benchmark [TARGETS] [SAMPLES_PER_TARGET]
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "agent/device_series.h"
#include "agent/exposition.h"
#include "agent/gzip.h"
#include "agent/self_metrics.h"

namespace {

using namespace dc;
using namespace dc::agent;

// CPU time of this thread: the machine is shared, wall time is noisy.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) +
         static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<Sample> PduSamples(int count, int seed) {
  std::vector<Sample> samples;
  for (int i = 0; static_cast<int>(samples.size()) < count; ++i) {
    std::string outlet = std::to_string(i + 1);
    samples.push_back({"dc_pdu_outlet_watts",
                       {{"outlet", outlet}, {"outlet_name", "srv-" + outlet}},
                       95.0 + (seed * 7 + i * 13) % 211 * 0.5});
    samples.push_back({"dc_pdu_outlet_amperes",
                       {{"outlet", outlet}, {"outlet_name", "srv-" + outlet}},
                       0.4 + (seed + i * 3) % 97 * 0.01});
  }
  samples.resize(static_cast<std::size_t>(count));
  return samples;
}

}  // namespace

int main(int argc, char** argv) {
  int targets = argc > 1 ? std::atoi(argv[1]) : 2000;
  int per_target = argc > 2 ? std::atoi(argv[2]) : 100;

  // Targets as the scheduler leaves them after a poll each.
  SelfMetrics metrics("bench");
  std::vector<std::unique_ptr<TargetMetrics>> target_metrics;
  std::vector<std::shared_ptr<const TargetView>> views;
  PollResult result;
  result.success = true;
  result.items_read = per_target;
  for (int t = 0; t < targets; ++t) {
    std::string device = "pdu-" + std::to_string(t);
    target_metrics.push_back(std::make_unique<TargetMetrics>(metrics, device));
    target_metrics.back()->RecordPoll(result, "snmp", 0.05, 1.7e9);
    auto view = std::make_shared<TargetView>();
    view->snapshot = DeviceSnapshot::Build(
        PduSamples(per_target, t), {{"device", device},
                                    {"rack", "R" + std::to_string(t % 40)},
                                    {"site", "dc1"}});
    views.push_back(view);
  }

  double start = CpuSeconds();
  std::string text = RenderExposition(metrics, views);
  double render = CpuSeconds() - start;
  std::printf("targets=%d samples_per_target=%d\n", targets, per_target);
  std::printf("render: %.3f s CPU, %zu bytes\n", render, text.size());
  for (int level : {1, 6, 9}) {
    start = CpuSeconds();
    std::string packed = Gzip(text, level);
    double seconds = CpuSeconds() - start;
    std::printf(
        "gzip level %d: %.3f s CPU, %zu bytes (%.1fx smaller)\n", level,
        seconds, packed.size(),
        static_cast<double>(text.size()) / static_cast<double>(packed.size()));
  }
  return 0;
}
