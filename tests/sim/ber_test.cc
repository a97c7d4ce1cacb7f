#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sim/ber.h"

namespace dc::sim {
namespace {

std::vector<std::uint8_t> Bytes(const std::string& text) {
  return {text.begin(), text.end()};
}

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

struct IntegerCase {
  std::int64_t value;
  const char* encoding;
};

TEST(BerInteger, EncodesMinimalTwosComplement) {
  const IntegerCase cases[] = {
      {0, "020100"},
      {1, "020101"},
      {127, "02017f"},
      {128, "02020080"},
      {255, "020200ff"},
      {256, "02020100"},
      {-1, "0201ff"},
      {-128, "020180"},
      {-129, "0202ff7f"},
      {2147483647, "02047fffffff"},
      {-2147483648LL, "020480000000"},
  };
  for (const IntegerCase& c : cases) {
    std::string out;
    ber::AppendInteger(out, ber::kInteger, c.value);
    EXPECT_EQ(Hex(out), c.encoding) << c.value;

    std::int64_t back = 0;
    auto bytes = Bytes(out);
    ber::Reader reader(bytes);
    ASSERT_TRUE(reader.Integer(back));
    EXPECT_EQ(back, c.value);
  }
}

TEST(BerUnsigned, PadsValuesWithTheTopBitSet) {
  const std::pair<std::uint64_t, const char*> cases[] = {
      {0, "410100"},
      {127, "41017f"},
      {128, "41020080"},
      {4294967295ULL, "410500ffffffff"},
  };
  for (const auto& [value, encoding] : cases) {
    std::string out;
    ber::AppendUnsigned(out, ber::kCounter32, value);
    EXPECT_EQ(Hex(out), encoding) << value;
  }
  std::string big;
  ber::AppendUnsigned(big, ber::kCounter64, 18446744073709551615ULL);
  EXPECT_EQ(Hex(big), "460900ffffffffffffffff");
}

TEST(BerLength, UsesShortAndLongForms) {
  const std::pair<std::size_t, const char*> cases[] = {
      {0, "00"},       {127, "7f"},       {128, "8180"},       {255, "81ff"},
      {256, "820100"}, {65535, "82ffff"}, {65536, "83010000"},
  };
  for (const auto& [length, encoding] : cases) {
    std::string out;
    ber::AppendLength(out, length);
    EXPECT_EQ(Hex(out), encoding) << length;
    EXPECT_EQ(ber::LengthOfLength(length), out.size());
  }
}

TEST(BerOid, RoundTripsIncludingLargeArcs) {
  const std::pair<Oid, const char*> cases[] = {
      {{1, 3, 6, 1, 2, 1, 1, 1, 0}, "06082b06010201010100"},
      {{1, 3, 6, 1, 4, 1, 318}, "06072b06010401823e"},
      {{2, 999, 3}, "0603883703"},
      {{1, 3, 4294967295u}, "06062b8fffffff7f"},
      {{0, 0}, "060100"},
  };
  for (const auto& [oid, encoding] : cases) {
    std::string out;
    ber::AppendOid(out, oid);
    EXPECT_EQ(Hex(out), encoding) << FormatOid(oid);

    Oid back;
    auto bytes = Bytes(out);
    ber::Reader reader(bytes);
    ASSERT_TRUE(reader.ObjectId(back));
    EXPECT_EQ(back, oid);
  }
}

TEST(BerOid, RejectsMalformedContents) {
  const std::vector<std::vector<std::uint8_t>> cases = {
      {},                                    // empty
      {0x2b, 0x86},                          // unfinished sub-identifier
      {0x2b, 0x80, 0x01},                    // non-minimal 0x80 lead
      {0x2b, 0x90, 0x80, 0x80, 0x80, 0x00},  // above 2^32 - 1
  };
  for (const auto& contents : cases) {
    Oid oid;
    EXPECT_FALSE(ber::DecodeOid(contents, oid));
  }
}

TEST(BerReader, RejectsLengthsPastTheEnd) {
  const std::vector<std::vector<std::uint8_t>> cases = {
      {0x30},                       // no length
      {0x30, 0x05, 0x02, 0x01},     // claims more than present
      {0x30, 0x80, 0x00, 0x00},     // indefinite length
      {0x30, 0x85, 1, 2, 3, 4, 5},  // five length octets
      {0x30, 0x84, 0xff, 0xff, 0xff, 0xff},
      {0x1f, 0x01, 0x00},  // high tag number
  };
  for (const auto& bytes : cases) {
    ber::Reader reader(bytes);
    std::uint8_t tag = 0;
    std::span<const std::uint8_t> contents;
    EXPECT_FALSE(reader.Next(tag, contents));
  }
}

TEST(BerReader, RejectsIntegersWiderThan64Bits) {
  std::vector<std::uint8_t> bytes = {0x02, 0x09, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  ber::Reader reader(bytes);
  std::int64_t value = 0;
  EXPECT_FALSE(reader.Integer(value));
  std::vector<std::uint8_t> empty = {0x02, 0x00};
  ber::Reader empty_reader(empty);
  EXPECT_FALSE(empty_reader.Integer(value));
}

}  // namespace
}  // namespace dc::sim
