#include "tests/agent/fakes.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace dc::agent::testing {

std::vector<PollRecord> FakeWorld::PollsOf(const std::string& target) const {
  std::vector<PollRecord> out;
  for (const auto& record : polls) {
    if (record.target == target)
      out.push_back(record);
  }
  return out;
}

FakeCollector::FakeCollector(boost::asio::io_context& io, FakeWorld& world,
                             std::string target)
    : io_(io), world_(world), target_(std::move(target)), timer_(io) {
  ++world_.collectors_made;
}

FakeCollector::~FakeCollector() {
  *alive_ = false;
  if (polling_) {
    --world_.in_flight;
    --world_.running[target_];
  }
  ++world_.collectors_destroyed;
}

void FakeCollector::Poll(Clock::time_point deadline, Done done) {
  auto now = Clock::now();
  world_.polls.push_back({target_, now, deadline});
  if (++world_.running[target_] > 1)
    world_.overlap_seen = true;
  polling_ = true;
  world_.max_in_flight_seen =
      std::max(world_.max_in_flight_seen, ++world_.in_flight);

  Behaviour behaviour = world_.behaviour[target_];
  if (behaviour.hang)
    return;

  // Like a real collector: answer by the deadline at the latest.
  auto finish = now + behaviour.delay;
  bool late = finish > deadline;
  timer_.expires_at(late ? deadline : finish);
  timer_.async_wait(
      [this, alive = alive_, behaviour, late,
       done = std::move(done)](const boost::system::error_code& ec) {
        if (ec || !*alive)
          return;
        polling_ = false;
        --world_.in_flight;
        --world_.running[target_];
        PollResult result;
        if (late) {
          result.error = "deadline";
          result.errors[ErrorReason::kTimeout] = 1;
        } else if (behaviour.succeed) {
          result.success = true;
          result.samples = behaviour.samples;
          result.items_read = behaviour.samples.size();
        } else {
          result.error = behaviour.error;
          result.errors[behaviour.reason] = 1;
        }
        done(std::move(result));
      });
}

FakeProtocol::FakeProtocol(boost::asio::io_context& io, FakeWorld& world,
                           std::string name)
    : io_(io), world_(world), name_(std::move(name)) {}

std::vector<std::string> FakeProtocol::LoadProfiles(
    const std::vector<std::filesystem::path>& dirs) {
  ++loads;
  for (const auto& dir : dirs) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() == ".toml") {
        profiles.insert(entry.path().stem().string());
      }
    }
  }
  return {};
}

bool FakeProtocol::HasProfile(std::string_view profile) const {
  return profile == "auto" || profiles.contains(profile);
}

std::vector<TargetProblem> FakeProtocol::CheckTarget(
    const TargetConfig& target) const {
  std::vector<TargetProblem> problems;
  if (!target.address.starts_with("udp:") &&
      !target.address.starts_with("tcp:")) {
    problems.push_back({"address", "address must start with udp: or tcp:"});
  }
  const SnmpAuth& auth = target.snmp_auth;
  if (name_ == "snmp" && auth.version != SnmpAuth::Version::kV3 &&
      auth.community.empty()) {
    problems.push_back(
        {"auth", "credentials '" + auth.name + "' need a community"});
  }
  return problems;
}

std::unique_ptr<Collector> FakeProtocol::MakeCollector(
    const TargetConfig& target) {
  return std::make_unique<FakeCollector>(io_, world_, target.name);
}

Sample MakeSample(std::string name, Labels labels, double value) {
  Sample sample;
  sample.name = std::move(name);
  sample.labels = std::move(labels);
  sample.value = value;
  return sample;
}

std::optional<double> SeriesValue(const std::string& text,
                                  const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.starts_with(series) &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

std::filesystem::path WriteTempFile(const std::string& name,
                                    const std::string& text) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("dcagent-test-" + std::to_string(getpid())) /
      (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::path path = dir / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path;
}

}  // namespace dc::agent::testing
