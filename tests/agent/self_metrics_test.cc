// The per-target self-metrics, rendered from plain counters: which series
// exist when, their values, escaping, and removal with the target.
#include <gtest/gtest.h>

#include "agent/exposition.h"
#include "agent/self_metrics.h"
#include "tests/agent/fakes.h"

namespace dc::agent {
namespace {

using testing::SeriesValue;

std::size_t Count(const std::string& text, std::string_view what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

TEST(SelfMetricsTest, TargetSeriesFollowItsPollsAndLeaveWithIt) {
  SelfMetrics metrics("test");
  auto target = std::make_unique<TargetMetrics>(metrics, "ups-a");

  // Not polled yet: no up series, and no error series.
  std::string text = RenderExposition(metrics, {});
  EXPECT_FALSE(SeriesValue(text, "dcagent_target_up{device=\"ups-a\"}"));
  EXPECT_EQ(text.find("dcagent_poll_errors_total"), std::string::npos);
  EXPECT_EQ(SeriesValue(text,
                        "dcagent_polls_total{device=\"ups-a\","
                        "result=\"success\"}"),
            0);
  EXPECT_EQ(SeriesValue(text, "dcagent_polls_missed_total{device=\"ups-a\"}"),
            0);

  PollResult result;
  result.success = true;
  result.items_read = 38;
  result.errors[ErrorReason::kNoSuchObject] = 2;
  target->RecordPoll(result, "snmp", 0.25, 1700000000.5);
  result.success = false;
  result.items_read = 0;
  result.errors = {{ErrorReason::kTimeout, 1}};
  target->RecordPoll(result, "snmp", 3, 1700000010);
  target->RecordMissed();

  text = RenderExposition(metrics, {});
  EXPECT_EQ(SeriesValue(text, "dcagent_target_up{device=\"ups-a\"}"), 0);
  EXPECT_EQ(
      SeriesValue(text, "dcagent_poll_duration_seconds{device=\"ups-a\"}"), 3);
  EXPECT_EQ(SeriesValue(text,
                        "dcagent_last_success_timestamp_seconds{"
                        "device=\"ups-a\"}"),
            1700000000.5);
  EXPECT_EQ(SeriesValue(text, "dcagent_items_read_total{device=\"ups-a\"}"),
            38);
  EXPECT_EQ(SeriesValue(text,
                        "dcagent_polls_total{device=\"ups-a\","
                        "result=\"success\"}"),
            1);
  EXPECT_EQ(SeriesValue(text,
                        "dcagent_polls_total{device=\"ups-a\","
                        "result=\"failure\"}"),
            1);
  EXPECT_EQ(SeriesValue(text,
                        "dcagent_poll_errors_total{device=\"ups-a\","
                        "reason=\"no_such_object\"}"),
            2);
  EXPECT_EQ(SeriesValue(text,
                        "dcagent_poll_errors_total{device=\"ups-a\","
                        "reason=\"timeout\"}"),
            1);
  EXPECT_FALSE(SeriesValue(text,
                           "dcagent_poll_errors_total{device=\"ups-a\","
                           "reason=\"auth\"}"));
  EXPECT_EQ(SeriesValue(text, "dcagent_polls_missed_total{device=\"ups-a\"}"),
            1);
  EXPECT_EQ(SeriesValue(text,
                        "dcagent_poll_duration_seconds_hist_count{"
                        "protocol=\"snmp\"}"),
            2);
  // One header per family.
  EXPECT_EQ(Count(text, "# TYPE dcagent_poll_errors_total counter\n"), 1u);
  EXPECT_EQ(Count(text, "# TYPE dcagent_target_up gauge\n"), 1u);
  EXPECT_EQ(Count(text, "# HELP dcagent_polls_total "), 1u);

  target.reset();
  text = RenderExposition(metrics, {});
  EXPECT_EQ(text.find("ups-a"), std::string::npos);
  EXPECT_EQ(text.find("dcagent_target_up"), std::string::npos);
  EXPECT_NE(text.find("dcagent_build_info{version=\"test\"} 1"),
            std::string::npos);
}

TEST(SelfMetricsTest, TargetsInNameOrderWithTheirNamesEscaped) {
  SelfMetrics metrics("test");
  TargetMetrics b(metrics, "b");
  TargetMetrics quoted(metrics, "a \"x\" \\ y");
  PollResult ok;
  ok.success = true;
  b.RecordPoll(ok, "snmp", 0.1, 1);
  quoted.RecordPoll(ok, "modbus", 0.2, 2);

  std::string text = RenderExposition(metrics, {});
  std::size_t a_at =
      text.find("dcagent_target_up{device=\"a \\\"x\\\" \\\\ y\"} 1\n");
  std::size_t b_at = text.find("dcagent_target_up{device=\"b\"} 1\n");
  EXPECT_NE(a_at, std::string::npos) << text;
  EXPECT_NE(b_at, std::string::npos) << text;
  EXPECT_LT(a_at, b_at);
  EXPECT_LE(text.size(), metrics.TargetMetricsBytes() + 8192);
}

}  // namespace
}  // namespace dc::agent
