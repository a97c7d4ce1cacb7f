#include "collectors/snmp/oid.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace dc::snmp {

std::optional<Oid> ParseOid(std::string_view text) {
  if (!text.empty() && text.front() == '.')
    text.remove_prefix(1);
  if (text.empty())
    return std::nullopt;

  Oid out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find('.', start);
    std::string_view part =
        text.substr(start, end == text.npos ? text.npos : end - start);
    std::uint64_t value = 0;
    auto [stop, ec] =
        std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() ||
        stop != part.data() + part.size() || value > 0xFFFFFFFFULL) {
      return std::nullopt;
    }
    out.push_back(static_cast<oid>(value));
    if (out.size() > MAX_OID_LEN)
      return std::nullopt;
    if (end == text.npos)
      break;
    start = end + 1;
  }
  if (out.size() < 2)
    return std::nullopt;
  return out;
}

std::string FormatOid(OidView oid) {
  std::string out;
  out.reserve(oid.size() * 4);
  char buffer[24];
  for (std::size_t i = 0; i < oid.size(); ++i) {
    if (i)
      out += '.';
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), oid[i]);
    out.append(buffer, end);
  }
  return out;
}

bool IsPrefix(OidView prefix, OidView oid) {
  return prefix.size() <= oid.size() &&
         std::equal(prefix.begin(), prefix.end(), oid.begin());
}

int Compare(OidView a, OidView b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i])
      return a[i] < b[i] ? -1 : 1;
  }
  if (a.size() == b.size())
    return 0;
  return a.size() < b.size() ? -1 : 1;
}

}  // namespace dc::snmp
