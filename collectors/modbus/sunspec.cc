#include "collectors/modbus/sunspec.h"

#include <array>

#include <fmt/format.h>

namespace dc::modbus {
namespace {

constexpr std::uint16_t kMarkerHigh = 0x5375;  // "Su"
constexpr std::uint16_t kMarkerLow = 0x6E53;   // "nS"
constexpr std::uint16_t kEndOfChain = 0xFFFF;
constexpr int kMaxModels = 256;
constexpr int kCommonModel = 1;
constexpr int kCommonLength = 66;

// Reads the Common model's strings (offsets from its ID register).
void ReadCommon(BlockReader& reader, const SunSpecModel& common,
                SunSpecMap& map) {
  if (common.length < kCommonLength - 2)
    return;
  std::array<std::uint16_t, 64> body{};
  ReadBlock block{Function::kHolding,
                  static_cast<std::uint16_t>(common.address + 2), 64};
  if (!reader.ReadOne(block, body.data()).ok())
    return;
  auto text = [&](int offset, int length) {
    return DecodeString(std::span<const std::uint16_t>(body).subspan(
                            static_cast<std::size_t>(offset - 2),
                            static_cast<std::size_t>(length)),
                        WordOrder::kABCD);
  };
  map.manufacturer = text(2, 16);
  map.model = text(18, 16);
  map.version = text(42, 8);
  map.serial = text(50, 16);
}

}  // namespace

const SunSpecModel* SunSpecMap::Find(int id) const {
  for (const auto& m : models) {
    if (m.id == id)
      return &m;
  }
  return nullptr;
}

std::optional<SunSpecMap> DiscoverSunSpec(BlockReader& reader,
                                          std::string& why) {
  std::array<std::uint16_t, 2> words{};
  std::optional<std::uint16_t> base;
  for (std::uint16_t candidate : kSunSpecBases) {
    ReadResult r =
        reader.ReadOne({Function::kHolding, candidate, 2}, words.data());
    if (r.ok() && words[0] == kMarkerHigh && words[1] == kMarkerLow) {
      base = candidate;
      break;
    }
    // A device that does not answer at all will not answer elsewhere.
    if (r.status == ReadStatus::kTimeout ||
        r.status == ReadStatus::kConnection) {
      why = fmt::format("no answer while looking for SunSpec: {}", r.message);
      return std::nullopt;
    }
  }
  if (!base) {
    why = "no SunSpec marker \"SunS\" at holding registers 40000, 0 or 50000";
    return std::nullopt;
  }

  SunSpecMap map;
  map.base = *base;
  int address = *base + 2;
  while (static_cast<int>(map.models.size()) < kMaxModels &&
         address + 2 <= 65536) {
    ReadResult r = reader.ReadOne(
        {Function::kHolding, static_cast<std::uint16_t>(address), 2},
        words.data());
    // Some devices end the chain with an unreadable register instead.
    if (!r.ok() || words[0] == kEndOfChain)
      break;
    // A length running past the last register is not a real model.
    if (address + 2 + words[1] > 65536)
      break;
    map.models.push_back(
        {words[0], static_cast<std::uint16_t>(address), words[1]});
    address += 2 + words[1];
  }
  if (map.models.empty()) {
    why = fmt::format("SunSpec marker at {} but no models follow", *base);
    return std::nullopt;
  }
  if (const SunSpecModel* common = map.Find(kCommonModel)) {
    ReadCommon(reader, *common, map);
  }
  return map;
}

}  // namespace dc::modbus
