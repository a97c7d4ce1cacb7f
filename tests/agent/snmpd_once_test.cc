// End to end: the dcagent binary, run with --once and --check-config,
// against net-snmp's snmpd started here on a free loopback port (SNMPv2c),
// through a test profile (tests/agent/profiles/snmp/agent-test-snmpd.toml).
// Expected values come from the snmpget tool asking the same snmpd.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Output {
  int status = -1;
  std::string text;  // stdout, or stdout and stderr
};

Output RunCommand(const std::string& command) {
  Output out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe)
    return out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    out.text.append(buffer, n);
  }
  int status = pclose(pipe);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

int FreeUdpPort() {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

std::optional<double> SeriesValue(const std::string& text,
                                  const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(series + " ")) {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

// snmpd on 127.0.0.1:port() with community "dctest"; stopped (and its
// folder removed) by the destructor, also when a test fails.
class Snmpd {
 public:
  ~Snmpd() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    if (!dir_.empty())
      fs::remove_all(dir_, ec);
  }

  // Returns why it could not start, or an empty string.
  std::string Start() {
    if (access("/usr/sbin/snmpd", X_OK) != 0)
      return "snmpd is not installed";
    if (access("/usr/bin/snmpget", X_OK) != 0)
      return "snmpget is not installed";
    dir_ = fs::temp_directory_path() /
           ("dcagent-snmpd-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "snmpd.conf") << "rocommunity dctest 127.0.0.1\n";

    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = FreeUdpPort();
      pid_ = fork();
      if (pid_ == 0) {
        int log = ::open((dir_ / "snmpd.log").c_str(),
                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(log, 1);
        dup2(log, 2);
        setenv("SNMP_PERSISTENT_DIR", (dir_ / "state").c_str(), 1);
        setenv("MIBS", "", 1);
        std::string listen = "udp:127.0.0.1:" + std::to_string(port_);
        execl("/usr/sbin/snmpd", "snmpd", "-f", "-Lo", "-C", "-r", "-c",
              (dir_ / "snmpd.conf").c_str(), listen.c_str(),
              static_cast<char*>(nullptr));
        _exit(127);
      }
      // Ready once it answers.
      for (int i = 0; i < 50; ++i) {
        if (Get("1.3.6.1.2.1.1.3.0"))
          return "";
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          break;  // the port was taken meanwhile: try another
        }
        std::this_thread::sleep_for(100ms);
      }
    }
    return "snmpd did not answer";
  }

  // The value of `oid` as snmpget prints it, without type.
  std::optional<std::string> Get(const std::string& oid) const {
    Output out = RunCommand(
        "/usr/bin/snmpget -v2c -c dctest -r0 -t1 -Oqv -On "
        "udp:127.0.0.1:" +
        std::to_string(port_) + " " + oid + " 2>/dev/null");
    if (out.status != 0 || out.text.empty())
      return std::nullopt;
    while (!out.text.empty() && out.text.back() == '\n')
      out.text.pop_back();
    return out.text;
  }

  int port() const { return port_; }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

class DcagentSnmpdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = snmpd_.Start();
    if (!why.empty())
      GTEST_SKIP() << why;
    std::ofstream(snmpd_.dir() / "community") << "dctest\n";
  }

  fs::path WriteConfig(const std::string& targets) {
    fs::path path = snmpd_.dir() / "dcagent.toml";
    std::ofstream(path) << "[agent]\n"
                        << "profile_dirs = [\"" DC_AGENT_TEST_PROFILES "\"]\n"
                        << "[snmp.auth.test]\n"
                        << "version = \"2c\"\n"
                        << "community_file = \"community\"\n"
                        << targets;
    return path;
  }

  std::string Target(const std::string& name, int port,
                     const std::string& profile = "agent-test-snmpd") {
    return "[[target]]\nname = \"" + name +
           "\"\nprotocol = \"snmp\"\naddress = \"udp:127.0.0.1:" +
           std::to_string(port) + "\"\nauth = \"test\"\nprofile = \"" +
           profile +
           "\"\ninterval = \"10s\"\ntimeout = \"3s\"\n"
           "request_timeout = \"500ms\"\nretries = 0\n"
           "labels = { site = \"lab\" }\n";
  }

  Snmpd snmpd_;
};

TEST_F(DcagentSnmpdTest, OncePrintsTheDeviceSeriesAndSucceeds) {
  fs::path config = WriteConfig(Target("snmpd", snmpd_.port()));
  auto total_kb = snmpd_.Get("1.3.6.1.4.1.2021.4.5.0");
  ASSERT_TRUE(total_kb);

  Output out = RunCommand(std::string(DCAGENT_BINARY) +
                          " --once --log-level warn "
                          "--config " +
                          config.string());
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_EQ(SeriesValue(out.text,
                        "dc_storage_capacity_bytes{device=\"snmpd\","
                        "pool=\"ram\",site=\"lab\"}"),
            std::stod(*total_kb) * 1024)
      << out.text;
  auto load = SeriesValue(out.text,
                          "dc_storage_temperature_celsius{"
                          "device=\"snmpd\",sensor=\"load1\","
                          "site=\"lab\"}");
  ASSERT_TRUE(load) << out.text;
  EXPECT_GE(*load, 0);
  EXPECT_NE(out.text.find("# TYPE dc_storage_capacity_bytes gauge"),
            std::string::npos);
  EXPECT_EQ(SeriesValue(out.text, "dcagent_target_up{device=\"snmpd\"}"), 1);
  EXPECT_GE(SeriesValue(out.text, "dcagent_items_read_total{device=\"snmpd\"}")
                .value_or(0),
            2);
}

TEST_F(DcagentSnmpdTest, OnceFailsWhenATargetDoesNotAnswer) {
  fs::path config = WriteConfig(Target("snmpd", snmpd_.port()) +
                                Target("silent", FreeUdpPort()));
  Output out = RunCommand(std::string(DCAGENT_BINARY) +
                          " --once --log-level off "
                          "--config " +
                          config.string());
  EXPECT_EQ(out.status, 1);
  EXPECT_EQ(SeriesValue(out.text, "dcagent_target_up{device=\"silent\"}"), 0);
  EXPECT_EQ(SeriesValue(out.text, "dcagent_target_up{device=\"snmpd\"}"), 1);
  EXPECT_EQ(out.text.find("device=\"silent\",pool"), std::string::npos);
}

TEST_F(DcagentSnmpdTest, CheckConfigNamesTheBadProfileAndExitsOne) {
  fs::path good = WriteConfig(Target("snmpd", snmpd_.port()));
  EXPECT_EQ(RunCommand(std::string(DCAGENT_BINARY) +
                       " --check-config --config " + good.string())
                .status,
            0);

  fs::path bad = WriteConfig(Target("snmpd", snmpd_.port(), "no-such-profile"));
  Output out = RunCommand(std::string(DCAGENT_BINARY) +
                          " --check-config --config " + bad.string() + " 2>&1");
  EXPECT_EQ(out.status, 1);
  // The profile key is on line 11: five lines of [agent] and auth, then
  // the target's header, name, protocol, address, auth and profile.
  EXPECT_NE(out.text.find(bad.string() + ":11:11: "), std::string::npos)
      << out.text;
  EXPECT_NE(out.text.find("no-such-profile"), std::string::npos);
}

}  // namespace
