// The /metrics response: the agent's own metrics (prometheus-cpp registry,
// TextSerializer) followed by the device series of every target whose last
// poll succeeded (pre-rendered snapshots, see device_series.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "agent/target_view.h"

namespace dc::agent {

inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

struct RenderStats {
  double seconds = 0;
  std::size_t device_series = 0;
};

// Renders the whole exposition. Safe on any thread: it reads immutable
// views and collects the registry under prometheus-cpp's own locks.
std::string RenderExposition(
    prometheus::Registry& registry,
    const std::vector<std::shared_ptr<const TargetView>>& views,
    RenderStats* stats = nullptr);

}  // namespace dc::agent
