// The dcagent daemon: configuration, scheduler, self-metrics and the HTTP
// server put together, with reload on SIGHUP and POST /-/reload.
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>

#include "agent/config.h"
#include "agent/http_server.h"
#include "agent/protocol_set.h"
#include "agent/scheduler.h"
#include "agent/self_metrics.h"
#include "agent/status_page.h"
#include "agent/target_view.h"

namespace dc::agent {

// dcagent's version, as --version and dcagent_build_info show it.
std::string_view Version();

// Raises the soft limit on open files to the hard limit (thousands of SNMP
// sessions each hold a socket). Returns the new soft limit.
std::uint64_t RaiseFileLimit();

class Agent {
 public:
  struct Options {
    std::filesystem::path config_path;
    // --log-level: wins over the configuration's log_level, also on reload.
    std::optional<std::string> log_level;
    // Overrides [agent] listen (tests bind "127.0.0.1:0").
    std::optional<std::string> listen;
    // Install SIGHUP (reload) and SIGINT/SIGTERM (stop) handlers.
    bool handle_signals = true;
  };

  // `io` runs the polls; it must outlive the agent. The agent runs on the
  // thread that calls io.run().
  Agent(boost::asio::io_context& io, ProtocolSet protocols, Options options);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Loads the configuration, schedules the targets and starts the HTTP
  // server. Returns every problem; on any, nothing is started.
  ConfigErrors Start();

  // Runs the poll loop until Stop() or a stop signal, then shuts down.
  void Run();

  // Asks the loop to stop; callable from any thread.
  void Stop();

  // Polls every target once, writes the exposition to `out` and returns 0,
  // or 1 when a target failed or the configuration is invalid (problems on
  // `errors`). Does not start the HTTP server.
  int RunOnce(std::ostream& out, std::ostream& errors);

  // Reloads configuration and profiles. On a problem keeps the running
  // configuration, logs why and returns the problems. Poll-loop thread only.
  ConfigErrors Reload();

  // The bound HTTP endpoint after Start().
  std::optional<boost::asio::ip::tcp::endpoint> http_endpoint() const {
    return endpoint_;
  }
  SelfMetrics& metrics() { return metrics_; }
  Board& board() { return board_; }
  bool ready() const { return ready_; }
  // The /metrics body.
  std::shared_ptr<const Exposition> RenderMetrics();

 private:
  std::unique_ptr<Collector> MakeCollector(const TargetConfig& target);
  void ApplySettings(const AgentSettings& settings);
  void WaitForSignals();
  void Shutdown();
  StatusHeader Header() const;

  boost::asio::io_context& io_;
  ProtocolSet protocols_;
  Options options_;
  SelfMetrics metrics_;
  Board board_;
  std::optional<AgentConfig> config_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<HttpServer> server_;
  std::optional<boost::asio::ip::tcp::endpoint> endpoint_;
  boost::asio::signal_set signals_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
  bool shut_down_ = false;

  mutable std::mutex header_mutex_;  // the status page reads it
  StatusHeader header_;
};

}  // namespace dc::agent
