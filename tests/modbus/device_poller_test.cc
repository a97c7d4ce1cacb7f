#include <algorithm>
#include <bit>
#include <cmath>

#include <gtest/gtest.h>

#include "collectors/modbus/device_poller.h"
#include "fake_transport.h"

namespace dc::modbus {
namespace {

using std::chrono::seconds;
using std::chrono::steady_clock;
constexpr Function H = Function::kHolding;
constexpr Function I = Function::kInput;

ProfilePtr ParseOrDie(const std::string& text) {
  TomlErrors errors;
  auto p = ParseProfile(text, "test.toml", errors);
  EXPECT_TRUE(p) << errors.Joined();
  return p ? std::make_shared<const Profile>(std::move(*p)) : nullptr;
}

ProfilePtr Shipped(const std::string& name) {
  TomlErrors errors;
  auto all = LoadProfileDirs({DC_MODBUS_PROFILE_DIR}, errors);
  EXPECT_TRUE(errors.empty()) << errors.Joined();
  auto it = all.find(name);
  return it == all.end() ? nullptr : it->second;
}

std::vector<std::uint16_t> Float32(float value) {
  auto bits = std::bit_cast<std::uint32_t>(value);
  return {static_cast<std::uint16_t>(bits >> 16),
          static_cast<std::uint16_t>(bits & 0xFFFF)};
}

// The value of the series `name` with label `key`=`value` (or the only one).
std::optional<double> Find(const PollResult& r, const std::string& name,
                           const std::string& key = "",
                           const std::string& value = "") {
  for (const Sample& s : r.samples) {
    if (s.name != name)
      continue;
    if (key.empty())
      return s.value;
    for (const auto& [k, v] : s.labels) {
      if (k == key && v == value)
        return s.value;
    }
  }
  return std::nullopt;
}

std::string InfoLabel(const PollResult& r, const std::string& label) {
  for (const Sample& s : r.samples) {
    if (s.name != "dc_device_info")
      continue;
    for (const auto& [k, v] : s.labels) {
      if (k == label)
        return v;
    }
  }
  return "<none>";
}

TargetConfig Target() {
  TargetConfig t;
  t.name = "dev";
  t.unit = 7;
  t.retries = 0;
  return t;
}

TEST(DevicePoller, DecodesAShippedProfileInFewReads) {
  FakeTransport fake;
  fake.SetMany(I, 0x0000, Float32(230.5f));
  fake.SetMany(I, 0x0002, Float32(231.0f));
  fake.SetMany(I, 0x0004, Float32(NAN));  // phase not wired: dropped
  fake.SetMany(I, 0x0034, Float32(1500.0f));
  fake.SetMany(I, 0x0048, Float32(12.5f));  // kWh
  fake.SetMany(I, 0x00C8, Float32(400.0f));

  DevicePoller poller(Target(), {Shipped("eastron-sdm630")}, false);
  PollResult r = poller.Poll(fake, steady_clock::now() + seconds(5));

  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(Find(r, "dc_meter_phase_volts", "phase", "L1"), 230.5);
  EXPECT_EQ(Find(r, "dc_meter_phase_volts", "phase", "L2"), 231.0);
  EXPECT_FALSE(Find(r, "dc_meter_phase_volts", "phase", "L3"));
  EXPECT_EQ(Find(r, "dc_meter_phase_volts", "phase", "L1-L2"), 400.0);
  EXPECT_EQ(Find(r, "dc_meter_watts"), 1500.0);
  EXPECT_EQ(Find(r, "dc_meter_energy_joules_total"), 12.5 * 3.6e6);
  EXPECT_EQ(InfoLabel(r, "model"), "SDM630");
  EXPECT_EQ(InfoLabel(r, "profile"), "eastron-sdm630");
  EXPECT_EQ(InfoLabel(r, "class"), "meter");

  // Gaps up to 8 registers are read through, longer ones are not:
  // 0..17, 30..35, 52..75, 200..205, 224..225, all to unit 7.
  std::vector<ReadBlock> expected = {
      {I, 0, 18}, {I, 30, 6}, {I, 52, 24}, {I, 200, 6}, {I, 224, 2}};
  EXPECT_EQ(fake.blocks(), expected);
  EXPECT_EQ(r.requests, 5u);
  for (const auto& req : fake.requests())
    EXPECT_EQ(req.unit, 7);
  EXPECT_EQ(r.items_read, 56u);
}

TEST(DevicePoller, ABadRegisterIsFoundOnceAndNeverFailsTheDevice) {
  auto profile = ParseOrDie(R"(
[profile]
name = "t"
class = "ups"
source = "test"
[[metric]]
address = 10
metric = "dc_ups_battery_volts"
[[metric]]
address = 11
metric = "dc_ups_battery_amperes"
[[metric]]
address = 12
metric = "dc_ups_battery_temperature_celsius"
)");
  FakeTransport fake;
  fake.Set(H, 10, 54);
  fake.Set(H, 12, 25);
  fake.MakeIllegal(H, 11);

  DevicePoller poller(Target(), {profile}, false);
  PollResult first = poller.Poll(fake, steady_clock::now() + seconds(5));
  ASSERT_TRUE(first.success) << first.error;
  EXPECT_EQ(Find(first, "dc_ups_battery_volts"), 54);
  EXPECT_EQ(Find(first, "dc_ups_battery_temperature_celsius"), 25);
  EXPECT_FALSE(Find(first, "dc_ups_battery_amperes"));
  EXPECT_GE(first.errors[ErrorReason::kIllegalAddress], 1u);
  EXPECT_TRUE(poller.bad_registers().Contains(H, 11));

  // Later polls read around it: no request touches register 11.
  std::size_t before = fake.requests().size();
  PollResult second = poller.Poll(fake, steady_clock::now() + seconds(5));
  ASSERT_TRUE(second.success);
  EXPECT_EQ(second.errors.count(ErrorReason::kIllegalAddress), 0u);
  EXPECT_EQ(Find(second, "dc_ups_battery_volts"), 54);
  for (std::size_t i = before; i < fake.requests().size(); ++i) {
    const auto& req = fake.requests()[i];
    EXPECT_FALSE(req.address <= 11 && 11 < req.address + req.count);
  }
}

TEST(DevicePoller, SentinelsDropsStatesAndBits) {
  auto profile = ParseOrDie(R"(
[profile]
name = "t"
class = "ups"
source = "test"
[[metric]]
address = 0
type = "int16"
metric = "dc_ups_battery_temperature_celsius"
[[metric]]
address = 1
metric = "dc_ups_battery_volts"
drop = [999]
[[metric]]
address = 2
metric = "dc_ups_output_source"
state_label = "source"
states = { 3 = "normal", 5 = "battery" }
[[metric]]
address = 3
metric = "dc_ups_battery_replace_needed"
bit = 2
keep_sentinels = true
[[metric]]
address = 4
type = "uint32"
order = "CDAB"
metric = "dc_ups_battery_runtime_seconds"
)");
  FakeTransport fake;
  fake.Set(H, 0, 0x8000);  // int16 "not available"
  fake.Set(H, 1, 999);     // listed in drop
  fake.Set(H, 2, 5);
  fake.Set(H, 3, 0xFFFF);  // a bit field with every bit set is real
  fake.SetMany(H, 4, {0x0E10, 0x0000});  // 3600, low word first

  DevicePoller poller(Target(), {profile}, false);
  PollResult r = poller.Poll(fake, steady_clock::now() + seconds(5));
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_FALSE(Find(r, "dc_ups_battery_temperature_celsius"));
  EXPECT_FALSE(Find(r, "dc_ups_battery_volts"));
  EXPECT_EQ(Find(r, "dc_ups_output_source", "source", "battery"), 1);
  EXPECT_EQ(Find(r, "dc_ups_output_source", "source", "normal"), 0);
  EXPECT_EQ(Find(r, "dc_ups_battery_replace_needed"), 1);
  EXPECT_EQ(Find(r, "dc_ups_battery_runtime_seconds"), 3600);
  EXPECT_EQ(r.requests, 1u);
}

// A SunSpec image: "SunS" at 40000, Common model, one meter model, end.
void PutSunSpec(FakeTransport& fake, int meter_model) {
  std::uint16_t a = 40000;
  fake.SetMany(H, a, {0x5375, 0x6E53});
  a += 2;
  fake.SetMany(H, a, {1, 66});
  fake.SetMany(H, a + 2, {0x4163, 0x6D65});   // "Acme"
  fake.SetMany(H, a + 18, {0x4D31, 0x0000});  // "M1"
  fake.SetMany(H, a + 42, {0x312E, 0x3200});  // "1.2"
  fake.SetMany(H, a + 50, {0x534E, 0x3432});  // "SN42"
  a += 2 + 66;
  const std::uint16_t meter = a;
  fake.SetMany(H, meter, {static_cast<std::uint16_t>(meter_model), 105});
  fake.SetMany(H, meter + 3, {123, 0x8000, 0x8000});  // AphA only
  fake.Set(H, meter + 6, 0xFFFF);                     // A_SF = -1
  fake.Set(H, meter + 8, 2301);                       // PhVphA
  fake.Set(H, meter + 15, 0xFFFF);                    // V_SF = -1
  fake.Set(H, meter + 16, 5000);                      // Hz
  fake.Set(H, meter + 17, 0xFFFE);                    // Hz_SF = -2
  fake.Set(H, meter + 18, 150);                       // W
  fake.Set(H, meter + 22, 1);                         // W_SF = +1
  fake.Set(H, meter + 33, 95);                        // PF %
  fake.Set(H, meter + 37, 0x8000);                    // PF_SF missing
  fake.SetMany(H, meter + 46, {0x0001, 0x0000});      // 65536 Wh
  fake.Set(H, meter + 54, 0);                         // TotWh_SF = 0
  fake.SetMany(H, meter + 38, {0, 0});                // not accumulated
  fake.Set(H, meter + 2 + 105, 0xFFFF);               // end of chain
}

TEST(DevicePoller, FindsSunSpecModelsAndAppliesScaleFactors) {
  FakeTransport fake;
  PutSunSpec(fake, 203);
  fake.MakeIllegal(H, 0);  // nothing at the other bases

  TargetConfig target = Target();
  target.profile = "auto";
  DevicePoller poller(target, {Shipped("sunspec-meter")}, true);
  PollResult r = poller.Poll(fake, steady_clock::now() + seconds(5));

  ASSERT_TRUE(r.success) << r.error;
  EXPECT_DOUBLE_EQ(*Find(r, "dc_meter_phase_amperes", "phase", "L1"), 12.3);
  EXPECT_FALSE(Find(r, "dc_meter_phase_amperes", "phase", "L2"));
  EXPECT_DOUBLE_EQ(*Find(r, "dc_meter_phase_volts", "phase", "L1"), 230.1);
  EXPECT_DOUBLE_EQ(*Find(r, "dc_meter_frequency_hertz"), 50.0);
  EXPECT_DOUBLE_EQ(*Find(r, "dc_meter_watts"), 1500.0);
  EXPECT_FALSE(Find(r, "dc_meter_power_factor"));  // its SF is missing
  EXPECT_DOUBLE_EQ(*Find(r, "dc_meter_energy_joules_total"), 65536.0 * 3600);
  EXPECT_FALSE(Find(r, "dc_meter_export_energy_joules_total"));
  EXPECT_EQ(InfoLabel(r, "vendor"), "Acme");
  EXPECT_EQ(InfoLabel(r, "model"), "M1");
  EXPECT_EQ(InfoLabel(r, "serial"), "SN42");
  EXPECT_EQ(InfoLabel(r, "firmware"), "1.2");
  EXPECT_EQ(InfoLabel(r, "profile"), "sunspec-meter");

  // Discovery happens once; the next poll only reads the model.
  std::size_t before = fake.requests().size();
  PollResult again = poller.Poll(fake, steady_clock::now() + seconds(5));
  ASSERT_TRUE(again.success);
  EXPECT_EQ(fake.requests().size() - before, again.requests);
  EXPECT_LE(again.requests, 1u);
}

TEST(DevicePoller, SunSpecWithoutADescribedModelSaysSo) {
  FakeTransport fake;
  PutSunSpec(fake, 160);
  DevicePoller poller(Target(), {Shipped("sunspec-meter")}, true);
  PollResult r = poller.Poll(fake, steady_clock::now() + seconds(5));
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("SunSpec models 1, 160 found"), std::string::npos)
      << r.error;

  FakeTransport empty;
  for (std::uint16_t base : kSunSpecBases)
    empty.MakeIllegal(H, base);
  DevicePoller none(Target(), {Shipped("sunspec-meter")}, true);
  PollResult n = none.Poll(empty, steady_clock::now() + seconds(5));
  EXPECT_FALSE(n.success);
  EXPECT_NE(n.error.find("no SunSpec marker"), std::string::npos) << n.error;
}

TEST(DevicePoller, AStringInfoFieldIsReadOnce) {
  FakeTransport fake;
  fake.SetMany(H, 532, {0x534D, 0x5431, 0x3530, 0x3020});  // "SMT1500 "
  fake.SetMany(H, 564, {0x4153, 0x3132});                  // "AS12"
  fake.Set(H, 130, 100 * 512);                             // 100 %
  DevicePoller poller(Target(), {Shipped("apc-smartups")}, false);
  PollResult r = poller.Poll(fake, steady_clock::now() + seconds(5));
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(InfoLabel(r, "model"), "SMT1500");
  EXPECT_EQ(InfoLabel(r, "serial"), "AS12");
  EXPECT_EQ(InfoLabel(r, "vendor"), "APC");
  EXPECT_DOUBLE_EQ(*Find(r, "dc_ups_battery_charge_ratio"), 1.0);

  PollResult again = poller.Poll(fake, steady_clock::now() + seconds(5));
  EXPECT_LT(again.requests, r.requests);
  EXPECT_EQ(InfoLabel(again, "model"), "SMT1500");
  for (const auto& block : poller.plan()) {
    EXPECT_FALSE(block.address < 572 && block.end() > 516)
        << block.address << "+" << block.count;
  }
}

TEST(DevicePoller, ADeadDeviceFailsWithTheReason) {
  FakeTransport fake;
  fake.FailFrom(0, ReadStatus::kConnection);
  DevicePoller poller(Target(), {Shipped("eastron-sdm120")}, false);
  PollResult r = poller.Poll(fake, steady_clock::now() + seconds(5));
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.errors[ErrorReason::kConnection], 1u);
  EXPECT_NE(r.error.find("injected failure"), std::string::npos) << r.error;
  EXPECT_TRUE(r.samples.empty());
}

}  // namespace
}  // namespace dc::modbus
