// dcplan: capacity, redundancy and growth planning for the data center.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "collectors/common/toml_reader.h"
#include "planner/analysis.h"
#include "planner/inventory_loader.h"
#include "planner/prometheus_client.h"
#include "planner/rules.h"

namespace {

using namespace dc::plan;

constexpr int kBadInput = 1;
constexpr int kNoMeasurements = 2;

std::optional<Plan> Load(const std::vector<std::string>& files) {
  auto plan = LoadPlan(files);
  if (!plan) {
    for (const auto& message : plan.error()) {
      fmt::print(stderr, "{}\n", message);
    }
    fmt::print(stderr, "dcplan: {} problem(s) in the plan\n",
               plan.error().size());
    return std::nullopt;
  }
  return std::move(*plan);
}

bool Write(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return true;
  }
  std::ofstream out(path);
  out << text;
  if (!out) {
    fmt::print(stderr, "dcplan: cannot write {}\n", path);
    return false;
  }
  return true;
}

std::chrono::seconds Duration(const std::string& text, const char* what) {
  auto d = dc::ParseDuration(text);
  if (!d)
    throw CLI::ValidationError(what, "\"" + text +
                                         "\" is not a duration "
                                         "such as 365d or 12h");
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

struct ReportOptions {
  std::vector<std::string> files;
  std::string prometheus;
  std::string history = "365d";
  std::string step = "1d";
  std::vector<std::string> csv;
  std::string format = "text";
  std::string output = "-";
  std::string html, json, csv_dir;
  std::string today;
};

int RunReport(const ReportOptions& o) {
  auto plan = Load(o.files);
  if (!plan)
    return kBadInput;

  Date today =
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  if (!o.today.empty()) {
    auto d = ParseDate(o.today);
    if (!d) {
      fmt::print(stderr, "dcplan: --today \"{}\" is not a date\n", o.today);
      return kBadInput;
    }
    today = *d;
  }

  // Loads: Prometheus or CSV when given, the inventory's budgets otherwise.
  Measurements m;
  if (!o.prometheus.empty()) {
    PrometheusClient client(o.prometheus);
    double end = std::chrono::duration<double>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    if (!o.today.empty())
      end = DayNumber(today) * 86400.0 + 86400.0;
    auto loaded = LoadPrometheusMeasurements(*plan, client, end,
                                             Duration(o.history, "--history"),
                                             Duration(o.step, "--step"));
    if (!loaded) {
      fmt::print(stderr, "dcplan: {}\n", loaded.error());
      return kNoMeasurements;
    }
    m = std::move(*loaded);
  } else if (!o.csv.empty()) {
    auto loaded = LoadCsvMeasurements(*plan, o.csv);
    if (!loaded) {
      fmt::print(stderr, "dcplan: {}\n", loaded.error());
      return kNoMeasurements;
    }
    m = std::move(*loaded);
  }

  Analysis a = Analyze(*plan, m, today);
  std::string main_output;
  if (o.format == "json") {
    main_output = JsonReport(a);
  } else if (o.format == "html") {
    main_output = HtmlReport(a);
  } else if (o.format == "csv") {
    main_output = CsvCapacity(a) + "\n" + CsvTimeline(a);
  } else {
    main_output = TextReport(a);
  }
  bool ok = Write(o.output, main_output);
  if (!o.html.empty())
    ok = Write(o.html, HtmlReport(a)) && ok;
  if (!o.json.empty())
    ok = Write(o.json, JsonReport(a)) && ok;
  if (!o.csv_dir.empty()) {
    std::filesystem::create_directories(o.csv_dir);
    ok = Write(o.csv_dir + "/capacity.csv", CsvCapacity(a)) && ok;
    ok = Write(o.csv_dir + "/timeline.csv", CsvTimeline(a)) && ok;
  }
  return ok ? 0 : kBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "dcplan: how much space, power, cooling, storage and network capacity "
      "is left, whether N+1/2N redundancy holds after any single failure, "
      "and when each resource runs out."};
  app.require_subcommand(1);

  ReportOptions report;
  CLI::App* r =
      app.add_subcommand("report",
                         "Capacity, redundancy, availability and growth to the "
                         "horizon, as text, JSON, CSV or HTML");
  r->add_option("plan", report.files,
                "Plan files (inventory, policies, scenario); later files add "
                "to earlier ones")
      ->required()
      ->check(CLI::ExistingFile);
  r->add_option("--prometheus", report.prometheus,
                "Read measured loads from this Prometheus "
                "(http://HOST:PORT); budgets otherwise");
  r->add_option("--history", report.history,
                "How far back to read measurements")
      ->capture_default_str();
  r->add_option("--step", report.step,
                "Sampling of the measured history (daily means by default)")
      ->capture_default_str();
  r->add_option("--csv", report.csv,
                "Read measured loads from CSV files (time,id,value)")
      ->check(CLI::ExistingFile);
  r->add_option("--format", report.format, "Output format on --output")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}))
      ->capture_default_str();
  r->add_option("-o,--output", report.output, "Output file, - for stdout")
      ->capture_default_str();
  r->add_option("--html", report.html, "Also write the HTML report here");
  r->add_option("--json", report.json, "Also write the JSON report here");
  r->add_option("--csv-dir", report.csv_dir,
                "Also write capacity.csv and timeline.csv into this folder");
  r->add_option("--today", report.today,
                "Date the plan starts when the scenario gives none "
                "(YYYY-MM-DD; default: today)");

  std::vector<std::string> check_files;
  CLI::App* c = app.add_subcommand(
      "check", "Validate plan files and print what they contain");
  c->add_option("plan", check_files, "Plan files")
      ->required()
      ->check(CLI::ExistingFile);

  std::vector<std::string> rule_files;
  std::string rules_output = "-";
  RulesOptions rules_options;
  CLI::App* ru = app.add_subcommand(
      "rules",
      "Compile the redundancy design into Prometheus recording and "
      "alerting rules");
  ru->add_option("plan", rule_files, "Plan files")
      ->required()
      ->check(CLI::ExistingFile);
  ru->add_option("-o,--output", rules_output, "Rule file, - for stdout")
      ->capture_default_str();
  ru->add_option("--for", rules_options.for_duration,
                 "How long a breach lasts before an alert fires")
      ->capture_default_str();
  ru->add_option("--exhaustion-days", rules_options.exhaustion_days,
                 "Look-ahead of the predicted-exhaustion alerts")
      ->capture_default_str();
  ru->add_option("--trend-window", rules_options.trend_window,
                 "History predict_linear fits")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  try {
    if (*r)
      return RunReport(report);
    if (*c) {
      auto plan = Load(check_files);
      if (!plan)
        return kBadInput;
      fmt::print(
          "{}: {} sources, {} switchgear, {} UPS, {} panels, {} feeds, "
          "{} cooling units, {} racks, {} devices, {} storage pools, "
          "{} projects: OK\n",
          plan->name, plan->sources.size(), plan->switchgear.size(),
          plan->ups.size(), plan->panels.size(), plan->feeds.size(),
          plan->cooling.size(), plan->racks.size(), plan->devices.size(),
          plan->storage.size(), plan->scenario.projects.size());
      return 0;
    }
    if (*ru) {
      auto plan = Load(rule_files);
      if (!plan)
        return kBadInput;
      return Write(rules_output, GenerateRules(*plan, rules_options))
                 ? 0
                 : kBadInput;
    }
  } catch (const CLI::Error& e) {
    return app.exit(e);
  }
  return 0;
}
