// Helpers for tests that run dcsim and net-snmp's tools as real
// processes on loopback: free ports, shell commands, child processes that
// are always stopped.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace dc::sim {

using namespace std::chrono_literals;

inline bool HaveProgram(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

// A port nobody uses right now (bind to 0, read it back, release it).
inline int FreePort(int type) {
  int fd = socket(AF_INET, type, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// Runs a shell command and returns its standard output.
inline std::string Shell(const std::string& command, int* status = nullptr) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    output.append(buffer.data(), n);
  }
  int rc = pclose(pipe);
  if (status != nullptr)
    *status = WEXITSTATUS(rc);
  return output;
}

// A child process stopped (SIGTERM, then SIGKILL) when the test ends.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    std::vector<char*> args;
    for (const std::string& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    EXPECT_EQ(
        posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ),
        0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      for (int i = 0; i < 50; ++i) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
          pid_ = 0;
          break;
        }
        std::this_thread::sleep_for(20ms);
      }
      if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
      }
    }
    close(out_);
  }

  // Waits until the child prints a line containing `text`.
  bool WaitFor(const std::string& text, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (seen_.find(text) != std::string::npos)
        return true;
      pollfd wait{out_, POLLIN, 0};
      if (poll(&wait, 1, 50) > 0) {
        char buffer[512];
        ssize_t n = read(out_, buffer, sizeof(buffer));
        if (n <= 0)
          return false;
        seen_.append(buffer, static_cast<std::size_t>(n));
      }
    }
    return seen_.find(text) != std::string::npos;
  }

 private:
  pid_t pid_ = 0;
  int out_ = -1;
  std::string seen_;
};

}  // namespace dc::sim
