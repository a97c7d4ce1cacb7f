// Hand-computed cases: every expected number below is worked out in the
// comment above it from the inventory, not taken from a run.
#include <gtest/gtest.h>

#include "planner/capacity.h"
#include "planner/electrical.h"
#include "planner/failover.h"
#include "tests/planner/test_support.h"

namespace dc::plan {
namespace {

using testing::MustParse;
using testing::SmallSite;

// A rack on pa (A) and pb (B) with two feeds of the given breaker.
std::string RackWithFeeds(const std::string& id, double max_kw, int u, int amps,
                          int volts, int phases) {
  return "[[rack]]\nid = \"" + id + "\"\nroom = \"room\"\nzone = \"z\"\n" +
         "max_kw = " + std::to_string(max_kw) + "\nu = " + std::to_string(u) +
         "\n[[feed]]\nid = \"" + id + "-a\"\nrack = \"" + id +
         "\"\npanel = \"pa\"\nside = \"A\"\nbreaker_amps = " +
         std::to_string(amps) + "\nvolts = " + std::to_string(volts) +
         "\nphases = " + std::to_string(phases) + "\n[[feed]]\nid = \"" + id +
         "-b\"\nrack = \"" + id + "\"\npanel = \"pb\"\nside = \"B\"\n" +
         "breaker_amps = " + std::to_string(amps) +
         "\nvolts = " + std::to_string(volts) +
         "\nphases = " + std::to_string(phases) + "\n";
}

std::string Device(const std::string& id, const std::string& rack, int u,
                   double watts, const std::string& extra = "") {
  return "[[device]]\nid = \"" + id + "\"\nrack = \"" + rack +
         "\"\nu = " + std::to_string(u) + "\nfeeds = [\"" + rack + "-a\", \"" +
         rack + "-b\"]\nbudget_w = " + std::to_string(watts) + "\n" + extra;
}

const ScopeCapacity* Find(const CapacityReport& r, std::string_view resource,
                          std::string_view kind, std::string_view scope) {
  for (const auto& s : r.scopes) {
    if (s.resource == resource && s.scope_kind == kind && s.scope == scope) {
      return &s;
    }
  }
  return nullptr;
}

TEST(Electrical, ThreePhasePowerIsRootThreeVIPf) {
  // sqrt(3) * 400 V * 32 A = 1.7320508 * 12800 = 22170.25 VA; times
  // 0.95 = 21061.74 W.
  EXPECT_NEAR(CircuitVoltAmperes(400, 32, 3), 22170.25, 0.01);
  EXPECT_NEAR(CircuitWatts(400, 32, 3, 0.95), 21061.74, 0.01);
  // Single phase: 230 V * 16 A = 3680 VA.
  EXPECT_NEAR(CircuitVoltAmperes(230, 16, 1), 3680, 1e-9);
  // 400 V line to line is 230.9 V line to neutral; 2309.4 VA on one
  // phase is 10 A.
  EXPECT_NEAR(PhaseAmps(2309.4, 400, 3), 10.0, 1e-3);
}

TEST(Capacity, RackFeedUsableIsDeratedAndOneSideCarriesAll) {
  // Feed: 32 A at 400 V three-phase, PF 0.95, derated 80%:
  // 21061.74 W * 0.8 = 16849.4 W. With one feed out the other carries the
  // rack, so the rack's usable power is one feed's, 16849.4 W; the
  // 6 kW device leaves 10849.4 W of headroom.
  Plan plan = MustParse(SmallSite() + RackWithFeeds("r1", 40, 42, 32, 400, 3) +
                        Device("d1", "r1", 2, 6000));
  PowerGraph graph(plan);
  CapacityReport r = ComputeCapacity(plan, graph);
  ASSERT_EQ(r.racks.size(), 1u);
  EXPECT_NEAR(r.racks[0].load_w, 6000, 1e-6);
  EXPECT_NEAR(r.racks[0].power_usable_w, 16849.4, 0.1);
  EXPECT_NEAR(r.racks[0].power_headroom_w, 10849.4, 0.1);
  EXPECT_NE(r.racks[0].power_binding.find("failure of r1-"), std::string::npos);
}

TEST(Capacity, SinglePhaseLoadBindsOnItsPhase) {
  // A 3 kW load on L1 (PF 0.95: 3157.9 VA) of a 32 A three-phase feed.
  // L1 carries at most 0.8 * 32 A * 230.94 V = 5912.1 VA, so L1 has
  // 2754.2 VA left; the probe spreads evenly over three phases, so the
  // rack can take 3 * 2754.2 VA * 0.95 = 7849.5 W more.
  Plan plan = MustParse(SmallSite() + RackWithFeeds("r1", 40, 42, 32, 400, 3) +
                        Device("d1", "r1", 2, 3000, "phase = \"L1\"\n"));
  PowerGraph graph(plan);
  CapacityReport r = ComputeCapacity(plan, graph);
  EXPECT_NEAR(r.racks[0].power_headroom_w, 7849.5, 0.5);
}

TEST(Capacity, StrandedCapacityBehindTheBindingConstraint) {
  // Rack: 10 kW cooling limit, 10 U (1 kW per U of design density), two
  // single-phase 16 A 230 V feeds (230*16*0.95*0.8 = 2796.8 W usable).
  // Devices: 8 U drawing 2 kW.
  //   power headroom   2796.8 - 2000 = 796.8 W   <- binds
  //   cooling headroom 10000 - 2000  = 8000 W
  //   space headroom   2 U * 1000    = 2000 W
  // Stranded: cooling 8000 - 796.8 = 7203.2 W; space
  // (2000 - 796.8) / 1000 = 1.2032 U.
  Plan plan = MustParse(SmallSite() + RackWithFeeds("r1", 10, 10, 16, 230, 1) +
                        Device("d1", "r1", 8, 2000));
  PowerGraph graph(plan);
  CapacityReport r = ComputeCapacity(plan, graph);
  const RackCapacity& rc = r.racks[0];
  EXPECT_EQ(rc.binding, "power");
  EXPECT_NEAR(rc.power_headroom_w, 796.8, 0.1);
  EXPECT_NEAR(rc.admissible_w, 796.8, 0.1);
  EXPECT_NEAR(rc.stranded_cooling_w, 7203.2, 0.1);
  EXPECT_NEAR(rc.stranded_space_u, 1.2032, 1e-3);
  EXPECT_NEAR(rc.stranded_power_w, 0, 1e-9);
}

TEST(Failover, TwoNSurvivorCarriesBothSides) {
  // Two racks of 30 kW and 25 kW (six 32 A feeds are not enough, so use
  // 125 A feeds). Normal: each UPS carries 27.5 kW. With ups-a failed,
  // ups-b carries 55 kW of its 90 kW usable (100 kW * 0.9): 61.1%, and
  // by VA 57894.7 VA of 99000 VA: 58.5%.
  Plan plan =
      MustParse(SmallSite() + RackWithFeeds("r1", 40, 42, 125, 400, 3) +
                RackWithFeeds("r2", 40, 42, 125, 400, 3) +
                Device("d1", "r1", 2, 30000) + Device("d2", "r2", 2, 25000));
  PowerGraph graph(plan);
  int a = graph.NodeIndex("ups-a"), b = graph.NodeIndex("ups-b");
  Evaluation normal = graph.Evaluate({CaseKind::kNormal, -1, -1, "normal"});
  EXPECT_NEAR(normal.nodes[a].watts, 27500, 1e-6);
  EXPECT_NEAR(normal.nodes[b].watts, 27500, 1e-6);

  Evaluation failed = graph.Evaluate({CaseKind::kFailure, a, -1, "a"});
  EXPECT_FALSE(failed.nodes[a].powered);
  EXPECT_NEAR(failed.nodes[b].watts, 55000, 1e-6);
  EXPECT_NEAR(failed.nodes[b].utilization, 55000.0 / 90000, 1e-9);
  EXPECT_EQ(failed.dropped_w, 0);

  // 2N usable = what one side carries: headroom 90 - 55 = 35 kW for the
  // group (UPS W binds before VA and before the 400 A panels).
  CapacityReport r = ComputeCapacity(plan, graph);
  const ScopeCapacity* group = Find(r, "power", "ups group", "pair");
  ASSERT_NE(group, nullptr);
  EXPECT_NEAR(group->headroom, 35.0, 0.01);
  EXPECT_NE(group->binding.find("ups-"), std::string::npos);
}

TEST(Failover, TwoNOverloadReportedWithItsSize) {
  // 100 kW on a pair of 90 kW usable UPSes: fine in normal operation
  // (50 kW each), 111.1% on the survivor when either fails.
  Plan plan =
      MustParse(SmallSite() + RackWithFeeds("r1", 120, 42, 250, 400, 3) +
                Device("d1", "r1", 2, 100000));
  PowerGraph graph(plan);
  CaseResult normal = CheckCase(graph, {CaseKind::kNormal, -1, -1, "normal"});
  EXPECT_TRUE(normal.ok());
  CaseResult failed =
      CheckCase(graph, {CaseKind::kFailure, graph.NodeIndex("ups-a"), -1, "a"});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.overloads.front().element, "ups-b");
  EXPECT_NEAR(failed.overloads.front().utilization, 100.0 / 90, 1e-9);

  RedundancyReport rep = AnalyzeRedundancy(graph, plan);
  EXPECT_TRUE(rep.tiers[0].met);   // Tier I: normal operation holds
  EXPECT_FALSE(rep.tiers[1].met);  // Tier II: a single-module UPS fails
}

TEST(Failover, SingleCordedDeviceGoesDarkWhenItsFeedFails) {
  Plan plan = MustParse(SmallSite() + RackWithFeeds("r1", 40, 42, 32, 400, 3) +
                        "[[device]]\nid = \"old\"\nrack = \"r1\"\nfeeds = "
                        "[\"r1-a\"]\nbudget_w = 500\n");
  PowerGraph graph(plan);
  CaseResult r = CheckCase(
      graph, {CaseKind::kMaintenance, graph.NodeIndex("pa"), -1, "pa out"});
  EXPECT_NEAR(r.dropped_w, 500, 1e-9);
  ASSERT_EQ(r.dropped.size(), 1u);
  EXPECT_EQ(r.dropped[0], "old");
  RedundancyReport rep = AnalyzeRedundancy(graph, plan);
  EXPECT_FALSE(rep.tiers[2].met);  // not concurrently maintainable
}

TEST(Failover, NPlusOneCoolingLosesOneUnit) {
  // Three 50 kW units: 150 kW nameplate, 100 kW with one out. A 90 kW
  // room holds; the zone's usable capacity is 100 kW.
  Plan plan =
      MustParse(SmallSite() + RackWithFeeds("r1", 120, 42, 250, 400, 3) +
                Device("d1", "r1", 2, 90000));
  PowerGraph graph(plan);
  CapacityReport r = ComputeCapacity(plan, graph);
  const ScopeCapacity* zone = Find(r, "cooling", "zone", "z");
  ASSERT_NE(zone, nullptr);
  EXPECT_NEAR(zone->nameplate, 150, 1e-9);
  EXPECT_NEAR(zone->usable, 100, 1e-9);
  EXPECT_NEAR(zone->headroom, 10, 1e-9);

  // At 110 kW every unit failure overheats the zone (110 of 100 kW).
  Plan hot = MustParse(SmallSite() + RackWithFeeds("r1", 120, 42, 250, 400, 3) +
                       Device("d1", "r1", 2, 110000));
  PowerGraph hot_graph(hot);
  int overheated = 0;
  for (const OperatingCase& c : hot_graph.Cases()) {
    if (c.cooling < 0)
      continue;
    CaseResult res = CheckCase(hot_graph, c);
    ASSERT_FALSE(res.ok()) << c.name;
    EXPECT_NEAR(res.overloads.back().utilization, 1.1, 1e-9);
    ++overheated;
  }
  EXPECT_EQ(overheated, 6);  // three failures, three maintenance removals
}

TEST(Failover, UpsModuleFailureLowersOnlyThatUps) {
  // A UPS of 3 x 100 kW modules with one redundant keeps 2 x 90 kW when a
  // module fails; without redundancy it drops from 270 to 180 kW.
  std::string site = SmallSite();
  auto replace = [&](std::string from, std::string to) {
    site.replace(site.find(from), from.size(), to);
  };
  replace("id = \"ups-a\"\nupstream = \"swg\"\n",
          "id = \"ups-a\"\nupstream = \"swg\"\nmodules = 3\n"
          "redundant_modules = 1\n");
  replace("id = \"ups-b\"\nupstream = \"swg\"\n",
          "id = \"ups-b\"\nupstream = \"swg\"\nmodules = 3\n");
  Plan plan = MustParse(site + RackWithFeeds("r1", 40, 42, 32, 400, 3) +
                        Device("d1", "r1", 2, 1000));
  PowerGraph graph(plan);
  int a = graph.NodeIndex("ups-a"), b = graph.NodeIndex("ups-b");
  Evaluation ea = graph.Evaluate({CaseKind::kModuleFailure, a, -1, ""});
  Evaluation eb = graph.Evaluate({CaseKind::kModuleFailure, b, -1, ""});
  EXPECT_NEAR(ea.nodes[a].cap_w, 180000, 1e-6);
  EXPECT_NEAR(eb.nodes[b].cap_w, 180000, 1e-6);
  EXPECT_NEAR(ea.nodes[b].cap_w, 270000, 1e-6);
}

}  // namespace
}  // namespace dc::plan
