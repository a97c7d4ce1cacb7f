#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sim/agent_config.h"
#include "sim/device.h"
#include "sim/fleet.h"

namespace dc::sim {
namespace {

// sim/demo/dcagent.toml must be what dcsim writes for the demo hall, so the
// demo polls every device the hall serves and nothing else.
TEST(DemoConfig, AgentConfigMatchesTheDemoHall) {
  std::string root = DC_SOURCE_DIR;
  auto fleet = LoadFleet(root + "/sim/fleets/demo-hall.toml");
  ASSERT_TRUE(fleet) << fleet.error();
  auto devices = BuildDevices(*fleet, root + "/sim/models");
  ASSERT_TRUE(devices) << devices.error();
  fleet->path = "sim/fleets/demo-hall.toml";
  AgentConfigOptions options;
  options.listen = "127.0.0.1:19633";
  options.interval = "15s";
  options.output_dir = "sim/demo";

  std::ifstream in(root + "/sim/demo/dcagent.toml");
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_EQ(committed.str(), AgentConfigText(*fleet, *devices, options))
      << "regenerate with: dcsim --fleet sim/fleets/demo-hall.toml "
         "--write-agent-config sim/demo/dcagent.toml --agent-listen "
         "127.0.0.1:19633 --agent-interval 15s";
  EXPECT_EQ(devices->size(), 43u);
}

}  // namespace
}  // namespace dc::sim
