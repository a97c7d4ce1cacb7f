// The /metrics response: the agent-wide metrics (prometheus-cpp registry,
// TextSerializer), the per-target self-metrics (plain counters rendered
// to text, see self_metrics.h), then the device series of every target
// whose last poll succeeded (pre-rendered snapshots, see device_series.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/self_metrics.h"
#include "agent/target_view.h"

namespace dc::agent {

inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

struct RenderStats {
  double seconds = 0;
  std::size_t device_series = 0;
};

// Renders the whole exposition. Safe on any thread: it reads immutable
// views, the per-target counters under their own lock, and collects the
// registry under prometheus-cpp's own locks.
std::string RenderExposition(
    SelfMetrics& metrics,
    const std::vector<std::shared_ptr<const TargetView>>& views,
    RenderStats* stats = nullptr);

}  // namespace dc::agent
