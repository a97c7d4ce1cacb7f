#include "agent/agent.h"

#include <sys/resource.h>

#include <csignal>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "agent/exposition.h"
#include "agent/logging.h"

namespace dc::agent {
namespace {

double UnixNow() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FirstLines(const ConfigErrors& errors, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < errors.size() && i < count; ++i) {
    text += errors[i] + "\n";
  }
  if (errors.size() > count) {
    text += fmt::format("... and {} more\n", errors.size() - count);
  }
  return text;
}

}  // namespace

std::string_view Version() {
  return DC_VERSION;
}

std::uint64_t RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
      limit = raised;
  }
  return limit.rlim_cur;
}

Agent::Agent(boost::asio::io_context& io, ProtocolSet protocols,
             Options options)
    : io_(io),
      protocols_(std::move(protocols)),
      options_(std::move(options)),
      metrics_(Version()),
      signals_(io) {
  header_.version = std::string(Version());
  header_.config_path = options_.config_path.string();
}

Agent::~Agent() {
  Shutdown();
}

std::unique_ptr<Collector> Agent::MakeCollector(const TargetConfig& target) {
  Protocol* protocol = protocols_.Find(target.protocol);
  return protocol ? protocol->MakeCollector(target) : nullptr;
}

void Agent::ApplySettings(const AgentSettings& settings) {
  if (!options_.log_level)
    SetLogLevel(settings.log_level);
  if (scheduler_) {
    scheduler_->SetLimits(settings.max_in_flight, settings.max_backoff,
                          settings.batch_window);
  }
  if (server_)
    server_->SetSecurity(settings.web);
}

ConfigErrors Agent::Start() {
  auto loaded = LoadConfig(options_.config_path, protocols_);
  if (!loaded)
    return loaded.error();
  config_ = std::move(*loaded);
  ApplySettings(config_->agent);

  // The HTTP side: everything it calls is safe off the poll loop.
  HttpServer::Handlers handlers;
  handlers.metrics = [this] { return RenderMetrics(); };
  handlers.status_page = [this] {
    return RenderStatusPage(Header(), board_.Views(), UnixNow());
  };
  handlers.ready = [this] { return ready_.load(); };
  handlers.reload = [this](std::function<void(bool, std::string)> reply) {
    boost::asio::post(io_, [this, reply = std::move(reply)] {
      if (stopping_) {
        reply(false, "dcagent is shutting down.\n");
        return;
      }
      ConfigErrors errors = Reload();
      reply(errors.empty(), errors.empty() ? std::string("Reloaded.\n")
                                           : "Reload rejected; the previous "
                                             "configuration keeps running:\n" +
                                                 FirstLines(errors, 50));
    });
  };
  server_ = std::make_unique<HttpServer>(std::move(handlers));
  server_->SetSecurity(config_->agent.web);
  auto bound = server_->Start(options_.listen.value_or(config_->agent.listen));
  if (!bound) {
    server_.reset();
    return {fmt::format("{}: [agent] listen: {}", options_.config_path.string(),
                        bound.error())};
  }
  endpoint_ = *bound;

  Scheduler::Options scheduler_options;
  scheduler_options.max_in_flight = config_->agent.max_in_flight;
  scheduler_options.max_backoff = config_->agent.max_backoff;
  scheduler_options.batch_window = config_->agent.batch_window;
  scheduler_ = std::make_unique<Scheduler>(
      io_, scheduler_options,
      [this](const TargetConfig& t) { return MakeCollector(t); }, metrics_,
      board_);
  scheduler_->Apply(config_->targets);
  metrics_.SetReloadResult(true, UnixNow());
  ready_ = true;

  if (options_.handle_signals)
    WaitForSignals();
  spdlog::info(
      "dcagent started version={} config={} listen={} targets={} "
      "open_files_limit={}",
      Version(), LogValue(options_.config_path.string()),
      LogValue(fmt::format("{}:{}", endpoint_->address().to_string(),
                           endpoint_->port())),
      config_->targets.size(), RaiseFileLimit());
  return {};
}

void Agent::WaitForSignals() {
  signals_.add(SIGHUP);
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec)
      return;
    if (signal == SIGHUP) {
      spdlog::info("reload requested source=SIGHUP");
      Reload();
      WaitForSignals();
      return;
    }
    spdlog::info("stopping signal={}", signal);
    Stop();
  });
}

void Agent::Run() {
  io_.run();
  Shutdown();
}

void Agent::Stop() {
  boost::asio::post(io_, [this] {
    stopping_ = true;
    boost::system::error_code ec;
    signals_.cancel(ec);
    io_.stop();
  });
}

void Agent::Shutdown() {
  if (shut_down_)
    return;
  shut_down_ = true;
  stopping_ = true;
  // Pending reload requests hold HTTP connections: answer them (they see
  // stopping_) before the server goes.
  io_.restart();
  io_.poll();
  if (server_)
    server_->Stop();
  scheduler_.reset();
  server_.reset();
  ready_ = false;
}

ConfigErrors Agent::Reload() {
  // Profiles are loaded into the running protocols before the targets are
  // checked. When the profiles load but the configuration is rejected, the
  // new profiles stay loaded: running collectors keep theirs, but one
  // re-made after a missed deadline uses the new ones. Loading into fresh
  // protocol instances and swapping them in on success would avoid this,
  // but the collectors of kept targets belong to the running instances.
  auto loaded = LoadConfig(options_.config_path, protocols_);
  if (!loaded) {
    for (const std::string& error : loaded.error()) {
      spdlog::error("config rejected op=reload problem={}", LogValue(error));
    }
    spdlog::error("reload failed op=reload errors={} keeping=previous_config",
                  loaded.error().size());
    metrics_.SetReloadResult(false, UnixNow());
    std::lock_guard lock(header_mutex_);
    header_.last_reload_ok = false;
    header_.last_reload_error = FirstLines(loaded.error(), 20);
    return loaded.error();
  }

  AgentConfig& fresh = *loaded;
  if (config_ && fresh.agent.listen != config_->agent.listen) {
    spdlog::warn("setting needs a restart key=listen running={}",
                 LogValue(config_->agent.listen));
  }
  if (config_ && fresh.agent.modbus_workers != config_->agent.modbus_workers) {
    spdlog::warn("setting needs a restart key=modbus_workers running={}",
                 config_->agent.modbus_workers);
  }
  ApplySettings(fresh.agent);
  if (scheduler_)
    scheduler_->Apply(fresh.targets);
  spdlog::info("configuration reloaded op=reload targets={}",
               fresh.targets.size());
  config_ = std::move(fresh);
  metrics_.SetReloadResult(true, UnixNow());
  std::lock_guard lock(header_mutex_);
  header_.last_reload_ok = true;
  header_.last_reload_error.clear();
  return {};
}

int Agent::RunOnce(std::ostream& out, std::ostream& errors) {
  auto loaded = LoadConfig(options_.config_path, protocols_);
  if (!loaded) {
    for (const std::string& error : loaded.error())
      errors << error << '\n';
    return 1;
  }
  config_ = std::move(*loaded);
  ApplySettings(config_->agent);
  RaiseFileLimit();

  Scheduler::Options scheduler_options;
  scheduler_options.max_in_flight = config_->agent.max_in_flight;
  scheduler_options.max_backoff = config_->agent.max_backoff;
  scheduler_options.once = true;
  scheduler_ = std::make_unique<Scheduler>(
      io_, scheduler_options,
      [this](const TargetConfig& t) { return MakeCollector(t); }, metrics_,
      board_);
  scheduler_->Apply(config_->targets);
  metrics_.SetReloadResult(true, UnixNow());
  scheduler_->OnAllPolled([this] { io_.stop(); });
  io_.restart();
  io_.run();

  std::shared_ptr<const Exposition> exposition = RenderMetrics();
  for (std::string_view piece : exposition->pieces())
    out << piece;
  out.flush();
  for (const auto& view : board_.Views()) {
    if (view && view->state != TargetState::kUp) {
      errors << fmt::format("{}: poll failed: {}\n", view->info->name,
                            view->last_error);
    }
  }
  bool failed = scheduler_->failed_polls() > 0;
  scheduler_.reset();
  return failed ? 1 : 0;
}

std::shared_ptr<const Exposition> Agent::RenderMetrics() {
  RenderStats stats;
  auto exposition = BuildExposition(metrics_, board_.Views(), &stats);
  // Served with the next scrape: this one's text is already rendered.
  metrics_.SetRender(stats.seconds, static_cast<double>(stats.device_series));
  return exposition;
}

StatusHeader Agent::Header() const {
  std::lock_guard lock(header_mutex_);
  return header_;
}

}  // namespace dc::agent
