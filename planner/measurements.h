// Measured loads, from Prometheus or CSV files, mapped onto the plan: the
// present draw of each rack feed (its rack PDU), the used capacity of each
// storage pool, and the history of both for the forecasts. Units are the
// schema's base units: watts and bytes.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "planner/forecast.h"
#include "planner/model.h"

namespace dc::plan {

struct Measurements {
  std::string origin;         // "budget", "prometheus http://...", "csv FILE"
  std::optional<Date> as_of;  // last day with data
  std::map<std::string, double> feed_watts;       // by feed id, now
  std::map<std::string, double> storage_used_tb;  // by pool id, now
  std::vector<Point> power_history;  // total W over the measured feeds
  // By feed, W, as measured (sorted by time).
  std::map<std::string, std::vector<Point>> feed_history;
  std::map<std::string, std::vector<Point>> storage_history;  // TB
};

// Reads "time,id,value" rows (a header line is allowed). `time` is Unix
// seconds or an ISO date ("2026-03-01" or "2026-03-01T12:00:00Z"); `id` is
// a feed id (value in W) or a storage pool id (value in bytes). Errors
// name the file and line.
std::expected<Measurements, std::string> LoadCsvMeasurements(
    const Plan& plan, const std::vector<std::string>& paths);

// Builds the present values and the histories from per-id series.
Measurements FromSeries(
    const Plan& plan,
    const std::map<std::string, std::vector<Point>>& feed_series,
    const std::map<std::string, std::vector<Point>>& storage_series_bytes);

// Device loads implied by the measurements: within a rack whose feeds are
// all measured, each device gets its budget's share of the measured draw.
std::map<std::string, double> DeviceWatts(const Plan& plan,
                                          const Measurements& m);

// The rack's present draw (the sum of its feeds) when every feed of the
// rack is measured.
std::optional<double> RackMeasuredWatts(const Plan& plan, const Measurements& m,
                                        const std::string& rack);

// Daily means of the rack's total draw, on the days every one of its
// feeds has data; empty unless every feed of the rack is measured.
std::vector<Point> RackHistory(const Plan& plan, const Measurements& m,
                               const std::string& rack);

// Pools' used capacity replaced by measured values where present.
void ApplyStorage(Plan& plan, const Measurements& m);

}  // namespace dc::plan
