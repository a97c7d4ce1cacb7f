// Hand-written fakes of the protocol interfaces for the agent's tests: a
// protocol that accepts profiles by name and collectors whose behaviour
// each test scripts per target, recording every poll.
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "collectors/common/protocol.h"

namespace dc::agent::testing {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How a target's collector answers.
struct Behaviour {
  milliseconds delay{1};
  bool succeed = true;
  bool hang = false;  // never answers (the scheduler must give up)
  std::vector<Sample> samples;
  std::string error = "fake failure";
  ErrorReason reason = ErrorReason::kTimeout;
};

struct PollRecord {
  std::string target;
  Clock::time_point start;
  Clock::time_point deadline;
};

// What all fake collectors share and record.
struct FakeWorld {
  std::map<std::string, Behaviour> behaviour;  // by target name
  std::vector<PollRecord> polls;
  std::map<std::string, int> running;  // polls running, by target
  bool overlap_seen = false;
  int in_flight = 0;
  int max_in_flight_seen = 0;
  int collectors_made = 0;
  int collectors_destroyed = 0;

  std::vector<PollRecord> PollsOf(const std::string& target) const;
};

class FakeCollector : public Collector {
 public:
  FakeCollector(boost::asio::io_context& io, FakeWorld& world,
                std::string target);
  ~FakeCollector() override;

  void Poll(Clock::time_point deadline, Done done) override;

 private:
  boost::asio::io_context& io_;
  FakeWorld& world_;
  std::string target_;
  boost::asio::steady_timer timer_;
  bool polling_ = false;
  // Cleared on destruction: a timer handler already queued then must not
  // touch this object.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class FakeProtocol : public Protocol {
 public:
  FakeProtocol(boost::asio::io_context& io, FakeWorld& world,
               std::string name = "snmp");

  std::string_view name() const override { return name_; }
  // Each *.toml file name in the directories is a profile (its stem).
  std::vector<std::string> LoadProfiles(
      const std::vector<std::filesystem::path>& dirs) override;
  bool HasProfile(std::string_view profile) const override;
  // Rejects addresses that do not start with "udp:" or "tcp:" and, as
  // "snmp", v1/v2c credentials without a community.
  std::vector<TargetProblem> CheckTarget(
      const TargetConfig& target) const override;
  std::unique_ptr<Collector> MakeCollector(const TargetConfig& target) override;

  std::set<std::string, std::less<>> profiles{"ups", "pdu"};
  int loads = 0;

 private:
  boost::asio::io_context& io_;
  FakeWorld& world_;
  std::string name_;
};

// A sample of a schema metric.
Sample MakeSample(std::string name, Labels labels, double value);

// The value of the series written exactly as `series` (name and labels as
// the exposition writes them) in `text`, if present.
std::optional<double> SeriesValue(const std::string& text,
                                  const std::string& series);

// Writes `text` to a fresh file under the test's temporary folder.
std::filesystem::path WriteTempFile(const std::string& name,
                                    const std::string& text);

}  // namespace dc::agent::testing
