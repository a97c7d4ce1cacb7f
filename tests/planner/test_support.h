// Helpers shared by the planner's tests: plans parsed from text, a
// scratch folder, running a command, and a free loopback port.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

#include "planner/model.h"

namespace dc::plan::testing {

// Parses `text` as "test.toml"; fails the test (and returns an empty
// plan) when it does not load.
Plan MustParse(std::string_view text);

// A fresh folder under the system's temporary one, removed on
// destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }
  std::string File(std::string_view name) const;
  void Write(std::string_view name, std::string_view text) const;

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `command` through /bin/sh, capturing its output.
CommandResult RunCommand(const std::string& command);

// Whether `program` is found on PATH.
bool OnPath(std::string_view program);

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

std::string ReadFile(const std::string& path);

// A small 2N site: utility + generator behind one switchgear, UPS a and
// b (one 100 kW module each, group "pair"), panels pa/pb (400 A, 400 V),
// three 50 kW CRAHs in zone "z" (device crah-1..3) and room "room".
// Racks are appended by the tests. Policy: derating 0.8, UPS max load
// 0.9, power factor 0.95.
std::string SmallSite();

// Racks for SmallSite(): each of `ids` in room "room", zone "z", with
// `max_kw` and a 6 kW budget, fed by "ID-a" from panel pa and "ID-b" from
// pb (32 A breakers).
std::string DualFedRacks(std::initializer_list<std::string_view> ids,
                         int max_kw);

}  // namespace dc::plan::testing
