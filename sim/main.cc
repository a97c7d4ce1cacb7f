// dcsim: serves a simulated data center hall (or a benchmark fleet) on
// loopback for dcagent, the tests and the benchmarks.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "collectors/common/toml_reader.h"
#include "sim/agent_config.h"
#include "sim/device.h"
#include "sim/fleet.h"
#include "sim/server.h"

namespace {

// The models shipped with dcsim: installed, or in the source tree when run
// from a build directory.
std::string DefaultModelsDir() {
  if (const char* env = std::getenv("DCSIM_MODELS")) {
    return env;
  }
  if (std::filesystem::is_directory(DC_SIM_INSTALLED_MODELS)) {
    return DC_SIM_INSTALLED_MODELS;
  }
  return DC_SIM_SOURCE_MODELS;
}

std::string ModelsDir(const dc::sim::Fleet& fleet, const std::string& flag) {
  if (!flag.empty()) {
    return flag;
  }
  if (fleet.models_dir.empty()) {
    return DefaultModelsDir();
  }
  std::filesystem::path dir(fleet.models_dir);
  if (dir.is_relative()) {
    dir = std::filesystem::path(fleet.path).parent_path() / dir;
  }
  return dir.string();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "dcsim: a simulated data center on loopback. Serves SNMP agents "
      "(v1/v2c GET, GETNEXT, GETBULK) from device models or .snmprec walks "
      "and Modbus TCP devices from register maps, with physics behind the "
      "values, scripted events and fault injection. See docs/simulator.md."};
  std::string fleet_path;
  int bench_devices = 0;
  int first_port = 30161;
  int addresses = 1;
  std::string models;
  std::string control;
  std::string duration_text;
  std::string agent_config_path;
  dc::sim::AgentConfigOptions agent_options;
  bool check_only = false;
  bool quiet = false;

  auto* fleet_option = app.add_option(
      "--fleet", fleet_path, "Fleet file (TOML) describing the hall to serve");
  app.add_option("--devices", bench_devices,
                 "Benchmark mode: serve N UPS-MIB agents (about 60 objects "
                 "each) instead of a fleet file")
      ->excludes(fleet_option)
      ->check(CLI::Range(1, 60000));
  app.add_option("--first-port", first_port,
                 "Benchmark mode: UDP port of the first device")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  app.add_option("--addresses", addresses,
                 "Benchmark mode: spread devices over 127.0.0.1..127.0.0.K")
      ->capture_default_str()
      ->check(CLI::Range(1, 250));
  app.add_option(
      "--models", models,
      "Folder of device models (default: " + DefaultModelsDir() + ")");
  app.add_option("--control", control,
                 "HTTP control port, 127.x.y.z:PORT (overrides the fleet's "
                 "[sim] control); GET /status, /devices, /metrics, POST "
                 "/event");
  app.add_option("--duration", duration_text,
                 "Stop after this long, e.g. 90s or 10m (default: until "
                 "Ctrl-C)");
  app.add_option("--write-agent-config", agent_config_path,
                 "Write a dcagent.toml polling every device to this file "
                 "('-' for standard output)");
  app.add_option("--agent-listen", agent_options.listen,
                 "[agent] listen in the written dcagent config")
      ->capture_default_str();
  app.add_option("--agent-interval", agent_options.interval,
                 "Poll interval in the written dcagent config")
      ->capture_default_str();
  app.add_flag("--check", check_only,
               "Load the fleet and models, report problems, and exit");
  app.add_flag("--quiet", quiet, "Log nothing but errors");
  CLI11_PARSE(app, argc, argv);

  if (fleet_path.empty() && bench_devices == 0) {
    std::cerr << "dcsim: give --fleet FILE or --devices N (see --help)\n";
    return 2;
  }
  std::chrono::milliseconds duration{0};
  if (!duration_text.empty()) {
    auto parsed = dc::ParseDuration(duration_text);
    if (!parsed) {
      std::cerr << "dcsim: --duration: \"" << duration_text
                << "\" is not a duration like 90s or 10m\n";
      return 2;
    }
    duration = *parsed;
  }

  dc::sim::Fleet fleet;
  if (!fleet_path.empty()) {
    auto loaded = dc::sim::LoadFleet(fleet_path);
    if (!loaded) {
      std::cerr << loaded.error() << "\n";
      return 2;
    }
    fleet = std::move(*loaded);
  } else {
    fleet = dc::sim::BenchFleet(
        bench_devices, static_cast<std::uint16_t>(first_port), addresses);
    if (first_port + (bench_devices + addresses - 1) / addresses - 1 > 65535) {
      std::cerr << "dcsim: --first-port leaves no room for every device\n";
      return 2;
    }
  }

  auto devices = dc::sim::BuildDevices(fleet, ModelsDir(fleet, models));
  if (!devices) {
    std::cerr << devices.error() << "\n";
    return 2;
  }

  if (!agent_config_path.empty()) {
    if (agent_config_path != "-") {
      agent_options.output_dir =
          std::filesystem::path(agent_config_path).parent_path().string();
      if (agent_options.output_dir.empty()) {
        agent_options.output_dir = ".";
      }
    }
    std::string text = AgentConfigText(fleet, *devices, agent_options);
    if (agent_config_path == "-") {
      std::cout << text;
    } else {
      std::ofstream out(agent_config_path);
      out << text;
      if (!out) {
        std::cerr << "dcsim: cannot write " << agent_config_path << "\n";
        return 1;
      }
    }
  }
  if (check_only) {
    std::cout << fmt::format("{}: {} devices, {} events: OK\n", fleet.path,
                             devices->size(), fleet.events.size());
    return 0;
  }

  std::size_t snmp = 0;
  for (const auto& device : *devices) {
    snmp += device.protocol == dc::sim::SimProtocol::kSnmp ? 1 : 0;
  }
  std::size_t device_count = devices->size();
  dc::sim::ServerOptions options;
  options.control = control.empty() ? fleet.control : control;
  options.duration = duration;
  options.quiet = quiet;
  dc::sim::Server server(fleet, std::move(*devices), options);
  if (auto opened = server.Open(); !opened) {
    std::cerr << "dcsim: " << opened.error() << "\n";
    return 1;
  }

  // One line on standard output says the devices are up; scripts wait for
  // it.
  std::cout << fmt::format("dcsim ready: {} devices ({} SNMP, {} Modbus)",
                           device_count, snmp, device_count - snmp);
  if (server.control_port() != 0) {
    std::cout << fmt::format(", control http://127.0.0.1:{}/",
                             server.control_port());
  }
  std::cout << std::endl;
  return server.Run();
}
