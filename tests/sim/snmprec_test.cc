#include <gtest/gtest.h>

#include "sim/ber.h"
#include "sim/snmprec.h"

namespace dc::sim {
namespace {

const MibEntry* Get(const Mib& mib, const char* oid) {
  return mib.Find(*ParseOid(oid));
}

TEST(Snmprec, SortsRecordsAndReadsEveryTag) {
  auto mib = ParseSnmprec(
      "1.3.6.1.2.1.4.20.1.2.127.0.0.1|2|1\n"
      "1.3.6.1.2.1.4.20.1.2.10.10.0.10|2|2\n"
      "1.3.6.1.2.1.1.2.0|6|.1.3.6.1.4.1.318.1.3.27\n"
      "1.3.6.1.2.1.2.2.1.6.1|4x|00127962F940\n"
      "1.3.6.1.2.1.4.20.1.1.10.0.0.1|64|10.0.0.1\n"
      "1.3.6.1.2.1.4.20.1.1.10.0.0.2|64x|0a034228\n"
      "1.3.6.1.2.1.2.2.1.10.1|65|4294967295\n"
      "1.3.6.1.2.1.2.2.1.5.1|66|1000000000\n"
      "1.3.6.1.2.1.1.3.0|67|123456\n"
      "1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615\n"
      "1.3.6.1.4.1.1.1|68x|0102\n"
      "1.3.6.1.4.1.1.2|5|\n"
      "1.3.6.1.4.1.1.3|4|a|b|c\n"
      "1.3.6.1.4.1.1.4|4e|\\x00\\x12yb\\n\n"
      "1.3.6.1.4.1.1.5|4x|\n"
      "  1.3.6.1.2.1.1.1.0|4|UPS 09.8   \n",
      "walk");
  ASSERT_TRUE(mib) << mib.error();

  // Sorted component by component: 10.10.0.10 before 127.0.0.1.
  const auto& entries = mib->entries();
  for (std::size_t i = 1; i < entries.size(); ++i) {
    EXPECT_LT(entries[i - 1].oid, entries[i].oid);
  }
  EXPECT_EQ(Get(*mib, "1.3.6.1.2.1.2.2.1.6.1")->bytes,
            std::string("\x00\x12\x79\x62\xf9\x40", 6));
  EXPECT_EQ(Get(*mib, "1.3.6.1.2.1.4.20.1.1.10.0.0.1")->bytes,
            std::string("\x0a\x00\x00\x01", 4));
  EXPECT_EQ(Get(*mib, "1.3.6.1.2.1.4.20.1.1.10.0.0.2")->bytes,
            std::string("\x0a\x03\x42\x28", 4));
  EXPECT_EQ(Get(*mib, "1.3.6.1.2.1.2.2.1.10.1")->number, 4294967295LL);
  EXPECT_EQ(Get(*mib, "1.3.6.1.2.1.2.2.1.10.1")->tag, ber::kCounter32);
  EXPECT_EQ(Get(*mib, "1.3.6.1.2.1.2.2.1.5.1")->tag, ber::kGauge32);
  EXPECT_EQ(Get(*mib, "1.3.6.1.2.1.1.3.0")->tag, ber::kTimeTicks);
  EXPECT_EQ(
      static_cast<std::uint64_t>(Get(*mib, "1.3.6.1.2.1.31.1.1.1.6.1")->number),
      18446744073709551615ULL);
  EXPECT_EQ(Get(*mib, "1.3.6.1.4.1.1.1")->tag, ber::kOpaque);
  EXPECT_EQ(Get(*mib, "1.3.6.1.4.1.1.2")->tag, ber::kNull);
  EXPECT_EQ(Get(*mib, "1.3.6.1.4.1.1.3")->bytes, "a|b|c");
  EXPECT_EQ(Get(*mib, "1.3.6.1.4.1.1.4")->bytes,
            std::string("\x00\x12yb\n", 5));
  EXPECT_EQ(Get(*mib, "1.3.6.1.4.1.1.5")->bytes, "");
  // Like snmpsim, the whole line is trimmed.
  EXPECT_EQ(Get(*mib, "1.3.6.1.2.1.1.1.0")->bytes, "UPS 09.8");

  std::string oid_contents;
  ber::AppendOidContents(oid_contents, *ParseOid("1.3.6.1.4.1.318.1.3.27"));
  EXPECT_EQ(Get(*mib, "1.3.6.1.2.1.1.2.0")->bytes, oid_contents);
}

TEST(Snmprec, ErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"1.3.6.1|2|1\n1.3.6.x|2|1\n", "walk:2: invalid OID"},
      {"1.3.6.1|2\n", "walk:1: expected OID|TAG|VALUE"},
      {"1.3.6.1|2|twelve\n", "walk:1: 'twelve' is not an Integer32"},
      {"1.3.6.1|65|-1\n", "walk:1: '-1' is not a 32-bit unsigned"},
      {"1.3.6.1|4x|abc\n", "walk:1: odd number of hex digits"},
      {"1.3.6.1|67:numeric|rate=1\n", "walk:1: snmpsim variation modules"},
      {"1.3.6.1|99|1\n", "walk:1: unknown tag 99"},
      {"1.3.6.1|64|300.1.1.1\n", "walk:1: '300.1.1.1' is not a dotted quad"},
      {"1.3.6.1|2|1\n1.3.6.1|2|2\n", "walk: duplicate OID 1.3.6.1"},
  };
  for (const Case& c : cases) {
    auto mib = ParseSnmprec(c.text, "walk");
    ASSERT_FALSE(mib) << c.text;
    EXPECT_NE(mib.error().find(c.message), std::string::npos)
        << mib.error() << " (expected " << c.message << ")";
  }
}

}  // namespace
}  // namespace dc::sim
