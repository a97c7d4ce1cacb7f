#include "agent/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace dc::agent {
namespace {

// Remembered digests beyond this are forgotten all at once: a handful of
// scrapers need a handful of entries.
constexpr std::size_t kMaxRemembered = 64;

// crypt(3) of `password` with the method, cost and salt of `hash`, or an
// empty string when libxcrypt refuses. crypt_data is 32 KiB: on the heap.
std::string Crypt(std::string_view password, std::string_view hash) {
  std::string key(password);
  std::string setting(hash);
  auto data = std::make_unique<crypt_data>();
  const char* result = crypt_rn(key.c_str(), setting.c_str(), data.get(),
                                static_cast<int>(sizeof(crypt_data)));
  OPENSSL_cleanse(key.data(), key.size());
  if (!result || result[0] == '*')
    return {};
  return result;
}

bool SameBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0)
    return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int padding = 0;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        ++padding;
        group <<= 6;
        continue;
      }
      int value = Base64Value(c);
      if (value < 0 || padding > 0)
        return std::nullopt;
      group = (group << 6) | static_cast<std::uint32_t>(value);
    }
    out.push_back(static_cast<char>((group >> 16) & 0xff));
    if (padding < 2)
      out.push_back(static_cast<char>((group >> 8) & 0xff));
    if (padding < 1)
      out.push_back(static_cast<char>(group & 0xff));
  }
  return out;
}

BasicAuth::BasicAuth(std::string realm,
                     std::map<std::string, std::string, std::less<>> users)
    : realm_(std::move(realm)), users_(std::move(users)) {
  // Without randomness the digests would still be unforgeable by a client
  // (it never sees them); the key only keeps them useless if memory leaks.
  if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1)
    key_.fill(0);
}

std::optional<std::string> BasicAuth::CheckHash(std::string_view hash) {
  if (!hash.starts_with('$')) {
    return "is not a password hash; make one with `mkpasswd` (yescrypt) or "
           "`mkpasswd -m sha-512` and store the hash, never the password";
  }
  std::string setting(hash);
  switch (crypt_checksalt(setting.c_str())) {
    case CRYPT_SALT_OK:
      break;
    case CRYPT_SALT_METHOD_LEGACY:
    case CRYPT_SALT_TOO_CHEAP:
      return "uses a weak hashing method; use yescrypt ($y$), bcrypt ($2b$, "
             "$2y$), SHA-512 ($6$) or scrypt ($7$)";
    default:
      return "is not a hash this system's crypt(3) can check";
  }
  // A setting alone ("$6$salt") or a hash cut short when pasted hashes to
  // something of another length.
  std::string computed = Crypt("", hash);
  if (computed.empty() || computed.size() != hash.size() ||
      !computed.starts_with(hash.substr(0, hash.rfind('$') + 1))) {
    return "is incomplete: paste the whole line `mkpasswd` printed";
  }
  return std::nullopt;
}

BasicAuth::Digest BasicAuth::Remembered(std::string_view user,
                                        std::string_view password) const {
  std::string message(user);
  message.push_back('\0');
  message.append(password);
  Digest digest{};
  std::size_t length = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_.data(),
            key_.size(), reinterpret_cast<const unsigned char*>(message.data()),
            message.size(), digest.data(), digest.size(), &length);
  OPENSSL_cleanse(message.data(), message.size());
  return digest;
}

bool BasicAuth::Allows(std::string_view authorization) const {
  // "Basic" is case-insensitive; one or more spaces follow it.
  if (authorization.size() < 6 ||
      !std::equal(authorization.begin(), authorization.begin() + 5, "basic",
                  [](char a, char b) { return (a | 0x20) == b; }) ||
      authorization[5] != ' ') {
    return false;
  }
  std::string_view encoded = authorization.substr(6);
  while (!encoded.empty() && encoded.front() == ' ')
    encoded.remove_prefix(1);
  std::optional<std::string> decoded = DecodeBase64(encoded);
  if (!decoded)
    return false;
  std::size_t colon = decoded->find(':');
  if (colon == std::string::npos || decoded->find('\0') != std::string::npos) {
    OPENSSL_cleanse(decoded->data(), decoded->size());
    return false;
  }
  std::string_view user = std::string_view(*decoded).substr(0, colon);
  std::string_view password = std::string_view(*decoded).substr(colon + 1);

  Digest digest = Remembered(user, password);
  {
    std::lock_guard lock(mutex_);
    if (verified_.contains(digest)) {
      OPENSSL_cleanse(decoded->data(), decoded->size());
      return true;
    }
  }

  // An unknown user is checked against some configured hash, so that it
  // costs the same.
  auto it = users_.find(user);
  bool known = it != users_.end();
  const std::string& hash = known ? it->second : users_.begin()->second;
  bool match = SameBytes(Crypt(password, hash), hash) && known;
  OPENSSL_cleanse(decoded->data(), decoded->size());
  if (!match)
    return false;

  std::lock_guard lock(mutex_);
  if (verified_.size() >= kMaxRemembered)
    verified_.clear();
  verified_.insert(digest);
  return true;
}

std::string BasicAuth::Challenge() const {
  return fmt::format("Basic realm=\"{}\", charset=\"UTF-8\"", realm_);
}

}  // namespace dc::agent
