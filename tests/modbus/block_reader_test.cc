#include <gtest/gtest.h>

#include "collectors/modbus/block_reader.h"
#include "fake_transport.h"

namespace dc::modbus {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
constexpr Function H = Function::kHolding;

struct Fixture {
  FakeTransport transport;
  ReadPolicy policy;
  BadRegisters bad;
  RegisterImage image;
  ReadStats stats;
  BlockReader reader{transport, policy, bad, image, stats};

  Fixture() {
    policy.deadline = steady_clock::now() + std::chrono::seconds(10);
    policy.request_timeout = milliseconds(500);
    for (std::uint16_t a = 0; a < 200; ++a)
      transport.Set(H, a, a);
  }
};

TEST(BlockReader, BisectsARefusedBlockToTheBadRegister) {
  Fixture f;
  f.transport.MakeIllegal(H, 37);
  std::vector<RegisterRange> needed = {{H, 0, 64}};
  f.reader.ReadAll({{H, 0, 64}}, NeededIndex(needed));

  EXPECT_TRUE(f.bad.Contains(H, 37));
  EXPECT_EQ(f.bad.size(), 1u);
  // Everything else arrived.
  std::uint16_t value = 0;
  for (int a = 0; a < 64; ++a) {
    EXPECT_EQ(f.image.Copy(H, a, 1, &value), a != 37) << a;
  }
  EXPECT_EQ(f.stats.items_read, 63u);
  // One failure per level of the search: 64, 32, 16, 8, 4, 2, 1.
  EXPECT_EQ(f.stats.errors[ErrorReason::kIllegalAddress], 7u);
  EXPECT_EQ(f.stats.requests, f.transport.requests().size());
  EXPECT_LE(f.stats.requests, 14u);
}

TEST(BlockReader, BisectDoesNotChaseGapRegisters) {
  Fixture f;
  f.transport.MakeIllegal(H, 5);  // a gap register nobody needs
  std::vector<RegisterRange> needed = {{H, 0, 2}, {H, 8, 2}};
  f.reader.ReadAll({{H, 0, 10}}, NeededIndex(needed));
  // Halves 0..4 -> trimmed to 0..1, and 5..9 -> trimmed to 8..9.
  auto blocks = f.transport.blocks();
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[1], (ReadBlock{H, 0, 2}));
  EXPECT_EQ(blocks[2], (ReadBlock{H, 8, 2}));
  EXPECT_EQ(f.bad.size(), 0u);
}

TEST(BlockReader, RetriesATimeoutThenSucceeds) {
  Fixture f;
  f.policy.retries = 2;
  f.transport.FailRequest(0, ReadStatus::kTimeout);
  f.transport.FailRequest(1, ReadStatus::kCrc);
  std::vector<RegisterRange> needed = {{H, 0, 4}};
  f.reader.ReadAll({{H, 0, 4}}, NeededIndex(needed));
  EXPECT_EQ(f.transport.requests().size(), 3u);
  EXPECT_EQ(f.stats.errors[ErrorReason::kTimeout], 1u);
  EXPECT_EQ(f.stats.errors[ErrorReason::kCrc], 1u);
  EXPECT_EQ(f.stats.items_read, 4u);
}

TEST(BlockReader, ExceptionsAreNotRetriedAndOtherBlocksStillRead) {
  Fixture f;
  f.policy.retries = 3;
  f.transport.FailRequest(0, ReadStatus::kException);
  std::vector<RegisterRange> needed = {{H, 0, 4}, {H, 100, 4}};
  f.reader.ReadAll({{H, 0, 4}, {H, 100, 4}}, NeededIndex(needed));
  EXPECT_EQ(f.transport.requests().size(), 2u);
  EXPECT_EQ(f.stats.errors[ErrorReason::kException], 1u);
  EXPECT_EQ(f.stats.items_read, 4u);
}

TEST(BlockReader, GivesUpOnADeviceThatStoppedAnswering) {
  Fixture f;
  f.policy.retries = 1;
  f.transport.FailFrom(0, ReadStatus::kTimeout);
  std::vector<ReadBlock> blocks = {
      {H, 0, 2}, {H, 50, 2}, {H, 100, 2}, {H, 150, 2}};
  f.reader.ReadAll(blocks, NeededIndex({{H, 0, 200}}));
  // Two blocks in a row, each tried twice, then the poll stops.
  EXPECT_EQ(f.transport.requests().size(), 4u);
  EXPECT_TRUE(f.stats.stopped);
  EXPECT_EQ(f.stats.errors[ErrorReason::kTimeout], 4u);
}

TEST(BlockReader, AConnectionFailureEndsThePoll) {
  Fixture f;
  f.policy.retries = 1;
  f.transport.FailFrom(1, ReadStatus::kConnection);
  f.reader.ReadAll({{H, 0, 2}, {H, 50, 2}, {H, 100, 2}},
                   NeededIndex({{H, 0, 200}}));
  EXPECT_EQ(f.transport.requests().size(), 3u);
  EXPECT_EQ(f.stats.errors[ErrorReason::kConnection], 2u);
  EXPECT_EQ(f.stats.items_read, 2u);
}

TEST(BlockReader, RequestTimeoutsNeverPassThePollDeadline) {
  Fixture f;
  f.policy.request_timeout = milliseconds(3000);
  f.policy.deadline = steady_clock::now() + milliseconds(800);
  f.reader.ReadAll({{H, 0, 2}}, NeededIndex({{H, 0, 2}}));
  ASSERT_EQ(f.transport.requests().size(), 1u);
  EXPECT_LE(f.transport.requests()[0].timeout, milliseconds(800));

  Fixture late;
  late.policy.deadline = steady_clock::now() - milliseconds(1);
  late.reader.ReadAll({{H, 0, 2}}, NeededIndex({{H, 0, 2}}));
  EXPECT_TRUE(late.transport.requests().empty());
  EXPECT_TRUE(late.stats.stopped);
  EXPECT_EQ(late.stats.errors[ErrorReason::kTimeout], 1u);
}

}  // namespace
}  // namespace dc::modbus
