#include "tests/conformance/snmpsim_agent.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/format.h>

namespace dc::conformance {
namespace {

namespace fs = std::filesystem;

// Binds a UDP socket to 127.0.0.1:`port` (0: any) and returns the port it
// got, closing the socket again.
std::expected<int, int> TryUdpPort(int port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0)
    return std::unexpected(errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  socklen_t len = sizeof(addr);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  int error = errno;
  close(fd);
  if (!ok)
    return std::unexpected(error);
  return ntohs(addr.sin_port);
}

// A UDP port on 127.0.0.1 that was free a moment ago. Another process may
// take it before snmpsim binds; Start() retries with a new port then. When
// the kernel's ephemeral range is used up (a load test on the same host),
// ports below that range are tried at random.
std::expected<int, std::string> FreeUdpPort() {
  auto port = TryUdpPort(0);
  if (port)
    return *port;
  int first_error = port.error();
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> below_ephemeral(20000, 32000);
  for (int attempt = 0; attempt < 100; ++attempt) {
    port = TryUdpPort(below_ephemeral(random));
    if (port)
      return *port;
  }
  return std::unexpected(fmt::format(
      "cannot bind a UDP socket on 127.0.0.1: {}", std::strerror(first_error)));
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Makes the private directory: data/ with a link per walk, cache/ for
// snmpsim's indexes, and the log file. snmpsim runs as nobody when the
// test runs as root, so the directories are opened up to it.
std::expected<fs::path, std::string> MakeDataDir(
    const std::vector<fs::path>& walks) {
  std::string pattern = (fs::temp_directory_path() / "dc-snmpsim-XXXXXX");
  if (!mkdtemp(pattern.data())) {
    return std::unexpected("cannot make a temporary directory");
  }
  fs::path dir = pattern;
  std::error_code ec;
  fs::create_directory(dir / "data", ec);
  fs::create_directory(dir / "cache", ec);
  for (const fs::path& walk : walks) {
    fs::create_symlink(fs::absolute(walk), dir / "data" / walk.filename(), ec);
    if (ec) {
      return std::unexpected(
          fmt::format("cannot link {}: {}", walk.string(), ec.message()));
    }
  }
  chmod(dir.c_str(), 0755);
  chmod((dir / "data").c_str(), 0755);
  chmod((dir / "cache").c_str(), 0777);
  return dir;
}

pid_t Spawn(const fs::path& program, const fs::path& dir, int port) {
  std::vector<std::string> args = {
      program.string(),
      "--data-dir=" + (dir / "data").string(),
      "--cache-dir=" + (dir / "cache").string(),
      fmt::format("--agent-udpv4-endpoint=127.0.0.1:{}", port),
      "--v2c-arch",
      // snmpsim 0.4.5 never answers a GETBULK whose reply would exceed
      // its varbind limit (default 64) and spins instead; the collector
      // asks up to kMaxBulkVarbinds (256) at a time.
      "--max-varbinds=256",
      "--logging-method=stderr",
  };
  if (geteuid() == 0) {
    args.push_back("--process-user=nobody");
    args.push_back("--process-group=nogroup");
  }
  std::string log = (dir / "snmpsim.log").string();

  pid_t pid = fork();
  if (pid != 0)
    return pid;
  // Child: stdout and stderr to the log, then become snmpsim.
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  _exit(127);
}

void Stop(pid_t pid) {
  if (pid <= 0)
    return;
  kill(pid, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

}  // namespace

std::expected<std::unique_ptr<SnmpsimAgent>, std::string> SnmpsimAgent::Start(
    const fs::path& program, const std::vector<fs::path>& walks,
    std::chrono::seconds startup) {
  auto dir = MakeDataDir(walks);
  if (!dir)
    return std::unexpected(dir.error());

  std::string last_log;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto port = FreeUdpPort();
    if (!port)
      return std::unexpected(port.error());
    pid_t pid = Spawn(program, *dir, *port);
    if (pid < 0)
      return std::unexpected("fork() failed");

    // snmpsim logs "Listening at ..." once its endpoint is bound.
    auto deadline = std::chrono::steady_clock::now() + startup;
    while (std::chrono::steady_clock::now() < deadline) {
      last_log = ReadFile(*dir / "snmpsim.log");
      if (last_log.find("Listening at") != std::string::npos) {
        return std::unique_ptr<SnmpsimAgent>(
            new SnmpsimAgent(*dir, pid, *port));
      }
      if (waitpid(pid, nullptr, WNOHANG) == pid) {
        pid = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Stop(pid);
  }
  std::error_code ec;
  fs::remove_all(*dir, ec);
  return std::unexpected(fmt::format(
      "snmpsim did not start listening; its log ends with:\n{}",
      last_log.substr(last_log.size() > 2000 ? last_log.size() - 2000 : 0)));
}

SnmpsimAgent::~SnmpsimAgent() {
  Stop(pid_);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string SnmpsimAgent::address() const {
  return fmt::format("udp:127.0.0.1:{}", port_);
}

}  // namespace dc::conformance
