// The device series of one target, rendered once per poll.
//
// Device series do not go through prometheus-cpp's ClientMetric and
// TextSerializer. That path builds a std::string for every label of every
// series on every scrape and formats through iostreams; measured with the
// render benchmark (tests/agent/render_benchmark.cc) it needs several
// seconds per million series. Instead, when a poll completes, its samples
// are rendered to Prometheus text once, grouped by metric family, into an
// immutable DeviceSnapshot. A scrape then only concatenates the snapshots'
// text under one HELP/TYPE header per family, which is close to memcpy
// speed. The agent's own per-target metrics are rendered the same way from
// plain counters (see self_metrics.h); both outputs are joined in
// exposition.cc.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/common/sample.h"
#include "collectors/common/schema.h"

namespace dc::agent {

// Immutable once built; shared between the poll loop and scrapes.
class DeviceSnapshot {
 public:
  struct Family {
    std::size_t schema_index;  // into SchemaMetrics()
    std::string_view text;     // "name{labels} value\n" lines, in text_
  };

  DeviceSnapshot() = default;
  // The families point into the snapshot's own text.
  DeviceSnapshot(const DeviceSnapshot&) = delete;
  DeviceSnapshot& operator=(const DeviceSnapshot&) = delete;

  // Renders `samples`, each with `target_labels` added (the device label
  // and the user labels, sorted by name; they win over a sample label of
  // the same name). Samples of metrics outside the schema are left out and
  // counted in dropped().
  static std::shared_ptr<const DeviceSnapshot> Build(
      std::span<const Sample> samples, const Labels& target_labels);

  // Families in schema order.
  const std::vector<Family>& families() const { return families_; }
  std::size_t series() const { return series_; }
  std::size_t dropped() const { return dropped_; }
  std::size_t bytes() const { return text_.size(); }
  // The `profile` label of dc_device_info when the poll produced one (the
  // profile an "auto" target resolved to).
  const std::string& resolved_profile() const { return resolved_profile_; }

 private:
  // All families' lines in one block: one allocation per poll.
  std::string text_;
  std::vector<Family> families_;
  std::size_t series_ = 0;
  std::size_t dropped_ = 0;
  std::string resolved_profile_;
};

// Appends the families of all `snapshots` to `out` in the Prometheus text
// format: metric names in alphabetical order, each with one HELP and TYPE
// header from the schema, then every target's lines.
void AppendDeviceSeries(std::span<const DeviceSnapshot* const> snapshots,
                        std::string& out);

// The same order without copying the lines: `header` is called before
// each family that has lines, `block` with each target's lines of it
// (text inside the snapshots, valid while they live).
void VisitDeviceSeries(std::span<const DeviceSnapshot* const> snapshots,
                       const std::function<void(const MetricInfo&)>& header,
                       const std::function<void(std::string_view)>& block);

// A family's "# HELP" and "# TYPE" lines, and an upper bound of their
// size over the whole schema.
void AppendFamilyHeader(const MetricInfo& info, std::string& out);
void AppendFamilyHeader(std::string_view name, std::string_view help,
                        std::string_view type, std::string& out);
std::size_t FamilyHeadersBound();

// Text-format escaping: label values escape backslash, double quote and
// newline; help text escapes backslash and newline.
void AppendEscapedLabelValue(std::string_view value, std::string& out);
void AppendEscapedHelp(std::string_view help, std::string& out);
// A sample value as the text format writes it (NaN, +Inf, -Inf), else the
// shortest text that reads back as the same double.
void AppendValue(double value, std::string& out);

}  // namespace dc::agent
