#include "planner/svg_chart.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace dc::plan {
namespace {

constexpr double kWidth = 720, kHeight = 260;
constexpr double kLeft = 64, kRight = 16, kTop = 28, kBottom = 36;

// A round step for the value axis: 1, 2 or 5 times a power of ten.
double NiceStep(double range) {
  double raw = range / 5;
  double power = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw)
      return m * power;
  }
  return 10 * power;
}

}  // namespace

std::string TimelineChart(const ResourceTimeline& s) {
  if (s.points.empty())
    return "";
  double d0 = DayNumber(s.points.front().date);
  double d1 = std::max(DayNumber(s.points.back().date), d0 + 1);
  double top = 0;
  for (const auto& p : s.points) {
    top = std::max({top, p.capacity, p.load_p50, p.load_p90});
  }
  if (top <= 0)
    top = 1;
  double step = NiceStep(top * 1.1);
  top = std::ceil(top * 1.1 / step) * step;

  auto x = [&](Date d) {
    return kLeft + (DayNumber(d) - d0) / (d1 - d0) * (kWidth - kLeft - kRight);
  };
  auto y = [&](double v) {
    return kTop + (1 - v / top) * (kHeight - kTop - kBottom);
  };
  auto path = [&](auto value, bool stepped) {
    std::string d;
    double last_y = 0;
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      double px = x(s.points[i].date), py = y(value(s.points[i]));
      if (i == 0) {
        d += fmt::format("M{:.1f},{:.1f}", px, py);
      } else if (stepped) {
        d += fmt::format(" H{:.1f} V{:.1f}", px, py);
      } else {
        d += fmt::format(" L{:.1f},{:.1f}", px, py);
      }
      last_y = py;
    }
    (void)last_y;
    return d;
  };

  std::string title =
      fmt::format("{} - {} {} ({})", s.resource, s.scope_kind, s.scope, s.unit);
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
      "role=\"img\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\">"
      "<title>{2}</title>\n"
      "<text x=\"{3}\" y=\"18\" class=\"ct\">{2}</text>\n",
      kWidth, kHeight, HtmlEscape(title), kLeft);

  // Grid and value axis.
  for (double v = 0; v <= top + step / 2; v += step) {
    out += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" "
        "class=\"grid\"/><text x=\"{3}\" y=\"{4:.1f}\" class=\"ax\" "
        "text-anchor=\"end\">{5:g}</text>\n",
        kLeft, kWidth - kRight, y(v), kLeft - 6, y(v) + 4, v);
  }
  // Years along the time axis.
  for (const auto& p : s.points) {
    std::chrono::year_month_day ymd{p.date};
    if (ymd.month() != std::chrono::January || ymd.day() != std::chrono::day{1})
      continue;
    out += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" "
        "class=\"grid\"/><text x=\"{0:.1f}\" y=\"{3}\" class=\"ax\" "
        "text-anchor=\"middle\">{4}</text>\n",
        x(p.date), kTop, kHeight - kBottom, kHeight - kBottom + 16,
        int(ymd.year()));
  }

  out += fmt::format(
      "<path d=\"{}\" class=\"cap\"/>\n",
      path([](const TimelinePoint& p) { return p.capacity; }, true));
  out += fmt::format(
      "<path d=\"{}\" class=\"p90\"/>\n",
      path([](const TimelinePoint& p) { return p.load_p90; }, false));
  out += fmt::format(
      "<path d=\"{}\" class=\"p50\"/>\n",
      path([](const TimelinePoint& p) { return p.load_p50; }, false));

  // Exhaustion markers.
  auto mark = [&](const std::optional<Date>& d, std::string_view label,
                  std::string_view cls, double dy) {
    if (!d)
      return;
    out += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" "
        "class=\"{3}\"/><text x=\"{4:.1f}\" y=\"{5:.1f}\" class=\"mk\">{6} "
        "{7}</text>\n",
        x(*d), kTop, kHeight - kBottom, cls, x(*d) + 4, kTop + 12 + dy, label,
        FormatDate(*d));
  };
  mark(s.exhaustion_p90, "P90 runs out", "ex90", 0);
  mark(s.exhaustion_p50, "P50 runs out", "ex50", 14);

  out += fmt::format(
      "<g class=\"legend\" transform=\"translate({},{})\">"
      "<line x1=\"0\" x2=\"18\" y1=\"0\" y2=\"0\" class=\"cap\"/>"
      "<text x=\"22\" y=\"4\" class=\"ax\">usable after one failure</text>"
      "<line x1=\"170\" x2=\"188\" y1=\"0\" y2=\"0\" class=\"p50\"/>"
      "<text x=\"192\" y=\"4\" class=\"ax\">load P50</text>"
      "<line x1=\"260\" x2=\"278\" y1=\"0\" y2=\"0\" class=\"p90\"/>"
      "<text x=\"282\" y=\"4\" class=\"ax\">load P90</text></g>\n",
      kWidth - 380, kHeight - 8);
  out += "</svg>\n";
  return out;
}

}  // namespace dc::plan
