// dcagent's endpoints protected as configured, requested for real over
// 127.0.0.1: TLS with the server certificate verified, mutual TLS,
// basic authentication, gzip, certificate reload, and a real Prometheus
// scraping over TLS with a client certificate and a password.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/post.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "agent/http_server.h"
#include "tests/agent/fakes.h"
#include "tests/agent/web_test_support.h"

extern char** environ;

namespace dc::agent {
namespace {

using namespace dc::agent::testing;
using namespace std::chrono_literals;

constexpr const char* kPassword = "correct horse battery";

class AgentHttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OnPath("openssl"))
      GTEST_SKIP() << "the openssl command is not installed";
    setenv("DC_TEST_COMMUNITY", "public", 1);
    auto pki = MakeTestPki(dir_.path());
    ASSERT_TRUE(pki);
    pki_ = *pki;
    CommandResult hash =
        RunCommand(fmt::format("openssl passwd -6 '{}'", kPassword));
    ASSERT_EQ(hash.exit_code, 0) << hash.output;
    hash_ = hash.output.substr(0, hash.output.find('\n'));
  }

  void TearDown() override {
    if (agent_)
      agent_->Stop();
    if (loop_.joinable())
      loop_.join();
    agent_.reset();
  }

  // The [agent.tls] and [agent.basic_auth] sections; `mutual` adds the
  // client CA.
  std::string Protection(bool mutual, bool auth,
                         const std::string& extra_agent = "") {
    std::string text = "[agent]\n" + extra_agent;
    text += fmt::format("[agent.tls]\ncert_file = \"{}\"\nkey_file = \"{}\"\n",
                        pki_.server_cert.string(), pki_.server_key.string());
    if (mutual) {
      text += fmt::format("client_ca_file = \"{}\"\n",
                          pki_.client_ca_cert.string());
    }
    if (auth) {
      text += fmt::format(
          "[agent.basic_auth]\nusers = {{ prometheus = \"{}\" "
          "}}\n",
          hash_);
    }
    return text;
  }

  void StartAgent(const std::string& protection) {
    config_path_ = dir_.Write(
        "dcagent.toml",
        protection +
            "[snmp.auth.pub]\ncommunity_env = \"DC_TEST_COMMUNITY\"\n"
            "[[target]]\nname = \"ups-a\"\nprotocol = \"snmp\"\n"
            "address = \"udp:127.0.0.1\"\nauth = \"pub\"\n"
            "interval = \"100ms\"\n");
    world_.behaviour["ups-a"].samples = {
        MakeSample("dc_ups_battery_charge_ratio", {}, 0.75)};
    ProtocolSet protocols;
    protocols.Add(std::make_unique<FakeProtocol>(io_, world_, "snmp"));
    Agent::Options options;
    options.config_path = config_path_;
    options.listen = "127.0.0.1:0";
    options.handle_signals = false;
    agent_ = std::make_unique<Agent>(io_, std::move(protocols), options);
    ConfigErrors errors = agent_->Start();
    ASSERT_TRUE(errors.empty()) << errors.front();
    endpoint_ = *agent_->http_endpoint();
    loop_ = std::thread([this] { agent_->Run(); });
  }

  // TLS verified against the test CA, with the client certificate and
  // password as asked.
  HttpOptions Client(bool certificate, bool password) const {
    HttpOptions options;
    options.ca_cert = pki_.ca_cert;
    if (certificate) {
      options.client_cert = pki_.client_cert;
      options.client_key = pki_.client_key;
    }
    if (password) {
      options.headers["Authorization"] =
          BasicAuthorization("prometheus", kPassword);
    }
    return options;
  }

  ScratchDir dir_;
  TestPki pki_;
  std::string hash_;
  boost::asio::io_context io_;
  FakeWorld world_;
  std::filesystem::path config_path_;
  std::unique_ptr<Agent> agent_;
  std::thread loop_;
  boost::asio::ip::tcp::endpoint endpoint_;
};

TEST_F(AgentHttpsTest, ServesMetricsOverTlsWithAVerifiedCertificate) {
  StartAgent(Protection(false, false));
  auto reply = Fetch(endpoint_, "/metrics", Client(false, false));
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->server_cn, "server");
  EXPECT_NE(reply->body.find("dcagent_build_info"), std::string::npos);

  // TLS 1.2 is accepted by default; plain HTTP is not served on the port.
  HttpOptions tls12 = Client(false, false);
  tls12.tls12_only = true;
  auto old_client = Fetch(endpoint_, "/-/healthy", tls12);
  ASSERT_TRUE(old_client) << old_client.error();
  EXPECT_EQ(old_client->status, 200);
  EXPECT_FALSE(Fetch(endpoint_, "/metrics"));

  // A client trusting another CA refuses the server.
  HttpOptions stranger;
  stranger.ca_cert = pki_.client_ca_cert;
  auto refused = Fetch(endpoint_, "/metrics", stranger);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("certificate verify failed"),
            std::string::npos)
      << refused.error();
}

TEST_F(AgentHttpsTest, MinimumVersionTls13RefusesTls12Clients) {
  StartAgent(Protection(false, false) + "min_version = \"1.3\"\n");
  HttpOptions tls12 = Client(false, false);
  tls12.tls12_only = true;
  EXPECT_FALSE(Fetch(endpoint_, "/-/healthy", tls12));
  auto tls13 = Fetch(endpoint_, "/-/healthy", Client(false, false));
  ASSERT_TRUE(tls13) << tls13.error();
  EXPECT_EQ(tls13->status, 200);
}

TEST_F(AgentHttpsTest, MutualTlsNeedsAClientCertificateFromTheClientCa) {
  StartAgent(Protection(true, false));
  auto accepted = Fetch(endpoint_, "/metrics", Client(true, false));
  ASSERT_TRUE(accepted) << accepted.error();
  EXPECT_EQ(accepted->status, 200);

  EXPECT_FALSE(Fetch(endpoint_, "/metrics", Client(false, false)));
  EXPECT_FALSE(Fetch(endpoint_, "/-/healthy", Client(false, false)));
  HttpOptions stranger = Client(false, false);
  stranger.client_cert = pki_.stranger_cert;
  stranger.client_key = pki_.stranger_key;
  EXPECT_FALSE(Fetch(endpoint_, "/metrics", stranger));
  // Over TLS 1.2 the refusal comes in the handshake itself.
  stranger.tls12_only = true;
  auto refused = Fetch(endpoint_, "/metrics", stranger);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().starts_with("handshake")) << refused.error();
}

TEST_F(AgentHttpsTest, BasicAuthProtectsAllButTheProbes) {
  StartAgent(Protection(false, true));
  for (const char* path : {"/metrics", "/", "/nope"}) {
    auto anonymous = Fetch(endpoint_, path, Client(false, false));
    ASSERT_TRUE(anonymous) << anonymous.error();
    EXPECT_EQ(anonymous->status, 401) << path;
    EXPECT_EQ(anonymous->headers["www-authenticate"],
              "Basic realm=\"dcagent\", charset=\"UTF-8\"");
    EXPECT_EQ(anonymous->body.find("dcagent_"), std::string::npos);
  }
  HttpOptions wrong = Client(false, false);
  wrong.headers["Authorization"] = BasicAuthorization("prometheus", "guess");
  EXPECT_EQ(Fetch(endpoint_, "/metrics", wrong)->status, 401);
  wrong.headers["Authorization"] = BasicAuthorization("root", kPassword);
  EXPECT_EQ(Fetch(endpoint_, "/metrics", wrong)->status, 401);

  auto metrics = Fetch(endpoint_, "/metrics", Client(false, true));
  ASSERT_TRUE(metrics) << metrics.error();
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(Fetch(endpoint_, "/", Client(false, true))->status, 200);
  EXPECT_EQ(Fetch(endpoint_, "/nope", Client(false, true))->status, 404);
  EXPECT_EQ(Fetch(endpoint_, "/-/healthy", Client(false, false))->status, 200);
  EXPECT_EQ(Fetch(endpoint_, "/-/ready", Client(false, false))->status, 200);

  HttpOptions reload = Client(false, false);
  reload.method = "POST";
  EXPECT_EQ(Fetch(endpoint_, "/-/reload", reload)->status, 401);
  reload = Client(false, true);
  reload.method = "POST";
  auto reloaded = Fetch(endpoint_, "/-/reload", reload);
  ASSERT_TRUE(reloaded) << reloaded.error();
  EXPECT_EQ(reloaded->status, 200) << reloaded->body;
}

TEST_F(AgentHttpsTest, ReloadEndpointCanBeSwitchedOff) {
  StartAgent(Protection(false, true, "reload_endpoint = false\n"));
  HttpOptions reload = Client(false, true);
  reload.method = "POST";
  auto refused = Fetch(endpoint_, "/-/reload", reload);
  ASSERT_TRUE(refused) << refused.error();
  EXPECT_EQ(refused->status, 403);
  // SIGHUP's path (a reload on the poll loop) still works.
  std::promise<ConfigErrors> reloaded;
  boost::asio::post(io_, [&] { reloaded.set_value(agent_->Reload()); });
  EXPECT_EQ(reloaded.get_future().get(), ConfigErrors());
}

TEST_F(AgentHttpsTest, ReloadReadsNewCertificatesAndKeepsTheOldOnesOnErrors) {
  StartAgent(Protection(false, true));
  ASSERT_TRUE(MakeServerCert(pki_, dir_.path(), "renewed"));
  HttpOptions reload = Client(false, true);
  reload.method = "POST";

  // The renewed certificate with a key that is not its own: rejected,
  // naming the key file; the running certificate stays.
  std::filesystem::copy_file(dir_.path() / "renewed.crt", pki_.server_cert,
                             std::filesystem::copy_options::overwrite_existing);
  auto rejected = Fetch(endpoint_, "/-/reload", reload);
  ASSERT_TRUE(rejected) << rejected.error();
  EXPECT_EQ(rejected->status, 500);
  EXPECT_NE(rejected->body.find("'key_file': the private key in \"" +
                                pki_.server_key.string() + "\""),
            std::string::npos)
      << rejected->body;
  auto still = Fetch(endpoint_, "/metrics", Client(false, true));
  ASSERT_TRUE(still) << still.error();
  EXPECT_EQ(still->server_cn, "server");
  EXPECT_EQ(SeriesValue(still->body, "dcagent_config_last_reload_successful"),
            0);

  // With its key too: new connections get the renewed certificate.
  std::filesystem::copy_file(dir_.path() / "renewed.key", pki_.server_key,
                             std::filesystem::copy_options::overwrite_existing);
  auto accepted = Fetch(endpoint_, "/-/reload", reload);
  ASSERT_TRUE(accepted) << accepted.error();
  EXPECT_EQ(accepted->status, 200) << accepted->body;
  auto renewed = Fetch(endpoint_, "/metrics", Client(false, true));
  ASSERT_TRUE(renewed) << renewed.error();
  EXPECT_EQ(renewed->server_cn, "renewed");
}

// The HTTP server alone, with a fixed exposition: the gzip body must
// decode to exactly the identity body.
TEST(HttpServerGzip, CompressedBodyDecodesToTheIdentityBody) {
  std::string exposition = "# TYPE dc_pdu_outlet_current_amperes gauge\n";
  for (int i = 0; i < 5000; ++i) {
    exposition += fmt::format(
        "dc_pdu_outlet_current_amperes{{device=\"pdu-{}\",outlet=\"{}\"}} "
        "{}\n",
        i / 24, i % 24, i * 0.01);
  }
  HttpServer::Handlers handlers;
  handlers.metrics = [&] { return Exposition::FromText(exposition); };
  handlers.status_page = [] { return std::string("<html></html>"); };
  handlers.ready = [] { return true; };
  handlers.reload = [](std::function<void(bool, std::string)> reply) {
    reply(true, "ok");
  };
  HttpServer server(std::move(handlers));
  auto endpoint = server.Start("127.0.0.1:0");
  ASSERT_TRUE(endpoint) << endpoint.error();

  auto identity = Fetch(*endpoint, "/metrics");
  ASSERT_TRUE(identity) << identity.error();
  EXPECT_EQ(identity->body, exposition);
  EXPECT_EQ(identity->headers.count("content-encoding"), 0u);

  HttpOptions gzip;
  gzip.headers["Accept-Encoding"] = "gzip";
  auto compressed = Fetch(*endpoint, "/metrics", gzip);
  ASSERT_TRUE(compressed) << compressed.error();
  EXPECT_EQ(compressed->headers["content-encoding"], "gzip");
  EXPECT_EQ(compressed->headers["vary"], "Accept-Encoding");
  EXPECT_LT(compressed->body.size(), exposition.size() / 5);
  EXPECT_EQ(Gunzip(compressed->body), exposition);

  gzip.headers["Accept-Encoding"] = "gzip;q=0, identity";
  EXPECT_EQ(Fetch(*endpoint, "/metrics", gzip)->body, exposition);
  gzip.headers["Accept-Encoding"] = "gzip";
  EXPECT_EQ(Fetch(*endpoint, "/-/healthy", gzip)->body, "Healthy.\n");
}

// Prometheus 2.42 on a free loopback port, scraping the agent over TLS
// with the client certificate and the password (job "dcagent"), and once
// without the certificate (job "dcagent-no-cert", which must be down).
TEST_F(AgentHttpsTest, PrometheusScrapesOverMutualTlsWithBasicAuth) {
  if (!OnPath("prometheus"))
    GTEST_SKIP() << "prometheus is not installed";
  StartAgent(Protection(true, true));
  std::string target = fmt::format("127.0.0.1:{}", endpoint_.port());
  std::string password_file = dir_.Write("password", kPassword).string();
  std::string common = fmt::format(
      "    scheme: https\n"
      "    static_configs:\n"
      "      - targets: ['{}']\n"
      "    basic_auth:\n"
      "      username: prometheus\n"
      "      password_file: {}\n",
      target, password_file);
  std::string config = fmt::format(
      "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
      "scrape_configs:\n"
      "  - job_name: dcagent\n{}"
      "    tls_config:\n"
      "      ca_file: {}\n      cert_file: {}\n      key_file: {}\n"
      "  - job_name: dcagent-no-cert\n{}"
      "    tls_config:\n      ca_file: {}\n",
      common, pki_.ca_cert.string(), pki_.client_cert.string(),
      pki_.client_key.string(), common, pki_.ca_cert.string());
  std::string config_file = dir_.Write("prometheus.yml", config).string();

  // Any free port will do: take one from the kernel and let it go.
  int port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(
        io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  std::vector<std::string> args = {
      "prometheus", "--config.file=" + config_file,
      "--storage.tsdb.path=" + (dir_.path() / "tsdb").string(),
      fmt::format("--web.listen-address=127.0.0.1:{}", port),
      "--log.level=warn"};
  std::vector<char*> argv;
  for (std::string& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::string log = (dir_.path() / "prometheus.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  int spawned =
      posix_spawnp(&pid, "prometheus", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ASSERT_EQ(spawned, 0);
  // Stopped however the test ends.
  std::shared_ptr<void> stop(nullptr, [pid](void*) {
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
  });

  // up of both jobs, once both have been scraped.
  boost::asio::ip::tcp::endpoint prometheus(
      boost::asio::ip::make_address("127.0.0.1"),
      static_cast<unsigned short>(port));
  std::map<std::string, std::string> up;
  for (int i = 0; i < 150 && up.size() < 2; ++i) {
    std::this_thread::sleep_for(200ms);
    auto reply = Fetch(prometheus, "/api/v1/query?query=up");
    if (!reply || reply->status != 200)
      continue;
    auto json = nlohmann::json::parse(reply->body, nullptr, false);
    if (json.is_discarded())
      continue;
    up.clear();
    for (const auto& series : json["data"]["result"]) {
      up[series["metric"]["job"].get<std::string>()] =
          series["value"][1].get<std::string>();
    }
  }
  std::ifstream log_in(log);
  std::string log_text((std::istreambuf_iterator<char>(log_in)), {});
  EXPECT_EQ(up["dcagent"], "1") << log_text;
  EXPECT_EQ(up["dcagent-no-cert"], "0") << log_text;

  // And the scraped data is the agent's.
  auto value =
      Fetch(prometheus, "/api/v1/query?query=dc_ups_battery_charge_ratio");
  ASSERT_TRUE(value) << value.error();
  EXPECT_NE(value->body.find("\"0.75\""), std::string::npos) << value->body;
}

}  // namespace
}  // namespace dc::agent
