#include "sim/usm.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <random>

#include <fmt/format.h>

namespace dc::sim {
namespace {

// RFC 3414 A.2: the passphrase is repeated to fill this many bytes.
constexpr std::size_t kPasswordExpansion = 1048576;
constexpr std::size_t kSaltLength = 8;

const EVP_MD* Digest(UsmAuth auth) {
  switch (auth) {
    case UsmAuth::kMd5:
      return EVP_md5();
    case UsmAuth::kSha1:
      return EVP_sha1();
    case UsmAuth::kSha224:
      return EVP_sha224();
    case UsmAuth::kSha256:
      return EVP_sha256();
    case UsmAuth::kSha384:
      return EVP_sha384();
    case UsmAuth::kSha512:
      return EVP_sha512();
    case UsmAuth::kNone:
      break;
  }
  return nullptr;
}

std::string Hash(UsmAuth auth, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), out, &length, Digest(auth), nullptr);
  return std::string(reinterpret_cast<char*>(out), length);
}

// OpenSSL 3 keeps single DES in its legacy provider. Loading a provider
// by hand stops the default one from loading by itself, so both are
// loaded; the answer is kept for the life of the process.
bool LoadLegacyProvider() {
  static const bool loaded = [] {
    return OSSL_PROVIDER_load(nullptr, "default") != nullptr &&
           OSSL_PROVIDER_load(nullptr, "legacy") != nullptr;
  }();
  return loaded;
}

void PutBigEndian32(unsigned char* out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<unsigned char>(value >> (24 - 8 * i));
  }
}

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* context) const {
    EVP_CIPHER_CTX_free(context);
  }
};

// One pass of `cipher` over `in` without padding; false when libcrypto
// refuses.
bool RunCipher(const EVP_CIPHER* cipher, const unsigned char* key,
               const unsigned char* iv, bool encrypt, std::string_view in,
               std::string& out) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> context(
      EVP_CIPHER_CTX_new());
  if (!context || EVP_CipherInit_ex(context.get(), cipher, nullptr, key, iv,
                                    encrypt ? 1 : 0) != 1) {
    return false;
  }
  EVP_CIPHER_CTX_set_padding(context.get(), 0);
  out.resize(in.size() + 32);
  int written = 0;
  int final_written = 0;
  auto* buffer = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_CipherUpdate(context.get(), buffer, &written,
                       reinterpret_cast<const unsigned char*>(in.data()),
                       static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(context.get(), buffer + written, &final_written) !=
          1) {
    return false;
  }
  out.resize(static_cast<std::size_t>(written + final_written));
  return true;
}

// AES (RFC 3826): IV = engine boots | engine time | salt, key = the first
// 16 bytes of the localized privacy key.
bool AesIv(std::int32_t boots, std::int32_t time, std::string_view salt,
           unsigned char iv[16]) {
  if (salt.size() != kSaltLength) {
    return false;
  }
  PutBigEndian32(iv, static_cast<std::uint32_t>(boots));
  PutBigEndian32(iv + 4, static_cast<std::uint32_t>(time));
  std::copy(salt.begin(), salt.end(), iv + 8);
  return true;
}

// DES (RFC 3414 8.1.1): key = the first 8 bytes of the localized key,
// IV = its next 8 bytes (the pre-IV) XOR the salt.
bool DesIv(std::string_view key, std::string_view salt, unsigned char iv[8]) {
  if (salt.size() != kSaltLength || key.size() < 16) {
    return false;
  }
  for (std::size_t i = 0; i < 8; ++i) {
    iv[i] = static_cast<unsigned char>(key[8 + i] ^ salt[i]);
  }
  return true;
}

}  // namespace

std::optional<UsmAuth> ParseUsmAuth(std::string_view text) {
  if (text == "MD5")
    return UsmAuth::kMd5;
  if (text == "SHA" || text == "SHA-1")
    return UsmAuth::kSha1;
  if (text == "SHA-224")
    return UsmAuth::kSha224;
  if (text == "SHA-256")
    return UsmAuth::kSha256;
  if (text == "SHA-384")
    return UsmAuth::kSha384;
  if (text == "SHA-512")
    return UsmAuth::kSha512;
  return std::nullopt;
}

std::optional<UsmPriv> ParseUsmPriv(std::string_view text) {
  if (text == "DES")
    return UsmPriv::kDes;
  if (text == "AES" || text == "AES-128")
    return UsmPriv::kAes128;
  return std::nullopt;
}

std::string_view ToString(UsmAuth auth) {
  switch (auth) {
    case UsmAuth::kNone:
      return "none";
    case UsmAuth::kMd5:
      return "MD5";
    case UsmAuth::kSha1:
      return "SHA";
    case UsmAuth::kSha224:
      return "SHA-224";
    case UsmAuth::kSha256:
      return "SHA-256";
    case UsmAuth::kSha384:
      return "SHA-384";
    case UsmAuth::kSha512:
      return "SHA-512";
  }
  return "none";
}

std::string_view ToString(UsmPriv priv) {
  switch (priv) {
    case UsmPriv::kNone:
      return "none";
    case UsmPriv::kDes:
      return "DES";
    case UsmPriv::kAes128:
      return "AES";
  }
  return "none";
}

std::size_t MacLength(UsmAuth auth) {
  switch (auth) {
    case UsmAuth::kMd5:
    case UsmAuth::kSha1:
      return 12;
    case UsmAuth::kSha224:
      return 16;
    case UsmAuth::kSha256:
      return 24;
    case UsmAuth::kSha384:
      return 32;
    case UsmAuth::kSha512:
      return 48;
    case UsmAuth::kNone:
      break;
  }
  return 0;
}

std::string PasswordToKey(UsmAuth auth, std::string_view passphrase) {
  if (passphrase.empty()) {
    return {};
  }
  std::string expanded(kPasswordExpansion, '\0');
  for (std::size_t i = 0; i < kPasswordExpansion; ++i) {
    expanded[i] = passphrase[i % passphrase.size()];
  }
  return Hash(auth, expanded);
}

std::string LocalizeKey(UsmAuth auth, std::string_view ku,
                        std::string_view engine_id) {
  std::string material;
  material.reserve(2 * ku.size() + engine_id.size());
  material.append(ku).append(engine_id).append(ku);
  return Hash(auth, material);
}

std::string Authenticate(UsmAuth auth, std::string_view key,
                         std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(Digest(auth), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       out, &length);
  return std::string(reinterpret_cast<char*>(out),
                     std::min<std::size_t>(length, MacLength(auth)));
}

bool PrivacyAvailable(UsmPriv priv) {
  switch (priv) {
    case UsmPriv::kNone:
    case UsmPriv::kAes128:
      return true;
    case UsmPriv::kDes: {
      if (!LoadLegacyProvider()) {
        return false;
      }
      EVP_CIPHER* des = EVP_CIPHER_fetch(nullptr, "DES-CBC", nullptr);
      EVP_CIPHER_free(des);
      return des != nullptr;
    }
  }
  return false;
}

bool Encrypt(UsmPriv priv, std::string_view key, std::int32_t boots,
             std::int32_t time, std::uint64_t salt, std::string_view plain,
             std::string& cipher, std::string& privacy_parameters) {
  unsigned char salt_bytes[kSaltLength];
  if (priv == UsmPriv::kDes) {
    // RFC 3414: the salt is the engine boots and a local counter.
    PutBigEndian32(salt_bytes, static_cast<std::uint32_t>(boots));
    PutBigEndian32(salt_bytes + 4, static_cast<std::uint32_t>(salt));
  } else {
    PutBigEndian32(salt_bytes, static_cast<std::uint32_t>(salt >> 32));
    PutBigEndian32(salt_bytes + 4, static_cast<std::uint32_t>(salt));
  }
  privacy_parameters.assign(reinterpret_cast<char*>(salt_bytes), kSaltLength);

  if (priv == UsmPriv::kAes128) {
    unsigned char iv[16];
    return key.size() >= 16 && AesIv(boots, time, privacy_parameters, iv) &&
           RunCipher(EVP_aes_128_cfb128(),
                     reinterpret_cast<const unsigned char*>(key.data()), iv,
                     true, plain, cipher);
  }
  unsigned char iv[8];
  if (priv != UsmPriv::kDes || !LoadLegacyProvider() ||
      !DesIv(key, privacy_parameters, iv)) {
    return false;
  }
  // The receiver reads the scoped PDU's own length, so the padding bytes
  // are never looked at.
  std::string padded(plain);
  padded.resize((padded.size() + 7) / 8 * 8, '\0');
  return RunCipher(EVP_des_cbc(),
                   reinterpret_cast<const unsigned char*>(key.data()), iv, true,
                   padded, cipher);
}

bool Decrypt(UsmPriv priv, std::string_view key, std::int32_t boots,
             std::int32_t time, std::string_view privacy_parameters,
             std::string_view cipher, std::string& plain) {
  if (priv == UsmPriv::kAes128) {
    unsigned char iv[16];
    return key.size() >= 16 && AesIv(boots, time, privacy_parameters, iv) &&
           RunCipher(EVP_aes_128_cfb128(),
                     reinterpret_cast<const unsigned char*>(key.data()), iv,
                     false, cipher, plain);
  }
  unsigned char iv[8];
  if (priv != UsmPriv::kDes || cipher.empty() || cipher.size() % 8 != 0 ||
      !LoadLegacyProvider() || !DesIv(key, privacy_parameters, iv)) {
    return false;
  }
  return RunCipher(EVP_des_cbc(),
                   reinterpret_cast<const unsigned char*>(key.data()), iv,
                   false, cipher, plain);
}

const std::string& UsmKeyCache::Ku(UsmAuth auth,
                                   const std::string& passphrase) {
  auto [it, added] = keys_.try_emplace({auth, passphrase});
  if (added) {
    it->second = PasswordToKey(auth, passphrase);
  }
  return it->second;
}

UsmEngine::UsmEngine(std::string engine_id, std::int32_t boots,
                     std::vector<UsmUser> users, Clock::time_point start)
    : engine_id_(std::move(engine_id)),
      boots_(boots),
      users_(std::move(users)),
      start_(start),
      salt_((std::uint64_t{std::random_device{}()} << 32) ^
            std::random_device{}()) {}

std::int32_t UsmEngine::Time(Clock::time_point now) const {
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now - start_).count();
  return static_cast<std::int32_t>(
      std::clamp<std::int64_t>(seconds, 0, 2147483647));
}

const UsmUser* UsmEngine::FindUser(std::string_view name) const {
  for (const UsmUser& user : users_) {
    if (user.name == name) {
      return &user;
    }
  }
  return nullptr;
}

std::string DefaultEngineId(std::string_view device_name) {
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : device_name) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  std::string id = {'\x80', '\x00', '\x7e', '\xd9', '\x05'};
  for (int shift = 56; shift >= 0; shift -= 8) {
    id.push_back(static_cast<char>((hash >> shift) & 0xff));
  }
  return id;
}

std::expected<std::string, std::string> ParseEngineId(std::string_view hex) {
  if (hex.starts_with("0x") || hex.starts_with("0X")) {
    hex.remove_prefix(2);
  }
  if (hex.size() % 2 != 0 || hex.size() < 10 || hex.size() > 64) {
    return std::unexpected(
        "an engine ID is 5 to 32 bytes written as hex digits");
  }
  std::string bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int value = 0;
    for (char c : hex.substr(i, 2)) {
      int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                  : c >= 'a' && c <= 'f'                      ? c - 'a' + 10
                  : c >= 'A' && c <= 'F'                      ? c - 'A' + 10
                                                              : -1;
      if (digit < 0) {
        return std::unexpected("'" + std::string(hex) + "' is not hex digits");
      }
      value = value * 16 + digit;
    }
    bytes.push_back(static_cast<char>(value));
  }
  return bytes;
}

std::string HexOf(std::string_view bytes) {
  std::string hex;
  for (char c : bytes) {
    hex += fmt::format("{:02x}", static_cast<unsigned char>(c));
  }
  return hex;
}

std::expected<UsmEngine, std::string> MakeUsmEngine(
    std::string engine_id, std::int32_t boots,
    const std::vector<UsmUserSpec>& users, UsmKeyCache& cache,
    UsmEngine::Clock::time_point start) {
  std::vector<UsmUser> localized;
  for (const UsmUserSpec& spec : users) {
    if (!PrivacyAvailable(spec.priv)) {
      return std::unexpected(fmt::format(
          "{}: user '{}': this libcrypto has no {} (OpenSSL's legacy "
          "provider is missing)",
          spec.place, spec.name, ToString(spec.priv)));
    }
    UsmUser user{spec.name, spec.auth, spec.priv, {}, {}};
    if (spec.auth != UsmAuth::kNone) {
      user.auth_key = LocalizeKey(
          spec.auth, cache.Ku(spec.auth, spec.auth_passphrase), engine_id);
    }
    if (spec.priv != UsmPriv::kNone) {
      user.priv_key = LocalizeKey(
          spec.auth, cache.Ku(spec.auth, spec.priv_passphrase), engine_id);
    }
    localized.push_back(std::move(user));
  }
  return UsmEngine(std::move(engine_id), boots, std::move(localized), start);
}

}  // namespace dc::sim
