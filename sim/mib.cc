#include "sim/mib.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "sim/ber.h"

namespace dc::sim {
namespace {

bool EntryLess(const MibEntry& a, const MibEntry& b) {
  return a.oid < b.oid;
}

bool EntryBefore(const MibEntry& entry, const Oid& oid) {
  return entry.oid < oid;
}

bool IsUnsigned(std::uint8_t tag) {
  return tag == ber::kCounter32 || tag == ber::kGauge32 ||
         tag == ber::kTimeTicks || tag == ber::kCounter64;
}

// Rounds a live value into the range its SNMP type can carry, so a model
// that drifts out of range reads as the limit rather than wrapping.
std::int64_t ClampToType(double value, std::uint8_t tag) {
  if (std::isnan(value)) {
    return 0;
  }
  double low = static_cast<double>(std::numeric_limits<std::int32_t>::min());
  double high = static_cast<double>(std::numeric_limits<std::int32_t>::max());
  if (tag == ber::kCounter64) {
    low = 0;
    high = 1.8e19;
  } else if (IsUnsigned(tag)) {
    low = 0;
    high = 4294967295.0;
  }
  value = std::clamp(std::round(value), low, high);
  if (tag == ber::kCounter64) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(value));
  }
  return static_cast<std::int64_t>(value);
}

}  // namespace

bool Mib::Finish(std::string* error) {
  std::stable_sort(entries_.begin(), entries_.end(), EntryLess);
  auto duplicate = std::adjacent_find(
      entries_.begin(), entries_.end(),
      [](const MibEntry& a, const MibEntry& b) { return a.oid == b.oid; });
  if (duplicate != entries_.end()) {
    if (error != nullptr) {
      *error = "duplicate OID " + FormatOid(duplicate->oid);
    }
    return false;
  }
  return true;
}

const MibEntry* Mib::Find(const Oid& oid) const {
  auto it =
      std::lower_bound(entries_.begin(), entries_.end(), oid, EntryBefore);
  return it != entries_.end() && it->oid == oid ? &*it : nullptr;
}

const MibEntry* Mib::Next(const Oid& oid) const {
  auto it = std::upper_bound(
      entries_.begin(), entries_.end(), oid,
      [](const Oid& key, const MibEntry& entry) { return key < entry.oid; });
  return it == entries_.end() ? nullptr : &*it;
}

bool Mib::HasObject(const Oid& oid) const {
  if (oid.size() < 2) {
    return false;
  }
  Oid object(oid.begin(), oid.end() - 1);
  const MibEntry* next = Next(object);
  return next != nullptr && HasPrefix(next->oid, object);
}

void AppendMibValue(std::string& out, const MibEntry& entry,
                    std::span<const double> variables,
                    std::span<const std::string> texts) {
  if (entry.text >= 0) {
    std::size_t index = static_cast<std::size_t>(entry.text);
    ber::AppendOctets(out, entry.tag,
                      index < texts.size() ? texts[index] : std::string());
    return;
  }
  if (entry.var >= 0) {
    double raw = static_cast<std::size_t>(entry.var) < variables.size()
                     ? variables[static_cast<std::size_t>(entry.var)]
                     : 0.0;
    double value = raw * entry.scale + entry.offset;
    if (entry.tag == ber::kOctetString) {
      ber::AppendOctets(out, entry.tag,
                        fmt::format("{:.{}f}", value, entry.decimals));
    } else if (IsUnsigned(entry.tag)) {
      ber::AppendUnsigned(
          out, entry.tag,
          static_cast<std::uint64_t>(ClampToType(value, entry.tag)));
    } else {
      ber::AppendInteger(out, entry.tag, ClampToType(value, entry.tag));
    }
    return;
  }

  switch (entry.tag) {
    case ber::kInteger:
      ber::AppendInteger(out, entry.tag, entry.number);
      return;
    case ber::kCounter32:
    case ber::kGauge32:
    case ber::kTimeTicks:
    case ber::kCounter64:
      ber::AppendUnsigned(out, entry.tag,
                          static_cast<std::uint64_t>(entry.number));
      return;
    case ber::kNull:
    case ber::kNoSuchObject:
    case ber::kNoSuchInstance:
    case ber::kEndOfMibView:
      ber::AppendHeader(out, entry.tag, 0);
      return;
    default:
      // OCTET STRING, OBJECT IDENTIFIER (contents octets), IpAddress, Opaque.
      ber::AppendOctets(out, entry.tag, entry.bytes);
      return;
  }
}

}  // namespace dc::sim
