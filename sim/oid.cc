#include "sim/oid.h"

#include <algorithm>

namespace dc::sim {

std::optional<Oid> ParseOid(std::string_view text) {
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return std::nullopt;
  }

  Oid oid;
  std::uint64_t value = 0;
  bool have_digit = false;
  for (char c : text) {
    if (c == '.') {
      if (!have_digit) {
        return std::nullopt;
      }
      oid.push_back(static_cast<std::uint32_t>(value));
      value = 0;
      have_digit = false;
      continue;
    }
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    if (value > 0xffffffffULL) {
      return std::nullopt;
    }
    have_digit = true;
  }
  if (!have_digit) {
    return std::nullopt;
  }
  oid.push_back(static_cast<std::uint32_t>(value));
  return oid;
}

std::string FormatOid(const Oid& oid) {
  std::string text;
  for (std::size_t i = 0; i < oid.size(); ++i) {
    if (i > 0) {
      text += '.';
    }
    text += std::to_string(oid[i]);
  }
  return text;
}

bool HasPrefix(const Oid& oid, const Oid& prefix) {
  return oid.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), oid.begin());
}

}  // namespace dc::sim
