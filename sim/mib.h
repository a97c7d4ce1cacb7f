// The objects one simulated SNMP agent serves: a sorted table of OIDs, each
// with a fixed value (from a .snmprec walk or a model's constants) or a
// value computed from one of the device's live variables when it is asked.
// A Mib is built once and then only read, so devices of the same model share
// one and keep their own variables.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/oid.h"

namespace dc::sim {

struct MibEntry {
  Oid oid;
  // BER identifier of the value (ber::kInteger, ber::kOctetString, ...).
  std::uint8_t tag = 0;
  // The fixed value: integers (unsigned ones as their bit pattern) here,
  // strings, addresses, opaque data and OID contents octets in `bytes`.
  std::int64_t number = 0;
  std::string bytes;
  // When `var` is set, the value is variables[var] * scale + offset, rounded
  // for integer types and printed with `decimals` for OCTET STRING.
  int var = -1;
  // When `text` is set, the value is the device's text of that index (its
  // name, location, serial: see DeviceText).
  int text = -1;
  double scale = 1.0;
  double offset = 0.0;
  int decimals = 0;
};

class Mib {
 public:
  void Add(MibEntry entry) { entries_.push_back(std::move(entry)); }

  // Sorts the entries. Returns false and names the first duplicate OID in
  // `error` when two entries share an OID.
  bool Finish(std::string* error);

  // The entry for exactly `oid`, or nullptr.
  const MibEntry* Find(const Oid& oid) const;
  // The first entry after `oid` in MIB order, or nullptr at the end.
  const MibEntry* Next(const Oid& oid) const;
  // True when some entry lies under `oid` without its last arc, which tells
  // noSuchInstance (the object exists) from noSuchObject.
  bool HasObject(const Oid& oid) const;

  std::size_t size() const { return entries_.size(); }
  const std::vector<MibEntry>& entries() const { return entries_; }

 private:
  std::vector<MibEntry> entries_;
};

// Per-device strings a shared Mib can refer to.
enum DeviceText {
  kTextName,
  kTextLocation,
  kTextSerial,
  kTextContact,
  kTextCount
};

// Appends the BER encoding of `entry`'s value, computed from `variables` or
// taken from `texts` when the entry refers to them.
void AppendMibValue(std::string& out, const MibEntry& entry,
                    std::span<const double> variables,
                    std::span<const std::string> texts);

}  // namespace dc::sim
