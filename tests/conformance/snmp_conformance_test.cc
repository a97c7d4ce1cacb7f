// Polls every recorded walk of the corpus through the real SNMP collector
// and snmpsim, and compares what it reads with what LibreNMS read from the
// same walk. All polls share one snmpsim process and one io_context, run
// once for the whole suite.
#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>

#include "collectors/common/sample.h"
#include "collectors/common/target.h"
#include "collectors/snmp/snmp_protocol.h"
#include "tests/conformance/conformance_cases.h"
#include "tests/conformance/coverage_table.h"
#include "tests/conformance/librenms_expected.h"
#include "tests/conformance/sensor_matching.h"
#include "tests/conformance/snmpsim_agent.h"

namespace dc::conformance {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The share of LibreNMS readings the profiles must reproduce over the
// whole corpus, set a little below what a run through the collector
// reaches today (95.3 %, 796 of 835; a loaded machine can cost a few
// readings to timeouts), so a change that loses many readings fails.
// The readings no profile reproduces are explained in
// docs/snmp-profiles-notes.md.
constexpr double kMinimumCoverage = 0.94;

const fs::path kCorpus = fs::path(DC_SHARED_CORPUS) / "snmp";
const fs::path kProfiles = DC_PROFILE_DIR;
const fs::path kCoverageOut = DC_COVERAGE_OUT;
const fs::path kCommittedCoverage = DC_COMMITTED_COVERAGE;
const fs::path kSnmpsim = DC_SNMPSIM;

// How long one poll may take, how many run at once, and how long all of
// them together may take before the suite gives up on the rest.
constexpr std::chrono::seconds kPollDeadline = 60s;
constexpr int kConcurrentPolls = 1;
constexpr std::chrono::seconds kSuiteDeadline = 400s;

struct WalkResult {
  const WalkCase* walk_case = nullptr;
  std::optional<PollResult> poll;       // with the coverage profile
  std::optional<PollResult> auto_poll;  // with profile = "auto"
};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// sysObjectID.0 as recorded in the walk, without a leading dot.
std::string RecordedSysObjectId(const fs::path& walk) {
  std::ifstream in(walk);
  std::string line;
  const std::string key = "1.3.6.1.2.1.1.2.0|";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0)
      continue;
    std::string value = line.substr(line.find('|', key.size()) + 1);
    if (!value.empty() && value[0] == '.')
      value.erase(0, 1);
    return value;
  }
  return "";
}

// The poll's read errors by reason name, as the agent serves them.
std::map<std::string, std::uint64_t> ErrorsByReason(const PollResult& result) {
  std::map<std::string, std::uint64_t> errors;
  for (const auto& [reason, count] : result.errors) {
    if (count > 0)
      errors[std::string(ToString(reason))] += count;
  }
  return errors;
}

std::string ProfileOf(const PollResult& result) {
  for (const Sample& s : result.samples) {
    if (s.name != "dc_device_info")
      continue;
    for (const auto& [k, v] : s.labels) {
      if (k == "profile")
        return v;
    }
  }
  return "";
}

TargetConfig MakeTarget(const std::string& walk, const std::string& address,
                        const std::string& profile) {
  TargetConfig t;
  t.name = walk;
  t.protocol = "snmp";
  t.address = address;
  t.profile = profile;
  // snmpsim is one Python process answering every poll of the suite.
  t.interval = 180s;
  t.timeout = 180s;
  t.request_timeout = 10s;
  t.retries = 2;
  t.snmp_auth.name = "corpus";
  t.snmp_auth.version = SnmpAuth::Version::kV2c;
  t.snmp_auth.community = Secret(walk);
  return t;
}

class SnmpConformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::is_directory(kCorpus)) {
      skip_reason_ = "no corpus at " + kCorpus.string();
      return;
    }
    if (kSnmpsim.empty() || !fs::exists(kSnmpsim)) {
      skip_reason_ = "snmpsim (Debian package snmpsim) is not installed";
      return;
    }

    // DC_CONFORMANCE_ONLY=NAME polls one walk, for working on a profile;
    // the coverage tests then only report.
    const char* only = std::getenv("DC_CONFORMANCE_ONLY");
    std::vector<const WalkCase*> cases;
    std::vector<fs::path> walks;
    for (const WalkCase& c : kWalkCases) {
      if (only && c.walk != only)
        continue;
      cases.push_back(&c);
      walks.push_back(kCorpus / (std::string(c.walk) + ".snmprec"));
    }
    partial_run_ = only != nullptr;
    auto agent = SnmpsimAgent::Start(kSnmpsim, walks, 120s);
    if (!agent) {
      setup_error_ = agent.error();
      return;
    }

    boost::asio::io_context io;
    auto protocol = snmp::MakeSnmpProtocol(io);
    load_errors_ = protocol->LoadProfiles({kProfiles});

    // One poll at a time: snmpsim is one Python process, and concurrent
    // polls only turn into timeouts and retries.
    struct Job {
      TargetConfig target;
      std::optional<PollResult>* into;
    };
    std::vector<Job> jobs;
    results_ = std::vector<WalkResult>(cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const WalkCase& c = *cases[i];
      results_[i].walk_case = &c;
      std::string walk(c.walk);
      bool named = c.profile != c.auto_profile;
      jobs.push_back({MakeTarget(walk, (*agent)->address(),
                                 named ? std::string(c.profile) : "auto"),
                      &results_[i].poll});
      if (named) {
        jobs.push_back({MakeTarget(walk, (*agent)->address(), "auto"),
                        &results_[i].auto_poll});
      }
    }

    std::vector<std::unique_ptr<Collector>> collectors;
    std::size_t next = 0;
    std::size_t finished = 0;
    std::function<void()> start_next = [&] {
      if (next == jobs.size())
        return;
      Job& job = jobs[next++];
      auto problems = protocol->CheckTarget(job.target);
      if (!problems.empty()) {
        PollResult failed;
        failed.error = "CheckTarget: " + problems.front().message;
        *job.into = failed;
        ++finished;
        start_next();
        return;
      }
      collectors.push_back(protocol->MakeCollector(job.target));
      auto deadline = std::chrono::steady_clock::now() + kPollDeadline;
      collectors.back()->Poll(deadline, [&, into = job.into](PollResult r) {
        *into = std::move(r);
        // The collectors keep their sessions open, so the io_context
        // never runs dry: stop it when the last poll has answered.
        if (++finished == jobs.size())
          io.stop();
        start_next();
      });
    };
    for (int i = 0; i < kConcurrentPolls; ++i)
      start_next();
    // A collector that overruns its deadline is reported by the tests as
    // a walk without a result rather than left to hang the suite.
    if (finished < jobs.size())
      io.run_for(kSuiteDeadline);
    collectors.clear();
    io.restart();
    io.poll();
  }

  static void TearDownTestSuite() { results_.clear(); }

  void SetUp() override {
    if (!skip_reason_.empty())
      GTEST_SKIP() << skip_reason_;
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
  }

  static std::string skip_reason_;
  static std::string setup_error_;
  static bool partial_run_;
  static std::vector<std::string> load_errors_;
  static std::vector<WalkResult> results_;
};

std::string SnmpConformance::skip_reason_;
std::string SnmpConformance::setup_error_;
bool SnmpConformance::partial_run_ = false;
std::vector<std::string> SnmpConformance::load_errors_;
std::vector<WalkResult> SnmpConformance::results_;

TEST_F(SnmpConformance, ProfilesLoadWithoutErrors) {
  std::string all;
  for (const std::string& e : load_errors_)
    all += e + "\n";
  EXPECT_TRUE(load_errors_.empty()) << all;
}

TEST_F(SnmpConformance, EveryWalkOfTheCorpusHasACase) {
  if (partial_run_)
    GTEST_SKIP() << "DC_CONFORMANCE_ONLY is set";
  std::map<std::string, bool> known;
  for (const WalkCase& c : kWalkCases)
    known[std::string(c.walk)] = true;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (entry.path().extension() != ".snmprec")
      continue;
    std::string name = entry.path().stem().string();
    EXPECT_TRUE(known.contains(name))
        << name << ".snmprec has no entry in conformance_cases.h";
    EXPECT_TRUE(fs::exists(kCorpus / "expected" / (name + ".json")))
        << name << " has no expected/" << name << ".json";
  }
}

TEST_F(SnmpConformance, EveryPollSucceeds) {
  for (const WalkResult& r : results_) {
    ASSERT_TRUE(r.poll.has_value()) << r.walk_case->walk << ": no result";
    if (!r.walk_case->may_fail.empty())
      continue;
    EXPECT_TRUE(r.poll->success) << r.walk_case->walk << ": " << r.poll->error;
  }
}

// Every read error is served in dcagent_poll_errors_total, and the
// DevicePollErrors alert fires on one per poll: a healthy device must be
// read without any, or the alert fires for it forever. Timeouts are left
// out: they come from snmpsim on a busy machine, not from the profile.
// A walk may have an allowance of missing objects, for what its
// recording lacks (conformance_cases.h).
TEST_F(SnmpConformance, HealthyDevicesReadWithoutErrors) {
  for (const WalkResult& r : results_) {
    const WalkCase& c = *r.walk_case;
    ASSERT_TRUE(r.poll.has_value()) << c.walk << ": no result";
    EXPECT_TRUE(c.allowed_missing == 0 || !c.missing_why.empty())
        << c.walk << ": an allowance needs its reason";
    std::uint64_t missing = 0;
    std::uint64_t other = 0;
    for (const auto& [reason, count] : r.poll->errors) {
      if (reason == ErrorReason::kNoSuchObject)
        missing += count;
      else if (reason != ErrorReason::kTimeout)
        other += count;
    }
    std::string why =
        c.missing_why.empty() ? "" : ": " + std::string(c.missing_why);
    EXPECT_LE(missing, static_cast<std::uint64_t>(c.allowed_missing))
        << c.walk << " read with " << c.profile << ": "
        << FormatErrors(ErrorsByReason(*r.poll)) << " (allowed "
        << c.allowed_missing << " no_such_object" << why << ")";
    EXPECT_EQ(other, 0u) << c.walk << " read with " << c.profile << ": "
                         << FormatErrors(ErrorsByReason(*r.poll));
    // An allowance larger than needed would hide a new missing object.
    if (missing < static_cast<std::uint64_t>(c.allowed_missing)) {
      std::cout << c.walk << ": " << missing << " no_such_object, "
                << c.allowed_missing << " allowed\n";
    }
  }
}

TEST_F(SnmpConformance, AutoChoosesTheIntendedProfile) {
  for (const WalkResult& r : results_) {
    const auto& result = r.auto_poll ? r.auto_poll : r.poll;
    ASSERT_TRUE(result.has_value()) << r.walk_case->walk;
    // A failed poll serves no dc_device_info to read the choice from.
    if (!r.walk_case->may_fail.empty())
      continue;
    EXPECT_EQ(ProfileOf(*result), r.walk_case->auto_profile)
        << r.walk_case->walk << " (sysObjectID "
        << RecordedSysObjectId(kCorpus /
                               (std::string(r.walk_case->walk) + ".snmprec"))
        << ")";
    if (r.auto_poll) {
      EXPECT_EQ(ProfileOf(*r.poll), r.walk_case->profile)
          << r.walk_case->walk << " polled with a named profile";
    }
  }
}

TEST_F(SnmpConformance, MatchesLibreNmsReadings) {
  std::vector<DeviceCoverage> table;
  std::string misses;
  for (const WalkResult& r : results_) {
    std::string walk(r.walk_case->walk);
    auto expected =
        ReadLibreNmsReadings(kCorpus / "expected" / (walk + ".json"));
    ASSERT_TRUE(expected.has_value()) << expected.error();
    const std::vector<Sample> no_samples;
    const std::vector<Sample>& samples = r.poll ? r.poll->samples : no_samples;
    MatchResult match = MatchSensors(expected->sensors, samples);

    DeviceCoverage row;
    row.walk = walk;
    row.sys_object_id = RecordedSysObjectId(kCorpus / (walk + ".snmprec"));
    row.profile = r.poll ? ProfileOf(*r.poll) : "";
    row.profile_named = r.walk_case->profile != r.walk_case->auto_profile;
    row.expected = static_cast<int>(expected->sensors.size());
    row.matched = match.matched;
    row.sentinels = static_cast<int>(expected->sentinels.size());
    if (r.poll)
      row.errors = ErrorsByReason(*r.poll);
    table.push_back(row);

    for (std::size_t i = 0; i < expected->sensors.size(); ++i) {
      if (match.sample_for_sensor[i] >= 0)
        continue;
      const ExpectedSensor& s = expected->sensors[i];
      misses += fmt::format("  {} {} {} = {} ({})\n", walk, s.sensor_class,
                            s.oid, s.value, s.description);
    }
  }

  std::string text = RenderCoverageTable(table);
  fs::create_directories(kCoverageOut.parent_path());
  std::ofstream(kCoverageOut) << text;
  if (std::getenv("DC_UPDATE_SNMP_COVERAGE") && !partial_run_) {
    std::ofstream(kCommittedCoverage) << text;
  }

  int expected = 0;
  int matched = 0;
  for (const DeviceCoverage& d : table) {
    expected += d.expected;
    matched += d.matched;
  }
  ASSERT_GT(expected, 0);
  double coverage = static_cast<double>(matched) / expected;
  RecordProperty("matched", matched);
  RecordProperty("expected", expected);
  if (partial_run_) {
    std::cout << misses;
    GTEST_SKIP() << matched << " of " << expected << " matched";
  }
  EXPECT_GE(coverage, kMinimumCoverage) << fmt::format(
      "{} of {} LibreNMS readings matched ({:.1f} %); "
      "unmatched:\n{}",
      matched, expected, 100 * coverage, misses);
  std::cout << fmt::format(
      "coverage: {} of {} LibreNMS readings ({:.1f} %), "
      "table in {}\n",
      matched, expected, 100 * coverage, kCoverageOut.string());
}

// The committed table must cover the corpus walk by walk. Its numbers are
// not compared: they are refreshed by hand (DC_UPDATE_SNMP_COVERAGE=1), and
// a run under load can lose readings to timeouts that the committed table
// should not record.
TEST_F(SnmpConformance, CommittedCoverageTableListsEveryWalk) {
  if (partial_run_)
    GTEST_SKIP() << "DC_CONFORMANCE_ONLY is set";
  std::string committed = ReadText(kCommittedCoverage);
  ASSERT_FALSE(committed.empty())
      << kCommittedCoverage.string()
      << " is missing; write it with DC_UPDATE_SNMP_COVERAGE=1";
  for (const WalkCase& c : kWalkCases) {
    EXPECT_NE(committed.find("| " + std::string(c.walk) + " |"),
              std::string::npos)
        << kCommittedCoverage.string() << " has no row for " << c.walk;
  }
}

}  // namespace
}  // namespace dc::conformance
