#include "planner/measurements.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "planner/inventory_loader.h"

namespace dc::plan {
namespace {

constexpr double kBytesPerTb = 1e12;

std::optional<double> ParseTime(std::string_view text) {
  double seconds = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && end == text.data() + text.size()) {
    return seconds / 86400.0;
  }
  std::string_view date = text.substr(0, 10);
  auto day = ParseDate(date);
  if (!day || date.size() != 10)
    return std::nullopt;
  double fraction = 0;
  if (text.size() > 10) {
    int h = 0, m = 0, s = 0;
    if (text.size() < 19 || (text[10] != 'T' && text[10] != ' ') ||
        std::sscanf(std::string(text.substr(11, 8)).c_str(), "%d:%d:%d", &h, &m,
                    &s) != 3) {
      return std::nullopt;
    }
    fraction = (h * 3600 + m * 60 + s) / 86400.0;
  }
  return DayNumber(*day) + fraction;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Sum of several series sampled at possibly different instants: each
// series is reduced to daily means first, and a day counts only when
// every series has a value for it.
std::vector<Point> SumDaily(
    const std::map<std::string, std::vector<Point>>& series) {
  std::map<double, std::pair<double, std::size_t>> days;
  for (const auto& [id, points] : series) {
    for (const Point& p : ResampleDaily(points)) {
      auto& [sum, count] = days[p.day];
      sum += p.value, ++count;
    }
  }
  std::vector<Point> out;
  for (const auto& [day, sc] : days) {
    if (sc.second == series.size())
      out.push_back({day, sc.first});
  }
  return out;
}

// Mean over the last day of data, robust to a single odd sample.
double Recent(const std::vector<Point>& points) {
  double last = points.back().day, sum = 0;
  int n = 0;
  for (auto it = points.rbegin(); it != points.rend() && it->day > last - 1;
       ++it) {
    sum += it->value, ++n;
  }
  return sum / n;
}

}  // namespace

Measurements FromSeries(
    const Plan& plan,
    const std::map<std::string, std::vector<Point>>& feed_series,
    const std::map<std::string, std::vector<Point>>& storage_series_bytes) {
  Measurements m;
  double last = -1e18;
  std::map<std::string, std::vector<Point>> feeds;
  for (const auto& [id, points] : feed_series) {
    if (points.empty())
      continue;
    auto sorted = points;
    std::sort(sorted.begin(), sorted.end(),
              [](const Point& a, const Point& b) { return a.day < b.day; });
    m.feed_watts[id] = Recent(sorted);
    last = std::max(last, sorted.back().day);
    feeds[id] = std::move(sorted);
  }
  if (!feeds.empty())
    m.power_history = SumDaily(feeds);
  m.feed_history = std::move(feeds);
  for (const auto& [id, points] : storage_series_bytes) {
    if (points.empty())
      continue;
    auto sorted = points;
    std::sort(sorted.begin(), sorted.end(),
              [](const Point& a, const Point& b) { return a.day < b.day; });
    for (Point& p : sorted)
      p.value /= kBytesPerTb;
    m.storage_used_tb[id] = Recent(sorted);
    m.storage_history[id] = ResampleDaily(sorted);
    last = std::max(last, sorted.back().day);
  }
  if (last > -1e17) {
    m.as_of = Date{std::chrono::days{static_cast<long>(std::floor(last))}};
  }
  (void)plan;
  return m;
}

std::expected<Measurements, std::string> LoadCsvMeasurements(
    const Plan& plan, const std::vector<std::string>& paths) {
  std::set<std::string> feeds, pools;
  for (const Feed& f : plan.feeds)
    feeds.insert(f.id);
  for (const StoragePool& s : plan.storage)
    pools.insert(s.id);

  std::map<std::string, std::vector<Point>> feed_series, storage_series;
  for (const auto& path : paths) {
    std::ifstream in(path);
    if (!in)
      return std::unexpected(fmt::format("{}: cannot open", path));
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      std::string_view text = Trim(line);
      if (text.empty() || text.front() == '#')
        continue;
      auto c1 = text.find(','), c2 = text.find(',', c1 + 1);
      if (c1 == text.npos || c2 == text.npos) {
        return std::unexpected(
            fmt::format("{}:{}: expected \"time,id,value\"", path, number));
      }
      auto time = Trim(text.substr(0, c1));
      auto id = std::string(Trim(text.substr(c1 + 1, c2 - c1 - 1)));
      auto value_text = Trim(text.substr(c2 + 1));
      if (number == 1 && time == "time")
        continue;
      auto day = ParseTime(time);
      double value = 0;
      auto [end, ec] = std::from_chars(
          value_text.data(), value_text.data() + value_text.size(), value);
      if (!day) {
        return std::unexpected(
            fmt::format("{}:{}: '{}' is not Unix seconds or an ISO date", path,
                        number, time));
      }
      if (ec != std::errc() || end != value_text.data() + value_text.size() ||
          !std::isfinite(value)) {
        return std::unexpected(fmt::format("{}:{}: '{}' is not a number", path,
                                           number, value_text));
      }
      if (feeds.contains(id)) {
        feed_series[id].push_back({*day, value});
      } else if (pools.contains(id)) {
        storage_series[id].push_back({*day, value});
      } else {
        return std::unexpected(fmt::format(
            "{}:{}: '{}' is neither a feed nor a storage pool of the plan",
            path, number, id));
      }
    }
  }
  Measurements m = FromSeries(plan, feed_series, storage_series);
  m.origin = "csv " + (paths.empty() ? std::string() : paths.front());
  return m;
}

std::map<std::string, double> DeviceWatts(const Plan& plan,
                                          const Measurements& m) {
  std::map<std::string, double> out;
  std::map<std::string, double> measured;
  std::map<std::string, bool> complete;
  for (const Feed& f : plan.feeds) {
    auto it = m.feed_watts.find(f.id);
    if (!complete.contains(f.rack))
      complete[f.rack] = true;
    if (it == m.feed_watts.end()) {
      complete[f.rack] = false;
    } else {
      measured[f.rack] += it->second;
    }
  }
  std::map<std::string, double> budget;
  std::map<std::string, int> count;
  for (const Device& d : plan.devices) {
    budget[d.rack] += d.budget_w;
    ++count[d.rack];
  }
  for (const Device& d : plan.devices) {
    if (!complete[d.rack])
      continue;
    double share =
        budget[d.rack] > 0 ? d.budget_w / budget[d.rack] : 1.0 / count[d.rack];
    out[d.id] = measured[d.rack] * share;
  }
  for (const Rack& r : plan.racks) {
    if (complete[r.id] && count[r.id] == 0) {
      out[r.id + "/budget"] = measured[r.id];
    }
  }
  return out;
}

std::optional<double> RackMeasuredWatts(const Plan& plan, const Measurements& m,
                                        const std::string& rack) {
  double sum = 0;
  bool any = false;
  for (const Feed& f : plan.feeds) {
    if (f.rack != rack)
      continue;
    auto it = m.feed_watts.find(f.id);
    if (it == m.feed_watts.end())
      return std::nullopt;
    sum += it->second, any = true;
  }
  return any ? std::optional<double>(sum) : std::nullopt;
}

std::vector<Point> RackHistory(const Plan& plan, const Measurements& m,
                               const std::string& rack) {
  std::map<std::string, std::vector<Point>> series;
  for (const Feed& f : plan.feeds) {
    if (f.rack != rack)
      continue;
    auto it = m.feed_history.find(f.id);
    if (it == m.feed_history.end())
      return {};
    series[f.id] = it->second;
  }
  return series.empty() ? std::vector<Point>{} : SumDaily(series);
}

void ApplyStorage(Plan& plan, const Measurements& m) {
  for (StoragePool& s : plan.storage) {
    auto it = m.storage_used_tb.find(s.id);
    if (it != m.storage_used_tb.end())
      s.used_tb = it->second;
  }
}

}  // namespace dc::plan
