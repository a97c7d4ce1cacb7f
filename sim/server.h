// The loop that serves every simulated device: one UDP socket per SNMP agent
// and one TCP listener per Modbus device, all on one epoll set, with the
// facility stepped once a second, scripted events run on time, delayed
// answers held in a timer queue and an HTTP control port on loopback.
// Single-threaded: nothing here takes a lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "sim/device.h"
#include "sim/facility.h"
#include "sim/fleet.h"

namespace dc::sim {

struct ServerOptions {
  std::string control;  // "127.0.0.1:PORT" or empty
  // Stop after this long; zero runs until SIGINT or SIGTERM.
  std::chrono::milliseconds duration{0};
  bool quiet = false;
};

class Server {
 public:
  Server(Fleet fleet, std::vector<Device> devices, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every socket. Fails naming the first device whose address is
  // taken or unusable.
  std::expected<void, std::string> Open();

  // Serves until stopped. Returns the process exit status.
  int Run();

  // The control port actually bound (useful with port 0).
  std::uint16_t control_port() const { return control_port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t control_port_ = 0;
};

}  // namespace dc::sim
