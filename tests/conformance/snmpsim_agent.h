// Runs snmpsim's command responder (Debian's `snmpsimd`) on 127.0.0.1 for
// the duration of a test, serving recorded walks.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace dc::conformance {

// One snmpsim process serving every walk given to Start(), each under the
// SNMPv2c community named after its file (NAME.snmprec -> "NAME"). The
// walks are linked into a private data directory made at start, never
// copied. The process is stopped (SIGTERM, then SIGKILL) and the
// directory removed when the object is destroyed.
class SnmpsimAgent {
 public:
  // Starts `program` on a free UDP port and waits until it listens, at
  // most `startup` long (snmpsim indexes every walk before it listens).
  // As root, snmpsim refuses to run without dropping privileges, so it is
  // told to run as nobody/nogroup.
  static std::expected<std::unique_ptr<SnmpsimAgent>, std::string> Start(
      const std::filesystem::path& program,
      const std::vector<std::filesystem::path>& walks,
      std::chrono::seconds startup);

  ~SnmpsimAgent();
  SnmpsimAgent(const SnmpsimAgent&) = delete;
  SnmpsimAgent& operator=(const SnmpsimAgent&) = delete;

  int port() const { return port_; }
  // "udp:127.0.0.1:PORT", as a target's address.
  std::string address() const;

 private:
  SnmpsimAgent(std::filesystem::path dir, pid_t pid, int port)
      : dir_(std::move(dir)), pid_(pid), port_(port) {}

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace dc::conformance
