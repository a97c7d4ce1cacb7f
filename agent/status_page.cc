#include "agent/status_page.h"

#include <ctime>

#include <fmt/format.h>

namespace dc::agent {
namespace {

std::string FormatUnix(double unix_seconds) {
  if (unix_seconds <= 0)
    return "never";
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &tm);
  return text;
}

std::string FormatAge(double seconds) {
  if (seconds < 0)
    seconds = 0;
  if (seconds < 120)
    return fmt::format("{:.0f}s ago", seconds);
  if (seconds < 7200)
    return fmt::format("{:.0f}m ago", seconds / 60);
  return fmt::format("{:.1f}h ago", seconds / 3600);
}

}  // namespace

std::string RenderStatusPage(
    const StatusHeader& header,
    const std::vector<std::shared_ptr<const TargetView>>& views,
    double now_unix) {
  std::size_t up = 0, down = 0, pending = 0;
  for (const auto& view : views) {
    if (!view)
      continue;
    if (view->state == TargetState::kUp)
      ++up;
    if (view->state == TargetState::kDown)
      ++down;
    if (view->state == TargetState::kPending)
      ++pending;
  }

  std::string out;
  out.reserve(512 + views.size() * 400);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>dcagent</title><style>"
      "body{font-family:sans-serif;margin:1.5em}"
      "table{border-collapse:collapse}"
      "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
      ".up{color:#060}.down{color:#a00;font-weight:bold}.pending{color:#666}"
      "</style></head><body>\n";
  out += fmt::format("<h1>dcagent {}</h1>\n", HtmlEscape(header.version));
  out += fmt::format(
      "<p>Configuration <code>{}</code>; {} targets: {} up, {} down, {} "
      "not yet polled. <a href=\"/metrics\">Metrics</a></p>\n",
      HtmlEscape(header.config_path), views.size(), up, down, pending);
  if (!header.last_reload_ok) {
    out += fmt::format(
        "<p class=\"down\">The last reload was rejected; the previous "
        "configuration is still running.</p><pre>{}</pre>\n",
        HtmlEscape(header.last_reload_error));
  }

  out +=
      "<table><thead><tr><th>target</th><th>protocol</th><th>address</th>"
      "<th>profile</th><th>state</th><th>last success</th>"
      "<th>last poll (s)</th><th>series</th><th>last error</th></tr>"
      "</thead><tbody>\n";
  for (const auto& view : views) {
    if (!view)
      continue;
    const TargetInfo& info = *view->info;
    std::string profile = HtmlEscape(info.profile);
    if (view->snapshot && !view->snapshot->resolved_profile().empty() &&
        view->snapshot->resolved_profile() != info.profile) {
      profile += " &rarr; " + HtmlEscape(view->snapshot->resolved_profile());
    }
    std::string success = "never";
    if (view->last_success_unix > 0) {
      success = fmt::format("{} ({})", FormatUnix(view->last_success_unix),
                            FormatAge(now_unix - view->last_success_unix));
    }
    std::string_view state = ToString(view->state);
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td class=\"{}\">{}</td><td>{}</td><td>{:.3f}</td><td>{}</td>"
        "<td>{}</td></tr>\n",
        HtmlEscape(info.name), HtmlEscape(info.protocol),
        HtmlEscape(info.address), profile, state, state, success,
        view->last_duration_seconds,
        view->snapshot ? view->snapshot->series() : 0,
        HtmlEscape(view->last_error));
  }
  out += "</tbody></table>\n</body></html>\n";
  return out;
}

}  // namespace dc::agent
