#include "agent/exposition.h"

#include <chrono>
#include <sstream>

#include <prometheus/text_serializer.h>

#include "agent/device_series.h"

namespace dc::agent {

std::string RenderExposition(
    prometheus::Registry& registry,
    const std::vector<std::shared_ptr<const TargetView>>& views,
    RenderStats* stats) {
  auto start = std::chrono::steady_clock::now();

  // Self-metrics: a few per target, through prometheus-cpp.
  std::ostringstream self;
  prometheus::TextSerializer().Serialize(self, registry.Collect());
  std::string out = std::move(self).str();

  // Device series: only targets whose last poll succeeded have a snapshot.
  std::vector<const DeviceSnapshot*> snapshots;
  snapshots.reserve(views.size());
  std::size_t series = 0;
  for (const auto& view : views) {
    if (view && view->snapshot) {
      snapshots.push_back(view->snapshot.get());
      series += view->snapshot->series();
    }
  }
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
