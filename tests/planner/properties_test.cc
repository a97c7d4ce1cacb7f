// Properties over randomized inventories: more load never means more
// headroom, and taking a unit out never means more capacity.
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "planner/capacity.h"
#include "planner/failover.h"

namespace dc::plan {
namespace {

// A random but valid facility: 1-2 switchgear lines, 1-3 UPS per group,
// 1-3 panels per UPS, 2-8 racks with 1-2 feeds, 0-5 devices per rack
// (some single-phase, some single-corded), 2-4 cooling units per zone.
Plan RandomPlan(std::mt19937_64& rng) {
  auto uni = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  auto real = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  Plan p;
  p.name = "random";
  p.policy.power_factor = real(0.85, 1.0);
  p.policy.breaker_derating = real(0.7, 1.0);
  p.policy.ups_max_load = real(0.8, 1.0);
  int lines = uni(1, 2);
  for (int l = 0; l < lines; ++l) {
    p.sources.push_back({.id = fmt::format("u{}", l),
                         .kw = real(300, 900),
                         .kva = real(400, 1000)});
    p.sources.push_back({.id = fmt::format("g{}", l),
                         .generator = true,
                         .kw = real(300, 900),
                         .kva = real(400, 1000)});
    p.switchgear.push_back(
        {.id = fmt::format("swg{}", l),
         .inputs = {fmt::format("u{}", l), fmt::format("g{}", l)}});
  }
  int ups = uni(1, 3);
  for (int u = 0; u < ups; ++u) {
    int modules = uni(1, 4);
    p.ups.push_back({.id = fmt::format("ups{}", u),
                     .upstream = fmt::format("swg{}", u % lines),
                     .modules = modules,
                     .max_modules = modules,
                     .redundant_modules = uni(0, modules - 1),
                     .module_kw = real(40, 120),
                     .module_kva = real(130, 160),
                     .group = "g"});
    int panels = uni(1, 3);
    for (int k = 0; k < panels; ++k) {
      p.panels.push_back({.id = fmt::format("p{}-{}", u, k),
                          .upstream = fmt::format("ups{}", u),
                          .breaker_amps = real(100, 400)});
    }
  }
  for (int z = 0; z < 2; ++z) {
    int units = uni(2, 4);
    for (int c = 0; c < units; ++c) {
      p.cooling.push_back(
          {.id = fmt::format("c{}-{}", z, c),
           .kw = real(30, 120),
           .zone = fmt::format("z{}", z),
           .upstream = p.panels[uni(0, int(p.panels.size()) - 1)].id,
           .reliability = {1000, 10}});
      p.cooling.back().power_kw = real(0, 5);
    }
  }
  p.rooms.push_back({"room", 50});
  int racks = uni(2, 8);
  for (int r = 0; r < racks; ++r) {
    std::string id = fmt::format("r{}", r);
    p.racks.push_back({.id = id,
                       .room = "room",
                       .zone = fmt::format("z{}", r % 2),
                       .u = 42,
                       .max_kw = real(5, 40)});
    int feeds = uni(1, 2);
    std::vector<std::string> feed_ids;
    for (int f = 0; f < feeds; ++f) {
      int phases = uni(0, 3) == 0 ? 1 : 3;
      Feed feed{.id = fmt::format("{}-{}", id, f),
                .rack = id,
                .panel = p.panels[uni(0, int(p.panels.size()) - 1)].id,
                .breaker_amps = real(16, 63),
                .volts = phases == 3 ? 400.0 : 230.0,
                .phases = phases,
                .phase = phases == 1 ? uni(1, 3) : 0};
      feed_ids.push_back(feed.id);
      p.feeds.push_back(feed);
    }
    int devices = uni(0, 5);
    for (int d = 0; d < devices; ++d) {
      Device dev{.id = fmt::format("{}-d{}", id, d),
                 .rack = id,
                 .u = uni(1, 4),
                 .feeds = feed_ids,
                 .budget_w = real(100, 3000),
                 .phase = uni(0, 3)};
      if (uni(0, 4) == 0)
        dev.feeds = {feed_ids.front()};
      p.devices.push_back(dev);
    }
    if (devices == 0)
      p.racks.back().budget_kw = real(0, 5);
  }
  return p;
}

class RandomInventories : public ::testing::TestWithParam<int> {};

TEST_P(RandomInventories, AddingLoadNeverRaisesHeadroom) {
  std::mt19937_64 rng(GetParam());
  Plan plan = RandomPlan(rng);
  CapacityReport before = ComputeCapacity(plan, PowerGraph(plan));

  // One more device in a rack that lists its devices (a rack without any
  // carries its budget_kw instead, which a listed device would replace).
  std::vector<const Rack*> listed;
  for (const Rack& r : plan.racks) {
    for (const Device& d : plan.devices) {
      if (d.rack == r.id) {
        listed.push_back(&r);
        break;
      }
    }
  }
  if (listed.empty())
    GTEST_SKIP() << "no rack lists devices in this draw";
  const Rack& rack = *listed[rng() % listed.size()];
  Device extra{.id = "extra",
               .rack = rack.id,
               .u = 1,
               .budget_w = 1500,
               .phase = int(rng() % 4)};
  for (const Feed& f : plan.feeds) {
    if (f.rack == rack.id)
      extra.feeds.push_back(f.id);
  }
  plan.devices.push_back(extra);
  CapacityReport after = ComputeCapacity(plan, PowerGraph(plan));

  ASSERT_EQ(before.racks.size(), after.racks.size());
  for (std::size_t i = 0; i < before.racks.size(); ++i) {
    EXPECT_LE(after.racks[i].power_headroom_w,
              before.racks[i].power_headroom_w + 1e-6)
        << before.racks[i].rack;
    EXPECT_LE(after.racks[i].admissible_w, before.racks[i].admissible_w + 1e-6)
        << before.racks[i].rack;
  }
  ASSERT_EQ(before.scopes.size(), after.scopes.size());
  for (std::size_t i = 0; i < before.scopes.size(); ++i) {
    EXPECT_LE(after.scopes[i].headroom, before.scopes[i].headroom + 1e-6)
        << before.scopes[i].resource << " " << before.scopes[i].scope_kind
        << " " << before.scopes[i].scope;
  }
}

TEST_P(RandomInventories, AFailureNeverRaisesCapacity) {
  std::mt19937_64 rng(1000 + GetParam());
  Plan plan = RandomPlan(rng);
  PowerGraph graph(plan);
  Evaluation normal = graph.Evaluate({CaseKind::kNormal, -1, -1, "normal"});
  for (const OperatingCase& c : graph.Cases()) {
    Evaluation e = graph.Evaluate(c);
    for (std::size_t i = 0; i < e.nodes.size(); ++i) {
      // A node out of service has no capacity; one in service never more
      // than in normal operation.
      EXPECT_LE(e.nodes[i].cap_w, normal.nodes[i].cap_w + 1e-9) << c.name;
      EXPECT_LE(e.nodes[i].cap_va, normal.nodes[i].cap_va + 1e-9) << c.name;
      EXPECT_LE(e.nodes[i].powered, normal.nodes[i].powered) << c.name;
    }
    for (const auto& [zone, cap] : e.zone_capacity_w) {
      EXPECT_LE(cap, normal.zone_capacity_w[zone] + 1e-9) << c.name;
    }
    EXPECT_GE(e.dropped_w, normal.dropped_w - 1e-9) << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomInventories, ::testing::Range(1, 41));

}  // namespace
}  // namespace dc::plan
