// The configuration loader: every problem is reported with its
// FILE:LINE:COLUMN, all of them at once, and a valid file yields exactly
// what it says.
#include <algorithm>
#include <cstdlib>
#include <sstream>

#include <gtest/gtest.h>

#include "agent/config.h"
#include "tests/agent/fakes.h"

namespace dc::agent {
namespace {

using namespace dc::agent::testing;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("DC_TEST_COMMUNITY", "s3cret-community", 1);
    unsetenv("DC_TEST_UNSET_VAR");
    setenv("DC_TEST_SHORT", "short", 1);
    protocols_.Add(std::make_unique<FakeProtocol>(io_, world_, "snmp"));
    protocols_.Add(std::make_unique<FakeProtocol>(io_, world_, "modbus"));
  }

  std::expected<AgentConfig, ConfigErrors> Load(const std::string& text) {
    path_ = WriteTempFile("cfg.toml", text);
    return LoadConfig(path_, protocols_);
  }

  boost::asio::io_context io_;
  FakeWorld world_;
  ProtocolSet protocols_;
  std::filesystem::path path_;
};

constexpr const char* kAuth =
    "[snmp.auth.pub]\n"
    "community_env = \"DC_TEST_COMMUNITY\"\n";

// An SNMP target on lines 3 to 7 after kAuth, plus `extra` lines from 8.
std::string SnmpTarget(const std::string& extra) {
  return std::string(kAuth) +
         "[[target]]\n"
         "name = \"a\"\n"
         "protocol = \"snmp\"\n"
         "address = \"udp:127.0.0.1\"\n"
         "auth = \"pub\"\n" +
         extra;
}

// The errors one per line, for a failure message.
std::string Lines(const ConfigErrors& errors) {
  std::string all;
  for (const std::string& error : errors)
    all += error + "\n";
  return all;
}

struct ErrorCase {
  std::string test_name;
  std::string config;
  // "LINE:COLUMN: message" expected after the file name.
  std::string expected;
};

// Names the case in gtest's output (and ctest's list) instead of dumping
// the struct's bytes.
void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << c.test_name;
}

class ConfigErrorTest : public ConfigTest,
                        public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(ConfigErrorTest, NamesFileLineAndColumn) {
  const ErrorCase& c = GetParam();
  auto config = Load(c.config);
  ASSERT_FALSE(config.has_value()) << "accepted:\n" << c.config;
  std::string expected = path_.string() + ":" + c.expected;
  bool found = std::ranges::any_of(config.error(), [&](const std::string& e) {
    return e.starts_with(expected);
  });
  std::string all = Lines(config.error());
  EXPECT_TRUE(found) << "expected a line starting with\n  " << expected
                     << "\ngot:\n"
                     << all;
}

INSTANTIATE_TEST_SUITE_P(
    EveryKindOfMistake, ConfigErrorTest,
    ::testing::Values(
        ErrorCase{"UnknownAgentKey", "[agent]\nlisen = \"127.0.0.1:9633\"\n",
                  "2:1: [agent]: unknown key 'lisen'"},
        ErrorCase{"WrongType", "[agent]\nmax_in_flight = \"10\"\n",
                  "2:17: [agent]: 'max_in_flight' must be an integer"},
        ErrorCase{"OutOfRange", "[agent]\nmax_in_flight = 0\n",
                  "2:17: [agent]: 'max_in_flight': must be between 1"},
        ErrorCase{"BadListen", "[agent]\nlisten = \"9633\"\n",
                  "2:10: [agent]: 'listen': \"9633\" is not HOST:PORT"},
        ErrorCase{"BadLogLevel", "[agent]\nlog_level = \"loud\"\n",
                  "2:13: [agent]: 'log_level': must be one of"},
        ErrorCase{"BatchWindowTooLong", "[agent]\nbatch_window = \"5m\"\n",
                  "2:16: [agent]: 'batch_window': must be at most \"1m\""},
        ErrorCase{"BatchWindowNotADuration",
                  "[agent]\nbatch_window = \"none\"\n",
                  "2:16: [agent]: 'batch_window' = \"none\" is not a "
                  "duration"},
        ErrorCase{"BadDuration", SnmpTarget("interval = \"30 seconds\"\n"),
                  "8:12: [[target]] 'a': 'interval' = \"30 seconds\" is not "
                  "a duration"},
        ErrorCase{"DuplicateName",
                  SnmpTarget("[[target]]\nname = \"a\"\nprotocol = "
                             "\"snmp\"\naddress = \"udp:127.0.0.2\"\nauth = "
                             "\"pub\"\n"),
                  "9:8: [[target]] 'a': 'name': duplicate target name; "
                  "first defined at "},
        ErrorCase{"DanglingAuth",
                  std::string(kAuth) +
                      "[[target]]\nname = \"a\"\nprotocol = \"snmp\"\n"
                      "address = \"udp:127.0.0.1\"\nauth = \"nope\"\n",
                  "7:8: [[target]] 'a': 'auth': no [snmp.auth.nope] section "
                  "defines it"},
        ErrorCase{"DanglingProfile", SnmpTarget("profile = \"nope-ups\"\n"),
                  "8:11: [[target]] 'a': 'profile': no snmp profile named "
                  "\"nope-ups\" is loaded"},
        ErrorCase{"InvalidLabelName", SnmpTarget("labels = { 9x = \"x\" }\n"),
                  "8:12: [[target]] 'a': label name '9x' is not valid"},
        ErrorCase{"ReservedDeviceLabel",
                  SnmpTarget("labels = { device = \"x\" }\n"),
                  "8:12: [[target]] 'a': label 'device' is reserved"},
        ErrorCase{"ReservedSchemaLabel",
                  SnmpTarget("labels = { site = \"x\", phase = \"L1\" }\n"),
                  "8:24: [[target]] 'a': label 'phase' is reserved"},
        ErrorCase{"LabelValueNotString", SnmpTarget("labels = { rack = 7 }\n"),
                  "8:19: [[target]] 'a': label 'rack' must be a string"},
        ErrorCase{"AddressRejectedByProtocol",
                  std::string(kAuth) +
                      "[[target]]\nname = \"a\"\nprotocol = \"snmp\"\n"
                      "address = \"http://x\"\nauth = \"pub\"\n",
                  "6:11: [[target]] 'a': 'address': address must start with "
                  "udp: or tcp:"},
        ErrorCase{"TimeoutLongerThanInterval",
                  SnmpTarget("interval = \"10s\"\ntimeout = \"20s\"\n"),
                  "9:11: [[target]] 'a': 'timeout': the poll timeout "
                  "(20000ms) must not exceed the interval"},
        ErrorCase{"MissingName",
                  std::string(kAuth) +
                      "[[target]]\nprotocol = \"snmp\"\naddress = "
                      "\"udp:127.0.0.1\"\nauth = \"pub\"\n",
                  "3:1: [[target]]: missing required key 'name'"},
        ErrorCase{"UnknownProtocol",
                  "[[target]]\nname = \"a\"\nprotocol = \"bacnet\"\n"
                  "address = \"udp:1.2.3.4\"\n",
                  "3:12: [[target]] 'a': 'protocol': unknown protocol "
                  "\"bacnet\""},
        ErrorCase{"UnknownTargetKey", SnmpTarget("intervall = \"30s\"\n"),
                  "8:1: [[target]] 'a': unknown key 'intervall'"},
        ErrorCase{"KeyOfTheOtherProtocol",
                  "[[target]]\nname = \"m\"\nprotocol = \"modbus\"\n"
                  "address = \"tcp:127.0.0.1:502\"\nauth = \"pub\"\n",
                  "5:8: [[target]] 'm': 'auth': does not apply to Modbus "
                  "targets"},
        ErrorCase{"SnmpTargetWithoutAuth",
                  "[[target]]\nname = \"a\"\nprotocol = \"snmp\"\n"
                  "address = \"udp:127.0.0.1\"\n",
                  "1:1: [[target]] 'a': missing required key 'auth'"},
        ErrorCase{"UnsetEnvironmentVariable",
                  "[snmp.auth.pub]\ncommunity_env = \"DC_TEST_UNSET_VAR\"\n",
                  "2:17: [snmp.auth.pub]: 'community_env': environment "
                  "variable DC_TEST_UNSET_VAR is not set or empty"},
        ErrorCase{"MissingCommunity", "[snmp.auth.pub]\nversion = \"2c\"\n",
                  "1:1: [snmp.auth.pub]: 'community_file': missing"},
        ErrorCase{"UnreadableSecretFile",
                  "[snmp.auth.pub]\ncommunity_file = \"/nonexistent/c\"\n",
                  "2:18: [snmp.auth.pub]: 'community_file': cannot read"},
        ErrorCase{"CommunityOnV3",
                  "[snmp.auth.v3]\nversion = \"3\"\nusername = \"u\"\n"
                  "security_level = \"noAuthNoPriv\"\n"
                  "community_env = \"DC_TEST_COMMUNITY\"\n",
                  "5:17: [snmp.auth.v3]: 'community_env': does not apply to "
                  "SNMPv3"},
        ErrorCase{"ShortV3Password",
                  "[snmp.auth.v3]\nversion = \"3\"\nusername = \"u\"\n"
                  "security_level = \"authNoPriv\"\n"
                  "auth_password_env = \"DC_TEST_SHORT\"\n",
                  "5:21: [snmp.auth.v3]: 'auth_password_env': the password "
                  "must be at least 8 characters"},
        ErrorCase{"BadAuthProtocol",
                  "[snmp.auth.v3]\nversion = \"3\"\nusername = \"u\"\n"
                  "security_level = \"authNoPriv\"\n"
                  "auth_protocol = \"SHA-1\"\n"
                  "auth_password_env = \"DC_TEST_COMMUNITY\"\n",
                  "5:17: [snmp.auth.v3]: 'auth_protocol': must be MD5, SHA"},
        ErrorCase{"TomlSyntax", "[agent]\nlisten = \"127.0.0.1:9633\n", "2:"}),
    [](const ::testing::TestParamInfo<ErrorCase>& param) {
      return param.param.test_name;
    });

// The broken section is the one problem: the targets that name it are not
// also reported, one line each, for its missing community.
TEST_F(ConfigTest, ABrokenAuthSectionIsReportedOnceNotOncePerTarget) {
  std::string text = "[snmp.auth.pub]\ncommunity_env = \"DC_TEST_UNSET_VAR\"\n";
  for (const char* name : {"a", "b", "c"}) {
    text += std::string("[[target]]\nname = \"") + name +
            "\"\nprotocol = \"snmp\"\naddress = \"udp:127.0.0.1\"\n"
            "auth = \"pub\"\n";
  }
  auto config = Load(text);
  ASSERT_FALSE(config);
  std::string all = Lines(config.error());
  ASSERT_EQ(config.error().size(), 1u) << all;
  EXPECT_NE(all.find(":2:17: [snmp.auth.pub]: 'community_env'"),
            std::string::npos)
      << all;

  // Other problems of those targets are still reported.
  text +=
      "[[target]]\nname = \"d\"\nprotocol = \"snmp\"\n"
      "address = \"http://x\"\nauth = \"pub\"\n";
  config = Load(text);
  ASSERT_FALSE(config);
  all = Lines(config.error());
  ASSERT_EQ(config.error().size(), 2u) << all;
  EXPECT_NE(all.find(":21:11: [[target]] 'd': 'address': address must start"),
            std::string::npos)
      << all;
}

// An auth entry that is not a table is one problem too, not also a dangling
// name for each target.
TEST_F(ConfigTest, AnAuthEntryThatIsNotATableIsReportedOnce) {
  auto config = Load(
      "[snmp.auth]\npub = \"public\"\n"
      "[[target]]\nname = \"a\"\nprotocol = \"snmp\"\n"
      "address = \"udp:127.0.0.1\"\nauth = \"pub\"\n");
  ASSERT_FALSE(config);
  std::string all = Lines(config.error());
  ASSERT_EQ(config.error().size(), 1u) << all;
  EXPECT_NE(all.find("'pub' must be a table such as [snmp.auth.pub]"),
            std::string::npos)
      << all;
}

TEST_F(ConfigTest, ReportsEveryProblemNotJustTheFirst) {
  auto config = Load(SnmpTarget(
      "interval = \"soon\"\nlabels = { device = \"x\" }\nbogus = 1\n"));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().size(), 3u);
}

TEST_F(ConfigTest, ValidFileYieldsWhatItSays) {
  std::filesystem::path secret = WriteTempFile("community", "c0mmunity\n");
  setenv("DC_TEST_AUTHPASS", "auth-password-1", 1);
  setenv("DC_TEST_PRIVPASS", "priv-password-1", 1);
  auto config = Load(
      "[agent]\n"
      "listen = \"127.0.0.1:0\"\n"
      "max_in_flight = 64\n"
      "interval = \"1m\"\n"
      "request_timeout = \"2s\"\n"
      "[snmp.auth.pub]\n"
      "version = \"2c\"\n"
      "community_file = \"community\"\n"  // relative to the config
      "[snmp.auth.secure]\n"
      "version = \"3\"\n"
      "username = \"monitor\"\n"
      "security_level = \"authPriv\"\n"
      "auth_protocol = \"SHA-256\"\n"
      "auth_password_env = \"DC_TEST_AUTHPASS\"\n"
      "priv_protocol = \"AES-256\"\n"
      "priv_password_env = \"DC_TEST_PRIVPASS\"\n"
      "context = \"ctx\"\n"
      "[[target]]\n"
      "name = \"ups-a\"\n"
      "protocol = \"snmp\"\n"
      "address = \"udp:10.0.0.5:161\"\n"
      "auth = \"pub\"\n"
      "profile = \"ups\"\n"
      "interval = \"30s\"\n"
      "labels = { site = \"dc1\", room = \"hall-1\", rack = \"R01\" }\n"
      "[[target]]\n"
      "name = \"pdu-b\"\n"
      "protocol = \"snmp\"\n"
      "address = \"udp:10.0.0.6\"\n"
      "auth = \"secure\"\n"
      "max_repetitions = 20\n"
      "[[target]]\n"
      "name = \"meter-c\"\n"
      "protocol = \"modbus\"\n"
      "address = \"tcp:10.0.0.9:502\"\n"
      "profile = \"pdu\"\n"
      "unit = 3\n"
      "pause = \"20ms\"\n"
      "max_registers_per_read = 60\n");
  ASSERT_TRUE(config) << config.error().front();

  EXPECT_EQ(config->agent.listen, "127.0.0.1:0");
  EXPECT_EQ(config->agent.max_in_flight, 64);
  ASSERT_EQ(config->targets.size(), 3u);

  const TargetConfig& ups = config->targets[0];
  EXPECT_EQ(ups.name, "ups-a");
  EXPECT_EQ(ups.interval, milliseconds(30000));
  EXPECT_EQ(ups.timeout, milliseconds(30000));  // defaults to the interval
  EXPECT_EQ(ups.request_timeout, milliseconds(2000));
  EXPECT_EQ(ups.snmp_auth.community.Reveal(), "c0mmunity");
  Labels sorted = {{"rack", "R01"}, {"room", "hall-1"}, {"site", "dc1"}};
  EXPECT_EQ(ups.labels, sorted);
  EXPECT_EQ(ups.place.line, 18);

  const TargetConfig& pdu = config->targets[1];
  EXPECT_EQ(pdu.interval, milliseconds(60000));  // [agent] interval
  EXPECT_EQ(pdu.profile, "auto");
  EXPECT_EQ(pdu.max_repetitions, 20);
  EXPECT_EQ(pdu.snmp_auth.version, SnmpAuth::Version::kV3);
  EXPECT_EQ(pdu.snmp_auth.auth_protocol, SnmpAuth::AuthProtocol::kSha256);
  EXPECT_EQ(pdu.snmp_auth.priv_protocol, SnmpAuth::PrivProtocol::kAes256);
  EXPECT_EQ(pdu.snmp_auth.priv_password.Reveal(), "priv-password-1");
  EXPECT_EQ(pdu.snmp_auth.context_name, "ctx");

  const TargetConfig& meter = config->targets[2];
  EXPECT_EQ(meter.unit, 3);
  EXPECT_EQ(meter.pause, milliseconds(20));
  EXPECT_EQ(meter.max_registers_per_read, 60);
}

TEST_F(ConfigTest, SecretsNeverPrintThemselves) {
  auto config = Load(SnmpTarget(""));
  ASSERT_TRUE(config);
  std::ostringstream out;
  out << config->targets[0].snmp_auth.community;
  EXPECT_EQ(out.str(), "<redacted>");
}

TEST_F(ConfigTest, ProfileDirsAreLoadedIntoTheProtocols) {
  std::filesystem::path profile =
      WriteTempFile("profiles/snmp/custom-ups.toml", "");
  std::filesystem::path root = profile.parent_path().parent_path();
  auto config = Load("[agent]\nprofile_dirs = [\"" + root.string() + "\"]\n" +
                     SnmpTarget("profile = \"custom-ups\"\n"));
  ASSERT_TRUE(config) << config.error().front();
  EXPECT_EQ(ProfileDirs(config->agent, "snmp"),
            std::vector<std::filesystem::path>{root / "snmp"});
  EXPECT_TRUE(ProfileDirs(config->agent, "modbus").empty());
}

TEST_F(ConfigTest, BatchWindowDefaultsToASecondAndCanBeTurnedOff) {
  auto fallback = Load("");
  ASSERT_TRUE(fallback.has_value()) << Lines(fallback.error());
  EXPECT_EQ(fallback->agent.batch_window, milliseconds(1000));

  auto off = Load("[agent]\nbatch_window = \"off\"\n");
  ASSERT_TRUE(off.has_value()) << Lines(off.error());
  EXPECT_EQ(off->agent.batch_window, milliseconds(0));

  auto shorter = Load("[agent]\nbatch_window = \"250ms\"\n");
  ASSERT_TRUE(shorter.has_value()) << Lines(shorter.error());
  EXPECT_EQ(shorter->agent.batch_window, milliseconds(250));
}

TEST_F(ConfigTest, MissingFileIsAnError) {
  auto config = LoadConfig("/nonexistent/dcagent.toml", protocols_);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error()[0].find("/nonexistent/dcagent.toml"),
            std::string::npos);
}

TEST(SameTargetTest, ComparesEveryPollingField) {
  TargetConfig a;
  a.name = "x";
  TargetConfig b = a;
  b.place.line = 99;  // where it is written does not matter
  EXPECT_TRUE(SameTarget(a, b));
  b.address = "udp:127.0.0.2";
  EXPECT_FALSE(SameTarget(a, b));
  b = a;
  b.snmp_auth.community = Secret("other");
  EXPECT_FALSE(SameTarget(a, b));
}

}  // namespace
}  // namespace dc::agent
