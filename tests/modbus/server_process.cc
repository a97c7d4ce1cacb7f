#include "server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace dc::modbus::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

std::filesystem::path MakeTempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "dc-modbus-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    throw std::runtime_error("cannot create a temporary directory");
  }
  return pattern;
}

}  // namespace

bool ServerProcess::Available(std::string& why) {
  if (access(kPython, X_OK) != 0) {
    why = "/usr/bin/python3 is not installed";
    return false;
  }
  std::string command = std::string(kPython) +
                        " -c 'import pymodbus.server, serial_asyncio' "
                        ">/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) {
    why =
        "pymodbus 3 with pyserial-asyncio is not importable by "
        "/usr/bin/python3 (Debian: python3-pymodbus python3-serial "
        "python3-serial-asyncio)";
    return false;
  }
  return true;
}

ServerProcess::ServerProcess(Mode mode, const std::string& image_json)
    : dir_(MakeTempDir()) {
  const std::string image = (dir_ / "image.json").string();
  const std::string log = (dir_ / "codes.log").string();
  std::ofstream(image) << image_json;
  std::ofstream(log).flush();

  int out[2];
  if (pipe(out) != 0)
    throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0)
      dup2(null, STDERR_FILENO);
    execl(kPython, kPython, DC_MODBUS_SERVER_SCRIPT,
          mode == Mode::kTcp ? "--tcp" : "--rtu", "--image", image.c_str(),
          "--log", log.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);

  // The first line says where the server listens.
  std::string line;
  pollfd p{out[0], POLLIN, 0};
  while (line.find('\n') == std::string::npos) {
    if (poll(&p, 1, 15000) <= 0)
      break;
    char buffer[256];
    ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n <= 0)
      break;
    line.append(buffer, static_cast<std::size_t>(n));
  }
  close(out[0]);
  line = line.substr(0, line.find('\n'));
  if (line.starts_with("PORT ")) {
    address_ = "tcp:127.0.0.1:" + line.substr(5);
  } else if (line.starts_with("PTY ")) {
    address_ = "rtu:" + line.substr(4) + "?baud=19200";
  } else {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    throw std::runtime_error("modbus_server.py did not start: '" + line + "'");
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    // Give it a moment, then make sure.
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      usleep(20000);
    }
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::vector<ServerProcess::Request> ServerProcess::Requests() const {
  std::vector<Request> out;
  std::ifstream in(dir_ / "codes.log");
  Request r;
  while (in >> r.function_code >> r.seconds)
    out.push_back(r);
  return out;
}

}  // namespace dc::modbus::testing
