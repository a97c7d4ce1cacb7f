// A small client for Prometheus's HTTP API (range queries only), over
// Boost.Beast, synchronous, one connection per query, each with a
// deadline. Errors come back as values naming the server and the query.
#pragma once

#include <chrono>
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "planner/measurements.h"

namespace dc::plan {

struct RangeSeries {
  std::map<std::string, std::string> labels;
  std::vector<std::pair<double, double>> samples;  // Unix seconds, value
};

class PrometheusClient {
 public:
  // `url` is "http://HOST:PORT" with an optional path prefix.
  explicit PrometheusClient(std::string url, std::chrono::milliseconds timeout =
                                                 std::chrono::seconds(30));

  // POST /api/v1/query_range; times in Unix seconds.
  std::expected<std::vector<RangeSeries>, std::string> QueryRange(
      std::string_view query, double start, double end, double step) const;

  const std::string& url() const { return url_; }

 private:
  std::expected<std::string, std::string> Post(std::string_view target,
                                               std::string body) const;

  std::string url_;
  std::string host_, port_, prefix_;
  std::chrono::milliseconds timeout_;
};

// Reads, for the plan's rack feeds and storage pools, the daily means of
// dc_pdu_input_watts and dc_storage_used_bytes over `history` up to
// `end` (Unix seconds), matching the label `device` to each feed's and
// pool's monitored device name (and `pool` to the pool's), summed over
// any other label (the units of daisy-chained PDUs). `step` is the
// sampling of the history and the window of each mean.
std::expected<Measurements, std::string> LoadPrometheusMeasurements(
    const Plan& plan, const PrometheusClient& client, double end,
    std::chrono::seconds history, std::chrono::seconds step);

// Escapes regular-expression characters for a PromQL =~ matcher.
std::string RegexQuote(std::string_view text);

}  // namespace dc::plan
