// The human status page served at "/": one row per target with its
// protocol, profile, state, last success, last error and poll duration.
#pragma once

#include "collectors/common/html_escape.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/target_view.h"

namespace dc::agent {

struct StatusHeader {
  std::string version;
  std::string config_path;
  bool last_reload_ok = true;
  std::string last_reload_error;  // first lines of the rejection
};

// Every text taken from the configuration or a device is HTML-escaped.
std::string RenderStatusPage(
    const StatusHeader& header,
    const std::vector<std::shared_ptr<const TargetView>>& views,
    double now_unix);

using ::dc::HtmlEscape;  // collectors/common/html_escape.h

}  // namespace dc::agent
