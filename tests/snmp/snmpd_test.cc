// The SNMP adapter against net-snmp's real snmpd, through the same entry
// point the agent uses.
#include <utility>  // before Asio

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "collectors/snmp/snmp_protocol.h"
#include "tests/snmp/snmpd_fixture.h"

namespace dc::snmp {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kExtendRows = 30;  // t01..t30, plus "temp"

std::string AgentConfig() {
  std::string conf =
      "rocommunity public 127.0.0.1\n"
      "sysObjectID 1.3.6.1.4.1.99999.1.2\n"
      "sysDescr dcagent test agent\n"
      "sysName test-agent\n"
      "createUser alice SHA-256 alicepass1 AES alicepriv1\n"
      "rouser alice priv\n"
      "createUser carol SHA-512 carolpass1 AES-256 carolpriv1\n"
      "rouser carol priv\n"
      "createUser dave MD5 davepass1 DES davepriv1\n"
      "rouser dave priv\n"
      "createUser erin SHA erinpass1\n"
      "rouser erin auth\n"
      "extend temp /bin/echo 23.5\n";
  for (int i = 1; i <= kExtendRows; ++i) {
    char name[8];
    std::snprintf(name, sizeof(name), "t%02d", i);
    conf += std::string("extend ") + name + " /bin/true\n";
  }
  return conf;
}

class SnmpdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!agent_.Start(AgentConfig(), why))
      GTEST_SKIP() << why;
    protocol_ = MakeSnmpProtocol(io_);
    auto errors = protocol_->LoadProfiles({DC_SNMP_TEST_PROFILES});
    ASSERT_TRUE(errors.empty()) << errors.front();
  }

  TargetConfig Target(SnmpAuth::Version version = SnmpAuth::Version::kV2c) {
    TargetConfig t;
    t.name = "agent";
    t.protocol = "snmp";
    t.address = agent_.address();
    t.request_timeout = 1s;
    t.retries = 1;
    t.max_in_flight = 2;
    t.snmp_auth.name = "test";
    t.snmp_auth.version = version;
    t.snmp_auth.community = Secret("public");
    return t;
  }

  TargetConfig V3Target(std::string auth_password) {
    TargetConfig t = Target(SnmpAuth::Version::kV3);
    t.snmp_auth.username = "alice";
    t.snmp_auth.level = SnmpAuth::Level::kAuthPriv;
    t.snmp_auth.auth_protocol = SnmpAuth::AuthProtocol::kSha256;
    t.snmp_auth.auth_password = Secret(std::move(auth_password));
    t.snmp_auth.priv_protocol = SnmpAuth::PrivProtocol::kAes128;
    t.snmp_auth.priv_password = Secret("alicepriv1");
    return t;
  }

  PollResult Poll(Collector& collector, std::chrono::milliseconds budget) {
    std::optional<PollResult> out;
    collector.Poll(Clock::now() + budget,
                   [&](PollResult r) { out = std::move(r); });
    auto give_up = Clock::now() + budget + 2s;
    while (!out && Clock::now() < give_up)
      io_.run_one_for(50ms);
    if (!out) {
      ADD_FAILURE() << "the poll never called done";
      return {};
    }
    return std::move(*out);
  }

 public:
  static const Sample* Find(const PollResult& r, std::string_view name,
                            std::string_view label = "",
                            std::string_view value = "") {
    for (const Sample& s : r.samples) {
      if (s.name != name)
        continue;
      if (label.empty())
        return &s;
      for (const auto& [k, v] : s.labels) {
        if (k == label && v == value)
          return &s;
      }
    }
    return nullptr;
  }

  static int Count(const PollResult& r, std::string_view name) {
    int n = 0;
    for (const Sample& s : r.samples)
      n += s.name == name;
    return n;
  }

 protected:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_ = boost::asio::make_work_guard(io_);
  testing::Snmpd agent_;
  std::unique_ptr<Protocol> protocol_;
};

int LoopbackMtu() {
  std::ifstream in("/sys/class/net/lo/mtu");
  int mtu = 0;
  in >> mtu;
  return mtu;
}

void ExpectTheTestProfileWasRead(const PollResult& r) {
  ASSERT_TRUE(r.success) << r.error;
  const Sample* temp =
      SnmpdTest::Find(r, "dc_env_temperature_celsius", "sensor", "inlet");
  ASSERT_NE(temp, nullptr);
  EXPECT_DOUBLE_EQ(temp->value, 23.5);
  ASSERT_NE(SnmpdTest::Find(r, "dc_env_water_leak", "sensor", "exit"), nullptr);
  // One row per extend, labelled by the string index.
  EXPECT_EQ(SnmpdTest::Count(r, "dc_env_humidity_ratio"), kExtendRows + 1);
  const Sample* t17 =
      SnmpdTest::Find(r, "dc_env_humidity_ratio", "sensor", "t17");
  ASSERT_NE(t17, nullptr);
  EXPECT_DOUBLE_EQ(t17->value, 5);
  // A label taken from another column.
  if (int mtu = LoopbackMtu(); mtu > 0) {
    const Sample* lo =
        SnmpdTest::Find(r, "dc_env_airflow_ratio", "sensor", "lo");
    ASSERT_NE(lo, nullptr);
    EXPECT_DOUBLE_EQ(lo->value, mtu);
  }
  EXPECT_NE(SnmpdTest::Find(r, "dc_device_info", "profile", "test-netsnmp"),
            nullptr);
  EXPECT_NE(SnmpdTest::Find(r, "dc_device_info", "model", "dcagent test agent"),
            nullptr);
  EXPECT_EQ(r.errors.at(ErrorReason::kNoSuchObject), 1u);
}

TEST_F(SnmpdTest, V2cAutoProfileGetAndBulkWalk) {
  auto collector = protocol_->MakeCollector(Target());
  PollResult first = Poll(*collector, 5s);
  ExpectTheTestProfileWasRead(first);

  // The session and the chosen profile are reused: no detection request.
  PollResult second = Poll(*collector, 5s);
  ExpectTheTestProfileWasRead(second);
  EXPECT_LT(second.requests, first.requests);
}

TEST_F(SnmpdTest, V1WalksWithGetNext) {
  auto collector = protocol_->MakeCollector(Target(SnmpAuth::Version::kV1));
  ExpectTheTestProfileWasRead(Poll(*collector, 5s));
}

TEST_F(SnmpdTest, V3AuthPrivSha256Aes) {
  auto collector = protocol_->MakeCollector(V3Target("alicepass1"));
  ExpectTheTestProfileWasRead(Poll(*collector, 5s));
  ExpectTheTestProfileWasRead(Poll(*collector, 5s));
}

TEST_F(SnmpdTest, V3OtherProtocolsAndLevels) {
  struct Case {
    const char* user;
    SnmpAuth::Level level;
    SnmpAuth::AuthProtocol auth;
    SnmpAuth::PrivProtocol priv;
  };
  const Case cases[] = {
      {"carol", SnmpAuth::Level::kAuthPriv, SnmpAuth::AuthProtocol::kSha512,
       SnmpAuth::PrivProtocol::kAes256},
      {"dave", SnmpAuth::Level::kAuthPriv, SnmpAuth::AuthProtocol::kMd5,
       SnmpAuth::PrivProtocol::kDes},
      {"erin", SnmpAuth::Level::kAuthNoPriv, SnmpAuth::AuthProtocol::kSha1,
       SnmpAuth::PrivProtocol::kAes128},
  };
  for (const Case& c : cases) {
    TargetConfig t = V3Target(std::string(c.user) + "pass1");
    t.snmp_auth.username = c.user;
    t.snmp_auth.level = c.level;
    t.snmp_auth.auth_protocol = c.auth;
    t.snmp_auth.priv_protocol = c.priv;
    t.snmp_auth.priv_password = Secret(std::string(c.user) + "priv1");
    auto collector = protocol_->MakeCollector(t);
    PollResult r = Poll(*collector, 5s);
    EXPECT_TRUE(r.success) << c.user << ": " << r.error;
  }
}

TEST_F(SnmpdTest, V3WrongPasswordIsAnAuthErrorAndGoodPollsStillWork) {
  auto bad = protocol_->MakeCollector(V3Target("wrongpass1"));
  auto start = Clock::now();
  PollResult r = Poll(*bad, 5s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.errors[ErrorReason::kAuth], 1u);
  EXPECT_NE(r.error.find("authentication failed (wrong password or user?)"),
            std::string::npos)
      << r.error;
  EXPECT_LT(Clock::now() - start, 2s);

  auto good = protocol_->MakeCollector(V3Target("alicepass1"));
  ExpectTheTestProfileWasRead(Poll(*good, 5s));
  // And the bad one again, after the good one installed its keys.
  EXPECT_EQ(Poll(*bad, 5s).errors[ErrorReason::kAuth], 1u);
  ExpectTheTestProfileWasRead(Poll(*good, 5s));
}

TEST_F(SnmpdTest, V3UnknownUserIsAnAuthError) {
  TargetConfig t = V3Target("alicepass1");
  t.snmp_auth.username = "mallory";
  auto collector = protocol_->MakeCollector(t);
  PollResult r = Poll(*collector, 5s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.errors[ErrorReason::kAuth], 1u);
  EXPECT_NE(r.error.find("mallory"), std::string::npos) << r.error;
}

TEST_F(SnmpdTest, BigTableBeyondRowLimitIsOversized) {
  TargetConfig t = Target();
  t.max_table_rows = 10;
  t.max_repetitions = 3;
  auto collector = protocol_->MakeCollector(t);
  PollResult r = Poll(*collector, 5s);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.errors[ErrorReason::kOversizedTable], 1u);
  EXPECT_EQ(Count(r, "dc_env_humidity_ratio"), 10);
  EXPECT_NE(Find(r, "dc_env_temperature_celsius"), nullptr);
}

TEST_F(SnmpdTest, NoMatchingProfileFallsBackToDeviceInfo) {
  auto bare = MakeSnmpProtocol(io_);  // no profiles loaded
  auto collector = bare->MakeCollector(Target());
  PollResult r = Poll(*collector, 5s);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_NE(r.error.find("no profile matches sysObjectID "
                         "1.3.6.1.4.1.99999.1.2"),
            std::string::npos)
      << r.error;
  EXPECT_NE(Find(r, "dc_device_info", "model", "dcagent test agent"), nullptr);
  EXPECT_NE(Find(r, "dc_device_info", "profile", "mib2-system"), nullptr);
}

TEST_F(SnmpdTest, ProbeOnlyProfileIsChosenWhenItsSubtreeAnswers) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() /
                 ("dc-snmp-probe-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // nsExtendConfigTable answers on this agent; sysObjectID is not listed.
  std::ofstream(dir / "extend.toml")
      << "[profile]\nname = \"extend-host\"\nclass = \"server\"\n"
         "probe = [\"1.3.6.1.4.1.8072.1.3.2.2\"]\n"
         "[[metric]]\noid = "
         "\"1.3.6.1.4.1.8072.1.3.2.3.1.1.4.116.101.109.112\"\n"
         "type = \"string-number\"\n"
         "metric = \"dc_server_temperature_celsius\"\n"
         "labels = { sensor = \"inlet\" }\n";
  auto probing = MakeSnmpProtocol(io_);
  auto errors = probing->LoadProfiles({dir});
  fs::remove_all(dir);
  ASSERT_TRUE(errors.empty()) << errors.front();
  auto collector = probing->MakeCollector(Target());
  PollResult r = Poll(*collector, 5s);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_TRUE(r.error.empty()) << r.error;
  const Sample* inlet =
      Find(r, "dc_server_temperature_celsius", "sensor", "inlet");
  ASSERT_NE(inlet, nullptr);
  EXPECT_DOUBLE_EQ(inlet->value, 23.5);
  EXPECT_NE(Find(r, "dc_device_info", "profile", "extend-host"), nullptr);
}

TEST_F(SnmpdTest, WrongCommunityTimesOut) {
  TargetConfig t = Target();
  t.snmp_auth.community = Secret("private");
  t.request_timeout = 200ms;
  auto collector = protocol_->MakeCollector(t);
  PollResult r = Poll(*collector, 3s);
  EXPECT_FALSE(r.success);
  EXPECT_GE(r.errors[ErrorReason::kTimeout], 1u);
  EXPECT_NE(r.error.find("wrong community"), std::string::npos) << r.error;
}

// A port with a socket that never answers: requests vanish.
TEST(SnmpTimeout, SilentPortIsATimeoutWithinTheDeadline) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    GTEST_SKIP() << "no free UDP port on 127.0.0.1 (ephemeral ports "
                    "exhausted by another process)";
  }
  socklen_t length = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  auto protocol = MakeSnmpProtocol(io);
  TargetConfig t;
  t.address = "udp:127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  t.request_timeout = 200ms;
  t.retries = 1;
  t.snmp_auth.community = Secret("public");
  auto collector = protocol->MakeCollector(t);

  for (int poll = 0; poll < 2; ++poll) {
    std::optional<PollResult> out;
    auto start = Clock::now();
    collector->Poll(start + 2s, [&](PollResult r) { out = std::move(r); });
    while (!out && Clock::now() < start + 4s)
      io.run_one_for(50ms);
    ASSERT_TRUE(out);
    EXPECT_LT(Clock::now() - start, 1s);  // 2 tries of 200 ms
    EXPECT_FALSE(out->success);
    EXPECT_EQ(out->errors[ErrorReason::kTimeout], 1u);
    EXPECT_NE(out->error.find("no reply from"), std::string::npos);
  }
  close(fd);
}

// The poll deadline wins over a long request timeout.
TEST(SnmpTimeout, PollDeadlineEndsThePoll) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    GTEST_SKIP() << "no free UDP port on 127.0.0.1 (ephemeral ports "
                    "exhausted by another process)";
  }
  socklen_t length = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  auto protocol = MakeSnmpProtocol(io);
  TargetConfig t;
  t.address = "udp:127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  t.request_timeout = 10s;
  t.snmp_auth.community = Secret("public");
  auto collector = protocol->MakeCollector(t);
  std::optional<PollResult> out;
  auto start = Clock::now();
  collector->Poll(start + 300ms, [&](PollResult r) { out = std::move(r); });
  while (!out && Clock::now() < start + 3s)
    io.run_one_for(50ms);
  ASSERT_TRUE(out);
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(out->errors[ErrorReason::kTimeout], 1u);
  EXPECT_NE(out->error.find("deadline"), std::string::npos) << out->error;

  // Destroying a collector with a poll in flight never calls done.
  bool called = false;
  collector->Poll(Clock::now() + 200ms, [&](PollResult) { called = true; });
  collector.reset();
  io.run_for(400ms);
  EXPECT_FALSE(called);
  close(fd);
}

TEST(SnmpProtocol, CheckTargetNamesEachProblem) {
  boost::asio::io_context io;
  auto protocol = MakeSnmpProtocol(io);
  TargetConfig t;
  t.name = "ups1";
  t.address = "tcp:10.0.0.1:502";
  t.profile = "nope";
  t.snmp_auth.name = "v3";
  t.snmp_auth.version = SnmpAuth::Version::kV3;
  t.snmp_auth.level = SnmpAuth::Level::kAuthPriv;
  t.snmp_auth.auth_password = Secret("short");
  t.snmp_auth.priv_password = Secret("longenough");
  auto problems = protocol->CheckTarget(t);
  std::string all;
  for (const auto& p : problems)
    all += p.key + ": " + p.message + "\n";
  EXPECT_NE(all.find("address: "), std::string::npos) << all;
  EXPECT_NE(all.find("udp:HOST:PORT"), std::string::npos) << all;
  // The profile is the loader's to check (HasProfile), not repeated here.
  EXPECT_EQ(all.find("nope"), std::string::npos) << all;
  EXPECT_NE(all.find("auth: SNMPv3 credentials 'v3' need a username"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("auth password needs at least 8"), std::string::npos);
  EXPECT_EQ(all.find("priv password"), std::string::npos);

  TargetConfig ok;
  ok.address = "udp:127.0.0.1:1161";
  ok.snmp_auth.community = Secret("public");
  EXPECT_TRUE(protocol->CheckTarget(ok).empty());
  for (const char* address : {"udp:10.1.2.3", "10.1.2.3", "udp6:[::1]:161",
                              "udp:ups-7.example.net:16100"}) {
    ok.address = address;
    EXPECT_TRUE(protocol->CheckTarget(ok).empty()) << address;
  }
  for (const char* address :
       {"udp:", "udp:10.1.2.3:0", "udp:h:99999", "udp6:[::1", "udp:h:x"}) {
    ok.address = address;
    EXPECT_FALSE(protocol->CheckTarget(ok).empty()) << address;
  }
}

}  // namespace
}  // namespace dc::snmp
