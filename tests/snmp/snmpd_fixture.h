// Starts net-snmp's snmpd on a free 127.0.0.1 UDP port with a generated
// configuration in a temporary directory, and stops it on destruction.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace dc::snmp::testing {

class Snmpd {
 public:
  Snmpd() = default;
  ~Snmpd();
  Snmpd(const Snmpd&) = delete;
  Snmpd& operator=(const Snmpd&) = delete;

  // Starts snmpd with `config` (snmpd.conf lines; the listening address
  // is added). False with `why` set when snmpd is missing or did not
  // come up.
  bool Start(const std::string& config, std::string& why);
  void Stop();

  int port() const { return port_; }
  std::string address() const {
    return "udp:127.0.0.1:" + std::to_string(port_);
  }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A free UDP port on 127.0.0.1 (bound, read, released).
int FreeUdpPort();

}  // namespace dc::snmp::testing
