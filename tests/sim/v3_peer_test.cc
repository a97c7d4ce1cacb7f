// dcsim's SNMPv3 as real managers see it: net-snmp's snmpget and
// snmpbulkwalk at each security level, with a wrong passphrase and an
// unknown user (which must fail at once with the right error, not time
// out), and dcagent --once polling a v3-only UPS and a PDU's phases and
// banks.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "tests/sim/peer_util.h"

namespace dc::sim {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUps = "1.3.6.1.2.1.33";
constexpr const char* kSysName = "1.3.6.1.2.1.1.5.0";

class V3PeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveProgram("snmpget") || !HaveProgram("snmpbulkwalk")) {
      GTEST_SKIP() << "net-snmp's command line tools (package snmp) are "
                      "not installed";
    }
    dir_ = fs::path(::testing::TempDir()) /
           ("dcsim_v3_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "auth.secret") << "sim-auth-pass\n";
    std::ofstream(dir_ / "priv.secret") << "sim-priv-pass\n";

    ups_port_ = FreePort(SOCK_DGRAM);
    pdu_port_ = FreePort(SOCK_DGRAM);
    std::ofstream(dir_ / "fleet.toml")
        << "[[user]]\nname = \"sha256aes\"\nauth = \"SHA-256\"\n"
           "auth_passphrase_file = \"auth.secret\"\npriv = \"AES\"\n"
           "priv_passphrase_file = \"priv.secret\"\n"
           "[[user]]\nname = \"sha1aes\"\nauth = \"SHA\"\n"
           "auth_passphrase = \"sha1-auth-pass\"\npriv = \"AES\"\n"
           "priv_passphrase = \"sha1-priv-pass\"\n"
           "[[user]]\nname = \"signer\"\nauth = \"SHA-512\"\n"
           "auth_passphrase = \"signer-pass\"\n"
           "[[device]]\nname = \"ups-v3\"\nmodel = \"ups-rfc1628\"\n"
           "port = "
        << ups_port_
        << "\nversions = [\"3\"]\n"
           "[[device]]\nname = \"pdu-v3\"\nmodel = \"apc-rpdu2\"\nport = "
        << pdu_port_
        << "\nrack = 1\nrated_amps = 16\nbank_rated_amps = 10\n"
           "versions = [\"2c\", \"3\"]\nusers = [\"sha256aes\"]\n";
    dcsim_ = std::make_unique<Child>(std::vector<std::string>{
        DCSIM_BINARY, "--fleet", (dir_ / "fleet.toml").string(), "--models",
        DC_SIM_MODELS_DIR, "--quiet"});
    ASSERT_TRUE(dcsim_->WaitFor("dcsim ready", 10s));
  }

  void TearDown() override {
    dcsim_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs `tool` with v3 `security` options against `port`; the exit
  // status goes to `status`.
  std::string V3(const std::string& tool, int port, const std::string& security,
                 const std::string& args, int* status = nullptr) {
    return Shell(tool + " -v3 " + security + " -On -t 3 -r 0 127.0.0.1:" +
                     std::to_string(port) + " " + args + " 2>&1",
                 status);
  }

  static std::string Sha256Aes(const std::string& auth = "sim-auth-pass",
                               const std::string& priv = "sim-priv-pass") {
    return "-l authPriv -u sha256aes -a SHA-256 -A " + auth + " -x AES -X " +
           priv;
  }

  fs::path dir_;
  int ups_port_ = 0, pdu_port_ = 0;
  std::unique_ptr<Child> dcsim_;
};

TEST_F(V3PeerTest, NetSnmpReadsAtEverySecurityLevel) {
  const std::string levels[] = {
      Sha256Aes(),
      "-l authPriv -u sha1aes -a SHA -A sha1-auth-pass -x AES "
      "-X sha1-priv-pass",
      "-l authNoPriv -u signer -a SHA-512 -A signer-pass",
  };
  for (const std::string& level : levels) {
    SCOPED_TRACE(level);
    int status = -1;
    std::string out = V3("snmpget", ups_port_, level, kSysName, &status);
    EXPECT_EQ(status, 0);
    EXPECT_NE(out.find(".1.3.6.1.2.1.1.5.0 = STRING: \"ups-v3\""),
              std::string::npos)
        << out;
  }

  // A whole walk through GETBULK, encrypted, ends where the MIB ends.
  int status = -1;
  std::string walk = V3("snmpbulkwalk", ups_port_, Sha256Aes(),
                        std::string("-Cr20 ") + kUps, &status);
  EXPECT_EQ(status, 0) << walk;
  EXPECT_GT(std::count(walk.begin(), walk.end(), '\n'), 50) << walk;
  EXPECT_NE(walk.find(".1.3.6.1.2.1.33.1.1.1.0 = STRING:"), std::string::npos)
      << walk;
  EXPECT_EQ(walk.find("Timeout"), std::string::npos) << walk;
}

TEST_F(V3PeerTest, WrongPassphrasesAndUnknownUsersFailAtOnceWithTheirError) {
  struct Case {
    const char* what;
    std::string security;
    const char* error;
  };
  const Case cases[] = {
      {"wrong auth passphrase", Sha256Aes("not-the-pass"),
       "Authentication failure"},
      {"wrong priv passphrase", Sha256Aes("sim-auth-pass", "not-the-pass"),
       "Decryption error"},
      {"unknown user",
       "-l authPriv -u stranger -a SHA-256 -A sim-auth-pass -x AES "
       "-X sim-priv-pass",
       "Unknown user name"},
      {"authNoPriv for an authPriv user",
       "-l authNoPriv -u sha1aes -a SHA -A sha1-auth-pass",
       "authorizationError"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    int status = 0;
    auto start = std::chrono::steady_clock::now();
    std::string out = V3("snmpget", ups_port_, c.security, kSysName, &status);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_NE(status, 0);
    EXPECT_NE(out.find(c.error), std::string::npos) << out;
    EXPECT_EQ(out.find("Timeout"), std::string::npos) << out;
    EXPECT_LT(took, 2s) << "answered by a timeout, not a report";
  }
}

TEST_F(V3PeerTest, VersionsAndUsersAreKeptPerDevice) {
  // The UPS answers v3 only; the PDU also v2c, but only its own user.
  int status = 0;
  std::string v2c =
      Shell("snmpget -v2c -c public -t 0.3 -r 0 127.0.0.1:" +
                std::to_string(ups_port_) + " " + kSysName + " 2>&1",
            &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(v2c.find("Timeout"), std::string::npos) << v2c;

  std::string pdu = Shell("snmpget -v2c -c public -On -t 1 -r 0 127.0.0.1:" +
                          std::to_string(pdu_port_) + " " + kSysName + " 2>&1");
  EXPECT_NE(pdu.find("STRING: \"pdu-v3\""), std::string::npos) << pdu;

  std::string other = V3("snmpget", pdu_port_,
                         "-l authNoPriv -u signer -a SHA-512 -A signer-pass",
                         kSysName, &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(other.find("Unknown user name"), std::string::npos) << other;
}

// Values of `metric` in a Prometheus exposition, by their label sets.
std::map<std::string, double> Series(const std::string& text,
                                     const std::string& metric) {
  std::map<std::string, double> series;
  std::regex line("^" + metric + "\\{([^}]*)\\} ([-0-9.e+]+)$");
  std::istringstream in(text);
  std::string row;
  while (std::getline(in, row)) {
    std::smatch match;
    if (std::regex_match(row, match, line)) {
      series[match[1]] = std::stod(match[2]);
    }
  }
  return series;
}

double Find(const std::map<std::string, double>& series,
            const std::string& label) {
  for (const auto& [labels, value] : series) {
    if (labels.find(label) != std::string::npos) {
      return value;
    }
  }
  return -1;
}

TEST_F(V3PeerTest, DcagentPollsAV3UpsAndThePduBanks) {
  if (std::string(DCAGENT_BINARY).empty() ||
      !fs::exists(fs::path(DCAGENT_BINARY))) {
    GTEST_SKIP() << "dcagent is not built";
  }
  std::ofstream(dir_ / "agent.toml")
      << "[agent]\nlisten = \"127.0.0.1:" << FreePort(SOCK_STREAM)
      << "\"\ninterval = \"10s\"\n"
         "[snmp.auth.v3]\nversion = \"3\"\nusername = \"sha256aes\"\n"
         "security_level = \"authPriv\"\nauth_protocol = \"SHA-256\"\n"
         "auth_password_file = \"auth.secret\"\npriv_protocol = \"AES\"\n"
         "priv_password_file = \"priv.secret\"\n"
         "[[target]]\nname = \"ups-v3\"\nprotocol = \"snmp\"\n"
         "address = \"udp:127.0.0.1:"
      << ups_port_
      << "\"\nauth = \"v3\"\n"
         "[[target]]\nname = \"pdu-v3\"\nprotocol = \"snmp\"\n"
         "address = \"udp:127.0.0.1:"
      << pdu_port_ << "\"\nauth = \"v3\"\n";
  // Let the physics step once so the PDU carries load.
  std::this_thread::sleep_for(1200ms);

  int status = -1;
  std::string out = Shell(std::string(DCAGENT_BINARY) + " --config " +
                              (dir_ / "agent.toml").string() +
                              " --once --log-level error 2>&1",
                          &status);
  EXPECT_EQ(status, 0) << out;

  auto up = Series(out, "dcagent_target_up");
  EXPECT_EQ(Find(up, "device=\"ups-v3\""), 1) << out;
  EXPECT_EQ(Find(up, "device=\"pdu-v3\""), 1) << out;
  EXPECT_GT(
      Find(Series(out, "dc_ups_battery_charge_ratio"), "device=\"ups-v3\""),
      0.5)
      << out;

  // Each phase's current is the sum of its two banks (each read to 0.1 A).
  auto phases = Series(out, "dc_pdu_phase_amperes");
  auto banks = Series(out, "dc_pdu_bank_amperes");
  ASSERT_EQ(phases.size(), 3u) << out;
  ASSERT_EQ(banks.size(), 6u) << out;
  for (int phase = 1; phase <= 3; ++phase) {
    double amps = Find(phases, "phase=\"L" + std::to_string(phase) + "\"");
    double in_banks = Find(banks, "bank=\"" + std::to_string(phase) + "\"") +
                      Find(banks, "bank=\"" + std::to_string(phase + 3) + "\"");
    EXPECT_GT(amps, 0.5) << "phase " << phase;
    EXPECT_NEAR(in_banks, amps, 0.25 + 0.05 * amps) << "phase " << phase;
  }
  // The ratings, when the agent's profile maps them.
  auto rated = Series(out, "dc_pdu_phase_rated_amperes");
  if (!rated.empty()) {
    EXPECT_EQ(Find(rated, "phase=\"L1\""), 16) << out;
  }
  auto bank_rated = Series(out, "dc_pdu_bank_rated_amperes");
  if (!bank_rated.empty()) {
    EXPECT_EQ(Find(bank_rated, "bank=\"1\""), 10) << out;
  }
}

}  // namespace
}  // namespace dc::sim
