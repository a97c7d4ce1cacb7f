// The query_range client and the measurement loader against a real
// Prometheus: synthetic history with a known trend is backfilled with
// promtool, then Prometheus is started on a free loopback port.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "planner/prometheus_client.h"
#include "tests/planner/test_support.h"

extern char** environ;

namespace dc::plan {
namespace {

// Backfilled blocks span two hours each, so a few days keep promtool quick.
constexpr int kDays = 4;

// Feed a: 4000 W + 1 W per hour; feed b: 3000 W + 1 W per hour; the pool
// holds 100 TB + 0.5 TB a day. Hourly samples over whole UTC days, ending
// at the start of yesterday.
double FeedA(double hours) {
  return 4000 + hours;
}
double FeedB(double hours) {
  return 3000 + hours;
}
double PoolBytes(double hours) {
  return 100e12 + 0.5e12 * hours / 24;
}

std::string Inventory() {
  return testing::SmallSite() + R"(
[growth]
power = { method = "linear" }
storage = { method = "linear" }
[[rack]]
id = "r1"
room = "room"
zone = "z"
max_kw = 20
budget_kw = 1
[[feed]]
id = "r1-a"
rack = "r1"
panel = "pa"
breaker_amps = 32
device = "pdu.r1-a"
[[feed]]
id = "r1-b"
rack = "r1"
panel = "pb"
breaker_amps = 32
device = "pdu.r1-b"
[[storage]]
id = "lake"
usable_tb = 500
device = "array-1"
pool = "p0"
)";
}

class RealPrometheus : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::OnPath("prometheus") || !testing::OnPath("promtool")) {
      GTEST_SKIP() << "prometheus or promtool not installed";
    }
    end_ = std::floor(std::chrono::duration<double>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count() /
                      86400) *
               86400 -
           86400;
    start_ = end_ - kDays * 86400.0;
    Backfill();
    Start();
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }

  void Backfill() {
    std::ofstream om(dir_.File("history.om"));
    om << "# TYPE dc_pdu_input_watts gauge\n";
    for (auto [device, f] :
         {std::pair{"pdu.r1-a", &FeedA}, std::pair{"pdu.r1-b", &FeedB}}) {
      for (double t = start_; t <= end_; t += 3600) {
        om << fmt::format("dc_pdu_input_watts{{device=\"{}\"}} {} {:.0f}\n",
                          device, f((t - start_) / 3600), t);
      }
    }
    om << "# TYPE dc_storage_used_bytes gauge\n";
    for (double t = start_; t <= end_; t += 3600) {
      om << fmt::format(
          "dc_storage_used_bytes{{device=\"array-1\",pool=\"p0\"}} {:.0f} "
          "{:.0f}\n",
          PoolBytes((t - start_) / 3600), t);
    }
    om << "# EOF\n";
    om.close();
    auto r = testing::RunCommand(
        "promtool tsdb create-blocks-from openmetrics "
        "--max-block-duration=2000h " +
        dir_.File("history.om") + " " + dir_.File("data"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  void Start() {
    dir_.Write("prometheus.yml", "global:\n  scrape_interval: 1h\n");
    int port = testing::FreePort();
    url_ = fmt::format("http://127.0.0.1:{}", port);
    std::vector<std::string> args = {
        "prometheus",
        "--config.file=" + dir_.File("prometheus.yml"),
        "--storage.tsdb.path=" + dir_.File("data"),
        "--storage.tsdb.retention.time=10y",
        fmt::format("--web.listen-address=127.0.0.1:{}", port),
        "--log.level=warn"};
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, dir_.File("prom.log").c_str(),
                                     O_WRONLY | O_CREAT, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    ASSERT_EQ(posix_spawnp(&pid_, "prometheus", &actions, nullptr, argv.data(),
                           environ),
              0);
    posix_spawn_file_actions_destroy(&actions);

    // Ready once a trivial query answers.
    PrometheusClient probe(url_, std::chrono::seconds(2));
    for (int i = 0; i < 150; ++i) {
      if (probe.QueryRange("vector(1)", end_ - 60, end_, 60))
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    FAIL() << "prometheus did not start:\n"
           << testing::ReadFile(dir_.File("prom.log"));
  }

  testing::ScratchDir dir_;
  pid_t pid_ = -1;
  std::string url_;
  double start_ = 0, end_ = 0;
};

TEST_F(RealPrometheus, QueryRangeReturnsTheBackfilledSeries) {
  PrometheusClient client(url_);
  auto result = client.QueryRange(
      "dc_pdu_input_watts{device=~\"pdu\\\\.r1-a|pdu\\\\.r1-b\"}",
      end_ - 10 * 3600, end_, 3600);
  ASSERT_TRUE(result) << result.error();
  ASSERT_EQ(result->size(), 2u);
  for (const RangeSeries& s : *result) {
    auto f = s.labels.at("device") == "pdu.r1-a" ? &FeedA : &FeedB;
    ASSERT_EQ(s.samples.size(), 11u);
    for (auto [t, v] : s.samples) {
      EXPECT_NEAR(v, f((t - start_) / 3600), 1e-6);
    }
  }
}

TEST_F(RealPrometheus, ErrorsNameTheQueryAndTheCause) {
  PrometheusClient client(url_);
  auto bad = client.QueryRange("sum(", end_ - 3600, end_, 60);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("query_range 'sum('"), std::string::npos)
      << bad.error();
  PrometheusClient closed(
      fmt::format("http://127.0.0.1:{}", testing::FreePort()));
  auto refused = closed.QueryRange("vector(1)", end_ - 60, end_, 60);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("refused"), std::string::npos)
      << refused.error();
}

TEST_F(RealPrometheus, LoaderRecoversPresentLoadsAndTrends) {
  Plan plan = testing::MustParse(Inventory());
  PrometheusClient client(url_);
  // Two-hour means, the last one two hours before the data ends, so that
  // every day read is a whole day.
  double query_end = end_ - 7200;
  auto m = LoadPrometheusMeasurements(plan, client, query_end,
                                      std::chrono::hours(24 * kDays),
                                      std::chrono::hours(2));
  ASSERT_TRUE(m) << m.error();

  // The present value is the mean of the last day's twelve two-hour means;
  // a range selector includes both ends, so each averages the samples at
  // t-2h, t-1h and t, centred on t-1h: overall hour H-12.
  double last_hour = (query_end - start_) / 3600;
  EXPECT_NEAR(m->feed_watts["r1-a"], FeedA(last_hour - 12), 0.01);
  EXPECT_NEAR(m->feed_watts["r1-b"], FeedB(last_hour - 12), 0.01);

  // Total power rises 2 W an hour: 48 W a day.
  Forecast f = FitLinear(m->power_history);
  EXPECT_NEAR(f.slope, 48, 1.5);
  ASSERT_TRUE(m->storage_history.contains("lake"));
  Forecast s = FitLinear(m->storage_history["lake"]);
  EXPECT_NEAR(s.slope, 0.5, 0.02);  // TB a day
  EXPECT_NEAR(m->storage_used_tb["lake"], PoolBytes(last_hour - 12) / 1e12,
              0.001);
}

TEST_F(RealPrometheus, CommandLineReportReadsPrometheus) {
  testing::ScratchDir plan_dir;
  plan_dir.Write("plan.toml", Inventory());
  auto r = testing::RunCommand(std::string(DCPLAN_BINARY) + " report " +
                               plan_dir.File("plan.toml") + " --prometheus " +
                               url_ + " --history 5d --step 2h --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"loads\": \"prometheus " + url_ + "\""),
            std::string::npos)
      << r.output.substr(0, 500);
  EXPECT_NE(r.output.find("\"slope_w_per_day\""), std::string::npos);
}

}  // namespace
}  // namespace dc::plan
