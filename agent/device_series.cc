#include "agent/device_series.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
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

// Buffers Build() reuses from poll to poll, so a poll's rendering
// allocates only the snapshot itself.
// A target label as it appears in every line: name="escaped value".
struct RenderedLabel {
  std::string_view name;
  std::string text;
};

struct BuildScratch {
  std::vector<RenderedLabel> target;
  std::vector<std::pair<std::size_t, const Sample*>> order;
  std::vector<LabelRef> extra;
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> family_ends;
};

// The sample's labels that the target's do not override, sorted by name.
// Samples carry a few labels at most: an insertion sort.
void SampleOnlyLabels(const Labels& target, const Labels& sample,
                      std::vector<LabelRef>& extra) {
  extra.clear();
  for (const auto& [name, value] : sample) {
    bool taken = std::any_of(target.begin(), target.end(),
                             [&](const auto& l) { return l.first == name; });
    if (taken)
      continue;
    LabelRef label(name, value);
    auto at = extra.end();
    while (at != extra.begin() && label.first < (at - 1)->first)
      --at;
    extra.insert(at, label);
  }
}

void AppendLabel(std::string_view name, std::string_view value, bool first,
                 std::string& out) {
  if (!first)
    out.push_back(',');
  out.append(name);
  out.append("=\"");
  AppendEscapedLabelValue(value, out);
  out.push_back('"');
}

// One series line; the target's labels (sorted) and the sample's own
// (sorted, none of the target's names) are merged by name.
void AppendSeries(std::string_view name,
                  const std::vector<RenderedLabel>& target,
                  const std::vector<LabelRef>& extra, double value,
                  std::string& out) {
  out.append(name);
  if (!target.empty() || !extra.empty()) {
    out.push_back('{');
    auto t = target.begin();
    auto e = extra.begin();
    bool first = true;
    while (t != target.end() || e != extra.end()) {
      if (e == extra.end() || (t != target.end() && t->name < e->first)) {
        if (!first)
          out.push_back(',');
        out.append(t->text);
        ++t;
      } else {
        AppendLabel(e->first, e->second, first, out);
        ++e;
      }
      first = false;
    }
    out.push_back('}');
  }
  out.push_back(' ');
  AppendValue(value, out);
  out.push_back('\n');
}

}  // namespace

void AppendEscapedLabelValue(std::string_view value, std::string& out) {
  // One pass over the value; string_view::find_first_of would call
  // memchr on the set for every character.
  bool plain = std::none_of(value.begin(), value.end(), [](char c) {
    return c == '\\' || c == '"' || c == '\n';
  });
  if (plain) {
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
    return;
  }
  if (std::isinf(value)) {
    out.append(value > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buffer[32];
  char* end;
  // Most readings are whole numbers (counts, watts, states). Below 1e15
  // fmt's shortest form of a whole double is its integer digits, so the
  // integer conversion writes the same text faster; -0 keeps its sign
  // through fmt.
  if (std::fabs(value) < 1e15 && value == std::trunc(value) &&
      !(value == 0 && std::signbit(value))) {
    end = std::to_chars(buffer, buffer + sizeof(buffer),
                        static_cast<std::int64_t>(value))
              .ptr;
  } else {
    end = fmt::format_to(buffer, "{}", value);
  }
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

std::shared_ptr<const DeviceSnapshot> DeviceSnapshot::Build(
    std::span<const Sample> samples, const Labels& target_labels) {
  static const std::size_t kInfoIndex = SchemaIndex().at("dc_device_info");
  thread_local BuildScratch scratch;
  auto snapshot = std::make_shared<DeviceSnapshot>();
  const auto& index = SchemaIndex();

  // Order the samples by family, keeping each family's own order.
  auto& order = scratch.order;
  order.clear();
  // Samples of one metric come together (the states of an enumeration,
  // the rows of a table): the name is hashed once per run of them.
  const Sample* previous = nullptr;
  std::size_t previous_index = 0;
  for (const Sample& sample : samples) {
    if (!previous || sample.name != previous->name) {
      auto it = index.find(sample.name);
      if (it == index.end()) {
        ++snapshot->dropped_;
        continue;
      }
      previous = &sample;
      previous_index = it->second;
    }
    order.emplace_back(previous_index, &sample);
  }
  std::stable_sort(
      order.begin(), order.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });

  // The target's labels are the same in every line: escaped once.
  scratch.target.resize(target_labels.size());
  for (std::size_t i = 0; i < target_labels.size(); ++i) {
    RenderedLabel& label = scratch.target[i];
    label.name = target_labels[i].first;
    label.text.clear();
    AppendLabel(target_labels[i].first, target_labels[i].second, true,
                label.text);
  }

  // All lines into one reused buffer, noting where each family ends.
  std::string& text = scratch.text;
  text.clear();
  scratch.family_ends.clear();
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& [schema_index, sample] = order[i];
    SampleOnlyLabels(target_labels, sample->labels, scratch.extra);
    AppendSeries(sample->name, scratch.target, scratch.extra, sample->value,
                 text);
    if (i + 1 == order.size() || order[i + 1].first != schema_index)
      scratch.family_ends.emplace_back(schema_index, text.size());
    if (schema_index == kInfoIndex) {
      for (const auto& [name, value] : sample->labels) {
        if (name == "profile")
          snapshot->resolved_profile_ = value;
      }
    }
  }

  snapshot->text_.assign(text);
  std::string_view all = snapshot->text_;
  snapshot->families_.reserve(scratch.family_ends.size());
  std::size_t begin = 0;
  for (const auto& [schema_index, end] : scratch.family_ends) {
    snapshot->families_.push_back(
        {schema_index, all.substr(begin, end - begin)});
    begin = end;
  }
  snapshot->series_ = order.size();
  return snapshot;
}

void AppendFamilyHeader(std::string_view name, std::string_view help,
                        std::string_view type, std::string& out) {
  out.append("# HELP ");
  out.append(name);
  out.push_back(' ');
  AppendEscapedHelp(help, out);
  out.append("\n# TYPE ");
  out.append(name);
  out.push_back(' ');
  out.append(type);
  out.push_back('\n');
}

void AppendFamilyHeader(const MetricInfo& info, std::string& out) {
  AppendFamilyHeader(info.name, info.help,
                     info.type == MetricType::kCounter ? "counter" : "gauge",
                     out);
}

std::size_t FamilyHeadersBound() {
  static const std::size_t bound = [] {
    std::size_t bytes = 0;
    // Escaping at most doubles the help text.
    for (const MetricInfo& info : SchemaMetrics())
      bytes += 2 * info.name.size() + 2 * info.help.size() + 32;
    return bytes;
  }();
  return bound;
}

void VisitDeviceSeries(std::span<const DeviceSnapshot* const> snapshots,
                       const std::function<void(const MetricInfo&)>& header,
                       const std::function<void(std::string_view)>& block) {
  auto metrics = SchemaMetrics();

  // Each family's blocks across targets, in one flat array: counted
  // first, then filled family by family.
  std::vector<std::size_t> start(metrics.size() + 1, 0);
  for (const DeviceSnapshot* snapshot : snapshots) {
    for (const auto& family : snapshot->families())
      ++start[family.schema_index + 1];
  }
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::string_view> blocks(start.back());
  std::vector<std::size_t> fill(start.begin(), start.end() - 1);
  for (const DeviceSnapshot* snapshot : snapshots) {
    for (const auto& family : snapshot->families())
      blocks[fill[family.schema_index]++] = family.text;
  }

  for (std::size_t i : AlphabeticalOrder()) {
    if (start[i] == start[i + 1])
      continue;
    header(metrics[i]);
    for (std::size_t b = start[i]; b < start[i + 1]; ++b)
      block(blocks[b]);
  }
}

void AppendDeviceSeries(std::span<const DeviceSnapshot* const> snapshots,
                        std::string& out) {
  std::size_t bytes = 0;
  for (const DeviceSnapshot* snapshot : snapshots)
    bytes += snapshot->bytes();
  out.reserve(out.size() + bytes + FamilyHeadersBound());
  VisitDeviceSeries(
      snapshots, [&](const MetricInfo& info) { AppendFamilyHeader(info, out); },
      [&](std::string_view text) { out.append(text); });
}

}  // namespace dc::agent
