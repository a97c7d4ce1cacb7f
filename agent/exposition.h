// The /metrics response: the agent-wide metrics (prometheus-cpp registry,
// TextSerializer), the per-target self-metrics (plain counters rendered
// to text, see self_metrics.h), then the device series of every target
// whose last poll succeeded (pre-rendered snapshots, see device_series.h).
//
// The device series are not copied into one response buffer: an
// Exposition is a list of pieces of text, most of them inside the
// snapshots it holds on to, which the HTTP server writes out in order (or
// compresses piece by piece). A response of 30 MiB therefore costs its
// list of pieces (16 bytes per target and family), not another 30 MiB,
// and two Prometheus servers scraping at once cost no more than one.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
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

// Immutable once built; safe to read from any thread.
class Exposition {
 public:
  Exposition() = default;
  Exposition(const Exposition&) = delete;
  Exposition& operator=(const Exposition&) = delete;

  // An exposition of one piece (tests, other servers of text).
  static std::shared_ptr<const Exposition> FromText(std::string text);

  // The text, in order; empty pieces are possible.
  std::span<const std::string_view> pieces() const { return pieces_; }
  std::size_t size() const { return size_; }
  // The pieces joined.
  std::string Join() const;

 private:
  friend std::shared_ptr<const Exposition> BuildExposition(
      SelfMetrics&, const std::vector<std::shared_ptr<const TargetView>>&,
      RenderStats*);

  std::string registry_text_;
  std::string target_text_;
  std::string headers_;  // the device families' HELP and TYPE lines
  // Keep the snapshots the pieces point into alive.
  std::vector<std::shared_ptr<const TargetView>> views_;
  std::vector<std::string_view> pieces_;
  std::size_t size_ = 0;
};

// Builds the exposition of `views`. Safe on any thread: it reads
// immutable views, the per-target counters under their own lock, and
// collects the registry under prometheus-cpp's own locks.
std::shared_ptr<const Exposition> BuildExposition(
    SelfMetrics& metrics,
    const std::vector<std::shared_ptr<const TargetView>>& views,
    RenderStats* stats = nullptr);

// The same, joined into one string.
std::string RenderExposition(
    SelfMetrics& metrics,
    const std::vector<std::shared_ptr<const TargetView>>& views,
    RenderStats* stats = nullptr);

}  // namespace dc::agent
