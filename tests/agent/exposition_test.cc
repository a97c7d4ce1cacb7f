// The /metrics exposition as pieces: the same text as joining everything
// into one buffer, gzip over the pieces, and the HTTP server writing the
// pieces (plain and TLS, GET and HEAD) or compressing them.
#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "agent/device_series.h"
#include "agent/exposition.h"
#include "agent/gzip.h"
#include "agent/http_server.h"
#include "agent/tls_context.h"
#include "tests/agent/fakes.h"
#include "tests/agent/web_test_support.h"

namespace dc::agent {
namespace {

using namespace dc::agent::testing;

// `targets` views of PDUs with 24 outlets each, every third one down.
std::vector<std::shared_ptr<const TargetView>> PduViews(int targets) {
  std::vector<std::shared_ptr<const TargetView>> views;
  for (int t = 0; t < targets; ++t) {
    auto info = std::make_shared<TargetInfo>();
    info->name = fmt::format("pdu-{}", t);
    auto view = std::make_shared<TargetView>();
    view->info = info;
    if (t % 3 != 2) {
      std::vector<Sample> samples;
      for (int o = 1; o <= 24; ++o) {
        samples.push_back(MakeSample("dc_pdu_outlet_amperes",
                                     {{"outlet", std::to_string(o)}},
                                     0.1 * o + t));
        samples.push_back(MakeSample("dc_pdu_outlet_watts",
                                     {{"outlet", std::to_string(o)}},
                                     23.0 * o + t));
      }
      view->snapshot = DeviceSnapshot::Build(samples, {{"device", info->name}});
    }
    views.push_back(std::move(view));
  }
  return views;
}

TEST(ExpositionTest, PiecesJoinToTheRegistryTargetsAndDeviceSeries) {
  SelfMetrics metrics("test");
  auto views = PduViews(30);
  auto exposition = BuildExposition(metrics, views);

  // The same text built independently: one buffer, appended in order.
  std::string expected = RenderExposition(metrics, {});
  std::vector<const DeviceSnapshot*> snapshots;
  for (const auto& view : views) {
    if (view->snapshot)
      snapshots.push_back(view->snapshot.get());
  }
  AppendDeviceSeries(snapshots, expected);

  EXPECT_EQ(exposition->Join(), expected);
  EXPECT_EQ(exposition->size(), expected.size());
  // Per family a header, then one piece per target that has it.
  EXPECT_GE(exposition->pieces().size(), 2 * (1 + 20));
}

TEST(ExpositionTest, PiecesOutliveTheViewsThatMadeThem) {
  SelfMetrics metrics("test");
  auto views = PduViews(5);
  auto exposition = BuildExposition(metrics, views);
  std::string before = exposition->Join();
  views.clear();  // a poll replaced every snapshot meanwhile
  EXPECT_EQ(exposition->Join(), before);
  EXPECT_NE(before.find("dc_pdu_outlet_watts{device=\"pdu-4\""),
            std::string::npos);
}

TEST(GzipPiecesTest, RoundTripsSmallLargeEmptyAndIncompressiblePieces) {
  std::mt19937 random(7);
  std::vector<std::string> texts;
  texts.push_back("");
  for (int i = 0; i < 3000; ++i)
    texts.push_back(fmt::format("line {} of the exposition\n", i));
  // Larger than the staging buffer, and random bytes, which do not shrink:
  // the output must grow past its first guess.
  std::string noise(300 * 1024, '\0');
  for (char& c : noise)
    c = static_cast<char>(random());
  texts.push_back(noise);
  texts.push_back("");
  texts.push_back("tail\n");

  std::vector<std::string_view> pieces(texts.begin(), texts.end());
  std::string joined;
  for (const std::string& text : texts)
    joined += text;
  EXPECT_EQ(Gunzip(Gzip(pieces)), joined);
  EXPECT_EQ(Gunzip(Gzip(std::span<const std::string_view>())), "");
}

class ExpositionOverHttpTest : public ::testing::Test {
 protected:
  void Start(bool tls) {
    metrics_ = std::make_unique<SelfMetrics>("test");
    views_ = PduViews(3000);  // about 8 MB of text in 4,000 pieces
    HttpServer::Handlers handlers;
    handlers.metrics = [this] { return BuildExposition(*metrics_, views_); };
    handlers.status_page = [] { return std::string("<html></html>"); };
    handlers.ready = [] { return true; };
    handlers.reload = [](std::function<void(bool, std::string)> reply) {
      reply(true, "ok");
    };
    server_ = std::make_unique<HttpServer>(std::move(handlers));
    if (tls) {
      auto pki = MakeTestPki(dir_.path());
      ASSERT_TRUE(pki);
      WebSecurity security;
      TlsFiles files;
      files.cert_file = pki->server_cert;
      files.key_file = pki->server_key;
      auto context = MakeServerTlsContext(files);
      ASSERT_TRUE(context) << context.error().message;
      security.tls_files = files;
      security.tls = *context;
      server_->SetSecurity(std::move(security));
      client_.ca_cert = pki->ca_cert;
    }
    auto endpoint = server_->Start("127.0.0.1:0");
    ASSERT_TRUE(endpoint) << endpoint.error();
    endpoint_ = *endpoint;
  }

  // The body must be the exposition's text; the agent-wide series hold
  // the same values between requests here, since nothing polls.
  void ExpectIdentityHeadAndGzip() {
    std::string expected = BuildExposition(*metrics_, views_)->Join();
    ASSERT_GT(expected.size(), 4u << 20);

    auto identity = Fetch(endpoint_, "/metrics", client_);
    ASSERT_TRUE(identity) << identity.error();
    EXPECT_EQ(identity->status, 200);
    EXPECT_EQ(identity->headers["content-length"],
              std::to_string(expected.size()));
    EXPECT_EQ(identity->headers.count("content-encoding"), 0u);
    EXPECT_TRUE(identity->body == expected)
        << "bodies differ; sizes " << identity->body.size() << " and "
        << expected.size();

    HttpOptions head = client_;
    head.method = "HEAD";
    auto headers = Fetch(endpoint_, "/metrics", head);
    ASSERT_TRUE(headers) << headers.error();
    EXPECT_EQ(headers->headers["content-length"],
              std::to_string(expected.size()));
    EXPECT_TRUE(headers->body.empty());

    HttpOptions gzip = client_;
    gzip.headers["Accept-Encoding"] = "gzip";
    auto compressed = Fetch(endpoint_, "/metrics", gzip);
    ASSERT_TRUE(compressed) << compressed.error();
    EXPECT_EQ(compressed->headers["content-encoding"], "gzip");
    EXPECT_LT(compressed->body.size(), expected.size() / 5);
    EXPECT_TRUE(Gunzip(compressed->body) == expected);
  }

  ScratchDir dir_;
  std::unique_ptr<SelfMetrics> metrics_;
  std::vector<std::shared_ptr<const TargetView>> views_;
  std::unique_ptr<HttpServer> server_;
  HttpOptions client_;
  boost::asio::ip::tcp::endpoint endpoint_;
};

TEST_F(ExpositionOverHttpTest, PlainHttpServesThePiecesInOrder) {
  Start(false);
  ExpectIdentityHeadAndGzip();
}

TEST_F(ExpositionOverHttpTest, TlsServesThePiecesInOrder) {
  if (!OnPath("openssl"))
    GTEST_SKIP() << "the openssl command is not installed";
  Start(true);
  ExpectIdentityHeadAndGzip();
}

}  // namespace
}  // namespace dc::agent
