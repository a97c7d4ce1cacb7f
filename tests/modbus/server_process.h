// Starts tests/modbus/modbus_server.py (pymodbus) for a test on 127.0.0.1
// or on a pseudo-terminal, with a register image the test writes, and
// stops it when the object goes away, even when the test fails.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace dc::modbus::testing {

class ServerProcess {
 public:
  enum class Mode { kTcp, kRtu };

  // `image_json` is the register image (see modbus_server.py). Throws
  // std::runtime_error when the server does not come up within 15 s.
  ServerProcess(Mode mode, const std::string& image_json);
  ~ServerProcess();

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // "tcp:127.0.0.1:PORT" or "rtu:/dev/pts/N?baud=19200".
  std::string address() const { return address_; }

  // Every request the server received so far, in order: its function code
  // and when it arrived (seconds, the server's monotonic clock).
  struct Request {
    int function_code = 0;
    double seconds = 0;
  };
  std::vector<Request> Requests() const;

  // True when /usr/bin/python3 can import pymodbus' server.
  static bool Available(std::string& why);

 private:
  std::filesystem::path dir_;
  std::string address_;
  pid_t pid_ = -1;
};

}  // namespace dc::modbus::testing
