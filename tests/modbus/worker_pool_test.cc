#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include <gtest/gtest.h>

#include "collectors/modbus/modbus_protocol.h"
#include "collectors/modbus/worker_pool.h"
#include "fake_transport.h"

namespace dc::modbus {
namespace {

using namespace std::chrono_literals;

// Counts how many jobs run at once on one link and overall.
struct Gauge {
  std::atomic<int> now{0};
  std::atomic<int> peak{0};
  void Enter() {
    int n = ++now;
    int p = peak.load();
    while (n > p && !peak.compare_exchange_weak(p, n)) {
    }
  }
  void Leave() { --now; }
};

TEST(WorkerPool, OneLinkIsNeverServedTwiceAtOnce) {
  WorkerPool pool(4);
  auto link = pool.MakeQueue("tcp:gw:502", std::make_unique<FakeTransport>());
  Gauge gauge;
  std::atomic<int> done{0};
  for (int i = 0; i < 8; ++i) {
    pool.Submit(link, [&](Transport&) {
      gauge.Enter();
      std::this_thread::sleep_for(10ms);
      gauge.Leave();
      ++done;
    });
  }
  while (done < 8)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(gauge.peak, 1);
}

TEST(WorkerPool, DifferentLinksRunConcurrentlyUpToTheWorkerCount) {
  WorkerPool pool(2);
  Gauge gauge;
  std::atomic<int> done{0};
  std::vector<std::shared_ptr<LinkQueue>> links;
  for (int i = 0; i < 4; ++i) {
    links.push_back(pool.MakeQueue("link" + std::to_string(i),
                                   std::make_unique<FakeTransport>()));
  }
  auto start = std::chrono::steady_clock::now();
  for (auto& link : links) {
    pool.Submit(link, [&](Transport&) {
      gauge.Enter();
      std::this_thread::sleep_for(100ms);
      gauge.Leave();
      ++done;
    });
  }
  while (done < 4)
    std::this_thread::sleep_for(5ms);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(gauge.peak, 2);  // bounded by the two workers
  EXPECT_LT(took, 350ms);    // two at a time, not one
}

TEST(WorkerPool, JobsOfOneLinkKeepTheirOrder) {
  WorkerPool pool(3);
  auto link = pool.MakeQueue("rtu:/dev/x", std::make_unique<FakeTransport>());
  std::vector<int> order;
  std::promise<void> finished;
  for (int i = 0; i < 20; ++i) {
    pool.Submit(link, [&, i](Transport&) {
      order.push_back(i);
      if (i == 19)
        finished.set_value();
    });
  }
  finished.get_future().wait();
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(ModbusProtocol, ChecksTargetsAndNamesTheProblem) {
  boost::asio::io_context io;
  auto protocol = MakeModbusProtocol(io, 1);
  EXPECT_EQ(protocol->name(), "modbus");
  EXPECT_TRUE(protocol->LoadProfiles({DC_MODBUS_PROFILE_DIR}).empty());
  EXPECT_TRUE(protocol->HasProfile("eastron-sdm630"));
  EXPECT_TRUE(protocol->HasProfile("auto"));
  EXPECT_FALSE(protocol->HasProfile("nope"));

  TargetConfig good;
  good.address = "tcp:127.0.0.1:1502";
  good.profile = "eastron-sdm630";
  EXPECT_TRUE(protocol->CheckTarget(good).empty());

  TargetConfig bad = good;
  bad.address = "serial:/dev/ttyS0";
  bad.unit = 0;
  bad.max_registers_per_read = 200;
  bad.profile = "nope";
  auto problems = protocol->CheckTarget(bad);
  // The profile is the agent's to check (HasProfile), not repeated here.
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].key, "address");
  EXPECT_NE(problems[0].message.find("starts with \"tcp:\""),
            std::string::npos);
  EXPECT_EQ(problems[1].key, "unit");
  EXPECT_NE(problems[1].message.find("unit 0"), std::string::npos);
  EXPECT_EQ(problems[2].key, "max_registers_per_read");
  EXPECT_NE(problems[2].message.find("max_registers_per_read 200"),
            std::string::npos);

  // Unit 255 addresses a Modbus TCP device directly, never an RTU one.
  TargetConfig direct = good;
  direct.unit = 255;
  EXPECT_TRUE(protocol->CheckTarget(direct).empty());
  direct.address = "rtu:/dev/ttyS0";
  EXPECT_EQ(protocol->CheckTarget(direct).size(), 1u);
}

TEST(ModbusProtocol, ABrokenProfileDirectoryKeepsTheLoadedProfiles) {
  boost::asio::io_context io;
  auto protocol = MakeModbusProtocol(io, 1);
  ASSERT_TRUE(protocol->LoadProfiles({DC_MODBUS_PROFILE_DIR}).empty());

  auto dir = std::filesystem::temp_directory_path() / "dc-modbus-broken";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.toml") << "[profile]\nname = 3\n";
  auto errors = protocol->LoadProfiles({dir});
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors.front().find("bad.toml:2:8"), std::string::npos)
      << errors.front();
  EXPECT_TRUE(protocol->HasProfile("eastron-sdm630"));
}

TEST(ModbusProtocol, OneSerialBusCannotHaveTwoSpeeds) {
  boost::asio::io_context io;
  auto protocol = MakeModbusProtocol(io, 1);
  ASSERT_TRUE(protocol->LoadProfiles({DC_MODBUS_PROFILE_DIR}).empty());
  TargetConfig a;
  a.profile = "eastron-sdm120";
  a.address = "rtu:/dev/null-bus?baud=9600";
  TargetConfig b = a;
  b.unit = 2;
  b.address = "rtu:/dev/null-bus?baud=19200";
  auto first = protocol->MakeCollector(a);
  auto second = protocol->MakeCollector(b);

  std::optional<PollResult> result;
  second->Poll(std::chrono::steady_clock::now() + 1s,
               [&](PollResult r) { result = std::move(r); });
  io.run();
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->success);
  EXPECT_NE(result->error.find("different settings (baud 9600"),
            std::string::npos)
      << result->error;
}

TEST(ModbusProtocol, ADestroyedCollectorNeverCallsBack) {
  boost::asio::io_context io;
  auto protocol = MakeModbusProtocol(io, 1);
  ASSERT_TRUE(protocol->LoadProfiles({DC_MODBUS_PROFILE_DIR}).empty());
  TargetConfig target;
  target.profile = "eastron-sdm120";
  target.address = "tcp:127.0.0.1:1";  // refused at once
  target.request_timeout = 200ms;
  target.retries = 1;

  bool called = false;
  auto collector = protocol->MakeCollector(target);
  collector->Poll(std::chrono::steady_clock::now() + 1s,
                  [&](PollResult) { called = true; });
  collector.reset();
  std::this_thread::sleep_for(300ms);  // the job finishes meanwhile
  io.run();
  EXPECT_FALSE(called);

  // A live one reports the refused connection.
  std::optional<PollResult> result;
  auto live = protocol->MakeCollector(target);
  live->Poll(std::chrono::steady_clock::now() + 1s,
             [&](PollResult r) { result = std::move(r); });
  auto guard = boost::asio::make_work_guard(io);
  io.restart();
  while (!result)
    io.run_one_for(100ms);
  EXPECT_FALSE(result->success);
  EXPECT_EQ(result->errors[ErrorReason::kConnection], 2u);  // and a retry
  EXPECT_NE(result->error.find("Connection refused"), std::string::npos)
      << result->error;
}

TEST(ModbusSource, NoCodePathCanWriteToADevice) {
  // The adapter's sources never name a libmodbus call that writes.
  const char* forbidden[] = {"modbus_write", "modbus_mask_write",
                             "modbus_send_raw_request", "modbus_reply"};
  int files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(DC_MODBUS_SOURCE_DIR)) {
    auto ext = entry.path().extension();
    if (ext != ".cc" && ext != ".h")
      continue;
    ++files;
    std::ifstream in(entry.path());
    std::ostringstream read;
    read << in.rdbuf();
    const std::string text = read.str();
    for (const char* name : forbidden) {
      EXPECT_EQ(text.find(name), std::string::npos)
          << entry.path() << " mentions " << name;
    }
  }
  EXPECT_GT(files, 10);
}

}  // namespace
}  // namespace dc::modbus
