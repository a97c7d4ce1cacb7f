#include <gtest/gtest.h>

#include "collectors/modbus/link_address.h"

namespace dc::modbus {
namespace {

TEST(LinkAddress, TcpWithAndWithoutPort) {
  auto a = ParseLinkAddress("tcp:10.0.0.5");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->kind, LinkAddress::Kind::kTcp);
  EXPECT_EQ(a->host, "10.0.0.5");
  EXPECT_EQ(a->port, 502);

  auto b = ParseLinkAddress("tcp:gw.example:1502");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->port, 1502);
  EXPECT_EQ(b->Key(), "tcp:gw.example:1502");

  auto c = ParseLinkAddress("tcp:[::1]:5020");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 5020);
}

TEST(LinkAddress, RtuWithSerialSettings) {
  auto a = ParseLinkAddress(
      "rtu:/dev/ttyUSB0?baud=19200&parity=E&data_bits=8&stop_bits=1");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->kind, LinkAddress::Kind::kRtu);
  EXPECT_EQ(a->serial.device, "/dev/ttyUSB0");
  EXPECT_EQ(a->serial.baud, 19200);
  EXPECT_EQ(a->serial.parity, 'E');
  EXPECT_EQ(a->Key(), "rtu:/dev/ttyUSB0");

  auto defaults = ParseLinkAddress("rtu:/dev/ttyS1");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->serial.baud, 9600);
  EXPECT_EQ(defaults->serial.parity, 'N');
  EXPECT_EQ(defaults->serial.stop_bits, 1);
}

TEST(LinkAddress, ErrorsSayWhatIsWrong) {
  struct Case {
    const char* text;
    const char* says;
  };
  const Case cases[] = {
      {"udp:1.2.3.4", "starts with \"tcp:\""},
      {"tcp::502", "host is missing"},
      {"tcp:host:70000", "port '70000'"},
      {"rtu:", "serial device is missing"},
      {"rtu:/dev/x?baud=fast", "baud 'fast'"},
      {"rtu:/dev/x?parity=X", "parity must be N, E or O"},
      {"rtu:/dev/x?speed=9600", "unknown setting 'speed'"},
      {"rtu:/dev/x?baud=9600&baud=19200", "given twice"},
      {"rtu:/dev/x?stop_bits=3", "stop_bits must be 1 or 2"},
  };
  for (const Case& c : cases) {
    auto a = ParseLinkAddress(c.text);
    ASSERT_FALSE(a) << c.text;
    EXPECT_NE(a.error().find(c.says), std::string::npos)
        << c.text << " -> " << a.error();
  }
}

}  // namespace
}  // namespace dc::modbus
