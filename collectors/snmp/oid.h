// Numeric object identifiers as profiles write them ("1.3.6.1.2.1.1.2.0")
// and as net-snmp stores them (arrays of `oid`). No MIB names anywhere.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/snmp/netsnmp.h"

namespace dc::snmp {

using Oid = std::vector<oid>;
using OidView = std::span<const oid>;

// Parses dotted decimal, with or without a leading dot. Rejects empty
// text, empty components, components above 2^32-1, fewer than two
// components and more than MAX_OID_LEN.
std::optional<Oid> ParseOid(std::string_view text);

// "1.3.6.1..." without a leading dot.
std::string FormatOid(OidView oid);

// True when `prefix` is a component-wise prefix of `oid` (equal counts).
bool IsPrefix(OidView prefix, OidView oid);

// <0, 0, >0 as `a` sorts before, equal to or after `b` (lexicographic by
// component, shorter first on a common prefix), the order of GETNEXT.
int Compare(OidView a, OidView b);

}  // namespace dc::snmp
