// dcagent: polls facility equipment over SNMP and Modbus and serves it to
// Prometheus. See docs/configuration.md.
#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <cstring>
#include <iostream>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include "agent/agent.h"
#include "agent/config.h"
#include "agent/logging.h"
#include "agent/schema_markdown.h"

#ifdef DC_HAVE_MODBUS
#include "collectors/modbus/probe_command.h"
#endif

namespace {

using namespace dc::agent;

constexpr const char* kDefaultConfig = "/etc/dcagent/dcagent.toml";

constexpr const char* kDescription =
    "dcagent polls UPSes, PDUs, transfer switches, cooling units, sensors, "
    "power meters,\nserver BMCs and storage over SNMP and Modbus and "
    "serves them to Prometheus under\none vendor-neutral metric schema.\n";

constexpr const char* kFooter =
    "\nExamples:\n"
    "  dcagent --config /etc/dcagent/dcagent.toml     run the daemon\n"
    "  dcagent --check-config                         check the config, exit\n"
    "  dcagent --once | less                          poll once, print "
    "metrics\n"
    "  dcagent schema --markdown                      the metric reference\n"
    "  dcagent modbus-probe --help                    read registers by "
    "hand\n"
    "\nWhile running: /metrics, / (status page), /-/healthy, /-/ready; "
    "reload the\nconfiguration with SIGHUP or `curl -X POST "
    "http://HOST:PORT/-/reload`.\nHTTPS, client certificates and "
    "passwords: [agent.tls] and [agent.basic_auth].\nConfiguration "
    "reference: "
    "docs/configuration.md (installed under\n/usr/share/doc or in the "
    "source tree).\n";

int CheckConfig(const std::string& path) {
  boost::asio::io_context io;
  ProtocolSet protocols =
      MakeBuiltInProtocols(io, ReadAgentSettings(path).modbus_workers);
  auto config = LoadConfig(path, protocols);
  if (!config) {
    for (const std::string& error : config.error()) {
      std::cerr << error << '\n';
    }
    std::cerr << path << ": " << config.error().size()
              << (config.error().size() == 1 ? " problem" : " problems")
              << '\n';
    return 1;
  }
  const WebSecurity& web = config->agent.web;
  std::cout << path << ": OK, " << config->targets.size() << " targets, "
            << config->snmp_auth.size() << " SNMP credentials, "
            << (web.tls ? "HTTPS" : "plain HTTP")
            << (web.tls_files && web.tls_files->client_ca_file
                    ? " with client certificates"
                    : "")
            << ", "
            << (web.basic_auth ? std::to_string(web.basic_auth->user_count()) +
                                     " basic-auth users"
                               : std::string("no basic auth"))
            << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The probe has its own options: hand it the rest of the line untouched.
  if (argc >= 2 && std::strcmp(argv[1], "modbus-probe") == 0) {
#ifdef DC_HAVE_MODBUS
    return dc::modbus::RunProbeCommand(argc - 1, argv + 1);
#else
    std::cerr << "dcagent: this build has no Modbus support\n";
    return 2;
#endif
  }

  CLI::App app(kDescription, "dcagent");
  app.footer(kFooter);
  std::string config_path = kDefaultConfig;
  std::string log_level;
  bool check_config = false;
  bool once = false;
  app.add_option("-c,--config", config_path, "Configuration file")
      ->capture_default_str();
  app.add_flag("--check-config", check_config,
               "Check the configuration (and profiles), print every problem "
               "with FILE:LINE:COLUMN, exit 0 when valid, 1 otherwise");
  app.add_flag("--once", once,
               "Poll every target once, print the Prometheus exposition to "
               "stdout, exit 1 if any target failed");
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error, critical or off; wins "
                 "over [agent] log_level")
      ->check(CLI::IsMember(
          {"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.set_version_flag("-V,--version",
                       std::string("dcagent ") + std::string(Version()));

  CLI::App* schema = app.add_subcommand(
      "schema", "Print the metric schema (device and dcagent metrics)");
  bool markdown = false;
  schema->add_flag("--markdown", markdown,
                   "As the Markdown of docs/metrics.md");
  app.add_subcommand("modbus-probe",
                     "Read Modbus registers by hand (see modbus-probe "
                     "--help)");

  CLI11_PARSE(app, argc, argv);

  if (schema->parsed()) {
    std::cout << (markdown ? SchemaMarkdown() : SchemaText());
    return 0;
  }
  if (check_config)
    return CheckConfig(config_path);

  std::string level =
      log_level.empty() ? ReadAgentSettings(config_path).log_level : log_level;
  SetUpLogging(level);
  RaiseFileLimit();

  boost::asio::io_context io(1);
  AgentSettings settings = ReadAgentSettings(config_path);
  Agent::Options options;
  options.config_path = config_path;
  if (!log_level.empty())
    options.log_level = log_level;
  Agent agent(io, MakeBuiltInProtocols(io, settings.modbus_workers), options);

  if (once)
    return agent.RunOnce(std::cout, std::cerr);

  ConfigErrors errors = agent.Start();
  if (!errors.empty()) {
    for (const std::string& error : errors) {
      spdlog::critical("cannot start problem={}", LogValue(error));
    }
    return 1;
  }
  agent.Run();
  return 0;
}
