// The user-based security model (USM, RFC 3414) of a simulated SNMPv3
// agent: its engine (ID, boots, time), its users with their keys localized
// to that engine, and the counters its reports carry. The cryptography
// (digests, HMAC, DES and AES) is OpenSSL's libcrypto; this file only puts
// the RFC's steps together: password to key, key localization, truncated
// HMAC (RFC 3414, RFC 7860) and the privacy IVs (RFC 3414 DES-CBC,
// RFC 3826 AES-128-CFB).
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dc::sim {

enum class UsmAuth { kNone, kMd5, kSha1, kSha224, kSha256, kSha384, kSha512 };
enum class UsmPriv { kNone, kDes, kAes128 };

// Names as the fleet file and dcagent write them: MD5, SHA (or SHA-1),
// SHA-224, SHA-256, SHA-384, SHA-512; DES, AES (or AES-128).
std::optional<UsmAuth> ParseUsmAuth(std::string_view text);
std::optional<UsmPriv> ParseUsmPriv(std::string_view text);
std::string_view ToString(UsmAuth auth);
std::string_view ToString(UsmPriv priv);

// Bytes of the truncated HMAC carried in msgAuthenticationParameters:
// 12 for MD5 and SHA-1, 16, 24, 32, 48 for SHA-224 ... SHA-512.
std::size_t MacLength(UsmAuth auth);

// Ku: the digest of the passphrase repeated to one megabyte (RFC 3414
// A.2). Costly (a few milliseconds); KeyCache computes it once per
// passphrase.
std::string PasswordToKey(UsmAuth auth, std::string_view passphrase);
// Kul = H(Ku | engine ID | Ku).
std::string LocalizeKey(UsmAuth auth, std::string_view ku,
                        std::string_view engine_id);

// The truncated HMAC of `message` under `key`.
std::string Authenticate(UsmAuth auth, std::string_view key,
                         std::string_view message);

// Encrypts the scoped PDU for a response: `salt` becomes
// msgPrivacyParameters. DES pads to whole blocks. False when libcrypto
// refuses (DES without OpenSSL's legacy provider).
bool Encrypt(UsmPriv priv, std::string_view key, std::int32_t boots,
             std::int32_t time, std::uint64_t salt, std::string_view plain,
             std::string& cipher, std::string& privacy_parameters);
// Decrypts a request's encryptedPDU with the msgPrivacyParameters and the
// boots and time the message carries. False when the lengths are wrong.
bool Decrypt(UsmPriv priv, std::string_view key, std::int32_t boots,
             std::int32_t time, std::string_view privacy_parameters,
             std::string_view cipher, std::string& plain);

// Whether libcrypto provides the cipher (DES needs the legacy provider,
// which is loaded on first use).
bool PrivacyAvailable(UsmPriv priv);

// One user as the fleet file configures it.
struct UsmUserSpec {
  std::string name;
  UsmAuth auth = UsmAuth::kNone;
  std::string auth_passphrase;
  std::string auth_passphrase_file;  // as written, for the agent config
  UsmPriv priv = UsmPriv::kNone;
  std::string priv_passphrase;
  std::string priv_passphrase_file;
  std::string place;  // file:line:column of the [[user]] table
};

// Ku per (protocol, passphrase), so a fleet of many engines hashes each
// passphrase once.
class UsmKeyCache {
 public:
  const std::string& Ku(UsmAuth auth, const std::string& passphrase);

 private:
  std::map<std::pair<UsmAuth, std::string>, std::string> keys_;
};

// A user with keys localized to one engine.
struct UsmUser {
  std::string name;
  UsmAuth auth = UsmAuth::kNone;
  UsmPriv priv = UsmPriv::kNone;
  std::string auth_key;
  std::string priv_key;
};

// The usmStats counters (RFC 3414 section 5) an engine reports.
struct UsmStats {
  std::uint32_t unsupported_sec_levels = 0;
  std::uint32_t not_in_time_windows = 0;
  std::uint32_t unknown_user_names = 0;
  std::uint32_t unknown_engine_ids = 0;
  std::uint32_t wrong_digests = 0;
  std::uint32_t decryption_errors = 0;
  std::uint32_t unknown_contexts = 0;  // snmpUnknownContexts (RFC 3413)
};

// One authoritative SNMP engine. Not thread-safe: the server's one thread
// owns it.
class UsmEngine {
 public:
  using Clock = std::chrono::steady_clock;

  UsmEngine(std::string engine_id, std::int32_t boots,
            std::vector<UsmUser> users, Clock::time_point start);

  const std::string& engine_id() const { return engine_id_; }
  std::int32_t boots() const { return boots_; }
  // snmpEngineTime: whole seconds since `start`.
  std::int32_t Time(Clock::time_point now) const;
  const UsmUser* FindUser(std::string_view name) const;
  // A new salt for each encrypted response.
  std::uint64_t NextSalt() { return salt_++; }
  UsmStats& stats() { return stats_; }

 private:
  std::string engine_id_;
  std::int32_t boots_;
  std::vector<UsmUser> users_;
  Clock::time_point start_;
  std::uint64_t salt_;
  UsmStats stats_;
};

// The engine ID dcsim gives a device that configures none: RFC 3411 format
// 5 (octets) under the documentation enterprise number 32473 (RFC 5612),
// then 8 bytes of a stable hash (FNV-1a) of the device's name, so one
// device keeps its ID across restarts.
std::string DefaultEngineId(std::string_view device_name);

// Reads an engine ID written as hex ("80007ed9..."), 5 to 32 bytes.
std::expected<std::string, std::string> ParseEngineId(std::string_view hex);
std::string HexOf(std::string_view bytes);

// Builds the engine of one device: `users` keys localized to `engine_id`.
// Fails when a user's privacy is not available in this libcrypto.
std::expected<UsmEngine, std::string> MakeUsmEngine(
    std::string engine_id, std::int32_t boots,
    const std::vector<UsmUserSpec>& users, UsmKeyCache& cache,
    UsmEngine::Clock::time_point start);

}  // namespace dc::sim
