#include "sim/snmprec.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "sim/ber.h"

namespace dc::sim {
namespace {

std::string_view Trim(std::string_view text) {
  const char* kSpace = " \t\r\n";
  std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return {};
  }
  std::size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::expected<std::string, std::string> DecodeHex(std::string_view text) {
  if (text.size() % 2 != 0) {
    return std::unexpected("odd number of hex digits");
  }
  std::string bytes;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int high = HexDigit(text[i]);
    int low = HexDigit(text[i + 1]);
    if (high < 0 || low < 0) {
      return std::unexpected("invalid hex digit");
    }
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  return bytes;
}

// Python-style escapes as snmpsim's `e` modifier writes them.
std::expected<std::string, std::string> DecodeEscaped(std::string_view text) {
  std::string bytes;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      bytes.push_back(text[i]);
      continue;
    }
    char c = text[++i];
    switch (c) {
      case 'n':
        bytes.push_back('\n');
        break;
      case 't':
        bytes.push_back('\t');
        break;
      case 'r':
        bytes.push_back('\r');
        break;
      case '0':
        bytes.push_back('\0');
        break;
      case '\\':
        bytes.push_back('\\');
        break;
      case '\'':
        bytes.push_back('\'');
        break;
      case '"':
        bytes.push_back('"');
        break;
      case 'x': {
        if (i + 2 >= text.size()) {
          return std::unexpected("truncated \\x escape");
        }
        int high = HexDigit(text[i + 1]);
        int low = HexDigit(text[i + 2]);
        if (high < 0 || low < 0) {
          return std::unexpected("invalid \\x escape");
        }
        bytes.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        break;
      }
      default:
        bytes.push_back('\\');
        bytes.push_back(c);
    }
  }
  return bytes;
}

template <typename T>
bool ParseNumber(std::string_view text, T& value) {
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// Fills the value of `entry` from the tag and the text after the second
// pipe. Returns an error message without the place.
std::expected<void, std::string> FillValue(MibEntry& entry, unsigned tag,
                                           char modifier,
                                           std::string_view text) {
  std::string bytes(text);
  if (modifier == 'x') {
    auto decoded = DecodeHex(text);
    if (!decoded)
      return std::unexpected(decoded.error());
    bytes = std::move(*decoded);
  } else if (modifier == 'e') {
    auto decoded = DecodeEscaped(text);
    if (!decoded)
      return std::unexpected(decoded.error());
    bytes = std::move(*decoded);
  }

  entry.tag = static_cast<std::uint8_t>(tag);
  switch (tag) {
    case ber::kInteger: {
      std::int32_t value = 0;
      if (!ParseNumber(bytes, value)) {
        return std::unexpected("'" + bytes + "' is not an Integer32");
      }
      entry.number = value;
      return {};
    }
    case ber::kCounter32:
    case ber::kGauge32:
    case ber::kTimeTicks: {
      std::uint32_t value = 0;
      if (!ParseNumber(bytes, value)) {
        return std::unexpected("'" + bytes + "' is not a 32-bit unsigned");
      }
      entry.number = value;
      return {};
    }
    case ber::kCounter64: {
      std::uint64_t value = 0;
      if (!ParseNumber(bytes, value)) {
        return std::unexpected("'" + bytes + "' is not a Counter64");
      }
      entry.number = static_cast<std::int64_t>(value);
      return {};
    }
    case ber::kOctetString:
    case ber::kOpaque:
      entry.bytes = std::move(bytes);
      return {};
    case ber::kNull:
    case ber::kNoSuchObject:
    case ber::kNoSuchInstance:
    case ber::kEndOfMibView:
      return {};
    case ber::kObjectId: {
      auto oid = ParseOid(Trim(bytes));
      if (!oid || oid->size() < 2) {
        return std::unexpected("'" + bytes + "' is not an OID");
      }
      ber::AppendOidContents(entry.bytes, *oid);
      return {};
    }
    case ber::kIpAddress: {
      if (modifier == 'x') {
        if (bytes.size() != 4) {
          return std::unexpected("IpAddress needs 4 octets");
        }
        entry.bytes = std::move(bytes);
        return {};
      }
      auto parts = ParseOid(bytes);
      if (!parts || parts->size() != 4) {
        return std::unexpected("'" + bytes + "' is not a dotted quad");
      }
      for (std::uint32_t part : *parts) {
        if (part > 255) {
          return std::unexpected("'" + bytes + "' is not a dotted quad");
        }
        entry.bytes.push_back(static_cast<char>(part));
      }
      return {};
    }
    default:
      return std::unexpected(fmt::format("unknown tag {}", tag));
  }
}

}  // namespace

std::expected<Mib, std::string> ParseSnmprec(std::string_view text,
                                             std::string_view origin) {
  Mib mib;
  int line_number = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = Trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') {
      continue;
    }

    auto fail = [&](std::string_view message) {
      return std::unexpected(
          fmt::format("{}:{}: {}", origin, line_number, message));
    };
    // Only the first two pipes separate fields: a value may hold pipes.
    std::size_t first = line.find('|');
    std::size_t second =
        first == std::string_view::npos ? first : line.find('|', first + 1);
    if (second == std::string_view::npos) {
      return fail("expected OID|TAG|VALUE");
    }

    MibEntry entry;
    auto oid = ParseOid(line.substr(0, first));
    if (!oid || oid->size() < 2) {
      return fail("invalid OID '" + std::string(line.substr(0, first)) + "'");
    }
    entry.oid = std::move(*oid);

    std::string_view tag_text = line.substr(first + 1, second - first - 1);
    if (tag_text.find(':') != std::string_view::npos) {
      return fail("snmpsim variation modules are not supported");
    }
    char modifier = 0;
    if (!tag_text.empty() &&
        (tag_text.back() == 'x' || tag_text.back() == 'e')) {
      modifier = tag_text.back();
      tag_text.remove_suffix(1);
    }
    unsigned tag = 0;
    if (!ParseNumber(tag_text, tag)) {
      return fail("invalid tag '" + std::string(tag_text) + "'");
    }

    auto filled = FillValue(entry, tag, modifier, line.substr(second + 1));
    if (!filled) {
      return fail(filled.error());
    }
    mib.Add(std::move(entry));
  }

  std::string error;
  if (!mib.Finish(&error)) {
    return std::unexpected(fmt::format("{}: {}", origin, error));
  }
  return mib;
}

std::expected<Mib, std::string> LoadSnmprec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::unexpected(path + ": cannot open");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseSnmprec(text.str(), path);
}

}  // namespace dc::sim
