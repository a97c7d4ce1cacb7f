#include <gtest/gtest.h>

#include "collectors/modbus/modicon_address.h"

namespace dc::modbus {
namespace {

struct Case {
  const char* text;
  Function function;
  int address;
};

TEST(ModiconAddress, ConvertsEveryNotationToTheWire) {
  const Case cases[] = {
      {"40001", Function::kHolding, 0},
      {"30001", Function::kInput, 0},
      {"10001", Function::kDiscreteInput, 0},
      {"00001", Function::kCoil, 0},
      {"1", Function::kCoil, 0},
      {"30448", Function::kInput, 447},
      {"49999", Function::kHolding, 9998},
      {"400001", Function::kHolding, 0},
      {"365536", Function::kInput, 65535},
      {"4x0001", Function::kHolding, 0},
      {"3x1001", Function::kInput, 1000},
      {"4X19001", Function::kHolding, 19000},
  };
  for (const Case& c : cases) {
    auto wire = ParseModicon(c.text);
    ASSERT_TRUE(wire) << c.text << ": " << wire.error();
    EXPECT_EQ(wire->function, c.function) << c.text;
    EXPECT_EQ(wire->address, c.address) << c.text;
  }
}

TEST(ModiconAddress, RejectsWhatIsNotARegisterNumber) {
  for (const char* text : {"40000", "300000", "20001", "50001", "4x", "",
                           "4000a", "1234567", "465537"}) {
    auto wire = ParseModicon(text);
    EXPECT_FALSE(wire) << text;
    if (!wire) {
      EXPECT_NE(wire.error().find(text), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace dc::modbus
