// Objects a profile marks `optional = true`, and rows a `where` leaves out:
// both are read without counting an error, while a required object that
// is missing, or a value of the wrong type, still counts.
#include <utility>  // before Asio

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "collectors/snmp/poll_state.h"
#include "collectors/snmp/profile_loader.h"
#include "collectors/snmp/snmp_protocol.h"
#include "tests/snmp/snmpd_fixture.h"

namespace dc::snmp {
namespace {

using namespace std::chrono_literals;

constexpr const char* kProfile = R"(
[profile]
name = "optional-test"
class = "environment"
match = ["1.3.6.1.4.1.99999"]
[info]
model = { oid = "1.3.6.1.4.1.99999.1.0" }
firmware = { oid = "1.3.6.1.4.1.99999.2.0", optional = true }
[[metric]]
oid = "1.3.6.1.4.1.99999.3.0"
metric = "dc_env_temperature_celsius"
labels = { sensor = "inlet" }
optional = true
[[metric]]
oid = "1.3.6.1.4.1.99999.4.0"
metric = "dc_env_temperature_celsius"
labels = { sensor = "outlet" }
[[table]]
oid = "1.3.6.1.4.1.99999.5.1"
index = [ { label = "sensor" } ]
  [[table.metric]]
  column = 3
  type = "string-number"
  metric = "dc_env_humidity_ratio"
  where = { column = 2, equals = 1 }
)";

std::uint64_t Errors(const PollResult& r, ErrorReason reason) {
  auto it = r.errors.find(reason);
  return it == r.errors.end() ? 0 : it->second;
}

std::uint64_t AllErrors(const PollResult& r) {
  std::uint64_t n = 0;
  for (const auto& [reason, count] : r.errors)
    n += count;
  return n;
}

const Sample* Find(const PollResult& r, std::string_view name,
                   std::string_view label = "", std::string_view value = "") {
  for (const Sample& s : r.samples) {
    if (s.name != name)
      continue;
    if (label.empty())
      return &s;
    for (const auto& [k, v] : s.labels) {
      if (k == label && v == value)
        return &s;
    }
  }
  return nullptr;
}

TEST(OptionalObjectsLoader, ReadsTheFlagOnMetricsAndInfo) {
  ProfileSet set;
  auto errors = LoadProfileTexts({{"o.toml", kProfile}}, set);
  ASSERT_TRUE(errors.empty()) << errors.front();
  const Profile& p = *set.at("optional-test");
  ASSERT_EQ(p.metrics.size(), 2u);
  EXPECT_TRUE(p.metrics[0].optional);
  EXPECT_FALSE(p.metrics[1].optional);
  EXPECT_TRUE(p.info.at("firmware").optional);
  EXPECT_FALSE(p.info.at("model").optional);
}

TEST(OptionalObjectsLoader, RejectsAWrongTypeAndTableColumns) {
  const std::string header =
      "[profile]\nname = \"t\"\nclass = \"environment\"\n"
      "match = [\"1.3.6.1.4.1.99999\"]\n";
  const std::pair<const char*, std::string> cases[] = {
      {"not a boolean",
       header + "[[metric]]\noid = \"1.3.6.1.4.1.99999.1.0\"\n"
                "metric = \"dc_device_alarms\"\noptional = \"yes\"\n"},
      {"info not a boolean",
       header + "[info]\nmodel = { oid = \"1.3.6.1.2.1.1.1.0\", "
                "optional = 1 }\n"},
      // A table column the device lacks gives no rows and no error
      // already; the key is not accepted there.
      {"table column", header + "[[table]]\noid = \"1.3.6.1.4.1.99999.2.1\"\n"
                                "index = [ { label = \"sensor\" } ]\n"
                                "  [[table.metric]]\n  column = 2\n"
                                "  metric = \"dc_env_temperature_celsius\"\n"
                                "  optional = true\n"},
  };
  for (const auto& [name, text] : cases) {
    ProfileSet set;
    auto errors = LoadProfileTexts({{"t.toml", text}}, set);
    ASSERT_FALSE(errors.empty()) << name;
    EXPECT_NE(errors.front().find("optional"), std::string::npos)
        << name << ": " << errors.front();
    EXPECT_TRUE(set.empty()) << name;
  }
}

TEST(OptionalObjectsLoader, AnIncludingProfileMakesAPartsMetricOptional) {
  ProfileSet set;
  auto errors = LoadProfileTexts(
      {{"part.toml",
        "[profile]\nname = \"part\"\nclass = \"ups\"\n"
        "[[metric]]\noid = \"1.3.6.1.2.1.33.1.2.6.0\"\n"
        "metric = \"dc_ups_battery_amperes\"\n"
        "[[metric]]\noid = \"1.3.6.1.2.1.33.1.2.5.0\"\n"
        "metric = \"dc_ups_battery_volts\"\n"},
       {"family.toml",
        "[profile]\nname = \"family\"\nclass = \"ups\"\n"
        "match = [\"1.3.6.1.4.1.1\"]\ninclude = [\"part\"]\n"
        "[[metric]]\noid = \"1.3.6.1.2.1.33.1.2.6.0\"\n"
        "metric = \"dc_ups_battery_amperes\"\noptional = true\n"}},
      set);
  ASSERT_TRUE(errors.empty()) << errors.front();
  const Profile& family = *set.at("family");
  ASSERT_EQ(family.metrics.size(), 2u);
  for (const ScalarMetric& m : family.metrics) {
    EXPECT_EQ(m.optional, m.mapping.metric == "dc_ups_battery_amperes")
        << m.mapping.metric;
  }
  EXPECT_FALSE(set.at("part")->metrics[0].optional);
}

class OptionalObjectsPoll : public ::testing::Test {
 protected:
  void SetUp() override {
    auto errors = LoadProfileTexts({{"o.toml", kProfile}}, profiles_);
    ASSERT_TRUE(errors.empty()) << errors.front();
    plan_ = CompilePlan(profiles_.at("optional-test"), TargetConfig{});
  }

  // The plan's scalar reading `text`.
  std::size_t Scalar(std::string_view text) const {
    Oid wanted = *ParseOid(text);
    for (std::size_t i = 0; i < plan_.scalars.size(); ++i) {
      if (plan_.scalars[i].oid == wanted)
        return i;
    }
    ADD_FAILURE() << "no scalar " << text;
    return 0;
  }

  static RawValue Absent(unsigned char type) {
    RawValue raw;
    raw.type = type;
    return raw;
  }
  static RawValue Int(std::int64_t v) {
    RawValue raw;
    raw.type = ASN_INTEGER;
    raw.integer = v;
    return raw;
  }
  static RawValue Str(std::string_view s) {
    RawValue raw;
    raw.type = ASN_OCTET_STR;
    raw.bytes = s;
    return raw;
  }

  ProfileSet profiles_;
  PollPlan plan_;
};

TEST_F(OptionalObjectsPoll, AbsentOptionalObjectsCountNoError) {
  for (unsigned char type : {static_cast<unsigned char>(SNMP_NOSUCHOBJECT),
                             static_cast<unsigned char>(SNMP_NOSUCHINSTANCE),
                             static_cast<unsigned char>(ASN_NULL)}) {
    PollState state(plan_);
    state.AddScalar(Scalar("1.3.6.1.4.1.99999.1.0"), Str("Unit 7"));
    state.AddScalar(Scalar("1.3.6.1.4.1.99999.2.0"), Absent(type));
    state.AddScalar(Scalar("1.3.6.1.4.1.99999.3.0"), Absent(type));
    state.AddScalar(Scalar("1.3.6.1.4.1.99999.4.0"), Int(24));
    PollResult r = state.Finish(true);
    EXPECT_TRUE(r.success);
    EXPECT_EQ(AllErrors(r), 0u) << "type " << int{type};
    EXPECT_EQ(Find(r, "dc_env_temperature_celsius", "sensor", "inlet"),
              nullptr);
    ASSERT_NE(Find(r, "dc_env_temperature_celsius", "sensor", "outlet"),
              nullptr);
    EXPECT_NE(Find(r, "dc_device_info", "firmware", ""), nullptr);
    EXPECT_NE(Find(r, "dc_device_info", "model", "Unit 7"), nullptr);
  }
}

TEST_F(OptionalObjectsPoll, PresentOptionalObjectsAreServed) {
  PollState state(plan_);
  state.AddScalar(Scalar("1.3.6.1.4.1.99999.2.0"), Str("2.1.7"));
  state.AddScalar(Scalar("1.3.6.1.4.1.99999.3.0"), Int(21));
  PollResult r = state.Finish(true);
  const Sample* inlet =
      Find(r, "dc_env_temperature_celsius", "sensor", "inlet");
  ASSERT_NE(inlet, nullptr);
  EXPECT_DOUBLE_EQ(inlet->value, 21);
  EXPECT_NE(Find(r, "dc_device_info", "firmware", "2.1.7"), nullptr);
  EXPECT_EQ(AllErrors(r), 0u);
}

TEST_F(OptionalObjectsPoll, RequiredObjectsAndWrongTypesStillCount) {
  PollState state(plan_);
  // Required and missing.
  state.AddScalar(Scalar("1.3.6.1.4.1.99999.1.0"), Absent(SNMP_NOSUCHOBJECT));
  state.AddScalar(Scalar("1.3.6.1.4.1.99999.4.0"), Absent(SNMP_NOSUCHINSTANCE));
  // Optional, present, but text where a number belongs: a real problem.
  state.AddScalar(Scalar("1.3.6.1.4.1.99999.3.0"), Str("warm"));
  PollResult r = state.Finish(true);
  EXPECT_EQ(Errors(r, ErrorReason::kNoSuchObject), 2u);
  EXPECT_EQ(Errors(r, ErrorReason::kDecode), 1u);

  // A required object answered with NULL is undecodable.
  PollState nulls(plan_);
  nulls.AddScalar(Scalar("1.3.6.1.4.1.99999.4.0"), Absent(ASN_NULL));
  EXPECT_EQ(Errors(nulls.Finish(true), ErrorReason::kDecode), 1u);
}

TEST_F(OptionalObjectsPoll, RowsAWhereLeavesOutCountNoDecodeError) {
  PollState state(plan_);
  const PlannedTable& t = plan_.tables[0];
  ASSERT_EQ(t.columns.size(), 2u);  // column 2 (filter), 3 (metric)
  auto name = [&](oid column, oid row) {
    Oid o = t.spec->entry;
    o.push_back(column);
    o.push_back(row);
    return o;
  };
  // Row 1 is a humidity reading, row 2 a status text the filter leaves
  // out, row 3 a humidity reading whose value is not a number.
  const std::pair<std::int64_t, std::string_view> rows[] = {
      {1, "45.5"}, {2, "OK"}, {1, "n/a"}};
  for (oid r = 1; r <= 3; ++r)
    state.AddTableValue(0, 0, name(2, r), Int(rows[r - 1].first));
  for (oid r = 1; r <= 3; ++r)
    state.AddTableValue(0, 1, name(3, r), Str(rows[r - 1].second));
  PollResult r = state.Finish(true);
  const Sample* humidity = Find(r, "dc_env_humidity_ratio", "sensor", "1");
  ASSERT_NE(humidity, nullptr);
  EXPECT_DOUBLE_EQ(humidity->value, 45.5);
  EXPECT_EQ(Find(r, "dc_env_humidity_ratio", "sensor", "2"), nullptr);
  EXPECT_EQ(Find(r, "dc_env_humidity_ratio", "sensor", "3"), nullptr);
  // Only row 3, which the filter keeps, counts.
  EXPECT_EQ(Errors(r, ErrorReason::kDecode), 1u);
  EXPECT_EQ(AllErrors(r), 1u);
}

// Through the collector against a real snmpd: SNMPv2c answers a missing
// OID with noSuchObject in the varbind, SNMPv1 with a noSuchName error
// status for the whole request; neither counts for an optional object.
class OptionalObjectsSnmpd : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!agent_.Start("rocommunity public 127.0.0.1\n"
                      "sysObjectID 1.3.6.1.4.1.99999.1.2\n"
                      "sysDescr optional objects agent\n"
                      "extend temp /bin/echo 23.5\n",
                      why)) {
      GTEST_SKIP() << why;
    }
    dir_ = std::filesystem::temp_directory_path() /
           ("dc-optional-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "optional.toml") << R"(
[profile]
name = "optional-snmpd"
class = "environment"
match = ["1.3.6.1.4.1.99999.1"]
[info]
model = { oid = "1.3.6.1.2.1.1.1.0" }
firmware = { oid = "1.3.6.1.4.1.99999.44.0", optional = true }
[[metric]]                 # nsExtendOutput1Line."temp": "23.5"
oid = "1.3.6.1.4.1.8072.1.3.2.3.1.1.4.116.101.109.112"
type = "string-number"
metric = "dc_env_temperature_celsius"
labels = { sensor = "inlet" }
[[metric]]                 # absent, optional
oid = "1.3.6.1.4.1.99999.43.0"
metric = "dc_env_temperature_celsius"
labels = { sensor = "outlet" }
optional = true
[[metric]]                 # absent, required
oid = "1.3.6.1.4.1.99999.42.0"
metric = "dc_device_alarms"
)";
    protocol_ = MakeSnmpProtocol(io_);
    auto errors = protocol_->LoadProfiles({dir_});
    ASSERT_TRUE(errors.empty()) << errors.front();
  }
  void TearDown() override {
    if (!dir_.empty())
      std::filesystem::remove_all(dir_);
  }

  PollResult Poll(SnmpAuth::Version version) {
    TargetConfig t;
    t.name = "agent";
    t.protocol = "snmp";
    t.address = agent_.address();
    t.profile = "optional-snmpd";
    t.request_timeout = 1s;
    t.retries = 1;
    t.snmp_auth.name = "test";
    t.snmp_auth.version = version;
    t.snmp_auth.community = Secret("public");
    auto collector = protocol_->MakeCollector(t);
    std::optional<PollResult> out;
    auto now = std::chrono::steady_clock::now();
    collector->Poll(now + 5s, [&](PollResult r) { out = std::move(r); });
    while (!out && std::chrono::steady_clock::now() < now + 7s)
      io_.run_one_for(50ms);
    if (!out) {
      ADD_FAILURE() << "the poll never called done";
      return {};
    }
    return std::move(*out);
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_ = boost::asio::make_work_guard(io_);
  testing::Snmpd agent_;
  std::filesystem::path dir_;
  std::unique_ptr<Protocol> protocol_;
};

TEST_F(OptionalObjectsSnmpd, OnlyTheRequiredMissingObjectCounts) {
  for (auto version : {SnmpAuth::Version::kV2c, SnmpAuth::Version::kV1}) {
    PollResult r = Poll(version);
    ASSERT_TRUE(r.success) << r.error;
    const Sample* inlet =
        Find(r, "dc_env_temperature_celsius", "sensor", "inlet");
    ASSERT_NE(inlet, nullptr);
    EXPECT_DOUBLE_EQ(inlet->value, 23.5);
    EXPECT_EQ(Find(r, "dc_env_temperature_celsius", "sensor", "outlet"),
              nullptr);
    EXPECT_NE(Find(r, "dc_device_info", "model", "optional objects agent"),
              nullptr);
    EXPECT_EQ(Errors(r, ErrorReason::kNoSuchObject), 1u);
    EXPECT_EQ(AllErrors(r), 1u);
  }
}

}  // namespace
}  // namespace dc::snmp
