#include "tests/snmp/snmpd_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace dc::snmp::testing {

namespace fs = std::filesystem;

int FreeUdpPort() {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t length = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  close(fd);
  return ntohs(addr.sin_port);
}

Snmpd::~Snmpd() {
  Stop();
}

bool Snmpd::Start(const std::string& config, std::string& why) {
  const char* binary = "/usr/sbin/snmpd";
  if (access(binary, X_OK) != 0) {
    why = "snmpd is not installed (apt-get install snmpd)";
    return false;
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    dir_ = fs::temp_directory_path() /
           ("dc-snmpd-" + std::to_string(getpid()) + "-" +
            std::to_string(
                std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(dir_);
    port_ = FreeUdpPort();
    fs::path conf = dir_ / "snmpd.conf";
    std::ofstream(conf) << config;
    fs::path log = dir_ / "snmpd.log";
    std::string listen = "udp:127.0.0.1:" + std::to_string(port_);

    pid_ = fork();
    if (pid_ == 0) {
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(out, 1);
      dup2(out, 2);
      // Its own persistent directory: snmpd rewrites snmpd.conf there.
      setenv("SNMP_PERSISTENT_DIR", (dir_ / "persistent").c_str(), 1);
      setenv("SNMPCONFPATH", dir_.c_str(), 1);
      setenv("MIBS", "", 1);
      setenv("MIBDIRS", dir_.c_str(), 1);
      execl(binary, "snmpd", "-f", "-Lo", "-C", "-r", "-c", conf.c_str(),
            listen.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }

    // Up when it logs its version; gone if it exited (port taken).
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < give_up) {
      std::ifstream in(log);
      std::stringstream text;
      text << in.rdbuf();
      if (text.str().find("NET-SNMP version") != std::string::npos) {
        return true;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        why = "snmpd exited: " + text.str();
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Stop();
  }
  if (why.empty())
    why = "snmpd did not start";
  return false;
}

void Snmpd::Stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

}  // namespace dc::snmp::testing
