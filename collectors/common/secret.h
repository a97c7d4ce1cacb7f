// A credential that never prints itself.
#pragma once

#include <ostream>
#include <string>
#include <utility>

namespace dc {

// Holds a password or community string. Streaming or formatting it shows
// "<redacted>"; only Reveal() gives the text, at the call that needs it.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend std::ostream& operator<<(std::ostream& out, const Secret&) {
    return out << "<redacted>";
  }

 private:
  std::string value_;
};

}  // namespace dc
