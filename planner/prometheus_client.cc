#include "planner/prometheus_client.h"

// Asio needs <utility> before its own headers with this toolchain.
#include <utility>

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace dc::plan {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

std::string FormEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace

std::string RegexQuote(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view(".+*?()|[]{}^$\\").find(c) != std::string_view::npos) {
      out += "\\\\";
    }
    if (c == '"')
      out += '\\';
    out += c;
  }
  return out;
}

PrometheusClient::PrometheusClient(std::string url,
                                   std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {
  std::string_view rest = url_;
  if (rest.starts_with("http://"))
    rest.remove_prefix(7);
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos)
    prefix_ = rest.substr(slash);
  while (!prefix_.empty() && prefix_.back() == '/')
    prefix_.pop_back();
  auto colon = authority.rfind(':');
  host_ = authority.substr(0, colon);
  port_ = colon == std::string_view::npos ? "80" : authority.substr(colon + 1);
}

std::expected<std::string, std::string> PrometheusClient::Post(
    std::string_view target, std::string body) const {
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout_);
    stream.connect(resolver.resolve(host_, port_));

    http::request<http::string_body> request{http::verb::post,
                                             prefix_ + std::string(target), 11};
    request.set(http::field::host, host_);
    request.set(http::field::user_agent, "dcplan");
    request.set(http::field::content_type, "application/x-www-form-urlencoded");
    request.body() = std::move(body);
    request.prepare_payload();
    http::write(stream, request);

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(512 * 1024 * 1024);
    http::read(stream, buffer, parser);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

    auto& response = parser.get();
    if (response.result() != http::status::ok) {
      return std::unexpected(fmt::format("HTTP {}: {}", response.result_int(),
                                         response.body().substr(0, 300)));
    }
    return std::move(response.body());
  } catch (const beast::system_error& e) {
    if (e.code() == beast::error::timeout) {
      return std::unexpected(
          fmt::format("timed out after {} ms", timeout_.count()));
    }
    return std::unexpected(e.code().message());
  }
}

std::expected<std::vector<RangeSeries>, std::string>
PrometheusClient::QueryRange(std::string_view query, double start, double end,
                             double step) const {
  std::string body = fmt::format("query={}&start={:.3f}&end={:.3f}&step={}",
                                 FormEncode(query), start, end, step);
  auto text = Post("/api/v1/query_range", std::move(body));
  auto fail = [&](std::string_view why) {
    return std::unexpected(
        fmt::format("prometheus {} query_range '{}': {}", url_, query, why));
  };
  if (!text)
    return fail(text.error());

  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    return fail("not JSON");
  if (json.value("status", "") != "success") {
    return fail(json.value("error", std::string("status is not success")));
  }
  const auto& data = json["data"];
  if (data.value("resultType", "") != "matrix")
    return fail("not a matrix");

  std::vector<RangeSeries> out;
  for (const auto& item : data["result"]) {
    RangeSeries series;
    for (const auto& [k, v] : item["metric"].items()) {
      series.labels[k] = v.get<std::string>();
    }
    for (const auto& pair : item["values"]) {
      double t = pair[0].get<double>();
      double v = std::stod(pair[1].get<std::string>());
      series.samples.emplace_back(t, v);
    }
    out.push_back(std::move(series));
  }
  return out;
}

namespace {

// "device=~\"a|b|c\"" for up to `chunk` names at a time, so queries stay
// well under request-size limits on large inventories.
std::vector<std::string> DeviceMatchers(const std::vector<std::string>& names,
                                        std::size_t chunk = 200) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < names.size(); i += chunk) {
    std::string alternatives;
    for (std::size_t j = i; j < std::min(names.size(), i + chunk); ++j) {
      alternatives += (j > i ? "|" : "") + RegexQuote(names[j]);
    }
    out.push_back(fmt::format("device=~\"{}\"", alternatives));
  }
  return out;
}

}  // namespace

std::expected<Measurements, std::string> LoadPrometheusMeasurements(
    const Plan& plan, const PrometheusClient& client, double end,
    std::chrono::seconds history, std::chrono::seconds step) {
  double start = end - static_cast<double>(history.count());
  double step_s = static_cast<double>(step.count());
  auto to_points = [](const RangeSeries& s) {
    std::vector<Point> points;
    for (auto [t, v] : s.samples)
      points.push_back({t / 86400.0, v});
    return points;
  };

  // Rack feeds, by the device name of their rack PDU. Daisy-chained PDUs
  // report one series per unit (the `unit` label): the feed draws their
  // sum.
  std::map<std::string, std::string> feed_of_device;
  std::vector<std::string> names;
  for (const Feed& f : plan.feeds) {
    if (feed_of_device.emplace(f.device, f.id).second)
      names.push_back(f.device);
  }
  std::map<std::string, std::vector<Point>> feed_series;
  for (const auto& matcher : DeviceMatchers(names)) {
    auto result = client.QueryRange(
        fmt::format(
            "sum by (device) (avg_over_time(dc_pdu_input_watts{{{}}}[{}s]))",
            matcher, step.count()),
        start, end, step_s);
    if (!result)
      return std::unexpected(result.error());
    for (const RangeSeries& s : *result) {
      auto it = s.labels.find("device");
      if (it == s.labels.end() || !feed_of_device.contains(it->second))
        continue;
      auto& points = feed_series[feed_of_device[it->second]];
      for (const Point& p : to_points(s))
        points.push_back(p);
    }
  }

  // Storage pools, by array device name and pool label.
  std::map<std::pair<std::string, std::string>, std::string> pool_of;
  std::vector<std::string> arrays;
  for (const StoragePool& p : plan.storage) {
    if (p.device.empty())
      continue;
    pool_of[{p.device, p.pool}] = p.id;
    arrays.push_back(p.device);
  }
  std::map<std::string, std::vector<Point>> storage_series;
  for (const auto& matcher : DeviceMatchers(arrays)) {
    auto result = client.QueryRange(
        fmt::format("sum by (device, pool) "
                    "(avg_over_time(dc_storage_used_bytes{{{}}}[{}s]))",
                    matcher, step.count()),
        start, end, step_s);
    if (!result)
      return std::unexpected(result.error());
    for (const RangeSeries& s : *result) {
      auto d = s.labels.find("device"), p = s.labels.find("pool");
      if (d == s.labels.end() || p == s.labels.end())
        continue;
      auto it = pool_of.find({d->second, p->second});
      if (it == pool_of.end())
        continue;
      auto& points = storage_series[it->second];
      for (const Point& point : to_points(s))
        points.push_back(point);
    }
  }

  Measurements m = FromSeries(plan, feed_series, storage_series);
  m.origin = "prometheus " + client.url();
  return m;
}

}  // namespace dc::plan
