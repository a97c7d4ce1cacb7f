// What the HTTP side may know of each target: an immutable view, replaced
// (never modified) by the poll loop after every poll, and the board that
// holds the current views of all targets.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "agent/device_series.h"
#include "collectors/common/sample.h"

namespace dc::agent {

enum class TargetState { kPending, kUp, kDown };

std::string_view ToString(TargetState state);

// What does not change between polls of a configured target.
struct TargetInfo {
  std::string name;
  std::string protocol;
  std::string address;
  std::string profile;
  // `device` plus the user labels, sorted by name: added to every series.
  Labels series_labels;
};

struct TargetView {
  std::shared_ptr<const TargetInfo> info;
  TargetState state = TargetState::kPending;
  double last_success_unix = 0;  // 0: never
  double last_duration_seconds = 0;
  std::string last_error;  // of the last failed poll
  // The device series of the last poll when it succeeded; null after a
  // failed poll, so a down device's series are not served frozen.
  std::shared_ptr<const DeviceSnapshot> snapshot;
};

// The current views, in configuration order.
//
// Thread safety: all members may be called from any thread. The poll loop
// publishes; scrapes and the status page copy the list of pointers under a
// short lock and read the views without one.
class Board {
 public:
  // Replaces the whole list (configuration load or reload).
  void Reset(std::vector<std::shared_ptr<const TargetView>> views);
  // Replaces the view at `slot` (a target's index in the list).
  void Publish(std::size_t slot, std::shared_ptr<const TargetView> view);
  std::vector<std::shared_ptr<const TargetView>> Views() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const TargetView>> views_;
};

}  // namespace dc::agent
