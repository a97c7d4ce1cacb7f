#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "sim/device.h"
#include "sim/facility.h"
#include "sim/fleet.h"
#include "sim/snmp_responder.h"
#include "tests/sim/snmp_test_util.h"

namespace dc::sim {
namespace {

DeviceSpec Spec(const std::string& name, const std::string& model, char feed,
                int rack) {
  DeviceSpec spec;
  spec.name = name;
  spec.model = model;
  spec.feed = feed;
  spec.rack = rack;
  spec.address = "127.0.0.1";
  return spec;
}

// Two racks on two UPSes, two cooling units, a rack monitor and a meter.
class Hall : public ::testing::Test {
 protected:
  void SetUp() override {
    fleet_.hall.it_load_kw = 20;
    fleet_.hall.noise = 0.02;
    // The daily cycle follows the wall clock: over the simulated hour these
    // tests step through, it would move the baseline by an amount that
    // depends on when the test runs.
    fleet_.hall.daily_swing = 0;
    fleet_.devices = {
        Spec("ups-a", "ups-rfc1628", 'A', 0),
        Spec("ups-b", "ups-rfc1628", 'B', 0),
        Spec("pdu-1a", "apc-rpdu2", 'A', 1),
        Spec("pdu-1b", "apc-rpdu2", 'B', 1),
        Spec("pdu-2a", "apc-rpdu2", 'A', 2),
        Spec("pdu-2b", "apc-rpdu2", 'B', 2),
        Spec("crah-1", "apc-inrow-dx", 'A', 0),
        Spec("crah-2", "liebert-icom-cw", 'A', 0),
        Spec("env-1", "apc-netbotz", 'A', 1),
        Spec("meter", "eastron-sdm630", 'A', 0),
    };
    fleet_.devices[0].battery_minutes = 3;
    fleet_.devices[6].capacity_kw = 15;
    fleet_.devices[7].capacity_kw = 15;
    auto built = BuildDevices(fleet_, DC_SIM_MODELS_DIR);
    ASSERT_TRUE(built) << built.error();
    devices_ = std::move(*built);
    facility_ = std::make_unique<Facility>(fleet_.hall, 11, devices_);
    Run(5, 1.0);
  }

  void Run(int steps, double seconds) {
    for (int i = 0; i < steps; ++i)
      facility_->Step(seconds);
  }

  Device& D(const std::string& name) {
    for (Device& d : devices_) {
      if (d.spec.name == name)
        return d;
    }
    throw std::runtime_error("no device " + name);
  }

  double V(const std::string& device, const std::string& variable) {
    Device& d = D(device);
    auto index = d.layout->Find(variable);
    EXPECT_TRUE(index) << variable;
    return d.variables[static_cast<std::size_t>(*index)];
  }

  void Apply(const std::string& action, const std::string& device,
             int phase = 1) {
    Event event;
    event.action = action;
    event.device = device;
    event.phase = phase;
    auto applied = facility_->Apply(event);
    ASSERT_TRUE(applied) << applied.error();
  }

  // Reads an integer OID of an SNMP device through the responder.
  std::int64_t Snmp(const std::string& device, const char* oid) {
    Device& d = D(device);
    SnmpAgentView agent{d.mib.get(), d.variables, d.texts, "public", 1472};
    std::string request = testing::Request(pdu::kGet, {*ParseOid(oid)});
    std::string out;
    SnmpScratch scratch;
    AnswerSnmp(std::span(reinterpret_cast<const std::uint8_t*>(request.data()),
                         request.size()),
               agent, scratch, out);
    testing::Response response;
    EXPECT_TRUE(testing::ParseResponse(out, response));
    return response.varbinds.at(0).number;
  }

  Fleet fleet_;
  std::vector<Device> devices_;
  std::unique_ptr<Facility> facility_;
};

TEST_F(Hall, OutletsAddUpToPhasesAndPhasesToThePduInput) {
  for (const char* pdu : {"pdu-1a", "pdu-1b", "pdu-2a", "pdu-2b"}) {
    double phases_w = 0;
    for (int ph = 1; ph <= 3; ++ph) {
      double outlets_a = 0;
      for (int o = ph; o <= 24; o += 3) {
        outlets_a += V(pdu, "outlet.amps." + std::to_string(o));
      }
      EXPECT_NEAR(outlets_a, V(pdu, "phase.amps." + std::to_string(ph)), 1e-9);
      EXPECT_GT(outlets_a, 0.5) << pdu;
      phases_w += V(pdu, "phase.watts." + std::to_string(ph));
    }
    EXPECT_NEAR(phases_w, V(pdu, "watts"), 1e-6);
  }
  // Dual-corded servers: A and B halves of a rack are equal.
  EXPECT_NEAR(V("pdu-1a", "watts"), V("pdu-1b", "watts"), 1e-6);
  // The whole IT load is delivered through the PDUs.
  double total = V("pdu-1a", "watts") + V("pdu-1b", "watts") +
                 V("pdu-2a", "watts") + V("pdu-2b", "watts");
  EXPECT_NEAR(total / 1000, facility_->it_load_kw(), 0.05 * total / 1000);
}

TEST_F(Hall, UpsCarriesItsFeedAndFollowsItLoad) {
  double feed_a = V("pdu-1a", "watts") + V("pdu-2a", "watts");
  EXPECT_NEAR(V("ups-a", "output.watts"), feed_a * 1.01, 0.05 * feed_a);

  double before = V("ups-a", "output.watts");
  Event more;
  more.action = "it_load";
  more.value = 1.5;
  ASSERT_TRUE(facility_->Apply(more));
  Run(3, 1.0);
  EXPECT_NEAR(V("ups-a", "output.watts") / before, 1.5, 0.1);
  EXPECT_NEAR(V("ups-a", "output.load_percent"),
              100 * V("ups-a", "output.watts") / 80000, 1e-6);
}

TEST_F(Hall, MainsLossRunsTheUpsOnBatteryUntilTheOtherFeedTakesOver) {
  EXPECT_EQ(Snmp("ups-a", "1.3.6.1.2.1.33.1.4.1.0"), 3);  // normal
  Apply("ups_on_battery", "ups-a");
  Run(60, 1.0);

  EXPECT_EQ(Snmp("ups-a", "1.3.6.1.2.1.33.1.4.1.0"), 5);  // battery
  EXPECT_EQ(Snmp("ups-a", "1.3.6.1.2.1.33.1.2.2.0"), 60);
  EXPECT_LT(Snmp("ups-a", "1.3.6.1.2.1.33.1.2.4.0"), 100);
  EXPECT_EQ(Snmp("ups-a", "1.3.6.1.2.1.33.1.3.3.1.3.1"), 0);  // input volts
  EXPECT_EQ(Snmp("ups-b", "1.3.6.1.2.1.33.1.4.1.0"), 3);
  double runtime_early = V("ups-a", "battery.minutes_remaining");

  // Three minutes at full load, an eighth of it carried: the battery runs
  // flat within half an hour; the B feed then carries every rack.
  Run(5, 60.0);
  EXPECT_LT(V("ups-a", "battery.minutes_remaining"), runtime_early - 4);
  Run(55, 60.0);
  EXPECT_EQ(Snmp("ups-a", "1.3.6.1.2.1.33.1.4.1.0"), 2);  // none
  EXPECT_EQ(Snmp("ups-a", "1.3.6.1.2.1.33.1.2.1.0"), 4);  // depleted
  EXPECT_EQ(V("pdu-1a", "watts"), 0);
  EXPECT_NEAR(V("pdu-1b", "watts") / 1000, facility_->it_load_kw() * 0.5,
              facility_->it_load_kw() * 0.5);
  EXPECT_GT(V("ups-b", "output.watts"), 0.9 * facility_->it_load_kw() * 1000);

  Apply("ups_on_mains", "ups-a");
  Run(3, 1.0);
  EXPECT_EQ(Snmp("ups-a", "1.3.6.1.2.1.33.1.4.1.0"), 3);
  EXPECT_GT(V("pdu-1a", "watts"), 0);
}

TEST_F(Hall, CoolingFailureWarmsTheRoom) {
  double inlet_before = V("env-1", "temperature.1");
  Apply("cooling_fail", "crah-1");
  Apply("cooling_fail", "crah-2");
  Run(20, 30.0);
  EXPECT_EQ(V("crah-1", "running"), 0);
  EXPECT_EQ(Snmp("crah-1", "1.3.6.1.4.1.318.1.1.27.1.4.2.2.1.4.1.2"),
            1);  // standby
  EXPECT_GT(V("env-1", "temperature.1"), inlet_before + 3);
  EXPECT_GT(V("env-1", "temperature.2"), V("env-1", "temperature.1"));

  Apply("cooling_restore", "crah-1");
  Apply("cooling_restore", "crah-2");
  Run(60, 30.0);
  EXPECT_NEAR(V("env-1", "temperature.1"), inlet_before, 1.5);
}

// The daily cycle peaks at 15:00 UTC and bottoms out at 03:00, by the hall's
// daily_swing either side of the mean.
TEST_F(Hall, LoadFollowsTheDailyCycle) {
  HallSpec hall = fleet_.hall;
  hall.daily_swing = 0.12;
  hall.noise = 0;
  auto load_at = [&](double hour_utc) {
    const double day = 20000 * 86400.0;  // a midnight, UTC
    Facility facility(hall, 11, devices_, day + hour_utc * 3600);
    facility.Step(1.0);
    return facility.it_load_kw();
  };
  double trough = load_at(3);
  double mean = load_at(9);
  double peak = load_at(15);
  EXPECT_NEAR(peak / mean, 1.12, 0.005);
  EXPECT_NEAR(trough / mean, 0.88, 0.005);
  EXPECT_NEAR(load_at(21) / mean, 1.0, 0.005);
}

TEST_F(Hall, ReturnAirIsWarmerThanSupplyByTheHeatRemoved) {
  for (const char* unit : {"crah-1", "crah-2"}) {
    EXPECT_GT(V(unit, "return_air"), V(unit, "supply_air") + 2);
    EXPECT_NEAR(V(unit, "capacity_kw"), facility_->it_load_kw() * 1.04 / 2,
                facility_->it_load_kw() * 0.1);
  }
}

TEST_F(Hall, PhaseOverloadRaisesOnePhaseAndShowsInTheLoadState) {
  Apply("pdu_overload", "pdu-2b", 2);
  Run(2, 1.0);
  EXPECT_NEAR(V("pdu-2b", "phase.amps.2"), 16 * 1.1, 0.01);
  EXPECT_EQ(V("pdu-2b", "phase.load_state.2"), 4);
  EXPECT_EQ(Snmp("pdu-2b", "1.3.6.1.4.1.318.1.1.26.6.3.1.4.2"), 4);
  EXPECT_LT(V("pdu-2b", "phase.amps.1"), 0.7 * V("pdu-2b", "phase.amps.2"));
  double outlets = 0;
  for (int o = 2; o <= 24; o += 3) {
    outlets += V("pdu-2b", "outlet.amps." + std::to_string(o));
  }
  EXPECT_NEAR(outlets, V("pdu-2b", "phase.amps.2"), 1e-9);
}

TEST_F(Hall, MeterSeesUpsInputsAndCooling) {
  double ups_in = 0;
  for (const char* ups : {"ups-a", "ups-b"}) {
    for (int ph = 1; ph <= 3; ++ph) {
      ups_in += V(ups, "input.watts." + std::to_string(ph));
    }
  }
  double cooling = (V("crah-1", "power_kw") + V("crah-2", "power_kw")) * 1000;
  EXPECT_NEAR(V("meter", "watts"), ups_in + cooling + 1500, 1.0);
  EXPECT_GT(V("meter", "import_kwh"), 0);
}

TEST_F(Hall, BanksSplitEachPhaseAndCarryTheirLoadState) {
  for (const char* pdu : {"pdu-1a", "pdu-2b"}) {
    for (int ph = 1; ph <= 3; ++ph) {
      double first = V(pdu, "bank.amps." + std::to_string(ph));
      double second = V(pdu, "bank.amps." + std::to_string(ph + 3));
      EXPECT_GT(first, 0.1) << pdu;
      EXPECT_NEAR(first + second, V(pdu, "phase.amps." + std::to_string(ph)),
                  1e-9)
          << pdu;
      EXPECT_EQ(V(pdu, "bank.load_state." + std::to_string(ph)), 2) << pdu;
    }
  }

  // Outlet 2 (phase 2, first half) is in bank 2; its overload shows there.
  Event overload;
  overload.action = "pdu_overload";
  overload.device = "pdu-1a";
  overload.phase = 2;
  overload.value = 24;
  ASSERT_TRUE(facility_->Apply(overload));
  facility_->Step(1.0);
  EXPECT_GT(V("pdu-1a", "bank.amps.2"), 16);
  EXPECT_EQ(V("pdu-1a", "bank.load_state.2"), 4);
  EXPECT_EQ(V("pdu-1a", "bank.load_state.5"), 2);

  // On the wire: rPDU2BankStatusCurrent in 0.1 A, the phase and bank
  // overload thresholds in A.
  EXPECT_EQ(Snmp("pdu-1a", "1.3.6.1.4.1.318.1.1.26.8.3.1.5.2"),
            std::llround(V("pdu-1a", "bank.amps.2") * 10));
  EXPECT_EQ(Snmp("pdu-1a", "1.3.6.1.4.1.318.1.1.26.8.3.1.4.2"), 4);
  EXPECT_EQ(Snmp("pdu-1a", "1.3.6.1.4.1.318.1.1.26.6.1.1.7.3"), 16);
  EXPECT_EQ(Snmp("pdu-1a", "1.3.6.1.4.1.318.1.1.26.8.1.1.7.6"), 16);
  EXPECT_EQ(Snmp("pdu-1a", "1.3.6.1.4.1.318.1.1.26.8.1.1.6.6"), 13);
}

std::string WriteTemp(const std::string& text) {
  std::string path = ::testing::TempDir() + "fleet_test.toml";
  std::ofstream(path) << text;
  return path;
}

TEST(FleetFile, ExpandsCountedDevicesWithNumbersPortsAndRacks) {
  auto fleet = LoadFleet(WriteTemp(
      "[[device]]\nname = \"pdu-r{n}-a\"\ncount = 3\nmodel = \"apc-rpdu2\"\n"
      "port = 40000\nfeed = \"A\"\n"));
  ASSERT_TRUE(fleet) << fleet.error();
  ASSERT_EQ(fleet->devices.size(), 3u);
  EXPECT_EQ(fleet->devices[2].name, "pdu-r03-a");
  EXPECT_EQ(fleet->devices[2].port, 40002);
  EXPECT_EQ(fleet->devices[2].rack, 3);
}

TEST(FleetFile, ErrorsNameFileLineAndColumn) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"[[device]]\nname = \"x\"\nmodel = \"m\"\nport = 1\nprot = 2\n",
       ":5:1: [[device]]: unknown key 'prot'"},
      {"[[device]]\nname = \"x\"\nmodel = \"m\"\nport = 70000\n", "'port'"},
      {"[[device]]\nname = \"x\"\nmodel = \"m\"\nport = 1\n"
       "address = \"10.0.0.1\"\n",
       "loopback"},
      {"[[device]]\nname = \"x\"\nmodel = \"m\"\nport = 1\n"
       "[[device]]\nname = \"x\"\nmodel = \"m\"\nport = 2\n",
       "device name 'x' is used twice"},
      {"[[device]]\nname = \"x\"\nmodel = \"m\"\nport = 1\n"
       "[[event]]\nat = \"1m\"\naction = \"explode\"\n",
       ":7:10: [[event]]: 'action': unknown action 'explode'"},
      {"[[device]]\nname = \"x\"\nmodel = \"m\"\nport = 1\n"
       "faults = { drop = 1.5 }\n",
       "must be a share between 0 and 1"},
      {"[[user]]\nname = \"u\"\nauth = \"SHA-3\"\n"
       "auth_passphrase = \"12345678\"\n",
       ":3:8: [[user]]: 'auth': must be MD5, SHA, SHA-224"},
      {"[[user]]\nname = \"u\"\nauth = \"SHA\"\n"
       "auth_passphrase = \"short\"\n",
       ":4:19: [[user]]: 'auth_passphrase': needs a passphrase of at least 8"},
      {"[[user]]\nname = \"u\"\npriv = \"AES\"\n"
       "priv_passphrase = \"12345678\"\n",
       "privacy needs an auth protocol too"},
      {"[[user]]\nname = \"u\"\nauth_passphrase_file = \"no-such-file\"\n",
       "'auth_passphrase_file': cannot read"},
      {"[[user]]\nname = \"u\"\n[[user]]\nname = \"u\"\n"
       "[[device]]\nname = \"x\"\nmodel = \"m\"\nport = 1\n",
       "user name 'u' is used twice"},
      {"[[device]]\nname = \"x{n}\"\ncount = 3\nmodel = \"m\"\nport = 1\n"
       "users = [\"ghost\"]\n",
       ":1:1: [[device]]: users: no [[user]] named 'ghost'"},
      {"[[device]]\nname = \"x\"\nmodel = \"m\"\nport = 1\n"
       "versions = [\"2\"]\n",
       "'versions': SNMP versions are"},
      {"[[device]]\nname = \"x\"\nmodel = \"m\"\nport = 1\n"
       "engine_id = \"80\"\n",
       "'engine_id': an engine ID is 5 to 32 bytes"},
  };
  for (const Case& c : cases) {
    auto fleet = LoadFleet(WriteTemp(c.text));
    ASSERT_FALSE(fleet) << c.text;
    EXPECT_NE(fleet.error().find(c.message), std::string::npos)
        << fleet.error() << "\n(expected " << c.message << ")";
  }
}

TEST(EventJson, ParsesEventsAndFaultsAndRejectsTypos) {
  auto event = ParseEventJson(
      R"({"action":"faults","device":"ups-a","drop":0.5,"delay":"200ms"})");
  ASSERT_TRUE(event) << event.error();
  ASSERT_TRUE(event->faults);
  EXPECT_EQ(event->faults->drop, 0.5);
  EXPECT_EQ(event->faults->delay.count(), 200);
  EXPECT_FALSE(ParseEventJson(R"({"action":"ups_on_batery"})"));
  EXPECT_FALSE(ParseEventJson(R"({"action":"faults","drop":"half"})"));
  EXPECT_FALSE(ParseEventJson("not json"));
}

}  // namespace
}  // namespace dc::sim
