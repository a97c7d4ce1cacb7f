// End-to-end tests of the Modbus adapter through its public entry points
// (MakeModbusProtocol, RunProbeCommand) against pymodbus 3.0 serving
// register images these tests encode, over TCP on 127.0.0.1 and over RTU
// on a pseudo-terminal.
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>

#include "collectors/modbus/modbus_protocol.h"
#include "collectors/modbus/probe_command.h"
#include "server_process.h"

namespace dc::modbus {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::ServerProcess;

// ---- Encoding register images independently of the adapter's decoder.

enum class Order { kABCD, kCDAB, kBADC, kDCBA };
const char* kOrderNames[] = {"ABCD", "CDAB", "BADC", "DCBA"};

// Splits big-endian `bytes` into registers laid out in `order`.
std::vector<std::uint16_t> Lay(std::vector<std::uint8_t> bytes, Order order) {
  if (order == Order::kBADC || order == Order::kDCBA) {
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
      std::swap(bytes[i], bytes[i + 1]);
    }
  }
  std::vector<std::uint16_t> words;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    words.push_back(static_cast<std::uint16_t>(bytes[i] << 8 | bytes[i + 1]));
  }
  if (order == Order::kCDAB || order == Order::kDCBA) {
    std::reverse(words.begin(), words.end());
  }
  return words;
}

std::vector<std::uint8_t> BigEndian(std::uint64_t bits, int bytes) {
  std::vector<std::uint8_t> out;
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
  }
  return out;
}

struct TypedValue {
  const char* type;
  double value;
  std::vector<std::uint8_t> bytes;
};

std::vector<TypedValue> EveryType() {
  return {
      {"int16", -1234,
       BigEndian(static_cast<std::uint16_t>(std::int16_t{-1234}), 2)},
      {"uint16", 54321, BigEndian(54321, 2)},
      {"int32", -123456789,
       BigEndian(static_cast<std::uint32_t>(std::int32_t{-123456789}), 4)},
      {"uint32", 3000000000.0, BigEndian(3000000000U, 4)},
      {"int64", -1234567890123.0,
       BigEndian(static_cast<std::uint64_t>(std::int64_t{-1234567890123}), 8)},
      {"uint64", 1234567890123456.0, BigEndian(1234567890123456ULL, 8)},
      {"float32", 123456.0,
       BigEndian(std::bit_cast<std::uint32_t>(123456.0f), 4)},
      {"float64", -9876.54321,
       BigEndian(std::bit_cast<std::uint64_t>(-9876.54321), 8)},
  };
}

// Accumulates a unit's registers and misbehaviours as the server's JSON.
struct Unit {
  std::map<int, std::uint16_t> holding, input;
  std::map<int, int> coils, discrete;
  std::vector<int> illegal_holding;
  std::vector<std::string> extra;  // raw JSON members

  void Put(int address, const std::vector<std::uint16_t>& words) {
    for (std::size_t i = 0; i < words.size(); ++i) {
      holding[address + static_cast<int>(i)] = words[i];
    }
  }
  std::string Json() const {
    auto pairs = [](const auto& m) {
      std::string out;
      for (const auto& [a, v] : m) {
        out += fmt::format("{}[{}, {}]", out.empty() ? "" : ", ", a, v);
      }
      return "[" + out + "]";
    };
    std::string out = fmt::format(
        R"("holding": {}, "input": {}, "coils": {}, "discrete": {},)"
        R"( "illegal": {{"holding": [{}]}})",
        pairs(holding), pairs(input), pairs(coils), pairs(discrete),
        fmt::join(illegal_holding, ", "));
    for (const auto& e : extra)
      out += ", " + e;
    return "{" + out + "}";
  }
};

std::string Image(const std::map<int, Unit>& units) {
  std::string out;
  for (const auto& [id, unit] : units) {
    out +=
        fmt::format("{}\"{}\": {}", out.empty() ? "" : ", ", id, unit.Json());
  }
  return "{\"units\": {" + out + "}}";
}

// ---- Driving the adapter as the agent does.

class Agent {
 public:
  explicit Agent(int workers = 2)
      : protocol_(MakeModbusProtocol(io_, workers)) {}

  Protocol& protocol() { return *protocol_; }

  void LoadProfile(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path / (name + ".toml")) << text;
    auto errors = protocol_->LoadProfiles({dir_.path});
    ASSERT_TRUE(errors.empty()) << errors.front();
  }

  std::unique_ptr<Collector> Make(const TargetConfig& target) {
    auto problems = protocol_->CheckTarget(target);
    EXPECT_TRUE(problems.empty()) << problems.front().message;
    return protocol_->MakeCollector(target);
  }

  // Polls every collector at once and returns their results in order.
  std::vector<PollResult> PollAll(std::vector<Collector*> collectors,
                                  milliseconds timeout) {
    std::vector<std::optional<PollResult>> results(collectors.size());
    for (std::size_t i = 0; i < collectors.size(); ++i) {
      collectors[i]->Poll(
          steady_clock::now() + timeout,
          [&results, i](PollResult r) { results[i] = std::move(r); });
    }
    io_.restart();
    auto guard = boost::asio::make_work_guard(io_);
    auto give_up = steady_clock::now() + timeout + std::chrono::seconds(5);
    auto all_done = [&] {
      return std::all_of(results.begin(), results.end(),
                         [](const auto& r) { return r.has_value(); });
    };
    while (!all_done() && steady_clock::now() < give_up) {
      io_.run_one_for(milliseconds(100));
    }
    std::vector<PollResult> out;
    for (auto& r : results) {
      EXPECT_TRUE(r.has_value()) << "a poll never completed";
      out.push_back(r ? std::move(*r) : PollResult{});
    }
    return out;
  }

  PollResult Poll(Collector& collector, milliseconds timeout) {
    return PollAll({&collector}, timeout).front();
  }

 private:
  struct TempDir {
    std::filesystem::path path;
    TempDir() {
      std::string p =
          (std::filesystem::temp_directory_path() / "dc-modbus-profiles-XXXXXX")
              .string();
      path = mkdtemp(p.data()) ? p : "/nonexistent";
    }
    ~TempDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };

  boost::asio::io_context io_;
  std::unique_ptr<Protocol> protocol_;
  TempDir dir_;
};

std::optional<double> Find(const PollResult& r, const std::string& name,
                           const std::string& sensor) {
  for (const Sample& s : r.samples) {
    if (s.name != name)
      continue;
    for (const auto& [k, v] : s.labels) {
      if ((k == "sensor" || k == "phase") && v == sensor)
        return s.value;
    }
  }
  return std::nullopt;
}

TargetConfig Target(const ServerProcess& server, const std::string& profile,
                    int unit = 1) {
  TargetConfig t;
  t.name = profile;
  t.protocol = "modbus";
  t.address = server.address();
  t.profile = profile;
  t.unit = unit;
  t.request_timeout = milliseconds(1000);
  t.retries = 0;
  return t;
}

// Only the read function codes may ever reach a device.
void ExpectOnlyReads(const ServerProcess& server) {
  auto requests = server.Requests();
  EXPECT_FALSE(requests.empty());
  for (const auto& r : requests) {
    EXPECT_TRUE(r.function_code >= 1 && r.function_code <= 4)
        << "function code " << r.function_code << " was sent";
  }
}

class ModbusServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!ServerProcess::Available(why))
      GTEST_SKIP() << why;
  }
};

// The profile and image of "every type in every word order", plus
// sentinels, a bit, a coil, a discrete input, an input register and an
// illegal register inside a block.
std::string EveryTypeProfile() {
  std::string out =
      "[profile]\nname = \"every-type\"\nclass = \"meter\"\n"
      "source = \"encoded by modbus_server_test\"\nmax_gap = 8\n";
  int address = 100;
  for (const auto& t : EveryType()) {
    for (int o = 0; o < 4; ++o) {
      out += fmt::format(
          "[[metric]]\naddress = {}\ntype = \"{}\"\norder = \"{}\"\n"
          "metric = \"dc_env_temperature_celsius\"\n"
          "labels = {{ sensor = \"{}_{}\" }}\n",
          address, t.type, kOrderNames[o], t.type, kOrderNames[o]);
      address += 4;
    }
  }
  auto entry = [&](int a, const char* type, const char* sensor,
                   const char* more = "") {
    out += fmt::format(
        "[[metric]]\naddress = {}\ntype = \"{}\"\n"
        "metric = \"dc_env_temperature_celsius\"\n"
        "labels = {{ sensor = \"{}\" }}\n{}",
        a, type, sensor, more);
  };
  entry(300, "int16", "int16_sentinel");
  entry(301, "uint16", "uint16_sentinel");
  entry(302, "float32", "float32_nan");
  entry(304, "uint16", "dropped", "drop = [999]\n");
  entry(306, "uint16", "illegal");
  entry(307, "uint16", "after_illegal");
  out +=
      "[[metric]]\naddress = 305\nmetric = \"dc_env_water_leak\"\n"
      "labels = { sensor = \"bit\" }\nbit = 2\n"
      "[[metric]]\nfunction = \"coil\"\naddress = 0\n"
      "metric = \"dc_env_contact_open\"\nlabels = { sensor = \"coil\" }\n"
      "[[metric]]\nfunction = \"discrete_input\"\naddress = 3\n"
      "metric = \"dc_env_water_leak\"\nlabels = { sensor = \"discrete\" }\n"
      "[[metric]]\nmodicon = 30011\ntype = \"float32\"\n"
      "metric = \"dc_env_humidity_ratio\"\nlabels = { sensor = \"input\" }\n"
      "divisor = 100\n";
  return out;
}

Unit EveryTypeUnit() {
  Unit unit;
  int address = 100;
  for (const auto& t : EveryType()) {
    for (int o = 0; o < 4; ++o) {
      unit.Put(address, Lay(t.bytes, static_cast<Order>(o)));
      address += 4;
    }
  }
  unit.holding[300] = 0x8000;
  unit.holding[301] = 0xFFFF;
  unit.Put(302, {0x7FC0, 0x0000});
  unit.holding[304] = 999;
  unit.holding[305] = 0b0100;
  unit.holding[306] = 1;
  unit.holding[307] = 77;
  unit.illegal_holding.push_back(306);
  unit.coils[0] = 1;
  unit.discrete[3] = 1;
  unit.input[10] = 0x4248;  // 50.0f
  unit.input[11] = 0x0000;
  return unit;
}

void ExpectEveryType(const PollResult& r) {
  ASSERT_TRUE(r.success) << r.error;
  for (const auto& t : EveryType()) {
    for (const char* order : kOrderNames) {
      std::string sensor = fmt::format("{}_{}", t.type, order);
      auto v = Find(r, "dc_env_temperature_celsius", sensor);
      ASSERT_TRUE(v) << sensor;
      if (std::string(t.type) == "float32") {
        EXPECT_FLOAT_EQ(static_cast<float>(*v), static_cast<float>(t.value))
            << sensor;
      } else {
        EXPECT_DOUBLE_EQ(*v, t.value) << sensor;
      }
    }
  }
  for (const char* gone : {"int16_sentinel", "uint16_sentinel", "float32_nan",
                           "dropped", "illegal"}) {
    EXPECT_FALSE(Find(r, "dc_env_temperature_celsius", gone)) << gone;
  }
  EXPECT_EQ(Find(r, "dc_env_temperature_celsius", "after_illegal"), 77);
  EXPECT_EQ(Find(r, "dc_env_water_leak", "bit"), 1);
  EXPECT_EQ(Find(r, "dc_env_contact_open", "coil"), 1);
  EXPECT_EQ(Find(r, "dc_env_water_leak", "discrete"), 1);
  EXPECT_DOUBLE_EQ(*Find(r, "dc_env_humidity_ratio", "input"), 0.5);
}

TEST_F(ModbusServerTest, TcpDecodesEveryTypeAndOrderAndSurvivesABadRegister) {
  ServerProcess server(ServerProcess::Mode::kTcp,
                       Image({{1, EveryTypeUnit()}}));
  Agent agent;
  agent.LoadProfile("every-type", EveryTypeProfile());
  auto collector = agent.Make(Target(server, "every-type"));

  PollResult first = agent.Poll(*collector, milliseconds(10000));
  ExpectEveryType(first);
  EXPECT_GE(first.errors[ErrorReason::kIllegalAddress], 1u);

  // The refused register is remembered: the second poll has no error.
  PollResult second = agent.Poll(*collector, milliseconds(10000));
  ExpectEveryType(second);
  EXPECT_TRUE(second.errors.empty());
  EXPECT_LT(second.requests, first.requests);
  ExpectOnlyReads(server);
}

TEST_F(ModbusServerTest, RtuOverAPseudoTerminalWithAChecksumError) {
  Unit unit = EveryTypeUnit();
  unit.extra.push_back(R"("crc_once": [[3, 100]])");
  ServerProcess server(ServerProcess::Mode::kRtu, Image({{5, unit}}));
  Agent agent;
  agent.LoadProfile("every-type", EveryTypeProfile());
  TargetConfig target = Target(server, "every-type", 5);
  target.retries = 1;
  auto collector = agent.Make(target);

  PollResult r = agent.Poll(*collector, milliseconds(15000));
  ExpectEveryType(r);
  EXPECT_EQ(r.errors[ErrorReason::kCrc], 1u);
  ExpectOnlyReads(server);
}

TEST_F(ModbusServerTest, ExceptionsSlowRepliesAndDroppedConnections) {
  Unit unit;
  for (int a : {500, 510, 600, 610, 700, 710}) {
    unit.holding[a] = static_cast<std::uint16_t>(a);
  }
  unit.extra.push_back(R"("exception": [[3, 500, 4]])");
  unit.extra.push_back(R"("slow": [[3, 600, 0.8]])");
  unit.extra.push_back(R"("drop_once": [[3, 700]])");
  ServerProcess server(ServerProcess::Mode::kTcp, Image({{1, unit}}));

  std::string profile =
      "[profile]\nname = \"faults\"\nclass = \"meter\"\nsource = \"t\"\n"
      "max_gap = 0\n";
  for (int a : {500, 510, 600, 610, 700, 710}) {
    profile += fmt::format(
        "[[metric]]\naddress = {0}\nmetric = \"dc_env_temperature_celsius\""
        "\nlabels = {{ sensor = \"r{0}\" }}\n",
        a);
  }
  Agent agent;
  agent.LoadProfile("faults", profile);
  TargetConfig target = Target(server, "faults");
  target.request_timeout = milliseconds(500);
  auto collector = agent.Make(target);

  // Exception, timeout and a dropped connection each cost only their own
  // block; the dropped connection ends this poll's use of the link.
  PollResult first = agent.Poll(*collector, milliseconds(10000));
  ASSERT_TRUE(first.success) << first.error;
  EXPECT_EQ(first.errors[ErrorReason::kException], 1u);
  EXPECT_EQ(first.errors[ErrorReason::kTimeout], 1u);
  EXPECT_EQ(first.errors[ErrorReason::kConnection], 1u);
  EXPECT_EQ(Find(first, "dc_env_temperature_celsius", "r510"), 510);
  EXPECT_EQ(Find(first, "dc_env_temperature_celsius", "r610"), 610);
  EXPECT_FALSE(Find(first, "dc_env_temperature_celsius", "r500"));
  EXPECT_FALSE(Find(first, "dc_env_temperature_celsius", "r600"));

  // The next poll reconnects and reads what the drop interrupted.
  PollResult second = agent.Poll(*collector, milliseconds(10000));
  ASSERT_TRUE(second.success) << second.error;
  EXPECT_EQ(second.errors.count(ErrorReason::kConnection), 0u);
  EXPECT_EQ(Find(second, "dc_env_temperature_celsius", "r700"), 700);
  EXPECT_EQ(Find(second, "dc_env_temperature_celsius", "r710"), 710);
  ExpectOnlyReads(server);
}

TEST_F(ModbusServerTest, DevicesOnOneGatewayShareAQueueWithAPause) {
  Unit one, two;
  for (int a : {0, 20, 40}) {
    one.holding[a] = 1;
    two.holding[a] = 2;
  }
  ServerProcess server(ServerProcess::Mode::kTcp, Image({{1, one}, {2, two}}));
  std::string profile =
      "[profile]\nname = \"three\"\nclass = \"meter\"\nsource = \"t\"\n"
      "max_gap = 0\n";
  for (int a : {0, 20, 40}) {
    profile += fmt::format(
        "[[metric]]\naddress = {0}\nmetric = \"dc_env_temperature_celsius\""
        "\nlabels = {{ sensor = \"r{0}\" }}\n",
        a);
  }
  Agent agent(4);
  agent.LoadProfile("three", profile);
  TargetConfig a = Target(server, "three", 1);
  TargetConfig b = Target(server, "three", 2);
  a.pause = b.pause = milliseconds(100);
  auto ca = agent.Make(a);
  auto cb = agent.Make(b);

  auto results = agent.PollAll({ca.get(), cb.get()}, milliseconds(10000));
  ASSERT_TRUE(results[0].success) << results[0].error;
  ASSERT_TRUE(results[1].success) << results[1].error;
  EXPECT_EQ(Find(results[0], "dc_env_temperature_celsius", "r20"), 1);
  EXPECT_EQ(Find(results[1], "dc_env_temperature_celsius", "r20"), 2);

  // Six requests, one at a time, with the pause between them.
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 6u);
  for (std::size_t i = 1; i < requests.size(); ++i) {
    EXPECT_GE(requests[i].seconds - requests[i - 1].seconds, 0.095) << i;
  }
  ExpectOnlyReads(server);
}

TEST_F(ModbusServerTest, SunSpecMeterFoundByDiscovery) {
  Unit unit;
  unit.illegal_holding = {0};
  int a = 40000;
  unit.Put(a, {0x5375, 0x6E53});
  unit.Put(a + 2, {1, 66});
  unit.Put(a + 4, {0x4163, 0x6D65});  // "Acme"
  const int meter = a + 2 + 2 + 66;
  unit.Put(meter, {203, 105});
  unit.Put(meter + 3, {2301, 2302, 2303});  // AphA..C, A_SF -2
  unit.holding[meter + 6] = 0xFFFE;
  unit.holding[meter + 18] = 4200;  // W, W_SF 0
  unit.holding[meter + 22] = 0;
  unit.Put(meter + 2 + 105, {0xFFFF, 0});
  ServerProcess server(ServerProcess::Mode::kTcp, Image({{1, unit}}));

  Agent agent;
  auto errors = agent.protocol().LoadProfiles({DC_MODBUS_PROFILE_DIR});
  ASSERT_TRUE(errors.empty()) << errors.front();
  auto collector = agent.Make(Target(server, "auto"));
  PollResult r = agent.Poll(*collector, milliseconds(10000));
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_DOUBLE_EQ(*Find(r, "dc_meter_phase_amperes", "L2"), 23.02);
  bool watts = false;
  for (const Sample& s : r.samples) {
    if (s.name == "dc_meter_watts")
      watts = s.value == 4200;
  }
  EXPECT_TRUE(watts);
  ExpectOnlyReads(server);
}

// Runs `dcagent modbus-probe ARGS` and returns its exit code and output.
std::pair<int, std::string> Probe(std::vector<std::string> args) {
  args.insert(args.begin(), "modbus-probe");
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());

  std::fflush(stdout);
  std::fflush(stderr);
  FILE* capture = std::tmpfile();
  int saved_out = dup(STDOUT_FILENO);
  int saved_err = dup(STDERR_FILENO);
  dup2(fileno(capture), STDOUT_FILENO);
  dup2(fileno(capture), STDERR_FILENO);
  int code = RunProbeCommand(static_cast<int>(argv.size()), argv.data());
  std::fflush(stdout);
  std::fflush(stderr);
  dup2(saved_out, STDOUT_FILENO);
  dup2(saved_err, STDERR_FILENO);
  close(saved_out);
  close(saved_err);

  std::string text;
  std::rewind(capture);
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, capture)) {
    text.append(buffer, n);
  }
  std::fclose(capture);
  return {code, text};
}

TEST_F(ModbusServerTest, ProbePrintsEveryTypeAndOrder) {
  Unit unit;
  unit.Put(10, {0x47F1, 0x2000, 0x0020, 0xF147});
  ServerProcess server(ServerProcess::Mode::kTcp, Image({{3, unit}}));

  auto [code, out] = Probe(
      {server.address(), "--unit", "3", "--register", "10", "--count", "4"});
  ASSERT_EQ(code, 0) << out;
  // 0x47F12000 read as ABCD at 10 and as DCBA at 12 are both 123456.
  auto row = [&](const std::string& start) {
    auto at = out.find("\n" + start);
    return at == std::string::npos
               ? std::string()
               : out.substr(at + 1, out.find('\n', at + 1) - at - 1);
  };
  EXPECT_NE(row("10      ABCD  0x47F12000").find("123456"), std::string::npos)
      << out;
  EXPECT_NE(row("12      DCBA  0x47F12000").find("123456"), std::string::npos)
      << out;
  EXPECT_NE(out.find("64-bit values"), std::string::npos);

  auto [bad_code, bad_out] = Probe({"udp:127.0.0.1", "--register", "0"});
  EXPECT_EQ(bad_code, 2);
  EXPECT_NE(bad_out.find("starts with \"tcp:\""), std::string::npos) << bad_out;

  auto [fail_code, fail_out] = Probe({server.address(), "--unit", "3",
                                      "--register", "4x9000", "--count", "2"});
  EXPECT_EQ(fail_code, 0) << fail_out;  // unset registers read as zero
  ExpectOnlyReads(server);
}

TEST_F(ModbusServerTest, ShippedProfilesOnlyEverSendReadFunctionCodes) {
  // An empty device: every register reads 0, so every profile's whole plan
  // goes out. The server logs each request's function code.
  ServerProcess server(ServerProcess::Mode::kTcp, Image({{1, Unit{}}}));
  Agent agent;
  auto errors = agent.protocol().LoadProfiles({DC_MODBUS_PROFILE_DIR});
  ASSERT_TRUE(errors.empty()) << errors.front();

  std::vector<std::unique_ptr<Collector>> collectors;
  for (const auto& entry :
       std::filesystem::directory_iterator(DC_MODBUS_PROFILE_DIR)) {
    if (entry.path().extension() != ".toml")
      continue;
    std::string name = entry.path().stem().string();
    if (name == "sunspec-meter")
      continue;  // needs a SunSpec map
    collectors.push_back(agent.Make(Target(server, name)));
  }
  std::vector<Collector*> all;
  for (auto& c : collectors)
    all.push_back(c.get());
  auto results = agent.PollAll(all, milliseconds(20000));
  for (const auto& r : results)
    EXPECT_TRUE(r.success) << r.error;

  std::set<int> codes;
  for (const auto& r : server.Requests())
    codes.insert(r.function_code);
  EXPECT_EQ(codes, (std::set<int>{3, 4}));
  ExpectOnlyReads(server);
}

}  // namespace
}  // namespace dc::modbus
