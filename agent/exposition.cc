#include "agent/exposition.h"

#include <chrono>
#include <sstream>

#include <prometheus/text_serializer.h>

#include "agent/device_series.h"

namespace dc::agent {

std::string RenderExposition(
    SelfMetrics& metrics,
    const std::vector<std::shared_ptr<const TargetView>>& views,
    RenderStats* stats) {
  auto start = std::chrono::steady_clock::now();

  // Device series: only targets whose last poll succeeded have a snapshot.
  std::vector<const DeviceSnapshot*> snapshots;
  snapshots.reserve(views.size());
  std::size_t series = 0;
  std::size_t device_bytes = 0;
  for (const auto& view : views) {
    if (view && view->snapshot) {
      snapshots.push_back(view->snapshot.get());
      series += view->snapshot->series();
      device_bytes += view->snapshot->bytes();
    }
  }

  // Agent-wide metrics: a few dozen series, through prometheus-cpp.
  std::ostringstream registry_text;
  prometheus::TextSerializer().Serialize(registry_text,
                                         metrics.registry().Collect());

  // One buffer sized up front: growing it by doubling would copy the
  // whole response over and over and, at its peak, hold two of it.
  std::string out;
  out.reserve(registry_text.view().size() + metrics.TargetMetricsBytes() +
              device_bytes + SchemaMetrics().size() * 200);
  out.append(registry_text.view());
  metrics.AppendTargetMetrics(out);
  AppendDeviceSeries(snapshots, out);

  if (stats) {
    stats->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    stats->device_series = series;
  }
  return out;
}

}  // namespace dc::agent
