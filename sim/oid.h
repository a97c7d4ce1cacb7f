// Object identifiers as the simulator stores and compares them: a vector of
// sub-identifiers, ordered component by component as SNMP orders a MIB.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dc::sim {

using Oid = std::vector<std::uint32_t>;

// Parses "1.3.6.1.2.1.1.1.0" (a leading dot is accepted). Returns nullopt for
// an empty string, empty components, non-digits or components above 2^32-1.
std::optional<Oid> ParseOid(std::string_view text);

// "1.3.6.1.2.1.1.1.0".
std::string FormatOid(const Oid& oid);

// True when `oid` starts with every component of `prefix`.
bool HasPrefix(const Oid& oid, const Oid& prefix);

}  // namespace dc::sim
