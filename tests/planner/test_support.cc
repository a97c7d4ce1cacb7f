#include "tests/planner/test_support.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "planner/inventory_loader.h"

namespace dc::plan::testing {

Plan MustParse(std::string_view text) {
  auto plan = ParsePlan(text, "test.toml");
  if (!plan) {
    std::string all;
    for (const auto& m : plan.error())
      all += m + "\n";
    ADD_FAILURE() << "plan does not load:\n" << all;
    return {};
  }
  return *plan;
}

ScratchDir::ScratchDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("dcplan-test-" + std::to_string(rd()) + std::to_string(getpid()));
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ScratchDir::File(std::string_view name) const {
  return (path_ / name).string();
}

void ScratchDir::Write(std::string_view name, std::string_view text) const {
  std::ofstream(File(name)) << text;
}

CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return r;
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    r.output.append(buffer.data(), n);
  }
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool OnPath(std::string_view program) {
  return RunCommand("command -v " + std::string(program)).exit_code == 0;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string SmallSite() {
  return R"(
[site]
name = "small"
[policy]
breaker_derating = 0.8
ups_max_load = 0.9
power_factor = 0.95
[[source]]
id = "utility"
kind = "utility"
kw = 1000
[[source]]
id = "gen"
kind = "generator"
kw = 1000
[[switchgear]]
id = "swg"
inputs = ["utility", "gen"]
[[ups]]
id = "ups-a"
upstream = "swg"
module_kw = 100
module_kva = 110
group = "pair"
device = "ups-a"
[[ups]]
id = "ups-b"
upstream = "swg"
module_kw = 100
module_kva = 110
group = "pair"
device = "ups-b"
[[panel]]
id = "pa"
upstream = "ups-a"
breaker_amps = 400
[[panel]]
id = "pb"
upstream = "ups-b"
breaker_amps = 400
[[cooling]]
id = "crah-1"
kind = "crah"
kw = 50
zone = "z"
device = "crah-1"
[[cooling]]
id = "crah-2"
kind = "crah"
kw = 50
zone = "z"
device = "crah-2"
[[cooling]]
id = "crah-3"
kind = "crah"
kw = 50
zone = "z"
device = "crah-3"
[[room]]
id = "room"
rack_positions = 10
)";
}

std::string DualFedRacks(std::initializer_list<std::string_view> ids,
                         int max_kw) {
  std::string text;
  for (std::string_view id : ids) {
    text += fmt::format(R"(
[[rack]]
id = "{0}"
room = "room"
zone = "z"
max_kw = {1}
budget_kw = 6
[[feed]]
id = "{0}-a"
rack = "{0}"
panel = "pa"
breaker_amps = 32
[[feed]]
id = "{0}-b"
rack = "{0}"
panel = "pb"
breaker_amps = 32
)",
                        id, max_kw);
  }
  return text;
}

}  // namespace dc::plan::testing
