// dcsim as a black box: the real binary on free loopback ports, asked by
// net-snmp's snmpget/snmpbulkwalk, by pymodbus, by dcagent's Modbus TCP
// transport, by curl on the control port, and compared with snmpsim on a
// recorded walk when the corpus is there.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <bit>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "collectors/modbus/tcp_link.h"
#include "collectors/modbus/tcp_transport.h"
#include "tests/sim/peer_util.h"

namespace dc::sim {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The walk served in these tests, written here so its content is known.
constexpr const char* kWalk =
    "1.3.6.1.2.1.1.1.0|4|Test UPS agent\n"
    "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.1.2\n"
    "1.3.6.1.2.1.1.3.0|67|4242\n"
    "1.3.6.1.2.1.2.2.1.6.1|4x|00127962f940\n"
    "1.3.6.1.2.1.2.2.1.10.1|65|3000000000\n"
    "1.3.6.1.2.1.4.20.1.1.10.0.0.5|64|10.0.0.5\n"
    "1.3.6.1.2.1.31.1.1.1.6.1|70|9000000000000\n"
    "1.3.6.1.2.1.33.1.2.4.0|2|87\n"
    "1.3.6.1.2.1.33.1.2.3.0|2|-1\n"
    "1.3.6.1.2.1.33.1.4.1.0|2|3\n";

class PeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveProgram("snmpget") || !HaveProgram("snmpbulkwalk")) {
      GTEST_SKIP() << "net-snmp's command line tools (package snmp) are "
                      "not installed";
    }
    dir_ = fs::path(::testing::TempDir()) /
           ("dcsim_peer_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "walk.snmprec") << kWalk;

    walk_port_ = FreePort(SOCK_DGRAM);
    ups_port_ = FreePort(SOCK_DGRAM);
    drop_port_ = FreePort(SOCK_DGRAM);
    slow_port_ = FreePort(SOCK_DGRAM);
    meter_port_ = FreePort(SOCK_STREAM);
    broken_port_ = FreePort(SOCK_STREAM);
    mangled_port_ = FreePort(SOCK_STREAM);
    control_port_ = FreePort(SOCK_STREAM);
    std::ofstream(dir_ / "fleet.toml") << fmt(
        "[sim]\ncontrol = \"127.0.0.1:{}\"\n"
        "[[device]]\nname = \"walk\"\nsnmprec = \"walk.snmprec\"\n"
        "port = {}\ncommunity = \"walker\"\n"
        "[[device]]\nname = \"ups-a\"\nmodel = \"ups-rfc1628\"\nport = {}\n"
        "[[device]]\nname = \"ups-b\"\nmodel = \"ups-rfc1628\"\nport = {}\n"
        "feed = \"B\"\nfaults = {{ drop = 1.0 }}\n"
        "[[device]]\nname = \"slow\"\nmodel = \"ups-rfc1628\"\nport = {}\n"
        "faults = {{ delay = \"400ms\" }}\n"
        "[[device]]\nname = \"meter\"\nmodel = \"eastron-sdm630\"\nport = {}\n"
        "[[device]]\nname = \"broken\"\nmodel = \"eastron-sdm630\"\n"
        "port = {}\nfaults = {{ exception = 1.0, exception_code = 6 }}\n"
        "[[device]]\nname = \"mangled\"\nmodel = \"eastron-sdm630\"\n"
        "port = {}\nfaults = {{ malformed = 0.25, truncate = 0.15, "
        "reset = 0.1 }}\n",
        control_port_, walk_port_, ups_port_, drop_port_, slow_port_,
        meter_port_, broken_port_, mangled_port_);
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

  // A tiny format helper: replaces each {} in order.
  template <typename... Args>
  static std::string fmt(std::string text, Args... args) {
    std::vector<std::string> values = {std::to_string(args)...};
    std::string out;
    std::size_t next = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text.compare(i, 2, "{{") == 0) {
        out += '{';
        ++i;
      } else if (text.compare(i, 2, "}}") == 0) {
        out += '}';
        ++i;
      } else if (text.compare(i, 2, "{}") == 0) {
        out += values.at(next++);
        ++i;
      } else {
        out += text[i];
      }
    }
    return out;
  }

  std::string Snmp(const std::string& tool, int port, const std::string& args,
                   const std::string& community = "public",
                   int* status = nullptr) {
    return Shell(tool + " -v2c -c " + community + " -On -t 1 -r 1 127.0.0.1:" +
                     std::to_string(port) + " " + args + " 2>&1",
                 status);
  }

  std::string Post(const std::string& body) {
    return Shell("curl -s -X POST --data '" + body + "' http://127.0.0.1:" +
                 std::to_string(control_port_) + "/event");
  }

  fs::path dir_;
  int walk_port_ = 0, ups_port_ = 0, drop_port_ = 0, slow_port_ = 0;
  int meter_port_ = 0, broken_port_ = 0, mangled_port_ = 0;
  int control_port_ = 0;
  std::unique_ptr<Child> dcsim_;
};

TEST_F(PeerTest, SnmpbulkwalkReadsTheWholeWalkInOrder) {
  std::string out = Snmp("snmpbulkwalk", walk_port_, "-Cr3 .1", "walker");
  const char* expected =
      ".1.3.6.1.2.1.1.1.0 = STRING: \"Test UPS agent\"\n"
      ".1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.99999.1.2\n"
      ".1.3.6.1.2.1.1.3.0 = Timeticks: (4242) 0:00:42.42\n"
      ".1.3.6.1.2.1.2.2.1.6.1 = Hex-STRING: 00 12 79 62 F9 40 \n"
      ".1.3.6.1.2.1.2.2.1.10.1 = Counter32: 3000000000\n"
      ".1.3.6.1.2.1.4.20.1.1.10.0.0.5 = IpAddress: 10.0.0.5\n"
      ".1.3.6.1.2.1.31.1.1.1.6.1 = Counter64: 9000000000000\n"
      ".1.3.6.1.2.1.33.1.2.3.0 = INTEGER: -1\n"
      ".1.3.6.1.2.1.33.1.2.4.0 = INTEGER: 87\n"
      ".1.3.6.1.2.1.33.1.4.1.0 = INTEGER: 3\n"
      ".1.3.6.1.2.1.33.1.4.1.0 = No more variables left in this MIB View "
      "(It is past the end of the MIB tree)\n";
  EXPECT_EQ(out, expected);
}

TEST_F(PeerTest, SnmpgetSeesValuesAndExceptions) {
  std::string out = Snmp("snmpget", walk_port_,
                         "-Oe .1.3.6.1.2.1.33.1.2.4.0 .1.3.6.1.2.1.33.1.2.4.1 "
                         ".1.3.6.1.2.1.99.1.0",
                         "walker");
  EXPECT_NE(out.find(".1.3.6.1.2.1.33.1.2.4.0 = INTEGER: 87"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(".1.3.6.1.2.1.33.1.2.4.1 = No Such Instance"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(".1.3.6.1.2.1.99.1.0 = No Such Object"), std::string::npos)
      << out;

  // SNMPv1 gets noSuchName instead.
  std::string v1 =
      Shell("snmpget -v1 -c walker -On -t 1 -r 0 127.0.0.1:" +
            std::to_string(walk_port_) + " .1.3.6.1.2.1.99.1.0 2>&1");
  EXPECT_NE(v1.find("noSuchName"), std::string::npos) << v1;

  // A wrong community gets no answer at all.
  int status = 0;
  std::string wrong =
      Shell("snmpget -v2c -c nope -On -t 0.3 -r 0 127.0.0.1:" +
                std::to_string(walk_port_) + " .1.3.6.1.2.1.1.1.0 2>&1",
            &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(wrong.find("Timeout"), std::string::npos) << wrong;
}

TEST_F(PeerTest, UpsModelAnswersWithUpsMibAndGoesOnBattery) {
  std::string out = Snmp("snmpget", ups_port_,
                         ".1.3.6.1.2.1.1.2.0 .1.3.6.1.2.1.1.5.0 "
                         ".1.3.6.1.2.1.33.1.4.1.0");
  EXPECT_NE(out.find("= OID: .1.3.6.1.2.1.33\n"), std::string::npos) << out;
  EXPECT_NE(out.find("= STRING: \"ups-a\""), std::string::npos) << out;
  EXPECT_NE(out.find(".1.3.6.1.2.1.33.1.4.1.0 = INTEGER: 3"), std::string::npos)
      << out;

  std::string answer = Post(R"({"action":"ups_on_battery","device":"ups-a"})");
  EXPECT_NE(answer.find("\"ok\":true"), std::string::npos) << answer;
  std::string bad = Post(R"({"action":"ups_on_battery","device":"meter"})");
  EXPECT_NE(bad.find("is a meter, not a ups"), std::string::npos) << bad;

  // The physics runs once a second.
  std::this_thread::sleep_for(2200ms);
  out = Snmp("snmpget", ups_port_,
             ".1.3.6.1.2.1.33.1.4.1.0 .1.3.6.1.2.1.33.1.2.2.0 "
             ".1.3.6.1.2.1.33.1.3.3.1.3.1");
  EXPECT_NE(out.find(".1.3.6.1.2.1.33.1.4.1.0 = INTEGER: 5"), std::string::npos)
      << out;
  EXPECT_EQ(out.find(".1.3.6.1.2.1.33.1.2.2.0 = INTEGER: 0\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(".1.3.6.1.2.1.33.1.3.3.1.3.1 = INTEGER: 0"),
            std::string::npos)
      << out;
}

TEST_F(PeerTest, FaultsDropAndDelayAnswers) {
  int status = 0;
  std::string dropped =
      Shell("snmpget -v2c -c public -t 0.3 -r 1 127.0.0.1:" +
                std::to_string(drop_port_) + " .1.3.6.1.2.1.1.1.0 2>&1",
            &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(dropped.find("Timeout"), std::string::npos) << dropped;

  auto start = std::chrono::steady_clock::now();
  std::string slow = Snmp("snmpget", slow_port_, ".1.3.6.1.2.1.1.5.0");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_NE(slow.find("STRING: \"slow\""), std::string::npos) << slow;
  EXPECT_GE(took, 400ms);

  // Faults can be changed at run time, and cleared.
  EXPECT_NE(Post(R"({"action":"faults","device":"ups-b"})").find("ok"),
            std::string::npos);
  std::string back = Snmp("snmpget", drop_port_, ".1.3.6.1.2.1.1.5.0");
  EXPECT_NE(back.find("STRING: \"ups-b\""), std::string::npos) << back;
}

constexpr const char* kModbusScript = R"PY(
import struct, sys
from pymodbus.client import ModbusTcpClient
port, broken = int(sys.argv[1]), int(sys.argv[2])
c = ModbusTcpClient("127.0.0.1", port=port)
assert c.connect()
def floats(address, count):
    r = c.read_input_registers(address, count * 2, slave=1)
    assert not r.isError(), r
    return [struct.unpack(">f", struct.pack(">HH", *r.registers[i:i + 2]))[0]
            for i in range(0, count * 2, 2)]
v = floats(0, 3); a = floats(6, 3); w = floats(12, 3)
total = floats(52, 1)[0]; hz = floats(70, 1)[0]
print("volts", " ".join("%.1f" % x for x in v))
print("phase_sum %.1f total %.1f hz %.2f" % (sum(w), total, hz))
r = c.read_input_registers(5000, 2, slave=1)
print("bad_address", r.isError(), getattr(r, "exception_code", None))
c.close()
b = ModbusTcpClient("127.0.0.1", port=broken)
assert b.connect()
r = b.read_input_registers(0, 2, slave=1)
print("injected", r.isError(), getattr(r, "exception_code", None))
b.close()
)PY";

TEST_F(PeerTest, PymodbusReadsTheSdm630Map) {
  if (std::system("/usr/bin/python3 -c 'import pymodbus.client' "
                  ">/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3-pymodbus is not installed";
  }
  std::ofstream(dir_ / "read.py") << kModbusScript;
  std::string out = Shell("/usr/bin/python3 " + (dir_ / "read.py").string() +
                          " " + std::to_string(meter_port_) + " " +
                          std::to_string(broken_port_) + " 2>&1");

  double v1 = 0, v2 = 0, v3 = 0, phase_sum = 0, total = 0, hz = 0;
  ASSERT_EQ(std::sscanf(out.c_str(), "volts %lf %lf %lf", &v1, &v2, &v3), 3)
      << out;
  for (double v : {v1, v2, v3}) {
    EXPECT_GT(v, 220);
    EXPECT_LT(v, 240);
  }
  std::size_t at = out.find("phase_sum");
  ASSERT_NE(at, std::string::npos) << out;
  ASSERT_EQ(std::sscanf(out.c_str() + at, "phase_sum %lf total %lf hz %lf",
                        &phase_sum, &total, &hz),
            3);
  EXPECT_GT(total, 1000);
  EXPECT_NEAR(phase_sum, total, 0.01 * total);
  EXPECT_NEAR(hz, 50, 0.2);
  EXPECT_NE(out.find("bad_address True 2"), std::string::npos) << out;
  EXPECT_NE(out.find("injected True 6"), std::string::npos) << out;
}

// dcagent's Modbus TCP transport against corrupted, cut-off and reset
// answers: each is classified, none is taken for a reading, and the link
// recovers every time.
TEST_F(PeerTest, DcagentTransportSurvivesMangledModbusReplies) {
  boost::asio::io_context io;
  auto transport = modbus::TcpTransport::Make(io, "127.0.0.1", mangled_port_);
  const modbus::RequestOptions options{1, 100ms, {}};
  std::map<modbus::ReadStatus, int> seen;
  for (int i = 0; i < 150; ++i) {
    std::uint16_t words[2] = {};
    modbus::ReadResult r;
    modbus::RunOnTcpTransport(io, *transport, [&](modbus::Transport& t) {
      r = t.Read(options, modbus::Function::kInput, 0, 2, words);
    });
    ++seen[r.status];
    if (r.ok()) {
      // Phase 1 voltage, a float32 high word first.
      auto bits = static_cast<std::uint32_t>(words[0]) << 16 | words[1];
      float volts = std::bit_cast<float>(bits);
      EXPECT_GT(volts, 200) << "read " << i;
      EXPECT_LT(volts, 260) << "read " << i;
    }
  }
  EXPECT_GE(seen[modbus::ReadStatus::kOk], 40);
  EXPECT_GE(seen[modbus::ReadStatus::kBadReply], 1);
  EXPECT_GE(seen[modbus::ReadStatus::kTimeout], 1);
  EXPECT_GE(seen[modbus::ReadStatus::kConnection], 1);
  int classified = seen[modbus::ReadStatus::kOk] +
                   seen[modbus::ReadStatus::kBadReply] +
                   seen[modbus::ReadStatus::kTimeout] +
                   seen[modbus::ReadStatus::kConnection];
  EXPECT_EQ(classified, 150);
}

TEST_F(PeerTest, ControlPortReportsStatusAndRejectsBadEvents) {
  std::string status = Shell(
      "curl -s http://127.0.0.1:" + std::to_string(control_port_) + "/status");
  EXPECT_NE(status.find("\"devices\": 7"), std::string::npos) << status;
  std::string metrics = Shell(
      "curl -s http://127.0.0.1:" + std::to_string(control_port_) + "/metrics");
  EXPECT_NE(metrics.find("dcsim_requests_total{device=\"walk\"}"),
            std::string::npos);
  EXPECT_NE(Post(R"({"action":"flood"})").find("unknown action"),
            std::string::npos);
  EXPECT_NE(Post("{nonsense").find("JSON object"), std::string::npos);
}

// A recorded walk answered by dcsim and by snmpsim must read the same to
// snmpbulkwalk.
TEST(CorpusPeer, AnswersLikeSnmpsim) {
  fs::path corpus = fs::path(DC_SHARED_CORPUS) / "snmp";
  if (!fs::is_directory(corpus)) {
    GTEST_SKIP() << "no recorded walks at " << corpus;
  }
  if (!HaveProgram("snmpsimd") || !HaveProgram("snmpbulkwalk")) {
    GTEST_SKIP() << "snmpsim or net-snmp tools are not installed";
  }

  fs::path dir = fs::path(::testing::TempDir()) /
                 ("dcsim_corpus_" + std::to_string(getpid()));
  fs::create_directories(dir / "data");
  fs::permissions(dir, fs::perms::all, fs::perm_options::add);
  fs::permissions(dir / "data", fs::perms::all, fs::perm_options::add);
  const std::string name = "apc_ap8959eu3";
  fs::copy_file(corpus / (name + ".snmprec"),
                dir / "data" / (name + ".snmprec"),
                fs::copy_options::overwrite_existing);
  fs::permissions(dir / "data" / (name + ".snmprec"), fs::perms::all,
                  fs::perm_options::add);

  int sim_port = FreePort(SOCK_DGRAM);
  int ref_port = FreePort(SOCK_DGRAM);
  std::ofstream(dir / "fleet.toml")
      << "[[device]]\nname = \"x\"\nsnmprec = \"data/" << name
      << ".snmprec\"\nport = " << sim_port << "\ncommunity = \"" << name
      << "\"\n";
  Child dcsim({DCSIM_BINARY, "--fleet", (dir / "fleet.toml").string(),
               "--models", DC_SIM_MODELS_DIR, "--quiet"});
  ASSERT_TRUE(dcsim.WaitFor("dcsim ready", 10s));
  std::vector<std::string> snmpsim = {
      "/usr/bin/snmpsimd",
      "--data-dir=" + (dir / "data").string(),
      "--cache-dir=" + (dir / "cache").string(),
      "--agent-udpv4-endpoint=127.0.0.1:" + std::to_string(ref_port),
      "--v2c-arch",
      "--logging-method=null"};
  if (geteuid() == 0) {
    snmpsim.push_back("--process-user=nobody");
    snmpsim.push_back("--process-group=nogroup");
  }
  Child reference(snmpsim);

  // At the end of the MIB snmpsim repeats endOfMibView up to
  // max-repetitions where dcsim stops at the first (both are allowed), so
  // the end-of-walk lines are left out of the comparison.
  auto walk = [&](int port) {
    return Shell("snmpbulkwalk -v2c -c " + name +
                 " -On -t 2 -r 2 127.0.0.1:" + std::to_string(port) +
                 " .1 2>&1 | grep -v 'No more variables'");
  };
  // snmpsim indexes the walk before it answers.
  std::string expected;
  for (int i = 0; i < 60; ++i) {
    expected = walk(ref_port);
    if (expected.find(".1.3.6.1.2.1.1.1.0") != std::string::npos)
      break;
    std::this_thread::sleep_for(500ms);
  }
  ASSERT_NE(expected.find(".1.3.6.1.2.1.1.1.0"), std::string::npos)
      << "snmpsim did not answer: " << expected;
  EXPECT_EQ(walk(sim_port), expected);

  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace dc::sim
