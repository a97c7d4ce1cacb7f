#include "agent/exposition.h"

#include <cassert>
#include <chrono>
#include <sstream>

#include <prometheus/text_serializer.h>

#include "agent/device_series.h"

namespace dc::agent {

std::shared_ptr<const Exposition> Exposition::FromText(std::string text) {
  auto exposition = std::make_shared<Exposition>();
  exposition->registry_text_ = std::move(text);
  exposition->pieces_.push_back(exposition->registry_text_);
  exposition->size_ = exposition->registry_text_.size();
  return exposition;
}

std::string Exposition::Join() const {
  std::string out;
  out.reserve(size_);
  for (std::string_view piece : pieces_)
    out.append(piece);
  return out;
}

std::shared_ptr<const Exposition> BuildExposition(
    SelfMetrics& metrics,
    const std::vector<std::shared_ptr<const TargetView>>& views,
    RenderStats* stats) {
  auto start = std::chrono::steady_clock::now();
  auto out = std::make_shared<Exposition>();

  // Device series: only targets whose last poll succeeded have a snapshot.
  std::vector<const DeviceSnapshot*> snapshots;
  snapshots.reserve(views.size());
  out->views_.reserve(views.size());
  std::size_t series = 0;
  for (const auto& view : views) {
    if (view && view->snapshot) {
      snapshots.push_back(view->snapshot.get());
      out->views_.push_back(view);
      series += view->snapshot->series();
    }
  }

  // Agent-wide metrics: a few dozen series, through prometheus-cpp.
  std::ostringstream registry_text;
  prometheus::TextSerializer().Serialize(registry_text,
                                         metrics.registry().Collect());
  out->registry_text_ = std::move(registry_text).str();
  // Sized up front: several MB at 10,000 targets, which growing by
  // doubling would copy over and over on every scrape.
  out->target_text_.reserve(metrics.TargetMetricsBytes());
  metrics.AppendTargetMetrics(out->target_text_);

  out->pieces_.push_back(out->registry_text_);
  out->pieces_.push_back(out->target_text_);
  // Pieces point into headers_, so it must never reallocate: its
  // capacity covers every family's header.
  out->headers_.reserve(FamilyHeadersBound());
  const char* headers_data = out->headers_.data();
  VisitDeviceSeries(
      snapshots,
      [&](const MetricInfo& info) {
        std::size_t at = out->headers_.size();
        AppendFamilyHeader(info, out->headers_);
        out->pieces_.emplace_back(out->headers_.data() + at,
                                  out->headers_.size() - at);
      },
      [&](std::string_view text) { out->pieces_.push_back(text); });
  assert(out->headers_.data() == headers_data);
  (void)headers_data;

  for (std::string_view piece : out->pieces_)
    out->size_ += piece.size();
  if (stats) {
    stats->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    stats->device_series = series;
  }
  return out;
}

std::string RenderExposition(
    SelfMetrics& metrics,
    const std::vector<std::shared_ptr<const TargetView>>& views,
    RenderStats* stats) {
  return BuildExposition(metrics, views, stats)->Join();
}

}  // namespace dc::agent
