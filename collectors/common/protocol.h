// A protocol as the agent sees it: profiles to load, targets to check, and
// collectors to make. One real adapter per protocol (SNMP, Modbus).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/common/collector.h"
#include "collectors/common/target.h"

namespace dc {

// A problem with one key of a [[target]], e.g. {"unit", "unit 0 is not a
// device id ..."}; the configuration loader adds the file, line and column
// of that key.
struct TargetProblem {
  std::string key;
  std::string message;
};

// Thread safety: all calls come from the agent's io_context thread.
class Protocol {
 public:
  virtual ~Protocol() = default;

  // "snmp" or "modbus": what a target's `protocol` key names.
  virtual std::string_view name() const = 0;

  // Loads every *.toml profile in `dirs` (later directories override
  // earlier ones by profile name). On any error returns every problem as
  // "FILE:LINE:COLUMN: message" and keeps the profiles it had.
  virtual std::vector<std::string> LoadProfiles(
      const std::vector<std::filesystem::path>& dirs) = 0;

  // True if `profile` names a loaded profile (or is "auto" where the
  // protocol can choose one itself).
  virtual bool HasProfile(std::string_view profile) const = 0;

  // Checks the protocol's own parts of a target (address syntax, unit id
  // range, credentials needed). Returns problems, empty when fine. The
  // profile name is not checked here (HasProfile is).
  virtual std::vector<TargetProblem> CheckTarget(
      const TargetConfig& target) const = 0;

  // Makes the collector for a target that passed CheckTarget(). It keeps
  // the profiles loaded at this moment for its whole life.
  virtual std::unique_ptr<Collector> MakeCollector(
      const TargetConfig& target) = 0;
};

}  // namespace dc
