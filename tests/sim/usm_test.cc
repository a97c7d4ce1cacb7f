// SNMPv3 in the simulator: USM keys against RFC 3414's published vectors,
// and the responder's answers to v3 requests built here, one case per
// security check (discovery, unknown user, wrong digest, time window,
// decryption, access below the user's level), plus a mutation loop.
// net-snmp's own tools against the real binary are in sim_peer_test.
#include <gtest/gtest.h>

#include <random>

#include "sim/ber.h"
#include "sim/snmp_pdu.h"
#include "sim/snmp_responder.h"
#include "sim/snmp_v3.h"
#include "sim/snmprec.h"
#include "sim/usm.h"
#include "tests/sim/snmp_test_util.h"

namespace dc::sim {
namespace {

using testing::ParseResponse;
using testing::Response;

std::string Hex(std::string_view bytes) {
  return HexOf(bytes);
}

std::span<const std::uint8_t> Bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// RFC 3414 appendix A.3: "maplesyrup" localized to engine ID
// 00 00 00 00 00 00 00 00 00 00 00 02.
TEST(UsmKeys, LocalizeAsRfc3414AppendixA) {
  const std::string engine = *ParseEngineId("000000000000000000000002");
  std::string md5 = PasswordToKey(UsmAuth::kMd5, "maplesyrup");
  EXPECT_EQ(Hex(md5), "9faf3283884e92834ebc9847d8edd963");
  EXPECT_EQ(Hex(LocalizeKey(UsmAuth::kMd5, md5, engine)),
            "526f5eed9fcce26f8964c2930787d82b");
  std::string sha = PasswordToKey(UsmAuth::kSha1, "maplesyrup");
  EXPECT_EQ(Hex(sha), "9fb5cc0381497b3793528939ff788d5d79145211");
  EXPECT_EQ(Hex(LocalizeKey(UsmAuth::kSha1, sha, engine)),
            "6695febc9288e36282235fc7151f128497b38f3f");
}

TEST(UsmKeys, DigestLengthsFollowRfc3414AndRfc7860) {
  const std::pair<UsmAuth, std::size_t> cases[] = {
      {UsmAuth::kMd5, 12},    {UsmAuth::kSha1, 12},   {UsmAuth::kSha224, 16},
      {UsmAuth::kSha256, 24}, {UsmAuth::kSha384, 32}, {UsmAuth::kSha512, 48}};
  for (auto [auth, length] : cases) {
    EXPECT_EQ(MacLength(auth), length) << ToString(auth);
    EXPECT_EQ(Authenticate(auth, "0123456789abcdef", "message").size(), length)
        << ToString(auth);
  }
}

TEST(UsmKeys, EngineIdsAreStableAndWellFormed) {
  std::string id = DefaultEngineId("ups-a");
  EXPECT_EQ(id, DefaultEngineId("ups-a"));
  EXPECT_NE(id, DefaultEngineId("ups-b"));
  EXPECT_EQ(id.size(), 13u);
  EXPECT_EQ(Hex(id.substr(0, 5)), "80007ed905");
  EXPECT_FALSE(ParseEngineId("8000"));
  EXPECT_FALSE(ParseEngineId("80007ed905zz"));
  EXPECT_EQ(Hex(*ParseEngineId("0x80007ed90501")), "80007ed90501");
}

TEST(UsmKeys, PrivacyRoundTrips) {
  for (UsmPriv priv : {UsmPriv::kAes128, UsmPriv::kDes}) {
    if (!PrivacyAvailable(priv)) {
      continue;  // DES needs OpenSSL's legacy provider
    }
    std::string key = LocalizeKey(
        UsmAuth::kSha1, PasswordToKey(UsmAuth::kSha1, "privpass1"), "engine");
    std::string plain = "a scoped PDU of some 30 bytes!";
    std::string cipher;
    std::string salt;
    ASSERT_TRUE(Encrypt(priv, key, 7, 1234, 99, plain, cipher, salt));
    EXPECT_EQ(salt.size(), 8u);
    EXPECT_NE(cipher.substr(0, plain.size()), plain);
    std::string back;
    ASSERT_TRUE(Decrypt(priv, key, 7, 1234, salt, cipher, back));
    EXPECT_EQ(back.substr(0, plain.size()), plain) << ToString(priv);
  }
}

// A v3 manager for the tests: builds requests and reads answers.
struct Manager {
  std::string engine_id;
  std::int32_t boots = 0;
  std::int32_t time = 0;
  std::string user;
  UsmAuth auth = UsmAuth::kNone;
  UsmPriv priv = UsmPriv::kNone;
  std::string auth_key;
  std::string priv_key;
  bool reportable = true;
  std::string context_name;

  void Keys(const std::string& auth_pass, const std::string& priv_pass) {
    if (auth != UsmAuth::kNone) {
      auth_key = LocalizeKey(auth, PasswordToKey(auth, auth_pass), engine_id);
    }
    if (priv != UsmPriv::kNone) {
      priv_key = LocalizeKey(auth, PasswordToKey(auth, priv_pass), engine_id);
    }
  }

  std::string Request(std::uint8_t type, const std::vector<Oid>& oids,
                      std::int64_t request_id = 77) const {
    std::string varbinds;
    for (const Oid& oid : oids) {
      std::string one;
      ber::AppendOid(one, oid);
      ber::AppendHeader(one, ber::kNull, 0);
      ber::AppendOctets(varbinds, ber::kSequence, one);
    }
    std::string scoped_contents;
    ber::AppendOctets(scoped_contents, ber::kOctetString, engine_id);
    ber::AppendOctets(scoped_contents, ber::kOctetString, context_name);
    AppendPdu(scoped_contents, type, request_id, 0,
              type == pdu::kGetBulk ? 10 : 0, varbinds);
    std::string scoped;
    ber::AppendOctets(scoped, ber::kSequence, scoped_contents);

    std::string data = scoped;
    std::string salt;
    if (priv != UsmPriv::kNone) {
      std::string cipher;
      Encrypt(priv, priv_key, boots, time, 4242, scoped, cipher, salt);
      data.clear();
      ber::AppendOctets(data, ber::kOctetString, cipher);
    }
    std::size_t mac_length = MacLength(auth);
    std::string params;
    ber::AppendOctets(params, ber::kOctetString, engine_id);
    ber::AppendInteger(params, ber::kInteger, boots);
    ber::AppendInteger(params, ber::kInteger, time);
    ber::AppendOctets(params, ber::kOctetString, user);
    ber::AppendOctets(params, ber::kOctetString,
                      std::string(mac_length, '\x5a'));
    ber::AppendOctets(params, ber::kOctetString, salt);
    std::string security;
    ber::AppendOctets(security, ber::kSequence, params);

    std::string header;
    ber::AppendInteger(header, ber::kInteger, 31337);
    ber::AppendInteger(header, ber::kInteger, 65000);
    char flags = static_cast<char>((auth != UsmAuth::kNone ? 1 : 0) |
                                   (priv != UsmPriv::kNone ? 2 : 0) |
                                   (reportable ? 4 : 0));
    ber::AppendOctets(header, ber::kOctetString, std::string(1, flags));
    ber::AppendInteger(header, ber::kInteger, 3);

    std::string body;
    ber::AppendInteger(body, ber::kInteger, 3);
    ber::AppendOctets(body, ber::kSequence, header);
    ber::AppendOctets(body, ber::kOctetString, security);
    body += data;
    std::string message;
    ber::AppendOctets(message, ber::kSequence, body);
    if (mac_length > 0) {
      std::size_t at = message.find(std::string(mac_length, '\x5a'));
      message.replace(at, mac_length, std::string(mac_length, '\0'));
      message.replace(at, mac_length, Authenticate(auth, auth_key, message));
    }
    return message;
  }
};

// A manager in step with the test engine (boots 5, time 1000).
Manager MakeManager(const std::string& engine_id, const std::string& user,
                    UsmAuth auth = UsmAuth::kNone,
                    UsmPriv priv = UsmPriv::kNone) {
  Manager m;
  m.engine_id = engine_id;
  m.boots = 5;
  m.time = 1000;
  m.user = user;
  m.auth = auth;
  m.priv = priv;
  return m;
}

// What a v3 answer says, after its digest is checked and it is decrypted.
struct V3Answer {
  std::int64_t msg_id = 0;
  std::uint8_t flags = 0;
  std::string engine_id;
  std::int64_t boots = 0;
  std::int64_t time = 0;
  bool digest_ok = false;
  Response pdu;  // type, request-id, status and varbinds
};

bool ReadAnswer(const std::string& message, const Manager& manager,
                V3Answer& answer) {
  ber::Reader top(Bytes(message));
  std::span<const std::uint8_t> body, header, security, params, data, mac;
  std::int64_t version = 0, msg_id = 0, max_size = 0, model = 0;
  std::string_view flags, engine, user, salt;
  std::uint8_t data_tag = 0;
  if (!top.Expect(ber::kSequence, body) || !top.AtEnd())
    return false;
  ber::Reader fields(body);
  if (!fields.Integer(version) || !fields.Expect(ber::kSequence, header) ||
      !fields.Expect(ber::kOctetString, security) ||
      !fields.Next(data_tag, data) || !fields.AtEnd() || version != 3) {
    return false;
  }
  ber::Reader head(header);
  if (!head.Integer(msg_id) || !head.Integer(max_size) ||
      !head.OctetString(flags) || !head.Integer(model) || flags.size() != 1) {
    return false;
  }
  answer.msg_id = msg_id;
  answer.flags = static_cast<std::uint8_t>(flags[0]);
  ber::Reader outer(security);
  if (!outer.Expect(ber::kSequence, params))
    return false;
  ber::Reader usm(params);
  if (!usm.OctetString(engine) || !usm.Integer(answer.boots) ||
      !usm.Integer(answer.time) || !usm.OctetString(user) ||
      !usm.Expect(ber::kOctetString, mac) || !usm.OctetString(salt) ||
      !usm.AtEnd()) {
    return false;
  }
  answer.engine_id = std::string(engine);
  if (answer.flags & 1) {
    std::string zeroed = message;
    std::size_t at = static_cast<std::size_t>(
        mac.data() - reinterpret_cast<const std::uint8_t*>(message.data()));
    zeroed.replace(at, mac.size(), std::string(mac.size(), '\0'));
    answer.digest_ok =
        Authenticate(manager.auth, manager.auth_key, zeroed) ==
        std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size());
  }

  std::string plain(reinterpret_cast<const char*>(data.data()), data.size());
  if (answer.flags & 2) {
    std::string decrypted;
    if (data_tag != ber::kOctetString ||
        !Decrypt(manager.priv, manager.priv_key,
                 static_cast<std::int32_t>(answer.boots),
                 static_cast<std::int32_t>(answer.time), salt, plain,
                 decrypted)) {
      return false;
    }
    ber::Reader inner(Bytes(decrypted));
    std::span<const std::uint8_t> contents;
    if (!inner.Expect(ber::kSequence, contents))
      return false;
    plain.assign(reinterpret_cast<const char*>(contents.data()),
                 contents.size());
  } else if (data_tag != ber::kSequence) {
    return false;
  }
  ber::Reader scoped(Bytes(plain));
  std::string_view context_engine, context_name;
  std::uint8_t type = 0;
  std::span<const std::uint8_t> pdu_contents;
  if (!scoped.OctetString(context_engine) ||
      !scoped.OctetString(context_name) || !scoped.Next(type, pdu_contents) ||
      !scoped.AtEnd()) {
    return false;
  }
  // The PDU read with the v2c reader, inside a v2c frame.
  std::string frame;
  ber::AppendInteger(frame, ber::kInteger, 1);
  ber::AppendOctets(frame, ber::kOctetString, "");
  ber::AppendHeader(frame, type, pdu_contents.size());
  frame.append(reinterpret_cast<const char*>(pdu_contents.data()),
               pdu_contents.size());
  std::string wrapped;
  ber::AppendOctets(wrapped, ber::kSequence, frame);
  return ParseResponse(wrapped, answer.pdu);
}

Oid O(const char* text) {
  return *ParseOid(text);
}

constexpr const char* kWalk =
    "1.3.6.1.2.1.1.1.0|4|v3 test agent\n"
    "1.3.6.1.2.1.1.5.0|4|ups-v3\n"
    "1.3.6.1.2.1.33.1.2.4.0|2|87\n";

class V3Responder : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = ParseSnmprec(kWalk, "test");
    ASSERT_TRUE(loaded) << loaded.error();
    mib_ = std::move(*loaded);
    ASSERT_TRUE(mib_.Finish(nullptr));

    std::vector<UsmUserSpec> users = {
        {"secure", UsmAuth::kSha256, "authpass1", "", UsmPriv::kAes128,
         "privpass1", "", "test"},
        {"signed", UsmAuth::kSha1, "authpass2", "", UsmPriv::kNone, "", "",
         "test"},
        {"open", UsmAuth::kNone, "", "", UsmPriv::kNone, "", "", "test"}};
    UsmKeyCache cache;
    auto engine =
        MakeUsmEngine(DefaultEngineId("ups-v3"), 5, users, cache,
                      UsmEngine::Clock::now() - std::chrono::seconds(1000));
    ASSERT_TRUE(engine) << engine.error();
    engine_ = std::make_unique<UsmEngine>(std::move(*engine));

    agent_.mib = &mib_;
    agent_.community = "public";
    agent_.v1 = agent_.v2c = false;
    agent_.usm = engine_.get();
  }

  Manager Secure() const {
    Manager m = MakeManager(engine_->engine_id(), "secure", UsmAuth::kSha256,
                            UsmPriv::kAes128);
    m.Keys("authpass1", "privpass1");
    return m;
  }

  SnmpAnswer Send(const std::string& request, std::string& out) {
    return AnswerSnmp(Bytes(request), agent_, scratch_, out);
  }

  // Sends `request` as `manager` and reads the answer.
  V3Answer Ask(const Manager& manager, const std::string& request,
               SnmpOutcome expected) {
    std::string out;
    EXPECT_EQ(Send(request, out).outcome, expected);
    V3Answer answer;
    EXPECT_TRUE(ReadAnswer(out, manager, answer));
    return answer;
  }

  Mib mib_;
  std::unique_ptr<UsmEngine> engine_;
  SnmpAgentView agent_;
  SnmpScratch scratch_;
};

TEST_F(V3Responder, DiscoveryReportsTheEngineIdBootsAndTime) {
  Manager probe;  // empty engine ID and user, noAuthNoPriv
  V3Answer a = Ask(probe, probe.Request(pdu::kGet, {}), SnmpOutcome::kReport);
  EXPECT_EQ(a.flags, 0);
  EXPECT_EQ(a.msg_id, 31337);
  EXPECT_EQ(a.engine_id, engine_->engine_id());
  EXPECT_EQ(a.boots, 5);
  EXPECT_NEAR(static_cast<double>(a.time), 1000, 2);
  EXPECT_EQ(a.pdu.type, pdu::kReport);
  EXPECT_EQ(a.pdu.request_id, 77);
  ASSERT_EQ(a.pdu.varbinds.size(), 1u);
  EXPECT_EQ(a.pdu.varbinds[0].oid, O(usm_oid::kUnknownEngineIds));
  EXPECT_EQ(a.pdu.varbinds[0].tag, ber::kCounter32);
  EXPECT_EQ(a.pdu.varbinds[0].number, 1);
}

TEST_F(V3Responder, AuthPrivGetIsAnsweredAuthenticatedAndEncrypted) {
  Manager m = Secure();
  V3Answer a = Ask(m, m.Request(pdu::kGet, {O("1.3.6.1.2.1.1.5.0")}),
                   SnmpOutcome::kAnswered);
  EXPECT_EQ(a.flags, 3);
  EXPECT_TRUE(a.digest_ok);
  EXPECT_EQ(a.pdu.type, pdu::kResponse);
  EXPECT_EQ(a.pdu.request_id, 77);
  ASSERT_EQ(a.pdu.varbinds.size(), 1u);
  EXPECT_EQ(a.pdu.varbinds[0].bytes, "ups-v3");
}

TEST_F(V3Responder, GetBulkWalksAtAuthNoPrivAndNoAuthNoPriv) {
  Manager signed_user =
      MakeManager(engine_->engine_id(), "signed", UsmAuth::kSha1);
  signed_user.Keys("authpass2", "");
  V3Answer a =
      Ask(signed_user, signed_user.Request(pdu::kGetBulk, {O("1.3.6.1.2.1.1")}),
          SnmpOutcome::kAnswered);
  EXPECT_EQ(a.flags, 1);
  EXPECT_TRUE(a.digest_ok);
  ASSERT_EQ(a.pdu.varbinds.size(), 4u);  // three objects, then endOfMibView
  EXPECT_EQ(a.pdu.varbinds[2].number, 87);
  EXPECT_EQ(a.pdu.varbinds[3].tag, ber::kEndOfMibView);

  Manager open = MakeManager(engine_->engine_id(), "open");
  V3Answer b = Ask(open, open.Request(pdu::kGetNext, {O("1.3.6.1.2.1.1.1.0")}),
                   SnmpOutcome::kAnswered);
  EXPECT_EQ(b.flags, 0);
  ASSERT_EQ(b.pdu.varbinds.size(), 1u);
  EXPECT_EQ(b.pdu.varbinds[0].bytes, "ups-v3");
}

TEST_F(V3Responder, SecurityFailuresAreReportedWithTheirCounter) {
  struct Case {
    const char* what;
    Manager manager;
    const char* counter;
    bool authenticated;  // only the time window report is
  };
  Manager unknown = Secure();
  unknown.user = "nobody";
  Manager wrong_auth = Secure();
  wrong_auth.Keys("authpassX", "privpass1");
  Manager wrong_priv = Secure();
  wrong_priv.Keys("authpass1", "privpassX");
  Manager stale = Secure();
  stale.boots = 4;
  Manager late = Secure();
  late.time = 1000 + 151;
  Manager too_high = MakeManager(engine_->engine_id(), "signed", UsmAuth::kSha1,
                                 UsmPriv::kAes128);
  too_high.Keys("authpass2", "authpass2");
  Manager other_context = Secure();
  other_context.context_name = "vlan-1";
  const Case cases[] = {
      {"unknown user", unknown, usm_oid::kUnknownUserNames, false},
      {"wrong auth passphrase", wrong_auth, usm_oid::kWrongDigests, false},
      {"wrong priv passphrase", wrong_priv, usm_oid::kDecryptionErrors, false},
      {"old boots", stale, usm_oid::kNotInTimeWindows, true},
      {"time off by 151 s", late, usm_oid::kNotInTimeWindows, true},
      {"privacy for an auth-only user", too_high,
       usm_oid::kUnsupportedSecLevels, false},
      {"unknown context", other_context, usm_oid::kUnknownContexts, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    V3Answer a =
        Ask(c.manager, c.manager.Request(pdu::kGet, {O("1.3.6.1.2.1.1.5.0")}),
            SnmpOutcome::kReport);
    EXPECT_EQ(a.pdu.type, pdu::kReport);
    ASSERT_EQ(a.pdu.varbinds.size(), 1u);
    EXPECT_EQ(a.pdu.varbinds[0].oid, O(c.counter));
    EXPECT_EQ((a.flags & 1) != 0, c.authenticated);
    EXPECT_EQ(a.flags & 2, 0);
    if (c.authenticated) {
      EXPECT_TRUE(a.digest_ok);
    }
    EXPECT_EQ(a.boots, 5);
  }
  EXPECT_EQ(engine_->stats().wrong_digests, 1u);
  EXPECT_EQ(engine_->stats().not_in_time_windows, 2u);
}

TEST_F(V3Responder, LevelBelowTheUsersIsRefusedAsAccessControlWould) {
  Manager m = Secure();
  m.priv = UsmPriv::kNone;
  V3Answer a = Ask(m, m.Request(pdu::kGet, {O("1.3.6.1.2.1.1.5.0")}),
                   SnmpOutcome::kAnswered);
  EXPECT_EQ(a.flags, 1);
  EXPECT_EQ(a.pdu.error_status, pdu::kAuthorizationError);
}

TEST_F(V3Responder, UnreportableFailuresAndOtherVersionsGetNoAnswer) {
  Manager m = Secure();
  m.user = "nobody";
  m.reportable = false;
  std::string out;
  EXPECT_EQ(Send(m.Request(pdu::kGet, {O("1.3.6.1.2.1.1.5.0")}), out).outcome,
            SnmpOutcome::kUnsupported);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(engine_->stats().unknown_user_names, 1u);

  // This agent answers v3 only.
  EXPECT_EQ(
      Send(testing::Request(pdu::kGet, {O("1.3.6.1.2.1.1.5.0")}), out).outcome,
      SnmpOutcome::kUnsupported);
  agent_.usm = nullptr;
  EXPECT_EQ(
      Send(Secure().Request(pdu::kGet, {O("1.3.6.1.2.1.1.5.0")}), out).outcome,
      SnmpOutcome::kUnsupported);
}

// Every answer to a mutated v3 request must itself be a well-formed v3
// message; nothing may crash or read past the datagram.
TEST_F(V3Responder, MutatedRequestsNeverBreakTheAnswer) {
  Manager m = Secure();
  Manager probe;
  std::vector<std::string> seeds = {
      m.Request(pdu::kGetBulk, {O("1.3.6.1.2.1")}),
      probe.Request(pdu::kGet, {O("1.3.6.1.2.1.1.5.0")})};
  std::mt19937 rng(3414);
  int answered = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string request = seeds[static_cast<std::size_t>(i) % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % request.size();
      switch (rng() % 3) {
        case 0:
          request[at] = static_cast<char>(rng());
          break;
        case 1:
          request.erase(at, 1 + rng() % 4);
          break;
        default:
          request.insert(at, 1, static_cast<char>(rng()));
      }
      if (request.empty()) {
        request = "0";
      }
    }
    std::string out;
    SnmpAnswer answer = Send(request, out);
    if (!out.empty()) {
      ++answered;
      V3Answer parsed;
      ASSERT_TRUE(ReadAnswer(out, m, parsed) || ReadAnswer(out, probe, parsed))
          << "answer to mutation " << i << " does not parse";
      EXPECT_TRUE(answer.outcome == SnmpOutcome::kAnswered ||
                  answer.outcome == SnmpOutcome::kReport);
    }
  }
  EXPECT_GT(answered, 100);
}

}  // namespace
}  // namespace dc::sim
