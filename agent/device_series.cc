#include "agent/device_series.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

namespace dc::agent {
namespace {

using LabelRef = std::pair<std::string_view, std::string_view>;

// Schema name to index, built once: polls look up every sample's metric.
const std::unordered_map<std::string_view, std::size_t>& SchemaIndex() {
  static const auto* index = [] {
    auto* map = new std::unordered_map<std::string_view, std::size_t>();
    auto metrics = SchemaMetrics();
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      map->emplace(metrics[i].name, i);
    }
    return map;
  }();
  return *index;
}

// Schema indices in alphabetical order of the names, the exposition order.
const std::vector<std::size_t>& AlphabeticalOrder() {
  static const auto* order = [] {
    auto metrics = SchemaMetrics();
    auto* v = new std::vector<std::size_t>(metrics.size());
    std::iota(v->begin(), v->end(), 0);
    std::sort(v->begin(), v->end(), [&](std::size_t a, std::size_t b) {
      return metrics[a].name < metrics[b].name;
    });
    return v;
  }();
  return *order;
}

// Merges the target's labels (sorted, taking precedence) with a sample's.
void MergeLabels(const Labels& target, const Labels& sample,
                 std::vector<LabelRef>& merged) {
  merged.clear();
  for (const auto& [name, value] : target)
    merged.emplace_back(name, value);
  for (const auto& [name, value] : sample) {
    bool taken = std::any_of(target.begin(), target.end(),
                             [&](const auto& l) { return l.first == name; });
    if (!taken)
      merged.emplace_back(name, value);
  }
  std::sort(
      merged.begin(), merged.end(),
      [](const LabelRef& a, const LabelRef& b) { return a.first < b.first; });
}

void AppendSeries(std::string_view name, const std::vector<LabelRef>& labels,
                  double value, std::string& out) {
  out.append(name);
  if (!labels.empty()) {
    out.push_back('{');
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i)
        out.push_back(',');
      out.append(labels[i].first);
      out.append("=\"");
      AppendEscapedLabelValue(labels[i].second, out);
      out.push_back('"');
    }
    out.push_back('}');
  }
  out.push_back(' ');
  AppendValue(value, out);
  out.push_back('\n');
}

}  // namespace

void AppendEscapedLabelValue(std::string_view value, std::string& out) {
  if (value.find_first_of("\\\"\n") == std::string_view::npos) {
    out.append(value);
    return;
  }
  for (char c : value) {
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '"':
        out.append("\\\"");
        break;
      case '\n':
        out.append("\\n");
        break;
      default:
        out.push_back(c);
    }
  }
}

void AppendEscapedHelp(std::string_view help, std::string& out) {
  for (char c : help) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

void AppendValue(double value, std::string& out) {
  if (std::isnan(value)) {
    out.append("NaN");
  } else if (std::isinf(value)) {
    out.append(value > 0 ? "+Inf" : "-Inf");
  } else {
    fmt::format_to(std::back_inserter(out), "{}", value);
  }
}

std::shared_ptr<const DeviceSnapshot> DeviceSnapshot::Build(
    std::span<const Sample> samples, const Labels& target_labels) {
  auto snapshot = std::make_shared<DeviceSnapshot>();
  const auto& index = SchemaIndex();

  // Order the samples by family, keeping each family's own order.
  std::vector<std::pair<std::size_t, const Sample*>> order;
  order.reserve(samples.size());
  for (const Sample& sample : samples) {
    auto it = index.find(sample.name);
    if (it == index.end()) {
      ++snapshot->dropped_;
      continue;
    }
    order.emplace_back(it->second, &sample);
  }
  std::stable_sort(
      order.begin(), order.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });

  // One text block per family.
  std::vector<LabelRef> merged;
  for (const auto& [schema_index, sample] : order) {
    if (snapshot->families_.empty() ||
        snapshot->families_.back().schema_index != schema_index) {
      snapshot->families_.push_back({schema_index, {}});
    }
    MergeLabels(target_labels, sample->labels, merged);
    AppendSeries(sample->name, merged, sample->value,
                 snapshot->families_.back().text);
    if (sample->name == "dc_device_info") {
      for (const auto& [name, value] : sample->labels) {
        if (name == "profile")
          snapshot->resolved_profile_ = value;
      }
    }
  }
  for (auto& family : snapshot->families_) {
    family.text.shrink_to_fit();
    snapshot->bytes_ += family.text.size();
  }
  snapshot->series_ = order.size();
  return snapshot;
}

void AppendDeviceSeries(std::span<const DeviceSnapshot* const> snapshots,
                        std::string& out) {
  auto metrics = SchemaMetrics();

  // Gather each family's blocks across targets, and the size to reserve.
  std::vector<std::vector<const std::string*>> blocks(metrics.size());
  std::size_t bytes = 0;
  for (const DeviceSnapshot* snapshot : snapshots) {
    for (const auto& family : snapshot->families()) {
      blocks[family.schema_index].push_back(&family.text);
    }
    bytes += snapshot->bytes();
  }
  out.reserve(out.size() + bytes + metrics.size() * 160);

  for (std::size_t i : AlphabeticalOrder()) {
    if (blocks[i].empty())
      continue;
    const MetricInfo& info = metrics[i];
    out.append("# HELP ");
    out.append(info.name);
    out.push_back(' ');
    AppendEscapedHelp(info.help, out);
    out.append("\n# TYPE ");
    out.append(info.name);
    out.append(info.type == MetricType::kCounter ? " counter\n" : " gauge\n");
    for (const std::string* text : blocks[i])
      out.append(*text);
  }
}

}  // namespace dc::agent
