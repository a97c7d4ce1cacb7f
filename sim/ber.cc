#include "sim/ber.h"

namespace dc::sim::ber {

bool Reader::Next(std::uint8_t& tag, std::span<const std::uint8_t>& contents) {
  if (bytes_.size() - pos_ < 2) {
    return false;
  }
  tag = bytes_[pos_++];
  // High tag numbers (0x1f) never occur in SNMP; refusing them keeps the
  // reader simple and strict.
  if ((tag & 0x1f) == 0x1f) {
    return false;
  }

  std::size_t length = bytes_[pos_++];
  if (length & 0x80) {
    // Indefinite length (0x80) is not allowed in SNMP; more than four length
    // octets cannot describe a datagram.
    std::size_t octets = length & 0x7f;
    if (octets == 0 || octets > 4 || bytes_.size() - pos_ < octets) {
      return false;
    }
    length = 0;
    for (std::size_t i = 0; i < octets; ++i) {
      length = (length << 8) | bytes_[pos_++];
    }
  }

  if (length > bytes_.size() - pos_) {
    return false;
  }
  contents = bytes_.subspan(pos_, length);
  pos_ += length;
  return true;
}

bool Reader::Expect(std::uint8_t tag, std::span<const std::uint8_t>& contents) {
  std::uint8_t actual = 0;
  return Next(actual, contents) && actual == tag;
}

bool Reader::Integer(std::int64_t& value, std::uint8_t tag) {
  std::span<const std::uint8_t> contents;
  return Expect(tag, contents) && DecodeInteger(contents, value);
}

bool Reader::OctetString(std::string_view& value) {
  std::span<const std::uint8_t> contents;
  if (!Expect(kOctetString, contents)) {
    return false;
  }
  value = std::string_view(reinterpret_cast<const char*>(contents.data()),
                           contents.size());
  return true;
}

bool Reader::ObjectId(Oid& value) {
  std::span<const std::uint8_t> contents;
  return Expect(kObjectId, contents) && DecodeOid(contents, value);
}

bool DecodeInteger(std::span<const std::uint8_t> contents,
                   std::int64_t& value) {
  if (contents.empty() || contents.size() > 8) {
    return false;
  }
  // Sign-extend from the first octet, then shift in the rest.
  std::uint64_t bits = (contents[0] & 0x80) ? ~std::uint64_t{0} : 0;
  for (std::uint8_t octet : contents) {
    bits = (bits << 8) | octet;
  }
  value = static_cast<std::int64_t>(bits);
  return true;
}

bool DecodeOid(std::span<const std::uint8_t> contents, Oid& oid) {
  oid.clear();
  if (contents.empty()) {
    return false;
  }

  std::uint64_t value = 0;
  bool in_progress = false;
  for (std::uint8_t octet : contents) {
    // A sub-identifier may not start with 0x80 (a non-minimal encoding).
    if (!in_progress && octet == 0x80) {
      return false;
    }
    value = (value << 7) | (octet & 0x7f);
    if (value > 0xffffffffULL + 80) {
      return false;
    }
    in_progress = (octet & 0x80) != 0;
    if (in_progress) {
      continue;
    }

    if (oid.empty()) {
      // The first sub-identifier packs two arcs: 40 * X + Y.
      std::uint64_t first = value < 80 ? value / 40 : 2;
      std::uint64_t second = value - first * 40;
      if (second > 0xffffffffULL) {
        return false;
      }
      oid.push_back(static_cast<std::uint32_t>(first));
      oid.push_back(static_cast<std::uint32_t>(second));
    } else {
      if (value > 0xffffffffULL) {
        return false;
      }
      oid.push_back(static_cast<std::uint32_t>(value));
    }
    if (oid.size() > kMaxOidLength) {
      return false;
    }
    value = 0;
  }
  return !in_progress;
}

std::size_t LengthOfLength(std::size_t length) {
  if (length < 0x80) {
    return 1;
  }
  std::size_t octets = 0;
  for (std::size_t rest = length; rest != 0; rest >>= 8) {
    ++octets;
  }
  return 1 + octets;
}

void AppendLength(std::string& out, std::size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<char>(length));
    return;
  }
  std::size_t octets = LengthOfLength(length) - 1;
  out.push_back(static_cast<char>(0x80 | octets));
  for (std::size_t i = octets; i-- > 0;) {
    out.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  }
}

void AppendHeader(std::string& out, std::uint8_t tag, std::size_t length) {
  out.push_back(static_cast<char>(tag));
  AppendLength(out, length);
}

void AppendInteger(std::string& out, std::uint8_t tag, std::int64_t value) {
  // Drop leading octets that only repeat the sign of the next one.
  int octets = 8;
  while (octets > 1) {
    std::int64_t top = value >> (8 * (octets - 1) - 1);
    if (top != 0 && top != -1) {
      break;
    }
    --octets;
  }
  AppendHeader(out, tag, static_cast<std::size_t>(octets));
  for (int i = octets; i-- > 0;) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

void AppendUnsigned(std::string& out, std::uint8_t tag, std::uint64_t value) {
  int octets = 1;
  while (octets < 8 && (value >> (8 * octets)) != 0) {
    ++octets;
  }
  bool pad = ((value >> (8 * (octets - 1))) & 0x80) != 0;
  AppendHeader(out, tag, static_cast<std::size_t>(octets + (pad ? 1 : 0)));
  if (pad) {
    out.push_back('\0');
  }
  for (int i = octets; i-- > 0;) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

void AppendOctets(std::string& out, std::uint8_t tag, std::string_view bytes) {
  AppendHeader(out, tag, bytes.size());
  out.append(bytes);
}

namespace {

void AppendBase128(std::string& out, std::uint64_t value) {
  char buffer[10];
  int n = 0;
  do {
    buffer[n++] = static_cast<char>(value & 0x7f);
    value >>= 7;
  } while (value != 0);
  while (n-- > 0) {
    out.push_back(static_cast<char>(buffer[n] | (n > 0 ? 0x80 : 0)));
  }
}

}  // namespace

void AppendOidContents(std::string& out, const Oid& oid) {
  if (oid.size() < 2) {
    // A one-arc OID has no BER form; encode it as X.0 like net-snmp does.
    AppendBase128(out, oid.empty() ? 0 : std::uint64_t{oid[0]} * 40);
    return;
  }
  AppendBase128(out, std::uint64_t{oid[0]} * 40 + oid[1]);
  for (std::size_t i = 2; i < oid.size(); ++i) {
    AppendBase128(out, oid[i]);
  }
}

void AppendOid(std::string& out, const Oid& oid) {
  std::string contents;
  AppendOidContents(contents, oid);
  AppendOctets(out, kObjectId, contents);
}

}  // namespace dc::sim::ber
