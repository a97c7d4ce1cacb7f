#include <gtest/gtest.h>

#include <random>

#include "sim/ber.h"
#include "sim/snmp_responder.h"
#include "sim/snmprec.h"
#include "tests/sim/snmp_test_util.h"

namespace dc::sim {
namespace {

using testing::ParseResponse;
using testing::Request;
using testing::Response;

// A small agent: a few scalars, a two-row table and a live value.
constexpr const char* kWalk =
    "1.3.6.1.2.1.1.1.0|4|test agent\n"
    "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.1\n"
    "1.3.6.1.2.1.2.2.1.1.1|2|1\n"
    "1.3.6.1.2.1.2.2.1.1.2|2|2\n"
    "1.3.6.1.2.1.2.2.1.10.1|65|4000000000\n"
    "1.3.6.1.2.1.2.2.1.10.2|65|17\n"
    "1.3.6.1.2.1.31.1.1.1.6.1|70|12345678901234\n";

class Responder : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = ParseSnmprec(kWalk, "test");
    ASSERT_TRUE(loaded) << loaded.error();
    mib_ = std::move(*loaded);
    MibEntry live;
    live.oid = *ParseOid("1.3.6.1.4.1.99999.2.0");
    live.tag = ber::kInteger;
    live.var = 0;
    live.scale = 10;
    mib_.Add(live);
    ASSERT_TRUE(mib_.Finish(nullptr));
    agent_.mib = &mib_;
    agent_.variables = variables_;
    agent_.community = "public";
  }

  Response Ask(const std::string& request) {
    std::string out;
    auto bytes = std::span(
        reinterpret_cast<const std::uint8_t*>(request.data()), request.size());
    SnmpAnswer answer = AnswerSnmp(bytes, agent_, scratch_, out);
    EXPECT_EQ(answer.outcome, SnmpOutcome::kAnswered);
    Response response;
    EXPECT_TRUE(ParseResponse(out, response));
    return response;
  }

  Mib mib_;
  double variables_[1] = {23.46};
  SnmpAgentView agent_;
  SnmpScratch scratch_;
};

Oid O(const char* text) {
  return *ParseOid(text);
}

TEST_F(Responder, GetReturnsValuesAndTheRightExceptions) {
  Response r = Ask(Request(
      pdu::kGet, {O("1.3.6.1.2.1.1.1.0"), O("1.3.6.1.2.1.2.2.1.1.3"),
                  O("1.3.6.1.2.1.99.1.0"), O("1.3.6.1.4.1.99999.2.0")}));
  EXPECT_EQ(r.type, pdu::kResponse);
  EXPECT_EQ(r.request_id, 4242);
  EXPECT_EQ(r.error_status, 0);
  ASSERT_EQ(r.varbinds.size(), 4u);
  EXPECT_EQ(r.varbinds[0].bytes, "test agent");
  EXPECT_EQ(r.varbinds[1].tag, ber::kNoSuchInstance);
  EXPECT_EQ(r.varbinds[2].tag, ber::kNoSuchObject);
  EXPECT_EQ(r.varbinds[3].tag, ber::kInteger);
  EXPECT_EQ(r.varbinds[3].number, 235);  // 23.46 * 10, rounded
}

TEST_F(Responder, GetNextWalksInOrderAndEndsWithEndOfMibView) {
  Response r = Ask(
      Request(pdu::kGetNext, {O("1.3.6.1.2.1.2"), O("1.3.6.1.2.1.2.2.1.1.2"),
                              O("1.3.6.1.4.1.99999.2.0")}));
  ASSERT_EQ(r.varbinds.size(), 3u);
  EXPECT_EQ(r.varbinds[0].oid, O("1.3.6.1.2.1.2.2.1.1.1"));
  EXPECT_EQ(r.varbinds[1].oid, O("1.3.6.1.2.1.2.2.1.10.1"));
  EXPECT_EQ(r.varbinds[1].tag, ber::kCounter32);
  EXPECT_EQ(r.varbinds[1].number, 4000000000LL);
  EXPECT_EQ(r.varbinds[2].tag, ber::kEndOfMibView);
  EXPECT_EQ(r.varbinds[2].oid, O("1.3.6.1.4.1.99999.2.0"));
}

TEST_F(Responder, GetBulkHonoursNonRepeatersAndMaxRepetitions) {
  // One non-repeater, two repeaters, three repetitions.
  Response r = Ask(Request(pdu::kGetBulk,
                           {O("1.3.6.1.2.1.1.1.0"), O("1.3.6.1.2.1.2.2.1.1"),
                            O("1.3.6.1.2.1.2.2.1.10")},
                           1, 3));
  ASSERT_EQ(r.varbinds.size(), 1u + 2 * 3);
  EXPECT_EQ(r.varbinds[0].oid, O("1.3.6.1.2.1.1.2.0"));
  EXPECT_EQ(r.varbinds[1].oid, O("1.3.6.1.2.1.2.2.1.1.1"));
  EXPECT_EQ(r.varbinds[2].oid, O("1.3.6.1.2.1.2.2.1.10.1"));
  EXPECT_EQ(r.varbinds[3].oid, O("1.3.6.1.2.1.2.2.1.1.2"));
  EXPECT_EQ(r.varbinds[4].oid, O("1.3.6.1.2.1.2.2.1.10.2"));
  EXPECT_EQ(r.varbinds[5].oid, O("1.3.6.1.2.1.2.2.1.10.1"));
  EXPECT_EQ(r.varbinds[6].oid, O("1.3.6.1.2.1.31.1.1.1.6.1"));
}

TEST_F(Responder, GetBulkStopsWhenEveryRepeaterHasEnded) {
  Response r = Ask(Request(pdu::kGetBulk, {O("1.3.6.1.4.1.99999.1")}, 0, 50));
  ASSERT_EQ(r.varbinds.size(), 2u);
  EXPECT_EQ(r.varbinds[0].oid, O("1.3.6.1.4.1.99999.2.0"));
  EXPECT_EQ(r.varbinds[1].tag, ber::kEndOfMibView);
}

TEST_F(Responder, GetBulkWithNegativeFieldsTreatsThemAsZero) {
  Response r = Ask(Request(pdu::kGetBulk, {O("1.3.6.1.2.1.1")}, -5, -1));
  EXPECT_EQ(r.error_status, 0);
  EXPECT_TRUE(r.varbinds.empty());
}

TEST(ResponderSize, GetBulkIsCutToTheMessageSize) {
  Mib mib;
  for (std::uint32_t i = 1; i <= 200; ++i) {
    MibEntry entry;
    entry.oid = {1, 3, 6, 1, 4, 1, 99999, 3, i};
    entry.tag = ber::kOctetString;
    entry.bytes = "twenty bytes of text";
    mib.Add(entry);
  }
  ASSERT_TRUE(mib.Finish(nullptr));
  SnmpAgentView agent;
  agent.mib = &mib;
  agent.community = "public";
  agent.max_message_size = 484;
  SnmpScratch scratch;
  std::string request =
      Request(pdu::kGetBulk, {O("1.3.6.1.4.1.99999.3")}, 0, 1000);
  std::string out;
  AnswerSnmp(std::span(reinterpret_cast<const std::uint8_t*>(request.data()),
                       request.size()),
             agent, scratch, out);
  Response r;
  ASSERT_TRUE(ParseResponse(out, r));
  EXPECT_EQ(r.error_status, 0);
  EXPECT_LE(out.size(), 484u);
  EXPECT_GT(r.varbinds.size(), 10u);
  EXPECT_LT(r.varbinds.size(), 200u);
  for (std::size_t i = 0; i < r.varbinds.size(); ++i) {
    EXPECT_EQ(r.varbinds[i].oid.back(), i + 1);
  }
}

TEST_F(Responder, OversizedGetAnswersTooBig) {
  agent_.max_message_size = 484;
  std::vector<Oid> many(40, O("1.3.6.1.2.1.1.1.0"));
  Response r = Ask(Request(pdu::kGet, many));
  EXPECT_EQ(r.error_status, pdu::kTooBig);
  EXPECT_EQ(r.error_index, 0);
  EXPECT_TRUE(r.varbinds.empty());
}

TEST_F(Responder, SetIsRefusedAsNotWritable) {
  Response r = Ask(Request(pdu::kSet, {O("1.3.6.1.2.1.1.1.0")}));
  EXPECT_EQ(r.error_status, pdu::kNotWritable);
  EXPECT_EQ(r.error_index, 1);
  ASSERT_EQ(r.varbinds.size(), 1u);
  EXPECT_EQ(r.varbinds[0].oid, O("1.3.6.1.2.1.1.1.0"));
}

TEST_F(Responder, Version1UsesNoSuchNameAndSkipsCounter64) {
  Response missing =
      Ask(Request(pdu::kGet, {O("1.3.6.1.2.1.1.1.0"), O("1.3.6.1.9.0")}, 0, 0,
                  "public", 0));
  EXPECT_EQ(missing.version, 0);
  EXPECT_EQ(missing.error_status, pdu::kNoSuchName);
  EXPECT_EQ(missing.error_index, 2);

  Response next = Ask(
      Request(pdu::kGetNext, {O("1.3.6.1.2.1.2.2.1.10.2")}, 0, 0, "public", 0));
  ASSERT_EQ(next.varbinds.size(), 1u);
  EXPECT_EQ(next.varbinds[0].oid, O("1.3.6.1.4.1.99999.2.0"));
}

TEST_F(Responder, DropsWrongCommunityAndOtherVersions) {
  std::string out;
  auto ask = [&](const std::string& request) {
    return AnswerSnmp(
               std::span(reinterpret_cast<const std::uint8_t*>(request.data()),
                         request.size()),
               agent_, scratch_, out)
        .outcome;
  };
  EXPECT_EQ(ask(Request(pdu::kGet, {O("1.3.6.1.2.1.1.1.0")}, 0, 0, "secret")),
            SnmpOutcome::kBadCommunity);
  EXPECT_EQ(
      ask(Request(pdu::kGet, {O("1.3.6.1.2.1.1.1.0")}, 0, 0, "public", 3)),
      SnmpOutcome::kUnsupported);
  EXPECT_EQ(
      ask(Request(pdu::kGetBulk, {O("1.3.6.1.2.1.1.1.0")}, 0, 5, "public", 0)),
      SnmpOutcome::kUnsupported);
  EXPECT_TRUE(out.empty());
}

// Mutated and random datagrams must never crash the responder or read out
// of bounds (run under ASan/UBSan to see the latter), and whatever it
// answers must itself be well-formed.
TEST_F(Responder, SurvivesMalformedInputFuzz) {
  std::mt19937 rng(7);
  std::vector<std::string> seeds = {
      Request(pdu::kGet, {O("1.3.6.1.2.1.1.1.0"), O("1.3.6.1.2.1.2.2.1.1.1")}),
      Request(pdu::kGetNext, {O("1.3.6.1.2.1")}),
      Request(pdu::kGetBulk, {O("1.3.6.1.2.1.1"), O("1.3.6.1.2.1.2")}, 1, 20),
  };
  std::string out;
  int answered = 0;
  for (int round = 0; round < 60000; ++round) {
    std::string request = seeds[static_cast<std::size_t>(round) % seeds.size()];
    int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      std::size_t at = rng() % request.size();
      switch (rng() % 4) {
        case 0:
          request[at] = static_cast<char>(rng());
          break;
        case 1:
          request.resize(at);
          break;
        case 2:
          request.insert(at, 1, static_cast<char>(rng()));
          break;
        default:
          request[at] = static_cast<char>(request[at] ^ (1 << (rng() % 8)));
      }
      if (request.empty()) {
        request = "\x30";
      }
    }
    if (round % 10 == 0) {
      request.resize(rng() % 64);
      for (char& c : request)
        c = static_cast<char>(rng());
    }
    auto bytes = std::span(
        reinterpret_cast<const std::uint8_t*>(request.data()), request.size());
    SnmpAnswer answer = AnswerSnmp(bytes, agent_, scratch_, out);
    if (answer.outcome == SnmpOutcome::kAnswered) {
      ++answered;
      Response response;
      ASSERT_TRUE(ParseResponse(out, response)) << "round " << round;
      EXPECT_LE(out.size(), agent_.max_message_size);
    } else {
      EXPECT_TRUE(out.empty());
    }
  }
  // Some mutations (a flipped value bit) leave the request valid.
  EXPECT_GT(answered, 0);
}

}  // namespace
}  // namespace dc::sim
