// The whole agent with fake protocols: its HTTP endpoints requested for
// real on 127.0.0.1, and reload by POST /-/reload and SIGHUP keeping the
// running configuration when the new one is invalid.
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "agent/agent.h"
#include "tests/agent/fakes.h"

namespace dc::agent {
namespace {

using namespace dc::agent::testing;
namespace http = boost::beast::http;

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
};

Reply Request(const boost::asio::ip::tcp::endpoint& endpoint, http::verb method,
              const std::string& target) {
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect(endpoint);
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "127.0.0.1");
  request.prepare_payload();
  http::write(stream, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return {static_cast<int>(response.result_int()), response.body(),
          std::string(response[http::field::content_type])};
}

std::string Config(const std::string& targets) {
  return "[snmp.auth.pub]\n"
         "community_env = \"DC_TEST_COMMUNITY\"\n" +
         targets;
}

std::string TargetEntry(const std::string& name,
                        const std::string& address = "udp:127.0.0.1") {
  return "[[target]]\nname = \"" + name +
         "\"\nprotocol = \"snmp\"\naddress = \"" + address +
         "\"\nauth = \"pub\"\ninterval = \"100ms\"\n"
         "labels = { site = \"dc<1>\" }\n";
}

class AgentHttpTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("DC_TEST_COMMUNITY", "public", 1); }

  void StartAgent(const std::string& config, bool signals = false) {
    config_path_ = WriteTempFile("dcagent.toml", config);
    world_.behaviour["ups-a"].samples = {
        MakeSample("dc_ups_battery_charge_ratio", {}, 0.75)};
    world_.behaviour["ups-b"].samples = {
        MakeSample("dc_ups_battery_charge_ratio", {}, 0.25)};
    ProtocolSet protocols;
    protocols.Add(std::make_unique<FakeProtocol>(io_, world_, "snmp"));
    Agent::Options options;
    options.config_path = config_path_;
    options.listen = "127.0.0.1:0";
    options.handle_signals = signals;
    agent_ = std::make_unique<Agent>(io_, std::move(protocols), options);
    ConfigErrors errors = agent_->Start();
    ASSERT_TRUE(errors.empty()) << errors.front();
    endpoint_ = *agent_->http_endpoint();
    loop_ = std::thread([this] { agent_->Run(); });
  }

  void TearDown() override {
    if (agent_)
      agent_->Stop();
    if (loop_.joinable())
      loop_.join();
    agent_.reset();
  }

  Reply Get(const std::string& target) {
    return Request(endpoint_, http::verb::get, target);
  }

  // Requests /metrics until `predicate` holds or two seconds pass.
  std::string WaitForMetrics(
      const std::function<bool(const std::string&)>& predicate) {
    std::string text;
    for (int i = 0; i < 100; ++i) {
      text = Get("/metrics").body;
      if (predicate(text))
        break;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return text;
  }

  boost::asio::io_context io_;
  FakeWorld world_;
  std::filesystem::path config_path_;
  std::unique_ptr<Agent> agent_;
  std::thread loop_;
  boost::asio::ip::tcp::endpoint endpoint_;
};

constexpr const char* kUpsA =
    "dc_ups_battery_charge_ratio{device=\"ups-a\",site=\"dc<1>\"}";
constexpr const char* kUpsB =
    "dc_ups_battery_charge_ratio{device=\"ups-b\",site=\"dc<1>\"}";

TEST_F(AgentHttpTest, ServesMetricsWithSelfAndDeviceSeries) {
  StartAgent(Config(TargetEntry("ups-a")));
  std::string text = WaitForMetrics(
      [](const std::string& t) { return SeriesValue(t, kUpsA).has_value(); });

  EXPECT_EQ(SeriesValue(text, kUpsA), 0.75);
  EXPECT_NE(text.find("# TYPE dc_ups_battery_charge_ratio gauge"),
            std::string::npos);
  EXPECT_EQ(SeriesValue(text, "dcagent_build_info{version=\"" +
                                  std::string(Version()) + "\"}"),
            1);
  EXPECT_EQ(SeriesValue(text, "dcagent_target_up{device=\"ups-a\"}"), 1);
  EXPECT_EQ(SeriesValue(text, "dcagent_targets{protocol=\"snmp\"}"), 1);
  EXPECT_EQ(Get("/metrics").content_type,
            "text/plain; version=0.0.4; charset=utf-8");
}

TEST_F(AgentHttpTest, StatusPageListsTargetsEscaped) {
  StartAgent(Config(TargetEntry("ups-a", "udp:127.0.0.1:1161")));
  WaitForMetrics(
      [](const std::string& t) { return SeriesValue(t, kUpsA).has_value(); });
  Reply page = Get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<td>ups-a</td>"), std::string::npos);
  EXPECT_NE(page.body.find("udp:127.0.0.1:1161"), std::string::npos);
  EXPECT_NE(page.body.find(">up</td>"), std::string::npos);
}

TEST_F(AgentHttpTest, HealthReadinessAndUnknownPaths) {
  StartAgent(Config(TargetEntry("ups-a")));
  EXPECT_EQ(Get("/-/healthy").status, 200);
  EXPECT_EQ(Get("/-/ready").status, 200);
  EXPECT_EQ(Get("/nope").status, 404);
  EXPECT_EQ(Get("/-/reload").status, 405);  // GET does not reload
  EXPECT_EQ(Request(endpoint_, http::verb::delete_, "/metrics").status, 405);
}

TEST_F(AgentHttpTest, ReloadKeepsRunningConfigWhenTheNewOneIsInvalid) {
  StartAgent(Config(TargetEntry("ups-a")));
  WaitForMetrics(
      [](const std::string& t) { return SeriesValue(t, kUpsA).has_value(); });

  // A broken file: rejected with its place, the old target keeps polling.
  std::ofstream(config_path_)
      << Config(TargetEntry("ups-a") + "interval = \"often\"\n");
  Reply rejected = Request(endpoint_, http::verb::post, "/-/reload");
  EXPECT_EQ(rejected.status, 500);
  EXPECT_NE(rejected.body.find(config_path_.string() + ":"), std::string::npos)
      << rejected.body;
  std::string text = Get("/metrics").body;
  EXPECT_EQ(SeriesValue(text, "dcagent_config_last_reload_successful"), 0);
  double polls_before = SeriesValue(text,
                                    "dcagent_polls_total{device=\"ups-a\","
                                    "result=\"success\"}")
                            .value_or(0);
  text = WaitForMetrics([&](const std::string& t) {
    return SeriesValue(t,
                       "dcagent_polls_total{device=\"ups-a\","
                       "result=\"success\"}")
               .value_or(0) > polls_before;
  });
  EXPECT_TRUE(SeriesValue(text, kUpsA));
  EXPECT_NE(Get("/").body.find("reload was rejected"), std::string::npos);

  // A good file: applied, the unchanged target keeps its counters.
  std::ofstream(config_path_)
      << Config(TargetEntry("ups-a") + TargetEntry("ups-b"));
  Reply accepted = Request(endpoint_, http::verb::post, "/-/reload");
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  text = WaitForMetrics(
      [](const std::string& t) { return SeriesValue(t, kUpsB).has_value(); });
  EXPECT_EQ(SeriesValue(text, "dcagent_config_last_reload_successful"), 1);
  EXPECT_GT(SeriesValue(text,
                        "dcagent_config_last_reload_success_timestamp_"
                        "seconds")
                .value_or(0),
            1.7e9);
  EXPECT_EQ(SeriesValue(text, "dcagent_targets{protocol=\"snmp\"}"), 2);
  EXPECT_GE(SeriesValue(text,
                        "dcagent_polls_total{device=\"ups-a\","
                        "result=\"success\"}")
                .value_or(0),
            polls_before);
}

TEST_F(AgentHttpTest, SighupReloads) {
  StartAgent(Config(TargetEntry("ups-a")), /*signals=*/true);
  std::ofstream(config_path_)
      << Config(TargetEntry("ups-a") + TargetEntry("ups-b"));
  ASSERT_EQ(kill(getpid(), SIGHUP), 0);
  std::string text = WaitForMetrics(
      [](const std::string& t) { return SeriesValue(t, kUpsB).has_value(); });
  EXPECT_TRUE(SeriesValue(text, kUpsB));
}

TEST(AgentOnceTest, PollsEveryTargetOncePrintsAndFailsOnAFailure) {
  setenv("DC_TEST_COMMUNITY", "public", 1);
  boost::asio::io_context io;
  FakeWorld world;
  world.behaviour["ups-a"].samples = {
      MakeSample("dc_ups_battery_charge_ratio", {}, 0.75)};
  world.behaviour["ups-b"].succeed = false;
  std::filesystem::path path = WriteTempFile(
      "dcagent.toml", Config(TargetEntry("ups-a") + TargetEntry("ups-b")));
  ProtocolSet protocols;
  protocols.Add(std::make_unique<FakeProtocol>(io, world, "snmp"));
  Agent::Options options;
  options.config_path = path;
  Agent agent(io, std::move(protocols), options);

  std::ostringstream out, errors;
  EXPECT_EQ(agent.RunOnce(out, errors), 1);
  EXPECT_EQ(SeriesValue(out.str(), kUpsA), 0.75);
  EXPECT_EQ(SeriesValue(out.str(), "dcagent_target_up{device=\"ups-b\"}"), 0);
  EXPECT_NE(errors.str().find("ups-b: poll failed: fake failure"),
            std::string::npos);
  EXPECT_EQ(world.polls.size(), 2u);
}

}  // namespace
}  // namespace dc::agent
