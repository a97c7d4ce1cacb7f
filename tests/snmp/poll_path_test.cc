// The SNMP poll path's handling of what agents do around the values:
// replies short of varbinds, host names instead of addresses, and device
// info read once and then served from memory.
#include <utility>  // before Asio

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "collectors/snmp/netsnmp.h"
#include "collectors/snmp/netsnmp_library.h"
#include "collectors/snmp/snmp_protocol.h"
#include "tests/snmp/snmpd_fixture.h"

namespace dc::snmp {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A v2c agent in a child process on a free loopback port that answers
// every request with only its first `keep` varbinds, each an INTEGER 7.
class ShortReplyAgent {
 public:
  explicit ShortReplyAgent(int keep) {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    pid_ = fork();
    if (pid_ == 0) {
      Serve(keep);
      _exit(0);
    }
  }
  ~ShortReplyAgent() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(fd_);
  }

  std::string address() const {
    return "udp:127.0.0.1:" + std::to_string(port_);
  }

 private:
  void Serve(int keep) {
    InitNetSnmpLibrary();
    for (;;) {
      u_char buffer[4096];
      sockaddr_in from{};
      socklen_t from_length = sizeof(from);
      ssize_t n = recvfrom(fd_, buffer, sizeof(buffer), 0,
                           reinterpret_cast<sockaddr*>(&from), &from_length);
      if (n <= 0)
        continue;
      // Message: SEQUENCE { version, community, PDU }.
      size_t length = static_cast<size_t>(n);
      u_char type = 0;
      u_char* data = asn_parse_sequence(buffer, &length, &type,
                                        ASN_SEQUENCE | ASN_CONSTRUCTOR, "msg");
      long version = 0;
      if (data)
        data = asn_parse_int(data, &length, &type, &version, sizeof(version));
      u_char community[64];
      size_t community_length = sizeof(community);
      if (data) {
        data = asn_parse_string(data, &length, &type, community,
                                &community_length);
      }
      netsnmp_pdu* pdu = snmp_pdu_create(0);
      if (!data || snmp_pdu_parse(pdu, data, &length) != 0) {
        snmp_free_pdu(pdu);
        continue;
      }

      // The reply: the first `keep` varbinds only.
      pdu->command = SNMP_MSG_RESPONSE;
      pdu->errstat = 0;
      pdu->errindex = 0;
      pdu->version = SNMP_VERSION_2c;
      pdu->community = static_cast<u_char*>(malloc(community_length));
      std::memcpy(pdu->community, community, community_length);
      pdu->community_len = community_length;
      netsnmp_variable_list* var = pdu->variables;
      for (int i = 1; var && i < keep; ++i)
        var = var->next_variable;
      if (var) {
        snmp_free_varbind(var->next_variable);
        var->next_variable = nullptr;
      }
      long seven = 7;
      for (var = pdu->variables; var; var = var->next_variable) {
        snmp_set_var_typed_value(var, ASN_INTEGER, &seven, sizeof(seven));
      }

      netsnmp_session session;
      snmp_sess_init(&session);
      session.version = SNMP_VERSION_2c;
      size_t out_length = 4096;
      size_t offset = 0;
      auto* out = static_cast<u_char*>(malloc(out_length));
      if (snmp_build(&out, &out_length, &offset, &session, pdu) == 0) {
        // Built from the end of the buffer backwards.
        u_char* start = offset ? out + out_length - offset : out;
        size_t size = offset ? offset : out_length;
        sendto(fd_, start, size, 0, reinterpret_cast<sockaddr*>(&from),
               from_length);
      }
      free(out);
      snmp_free_pdu(pdu);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  pid_t pid_ = -1;
};

class PollPathTest : public ::testing::Test {
 protected:
  void SetUp() override { protocol_ = MakeSnmpProtocol(io_); }

  void LoadProfiles(const std::string& dir) {
    auto errors = protocol_->LoadProfiles({dir});
    ASSERT_TRUE(errors.empty()) << errors.front();
  }

  TargetConfig Target(std::string address, std::string profile) {
    TargetConfig t;
    t.name = "device";
    t.protocol = "snmp";
    t.address = std::move(address);
    t.profile = std::move(profile);
    t.request_timeout = 1s;
    t.retries = 1;
    t.snmp_auth.name = "test";
    t.snmp_auth.version = SnmpAuth::Version::kV2c;
    t.snmp_auth.community = Secret("public");
    return t;
  }

  PollResult Poll(Collector& collector) {
    std::optional<PollResult> out;
    collector.Poll(Clock::now() + 3s,
                   [&](PollResult r) { out = std::move(r); });
    auto give_up = Clock::now() + 6s;
    while (!out && Clock::now() < give_up)
      io_.run_one_for(50ms);
    if (!out) {
      ADD_FAILURE() << "the poll never called done";
      return {};
    }
    return std::move(*out);
  }

  static std::uint64_t Errors(const PollResult& r, ErrorReason reason) {
    auto it = r.errors.find(reason);
    return it == r.errors.end() ? 0 : it->second;
  }

  static const Sample* Find(const PollResult& r, std::string_view name) {
    for (const Sample& s : r.samples) {
      if (s.name == name)
        return &s;
    }
    return nullptr;
  }

  boost::asio::io_context io_;
  std::unique_ptr<Protocol> protocol_;
};

TEST_F(PollPathTest, ShortGetReplyKeepsItsValuesAndCountsTheMissingOnes) {
  auto dir = std::filesystem::temp_directory_path() /
             ("dc-short-reply-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "four.toml") << R"(
[profile]
name = "four-scalars"
class = "environment"
vendor = "test"
source = "test"

[[metric]]
oid = "1.3.6.1.4.1.99999.7.1.0"
metric = "dc_env_water_leak"
labels = { sensor = "a" }

[[metric]]
oid = "1.3.6.1.4.1.99999.7.2.0"
metric = "dc_env_water_leak"
labels = { sensor = "b" }

[[metric]]
oid = "1.3.6.1.4.1.99999.7.3.0"
metric = "dc_env_water_leak"
labels = { sensor = "c" }

[[metric]]
oid = "1.3.6.1.4.1.99999.7.4.0"
metric = "dc_env_water_leak"
labels = { sensor = "d" }
)";
  LoadProfiles(dir.string());
  ShortReplyAgent agent(/*keep=*/2);

  auto collector =
      protocol_->MakeCollector(Target(agent.address(), "four-scalars"));
  PollResult r = Poll(*collector);
  std::filesystem::remove_all(dir);

  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.items_read, 2u);
  EXPECT_EQ(Errors(r, ErrorReason::kDecode), 2u);
  std::vector<std::string> sensors;
  for (const Sample& s : r.samples) {
    for (const auto& [k, v] : s.labels) {
      if (k == "sensor")
        sensors.push_back(v);
    }
  }
  std::sort(sensors.begin(), sensors.end());
  EXPECT_EQ(sensors, (std::vector<std::string>{"a", "b"}));
}

class SnmpdPollPathTest : public PollPathTest {
 protected:
  void SetUp() override {
    std::string why;
    if (!agent_.Start("rocommunity public 127.0.0.1\n"
                      "sysObjectID 1.3.6.1.4.1.99999.1.2\n"
                      "sysDescr dcagent test agent\n"
                      "sysName test-agent\n"
                      "extend temp /bin/echo 23.5\n",
                      why)) {
      GTEST_SKIP() << why;
    }
    PollPathTest::SetUp();
    LoadProfiles(DC_SNMP_TEST_PROFILES);
  }

  testing::Snmpd agent_;
};

TEST_F(SnmpdPollPathTest, HostNameIsResolvedBeforeTheSessionOpens) {
  std::string address = "udp:localhost:" + std::to_string(agent_.port());
  auto collector = protocol_->MakeCollector(Target(address, "auto"));
  PollResult r = Poll(*collector);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_NE(Find(r, "dc_device_info"), nullptr);
}

TEST_F(SnmpdPollPathTest, DeviceInfoIsReadOnceAndServedAfterwards) {
  auto collector =
      protocol_->MakeCollector(Target(agent_.address(), "test-netsnmp"));
  PollResult first = Poll(*collector);
  PollResult second = Poll(*collector);
  ASSERT_TRUE(first.success) << first.error;
  ASSERT_TRUE(second.success) << second.error;

  // test-netsnmp reads two info OIDs (model, firmware); the second poll
  // leaves them out and serves the same labels.
  EXPECT_EQ(second.items_read + 2, first.items_read);
  const Sample* info_first = Find(first, "dc_device_info");
  const Sample* info_second = Find(second, "dc_device_info");
  ASSERT_NE(info_first, nullptr);
  ASSERT_NE(info_second, nullptr);
  EXPECT_EQ(info_first->labels, info_second->labels);
  bool has_model = false;
  for (const auto& [k, v] : info_second->labels) {
    if (k == "model")
      has_model = v == "dcagent test agent";
  }
  EXPECT_TRUE(has_model);
}

// After a poll has shown how many rows each table has, the next walks
// ask for one row more than that and share one GETBULK, with the same
// series as a result.
TEST_F(SnmpdPollPathTest, KnownTablesAreWalkedTogetherSizedByTheLastPoll) {
  TargetConfig target = Target(agent_.address(), "test-netsnmp");
  target.max_repetitions = 50;
  auto collector = protocol_->MakeCollector(target);
  PollResult first = Poll(*collector);
  PollResult second = Poll(*collector);
  PollResult third = Poll(*collector);
  ASSERT_TRUE(first.success) << first.error;
  ASSERT_TRUE(second.success) << second.error;
  ASSERT_TRUE(third.success) << third.error;

  // First: one GET (info and metrics), one walk per table. Then: one GET
  // (metrics only) and one walk for both tables.
  EXPECT_EQ(first.requests, 3u);
  EXPECT_EQ(second.requests, 2u);
  EXPECT_EQ(third.requests, 2u);

  auto series = [](const PollResult& r) {
    std::vector<std::pair<std::string, Labels>> out;
    for (const Sample& s : r.samples)
      out.emplace_back(s.name, s.labels);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(series(second), series(first));
  EXPECT_EQ(series(third), series(first));
  EXPECT_EQ(second.items_read + 2, first.items_read);  // the two info OIDs
  EXPECT_EQ(third.items_read, second.items_read);
  EXPECT_EQ(second.errors, first.errors);
  EXPECT_EQ(Errors(second, ErrorReason::kTooBig), 0u);
}

}  // namespace
}  // namespace dc::snmp
