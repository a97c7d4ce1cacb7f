// One target's polling logic, independent of threads: plan the reads for
// its profile, execute them through a Transport, decode the registers and
// map them to schema samples. The collector runs it on its link (a coroutine
// on the event loop for TCP, a worker thread for a serial line);
// tests run it directly against a fake transport.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/common/sample.h"
#include "collectors/common/target.h"
#include "collectors/modbus/block_reader.h"
#include "collectors/modbus/profile.h"
#include "collectors/modbus/request_plan.h"
#include "collectors/modbus/sunspec.h"
#include "collectors/modbus/transport.h"

namespace dc::modbus {

// Not thread safe; one poll at a time. Keeps for the target's life the
// registers the device refused and what SunSpec discovery found.
class DevicePoller {
 public:
  // With `discover` set, `profiles` are SunSpec model profiles and each
  // applies to the models discovery finds; otherwise `profiles` holds the
  // one profile the target names.
  DevicePoller(const TargetConfig& target, std::vector<ProfilePtr> profiles,
               bool discover);

  PollResult Poll(Transport& transport,
                  std::chrono::steady_clock::time_point deadline);

  const BadRegisters& bad_registers() const { return bad_; }
  // The reads the next poll will send (after discovery, if any).
  const std::vector<ReadBlock>& plan() const { return plan_; }

 private:
  // A metric entry placed at its absolute address.
  struct Point {
    const MetricPoint* entry = nullptr;
    Location where;
    std::optional<std::uint16_t> scale_factor_register;
    // The mapping without `drop`, applied after a scale factor (the drop
    // list names raw values, checked before scaling).
    std::shared_ptr<ValueMapping> scaled_mapping;
  };
  struct Info {
    std::string key;
    Location where;
  };

  void Compile(const Profile& profile, int base);
  void CompileDiscovered(const SunSpecMap& map);
  void Replan();
  void Decode(PollResult& result);
  void DecodeInfo();
  void AppendInfo(PollResult& result) const;

  TargetConfig target_;
  std::vector<ProfilePtr> profiles_;
  // Copies of SunSpec profiles cut to the models found; points_ refer to
  // their entries.
  std::vector<ProfilePtr> fitted_;
  bool discover_ = false;
  bool discovered_ = false;

  std::vector<Point> points_;
  std::vector<Info> info_pending_;           // registers not read yet
  std::map<std::string, std::string> info_;  // model, serial, ...
  std::string info_class_;
  std::string info_profile_;

  PlanLimits limits_;
  BadRegisters bad_;
  std::size_t planned_bad_count_ = 0;
  std::size_t planned_info_count_ = 0;
  bool planned_ = false;
  std::vector<RegisterRange> needed_;
  std::vector<ReadBlock> plan_;
  NeededIndex needed_index_;
  RegisterImage image_;
};

}  // namespace dc::modbus
