// Measures the adapter's CPU per register read: against pymodbus over TCP
// (the whole path: the link's coroutine, Modbus TCP, decoding, mapping,
// posting the result back) and in a tight loop against an in-process fake
// transport (planning, decoding and mapping alone). CPU is this process's user
// + system time, so the Python server's own work is not counted.
//
//   modbus_bench [polls]        (default 300 against pymodbus)
#include <sys/resource.h>

#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>

#include "collectors/modbus/device_poller.h"
#include "collectors/modbus/libmodbus_transport.h"
#include "collectors/modbus/link_address.h"
#include "collectors/modbus/modbus_protocol.h"
#include "collectors/modbus/tcp_link.h"
#include "fake_transport.h"
#include "server_process.h"

namespace dc::modbus {
namespace {

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Totals {
  std::uint64_t registers = 0;
  std::uint64_t requests = 0;
  double cpu = 0;
  double wall = 0;
  void Print(const char* what) const {
    fmt::print(
        "{}: {} registers in {} requests, {:.3f} s CPU, {:.3f} s wall\n"
        "  {:.2f} us CPU per register, {:.2f} us CPU per request\n",
        what, registers, requests, cpu, wall,
        cpu * 1e6 / static_cast<double>(registers),
        cpu * 1e6 / static_cast<double>(requests));
  }
};

std::string SdmImage() {
  std::string pairs;
  for (int a = 0; a < 400; ++a) {
    pairs += fmt::format("{}[{}, {}]", pairs.empty() ? "" : ", ", a,
                         (a % 2) ? 0x2000 : 0x4366);  // 230.125f
  }
  return fmt::format("{{\"units\": {{\"1\": {{\"input\": [{}]}}}}}}", pairs);
}

Totals AgainstPymodbus(int polls) {
  testing::ServerProcess server(testing::ServerProcess::Mode::kTcp, SdmImage());
  boost::asio::io_context io;
  auto protocol = MakeModbusProtocol(io, 2);
  auto errors = protocol->LoadProfiles({DC_MODBUS_PROFILE_DIR});
  if (!errors.empty())
    throw std::runtime_error(errors.front());
  TargetConfig target;
  target.name = "bench";
  target.address = server.address();
  target.profile = "eastron-sdm630";
  auto collector = protocol->MakeCollector(target);

  Totals totals;
  auto run = [&](int n, bool count) {
    double cpu0 = CpuSeconds();
    auto wall0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      std::optional<PollResult> result;
      collector->Poll(
          std::chrono::steady_clock::now() + std::chrono::seconds(10),
          [&](PollResult r) { result = std::move(r); });
      io.restart();
      auto guard = boost::asio::make_work_guard(io);
      while (!result)
        io.run_one();
      if (!result->success)
        throw std::runtime_error(result->error);
      if (count) {
        totals.registers += result->items_read;
        totals.requests += result->requests;
      }
    }
    if (count) {
      totals.cpu = CpuSeconds() - cpu0;
      totals.wall = std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - wall0)
                        .count();
    }
  };
  run(10, false);  // connect and warm up
  run(polls, true);
  return totals;
}

// The same reads through one transport alone, on this thread: the floor
// the wire and the transport set, without the link, decoding or mapping.
// `with_transport` calls its second argument with a transport to the
// address.
using TransportUser = std::function<void(Transport&)>;
template <typename WithTransport>
Totals Bare(int polls, WithTransport with_transport) {
  testing::ServerProcess server(testing::ServerProcess::Mode::kTcp, SdmImage());
  auto address = ParseLinkAddress(server.address());
  const ReadBlock blocks[] = {{Function::kInput, 0, 18},
                              {Function::kInput, 30, 6},
                              {Function::kInput, 52, 24},
                              {Function::kInput, 200, 6},
                              {Function::kInput, 224, 2}};
  std::uint16_t words[125];
  RequestOptions options{1, std::chrono::milliseconds(3000), {}};
  Totals totals;
  double cpu0 = 0;
  auto wall0 = std::chrono::steady_clock::now();
  bool failed = false;
  with_transport(*address, [&](Transport& transport) {
    for (int i = -10; i < polls && !failed; ++i) {
      if (i == 0) {
        cpu0 = CpuSeconds();
        wall0 = std::chrono::steady_clock::now();
      }
      for (const ReadBlock& b : blocks) {
        if (!transport.Read(options, b.function, b.address, b.count, words)
                 .ok()) {
          failed = true;
          return;
        }
        if (i >= 0) {
          totals.registers += b.count;
          ++totals.requests;
        }
      }
    }
  });
  if (failed)
    throw std::runtime_error("read failed");
  totals.cpu = CpuSeconds() - cpu0;
  totals.wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0)
          .count();
  return totals;
}

Totals TightLoop(int polls) {
  FakeTransport fake;
  for (std::uint16_t a = 0; a < 400; ++a) {
    fake.Set(Function::kInput, a, (a % 2) ? 0x2000 : 0x4366);
  }
  TomlErrors errors;
  auto profile = LoadProfileFile(
      std::string(DC_MODBUS_PROFILE_DIR) + "/eastron-sdm630.toml", errors);
  if (!profile)
    throw std::runtime_error(errors.Joined());
  TargetConfig target;
  DevicePoller poller(
      target, {std::make_shared<const Profile>(std::move(*profile))}, false);

  Totals totals;
  double cpu0 = CpuSeconds();
  auto wall0 = std::chrono::steady_clock::now();
  for (int i = 0; i < polls; ++i) {
    PollResult r = poller.Poll(
        fake, std::chrono::steady_clock::now() + std::chrono::seconds(10));
    totals.registers += r.items_read;
    totals.requests += r.requests;
  }
  totals.cpu = CpuSeconds() - cpu0;
  totals.wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0)
          .count();
  return totals;
}

}  // namespace
}  // namespace dc::modbus

int main(int argc, char** argv) {
  int polls = argc > 1 ? std::atoi(argv[1]) : 300;
  try {
    dc::modbus::TightLoop(2000).Print(
        "In-process fake transport (plan, decode, map), eastron-sdm630");
    dc::modbus::Bare(polls, [](const dc::modbus::LinkAddress& a,
                               const dc::modbus::TransportUser& use) {
      dc::modbus::LibmodbusTransport transport(a);
      use(transport);
    }).Print("libmodbus alone against pymodbus over TCP, the same five reads");
    dc::modbus::Bare(polls, [](const dc::modbus::LinkAddress& a,
                               const dc::modbus::TransportUser& use) {
      boost::asio::io_context io;
      auto transport = dc::modbus::TcpTransport::Make(io, a.host, a.port);
      dc::modbus::RunOnTcpTransport(io, *transport, use);
    }).Print("dcagent's TCP transport alone, the same five reads");
    dc::modbus::AgainstPymodbus(polls).Print(
        "pymodbus over TCP on 127.0.0.1 (whole adapter path), "
        "eastron-sdm630");
  } catch (const std::exception& e) {
    fmt::print(stderr, "modbus_bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
