#include <gtest/gtest.h>

#include "collectors/modbus/request_plan.h"

namespace dc::modbus {
namespace {

constexpr Function H = Function::kHolding;
constexpr Function I = Function::kInput;
constexpr Function C = Function::kCoil;

std::vector<ReadBlock> Plan(std::vector<RegisterRange> needed,
                            PlanLimits limits = {},
                            const BadRegisters& bad = {}) {
  return PlanReads(std::move(needed), limits, bad);
}

TEST(RequestPlan, JoinsAdjacentAndOverlappingRuns) {
  auto plan = Plan({{I, 0, 2}, {I, 2, 2}, {I, 3, 2}, {I, 4, 1}});
  EXPECT_EQ(plan, (std::vector<ReadBlock>{{I, 0, 5}}));
}

TEST(RequestPlan, FillsShortGapsOnly) {
  PlanLimits limits;
  limits.max_gap = 4;
  // Gap of 4 (2..5) is filled, gap of 5 (12..16) is not.
  auto plan = Plan({{I, 0, 2}, {I, 6, 6}, {I, 17, 2}}, limits);
  EXPECT_EQ(plan, (std::vector<ReadBlock>{{I, 0, 12}, {I, 17, 2}}));
}

TEST(RequestPlan, GapFillCanBeTurnedOff) {
  PlanLimits limits;
  limits.max_gap = 0;
  auto plan = Plan({{H, 0, 2}, {H, 2, 2}, {H, 5, 1}}, limits);
  EXPECT_EQ(plan, (std::vector<ReadBlock>{{H, 0, 4}, {H, 5, 1}}));
}

TEST(RequestPlan, KeepsFunctionsApartAndSorted) {
  auto plan = Plan({{I, 10, 2}, {H, 10, 2}, {I, 0, 2}});
  EXPECT_EQ(plan, (std::vector<ReadBlock>{{H, 10, 2}, {I, 0, 12}}));
}

TEST(RequestPlan, RespectsTheDeviceLimit) {
  PlanLimits limits;
  limits.max_registers = 26;  // an MGE Galaxy reads at most 26 words
  limits.max_gap = 0;
  std::vector<RegisterRange> needed;
  for (int a = 0; a < 60; a += 2) {
    needed.push_back({H, static_cast<std::uint16_t>(a), 2});
  }
  auto plan = Plan(needed, limits);
  EXPECT_EQ(plan,
            (std::vector<ReadBlock>{{H, 0, 26}, {H, 26, 26}, {H, 52, 8}}));
  // A value is never cut across two reads when it fits in one.
  for (const auto& block : plan)
    EXPECT_EQ(block.count % 2, 0);
}

TEST(RequestPlan, RespectsTheProtocolLimits) {
  auto regs = Plan({{H, 0, 300}});
  EXPECT_EQ(regs,
            (std::vector<ReadBlock>{{H, 0, 125}, {H, 125, 125}, {H, 250, 50}}));
  auto bits = Plan({{C, 0, 2500}});
  EXPECT_EQ(bits, (std::vector<ReadBlock>{{C, 0, 2000}, {C, 2000, 500}}));
}

TEST(RequestPlan, OverlapBeyondTheLimitIsNotReadTwice) {
  PlanLimits limits;
  limits.max_registers = 10;
  auto plan = Plan({{H, 0, 8}, {H, 6, 6}}, limits);
  EXPECT_EQ(plan, (std::vector<ReadBlock>{{H, 0, 8}, {H, 8, 4}}));
}

TEST(RequestPlan, AvoidsKnownBadRegisters) {
  BadRegisters bad;
  bad.Add(I, 4);
  PlanLimits limits;
  limits.max_gap = 8;
  // 4 is in the gap: no gap fill over it. A run containing it is dropped.
  auto plan = Plan({{I, 0, 2}, {I, 6, 2}, {I, 3, 2}, {I, 10, 2}}, limits, bad);
  EXPECT_EQ(plan, (std::vector<ReadBlock>{{I, 0, 2}, {I, 6, 6}}));
  EXPECT_TRUE(bad.AnyIn(I, 0, 5));
  EXPECT_FALSE(bad.AnyIn(I, 5, 100));
  EXPECT_FALSE(bad.AnyIn(H, 0, 100));
}

TEST(RequestPlan, NeededIndexTrimsToNeededEdges) {
  NeededIndex needed({{H, 10, 2}, {H, 20, 2}, {I, 0, 1}});
  ReadBlock block{H, 5, 30};
  ASSERT_TRUE(needed.Trim(block));
  EXPECT_EQ(block, (ReadBlock{H, 10, 12}));
  ReadBlock gap{H, 12, 8};
  EXPECT_FALSE(needed.Trim(gap));
}

}  // namespace
}  // namespace dc::modbus
